"""The tables a map draws: :class:`MapData`, node tables with tooltips, induced and capped edges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..safe_html import fmt_number
from .inputs import MapInputs, role_mask
from .style import NO_ANALYSIS_COLOUR, ROLE_SHAPES, ROLES, THICK_BORDER, community_colour

__all__ = ["MapData", "primary_role", "size_score", "cap_edges", "induced_edges", "tooltip_rows", "fmt_pct",
           "fmt_signed", "user_nodes", "edge_records", "no_analysis_note"]


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


def primary_role(users: pd.DataFrame) -> np.ndarray:
    """The highest-priority role tag per user ("" when none), from the typed role flags (:func:`role_mask`)."""
    out = np.full(len(users), "", dtype=object)
    for role in reversed(ROLES):  # loop over the 8 role names, not over users
        out[role_mask(users, role)] = role
    return out


def size_score(pagerank: np.ndarray, *, min_decades: float = 2.0) -> np.ndarray:
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


def cap_edges(edges: pd.DataFrame, max_edges: int, first: np.ndarray | None = None) -> pd.DataFrame:
    """The ``max_edges`` heaviest edges (``first`` ones before all others), in their original order."""
    if len(edges) <= max_edges:
        return edges
    weight = edges["weight"].to_numpy()
    before = np.zeros(len(edges), dtype=bool) if first is None else first
    order = np.lexsort((np.arange(len(edges)), -weight, ~before))[:max_edges]
    return edges.iloc[np.sort(order)]


def induced_edges(inputs: MapInputs, codes: np.ndarray, max_edges: int,
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
    capped = cap_edges(kept, max_edges, first)
    return capped, {"outside": int((~inside).sum()), "self_loops": int(loops.sum()),
                    "over_cap": int(len(kept) - len(capped))}


def tooltip_rows(frame: pd.DataFrame, fields: list[tuple[str, str, Any]]) -> list[list[list[str]]]:
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


def fmt_pct(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):.1f}"


def fmt_signed(value: Any) -> str:
    return "" if pd.isna(value) else f"{float(value):+.2f}"


USER_TOOLTIP = [
    ("user id", "user_id", None),
    ("roles", "roles_text", None),
    ("community", "community_text", None),
    ("PageRank percentile", "pagerank_pct", fmt_pct),
    ("PageRank", "pagerank", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
    ("brand stance", "stance_text", None),
    ("brand affinity", "brand_affinity", fmt_signed),
    ("coreness", "coreness", fmt_number),
    ("participation", "participation", lambda v: "" if pd.isna(v) else f"{float(v):.2f}"),
    ("betweenness", "betweenness", lambda v: "" if pd.isna(v) else f"{float(v):.3g}"),
    ("followers", "followers", fmt_number),
    ("hops from focus", "hop", fmt_number),
    ("attitude toward focus", "attitude_to_focus", fmt_signed),
    ("focus's attitude toward them", "attitude_from_focus", fmt_signed),
    ("why", "reasons", None),
]


def user_nodes(inputs: MapInputs, codes: np.ndarray, extra: pd.DataFrame | None = None) -> pd.DataFrame:
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
    nodes["role"] = primary_role(users)
    nodes["shape"] = pd.Series(nodes["role"]).map(ROLE_SHAPES).to_numpy()
    nodes["thick"] = np.isin(nodes["role"], THICK_BORDER)
    nodes["colour"] = (community_colour(nodes["community"].to_numpy()) if inputs.analysis
                       else np.full(len(nodes), NO_ANALYSIS_COLOUR, dtype=object))
    nodes["size_score"] = size_score(nodes["pagerank"].to_numpy(dtype="float64"))
    nodes["roles_text"] = nodes["roles"].str.replace("|", ", ", regex=False)
    nodes["community_text"] = np.where(nodes["community"].to_numpy() >= 0, nodes["community"].astype(str), "")
    stance = nodes["stance"].map(fmt_signed)
    support = nodes["stance_support"].map(lambda v: "" if pd.isna(v) else f" (n={int(v)})")
    nodes["stance_text"] = np.where(stance != "", stance + support, "")
    nodes["tooltip"] = tooltip_rows(nodes, USER_TOOLTIP)
    return nodes


def edge_records(inputs: MapInputs, edges: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Drawn edges keyed by user ids (src/dst codes -> ids), with their mean sentiment and attitude."""
    def column(name: str, fill) -> np.ndarray:
        return edges[name].to_numpy() if name in edges else np.full(len(edges), fill)

    return pd.DataFrame({"src": ids[edges["src"].to_numpy()], "dst": ids[edges["dst"].to_numpy()],
                         "kind": edges["kind"].astype(str).to_numpy(), "count": edges["count"].to_numpy(),
                         "weight": edges["weight"].to_numpy(), "sentiment": edges["sentiment"].to_numpy(),
                         "sentiment_n": column("sentiment_n", 0), "attitude": column("attitude", np.nan)})


def no_analysis_note(inputs: MapInputs) -> tuple[str, ...]:
    if inputs.analysis:
        return ()
    return ("No analysis found: nodes are sized by a PageRank computed for this map; communities, roles "
            "and stance appear after `kolgraph analyze` on this workspace.",)

