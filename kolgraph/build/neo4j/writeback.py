"""Write a workspace's analysis back onto the graph: user properties, communities, memberships.

Users get the analysis metrics as properties (``community``, :data:`ANALYSIS_FLOAT_COLUMNS`,
``roles`` as a list of tags, ``reasons``); each community becomes ``(:Community {id, size,
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

from ...errors import InputError, KolgraphError
from ...progress import progress
from ..workspace import Workspace

from .reports import WriteBackReport

if TYPE_CHECKING:  # pragma: no cover
    from .store import GraphStore

__all__ = ["ANALYSIS_FLOAT_COLUMNS", "COMMUNITY_FLOAT_COLUMNS", "ROLE_FLAG_PREFIXES", "role_lists",
           "read_workspace_analysis", "write_analysis_tables", "write_workspace_analysis"]

#: Analysis columns written as float user properties.
ANALYSIS_FLOAT_COLUMNS = ("community_confidence", "pagerank", "pagerank_pct", "coreness", "participation",
                          "betweenness", "stance", "stance_support", "brand_affinity")
#: Community summary columns written as float properties of (:Community).
COMMUNITY_FLOAT_COLUMNS = ("stability", "brand_engagement_share", "mean_stance")
#: Prefixes of the boolean role columns of an analysis users table (one column per role tag).
ROLE_FLAG_PREFIXES = ("role_", "is_")


def role_lists(users: pd.DataFrame) -> list[list[str]]:
    """Each user's role tags as a list: from the boolean ``role_<tag>`` columns when the table has
    them (the typed form), else from a ``"|"``-joined ``roles`` text column; ``[]`` when neither.

    >>> role_lists(pd.DataFrame({"role_kol": [True, False], "role_critic": [True, False]}))
    [['kol', 'critic'], []]
    >>> role_lists(pd.DataFrame({"roles": ["kol|core_fan", None]}))
    [['kol', 'core_fan'], []]
    """
    for prefix in ROLE_FLAG_PREFIXES:
        flag_cols = [c for c in users.columns if isinstance(c, str) and c.startswith(prefix)
                     and pd.api.types.is_bool_dtype(users[c])]
        if flag_cols:
            tags = np.array([c[len(prefix):] for c in flag_cols], dtype=object)
            flags = users[flag_cols].to_numpy(dtype=bool)
            return [tags[row].tolist() for row in flags]
    if "roles" in users:
        text = users["roles"].astype(object).where(users["roles"].notna(), "").astype(str)
        return [[r for r in s.split("|") if r] for s in text]
    return [[] for _ in range(len(users))]


def read_workspace_analysis(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The analysis tables a write-back needs: (users, communities or None)."""
    if not ws.has_result("analysis", "users.parquet"):
        raise KolgraphError(f"{ws.path}: no analysis/users.parquet; run `kolgraph analyze` first")
    users = ws.read_result_table("analysis", "users.parquet")
    communities = (pd.read_csv(ws.result_path("analysis", "communities.csv"))
                   if ws.has_result("analysis", "communities.csv") else None)
    return users, communities


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

    ``users`` has ``user_id`` and any of community, :data:`ANALYSIS_FLOAT_COLUMNS`, role flags or
    roles (see :func:`role_lists`), reasons; absent columns are written as unknown.
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

