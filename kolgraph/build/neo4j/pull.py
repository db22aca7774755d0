"""Pull a graph from the database: all of it, a time window, or the neighbourhood of some accounts.

Reads go in pages of ``store.page_rows`` rows with keyset paging on ids (never ``SKIP``), and id
lookups in ``$ids`` batches bounded like writes. Relationships written by other tools may lack
kolgraph's properties: a missing count counts as 1 and a missing weight as kind weight x count.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import InputError, UnknownAccountError
from ...progress import progress
from ...schema import DEFAULT_KIND_WEIGHTS, EDGE_COLUMNS, KINDS
from ..dialect import KIND_OF_TYPE
from ..workspace import check_replaceable
from .from_edges import write_workspace_from_edges
from .reports import PullReport

if TYPE_CHECKING:  # pragma: no cover
    from .store import GraphStore

__all__ = ["PULL_COLUMNS", "pull_graph", "pull_to_workspace", "relationships_frame", "users_frame"]

#: Columns of the pull queries' relationship rows.
PULL_COLUMNS = ("src", "dst", "type", "count", "weight", "first_ts", "last_ts", "sentiment")


def relationships_frame(frames: list[pd.DataFrame], kind_weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Pulled relationship rows as an edge table (workspace edge columns).

    A missing count counts as 1 and a missing weight as kind weight x count; rows without an id
    at either end are dropped.
    """
    frames = [f for f in frames if len(f)]
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(PULL_COLUMNS))
    raw = raw[raw["src"].notna() & raw["dst"].notna()]
    kind = raw["type"].map(KIND_OF_TYPE)
    count = pd.to_numeric(raw["count"].astype(object), errors="coerce").fillna(1).astype(np.int64)
    weights = {**DEFAULT_KIND_WEIGHTS, **(kind_weights or {})}
    weight = pd.to_numeric(raw["weight"].astype(object), errors="coerce").astype("float64")
    weight = weight.fillna(kind.map(weights).astype("float64") * count)
    edges = pd.DataFrame({
        "src": raw["src"].astype(str), "dst": raw["dst"].astype(str),
        "kind": pd.Categorical(kind, categories=list(KINDS)), "count": count, "weight": weight,
    }).reset_index(drop=True)
    for c in ("first_ts", "last_ts", "sentiment"):
        edges[c] = pd.to_numeric(raw[c].astype(object), errors="coerce").astype("float64").to_numpy()
    return edges[list(EDGE_COLUMNS)]


def users_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Pulled user rows as a vertices table (user_id, display_name, followers, verified), by id."""
    frames = [f for f in frames if len(f)]
    raw = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame(columns=["id", "display_name", "followers", "verified"]))
    raw = raw.drop_duplicates("id").sort_values("id", kind="stable").reset_index(drop=True)
    return pd.DataFrame({
        "user_id": raw["id"].astype("str"),
        "display_name": raw["display_name"].astype(object).where(raw["display_name"].notna(), None).astype("str"),
        "followers": pd.to_numeric(raw["followers"].astype(object), errors="coerce").astype("float64"),
        "verified": pd.to_numeric(raw["verified"].astype(object), errors="coerce").astype("float64"),
    })


def _window(store: "GraphStore", since: float | None, until: float | None) -> dict[str, Any]:
    return {"since": store.dialect.float_pair(since), "until": store.dialect.float_pair(until)}


def _pages_of_rels(store: "GraphStore", window: Mapping[str, Any], bar) -> tuple[list[pd.DataFrame], int]:
    """Every relationship (in the window) in keyset pages on the source id; a source that fills a
    whole page is read alone, in keyset pages on the target id."""
    frames, pages, after = [], 0, ""
    limit = store.page_rows
    while True:
        page = store.run("pull_rels", {"after": after, "limit": limit, **window})
        pages += 1
        if len(page) < limit:
            frames.append(page)
            bar.update(len(page))
            return frames, pages
        last = page["src"].iloc[-1]
        complete = page[page["src"] != last]
        if len(complete):
            frames.append(complete)
            bar.update(len(complete))
            after = complete["src"].iloc[-1]
            continue
        dst_after = ""
        while True:
            sub = store.run("pull_rels_of_source", {"src": last, "after": dst_after, "limit": limit, **window})
            pages += 1
            if len(sub) < limit:
                frames.append(sub)
                bar.update(len(sub))
                break
            last_dst = sub["dst"].iloc[-1]
            done = sub[sub["dst"] != last_dst]
            frames.append(done)
            bar.update(len(done))
            dst_after = done["dst"].iloc[-1]
        after = last


def _all_users(store: "GraphStore", bar) -> tuple[list[pd.DataFrame], int]:
    frames, pages, after = [], 0, ""
    while True:
        page = store.run("pull_users", {"after": after, "limit": store.page_rows})
        pages += 1
        frames.append(page)
        bar.update(len(page))
        if len(page) < store.page_rows:
            return frames, pages
        after = page["id"].iloc[-1]


def _neighbourhood(store: "GraphStore", accounts: Sequence[str], hops: int, window: Mapping[str, Any]
                   ) -> tuple[pd.Index, int]:
    """The accounts and every user within ``hops`` (either direction, in the window): (ids, pages)."""
    if hops < 0:
        raise InputError("--hops", f"must be >= 0, got {hops}")
    accounts = list(dict.fromkeys(str(a) for a in accounts))
    found, pages = store.run_by_ids("pull_users_by_id", accounts, {})
    present = set(pd.concat(found)["id"].astype(str)) if found else set()
    missing = [a for a in accounts if a not in present]
    if missing:
        raise UnknownAccountError(f"not in the database: {', '.join(missing[:10])}"
                                  + (" ..." if len(missing) > 10 else ""))
    members = pd.Index(accounts, dtype="str")
    frontier = members
    for _ in range(hops):
        if not len(frontier):
            break
        found, n = store.run_by_ids("neighbours", list(frontier), window)
        pages += n
        reached = (pd.Index(pd.concat(found)["id"].astype(str).unique(), dtype="str")
                   if found and sum(len(f) for f in found) else pd.Index([], dtype="str"))
        frontier = reached.difference(members)
        members = members.append(frontier)
    return members, pages


def pull_graph(store: "GraphStore", *, since: float | None = None, until: float | None = None,
               accounts: Sequence[str] = (), hops: int = 1, kind_weights: Mapping[str, float] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Read (vertices, edges, pages) from the database: everything, a time window, or the
    ``hops``-neighbourhood (either direction) of ``accounts``, within the window if one is given.

    With a window, only relationships overlapping it (``last_ts >= since`` and
    ``first_ts <= until``) are read, and only the users they connect; edges with an unknown
    time are left out then. User ids are read as stored by kolgraph (strings); ``kind_weights``
    fill in weights missing in the database.
    """
    if since is not None and until is not None and since > until:
        raise InputError("--since/--until", f"the window is empty: since {since} > until {until}")
    window = _window(store, since, until)
    windowed = since is not None or until is not None
    with progress(quiet=store.quiet, desc=f"pull from {store.dialect.name}", unit="row") as bar:
        if accounts:
            members, pages = _neighbourhood(store, accounts, hops, window)
            frames, n = store.run_by_ids("pull_rels_by_source", list(members), window)
            pages += n
            edges = relationships_frame(frames, kind_weights)
            edges = edges[edges["dst"].isin(members)].reset_index(drop=True)
            user_frames, n = store.run_by_ids("pull_users_by_id", list(members), {})
        else:
            frames, pages = _pages_of_rels(store, window, bar)
            edges = relationships_frame(frames, kind_weights)
            if windowed:
                ends = pd.unique(pd.concat([edges["src"], edges["dst"]], ignore_index=True))
                user_frames, n = store.run_by_ids("pull_users_by_id", list(ends), {})
            else:
                user_frames, n = _all_users(store, bar)
        pages += n
    return users_frame(user_frames), edges, pages


def pull_to_workspace(store: "GraphStore", out: str | os.PathLike, *, since: float | None = None,
                      until: float | None = None, accounts: Sequence[str] = (), hops: int = 1,
                      kind_weights: Mapping[str, float] | None = None, force: bool = False) -> PullReport:
    """Pull (see :func:`pull_graph`) and write the result as a workspace at ``out``.

    ``out`` is checked first (:func:`~kolgraph.build.workspace.check_replaceable`): a folder that is
    not a kolgraph workspace, or holds files kolgraph did not write, is refused before anything is read.
    """
    check_replaceable(Path(out), force=force)
    started = time.perf_counter()
    vertices, edges, pages = pull_graph(store, since=since, until=until, accounts=accounts, hops=hops,
                                        kind_weights=kind_weights)
    selection = {"since": since, "until": until, "accounts": list(accounts), "hops": hops if accounts else None}
    ws = write_workspace_from_edges(out, edges, vertices, kind_weights=kind_weights,
                                    source={"server": store.dialect.name, "database": store.database,
                                            "selection": selection}, force=force)
    return PullReport(workspace=ws, users=len(vertices), relationships=len(edges),
                      interactions=int(edges["count"].sum()) if len(edges) else 0, pages=pages,
                      seconds=time.perf_counter() - started, selection=selection)
