"""Every error a user can cause, in one place.

The CLI maps :class:`KolgraphError` (and its subclasses) to a one-line message and exit code 2,
without a traceback. Library callers catch the specific class they can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KolgraphError",
    "ConfigError",
    "UnknownAccountError",
    "InputError",
    "WorkspaceError",
    "AnalysisMissingError",
    "StaleResultError",
    "GraphServerError",
    "BatchTooLargeError",
    "WhatIfConvergenceError",
    "ResourceLimitError",
]


class KolgraphError(Exception):
    """Base class for errors a user can act on; the CLI prints the message without a traceback."""


class ConfigError(KolgraphError, ValueError):
    """A configuration value, parameter or option is invalid (also a ``ValueError``)."""


class UnknownAccountError(KolgraphError):
    """An account id given by the user is not in the graph."""


@dataclass
class InputError(KolgraphError):
    """Bad input: names the file, the row (1-based data row, header excluded) where known, and why."""

    path: str
    reason: str
    row: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}, row {self.row}" if self.row is not None else self.path
        return f"{where}: {self.reason}"


class WorkspaceError(KolgraphError):
    """A workspace folder is missing, foreign, damaged, tampered with or of another format version."""


class AnalysisMissingError(WorkspaceError):
    """The workspace has no (complete) analysis yet: run ``kolgraph analyze`` first."""


class StaleResultError(WorkspaceError):
    """A result (what-if, score) was computed on an older analysis than the one in the workspace."""


class GraphServerError(KolgraphError):
    """The graph server is unreachable, refused the credentials or the database, or rejected a query."""


class BatchTooLargeError(KolgraphError):
    """One row alone is larger than the byte bound of a batch."""


class WhatIfConvergenceError(KolgraphError):
    """The propagation did not reach its tolerance within ``max_iter`` steps."""


class ResourceLimitError(KolgraphError):
    """A request would need more memory or time than the stated limit allows (checked before allocating)."""
