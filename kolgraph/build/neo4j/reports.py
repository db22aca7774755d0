"""What a push, a write-back and a pull did, as frozen records with a one-paragraph summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..workspace import Workspace

__all__ = ["WriteBackReport", "PushReport", "PullReport"]


@dataclass(frozen=True)
class WriteBackReport:
    """What ``write_analysis`` wrote: users updated, communities and memberships, stale items removed."""

    users: int
    users_missing: int
    communities: int
    memberships: int
    removed_memberships: int
    removed_communities: int
    cleared_users: int
    run: str

    def summary(self) -> str:
        text = (f"analysis written: {self.users:,} users, {self.communities:,} communities, "
                f"{self.memberships:,} memberships")
        if self.users_missing:
            text += f" ({self.users_missing:,} analysed users are not in the database)"
        stale = self.removed_memberships + self.removed_communities + self.cleared_users
        if stale:
            text += (f"; removed {self.removed_memberships:,} stale memberships, "
                     f"{self.removed_communities:,} stale communities, cleared {self.cleared_users:,} users")
        return text


@dataclass(frozen=True)
class PushReport:
    """What ``push_workspace`` sent and what the database holds afterwards.

    ``retries`` counts transaction functions the driver ran again after a transient failure.
    """

    dialect: str
    users: int
    relationships: dict[str, int]
    interactions: int
    batch_rows: tuple[int, ...]
    batch_bytes: tuple[int, ...]
    max_batch_rows: int
    max_batch_bytes: int
    nodes_created: int
    relationships_created: int
    retries: int
    seconds: float
    database_counts: dict[str, Any]
    analysis: WriteBackReport | None = None

    @property
    def batches(self) -> int:
        return len(self.batch_rows)

    def summary(self) -> str:
        rels = sum(self.relationships.values())
        lines = [f"pushed {self.users:,} users and {rels:,} relationships ({self.interactions:,} interactions) "
                 f"to {self.dialect} in {self.batches:,} batches (<= {self.max_batch_rows:,} rows, "
                 f"<= {self.max_batch_bytes:,} bytes) in {self.seconds:.1f} s; created {self.nodes_created:,} "
                 f"nodes and {self.relationships_created:,} relationships"
                 + (f"; {self.retries} retries" if self.retries else ""),
                 f"database now holds {self.database_counts['users']:,} users and "
                 f"{sum(self.database_counts['relationships'].values()):,} interaction relationships"]
        if self.analysis is not None:
            lines.append(self.analysis.summary())
        return "\n".join(lines)


@dataclass(frozen=True)
class PullReport:
    """What ``pull_workspace`` read and the workspace it wrote."""

    workspace: Workspace
    users: int
    relationships: int
    interactions: int
    pages: int
    seconds: float
    selection: dict[str, Any]

    def summary(self) -> str:
        return (f"pulled {self.users:,} users and {self.relationships:,} relationships "
                f"({self.interactions:,} interactions) in {self.pages:,} pages, {self.seconds:.1f} s, "
                f"into workspace {self.workspace.path}")
