"""The one input-format detector: file names, encodings and (for ``kolgraph build``) content.

Three callers agree through this module: the interaction readers (:mod:`kolgraph.build.readers`),
table output (:func:`kolgraph._io.write_table` / ``read_table``) and candidate lists
(:func:`kolgraph.candidates.detect_candidate_format`). A name says ``csv``, ``tsv``, ``jsonl``,
``json`` (one JSON document: an array of records, or one object), ``parquet`` or ``text`` (``.txt``:
one value a line for candidate lists; read as a delimited table by ``build``), each optionally
``.gz``. :func:`detect_input` then looks inside a ``build`` input to tell a generic table from a
platform export (twarc2 pages, Twitter v1.1, Weibo crawlers).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["folder_files", "FOLDER_FILES", "EXTENSIONS", "EXPORT_FORMATS", "GENERIC_FORMATS", "INPUT_FORMATS", "Detected", "format_from_name",
           "sniff_encoding", "detect_input", "WEIBO_FORMATS"]

#: File name endings and the format each names (compared lower-case, after removing ``.gz``).
EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".parquet": "parquet", ".pq": "parquet", ".txt": "text", ".list": "text",
}
#: Generic tables with src, dst, kind columns.
GENERIC_FORMATS: tuple[str, ...] = ("csv", "tsv", "jsonl", "json", "parquet", "text")
#: Platform exports :mod:`kolgraph.build.importers` reads, with what each is.
EXPORT_FORMATS: dict[str, str] = {
    "twitter-v2": "X/Twitter API v2 as twarc2 writes it: one API page (data + includes) per line",
    "twitter-v2-flat": "X/Twitter API v2, flattened by `twarc2 flatten`: one tweet per line",
    "twitter-v1": "Twitter API v1.1 tweets, one per line (or one per .json file)",
    "twitter-v1-tree": "a folder tree of Twitter v1.1 tweets, one per file (PHEME / RumourEval layout)",
    "weibo-crawler": "dataabc/weibo-crawler per-user CSV (<user_id>.csv)",
    "weibo-crawler-users": "dataabc/weibo-crawler users.csv",
    "weibo-crawler-comments": "dataabc/weibo-crawler comments table (CSV export of the sqlite table)",
    "weibo-crawler-reposts": "dataabc/weibo-crawler reposts table (CSV export of the sqlite table)",
    "weibo-crawler-sqlite": "dataabc/weibo-crawler sqlite file (weibodata.db: weibo, user, comments, reposts)",
    "weibo-search": "dataabc/weibo-search CSV (Chinese headers)",
    "weibospider": "nghuyong/WeiboSpider JSONL (tweets, reposts, comments)",
}
WEIBO_FORMATS = frozenset(f for f in EXPORT_FORMATS if f.startswith("weibo"))
INPUT_FORMATS: tuple[str, ...] = GENERIC_FORMATS + tuple(EXPORT_FORMATS)
_SNIFF_BYTES = 1 << 16


#: Files a folder given to ``build`` is expanded to (other than one-tweet ``.json`` trees).
FOLDER_FILES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".db", ".sqlite", ".gz")


def folder_files(path: Path) -> list[Path]:
    """The data files under a folder (sorted), for a folder of exports (e.g. weibo-crawler's ``weibo/``)."""
    return sorted(p for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_FILES
                  and not p.name.startswith("."))


def format_from_name(path: str | os.PathLike) -> tuple[str, bool]:
    """(format, gzipped) from a file name; :class:`InputError` for an unknown ending.

    >>> format_from_name("a/b.JSONL.gz"), format_from_name("x.txt"), format_from_name("t.json")
    (('jsonl', True), ('text', False), ('json', False))
    """
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for ext, fmt in EXTENSIONS.items():
        if name.endswith(ext):
            return fmt, gz
    raise InputError(str(path), "unknown file type: expected .csv, .tsv, .jsonl, .json, .parquet or .txt "
                                "(optionally .gz)")


@dataclass(frozen=True)
class Detected:
    """What :func:`detect_input` found: the format, whether gzipped, the text encoding and why."""

    format: str
    gz: bool
    encoding: str | None
    reason: str

    def describe(self) -> str:
        enc = f", {self.encoding}" if self.encoding else ""
        return f"{self.format}{' (gzip)' if self.gz else ''}{enc}: {self.reason}"


def sniff_encoding(head: bytes, *, complete: bool = False) -> str:
    """Text encoding of a file from its first bytes: utf-8-sig, utf-16 (BOM), utf-8 or gb18030.

    ``complete`` says ``head`` is the whole file (so a cut character at its end is an error).
    Bytes that are neither UTF-8 nor GB18030 give ``"utf-8"`` so the reader stops at the bad line.

    >>> sniff_encoding("中文".encode("gb18030")), sniff_encoding(b"\\xef\\xbb\\xbfa"), sniff_encoding(b"abc")
    ('gb18030', 'utf-8-sig', 'utf-8')
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=complete)
            return encoding
        except UnicodeDecodeError:
            continue
    return "utf-8"


def _head(path: Path, gz: bool) -> tuple[bytes, bool]:
    try:
        with (gzip.open(path, "rb") if gz else path.open("rb")) as fh:
            head = fh.read(_SNIFF_BYTES)
            complete = len(head) < _SNIFF_BYTES or not fh.read(1)
    except PermissionError:
        raise InputError(str(path), "cannot read the file: permission denied") from None
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from None
    return head, complete


def _first_line(path: Path, gz: bool, encoding: str, limit: int = 1 << 26) -> str:
    """The first non-blank line in full (a twarc2 page is one line of a few MB)."""
    with (gzip.open(path, "rb") if gz else path.open("rb")) as fh:
        for raw in iter(lambda: fh.readline(limit), b""):
            if raw.strip():
                return raw.decode(encoding, errors="replace").lstrip("\ufeff")
    return ""


def _first_json(text: str):
    import json

    line = text.lstrip().split("\n", 1)[0].strip()
    try:
        return json.loads(line)
    except ValueError:
        try:
            return json.loads(text)
        except ValueError:
            return None


def _json_kind(obj) -> tuple[str, str] | None:
    if isinstance(obj, list):
        obj = obj[0] if obj and isinstance(obj[0], dict) else None
    if not isinstance(obj, dict):
        return None
    keys = set(obj)
    if "data" in keys and ("includes" in keys or "meta" in keys or "__twarc" in keys):
        return "twitter-v2", "API pages with data/includes (twarc2)"
    if "author_id" in keys and "id" in keys and ("text" in keys or "author" in keys):
        return "twitter-v2-flat", "v2 tweets with author_id, one per line"
    if "id_str" in keys and isinstance(obj.get("user"), dict):
        return "twitter-v1", "v1.1 tweets with id_str and user"
    if "mblogid" in keys or "comment_user" in keys or ("crawl_time" in keys and "_id" in keys):
        return "weibospider", "WeiboSpider items (mblogid / comment_user / crawl_time)"
    return None


def _header_kind(header: list[str]) -> tuple[str, str] | None:
    cols = {c.strip() for c in header}
    if {"src", "dst", "kind"} <= cols:
        return None
    if "微博正文" in cols and "user_id" in cols:
        return "weibo-search", "weibo-search CSV header (user_id, 微博正文, 艾特用户, ...)"
    if "正文" in cols and ("是否原创" in cols or "完整日期" in cols or "@用户" in cols):
        return "weibo-crawler", "weibo-crawler CSV header (id, bid, 正文, ..., 是否原创)"
    if "用户id" in cols and "昵称" in cols:
        return "weibo-crawler-users", "weibo-crawler users.csv header (用户id, 昵称, 粉丝数, ...)"
    if {"weibo_id", "user_id", "user_screen_name", "text"} <= cols:
        if "root_id" in cols:
            return "weibo-crawler-comments", "weibo-crawler comments table columns"
        return "weibo-crawler-reposts", "weibo-crawler reposts table columns"
    return None


def detect_input(path: str | os.PathLike, forced: str | None = None) -> Detected:
    """Detect the format of one ``build`` input (a file or a folder) from its content.

    ``forced`` (``--input-format``) skips detection but still reads the encoding. Raises
    :class:`InputError` for a missing path or an unknown forced format.
    """
    path = Path(path)
    if forced is not None and forced not in INPUT_FORMATS:
        raise InputError("--input-format", f"unknown format {forced!r}; one of {', '.join(INPUT_FORMATS)}")
    if not path.exists():
        raise InputError(str(path), "file not found")
    if path.is_dir():
        if forced not in (None, "twitter-v1-tree"):
            raise InputError(str(path), f"is a folder; --input-format {forced} reads files")
        if forced or any(path.glob("**/source-tweet")) or (any(path.glob("**/*.json")) and not folder_files(path)):
            return Detected("twitter-v1-tree", False, "utf-8", "a folder of one-tweet .json files")
        if folder_files(path):
            return Detected("folder", False, None, "a folder of export files, each detected on its own")
        raise InputError(str(path), "is a folder without export files (.csv, .jsonl, .db, .parquet, ...); "
                                    "give the files instead")
    try:
        fmt, gz = format_from_name(path)
    except InputError:
        fmt, gz = "", path.name.lower().endswith(".gz")
    with path.open("rb") as fh:
        magic = fh.read(16)
    if magic[:2] == b"\x1f\x8b":
        gz = True
    if magic.startswith(b"PK\x03\x04"):
        raise InputError(str(path), "a zip/Excel file; save the sheet as CSV (UTF-8) or unzip the export first")
    if magic.startswith(b"SQLite format 3\x00"):
        return Detected(forced or "weibo-crawler-sqlite", False, None, "an SQLite database")
    if magic[:4] == b"PAR1":
        return Detected(forced or "parquet", gz, None, "Parquet magic bytes")
    head, complete = _head(path, gz)
    if head[:4] == b"PAR1" or (fmt == "parquet" and not forced):
        return Detected(forced or "parquet", gz, None, "Parquet" + (" magic bytes" if head[:4] == b"PAR1" else " by name"))
    if not head or head in (codecs.BOM_UTF8,):
        raise InputError(str(path), "the file is empty")
    encoding = sniff_encoding(head, complete=complete)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if forced:
        return Detected(forced, gz, encoding, "forced by --input-format")
    if text.lstrip()[:1] in ("{", "["):
        if not complete and "\n" not in text.lstrip():
            text = _first_line(path, gz, encoding)
        kind = _json_kind(_first_json(text))
        if kind:
            return Detected(kind[0], gz, encoding, kind[1])
        return Detected("json" if fmt == "json" and text.lstrip()[:1] == "[" else "jsonl", gz, encoding,
                        "JSON records")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    except (StopIteration, csv.Error):
        header = []
    kind = _header_kind(header)
    if kind:
        return Detected(kind[0], gz, encoding, kind[1])
    generic = "tsv" if delimiter == "\t" else "csv"
    if fmt in ("tsv", "csv"):
        generic = fmt
    return Detected(generic, gz, encoding, f"a {'tab' if generic == 'tsv' else 'comma'}-separated table")
