"""Opening inputs: readability checks, hashing, text decoding and the errors that name the line.

A truncated ``.gz`` or bytes that decode under no supported encoding stop the build with one
line naming the file (and the line), never a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from ...errors import InputError

__all__ = ["sha256_of", "remember_sha256", "file_identity", "open_binary", "check_readable", "bad_encoding_error", "READ_ERRORS", "read_failure"]

#: Exceptions a damaged compressed stream raises while it is read.
READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


#: Digests of files a reader already streamed whole (see :func:`remember_sha256`), by file identity.
_STREAMED: dict[tuple, str] = {}


def _identity(path: Path) -> tuple:
    stat = Path(path).stat()
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), from a reader that streamed the same unchanged file if one did
    (so a large export is read once, not twice), else read here."""
    try:
        known = _STREAMED.pop(_identity(path), None)
    except OSError:
        known = None
    if known is not None:
        return known
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def remember_sha256(path: Path, identity: tuple, hexdigest: str) -> None:
    """Record the digest of every byte of ``path`` as streamed by a reader; kept only if the file
    is still the one whose ``identity`` (:func:`file_identity`) was taken before it was read."""
    try:
        if _identity(path) == identity:
            _STREAMED[identity] = hexdigest
    except OSError:
        pass


def file_identity(path: Path) -> tuple:
    """What tells a file apart from an edited copy of itself: resolved path, size, mtime, inode."""
    return _identity(path)


def open_binary(path: Path, gz: bool):
    return gzip.open(path, "rb") if gz else path.open("rb")


def check_readable(path: Path, gz: bool) -> None:
    if not path.exists():
        raise InputError(str(path), "file not found")
    if path.is_dir():
        raise InputError(str(path), "is a folder, not a file")
    try:
        with open_binary(path, gz) as fh:
            head = fh.read(4)
    except PermissionError:
        raise InputError(str(path), "cannot read the file: permission denied") from None
    except (OSError, *READ_ERRORS) as exc:
        raise read_failure(path, exc) from None
    if not head or head == b"\xef\xbb\xbf":
        raise InputError(str(path), "the file is empty")


def read_failure(path: Path, exc: BaseException) -> InputError:
    """The one-line error for a file that breaks while read (truncated gzip, damaged stream)."""
    if isinstance(exc, EOFError) or "end-of-stream" in str(exc):
        return InputError(str(path), "the compressed file is truncated (it ends before the end-of-stream "
                                     "marker); copy or download it again")
    return InputError(str(path), f"cannot read the file: {exc}")


def bad_encoding_error(path: Path, gz: bool, encoding: str) -> InputError:
    """Find the first line that does not decode (error path only, so a loop is fine)."""
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    label = {"utf-8": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}.get(codec, codec)
    if codec == "utf-16":
        return InputError(str(path), "the file is not valid UTF-16 (it starts with a UTF-16 byte-order mark); "
                                     "save it as UTF-8")
    try:
        with open_binary(path, gz) as fh:
            for lineno, line in enumerate(fh, start=1):
                try:
                    line.decode(codec)
                except UnicodeDecodeError as exc:
                    return InputError(str(path), f"line {lineno} is not valid {label} (byte {exc.start}: "
                                                 f"{line[exc.start:exc.start + 4]!r}) nor any encoding kolgraph "
                                                 "reads (UTF-8, UTF-16 with BOM, GB18030); save the file as UTF-8",
                                      row=None)
    except READ_ERRORS as exc:
        return read_failure(path, exc)
    return InputError(str(path), f"the file is not valid {label}; save it as UTF-8")
