"""The workspace: a folder holding validated tables, the graph and a manifest.

Layout::

    WORKSPACE/
      manifest.json          kolgraph's marker and format version, inputs (path, sha256, row counts),
                             parameters, package versions, and a record (bytes, sha256, rows) of every
                             table below
      interactions.parquet   the kept rows, normalised (src, dst, kind, timestamp, text, sentiment, post_id, weight)
      edges.parquet          the graph's edges: one row per (src, dst, kind), see build.graph
      vertices.parquet       the graph's vertices in vertex order: user_id, display_name, followers, verified
      graph.npz              the same edges as integer vertex codes and typed columns, for a fast load,
                             and each interaction's src/dst vertex positions (``interaction_src``/``_dst``)
      rejects.csv            every rejected or duplicate input row with file, row, category and reason
      analysis/, whatif/ ... outputs of later commands, each committed as a whole (kolgraph.runs.results)

:meth:`Workspace.graph` rebuilds the igraph graph from ``graph.npz`` + the vertex table (no id
hashing). Opening a workspace checks every recorded file's size (cheap); :meth:`Workspace.verify`
also checks their sha256. A new workspace is written into a temporary folder and renamed into
place, so an interrupted build never leaves a half-written workspace; ``-o`` replaces only a
folder that is a kolgraph workspace holding nothing kolgraph did not write there.
Later commands read the workspace, never the raw inputs.
"""

from __future__ import annotations

import contextlib
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
from .._io import atomic_path, dumps, write_json, write_table
from ..errors import InputError, KolgraphError, WorkspaceError
from ..schema import DEFAULT_KIND_WEIGHTS, KINDS
from .graph import collapse_interactions, factorize_ids, graph_from_arrays, graph_arrays, index_of
from .readers import IngestResult, read_inputs

__all__ = ["Workspace", "BuildReport", "build_workspace", "write_workspace", "write_tables", "graph_summary",
           "open_workspace", "as_workspace", "check_replaceable", "check_not_an_input",
           "package_versions", "MANIFEST", "FORMAT_VERSION", "MARKER", "RESULT_FOLDERS"]

MANIFEST = "manifest.json"
FORMAT_VERSION = 2
#: The manifest's ``kolgraph`` entry: says this folder was written by kolgraph as a workspace.
MARKER = "kolgraph-workspace"
#: Folders later commands write inside a workspace (each committed as a whole).
RESULT_FOLDERS = ("analysis", "whatif", "score", "calibration")
_TABLE_FILES = ("interactions.parquet", "edges.parquet", "vertices.parquet", "graph.npz", "rejects.csv")
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
        from ..runs.results import recover_folder

        self.path = Path(path)
        #: True when opening found an interrupted replace and moved the previous workspace back.
        self.recovered = recover_folder(self.path)
        manifest_path = self.path / MANIFEST
        if not manifest_path.is_file():
            raise KolgraphError(f"{self.path}: not a kolgraph workspace (no {MANIFEST}); "
                                "create one with `kolgraph build`")
        try:
            self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KolgraphError(f"{manifest_path}: damaged manifest ({exc})") from None
        marker = self.manifest.get("kolgraph", {}) if isinstance(self.manifest, dict) else {}
        if not isinstance(marker, dict) or marker.get("kind") != MARKER:
            raise WorkspaceError(f"{manifest_path}: not written by kolgraph (no workspace marker); "
                                 "create a workspace with `kolgraph build`")
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise WorkspaceError(f"{self.path}: workspace format {self.manifest.get('format_version')} is not "
                                 f"{FORMAT_VERSION}; rebuild it with this kolgraph version (`kolgraph build`)")
        self._check_files(hashes=False)

    def _check_files(self, *, hashes: bool) -> None:
        from ..runs.results import FileRecord, sha256_file

        for name, raw in self.manifest.get("tables", {}).items():
            record = FileRecord.from_dict(raw)
            path = self.path / record.path
            if not path.is_file():
                raise WorkspaceError(f"{path}: missing from the workspace; rebuild it with `kolgraph build`")
            size = path.stat().st_size
            if size != record.bytes:
                raise WorkspaceError(f"{path}: {size:,} bytes, the manifest recorded {record.bytes:,} "
                                     "(truncated or edited); rebuild the workspace with `kolgraph build`")
            if hashes and sha256_file(path) != record.sha256:
                raise WorkspaceError(f"{path}: contents changed since the build (sha256 mismatch); "
                                     "rebuild the workspace with `kolgraph build`")

    def verify(self) -> dict[str, Any]:
        """Check every table's sha256 against the manifest, and every committed result folder's files.

        Returns ``{"tables": n, "results": {name: run_id}}``; raises :class:`WorkspaceError` naming the
        first file that is missing, truncated or changed.
        """
        from ..runs.results import open_result

        self._check_files(hashes=True)
        results: dict[str, str] = {}
        for folder in RESULT_FOLDERS:
            path = self.path / folder
            stamps = sorted(path.glob("*.json")) if path.is_dir() else []
            for stamp in stamps:
                try:
                    body = json.loads(stamp.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise WorkspaceError(f"{stamp}: damaged") from None
                if isinstance(body, dict) and "run_id" in body and isinstance(body.get("files"), dict):
                    open_result(path, stamp.name, verify=True, what=folder)
                    results[folder] = str(body["run_id"])
        return {"tables": len(self.manifest.get("tables", {})), "results": results}

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

    def graph_arrays(self) -> dict[str, np.ndarray]:
        """The edges as typed arrays over vertex positions (``src``, ``dst``, ``kind`` codes, ``count``,
        ``weight``, ``first_ts``, ``last_ts``, ``sentiment``), in the graph's edge order.

        Read once per :class:`Workspace` and shared: the arrays are read-only.
        """
        return {k: v for k, v in self._npz.items() if not k.startswith("interaction_")}

    def interaction_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Vertex position (int64) of each interaction row's ``src`` and ``dst``, in the row order of
        :meth:`interactions`: the ids already looked up at build time, so no command hashes them again.
        Workspaces built before these arrays existed get them computed here."""
        if "interaction_src" in self._npz:
            return (self._npz["interaction_src"].astype(np.int64), self._npz["interaction_dst"].astype(np.int64))
        names = pd.Index(self.vertices()["user_id"].astype("str"))
        rows = self.interactions(columns=["src", "dst"])
        return index_of(names, rows["src"]), index_of(names, rows["dst"])

    @functools.cached_property
    def _npz(self) -> dict[str, np.ndarray]:
        with np.load(self.path / "graph.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        for values in arrays.values():
            values.flags.writeable = False
        return arrays

    @functools.cached_property
    def graph_(self) -> ig.Graph:
        """The cached graph (shared: do not mutate; :meth:`graph` gives a private copy)."""
        return graph_from_arrays(self.graph_arrays(), self.vertices())

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


def as_workspace(workspace: "Workspace | str | os.PathLike") -> Workspace:
    """The :class:`Workspace` for a workspace or a path to one (the one place paths become workspaces)."""
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def _own_entries(manifest: Mapping[str, Any]) -> set[str]:
    names = {MANIFEST, *_TABLE_FILES, *RESULT_FOLDERS}
    names.update(str(Path(r["path"]).parts[0]) for r in manifest.get("tables", {}).values())
    names.update(str(Path(v).parts[0]) for v in manifest.get("files", {}).values())
    return names


def check_replaceable(target: Path, *, force: bool = False) -> None:
    """Refuse to replace ``target`` unless it is a kolgraph workspace holding only what kolgraph wrote.

    An empty or absent folder is fine. A workspace of another format version (or a damaged
    manifest) needs ``force``. A folder with anything kolgraph did not write is never replaced.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise WorkspaceError(f"{target}: exists and is a file, not a workspace folder; choose another -o")
    entries = [p for p in target.iterdir()]
    if not entries:
        return
    manifest_path = target / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        manifest = None
    marked = isinstance(manifest, dict) and isinstance(manifest.get("kolgraph"), dict) \
        and manifest["kolgraph"].get("kind") == MARKER
    if manifest is None or not (marked or force):
        raise WorkspaceError(f"{target}: exists and is not a kolgraph workspace (no kolgraph manifest); "
                             "kolgraph replaces only its own workspaces: choose another -o folder")
    own = _own_entries(manifest)
    foreign = sorted(p.name for p in entries if p.name not in own and not p.name.startswith("."))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise WorkspaceError(f"{target}: holds files kolgraph did not write ({shown}); they would be deleted "
                             "by replacing the workspace: move them or choose another -o folder")
    if marked and manifest.get("format_version") != FORMAT_VERSION and not force:
        raise WorkspaceError(f"{target}: a workspace of format {manifest.get('format_version')} (this kolgraph "
                             f"writes {FORMAT_VERSION}); add --force to replace it")


def check_not_an_input(out: Path, inputs: Sequence[str | os.PathLike], option: str, *, folder: bool) -> None:
    """Refuse an output that is one of the inputs (or, for a folder output, contains one)."""
    out_r = Path(out).resolve()
    for item in inputs:
        path = Path(item).resolve()
        if path == out_r or (folder and out_r in path.parents):
            where = "is" if path == out_r else "contains"
            raise InputError(option, f"{out} {where} the input {item}; writing there would destroy it: "
                                     "choose another output")


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
    from ..runs.results import swap_into_place

    swap_into_place(tmp_dir, target)


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


@contextlib.contextmanager
def _writer_lock(target: Path):
    """One writer at a time per target folder (an advisory lock file beside it)."""
    import fcntl

    lock_path = target.parent / f".{target.name}.lock"
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkspaceError(f"{target}: another kolgraph process is writing this workspace now; "
                                 "wait for it to finish or choose another -o folder") from None
        yield
    finally:
        fh.close()


def write_tables(out: str | os.PathLike, *, interactions: pd.DataFrame, edges: pd.DataFrame,
                 vertices: pd.DataFrame, rejects: pd.DataFrame | None, inputs: Mapping[str, Any],
                 counts: Mapping[str, Any], parameters: Mapping[str, Any], force: bool = False,
                 interaction_codes: tuple[np.ndarray, np.ndarray] | None = None) -> Workspace:
    """Write a complete workspace atomically: tables and manifest into a temporary folder, then rename.

    ``interaction_codes``: each interaction's src/dst position in ``vertices`` when the caller has
    them already (else they are looked up here).

    The one writer of workspaces (``kolgraph build`` and ``kolgraph neo4j pull`` both end here), so
    every workspace has the same files and manifest sections. ``out`` may be replaced only if it is
    a kolgraph workspace with nothing foreign in it (:func:`check_replaceable`).
    """
    from ..runs.results import file_record, remove_stale_temporaries

    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target, force=force)
    if rejects is None:
        rejects = pd.DataFrame(columns=["file", "row", "category", "reason"])
    with _writer_lock(target):
        remove_stale_temporaries(target)
        tmp_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_dir, 0o777 & ~umask)
        try:
            interactions.to_parquet(tmp_dir / "interactions.parquet", index=False)
            edges.to_parquet(tmp_dir / "edges.parquet", index=False)
            vertices.to_parquet(tmp_dir / "vertices.parquet", index=False)
            np.savez(tmp_dir / "graph.npz", **graph_arrays(edges, vertices),
                     **_interaction_codes(interactions, vertices, interaction_codes))
            from .._io import spreadsheet_safe

            spreadsheet_safe(rejects).to_csv(tmp_dir / "rejects.csv", index=False, encoding="utf-8")
            rows = {"interactions.parquet": len(interactions), "edges.parquet": len(edges),
                    "vertices.parquet": len(vertices), "graph.npz": len(edges), "rejects.csv": len(rejects)}
            manifest = {
                "kolgraph": {"kind": MARKER, "version": __version__},
                "format_version": FORMAT_VERSION,
                "created": _now(),
                "inputs": dict(inputs),
                "counts": dict(counts),
                "graph": graph_summary(edges, vertices),
                "parameters": dict(parameters),
                "packages": package_versions(),
                "files": {"interactions": "interactions.parquet", "edges": "edges.parquet",
                          "vertices": "vertices.parquet", "graph_arrays": "graph.npz", "rejects": "rejects.csv"},
                "tables": {name: file_record(tmp_dir, tmp_dir / name, n).to_dict() for name, n in rows.items()},
                "results": {},
            }
            (tmp_dir / MANIFEST).write_text(dumps(manifest) + "\n", encoding="utf-8")
            _swap_into_place(tmp_dir, target)
        finally:
            if tmp_dir.exists():
                shutil.rmtree(tmp_dir, ignore_errors=True)
    return Workspace(target)


def _interaction_codes(interactions: pd.DataFrame, vertices: pd.DataFrame,
                       known: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Each interaction's src and dst as vertex positions (int32 while they fit), stored in graph.npz."""
    if known is not None:
        src, dst = np.asarray(known[0], dtype=np.int64), np.asarray(known[1], dtype=np.int64)
        if src.shape != (len(interactions),) or dst.shape != (len(interactions),):
            raise ValueError(f"interaction codes must be two arrays of {len(interactions)} positions")
    else:
        names = pd.Index(vertices["user_id"].astype("str"))
        src, dst = index_of(names, interactions["src"]), index_of(names, interactions["dst"])
    if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= len(vertices)):
        raise InputError("(interactions)", "interaction ids missing from the vertex table")
    dtype = np.int32 if len(vertices) < 2**31 else np.int64
    return {"interaction_src": src.astype(dtype), "interaction_dst": dst.astype(dtype)}


def write_workspace(out: str | os.PathLike, interactions: IngestResult, users: IngestResult | None = None, *,
                    kind_weights: Mapping[str, float] | None = None,
                    parameters: Mapping[str, Any] | None = None, force: bool = False) -> Workspace:
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
        parameters={"kind_weights": weights, **dict(parameters or {})}, force=force,
        # the factorised codes are vertex positions while the users merge kept one row per id
        interaction_codes=(codes[-2], codes[-1]) if len(vertices) == len(names) else None)


def build_workspace(interaction_paths: Sequence[str | os.PathLike] | str | os.PathLike, out: str | os.PathLike, *,
                    users_path: str | os.PathLike | None = None,
                    column_map: Mapping[str, str] | Sequence[str] | None = None,
                    user_column_map: Mapping[str, str] | Sequence[str] | None = None,
                    strict: bool = False, kind_weights: Mapping[str, float] | None = None,
                    rejects_path: str | os.PathLike | None = None, quiet: bool = True,
                    input_format: str | None = None, timezone: str | None = None,
                    reference_time: float | None = None, force: bool = False) -> BuildReport:
    """Validate input files, build the graph and write a workspace at ``out``.

    Bad rows go to the rejects file (``out/rejects.csv``, and also ``rejects_path`` if given) and
    are counted in the manifest; ``strict=True`` stops at the first bad row instead.
    """
    if isinstance(interaction_paths, (str, os.PathLike)):
        interaction_paths = [interaction_paths]
    all_inputs = [*interaction_paths, *([users_path] if users_path else [])]
    check_not_an_input(Path(out), all_inputs, "-o", folder=True)
    if rejects_path is not None:
        check_not_an_input(Path(rejects_path), all_inputs, "--rejects", folder=False)
    check_replaceable(Path(out), force=force)  # before reading: a refusal should not wait for the ingest
    inter, users = read_inputs(interaction_paths, users_path=users_path, column_map=column_map,
                               user_column_map=user_column_map, strict=strict, quiet=quiet,
                               input_format=input_format, timezone=timezone, reference_time=reference_time)
    params = {"strict": strict, "column_map": dict(column_map) if isinstance(column_map, Mapping) else list(column_map or []),
              "input_format": input_format, "timezone": inter.info.get("timezone", timezone), "reference_time": reference_time,
              "inputs_detected": inter.info.get("detected", []), "export": inter.info.get("resolution", {})}
    ws = write_workspace(out, inter, users, kind_weights=kind_weights, parameters=params, force=force)
    rejects = ws.path / "rejects.csv"
    if rejects_path is not None:
        with atomic_path(rejects_path) as tmp:
            shutil.copyfile(rejects, tmp)
        rejects = Path(rejects_path)
    return BuildReport(workspace=ws, interactions=inter, users=users, rejects_path=rejects)
