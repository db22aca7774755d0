"""Result folders committed as a whole: written into a temporary folder, stamped, renamed into place.

Every run over a workspace (``analysis/``, ``whatif/``, ``score/``) writes its files into
``WORKSPACE/.<name>.tmp-<token>/``, records each file's sha256, size and row count in a stamp
(``<stamp>.json``, with a fresh ``run_id``), and then swaps the folder into place with renames.
A kill at any point leaves either the previous complete folder or the new complete one:

- before the swap, the old folder is untouched and the temporary one is removed on the next write;
- between the two renames (old moved aside, new not yet in place), readers find no folder but a
  complete ``.<name>.old-<token>`` beside it, and :func:`recover_folder` moves it back.

Readers open a folder through :func:`open_result`, which checks that every file listed in the
stamp exists with the recorded size (cheap) and, with ``verify=True``, its sha256 (reads every byte).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from .._io import json_default
from ..errors import WorkspaceError

__all__ = ["ResultFolder", "FileRecord", "commit_result", "open_result", "recover_folder",
           "remove_stale_temporaries", "file_record", "sha256_file", "new_run_id", "swap_into_place"]



def new_run_id() -> str:
    """A fresh run id: UTC time to the second plus 8 random hex digits (sortable, unique)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileRecord:
    """One file of a result folder or workspace: relative path, size in bytes, sha256, row count."""

    path: str
    bytes: int
    sha256: str
    rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256, "rows": self.rows}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "FileRecord":
        return cls(path=str(d["path"]), bytes=int(d["bytes"]), sha256=str(d["sha256"]),
                   rows=None if d.get("rows") is None else int(d["rows"]))


def file_record(root: Path, path: Path, rows: int | None = None) -> FileRecord:
    """The record of ``path`` (inside ``root``): size, sha256 and the given row count."""
    return FileRecord(path=path.relative_to(root).as_posix(), bytes=path.stat().st_size,
                      sha256=sha256_file(path), rows=rows)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove ``.<name>.tmp-*`` and superseded ``.<name>.old-*`` folders of killed writers beside ``target``.

    A temporary folder carries its writer's pid in its name (``.<name>.tmp-<pid>-<token>``); it is
    removed when that process no longer runs. Returns the folders removed.
    """
    removed: list[Path] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    for prefix in (f".{target.name}.tmp-", f".{target.name}.old-"):
        for entry in parent.glob(prefix + "*"):
            if not entry.is_dir():
                continue
            if prefix.endswith(".old-") and not target.exists():
                continue  # the only complete copy: recover_folder moves it back
            pid_text = entry.name[len(prefix):].split("-", 1)[0]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
                continue  # a live writer's folder
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def recover_folder(target: Path) -> bool:
    """If a swap was interrupted after the old folder moved aside, move it back. True if recovered."""
    if target.exists():
        return False
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not olds:
        return False
    try:
        os.replace(olds[-1], target)
    except OSError:
        return False
    return True


def swap_into_place(tmp_dir: Path, target: Path) -> None:
    """Rename the finished ``tmp_dir`` onto ``target`` (an existing folder there is moved aside, then removed)."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
        os.replace(tmp_dir, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, target)


@dataclass
class ResultFolder:
    """A result folder being written: add files under :attr:`path`, then :func:`commit_result` stamps it."""

    path: Path
    target: Path
    run_id: str
    rows: dict[str, int | None] = field(default_factory=dict)

    def file(self, relative: str, rows: int | None = None) -> Path:
        """The path to write ``relative`` at (inside the temporary folder); ``rows`` is recorded in the stamp."""
        out = self.path / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        self.rows[relative] = rows
        return out


@contextlib.contextmanager
def commit_result(target: str | os.PathLike, stamp: str, info: Mapping[str, Any] | None = None) -> Iterator[ResultFolder]:
    """Write a result folder as a whole.

    ``with commit_result(ws.path / "analysis", "analysis.json", info) as out:`` gives a
    :class:`ResultFolder`; write files at ``out.file("users.parquet", rows=n)``. On success the stamp
    ``stamp`` (``info`` plus ``run_id`` and a record of every file) is written last and the folder is
    renamed into place; on error the temporary folder is removed and the old result stays.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    recover_folder(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    folder = ResultFolder(path=tmp, target=target, run_id=new_run_id())
    try:
        yield folder
        records = {rel: file_record(tmp, tmp / rel, rows).to_dict() for rel, rows in folder.rows.items()
                   if (tmp / rel).is_file()}
        body = {**dict(info or {}), "run_id": folder.run_id, "kolgraph_result": target.name, "files": records}
        (tmp / stamp).write_text(json.dumps(body, ensure_ascii=False, indent=2, default=json_default) + "\n",
                                 encoding="utf-8")
        swap_into_place(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def open_result(folder: str | os.PathLike, stamp: str, *, verify: bool = False,
                missing: type[WorkspaceError] = WorkspaceError, what: str = "result",
                hint: str = "") -> dict[str, Any]:
    """Read a committed result folder's stamp and check its files: sizes always, sha256 when ``verify``.

    Raises ``missing`` (a :class:`WorkspaceError` subclass) when the folder or stamp is absent, and
    :class:`WorkspaceError` naming the file when a file is missing, truncated, changed or foreign.
    """
    folder = Path(folder)
    recover_folder(folder)
    stamp_path = folder / stamp
    if not stamp_path.is_file():
        raise missing(f"{folder}: no complete {what} here{hint}")
    try:
        body = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{stamp_path}: damaged ({exc}){hint}") from None
    files = body.get("files")
    if not isinstance(files, Mapping) or "run_id" not in body:
        raise missing(f"{stamp_path}: written by an older kolgraph (no run id or file records){hint}")
    for rel, rec in files.items():
        record = FileRecord.from_dict(rec)
        path = folder / record.path
        if not path.is_file():
            raise WorkspaceError(f"{path}: missing from the {what} (run {body['run_id']}){hint}")
        size = path.stat().st_size
        if size != record.bytes:
            raise WorkspaceError(f"{path}: {size:,} bytes, the {what} recorded {record.bytes:,} "
                                 f"(truncated or edited after run {body['run_id']}){hint}")
        if verify and sha256_file(path) != record.sha256:
            raise WorkspaceError(f"{path}: contents changed after run {body['run_id']} (sha256 mismatch){hint}")
    return body
