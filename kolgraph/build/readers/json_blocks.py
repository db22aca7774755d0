"""JSON Lines in blocks: parsed column-wise by Arrow where the block is clean, line by line where not.

A platform export of a million records is read in blocks of a few MB. A block whose every line
starts with ``{`` and is valid UTF-8 goes to :func:`pyarrow.json.read_json` with an explicit
schema of only the fields an importer uses (unexpected fields are skipped, a value of another
type is an error). When Arrow cannot take the block as it is -- a truncated or broken line, a
value of an unexpected type, a blank line, two objects on one line -- that block alone is read
line by line with :func:`kolgraph.build.readers.jsonl.parse_json_line`, so each bad line still
becomes a counted reject naming its line, exactly as the per-record path reports it.

Memory holds one block (and its Arrow table) at a time.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from queue import Empty, Full, Queue
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.json as pj

from .jsonl import is_whole_document, parse_json_line
from .source import READ_ERRORS, bad_encoding_error, file_identity, open_binary, read_failure, remember_sha256

__all__ = ["JsonBlock", "iter_json_blocks", "BLOCK_BYTES", "block_eligible"]

#: Bytes per block (cut at the last newline); a block's Arrow table is a few times smaller.
BLOCK_BYTES = 16 << 20
_OPEN_BRACE = ord("{")
_NEWLINE = ord("\n")
_SCAN_STEP = 1 << 20  # below NumPy's 4 MiB huge-page threshold; few slices, few GIL hand-overs
#: Arrow's own threads within a block: its pieces (:data:`ARROW_PIECE_BYTES`) parsed in parallel. Off: on a
#: shared 2-core machine the read-ahead thread alone did better (measured at load 3: 4.4 against 4.7 s per 200k).
USE_THREADS = False
#: Piece of a block Arrow parses on one thread (when :data:`USE_THREADS`).
ARROW_PIECE_BYTES = 4 << 20
#: Blocks read ahead on a second thread (0: read in the caller's thread).
PREFETCH = 2


@dataclass
class JsonBlock:
    """One block of a JSON Lines file: ``table`` (Arrow, one row per line) or ``lines`` (the
    per-record fallback: ``(line number, value or None, error)`` for every line)."""

    first_line: int
    table: pa.Table | None = None
    lines: list[tuple[int, Any, str]] | None = None
    raw: bytes = b""
    source: tuple = ()

    def parse_lines(self) -> list[tuple[int, Any, str]]:
        """The block line by line (for a block Arrow read but the importer cannot take column-wise)."""
        if self.lines is None:
            self.lines = _lines(self.raw, self.first_line, *self.source)
        self.table = None
        return self.lines


def block_eligible(block: bytes, n_lines: int | None = None) -> bool:
    """Every line starts with ``{`` (no blank line, no leading space, no array or scalar line: Arrow
    skips blank lines and reads a top-level ``null`` as a row) and the bytes are valid UTF-8."""
    return _scan(block)[1]


def _scan(block: bytes) -> tuple[int, bool]:
    """(lines in the block, :func:`block_eligible`) in one pass over the bytes."""
    if not block:
        return 0, False
    data = np.frombuffer(block, dtype=np.uint8)
    n_lines, starts_ok = 1, bool(data[0] == _OPEN_BRACE)
    last = len(data) - 1
    # in slices: a block-sized temporary would be fresh memory (page faults) on every block
    for start in range(0, last, _SCAN_STEP):
        stop = min(start + _SCAN_STEP, last)
        newline = data[start:stop] == _NEWLINE  # newlines that have a next byte
        n_lines += int(np.count_nonzero(newline))
        if starts_ok:
            starts_ok = bool((data[start + 1:stop + 1][newline] == _OPEN_BRACE).all())
    if not starts_ok:
        return n_lines, False
    if not block.isascii():
        try:
            block.decode("utf-8")  # Arrow accepts invalid UTF-8 in fields it skips; the build must stop
        except UnicodeDecodeError:
            return n_lines, False
    return n_lines, True


def _lines(block: bytes, first_line: int, path: Path, gz: bool, encoding: str, huge_ints: bool
           ) -> list[tuple[int, Any, str]]:
    raws = block.split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    out = []
    for offset, raw in enumerate(raws):
        lineno = first_line + offset
        value, error = parse_json_line(raw, lineno, path, gz, encoding, huge_ints=huge_ints)
        out.append((lineno, value, error))
    return out


def iter_json_blocks(path: Path, gz: bool, encoding: str, schema: pa.Schema, *, block_bytes: int | None = None,
                     huge_ints: bool = False) -> Iterator[JsonBlock] | None:
    """Blocks of a UTF-8 JSON Lines file, or None when the file must be read record by record
    (another encoding, or one JSON document such as an array or a pretty-printed object)."""
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    if codec != "utf-8":
        return None
    try:
        with open_binary(path, gz) as fh:
            first = fh.read(1 << 16)
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None
    if is_whole_document(first, codec):
        return None
    return _blocks(path, gz, encoding, schema, block_bytes or BLOCK_BYTES, huge_ints)


def _blocks(path: Path, gz: bool, encoding: str, schema: pa.Schema, block_bytes: int, huge_ints: bool
            ) -> Iterator[JsonBlock]:
    """The blocks, read and parsed one step ahead on a second thread (Arrow's parser releases the
    GIL, so parsing the next block overlaps turning this one into rows). At most ``PREFETCH``
    blocks wait, so memory stays bounded; an error in the reader is raised here, in order."""
    if PREFETCH <= 0:
        yield from _read_blocks(path, gz, encoding, schema, block_bytes, huge_ints)
        return
    queue: Queue = Queue(maxsize=PREFETCH)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for block in _read_blocks(path, gz, encoding, schema, block_bytes, huge_ints):
                while not stop.is_set():
                    try:
                        queue.put(block, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)

    thread = threading.Thread(target=produce, name=f"json-blocks:{Path(path).name}", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(0.05)


def _read_blocks(path: Path, gz: bool, encoding: str, schema: pa.Schema, block_bytes: int, huge_ints: bool
                 ) -> Iterator[JsonBlock]:
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    piece = min(block_bytes, ARROW_PIECE_BYTES) if USE_THREADS else block_bytes
    read_options = pj.ReadOptions(use_threads=USE_THREADS, block_size=max(1 << 20, piece))
    line = 1
    rest = b""
    # an uncompressed file is hashed as it streams (its manifest entry needs the hash; see sha256_of)
    digest = None if gz else hashlib.sha256()
    try:
        identity = None if gz else file_identity(path)
        with open_binary(path, gz) as fh:
            at_start = True
            while True:
                chunk = fh.read(block_bytes)
                if digest is not None:
                    digest.update(chunk)
                if not chunk and not rest:
                    break
                if chunk:
                    cut = chunk.rfind(b"\n")
                    if cut < 0:
                        rest += chunk
                        continue
                    # one copy: the carried-over partial line and this chunk up to its last newline
                    block = b"".join((rest, memoryview(chunk)[:cut + 1])) if rest else chunk[:cut + 1]
                    rest = chunk[cut + 1:]
                else:
                    block, rest = rest, b""
                if at_start and block.startswith(b"\xef\xbb\xbf"):
                    block = block[3:]
                at_start = False
                n_lines, eligible = _scan(block)
                table = None
                if eligible:
                    try:
                        table = pj.read_json(pa.BufferReader(block), read_options=read_options, parse_options=options)
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                        table = None
                    if table is not None and table.num_rows != n_lines:
                        table = None  # two objects on one line: the line-by-line path says which
                source = (path, gz, encoding, huge_ints)
                if table is not None:
                    yield JsonBlock(line, table=table, raw=block, source=source)
                elif n_lines:
                    yield JsonBlock(line, lines=_lines(block, line, *source))
                line += n_lines
                if not chunk:
                    break
        if digest is not None:
            remember_sha256(path, identity, digest.hexdigest())
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
