"""Interactive network maps (vis-network, as shipped with pyvis) and GEXF export for Gephi.

A browser cannot lay out a million users, and pyvis pages freeze above about a thousand nodes with
physics on. So a map draws one of three views, each saying on the page what it left out:

- **backbone** (default): brand accounts and critic KOLs, each large community's top members by
  PageRank, the KOLs, then the highest PageRank, at most ``max_nodes`` users, with the heaviest
  ``max_edges`` edges among them;
- **communities**: one node per community (size, mean stance, brand-engagement share), links
  weighted by the interactions between communities;
- **focus**: the ego network of one account (``hops`` steps in either direction), e.g. the KOL
  being vetted with its core fans and critics around it.

Nodes are coloured by community, shaped by role and sized by PageRank (log scale); edges are
coloured by sentiment sign or by kind (a menu switches). Tooltips list the user's metrics, roles
and reasons. Layout: an initial Fruchterman-Reingold layout is computed here (seeded, so the same
workspace gives the same picture); vis.js physics then stabilises it in the browser and switches
itself off. Users not connected to the main group are lined up in rows below it instead of
drifting around it.

Inputs: the workspace tables plus ``analysis/users.parquet`` and ``analysis/communities.csv``
written by ``kolgraph analyze``. **Without an analysis** the backbone and focus maps still draw the
raw graph, sized by a PageRank computed here (directed, edge weights, damping 0.85, self-loops
excluded: methods section 1), with no communities or roles, and the page says to run
``kolgraph analyze``; the communities view needs the analysis and says so.

Everything that scales with the graph is vectorised (integer codes, numpy masks, scipy.sparse for
the ego search); Python loops touch at most the drawn nodes. Every string reaching the page is
escaped (:mod:`kolgraph.viz._html`); tooltips are built in the browser as DOM text nodes.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import igraph as ig
import numpy as np
import pandas as pd

from .._io import atomic_path, write_text
from ..progress import progress
from ..schema import KINDS, KolgraphError, UnknownAccountError
from . import _html
from ._map_page import MAP_CSS, MAP_JS
from ..algorithms.roles import has_role

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "ROLES",
    "ROLE_SHAPES",
    "ROLE_LABELS",
    "SIGN_THRESHOLD",
    "MapInputs",
    "MapData",
    "MapResult",
    "load_map_inputs",
    "map_inputs_from_graph",
    "backbone_map",
    "community_map",
    "ego_map",
    "build_map",
    "render_map_html",
    "write_map",
    "write_gexf",
    "community_colour",
]

#: Role tags in drawing priority (a user with several roles is drawn with the first one's shape).
ROLES: tuple[str, ...] = ("brand_account", "critic_kol", "kol", "brand_bridge", "bridge", "core_fan",
                          "critic", "amplifier")
#: vis.js node shape per role ("" = no role).
ROLE_SHAPES: dict[str, str] = {
    "brand_account": "square", "critic_kol": "triangleDown", "kol": "star", "brand_bridge": "diamond",
    "bridge": "diamond", "core_fan": "triangle", "critic": "triangleDown", "amplifier": "hexagon", "": "dot",
}
ROLE_LABELS: dict[str, str] = {
    "brand_account": "brand account", "critic_kol": "critic KOL", "kol": "KOL", "brand_bridge": "brand bridge",
    "bridge": "bridge", "core_fan": "core fan", "critic": "critic", "amplifier": "amplifier", "": "no role",
}
_THICK_BORDER = ("critic_kol", "brand_bridge", "brand_account")
#: Role groups that take turns in an ego network (a user counts in the first group it belongs to).
_EGO_GROUPS = ("critic_kol", "kol", "brand_account", "core_fan", "critic", "brand_bridge", "bridge", "amplifier")

# Tableau 10 then its light variants: distinct colours for the 19 largest communities, grey after.
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#17becf", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#86bcb6", "#d4a6c8",
            "#fabfd2", "#d7b5a6", "#79706e")
_OTHER_COLOUR = "#bab0ac"
_NO_ANALYSIS_COLOUR = "#5b8def"
_KIND_COLOURS = {"repost": "#4e79a7", "reply": "#f28e2b", "mention": "#b07aa1"}
_SIGN_COLOURS = {"positive": "#2ca02c", "negative": "#d62728", "neutral": "#9e9e9e"}
#: |sentiment| below this counts as neutral for edge colours.
SIGN_THRESHOLD = 0.2

_FLOAT_COLUMNS = ("followers", "pagerank", "pagerank_pct", "stance", "stance_support", "coreness",
                  "participation", "betweenness", "brand_affinity", "community_confidence")


def community_colour(community: np.ndarray | int) -> np.ndarray:
    """Colour (hex) per community id: a palette for ids 0..18 (the largest), grey for the rest and -1."""
    c = np.asarray(community, dtype=np.int64)
    palette = np.array(_PALETTE + (_OTHER_COLOUR,), dtype=object)
    idx = np.where((c >= 0) & (c < len(_PALETTE)), c, len(_PALETTE))
    return palette[idx]


# ---- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapInputs:
    """Everything a map is drawn from, keyed by integer codes into ``users`` (vertex order).

    ``users``: one row per user with user_id, display_name, followers, community (-1 unknown),
    pagerank, pagerank_pct (0-100), roles ("|"-joined, "" none), reasons, stance, stance_support,
    coreness, participation, betweenness, brand_affinity, community_confidence (NaN unknown).
    ``edges``: src, dst (int codes into users), kind, count, weight, sentiment.
    ``communities``: the analysis community table or None. ``analysis``: whether users came from
    ``kolgraph analyze`` (else PageRank was computed on the fly and there are no roles).
    """

    users: pd.DataFrame
    edges: pd.DataFrame
    communities: pd.DataFrame | None = None
    analysis: bool = False
    attitudes: pd.DataFrame | None = None
    source: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)


def _pagerank(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, damping: float = 0.85) -> np.ndarray:
    """Weighted directed PageRank on u -> v (v ranks high when engaged with), self-loops excluded."""
    if n == 0:
        return np.zeros(0)
    keep = src != dst
    g = ig.Graph(n=n, edges=np.column_stack([src[keep], dst[keep]]).astype(np.int64), directed=True)
    return np.asarray(g.pagerank(weights=weight[keep].tolist() if keep.any() else None, damping=damping,
                                 directed=True), dtype="float64")


def _normalise_users(vertices: pd.DataFrame, analysis: pd.DataFrame | None) -> pd.DataFrame:
    """One row per vertex (vertex order) with every column the maps use, filled when missing."""
    users = vertices[["user_id"]].copy()
    users["user_id"] = users["user_id"].astype("str")
    for column in ("display_name", "followers"):
        users[column] = vertices[column] if column in vertices else np.nan
    if analysis is not None:
        extra = analysis.drop(columns=[c for c in ("followers",) if c in analysis]).copy()
        extra["user_id"] = extra["user_id"].astype("str")
        extra = extra.drop_duplicates("user_id")
        if "display_name" in extra:
            extra = extra.rename(columns={"display_name": "_analysis_name"})
        users = users.merge(extra, on="user_id", how="left")
        if "_analysis_name" in users:
            users["display_name"] = users["display_name"].where(users["display_name"].notna(), users["_analysis_name"])
            users = users.drop(columns="_analysis_name")
    users["display_name"] = users["display_name"].astype(object).where(users["display_name"].notna(), None)
    community = pd.to_numeric(users["community"], errors="coerce") if "community" in users else pd.Series(np.nan, index=users.index)
    users["community"] = community.fillna(-1).astype(np.int64)
    for column in _FLOAT_COLUMNS:
        users[column] = pd.to_numeric(users[column], errors="coerce").astype("float64") if column in users else np.nan
    for column in ("roles", "reasons"):
        values = users[column] if column in users else pd.Series("", index=users.index)
        users[column] = values.astype(object).where(values.notna(), "").astype("str")
    return users


def _with_pagerank(users: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Fill pagerank / pagerank_pct where missing (no analysis) from the edge table."""
    if users["pagerank"].notna().all() and len(users):
        if users["pagerank_pct"].isna().any():
            users = users.assign(pagerank_pct=users["pagerank"].rank(pct=True).to_numpy() * 100)
        return users
    pr = _pagerank(len(users), edges["src"].to_numpy(), edges["dst"].to_numpy(), edges["weight"].to_numpy())
    return users.assign(pagerank=pr, pagerank_pct=pd.Series(pr).rank(pct=True).to_numpy() * 100)


def _code_edges(edges: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Edge table with src/dst replaced by integer codes into ``ids`` (hash lookup in Arrow, C++ speed)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(ids.astype("str"), type=pa.string())

    def codes(column: pd.Series) -> np.ndarray:
        found = pc.index_in(pa.array(column.astype("str"), type=pa.string()), value_set=value_set)
        if found.null_count:
            raise KolgraphError("an edge names a user missing from the vertex table; rebuild the workspace")
        return found.to_numpy(zero_copy_only=False).astype(np.int64)

    return pd.DataFrame({
        "src": codes(edges["src"]), "dst": codes(edges["dst"]),
        "kind": pd.Categorical(edges["kind"], categories=list(KINDS)),
        "count": edges["count"].to_numpy(dtype=np.int64) if "count" in edges else np.ones(len(edges), np.int64),
        "weight": edges["weight"].to_numpy(dtype="float64"),
        "sentiment": (edges["sentiment"].to_numpy(dtype="float64", na_value=np.nan)
                      if "sentiment" in edges else np.full(len(edges), np.nan)),
    })


def map_inputs_from_graph(g: ig.Graph, analysis: pd.DataFrame | None = None,
                          communities: pd.DataFrame | None = None,
                          attitudes: pd.DataFrame | None = None) -> MapInputs:
    """Map inputs from an in-memory graph (and optionally an analysis users table), e.g. for tests."""
    from ..build.graph import edge_frame, vertex_frame

    vertices = vertex_frame(g)
    users = _normalise_users(vertices, analysis)
    edges = _code_edges(edge_frame(g), users["user_id"])
    users = _with_pagerank(users, edges)
    return MapInputs(users=users, edges=edges, communities=communities, analysis=analysis is not None,
                     attitudes=attitudes, source="graph")


def load_map_inputs(workspace, *, quiet: bool = True) -> MapInputs:
    """Read a workspace's tables and (if present) its analysis results for drawing."""
    from ..build.workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    steps = progress(total=3, desc="map: reading", quiet=quiet)
    vertices = ws.vertices()
    has_analysis = ws.has_result("analysis", "users.parquet")
    analysis = ws.read_result_table("analysis", "users.parquet") if has_analysis else None
    steps.update()
    users = _normalise_users(vertices, analysis)
    raw = pd.read_parquet(ws.path / "edges.parquet", columns=["src", "dst", "kind", "count", "weight", "sentiment"])
    edges = _code_edges(raw, users["user_id"])
    del raw
    steps.update()
    users = _with_pagerank(users, edges)
    communities = ws.read_result_table("analysis", "communities.csv") if ws.has_result("analysis", "communities.csv") else None
    attitudes_path = ws.result_path("analysis", "attitudes.parquet")
    info: dict[str, Any] = {}
    json_path = ws.result_path("analysis", "analysis.json")
    if json_path.is_file():
        import json

        try:
            info = json.loads(json_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            info = {}
    steps.update()
    steps.close()
    return MapInputs(users=users, edges=edges, communities=communities, analysis=has_analysis,
                     attitudes=None, source=str(ws.path), info={**info, "_attitudes_path": str(attitudes_path)
                                                                  if attitudes_path.is_file() else None})


# ---- what to draw ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MapData:
    """What a map draws: nodes and edges (plain tables), and what was left out.

    ``nodes``: id, label, name, community, roles, role (the drawn one), pagerank, pagerank_pct,
    size_score (0-1, log PageRank), colour, tooltip rows, x, y, plus view-specific columns.
    ``edges``: src, dst (node ids), kind, count, weight, sentiment.
    """

    mode: str
    nodes: pd.DataFrame
    edges: pd.DataFrame
    total_nodes: int
    total_edges: int
    analysis: bool
    parameters: Mapping[str, Any]
    notes: tuple[str, ...] = ()
    focus: str | None = None

    @property
    def omitted_nodes(self) -> int:
        return max(self.total_nodes - len(self.nodes), 0)

    @property
    def omitted_edges(self) -> int:
        return max(self.total_edges - len(self.edges), 0)

    def summary(self) -> str:
        unit = "communities" if self.mode == "communities" else "users"
        link = "links" if self.mode == "communities" else "edges"
        return (f"{self.mode} map: {len(self.nodes):,} of {self.total_nodes:,} {unit}, "
                f"{len(self.edges):,} of {self.total_edges:,} {link}")


def _primary_role(roles: pd.Series) -> np.ndarray:
    """The highest-priority role tag per user ("" when none), vectorised over the role list."""
    out = np.full(len(roles), "", dtype=object)
    padded = "|" + roles.astype("str") + "|"
    for role in reversed(ROLES):  # loop over the 8 role names, not over users
        out[padded.str.contains(f"|{role}|", regex=False).to_numpy()] = role
    return out


def _size_score(pagerank: np.ndarray, *, min_decades: float = 2.0) -> np.ndarray:
    """PageRank on a log scale mapped to [0, 1] over the drawn nodes (1 = largest).

    The scale spans at least ``min_decades`` powers of ten, so nearly equal values stay nearly
    equal in size instead of being stretched to the extremes.
    """
    pr = np.where(np.isfinite(pagerank) & (pagerank > 0), pagerank, np.nan)
    if not np.isfinite(pr).any():
        return np.zeros(len(pagerank))
    logs = np.log10(np.where(np.isnan(pr), np.nanmin(pr), pr))
    hi = logs.max()
    span = max(hi - logs.min(), min_decades)
    return 1.0 - (hi - logs) / span


def _cap_edges(edges: pd.DataFrame, max_edges: int, first: np.ndarray | None = None) -> pd.DataFrame:
    """The ``max_edges`` heaviest edges (``first`` ones before all others), in their original order."""
    if len(edges) <= max_edges:
        return edges
    weight = edges["weight"].to_numpy()
    before = np.zeros(len(edges), dtype=bool) if first is None else first
    order = np.lexsort((np.arange(len(edges)), -weight, ~before))[:max_edges]
    return edges.iloc[np.sort(order)]


def _induced(inputs: MapInputs, codes: np.ndarray, max_edges: int,
             focus: int | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Edges among the users ``codes`` (self-loops dropped), capped; with counts of what was dropped.

    With ``focus`` (a code), the edges touching that user are kept before any other.
    """
    n = len(inputs.users)
    chosen = np.zeros(n, dtype=bool)
    chosen[codes] = True
    src, dst = inputs.edges["src"].to_numpy(), inputs.edges["dst"].to_numpy()
    inside = chosen[src] & chosen[dst]
    loops = inside & (src == dst)
    kept = inputs.edges[inside & ~loops]
    first = None if focus is None else ((kept["src"] == focus) | (kept["dst"] == focus)).to_numpy()
    capped = _cap_edges(kept, max_edges, first)
    return capped, {"outside": int((~inside).sum()), "self_loops": int(loops.sum()),
                    "over_cap": int(len(kept) - len(capped))}


def _tooltip_rows(frame: pd.DataFrame, fields: list[tuple[str, str, Any]]) -> list[list[list[str]]]:
    """Per node, the tooltip's (label, text) rows, skipping empty values (bounded by drawn nodes)."""
    columns = []
    for label, column, fmt in fields:
        if column not in frame:
            continue
        values = frame[column]
        text = values.map(fmt) if fmt else values.astype(object).where(values.notna(), "").astype(str)
        columns.append((label, text.tolist()))
    rows: list[list[list[str]]] = [[] for _ in range(len(frame))]
    for label, texts in columns:
        for row, value in zip(rows, texts):
            if value not in ("", "nan", "None"):
                row.append([label, value])
    return rows


def _pct(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):.1f}"


def _signed(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):+.2f}"


_USER_TOOLTIP = [
    ("user id", "user_id", None),
    ("roles", "roles_text", None),
    ("community", "community_text", None),
    ("PageRank percentile", "pagerank_pct", _pct),
    ("PageRank", "pagerank", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
    ("brand stance", "stance_text", None),
    ("brand affinity", "brand_affinity", _signed),
    ("coreness", "coreness", _html.fmt_number),
    ("participation", "participation", lambda v: "" if pd.isna(v) else f"{float(v):.2f}"),
    ("betweenness", "betweenness", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
    ("followers", "followers", _html.fmt_number),
    ("hops from focus", "hop", _html.fmt_number),
    ("attitude toward focus", "attitude_to_focus", _signed),
    ("focus's attitude toward them", "attitude_from_focus", _signed),
    ("why", "reasons", None),
]


def _user_nodes(inputs: MapInputs, codes: np.ndarray, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The node table for drawn users ``codes`` (in that order)."""
    users = inputs.users.iloc[codes].reset_index(drop=True)
    nodes = pd.DataFrame({"id": users["user_id"].astype(str).to_numpy()})
    name = users["display_name"].astype(object)
    nodes["name"] = name.where(name.notna() & (name.astype(str) != ""), users["user_id"]).astype(str).to_numpy()
    label = nodes["name"].str.slice(0, 28)
    nodes["label"] = label.where(nodes["name"].str.len() <= 28, label + "…")
    for column in ("user_id", "community", "roles", "reasons", "pagerank", "pagerank_pct", "stance",
                   "stance_support", "brand_affinity", "coreness", "participation", "betweenness", "followers"):
        nodes[column] = users[column].to_numpy()
    if extra is not None:
        for column in extra.columns:
            nodes[column] = extra[column].to_numpy()
    nodes["role"] = _primary_role(nodes["roles"])
    nodes["shape"] = pd.Series(nodes["role"]).map(ROLE_SHAPES).to_numpy()
    nodes["thick"] = np.isin(nodes["role"], _THICK_BORDER)
    nodes["colour"] = (community_colour(nodes["community"].to_numpy()) if inputs.analysis
                       else np.full(len(nodes), _NO_ANALYSIS_COLOUR, dtype=object))
    nodes["size_score"] = _size_score(nodes["pagerank"].to_numpy(dtype="float64"))
    nodes["roles_text"] = nodes["roles"].str.replace("|", ", ", regex=False)
    nodes["community_text"] = np.where(nodes["community"].to_numpy() >= 0, nodes["community"].astype(str), "")
    stance = nodes["stance"].map(_signed)
    support = nodes["stance_support"].map(lambda v: "" if pd.isna(v) else f" (n={int(v)})")
    nodes["stance_text"] = np.where(stance != "", stance + support, "")
    nodes["tooltip"] = _tooltip_rows(nodes, _USER_TOOLTIP)
    return nodes


def _edge_records(inputs: MapInputs, edges: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Drawn edges keyed by user ids (src/dst codes -> ids)."""
    return pd.DataFrame({"src": ids[edges["src"].to_numpy()], "dst": ids[edges["dst"].to_numpy()],
                         "kind": edges["kind"].astype(str).to_numpy(), "count": edges["count"].to_numpy(),
                         "weight": edges["weight"].to_numpy(), "sentiment": edges["sentiment"].to_numpy()})


def _no_analysis_note(inputs: MapInputs) -> tuple[str, ...]:
    if inputs.analysis:
        return ()
    return ("No analysis found: nodes are sized by a PageRank computed for this map; communities, roles "
            "and stance appear after `kolgraph analyze` on this workspace.",)


def backbone_map(inputs: MapInputs, *, max_nodes: int = 1000, max_edges: int = 5000,
                 per_community: int = 5, max_communities: int = len(_PALETTE)) -> MapData:
    """The influence backbone: at most ``max_nodes`` users and the ``max_edges`` heaviest edges among them.

    Priority: brand accounts and critic KOLs; then the top ``per_community`` users by PageRank of
    each of the ``max_communities`` largest communities (those with their own colour; first every
    community's #1, then #2, ...; at most half of ``max_nodes``); then KOLs; then everyone else
    by PageRank.
    """
    if max_nodes < 1:
        raise KolgraphError("--max-nodes must be at least 1")
    users = inputs.users
    n = len(users)
    pr = users["pagerank"].fillna(0).to_numpy(dtype="float64")
    roles = users["roles"]
    tier = np.full(n, 3, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    community = users["community"].to_numpy()
    if n and (community >= 0).any():
        sizes = np.bincount(community[community >= 0])
        n_large = max(1, min(max_communities, max_nodes // (2 * max(per_community, 1))))
        large = np.argsort(-sizes, kind="stable")[:n_large]
        rank = (users.assign(_pr=pr).groupby("community")["_pr"].rank(method="first", ascending=False)
                .to_numpy(dtype=np.int64))
        top = (community >= 0) & np.isin(community, large) & (rank <= per_community)
        tier[top] = 1
        second[top] = rank[top]
    tier[has_role(roles, "kol") & (tier == 3)] = 2
    tier[has_role(roles, "brand_account", "critic_kol")] = 0
    order = np.lexsort((np.arange(n), -pr, second, tier))
    codes = order[:max_nodes]
    edges, dropped = _induced(inputs, codes, max_edges)
    ids = users["user_id"].to_numpy(dtype=object)
    nodes = _user_nodes(inputs, codes)
    counts = np.bincount(tier[codes], minlength=4)
    parts = [f"{c:,} {what}" for c, what in zip(counts, ("brand accounts and critic KOLs",
                                                        "top members of the largest communities", "KOLs",
                                                        "more by PageRank" if counts[:3].any() else "by PageRank"))
             if c]
    notes = (f"Backbone: {len(codes):,} of {n:,} users ({', '.join(parts) or 'none'}); "
             f"{len(edges):,} of {len(inputs.edges):,} edges.",
             f"Left out: {n - len(codes):,} users; {dropped['outside']:,} edges touching them, "
             f"{dropped['self_loops']:,} self-loops, {dropped['over_cap']:,} lighter edges beyond the "
             f"{max_edges:,}-edge cap. The full graph: `kolgraph map WORKSPACE --format gexf -o graph.gexf` (Gephi).")
    return MapData(mode="backbone", nodes=nodes, edges=_edge_records(inputs, edges, ids), total_nodes=n,
                   total_edges=len(inputs.edges), analysis=inputs.analysis,
                   parameters={"max_nodes": max_nodes, "max_edges": max_edges, "per_community": per_community,
                               "max_communities": max_communities},
                   notes=notes + _no_analysis_note(inputs))


def community_map(inputs: MapInputs, *, max_nodes: int = 1000, max_edges: int = 5000) -> MapData:
    """One node per community (the ``max_nodes`` largest) and weighted links between communities.

    A link c -> d (per kind) sums the weights and counts of the edges from members of c to members
    of d; its sentiment is the count-weighted mean of the known edge sentiments. Node tooltips give
    size, stability, mean stance, brand-engagement share, internal share of weight and top members.
    """
    users = inputs.users
    community = users["community"].to_numpy()
    if not inputs.analysis or not (community >= 0).any():
        raise KolgraphError("the communities map needs communities: run `kolgraph analyze WORKSPACE` first")
    k = int(community.max()) + 1
    sizes = np.bincount(community[community >= 0], minlength=k)
    stance = users["stance"].to_numpy(dtype="float64")
    known = (community >= 0) & np.isfinite(stance)
    stance_sum = np.bincount(community[known], weights=stance[known], minlength=k)
    stance_n = np.bincount(community[known], minlength=k)
    table = pd.DataFrame({"community": np.arange(k), "size": sizes})
    with np.errstate(invalid="ignore", divide="ignore"):
        table["mean_stance"] = np.where(stance_n > 0, stance_sum / np.maximum(stance_n, 1), np.nan)
    pr = users["pagerank"].fillna(0).to_numpy()
    table["pagerank"] = np.bincount(community[community >= 0], weights=pr[community >= 0], minlength=k)
    if inputs.communities is not None and "community" in inputs.communities:
        given = inputs.communities.copy()
        given["community"] = pd.to_numeric(given["community"], errors="coerce")
        given = given.dropna(subset=["community"]).astype({"community": np.int64})
        keep = [c for c in ("stability", "brand_engagement_share", "mean_stance", "top_members", "top_member_names")
                if c in given]
        table = table.drop(columns=[c for c in keep if c in table]).merge(given[["community", *keep]], on="community", how="left")
        if "top_member_names" in table:  # analysis writes "|"-joined ids and names
            table["top_members"] = table.pop("top_member_names")
        if "top_members" in table:
            members = table["top_members"].astype(object)
            table["top_members"] = members.where(members.notna(), "").astype(str).str.replace("|", ", ", regex=False)
    for column in ("stability", "brand_engagement_share"):
        if column not in table:
            table[column] = np.nan
    if "top_members" not in table:
        top = (users.loc[community >= 0].assign(_pr=pr[community >= 0]).sort_values("_pr", ascending=False)
               .groupby("community").head(3))
        names = top["display_name"].astype(object).where(top["display_name"].notna(), top["user_id"]).astype(str)
        table = table.merge(names.groupby(top["community"]).agg(", ".join).rename("top_members"),
                            left_on="community", right_index=True, how="left")
    # Internal share of interaction weight per community.
    src, dst = inputs.edges["src"].to_numpy(), inputs.edges["dst"].to_numpy()
    cs, cd = community[src], community[dst]
    w = inputs.edges["weight"].to_numpy()
    valid = (cs >= 0) & (cd >= 0)
    internal = np.bincount(cs[valid & (cs == cd)], weights=w[valid & (cs == cd)], minlength=k)
    touching = (np.bincount(cs[valid], weights=w[valid], minlength=k)
                + np.bincount(cd[valid & (cs != cd)], weights=w[valid & (cs != cd)], minlength=k))
    with np.errstate(invalid="ignore", divide="ignore"):
        table["internal_share"] = np.where(touching > 0, internal / np.maximum(touching, 1e-300), np.nan)
    order = np.argsort(-table["size"].to_numpy(), kind="stable")[:max_nodes]
    shown = table.iloc[order].reset_index(drop=True)
    chosen = np.zeros(k, dtype=bool)
    chosen[shown["community"].to_numpy()] = True
    # Links between drawn communities, per kind (groupby over integer keys: vectorised).
    between = valid & (cs != cd)
    between[between] = chosen[cs[between]] & chosen[cd[between]]
    kind_code = pd.Categorical(inputs.edges["kind"], categories=list(KINDS)).codes.astype(np.int64)
    sentiment = inputs.edges["sentiment"].to_numpy()
    count = inputs.edges["count"].to_numpy(dtype="float64")
    has_s = np.isfinite(sentiment)
    links = pd.DataFrame({"key": (cs[between] * k + cd[between]) * len(KINDS) + kind_code[between],
                          "weight": w[between], "count": count[between],
                          "s_sum": np.where(has_s, sentiment * count, 0.0)[between],
                          "s_n": np.where(has_s, count, 0.0)[between]}).groupby("key", sort=True).sum()
    key = links.index.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        link_sentiment = np.where(links["s_n"] > 0, links["s_sum"] / np.maximum(links["s_n"], 1e-300), np.nan)
    link_table = pd.DataFrame({"src": "c" + pd.Series(key // len(KINDS) // k).astype(str),
                               "dst": "c" + pd.Series(key // len(KINDS) % k).astype(str),
                               "kind": np.array(KINDS, dtype=object)[key % len(KINDS)],
                               "count": links["count"].to_numpy().astype(np.int64),
                               "weight": links["weight"].to_numpy(), "sentiment": link_sentiment})
    total_links = len(link_table)
    link_table = _cap_edges(link_table, max_edges).reset_index(drop=True)
    nodes = pd.DataFrame({"id": "c" + shown["community"].astype(str)})
    nodes["community"] = shown["community"].to_numpy()
    nodes["name"] = "Community " + shown["community"].astype(str)
    nodes["label"] = ("C" + shown["community"].astype(str) + " · " + shown["size"].map(_html.fmt_int)).to_numpy()
    for column in ("size", "mean_stance", "stability", "brand_engagement_share", "internal_share", "top_members", "pagerank"):
        nodes[column] = shown[column].to_numpy()
    nodes["pagerank_pct"] = np.nan
    nodes["roles"] = ""
    nodes["role"] = ""
    nodes["shape"] = "dot"
    nodes["thick"] = False
    nodes["colour"] = community_colour(nodes["community"].to_numpy())
    sizes_shown = nodes["size"].to_numpy(dtype="float64")
    nodes["size_score"] = np.sqrt(sizes_shown / sizes_shown.max()) if len(nodes) else np.zeros(0)
    stance_text = nodes["mean_stance"].map(lambda v: "" if pd.isna(v) else f"stance {float(v):+.2f}")
    brand_text = nodes["brand_engagement_share"].map(lambda v: "" if pd.isna(v) else f"brand {100 * float(v):.0f}%")
    second_line = (stance_text + np.where((stance_text != "") & (brand_text != ""), " · ", "") + brand_text)
    nodes["label"] = nodes["label"] + np.where(second_line != "", "\n" + second_line, "")
    mean_stance = nodes["mean_stance"].to_numpy(dtype="float64")
    nodes["ring"] = np.where(mean_stance >= SIGN_THRESHOLD, _SIGN_COLOURS["positive"],
                             np.where(mean_stance <= -SIGN_THRESHOLD, _SIGN_COLOURS["negative"], "#ffffff"))
    share = lambda v: "" if pd.isna(v) else f"{100 * float(v):.1f}%"  # noqa: E731
    nodes["tooltip"] = _tooltip_rows(nodes, [
        ("users", "size", _html.fmt_int),
        ("mean brand stance", "mean_stance", _signed),
        ("brand-engagement share", "brand_engagement_share", share),
        ("stability", "stability", lambda v: "" if pd.isna(v) else f"{float(v):.2f}"),
        ("share of weight inside", "internal_share", share),
        ("summed PageRank", "pagerank", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
        ("top members", "top_members", None),
    ])
    notes = (f"Communities: {len(nodes):,} of {k:,} (the largest), {len(link_table):,} of {total_links:,} "
             "links between them (interactions summed per direction and kind; width = weight).",
             f"Left out: {k - len(nodes):,} smaller communities, {total_links - len(link_table):,} lighter links; "
             "links inside a community are not drawn (see each node's share of weight inside).")
    return MapData(mode="communities", nodes=nodes, edges=link_table, total_nodes=k, total_edges=total_links,
                   analysis=True, parameters={"max_nodes": max_nodes, "max_edges": max_edges}, notes=notes)


def _resolve_focus(users: pd.DataFrame, focus: str) -> int:
    ids = users["user_id"].to_numpy(dtype=object)
    hit = np.flatnonzero(ids == str(focus))
    if len(hit):
        return int(hit[0])
    names = users["display_name"].astype(object)
    by_name = np.flatnonzero((names == str(focus)).to_numpy())
    if len(by_name) == 1:
        return int(by_name[0])
    if len(by_name) > 1:
        raise UnknownAccountError(f"--focus {focus!r}: {len(by_name)} users have this display name; give the user id")
    raise UnknownAccountError(f"--focus {focus!r}: no user with this id or display name in the workspace")


def ego_map(inputs: MapInputs, focus: str, *, hops: int = 1, max_nodes: int = 1000, max_edges: int = 5000,
            attitudes: pd.DataFrame | None = None) -> MapData:
    """The ego network of ``focus`` (user id or unique display name): users within ``hops`` steps.

    Steps follow edges in either direction. When more than ``max_nodes`` users are in reach, the
    nearest hop comes first, and within a hop the role groups (critic KOLs, KOLs, brand accounts,
    core fans, critics, brand bridges, bridges, amplifiers, no role) take turns, each contributing
    its users with the heaviest direct interaction with the focus (then PageRank): so the picture
    shows the fans and the critics around an account, not only its most numerous kind. Edges
    touching the focus are kept before others under ``max_edges``. ``attitudes`` (src, dst,
    attitude) adds each user's attitude toward the focus and back.
    """
    import scipy.sparse as sp

    if hops < 1:
        raise KolgraphError("--hops must be at least 1")
    users = inputs.users
    n = len(users)
    f = _resolve_focus(users, focus)
    src, dst = inputs.edges["src"].to_numpy(), inputs.edges["dst"].to_numpy()
    keep = src != dst
    adjacency = sp.csr_matrix((np.ones(2 * keep.sum(), dtype=np.int8),
                               (np.r_[src[keep], dst[keep]], np.r_[dst[keep], src[keep]])), shape=(n, n))
    hop = np.full(n, -1, dtype=np.int64)
    hop[f] = 0
    frontier = np.zeros(n, dtype=np.int8)
    frontier[f] = 1
    for step in range(1, hops + 1):  # one sparse product per hop
        reached = (adjacency @ frontier > 0) & (hop < 0)
        if not reached.any():
            break
        hop[reached] = step
        frontier = reached.astype(np.int8)
    reach = np.flatnonzero(hop >= 0)
    w = inputs.edges["weight"].to_numpy()
    direct = np.zeros(n)
    touches = (src == f) | (dst == f)
    np.add.at(direct, np.where(src[touches] == f, dst[touches], src[touches]), w[touches])
    group = np.full(n, len(_EGO_GROUPS), dtype=np.int64)  # users without a role form the last group
    for i, role in reversed(list(enumerate(_EGO_GROUPS))):  # 9 groups, not a loop over users
        group[has_role(users["roles"], role)] = i
    pr = users["pagerank"].fillna(0).to_numpy()
    # Within each (hop, group): the heaviest direct interaction with the focus first, then PageRank.
    ranked = reach[np.lexsort((reach, -pr[reach], -direct[reach], group[reach], hop[reach]))]
    key = hop[ranked] * (len(_EGO_GROUPS) + 1) + group[ranked]
    position = np.arange(len(ranked))
    within = position - np.maximum.accumulate(np.where(np.r_[True, key[1:] != key[:-1]], position, 0))
    # Take the groups in turns, nearest hop first: every group's #1, then every group's #2, ...
    codes = ranked[np.lexsort((group[ranked], within, hop[ranked]))][:max_nodes]
    extra = pd.DataFrame({"hop": hop[codes]})
    if attitudes is not None and len(attitudes):
        focus_id = users["user_id"].iloc[f]
        att = attitudes.assign(src=attitudes["src"].astype(str), dst=attitudes["dst"].astype(str))
        toward = att.loc[att["dst"] == focus_id].drop_duplicates("src").set_index("src")["attitude"]
        back = att.loc[att["src"] == focus_id].drop_duplicates("dst").set_index("dst")["attitude"]
        ids_drawn = users["user_id"].iloc[codes].astype(str)
        extra["attitude_to_focus"] = toward.reindex(ids_drawn).to_numpy(dtype="float64")
        extra["attitude_from_focus"] = back.reindex(ids_drawn).to_numpy(dtype="float64")
    edges, dropped = _induced(inputs, codes, max_edges, focus=f)
    nodes = _user_nodes(inputs, codes, extra)
    nodes["is_focus"] = np.arange(len(nodes)) == 0
    nodes.loc[nodes["is_focus"], "size_score"] = 1.0
    name = nodes["name"].iloc[0]
    by_hop = np.bincount(hop[reach], minlength=hops + 1)
    notes = (f"Ego network of {name} ({users['user_id'].iloc[f]}), {hops} hop(s) in either direction: "
             f"{len(codes):,} of {len(reach):,} users in reach ("
             + ", ".join(f"{by_hop[h]:,} at {h} hop{'s' if h > 1 else ''}" for h in range(1, hops + 1))
             + f"); {len(edges):,} edges among them.",
             f"Left out: {len(reach) - len(codes):,} users in reach beyond --max-nodes "
             f"(the farthest, then the least engaged of each role), {dropped['over_cap']:,} lighter edges beyond the "
             f"{max_edges:,}-edge cap; {n - len(reach):,} users out of reach.")
    return MapData(mode="focus", nodes=nodes, edges=_edge_records(inputs, edges, users["user_id"].to_numpy(dtype=object)),
                   total_nodes=n, total_edges=len(inputs.edges), analysis=inputs.analysis,
                   parameters={"focus": str(focus), "hops": hops, "max_nodes": max_nodes, "max_edges": max_edges},
                   notes=notes + _no_analysis_note(inputs), focus=str(users["user_id"].iloc[f]))


def _read_attitudes(inputs: MapInputs, focus_code: int) -> pd.DataFrame | None:
    """Attitude rows touching the focus from ``analysis/attitudes.parquet`` (filtered on read)."""
    path = inputs.info.get("_attitudes_path")
    if inputs.attitudes is not None:
        return inputs.attitudes
    if not path:
        return None
    focus_id = str(inputs.users["user_id"].iloc[focus_code])
    try:
        parts = [pd.read_parquet(path, columns=["src", "dst", "attitude"], filters=[(side, "==", focus_id)])
                 for side in ("src", "dst")]
    except (KeyError, ValueError, OSError):
        return None
    return pd.concat(parts, ignore_index=True)


def build_map(inputs: MapInputs, *, mode: str = "backbone", focus: str | None = None, hops: int = 1,
              max_nodes: int = 1000, max_edges: int = 5000, per_community: int = 5) -> MapData:
    """Choose and compute one view: ``mode`` is "backbone", "communities" or "focus" (needs ``focus``)."""
    if mode == "backbone":
        return backbone_map(inputs, max_nodes=max_nodes, max_edges=max_edges, per_community=per_community)
    if mode == "communities":
        return community_map(inputs, max_nodes=max_nodes, max_edges=max_edges)
    if mode == "focus":
        if not focus:
            raise KolgraphError("the focus map needs --focus ID")
        attitudes = _read_attitudes(inputs, _resolve_focus(inputs.users, focus))
        return ego_map(inputs, focus, hops=hops, max_nodes=max_nodes, max_edges=max_edges, attitudes=attitudes)
    raise KolgraphError(f"unknown map mode {mode!r}; use backbone, communities or focus")


# ---- layout and page --------------------------------------------------------------------------


_GRID_STEP = 45.0


def _initial_layout(data: MapData, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Initial positions (vis.js units) and which nodes lie outside the main connected group.

    The main group (the largest connected component, ignoring direction) gets a seeded
    Fruchterman-Reingold layout that vis.js physics then refines. Users not connected to it are
    lined up in a grid below it, their component members side by side, and stay out of the
    physics: left to the simulation they would drift into a wide ring around the main group and
    shrink it to a dot when the view fits everything.
    """
    n = len(data.nodes)
    if n == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=bool)
    index = pd.Index(data.nodes["id"])
    pairs = np.column_stack([index.get_indexer(data.edges["src"]), index.get_indexer(data.edges["dst"])])
    g = ig.Graph(n=n, edges=pairs.astype(np.int64), directed=False)
    membership = np.asarray(g.connected_components().membership)
    sizes = np.bincount(membership)
    giant = int(np.argmax(sizes))
    main = membership == giant
    if data.mode == "focus":
        main = membership == membership[0]
    if sizes.max() < 2:  # nothing is connected: lay everything out together
        main = np.ones(n, dtype=bool)
    inner = np.flatnonzero(main)
    sub = g.induced_subgraph(inner.tolist())
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(len(inner), 2)) * np.sqrt(len(inner))
    weight = data.edges["weight"].to_numpy(dtype="float64")
    inside = main[pairs[:, 0]] & main[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
    weights = (np.log1p(weight[inside]) + 0.1).tolist() if inside.any() else None
    # igraph draws from its module-level generator: give it a private seeded one for this call only.
    ig.set_random_number_generator(random.Random(seed))
    try:
        layout = sub.layout_fruchterman_reingold(weights=weights, niter=300, seed=start.tolist(),
                                                 grid="auto" if len(inner) > 1000 else "nogrid")
    finally:
        ig.set_random_number_generator(random)
    xy_main = np.asarray(layout.coords, dtype="float64").reshape(-1, 2)
    xy_main -= xy_main[0] if data.mode == "focus" else xy_main.mean(axis=0)  # the focus sits in the middle
    span = np.abs(xy_main).max() or 1.0
    xy = np.zeros((n, 2))
    xy[inner] = xy_main / span * (60.0 * np.sqrt(len(inner)) + 100.0)
    rest = np.flatnonzero(~main)
    if len(rest):
        order = rest[np.lexsort((rest, membership[rest], -sizes[membership[rest]]))]
        left, bottom = xy[inner, 0].min(), xy[inner, 1].max()
        columns = max(int((xy[inner, 0].max() - left) // _GRID_STEP), 10)
        k = np.arange(len(order))
        xy[order, 0] = left + (k % columns) * _GRID_STEP
        xy[order, 1] = bottom + 150.0 + (k // columns) * _GRID_STEP
    return xy, ~main


def _legend_html(data: MapData) -> str:
    """The legend (escaped HTML): community colours, role shapes, edge colours, size."""
    e = _html.escape
    parts = ['<h2>Legend</h2>']
    if data.mode == "communities" or data.analysis:
        counts = data.nodes.groupby("community").size() if len(data.nodes) else pd.Series(dtype=int)
        parts.append("<h3>Colour: community</h3><ul class=\"swatches\">")
        shown = [c for c in counts.index if 0 <= c < len(_PALETTE)][:len(_PALETTE)]
        for c in shown:
            members = data.nodes.loc[data.nodes["community"] == c]
            if data.mode == "communities":
                text = f"C{c} · {_html.fmt_int(members['size'].iloc[0])} users"
            else:
                top = members.sort_values("pagerank", ascending=False)["name"].head(2).tolist()
                text = f"C{c} ({_html.fmt_int(counts[c])} drawn) · {', '.join(top)}"
            parts.append(f'<li><span class="sw" style="background:{community_colour(c)}"></span>{e(text)}</li>')
        rest = int(counts[[c for c in counts.index if c not in shown]].sum()) if len(counts) else 0
        if rest:
            parts.append(f'<li><span class="sw" style="background:{_OTHER_COLOUR}"></span>'
                         f'other communities ({e(_html.fmt_int(rest))} drawn)</li>')
        parts.append("</ul>")
    else:
        parts.append(f'<h3>Colour</h3><ul class="swatches"><li><span class="sw" style="background:{_NO_ANALYSIS_COLOUR}">'
                     '</span>user (no analysis yet)</li></ul>')
    if data.mode != "communities" and data.analysis:
        parts.append('<h3>Shape: role</h3><ul class="shapes">')
        present = set(data.nodes["role"]) if len(data.nodes) else set()
        for role in (*ROLES, ""):
            if role in present:
                thick = " thick" if role in _THICK_BORDER else ""
                parts.append(f'<li><span class="shape {e(ROLE_SHAPES[role])}{thick}"></span>{e(ROLE_LABELS[role])}</li>')
        parts.append("</ul><p class=\"hint\">A user with several roles takes the first shape in this list; "
                     "hover for all roles and why.</p>")
    if data.mode == "communities":
        parts.append('<h3>Ring: mean brand stance</h3><ul class="swatches">'
                     f'<li><span class="sw" style="background:#fff;border:3px solid {_SIGN_COLOURS["positive"]}"></span>'
                     f'≥ +{SIGN_THRESHOLD}</li>'
                     f'<li><span class="sw" style="background:#fff;border:3px solid {_SIGN_COLOURS["negative"]}"></span>'
                     f'≤ −{SIGN_THRESHOLD}</li></ul>')
    if data.mode == "focus":
        parts.append('<p class="hint">The focus account is pinned in the middle with a thick dark ring.</p>')
    size = "community size (square root)" if data.mode == "communities" else "PageRank (log scale)"
    parts.append(f"<h3>Size: {e(size)}</h3>")
    parts.append('<h3>Edges</h3><ul class="swatches" id="edge-legend"></ul>')
    if data.mode == "communities":
        parts.append('<p class="hint">A link c → d: members of c acted on content of members of d.</p>')
    else:
        parts.append('<p class="hint">An arrow u → v: u reposted, replied to or mentioned v '
                     '(attention flows along it, influence against it).</p>')
    return "\n".join(parts)




def _edge_width(weight: np.ndarray) -> np.ndarray:
    return 0.5 + 2.5 * np.log1p(weight) / max(np.log1p(weight).max(), 1e-9) if len(weight) else np.zeros(0)


def _controls_html(data: MapData) -> str:
    e = _html.escape
    parts = ['<div id="controls">']
    if data.mode != "communities" and data.analysis and len(data.nodes):
        roles = pd.Series(data.nodes["roles"].str.split("|").explode())
        counts = roles[roles != ""].value_counts()
        options = "".join(f'<option value="{e(r)}">{e(ROLE_LABELS.get(r, r))} ({counts[r]:,})</option>'
                          for r in ROLES if r in counts.index)
        parts.append(f'<label>Role <select id="filter-role"><option value="">all</option>{options}</select></label>')
    if data.analysis and len(data.nodes):
        counts = data.nodes.groupby("community").size().sort_index()
        options = "".join(f'<option value="{e(c)}">C{e(c)} ({n:,})</option>' for c, n in counts.items() if c >= 0)
        parts.append(f'<label>Community <select id="filter-community"><option value="">all</option>{options}</select></label>')
    kinds = "".join(f'<option value="{k}">{k}</option>' for k in KINDS)
    parts.append(f'<label>Edges <select id="filter-kind"><option value="">all kinds</option>{kinds}</select></label>')
    parts.append('<label>Edge colour <select id="edge-colour"><option value="sign">sentiment sign</option>'
                 '<option value="kind">interaction kind</option></select></label>')
    parts.append('<label>Find <input id="find" list="find-list" placeholder="name or id" size="22"></label>'
                 '<datalist id="find-list"></datalist>')
    parts.append('<button id="reset" type="button">Reset</button><span id="filter-count"></span>')
    parts.append('<span id="status">Laying out…</span></div>')
    return "".join(parts)


def _vis_options(n: int, seed: int, mode: str = "backbone") -> dict[str, Any]:
    big = n > 400
    communities = mode == "communities"  # few, very unequal nodes: keep them apart
    return {
        "autoResize": True,
        "layout": {"randomSeed": int(seed), "improvedLayout": False},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3,
                                               "strokeColor": "#ffffff", "color": "#222222"},
                  # With many nodes the small ones' labels stay hidden until the user zooms in.
                  "scaling": {"min": 7, "max": 42, "label": {"enabled": True,
                                                             "min": 6 if n > 100 or communities else 11,
                                                             "max": 26, "maxVisible": 30, "drawThreshold": 9}}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.35}},
                  "color": {"inherit": False}, "selectionWidth": 1.5, "hoverWidth": 0.5},
        "physics": {"enabled": True, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -2500, "centralGravity": 0.25,
                                  "springLength": 250 if communities else 110, "springConstant": 0.03,
                                  "damping": 0.5, "avoidOverlap": 1.0 if communities else 0.4},
                    "stabilization": {"enabled": True, "iterations": 100 if big else 250, "updateInterval": 50,
                                      "fit": True},
                    "minVelocity": 1.5, "timestep": 0.5, "adaptiveTimestep": True},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": False, "keyboard": False},
    }


def render_map_html(data: MapData, *, title: str | None = None, seed: int = 0) -> str:
    """The map as one self-contained HTML page (vis-network inlined, no external requests)."""
    e = _html.escape
    nodes = data.nodes
    xy, outside = _initial_layout(data, seed)
    id_to_name = dict(zip(nodes["id"], nodes["name"])) if len(nodes) else {}
    edges = data.edges
    names = pd.Series(id_to_name, dtype=object)
    payload = {
        "meta": {"mode": data.mode, "nodes": len(nodes), "edges": len(edges), "total_nodes": data.total_nodes,
                 "total_edges": data.total_edges, "focus": data.focus},
        "nodes": {
            "id": nodes["id"].astype(str).tolist(), "label": nodes["label"].astype(str).tolist(),
            "name": nodes["name"].astype(str).tolist(), "shape": nodes["shape"].tolist(),
            "colour": nodes["colour"].tolist(), "thick": nodes["thick"].astype(bool).tolist(),
            "size_score": np.round(nodes["size_score"].to_numpy(dtype="float64"), 4).tolist(),
            "community": nodes["community"].astype(np.int64).tolist(), "roles": nodes["roles"].astype(str).tolist(),
            "is_focus": (nodes["is_focus"] if "is_focus" in nodes else pd.Series(False, index=nodes.index)).astype(bool).tolist(),
            **({"ring": nodes["ring"].tolist()} if "ring" in nodes else {}),
            # Large communities repel more (vis.js mass), so the big ones do not pile onto each other.
            **({"mass": np.round(1 + 8 * nodes["size_score"].to_numpy(dtype="float64"), 2).tolist()}
               if data.mode == "communities" else {}),
            "tooltip": nodes["tooltip"].tolist(),
            "x": np.round(xy[:, 0], 1).tolist(), "y": np.round(xy[:, 1], 1).tolist(),
            "outside": outside.tolist(), "grid_step": _GRID_STEP,
        },
        "edges": {
            "src": edges["src"].astype(str).tolist(), "dst": edges["dst"].astype(str).tolist(),
            "src_name": names.reindex(edges["src"].astype(str)).astype(str).tolist() if len(edges) else [],
            "dst_name": names.reindex(edges["dst"].astype(str)).astype(str).tolist() if len(edges) else [],
            "kind": edges["kind"].astype(str).tolist(), "count": edges["count"].astype(np.int64).tolist(),
            "weight": edges["weight"].astype("float64").tolist(),
            "sentiment": [None if not np.isfinite(s) else round(float(s), 3)
                          for s in edges["sentiment"].to_numpy(dtype="float64")],
            "width": np.round(_edge_width(edges["weight"].to_numpy(dtype="float64")), 2).tolist(),
        },
        "palette": {"kinds": _KIND_COLOURS, "signs": _SIGN_COLOURS, "sign_threshold": SIGN_THRESHOLD,
                    "kind_names": {k: k for k in KINDS},
                    "sign_names": {"positive": f"positive sentiment (≥ +{SIGN_THRESHOLD})",
                                   "negative": f"negative sentiment (≤ −{SIGN_THRESHOLD})",
                                   "neutral": "neutral or unknown sentiment"}},
        "options": _vis_options(len(nodes), seed, data.mode),
    }
    heading = title or {"backbone": "Influence backbone", "communities": "Communities",
                        "focus": f"Ego network of {nodes['name'].iloc[0] if len(nodes) else data.focus}"}[data.mode]
    notes = "".join(f"<p>{e(note)}</p>" for note in data.notes)
    body = (f'<header><h1>{e(heading)}</h1>{notes}</header>'
            f'{_controls_html(data)}'
            f'<div id="main"><div id="network" role="img" aria-label="{e(heading)}"></div>'
            f'<aside id="legend">{_legend_html(data)}</aside></div>')
    return _html.page(heading, body, styles=[_html.vendor_asset("vis-network.css"), MAP_CSS],
                      scripts=[_html.vendor_asset("vis-network.min.js"), MAP_JS],
                      data={"kolgraph-map-data": payload})


# ---- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapResult:
    """What :func:`write_map` wrote: the file, its size, the drawn view (None for GEXF) and timings."""

    path: Path
    format: str
    bytes: int
    seconds: float
    data: MapData | None = None
    nodes: int = 0
    edges: int = 0

    def summary(self) -> str:
        what = self.data.summary() if self.data is not None else f"full graph: {self.nodes:,} users, {self.edges:,} edges"
        return f"{what}; wrote {self.path} ({self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s)"


def write_map(workspace, out: str | os.PathLike, *, communities: bool = False, focus: str | None = None,
              hops: int = 1, max_nodes: int = 1000, max_edges: int = 5000, per_community: int = 5,
              format: str = "html", title: str | None = None, seed: int = 0, quiet: bool = True) -> MapResult:
    """Write a map of a workspace: an HTML page (backbone, ``communities`` or ``focus`` view) or GEXF.

    ``format="gexf"`` exports the full graph with every attribute instead (the view options are
    then ignored). The file is written atomically.
    """
    start = time.perf_counter()
    if format == "gexf":
        nodes, edges = write_gexf(workspace, out, quiet=quiet)
        return MapResult(path=Path(out), format="gexf", bytes=Path(out).stat().st_size,
                         seconds=time.perf_counter() - start, nodes=nodes, edges=edges)
    if format != "html":
        raise KolgraphError(f"unknown map format {format!r}; use html or gexf")
    if communities and focus:
        raise KolgraphError("choose either --communities or --focus, not both")
    if communities:
        from ..build.workspace import Workspace, open_workspace

        ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
        if not ws.has_result("analysis", "users.parquet"):
            raise KolgraphError(f"the communities map needs communities: run `kolgraph analyze {ws.path}` first")
        workspace = ws
    inputs = load_map_inputs(workspace, quiet=quiet)
    mode = "communities" if communities else "focus" if focus else "backbone"
    data = build_map(inputs, mode=mode, focus=focus, hops=hops, max_nodes=max_nodes, max_edges=max_edges,
                     per_community=per_community)
    html = render_map_html(data, title=title, seed=seed)
    write_text(out, html)
    return MapResult(path=Path(out), format="html", bytes=Path(out).stat().st_size,
                     seconds=time.perf_counter() - start, data=data, nodes=len(data.nodes), edges=len(data.edges))


# ---- GEXF -------------------------------------------------------------------------------------

_XML_INVALID = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))


def _xml_text(values) -> pa.Array:
    """XML-escaped strings (attribute-safe), control characters XML cannot hold removed; nulls stay null.

    Arrow compute kernels (C++), so a column of ten million names is escaped without a Python loop.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(
        pd.Series(values).astype("str"), type=pa.string(), from_pandas=True)
    arr = pc.replace_substring_regex(arr, _XML_INVALID, "")
    for old, new in _XML_ESCAPES:
        arr = pc.replace_substring(arr, old, new)
    return arr


def _gexf_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _value_text(values: pd.Series) -> pa.Array:
    """A column as GEXF attribute text (null where missing or not finite)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # escape the few categories, then look them up
        categories = _xml_text(pa.array(values.cat.categories.astype("str"), type=pa.string()))
        codes = values.cat.codes.to_numpy()
        return pc.take(categories, pa.array(codes, mask=codes < 0))
    kind = _gexf_type(values)
    if kind == "boolean":
        flags = pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
        return pc.if_else(flags, "true", "false")
    if kind == "double":
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        return pc.cast(pa.array(np.where(np.isfinite(x), x, np.nan), type=pa.float64(), from_pandas=True), pa.string())
    if kind == "long":
        return pc.cast(pa.array(values, from_pandas=True), pa.string())
    return _xml_text(pa.array(values.astype("str"), type=pa.string(), from_pandas=True))


def _attvalues(frame: pd.DataFrame, columns: list[str]) -> list:
    """The pieces of each row's ``<attvalue .../>`` elements, to splice into the line's join.

    A column without missing values contributes its text between two constant strings; a column
    with missing values contributes one joined piece per row that is null (so dropped: the line's
    join replaces nulls by "") where the value is missing.
    """
    import pyarrow.compute as pc

    parts: list = []
    for i, column in enumerate(columns):
        text = _value_text(frame[column])
        if text.null_count:
            parts.append(pc.binary_join_element_wise(f'<attvalue for="{i}" value="', text, '"/>', ""))
        else:
            parts += [f'<attvalue for="{i}" value="', text, '"/>']
    return parts


def _write_lines(fh, lines) -> None:
    """Write an Arrow string array as newline-terminated lines, straight from its data buffer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(lines, "\n", "")
    chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        chunk = chunk.cast(pa.large_string())
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
        fh.write(memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]])


def write_gexf(workspace, out: str | os.PathLike, *, chunk: int = 1_000_000, quiet: bool = True) -> tuple[int, int]:
    """Export the full graph as GEXF 1.3 for Gephi: every vertex and edge attribute, plus the analysis.

    Node attributes: display_name, followers, verified and every ``analysis/users.parquet`` column;
    edge attributes: kind, count, first_ts, last_ts, sentiment (weight is the edge's ``weight``).
    Parallel edges of different kinds between the same users stay separate (``label`` = kind).
    Lines are built column-wise with Arrow string kernels in chunks of ``chunk`` rows and written
    from Arrow's buffers; every text is XML-escaped. Returns (nodes, edges) written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..build.workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    vertices = ws.vertices()
    if ws.has_result("analysis", "users.parquet"):
        analysis = ws.read_result_table("analysis", "users.parquet")
        analysis = analysis.drop(columns=[c for c in analysis.columns if c in vertices.columns and c != "user_id"])
        vertices = vertices.merge(analysis.drop_duplicates("user_id").astype({"user_id": "str"}), on="user_id", how="left")
    if "verified" in vertices and pd.api.types.is_float_dtype(vertices["verified"]):
        vertices["verified"] = vertices["verified"].map({1.0: True, 0.0: False}).astype("boolean")
    node_columns = [c for c in vertices.columns if c != "user_id"]
    edges = pd.read_parquet(ws.path / "edges.parquet")
    edges["kind"] = pd.Categorical(edges["kind"], categories=list(KINDS))
    edge_columns = [c for c in ("kind", "count", "first_ts", "last_ts", "sentiment") if c in edges]

    def title(name: str) -> str:
        return _xml_text(pa.array([name])).to_pylist()[0]

    header = ['<?xml version="1.0" encoding="UTF-8"?>',
              '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
              '<meta><creator>kolgraph</creator><description>interaction graph: u -&gt; v means u acted on '
              "v's content</description></meta>",
              '<graph defaultedgetype="directed" mode="static">',
              '<attributes class="node">']
    header += [f'<attribute id="{i}" title="{title(c)}" type="{_gexf_type(vertices[c])}"/>'
               for i, c in enumerate(node_columns)]
    header += ['</attributes>', '<attributes class="edge">']
    header += [f'<attribute id="{i}" title="{title(c)}" type="{"string" if c == "kind" else _gexf_type(edges[c])}"/>'
               for i, c in enumerate(edge_columns)]
    header += ['</attributes>', '<nodes>', ""]
    bar = progress(total=len(vertices) + len(edges), desc="gexf", unit="row", quiet=quiet)
    with atomic_path(out) as tmp, open(tmp, "wb") as fh:
        fh.write("\n".join(header).encode("utf-8"))
        for start in range(0, len(vertices), chunk):  # a loop over chunks of rows, not over rows
            part = vertices.iloc[start:start + chunk]
            ids = _xml_text(pa.array(part["user_id"].astype("str"), type=pa.string()))
            names = part["display_name"] if "display_name" in part else pd.Series(None, index=part.index, dtype="str")
            label = pc.coalesce(_xml_text(pa.array(names.astype("str"), type=pa.string(), from_pandas=True)), ids)
            _write_lines(fh, pc.binary_join_element_wise(
                '<node id="', ids, '" label="', label, '"><attvalues>', *_attvalues(part, node_columns),
                "</attvalues></node>", "", null_handling="replace", null_replacement=""))
            bar.update(len(part))
        fh.write(b"</nodes>\n<edges>\n")
        for start in range(0, len(edges), chunk):
            part = edges.iloc[start:start + chunk]
            ids = pc.cast(pa.array(np.arange(start, start + len(part), dtype=np.int64)), pa.string())
            weight = _value_text(part["weight"])
            _write_lines(fh, pc.binary_join_element_wise(
                '<edge id="', ids, '" source="', _xml_text(pa.array(part["src"].astype("str"), type=pa.string())),
                '" target="', _xml_text(pa.array(part["dst"].astype("str"), type=pa.string())),
                '" label="', _value_text(part["kind"]), '" weight="', weight,
                '"><attvalues>', *_attvalues(part, edge_columns), "</attvalues></edge>", "",
                null_handling="replace", null_replacement=""))
            bar.update(len(part))
        fh.write(b"</edges>\n</graph>\n</gexf>\n")
    bar.close()
    return len(vertices), len(edges)
