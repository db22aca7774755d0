"""Write a workspace's analysis back onto the graph: user properties, communities, memberships.

Users get the analysis metrics as properties (``community``, :data:`ANALYSIS_FLOAT_COLUMNS`,
``roles`` as a list of tags from the typed role columns, ``reasons``); each community becomes ``(:Community {id, size,
stability, brand_engagement_share, mean_stance, top_members})`` and each member
``(:User)-[:MEMBER_OF]->(:Community)``. Every item written is tagged with a fresh run id; then
memberships and communities of earlier runs are deleted and users the new analysis does not cover
lose their analysis properties, so the database never mixes two analyses.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...algorithms.roles import ROLE_TAGS
from ...errors import InputError
from ...progress import progress
from ...runs.outputs import AnalysisOutputs, role_column
from ..workspace import Workspace

from .reports import WriteBackReport

if TYPE_CHECKING:  # pragma: no cover
    from .store import GraphStore

__all__ = ["ANALYSIS_FLOAT_COLUMNS", "COMMUNITY_FLOAT_COLUMNS", "role_lists",
           "read_workspace_analysis", "write_analysis_tables", "write_workspace_analysis"]

#: Analysis columns written as float user properties.
ANALYSIS_FLOAT_COLUMNS = ("community_confidence", "pagerank", "pagerank_pct", "coreness", "participation",
                          "betweenness", "stance", "stance_support", "brand_affinity")
#: Community summary columns written as float properties of (:Community).
COMMUNITY_FLOAT_COLUMNS = ("stability", "brand_engagement_share", "mean_stance")


def role_lists(users: pd.DataFrame) -> list[list[str]]:
    """Each user's role tags as a list, from the boolean role columns (``is_<tag>``, see
    :func:`kolgraph.runs.outputs.role_column`) the table has; ``[]`` for every user when it has none.

    A ``"|"``-joined ``roles`` text column (text for people) is not parsed back: a table that has
    one but no role columns is refused, so roles are never silently dropped.

    >>> role_lists(pd.DataFrame({"is_kol": [True, False], "is_critic": [True, False]}))
    [['kol', 'critic'], []]
    """
    flags = {tag: role_column(tag) for tag in ROLE_TAGS if role_column(tag) in users}
    if not flags:
        if "roles" in users and users["roles"].astype(object).fillna("").astype(str).str.len().any():
            raise InputError("analysis users", "roles must come as boolean is_<tag> columns "
                                               "(kolgraph.runs.outputs.role_column), not as '|'-joined text")
        return [[] for _ in range(len(users))]
    tags = np.array(list(flags), dtype=object)
    matrix = users[list(flags.values())].fillna(False).to_numpy(dtype=bool)
    return [tags[row].tolist() for row in matrix]


def read_workspace_analysis(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The committed analysis a write-back needs, through :class:`~kolgraph.runs.outputs.AnalysisOutputs`:
    (users with their role columns, communities). No complete analysis: :class:`AnalysisMissingError`."""
    analysis = AnalysisOutputs.load(ws)
    return analysis.users, analysis.communities


def write_workspace_analysis(store: "GraphStore", ws: Workspace) -> WriteBackReport:
    """Write a workspace's committed analysis back (see :func:`write_analysis_tables`)."""
    return write_analysis_tables(store, *read_workspace_analysis(ws))


def _column_or(frame: pd.DataFrame, name: str, fill, dtype=None) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(fill, index=frame.index, dtype=dtype)


def write_analysis_tables(store: "GraphStore", users: pd.DataFrame,
                          communities: pd.DataFrame | None = None) -> WriteBackReport:
    """Write analysis columns onto users, (:Community) nodes and MEMBER_OF edges; drop stale ones.

    ``users`` has ``user_id`` and any of community, :data:`ANALYSIS_FLOAT_COLUMNS`, the boolean
    role columns (see :func:`role_lists`), reasons; absent columns are written as unknown.
    ``communities`` (community, size, stability, brand_engagement_share, mean_stance, top_members)
    defaults to sizes counted from ``users``.
    """
    if "user_id" not in users:
        raise InputError("analysis/users.parquet", "no user_id column")
    dialect = store.dialect
    store.ensure_schema()
    run_id = uuid.uuid4().hex
    users = users.reset_index(drop=True)
    ids = users["user_id"].astype(str)
    community = (pd.to_numeric(users["community"], errors="coerce") if "community" in users
                 else pd.Series(np.nan, index=users.index))
    cols = [dialect.column("id", "str", ids), dialect.column("community", "int", community.astype("Int64"))]
    cols += [dialect.column(c, "float", _column_or(users, c, np.nan)) for c in ANALYSIS_FLOAT_COLUMNS]
    cols += [dialect.column("roles", "strlist", role_lists(users)),
             dialect.column("reasons", "str", _column_or(users, "reasons", None, object))]
    if communities is None:
        sizes = community.dropna().astype(np.int64).value_counts().sort_index()
        communities = pd.DataFrame({"community": sizes.index, "size": sizes.to_numpy()})
    communities = communities.reset_index(drop=True)
    sizes_col = (pd.to_numeric(communities["size"]).astype("Int64") if "size" in communities
                 else pd.Series(pd.NA, index=communities.index, dtype="Int64"))
    ccols = [dialect.column("id", "int", pd.to_numeric(communities["community"]).astype("Int64")),
             dialect.column("size", "int", sizes_col)]
    ccols += [dialect.column(c, "float", _column_or(communities, c, np.nan)) for c in COMMUNITY_FLOAT_COLUMNS]
    ccols.append(dialect.column("top_members", "str", _column_or(communities, "top_members", None, object)))
    member = community.notna().to_numpy()
    mcols = [dialect.column("id", "str", ids[member]),
             dialect.column("community", "int", community[member].astype("Int64"))]
    total = len(communities) + len(users) + int(member.sum())
    with progress(total=total, quiet=store.quiet, desc="write analysis", unit="row") as bar:
        store.write_rows("merge_communities", ccols, params={"run": run_id}, bar=bar)
        user_log = store.write_rows("write_user_analysis", cols, params={"run": run_id}, bar=bar,
                                    describe=lambda i: f"user {ids.iloc[i]!r}")
        member_log = store.write_rows("merge_memberships", mcols, params={"run": run_id}, bar=bar)
    removed_m = store.repeat_until_zero("delete_stale_memberships", {"run": run_id})
    removed_c = store.repeat_until_zero("delete_stale_communities", {"run": run_id})
    cleared = store.repeat_until_zero("clear_stale_user_analysis", {"run": run_id})
    return WriteBackReport(users=user_log.matched, users_missing=len(users) - user_log.matched,
                           communities=len(communities), memberships=member_log.matched,
                           removed_memberships=removed_m, removed_communities=removed_c,
                           cleared_users=cleared, run=run_id)

