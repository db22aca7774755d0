"""The focus view: the ego network of one account, role groups taking turns within the budget."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import KolgraphError, UnknownAccountError
from .backbone import backbone_map
from .communities import community_map
from .inputs import MapInputs, role_mask
from .style import EGO_GROUPS
from .tables import MapData, edge_records, induced_edges, no_analysis_note, user_nodes

__all__ = ["resolve_focus", "ego_map", "read_attitudes", "build_map"]


def resolve_focus(users: pd.DataFrame, focus: str) -> int:
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
    f = resolve_focus(users, focus)
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
    group = np.full(n, len(EGO_GROUPS), dtype=np.int64)  # users without a role form the last group
    for i, role in reversed(list(enumerate(EGO_GROUPS))):  # 9 groups, not a loop over users
        group[role_mask(users, role)] = i
    pr = users["pagerank"].fillna(0).to_numpy()
    # Within each (hop, group): the heaviest direct interaction with the focus first, then PageRank.
    ranked = reach[np.lexsort((reach, -pr[reach], -direct[reach], group[reach], hop[reach]))]
    key = hop[ranked] * (len(EGO_GROUPS) + 1) + group[ranked]
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
    edges, dropped = induced_edges(inputs, codes, max_edges, focus=f)
    nodes = user_nodes(inputs, codes, extra)
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
    return MapData(mode="focus", nodes=nodes, edges=edge_records(inputs, edges, users["user_id"].to_numpy(dtype=object)),
                   total_nodes=n, total_edges=len(inputs.edges), analysis=inputs.analysis,
                   parameters={"focus": str(focus), "hops": hops, "max_nodes": max_nodes, "max_edges": max_edges},
                   notes=notes + no_analysis_note(inputs), focus=str(users["user_id"].iloc[f]))


def read_attitudes(inputs: MapInputs, focus_code: int) -> pd.DataFrame | None:
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
        attitudes = read_attitudes(inputs, resolve_focus(inputs.users, focus))
        return ego_map(inputs, focus, hops=hops, max_nodes=max_nodes, max_edges=max_edges, attitudes=attitudes)
    raise KolgraphError(f"unknown map mode {mode!r}; use backbone, communities or focus")

