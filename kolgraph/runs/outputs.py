"""The one owner of a workspace's analysis files: how they are laid out, written and read back.

``WORKSPACE/analysis/`` (written by :func:`write_analysis`, committed as a whole by
:func:`kolgraph.runs.results.commit_result`):

- ``users.parquet``: one row per user in vertex order: the metrics, ``roles`` (text for people:
  "|"-joined tags) and ``reasons``, and one boolean column ``is_<tag>`` per role tag (the typed
  form every reader uses, through :meth:`AnalysisOutputs.has_role`).
- ``users.csv``: the same for people (spreadsheet-safe text, no ``is_<tag>`` columns).
- ``communities.csv``: one row per community (see :mod:`kolgraph.runs.analyze`).
- ``attitudes.parquet``: signed attitudes (src, dst, attitude, support, ...).
- ``interaction_sentiment.parquet``: per kept interaction row of the workspace (``row``), the
  sentiment used and its source, and whether it is brand-directed.
- ``analysis.json``: the stamp: ``run_id``, parameters, summary, timings and a record (size, sha256,
  rows) of every file above. A reader that finds the stamp missing or a file of another size
  refuses with a message naming the file.

Readers call :meth:`AnalysisOutputs.load`; it raises :class:`~kolgraph.errors.AnalysisMissingError`
(the one "run kolgraph analyze first" error) when there is no complete analysis.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._io import write_csv_for_people
from ..algorithms.roles import ROLE_TAGS
from ..algorithms.row_blocks import threads
from ..build.workspace import Workspace, as_workspace
from ..errors import AnalysisMissingError, ConfigError, StaleResultError
from .results import commit_result, open_result

__all__ = ["AnalysisOutputs", "write_analysis", "ANALYSIS_FOLDER", "ANALYSIS_STAMP", "role_column",
           "check_not_stale"]

ANALYSIS_FOLDER = "analysis"
ANALYSIS_STAMP = "analysis.json"
_HINT = "; run `kolgraph analyze WORKSPACE` first"


def role_column(tag: str) -> str:
    """The boolean column of ``users.parquet`` that says who holds role ``tag``."""
    if tag not in ROLE_TAGS:
        raise ConfigError(f"unknown role {tag!r}; roles are {', '.join(ROLE_TAGS)}")
    return f"is_{tag}"


@dataclass(frozen=True)
class AnalysisOutputs:
    """A workspace's committed analysis: typed tables, read lazily, and the stamp's information.

    ``info`` is ``analysis.json`` (``run_id``, ``parameters``, ``summary``, ``files``, ...).
    Tables are read on first access and cached; ``users`` has the ``is_<tag>`` role columns.
    """

    workspace: Workspace
    info: Mapping[str, Any] = field(repr=False)

    @classmethod
    def load(cls, workspace: Workspace | str | os.PathLike, *, verify: bool = False) -> "AnalysisOutputs":
        """Open the analysis of ``workspace``; :class:`AnalysisMissingError` if there is none (or an incomplete one)."""
        ws = as_workspace(workspace)
        info = open_result(ws.path / ANALYSIS_FOLDER, ANALYSIS_STAMP, verify=verify,
                           missing=AnalysisMissingError, what="analysis", hint=_HINT)
        return cls(workspace=ws, info=info)

    @classmethod
    def exists(cls, workspace: Workspace | str | os.PathLike) -> bool:
        """Whether a complete analysis is there (no exception)."""
        try:
            cls.load(workspace)
        except AnalysisMissingError:
            return False
        return True

    @property
    def path(self) -> Path:
        return self.workspace.path / ANALYSIS_FOLDER

    @property
    def run_id(self) -> str:
        return str(self.info["run_id"])

    @property
    def parameters(self) -> Mapping[str, Any]:
        return self.info.get("parameters", {})

    @property
    def summary(self) -> Mapping[str, Any]:
        return self.info.get("summary", {})

    @property
    def brand(self) -> Mapping[str, Any]:
        """The brand the analysis used: ``{"accounts": [...], "keywords": [...], ...}``."""
        return self.parameters.get("brand", {})

    def file(self, key: str) -> Path:
        """Path of a file of the analysis by its name in the stamp (e.g. ``"users.parquet"``)."""
        files = self.info.get("files", {})
        if key not in files:
            raise AnalysisMissingError(f"{self.path}: this analysis has no {key}{_HINT}")
        return self.path / files[key]["path"]

    def table(self, key: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A Parquet or CSV table of the analysis (ids as text), optionally only some columns."""
        path = self.file(key)
        if path.suffix == ".parquet":
            return pd.read_parquet(path, columns=list(columns) if columns else None)
        return pd.read_csv(path, usecols=list(columns) if columns else None, dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")

    @functools.cached_property
    def users(self) -> pd.DataFrame:
        """One row per user (vertex order) with metrics, roles text, reasons and ``is_<tag>`` columns."""
        return self.table("users.parquet")

    @functools.cached_property
    def communities(self) -> pd.DataFrame:
        path = self.file("communities.parquet") if "communities.parquet" in self.info.get("files", {}) else None
        if path is not None:
            return pd.read_parquet(path)
        return pd.read_csv(self.file("communities.csv"), dtype={"top_members": str, "top_member_names": str},
                           keep_default_na=False, na_values={"stability": [""], "mean_stance": [""]})

    @functools.cached_property
    def attitudes(self) -> pd.DataFrame:
        return self.table("attitudes.parquet")

    def interaction_sentiment(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Per kept interaction row (``row`` joins the workspace's interactions), not cached (it is large)."""
        return self.table("interaction_sentiment.parquet", columns)

    def has_role(self, tag: str, users: pd.DataFrame | None = None) -> np.ndarray:
        """Bool array over ``users`` (default :attr:`users`): who holds role ``tag``."""
        frame = self.users if users is None else users
        return frame[role_column(tag)].to_numpy(dtype=bool)

    def holders(self, tag: str) -> pd.DataFrame:
        """Users holding ``tag``, highest PageRank first."""
        users = self.users
        return users[self.has_role(tag)].sort_values(["pagerank", "user_id"], ascending=[False, True])


def check_not_stale(result_info: Mapping[str, Any], analysis: AnalysisOutputs, what: str) -> None:
    """Raise :class:`StaleResultError` if a result was computed on another analysis run than the current one."""
    used = result_info.get("analysis_run_id")
    if used != analysis.run_id:
        raise StaleResultError(f"{what} was computed on analysis run {used or 'unknown'}, but the workspace's "
                               f"analysis is now run {analysis.run_id}; re-run it")


def write_analysis(ws: Workspace, *, users: pd.DataFrame, role_flags: Mapping[str, np.ndarray],
                   communities: pd.DataFrame, attitudes: pd.DataFrame, interaction_sentiment: pd.DataFrame,
                   info: Mapping[str, Any]) -> tuple[str, dict[str, Path]]:
    """Commit an analysis as a whole; returns its run id and the final path of each file."""
    flagged = users.copy(deep=False)  # copy-on-write: adding columns leaves ``users`` as it is
    for tag in ROLE_TAGS:
        flagged[role_column(tag)] = np.asarray(role_flags[tag], dtype=bool)
    target = ws.path / ANALYSIS_FOLDER
    with commit_result(target, ANALYSIS_STAMP, info) as out:
        # the five files are independent: written side by side in threads (Arrow's writers release
        # the GIL), each complete before the stamp is written and the folder committed
        jobs = [
            (lambda path: flagged.to_parquet(path, index=False), out.file("users.parquet", rows=len(flagged))),
            (lambda path: write_csv_for_people(users, path), out.file("users.csv", rows=len(users))),
            (lambda path: write_csv_for_people(communities, path), out.file("communities.csv", rows=len(communities))),
            (lambda path: attitudes.to_parquet(path, index=False), out.file("attitudes.parquet", rows=len(attitudes))),
            (lambda path: interaction_sentiment.to_parquet(path, index=False),
             out.file("interaction_sentiment.parquet", rows=len(interaction_sentiment))),
        ]
        with ThreadPoolExecutor(max_workers=min(len(jobs), threads())) as pool:
            for done in [pool.submit(write, path) for write, path in jobs]:
                done.result()  # re-raises the first error here, inside the commit (the old result stays)
        names = list(out.rows)
        run_id = out.run_id
    files = {name: target / name for name in names}
    files[ANALYSIS_STAMP] = target / ANALYSIS_STAMP
    return run_id, files
