"""Per-user and per-community measures the role rules read, computed from the metric table and the ties.

- :func:`brand_communities`: each community's engagement with brand accounts, which communities are
  brand communities, and the coreness cut-off for core fans there;
- :func:`community_spread`: how many communities hold a real share (weight and neighbours) of each
  user's ties, for the bridge rule;
- :func:`brand_link_share`: the share of each user's tie weight going to brand communities, for
  brand bridges;
- :func:`resolve_links`: a tie table turned once into position and weight arrays.

Vectorised: grouped sums and sparse matrices, never a Python loop per user or per tie.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["brand_communities", "community_spread", "brand_link_share", "resolve_links"]


def _column(metrics: pd.DataFrame, name: str, dtype: str = "float64") -> np.ndarray:
    return pd.to_numeric(metrics[name], errors="coerce").to_numpy(dtype=dtype, na_value=np.nan)


def brand_communities(metrics: pd.DataFrame, *, brand_accounts: Iterable[str] = (), min_share: float = 0.2,
                      coreness_quantile: float = 0.5) -> pd.DataFrame:
    """Per community: brand engagement (interactions of non-brand members with brand accounts), its
    share, whether it is a brand community, and the coreness cutoff for core fans.

    The community with the most brand engagement is a brand community, and so is every community
    holding >= ``min_share`` of it; the cut-off is the ``coreness_quantile`` of its members' coreness.
    Needs columns user_id, community, brand_interactions, coreness. Rows sorted by community id.
    """
    comm = pd.to_numeric(metrics["community"], errors="coerce").to_numpy(dtype="float64")
    valid = np.isfinite(comm) & (comm >= 0)
    comm_i = np.where(valid, comm, -1).astype(np.int64)
    is_brand = metrics["user_id"].astype("str").isin(list(brand_accounts)).to_numpy(dtype=bool)
    engagement = np.nan_to_num(_column(metrics, "brand_interactions"))
    engagement = np.where(is_brand, 0.0, engagement)
    k = int(comm_i.max()) + 1 if valid.any() else 0
    per = np.bincount(comm_i[valid], weights=engagement[valid], minlength=k)
    size = np.bincount(comm_i[valid], minlength=k)
    total = per.sum()
    share = per / total if total > 0 else np.zeros(k)
    brand = share >= min_share
    if total > 0:
        brand[np.argmax(per)] = True
    brand &= per > 0
    coreness = pd.Series(_column(metrics, "coreness")[valid])
    cutoff = coreness.groupby(comm_i[valid]).quantile(coreness_quantile).reindex(range(k))
    out = pd.DataFrame({"community": np.arange(k, dtype=np.int64), "size": size.astype(np.int64),
                        "brand_engagement": per.astype(np.int64), "brand_engagement_share": share,
                        "is_brand": brand, "coreness_cutoff": cutoff.to_numpy(dtype="float64")})
    return out[out["size"] > 0].reset_index(drop=True)


def _positions(column: pd.Series, user_ids: pd.Index) -> np.ndarray:
    """Integer positions in ``user_ids``: integer columns are positions already; ids are looked up
    once per distinct id."""
    if pd.api.types.is_integer_dtype(column.dtype):
        pos = column.to_numpy(dtype=np.int64)
        return np.where((pos >= 0) & (pos < len(user_ids)), pos, -1)
    codes, uniques = pd.factorize(column.astype("str"))
    where = np.asarray(user_ids.get_indexer(pd.Index(uniques, dtype="str")), dtype=np.int64) if len(uniques) \
        else np.array([], np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes >= 0, where[np.maximum(codes, 0)] if len(where) else -1, -1)


def resolve_links(user_ids: pd.Index, links: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (src, dst) and weights of the usable links: both ends known, no self-loop, weight > 0.

    ``links`` is a tie table, or the (src, dst, weight) arrays this function returned before."""
    if isinstance(links, tuple):
        return links
    a, b = (_positions(links[c], user_ids) for c in ("src", "dst"))
    w = (pd.to_numeric(links["weight"], errors="coerce").to_numpy(dtype="float64", na_value=0.0)
         if "weight" in links else np.ones(len(links)))
    ok = (a >= 0) & (b >= 0) & (a != b) & (w > 0)
    return a[ok], b[ok], w[ok]


def _is_projection(n: int, a: np.ndarray, b: np.ndarray) -> bool:
    """True when (a, b) hold each undirected pair once, a < b, sorted (as :func:`collapse_undirected`)."""
    if not len(a) or not (a < b).all():
        return False
    key = a.astype(np.int64) * np.int64(n) + b
    return bool((key[1:] > key[:-1]).all())


def community_spread(user_ids: pd.Index, community: np.ndarray, links: Any, *,
                     min_share: float = 0.2, min_neighbours: int = 4) -> dict[str, np.ndarray]:
    """How many communities hold a real share of each user's ties (the bridge rule's community check).

    On the undirected projection of ``links`` (src, dst as user ids or positions in ``user_ids``;
    optional weight, 1 per row otherwise; both directions summed, self-loops dropped), a community
    *holds* a user's ties when it has >= ``min_share`` of the user's tie weight and >=
    ``min_neighbours`` of the user's distinct neighbours. Returns arrays per user: ``communities``
    (how many hold its ties), ``first``/``second`` (ids of the two holding the most weight, -1 if
    fewer) and ``first_share``/``second_share`` (their weight shares in [0, 1], NaN if absent).
    Users without a community (-1) still count their ties; ties to such users count in no community.

    >>> ids = pd.Index(["x", "a1", "a2", "b1", "b2"])
    >>> ties = pd.DataFrame({"src": ["x"] * 4, "dst": ["a1", "a2", "b1", "b2"]})
    >>> out = community_spread(ids, np.array([0, 0, 0, 1, 1]), ties, min_neighbours=2)
    >>> int(out["communities"][0]), int(out["first"][0]), float(out["second_share"][0])
    (2, 0, 0.5)
    """
    n = len(user_ids)
    comm = np.asarray(community, dtype=np.int64)
    a, b, w = resolve_links(user_ids, links)
    k = int(comm.max()) + 1 if n and comm.max() >= 0 else 0
    out = {"communities": np.zeros(n, np.int64), "first": np.full(n, -1, np.int64),
           "second": np.full(n, -1, np.int64), "first_share": np.full(n, np.nan),
           "second_share": np.full(n, np.nan)}
    if not len(a) or k == 0:
        return out
    # one entry per (user, neighbour), both directions summed: the links as they are when they are
    # already the undirected projection (one tie per pair, a < b, as collapse_undirected gives),
    # else a symmetric tie matrix (per-row sorts only)
    if _is_projection(n, a, b):
        row, nb, data = np.r_[a, b], np.r_[b, a], np.r_[w, w]
    else:
        ties = sp.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
        ties.sum_duplicates()
        row = np.repeat(np.arange(n, dtype=np.int64), np.diff(ties.indptr))
        nb, data = ties.indices, ties.data
        del ties
    strength = np.bincount(row, weights=data, minlength=n)
    cols = comm[nb]
    ok = cols >= 0
    if not ok.any():
        return out
    # one pass sums both per (user, community): tie weight in the real part, neighbours in the imaginary
    per = sp.csr_matrix((data[ok] + 1j, (row[ok], cols[ok])), shape=(n, k))
    del row, cols, nb, data
    per.sum_duplicates()
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(per.indptr))
    share = per.data.real / strength[row]
    holds = (share >= min_share - 1e-12) & (np.round(per.data.imag) >= min_neighbours)
    out["communities"] = np.bincount(row[holds], minlength=n).astype(np.int64)
    row, col, share = row[holds], per.indices[holds], share[holds]
    order = np.lexsort((col, -share, row))
    row, col, share = row[order], col[order], share[order]
    first = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if len(row) else np.zeros(0, np.int64)
    out["first"][row[first]] = col[first]
    out["first_share"][row[first]] = share[first]
    second = first + 1
    second = second[(second < len(row))]
    second = second[row[second] == row[second - 1]]
    out["second"][row[second]] = col[second]
    out["second_share"][row[second]] = share[second]
    return out


def brand_link_share(user_ids: pd.Index, community: np.ndarray, brand: np.ndarray, links: pd.DataFrame) -> np.ndarray:
    """Share of each user's tie weight (undirected, self-loops dropped) going to members of brand
    communities; NaN for users without ties. ``community`` per user (-1 none), ``brand`` a bool per
    community id; ``links`` has src, dst (user ids, or integer row positions in ``user_ids``) and
    optionally weight (one per row otherwise)."""
    n = len(user_ids)
    a, b, w = resolve_links(user_ids, links)
    comm = np.asarray(community, dtype=np.int64)
    brand = np.asarray(brand, dtype=bool)
    member_of_brand = np.zeros(n, dtype=bool)  # per user: in a brand community
    ok_c = (comm >= 0) & (comm < len(brand))
    member_of_brand[ok_c] = brand[comm[ok_c]]
    ends = np.r_[a, b]
    other = np.r_[b, a]
    ww = np.r_[w, w]
    total = np.bincount(ends, weights=ww, minlength=n)
    to_brand = np.bincount(ends, weights=ww * member_of_brand[other], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, to_brand / total, np.nan)
