"""The workspace: a folder holding validated tables, the graph and a manifest.

Layout::

    WORKSPACE/
      manifest.json          inputs (path, sha256, row counts), parameters, package versions, results
      interactions.parquet   the kept rows, normalised (src, dst, kind, timestamp, text, sentiment, post_id, weight)
      edges.parquet          the graph's edges: one row per (src, dst, kind), see build.graph
      vertices.parquet       the graph's vertices in vertex order: user_id, display_name, followers, verified
      rejects.csv            every rejected or duplicate input row with file, row, category and reason
      <results>/             outputs of later commands (analysis/, whatif/, ...), each written atomically

The graph is stored as its two tables (edges + vertices), from which :meth:`Workspace.graph`
rebuilds the same igraph graph in one vectorised call. A new workspace is written into a temporary
folder and renamed into place, so an interrupted build never leaves a half-written workspace.
Later commands read the workspace, never the raw inputs.
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib.metadata
import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import igraph as ig
import numpy as np
import pandas as pd

from .. import __version__
from .._io import atomic_path, write_json, write_table
from ..schema import DEFAULT_KIND_WEIGHTS, KINDS, InputError, KolgraphError
from .graph import build_graph, collapse_interactions, factorize_ids
from .readers import IngestResult, read_inputs

__all__ = ["Workspace", "BuildReport", "build_workspace", "write_workspace", "write_tables", "graph_summary",
           "open_workspace",
           "package_versions", "MANIFEST", "FORMAT_VERSION"]

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
_PACKAGES = ("igraph", "pandas", "numpy", "pyarrow", "networkx", "scikit-learn", "neo4j", "pyvis", "click")


def package_versions() -> dict[str, str]:
    """Versions of Python, kolgraph and the packages whose behaviour shapes the results."""
    out = {"python": platform.python_version(), "kolgraph": __version__}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class Workspace:
    """An opened workspace folder; tables are read lazily and the graph is built once and cached."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        manifest_path = self.path / MANIFEST
        if not manifest_path.is_file():
            raise KolgraphError(f"{self.path}: not a kolgraph workspace (no {MANIFEST}); "
                                "create one with `kolgraph build`")
        try:
            self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KolgraphError(f"{manifest_path}: damaged manifest ({exc})") from None
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise KolgraphError(f"{self.path}: workspace format {self.manifest.get('format_version')} is not "
                                f"{FORMAT_VERSION}; rebuild it with this kolgraph version")

    def __repr__(self) -> str:
        graph = self.manifest.get("graph", {})
        return f"Workspace({str(self.path)!r}, users={graph.get('vertices')}, edges={graph.get('edges')})"

    def _table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        path = self.path / f"{name}.parquet"
        if not path.is_file():
            raise KolgraphError(f"{path}: missing from the workspace; rebuild it with `kolgraph build`")
        return pd.read_parquet(path, columns=list(columns) if columns else None)

    def interactions(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The kept input rows (normalised), optionally only some columns."""
        return self._table("interactions", columns)

    def edges(self) -> pd.DataFrame:
        """The collapsed edge table (one row per src, dst, kind)."""
        return self._table("edges")

    def vertices(self) -> pd.DataFrame:
        """The vertex table in vertex order (user_id, display_name, followers, verified)."""
        return self._table("vertices")

    @functools.cached_property
    def graph_(self) -> ig.Graph:
        return build_graph(self.edges(), self.vertices())

    def graph(self) -> ig.Graph:
        """The interaction graph (a fresh copy, so callers may not corrupt the cached one)."""
        return self.graph_.copy()

    @property
    def kind_weights(self) -> dict[str, float]:
        return dict(self.manifest.get("parameters", {}).get("kind_weights", DEFAULT_KIND_WEIGHTS))

    # ---- results written by later commands -------------------------------------------------

    def result_path(self, *parts: str) -> Path:
        return self.path.joinpath(*parts)

    def write_result_table(self, df: pd.DataFrame, *parts: str) -> Path:
        """Write a result table (format by extension) atomically under the workspace."""
        return write_table(df, self.result_path(*parts))

    def read_result_table(self, *parts: str) -> pd.DataFrame:
        path = self.result_path(*parts)
        if not path.is_file():
            raise KolgraphError(f"{path}: not computed yet; run the command that writes it first "
                                "(e.g. `kolgraph analyze`)")
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)

    def has_result(self, *parts: str) -> bool:
        return self.result_path(*parts).is_file()

    def record_result(self, name: str, info: Mapping[str, Any]) -> None:
        """Record a result's parameters and files in the manifest (atomic rewrite)."""
        manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        manifest.setdefault("results", {})[name] = {"created": _now(), **dict(info)}
        write_json(self.path / MANIFEST, manifest)
        self.manifest = manifest


def open_workspace(path: str | os.PathLike) -> Workspace:
    """Open an existing workspace (raises a clear error when the folder is not one)."""
    return Workspace(path)


@dataclass(frozen=True)
class BuildReport:
    """What ``build_workspace`` did: the workspace, the row counts and where the rejects went."""

    workspace: Workspace
    interactions: IngestResult
    users: IngestResult | None
    rejects_path: Path

    def summary(self) -> str:
        c = self.interactions.counts()
        g = self.workspace.manifest["graph"]
        lines = [f"workspace {self.workspace.path}: {g['vertices']:,} users, {g['edges']:,} edges "
                 f"from {c['kept']:,} interactions",
                 f"rows read {c['read']:,}, kept {c['kept']:,}, rejected {c['rejected']:,}, "
                 f"duplicate {c['duplicate']:,}"]
        if self.users is not None:
            u = self.users.counts()
            lines.append(f"users read {u['read']:,}, kept {u['kept']:,}, rejected {u['rejected']:,}, "
                         f"duplicate {u['duplicate']:,}")
        if c["rejected"] or c["duplicate"] or (self.users is not None and (self.users.rejected or self.users.duplicate)):
            lines.append(f"rejected and duplicate rows, with reasons: {self.rejects_path}")
        return "\n".join(lines)


def _swap_into_place(tmp_dir: Path, target: Path) -> None:
    """Rename the finished temporary folder onto ``target``; an old workspace there is replaced."""
    if target.exists():
        if not (target / MANIFEST).is_file() and any(target.iterdir()):
            raise KolgraphError(f"{target}: exists and is not a kolgraph workspace; choose another -o folder")
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(tmp_dir, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, target)


def graph_summary(edges: pd.DataFrame, vertices: pd.DataFrame) -> dict[str, Any]:
    """The manifest's ``graph`` section: sizes, self-loops, edges and interactions by kind, time range."""
    return {
        "vertices": int(len(vertices)),
        "edges": int(len(edges)),
        "self_loop_edges": int((edges["src"] == edges["dst"]).sum()),
        "edges_by_kind": {k: int(v) for k, v in edges["kind"].value_counts().reindex(list(KINDS), fill_value=0).items()},
        "interactions_by_kind": {k: int(v) for k, v in edges.groupby("kind", observed=False)["count"].sum()
                                 .reindex(list(KINDS), fill_value=0).items()},
        "time_range": ([None if np.isnan(x) else float(x) for x in (edges["first_ts"].min(), edges["last_ts"].max())]
                       if len(edges) else [None, None]),
    }


def write_tables(out: str | os.PathLike, *, interactions: pd.DataFrame, edges: pd.DataFrame,
                 vertices: pd.DataFrame, rejects: pd.DataFrame | None, inputs: Mapping[str, Any],
                 counts: Mapping[str, Any], parameters: Mapping[str, Any]) -> Workspace:
    """Write a complete workspace atomically: tables and manifest into a temporary folder, then rename.

    The one writer of workspaces (``kolgraph build`` and ``kolgraph neo4j pull`` both end here), so
    every workspace has the same files and manifest sections.
    """
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": _now(),
        "inputs": dict(inputs),
        "counts": dict(counts),
        "graph": graph_summary(edges, vertices),
        "parameters": dict(parameters),
        "packages": package_versions(),
        "files": {"interactions": "interactions.parquet", "edges": "edges.parquet",
                  "vertices": "vertices.parquet", "rejects": "rejects.csv"},
        "results": {},
    }
    if rejects is None:
        rejects = pd.DataFrame(columns=["file", "row", "category", "reason"])
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_dir, 0o777 & ~umask)
    try:
        interactions.to_parquet(tmp_dir / "interactions.parquet", index=False)
        edges.to_parquet(tmp_dir / "edges.parquet", index=False)
        vertices.to_parquet(tmp_dir / "vertices.parquet", index=False)
        rejects.to_csv(tmp_dir / "rejects.csv", index=False, encoding="utf-8")
        (tmp_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                                        encoding="utf-8")
        _swap_into_place(tmp_dir, target)
    finally:
        if tmp_dir.exists():
            shutil.rmtree(tmp_dir, ignore_errors=True)
    return Workspace(target)


def write_workspace(out: str | os.PathLike, interactions: IngestResult, users: IngestResult | None = None, *,
                    kind_weights: Mapping[str, float] | None = None,
                    parameters: Mapping[str, Any] | None = None) -> Workspace:
    """Write validated tables, the graph tables, rejects and the manifest as a new workspace."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    weights = {**DEFAULT_KIND_WEIGHTS, **(kind_weights or {})}
    unknown = set(weights) - set(KINDS)
    if unknown:
        raise InputError("--kind-weight", f"unknown kind(s) {', '.join(sorted(unknown))}")
    users_frame = users.frame if users is not None else None
    frame = interactions.frame
    codes, names = factorize_ids(*([users_frame["user_id"]] if users_frame is not None and len(users_frame) else []),
                                 frame["src"], frame["dst"])
    edges = collapse_interactions(frame, names=names, codes=(codes[-2], codes[-1]), kind_weights=weights)
    vertices = pd.DataFrame({"user_id": names.astype("str")})
    if users_frame is not None:
        vertices = vertices.merge(users_frame, on="user_id", how="left")
    for column, dtype in (("display_name", "str"), ("followers", "float64"), ("verified", "float64")):
        if column not in vertices:
            vertices[column] = pd.Series(np.nan if dtype == "float64" else None, index=vertices.index, dtype=dtype)
    parts = [r.rejects for r in (interactions, users) if r is not None and len(r.rejects)]
    return write_tables(
        target, interactions=frame, edges=edges, vertices=vertices,
        rejects=pd.concat(parts, ignore_index=True) if parts else None,
        inputs={"interactions": [f.to_dict() for f in interactions.files],
                "users": [f.to_dict() for f in users.files] if users is not None else []},
        counts={"interactions": interactions.counts(), "users": users.counts() if users is not None else None},
        parameters={"kind_weights": weights, **dict(parameters or {})})


def build_workspace(interaction_paths: Sequence[str | os.PathLike] | str | os.PathLike, out: str | os.PathLike, *,
                    users_path: str | os.PathLike | None = None,
                    column_map: Mapping[str, str] | Sequence[str] | None = None,
                    user_column_map: Mapping[str, str] | Sequence[str] | None = None,
                    strict: bool = False, kind_weights: Mapping[str, float] | None = None,
                    rejects_path: str | os.PathLike | None = None, quiet: bool = True,
                    input_format: str | None = None, timezone: str | None = None,
                    reference_time: float | None = None) -> BuildReport:
    """Validate input files, build the graph and write a workspace at ``out``.

    Bad rows go to the rejects file (``out/rejects.csv``, and also ``rejects_path`` if given) and
    are counted in the manifest; ``strict=True`` stops at the first bad row instead.
    """
    if isinstance(interaction_paths, (str, os.PathLike)):
        interaction_paths = [interaction_paths]
    inter, users = read_inputs(interaction_paths, users_path=users_path, column_map=column_map,
                               user_column_map=user_column_map, strict=strict, quiet=quiet,
                               input_format=input_format, timezone=timezone, reference_time=reference_time)
    params = {"strict": strict, "column_map": dict(column_map) if isinstance(column_map, Mapping) else list(column_map or []),
              "input_format": input_format, "timezone": inter.info.get("timezone", timezone), "reference_time": reference_time,
              "inputs_detected": inter.info.get("detected", []), "export": inter.info.get("resolution", {})}
    ws = write_workspace(out, inter, users, kind_weights=kind_weights, parameters=params)
    rejects = ws.path / "rejects.csv"
    if rejects_path is not None:
        with atomic_path(rejects_path) as tmp:
            shutil.copyfile(rejects, tmp)
        rejects = Path(rejects_path)
    return BuildReport(workspace=ws, interactions=inter, users=users, rejects_path=rejects)
