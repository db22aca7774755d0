"""What the explorer draws: every user up to ``max_users`` (else the backbone), laid out in Python.

The page data grows linearly with users and edges: positions and numeric attributes travel as
base64 little-endian typed arrays (Float32 / Int32 / Uint16 / Int8: 4 bytes per user and metric,
13 bytes per edge before base64's 4/3), ids and names as one JSON list each, reasons only for
the users that have one.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...errors import ConfigError
from ...schema import KINDS
from ..maps.backbone import BACKBONE_TIERS, backbone_order
from ..maps.inputs import MapInputs, role_mask
from ..maps.style import ROLES
from ..maps.tables import cap_edges
from .layout import LayoutParams, community_layout

__all__ = ["ExplorerParams", "ExplorerData", "METRICS", "explorer_data", "encode", "payload"]

#: Numeric user fields shipped to the page: (column, label, log scale for sizes and ranges).
METRICS = (("pagerank", "PageRank", True), ("followers", "followers", True), ("coreness", "coreness", False),
           ("betweenness", "betweenness", True), ("stance", "brand stance", False),
           ("brand_affinity", "camp affinity", False), ("stance_support", "stance support", True),
           ("participation", "participation", False))


@dataclass(frozen=True)
class ExplorerParams:
    """Budgets of one explorer page (validated: :class:`ConfigError` when out of range).

    ``max_users``: users drawn (all of them when the workspace has at most this many; else the
    backbone, in :data:`kolgraph.viz.maps.BACKBONE_TIERS` order). ``max_edges``: the heaviest
    edges among them. ``seed``: the layout's seed.
    """

    max_users: int = 100_000
    max_edges: int = 250_000
    seed: int = 0
    per_community: int = 5

    def __post_init__(self) -> None:
        if self.max_users < 1:
            raise ConfigError("--max-users must be at least 1")
        if self.max_edges < 0:
            raise ConfigError("--max-edges must be >= 0")


@dataclass(frozen=True)
class ExplorerData:
    """The drawn users (codes into the inputs, in drawing order), their positions and edges."""

    codes: np.ndarray
    xy: np.ndarray
    edges: pd.DataFrame  # src, dst: indices into codes; kind, weight, sentiment
    total_users: int
    total_edges: int
    backbone: bool
    layout_seconds: float
    notes: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        what = "backbone" if self.backbone else "all users"
        return (f"explorer ({what}): {len(self.codes):,} of {self.total_users:,} users, "
                f"{len(self.edges):,} of {self.total_edges:,} edges; layout {self.layout_seconds:.1f} s")


def explorer_data(inputs: MapInputs, params: ExplorerParams = ExplorerParams()) -> ExplorerData:
    """Choose the users and edges of an explorer page and lay them out (vectorised; see the layout module)."""
    users = inputs.users
    n = len(users)
    pr = users["pagerank"].fillna(0).to_numpy(dtype="float64")
    backbone = n > params.max_users
    notes: list[str] = []
    if backbone:
        order, tier = backbone_order(inputs, budget=params.max_users, per_community=params.per_community)
        chosen = order[:params.max_users]
        counts = np.bincount(tier[chosen], minlength=len(BACKBONE_TIERS))
        parts = ", ".join(f"{c:,} {name}" for c, (name, _) in zip(counts, BACKBONE_TIERS) if c)
        notes.append(f"This page holds the backbone: {len(chosen):,} of {n:,} users ({parts}), the limit "
                     f"--max-users {params.max_users:,}; {n - len(chosen):,} users are left out. Use "
                     "`kolgraph map WORKSPACE --focus ID` for one account's neighbourhood, or "
                     "`kolgraph map WORKSPACE --format gexf` for the full graph in Gephi.")
    else:
        chosen = np.arange(n)
    codes = chosen[np.argsort(pr[chosen], kind="stable")]  # drawn low to high: central accounts on top
    index = np.full(n, -1, dtype=np.int64)
    index[codes] = np.arange(len(codes))
    src, dst = inputs.edges["src"].to_numpy(), inputs.edges["dst"].to_numpy()
    inside = (index[src] >= 0) & (index[dst] >= 0) & (src != dst)
    kept = inputs.edges[inside]
    capped = cap_edges(kept, params.max_edges) if params.max_edges < len(kept) else kept
    if len(capped) < len(kept):
        notes.append(f"Edges: the {len(capped):,} heaviest of the {len(kept):,} among the drawn users "
                     f"(--max-edges {params.max_edges:,}).")
    edges = pd.DataFrame({"src": index[capped["src"].to_numpy()], "dst": index[capped["dst"].to_numpy()],
                          "kind": pd.Categorical(capped["kind"], categories=list(KINDS)).codes.astype(np.int8),
                          "weight": capped["weight"].to_numpy(dtype="float64"),
                          "sentiment": capped["sentiment"].to_numpy(dtype="float64")})
    start = time.perf_counter()
    community = users["community"].to_numpy()[codes]
    xy = community_layout(index[kept["src"].to_numpy()], index[kept["dst"].to_numpy()],
                          kept["weight"].to_numpy(dtype="float64"), community, pr[codes],
                          LayoutParams(seed=params.seed))
    seconds = time.perf_counter() - start
    notes.append(f"Layout: communities as discs placed by Fruchterman-Reingold on the community graph, members "
                 f"by PageRank inside, smoothed toward their neighbours (computed in {seconds:.1f} s; "
                 "kolgraph.viz.explorer.layout).")
    return ExplorerData(codes=codes, xy=xy, edges=edges, total_users=n, total_edges=len(inputs.edges),
                        backbone=backbone, layout_seconds=seconds, notes=tuple(notes),
                        parameters={"max_users": params.max_users, "max_edges": params.max_edges,
                                    "seed": params.seed})


def encode(values: np.ndarray, dtype: str) -> str:
    """A numeric array as base64 of its little-endian bytes (``dtype`` e.g. "<f4", "<u4").

    >>> encode(np.array([1, 2]), "<u2")
    'AQACAA=='
    """
    return base64.b64encode(np.ascontiguousarray(np.asarray(values).astype(dtype)).tobytes()).decode("ascii")


def _role_bits(users: pd.DataFrame) -> np.ndarray:
    """A bit per role of :data:`ROLES` (bit i = ROLES[i]) from the typed role flags, vectorised over users."""
    bits = np.zeros(len(users), dtype=np.uint16)
    for i, role in enumerate(ROLES):  # a loop over the 8 roles, not over users
        bits |= np.where(role_mask(users, role), np.uint16(1 << i), np.uint16(0))
    return bits


def payload(inputs: MapInputs, data: ExplorerData) -> dict[str, Any]:
    """The page's data block: users and edges as typed arrays and lists (see the module doc)."""
    users = inputs.users.iloc[data.codes].reset_index(drop=True)
    ids = users["user_id"].astype(str)
    names = users["display_name"].astype(object)
    names = names.where(names.notna() & (names.astype(str) != ids), "").astype(str)
    reasons = users["reasons"].astype(str)
    with_reason = np.flatnonzero((reasons != "").to_numpy())
    sentiment = data.edges["sentiment"].to_numpy(dtype="float64")
    sent_code = np.where(np.isfinite(sentiment), np.round(np.clip(sentiment, -1, 1) * 127), -128)
    community = users["community"].to_numpy(dtype=np.int64)
    sizes = pd.Series(community[community >= 0]).value_counts()
    pr = users["pagerank"].fillna(0).to_numpy()
    leaders = (pd.DataFrame({"c": community, "pr": pr, "name": np.where(names != "", names, ids)})
               .loc[lambda f: f["c"] >= 0].sort_values("pr", ascending=False, kind="stable").groupby("c").head(2))
    first = leaders.drop_duplicates("c").set_index("c")["name"]
    second = leaders[leaders.duplicated("c")].set_index("c")["name"]
    top_names = (first + ", " + second.reindex(first.index)).fillna(first)
    shown = sizes.index[:300]
    return {
        "users": {
            "n": int(len(users)), "x": encode(data.xy[:, 0], "<f4"), "y": encode(data.xy[:, 1], "<f4"),
            "community": encode(community, "<i4"), "roles": encode(_role_bits(users), "<u2"),
            "metrics": {m: encode(users[m].to_numpy(dtype="float64"), "<f4") for m, _, _ in METRICS if m in users},
            "id": ids.tolist(), "name": names.tolist(),
            "reasons": {"i": with_reason.tolist(), "t": reasons.iloc[with_reason].tolist()},
        },
        "edges": {"m": int(len(data.edges)), "src": encode(data.edges["src"], "<u4"),
                  "dst": encode(data.edges["dst"], "<u4"), "kind": encode(data.edges["kind"], "<u1"),
                  "sentiment": encode(sent_code, "<i1"), "weight": encode(data.edges["weight"], "<f4")},
        "communities": {"id": [int(c) for c in shown], "size": [int(sizes[c]) for c in shown],
                        "top": [str(top_names.get(c, "")) for c in shown], "count": int(len(sizes))},
        "metrics": [[m, label, log] for m, label, log in METRICS],
        "kinds": list(KINDS),
    }
