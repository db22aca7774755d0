"""The backbone view: the accounts a PR team cares about first, then the most central, within a budget."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import KolgraphError
from .inputs import MapInputs, role_mask
from .style import ROLE_LABELS, ROLES
from .tables import MapData, edge_records, induced_edges, no_analysis_note, user_nodes

__all__ = ["BACKBONE_TIERS", "backbone_order", "backbone_map"]


#: Backbone tiers in priority order: (name on the page, role tags). Users of an earlier tier are
#: kept before any user of a later one; within a tier, by PageRank. Tier 3 (community leaders) is
#: filled round-robin: every large community's #1, then every #2, ...; the last tier is everyone else.
BACKBONE_TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("brand accounts, critic KOLs and vetted candidates", ("brand_account", "critic_kol")),
    ("KOLs", ("kol",)),
    ("core fans and critics", ("core_fan", "critic")),
    ("top members of the largest communities", ()),
    ("bridges", ("brand_bridge", "bridge")),
    ("amplifiers", ("amplifier",)),
    ("more by PageRank", ()),
)
_LEADERS = 3
_REST = len(BACKBONE_TIERS) - 1


def backbone_order(inputs: MapInputs, *, budget: int, per_community: int = 5,
                   max_communities: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Every user's code in backbone priority order, and each user's tier (see :data:`BACKBONE_TIERS`).

    ``budget`` (the node budget) caps the community leaders at half of it. Vectorised: one
    ``role_mask`` per tier and one lexsort.
    """
    users = inputs.users
    n = len(users)
    pr = users["pagerank"].fillna(0).to_numpy(dtype="float64")
    tier = np.full(n, _REST, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    community = users["community"].to_numpy()
    if n and (community >= 0).any():
        sizes = np.bincount(community[community >= 0])
        n_large = max(1, min(max_communities, budget // (2 * max(per_community, 1))))
        large = np.argsort(-sizes, kind="stable")[:n_large]
        rank = (users.assign(_pr=pr).groupby("community")["_pr"].rank(method="first", ascending=False)
                .fillna(0).to_numpy(dtype=np.int64))
        top = (community >= 0) & np.isin(community, large) & (rank <= per_community)
        tier[top] = _LEADERS
        second[top] = rank[top]
    for t in range(len(BACKBONE_TIERS) - 2, -1, -1):  # a loop over the 7 tiers, not over users
        tags = BACKBONE_TIERS[t][1]
        if tags:
            mask = role_mask(users, *tags)
            tier[mask] = t
            second[mask] = 0
    if inputs.candidates:
        vetted = users["user_id"].astype(str).isin(set(inputs.candidates)).to_numpy()
        tier[vetted] = 0
        second[vetted] = 0
    return np.lexsort((np.arange(n), -pr, second, tier)), tier


def _role_counts(roles: pd.Series) -> pd.Series:
    """Users per role tag (a user with several roles counts in each)."""
    tags = roles[roles != ""].str.split("|").explode()
    return tags.value_counts()


def backbone_map(inputs: MapInputs, *, max_nodes: int = 1000, max_edges: int = 5000,
                 per_community: int = 5, max_communities: int = 40) -> MapData:
    """The influence backbone: at most ``max_nodes`` users and the ``max_edges`` heaviest edges among them.

    Priority (:data:`BACKBONE_TIERS`): brand accounts, critic KOLs and the candidates vetted by
    ``kolgraph whatif``; KOLs; core fans and critics; the top ``per_community`` users by PageRank
    of each of the ``max_communities`` largest communities (round-robin, at most half of
    ``max_nodes``); bridges; amplifiers; then everyone else by PageRank. Within a tier, by
    PageRank. The notes count the users kept per tier and, per role, those left out.
    """
    if max_nodes < 1:
        raise KolgraphError("--max-nodes must be at least 1")
    users = inputs.users
    n = len(users)
    order, tier = backbone_order(inputs, budget=max_nodes, per_community=per_community,
                                 max_communities=max_communities)
    codes = order[:max_nodes]
    edges, dropped = induced_edges(inputs, codes, max_edges)
    ids = users["user_id"].to_numpy(dtype=object)
    nodes = user_nodes(inputs, codes)
    counts = np.bincount(tier[codes], minlength=len(BACKBONE_TIERS))
    parts = [f"{c:,} {name if t < _REST or counts[:_REST].any() else 'by PageRank'}"
             for t, (c, (name, _)) in enumerate(zip(counts, BACKBONE_TIERS)) if c]
    left = np.ones(n, dtype=bool)
    left[codes] = False
    out_roles = _role_counts(users["roles"][left])
    all_roles = _role_counts(users["roles"])
    role_text = "; ".join(f"{int(out_roles.get(r, 0)):,} of {int(all_roles[r]):,} {ROLE_LABELS[r]}s"
                          for r in ROLES if r in all_roles.index and out_roles.get(r, 0))
    notes = (f"Backbone: {len(codes):,} of {n:,} users ({', '.join(parts) or 'none'}); "
             f"{len(edges):,} of {len(inputs.edges):,} edges.",
             f"Left out: {n - len(codes):,} users; {dropped['outside']:,} edges touching them, "
             f"{dropped['self_loops']:,} self-loops, {dropped['over_cap']:,} lighter edges beyond the "
             f"{max_edges:,}-edge cap. The full graph: `kolgraph map WORKSPACE --format gexf -o graph.gexf` (Gephi).",
             ("Left out by role: " + role_text + "." if role_text else
              "Left out by role: none (every account with a role is drawn)." if len(all_roles) else ""))
    return MapData(mode="backbone", nodes=nodes, edges=edge_records(inputs, edges, ids), total_nodes=n,
                   total_edges=len(inputs.edges), analysis=inputs.analysis,
                   parameters={"max_nodes": max_nodes, "max_edges": max_edges, "per_community": per_community,
                               "max_communities": max_communities, "candidates": list(inputs.candidates)},
                   notes=tuple(x for x in notes if x) + no_analysis_note(inputs))
