"""Platform exports in: twarc2 / X API v2, Twitter API v1.1, Weibo crawlers.

:func:`read_all` is what ``kolgraph build`` calls: it detects each input (or takes
``--input-format``), reads generic tables with :mod:`kolgraph.build.readers` and exports with the
importers here, resolves screen names and post ids across all inputs of the build, and accounts
for every record (kept, rejected with a reason, duplicate) per file. See ``docs/importers.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ...times import WEIBO_TIMEZONE
from ..formats import EXPORT_FORMATS, WEIBO_FORMATS, Detected, detect_input, folder_files
from ..readers import (CHUNK_ROWS, FileCounts, IngestResult, Source, generic_source, parse_column_map,
                       read_users)
from ..readers.accounting import ingest_sources
from ..readers.source import sha256_of
from . import twitter, weibo
from .base import UNRESOLVED_PREFIX, ExportIndex, resolve

__all__ = ["read_all", "IMPORTERS", "export_source", "EXPORT_CHUNK_ROWS"]

#: Export format -> reader(path, gz, encoding, index, chunk_rows, stats) yielding raw row chunks.
IMPORTERS = {
    "twitter-v2": twitter.read_twitter_v2,
    "twitter-v2-flat": twitter.read_twitter_v2_flat,
    "twitter-v1": twitter.read_twitter_v1,
    "twitter-v1-tree": twitter.read_twitter_v1_tree,
    "weibo-crawler": weibo.read_weibo_crawler,
    "weibo-crawler-users": weibo.read_weibo_crawler_users,
    "weibo-crawler-comments": weibo.read_weibo_crawler_comments,
    "weibo-crawler-reposts": weibo.read_weibo_crawler_reposts,
    "weibo-crawler-sqlite": weibo.read_weibo_crawler_sqlite,
    "weibo-search": weibo.read_weibo_search,
    "weibospider": weibo.read_weibospider,
}
assert set(IMPORTERS) == set(EXPORT_FORMATS)
#: Interaction rows an importer buffers before handing them on for validation.
EXPORT_CHUNK_ROWS = 200_000


def _tree_hash(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0" + bytes.fromhex(sha256_of(file)))
    return digest.hexdigest()


def export_source(path: Path, detected: Detected, index: ExportIndex, *, chunk_rows: int, default_tz: str,
                  reference: float | None) -> Source:
    """An export file (or folder) as a :class:`Source` whose chunks come from its importer."""
    reader = IMPORTERS[detected.format]
    encoding = detected.encoding or "utf-8"
    if encoding == "utf-8" and detected.format.startswith("weibo") and detected.format != "weibospider":
        encoding = "utf-8-sig"
    # a file's hash is asked for once its chunks are read: a reader that streamed it whole has it by then
    source = Source(path=str(path), sha256=_tree_hash(path) if path.is_dir() else (lambda: sha256_of(path)),
                    format=detected.format + (".gz" if detected.gz else ""), encoding=detected.encoding,
                    chunks=lambda: iter(()), default_tz=default_tz, generic=False)
    extra = {"reference": reference, "tz": default_tz} if detected.format == "weibospider" else {}
    # rows wait as Python tuples until a chunk is full: smaller chunks than a table's keep that bounded
    rows = min(chunk_rows, EXPORT_CHUNK_ROWS)
    source.chunks = lambda: reader(path, detected.gz, encoding, index, rows, source.stats, **extra)
    return source


def read_all(paths: Sequence[str | os.PathLike], *, users_path=None,
             column_map: Mapping[str, str] | Sequence[str] | None = None,
             user_column_map: Mapping[str, str] | Sequence[str] | None = None, strict: bool = False,
             quiet: bool = True, input_format: str | None = None, timezone: str | None = None,
             reference_time: float | None = None, chunk_rows: int = CHUNK_ROWS
             ) -> tuple[IngestResult, IngestResult | None]:
    """Read every input of a build: (interactions, users or None). See :func:`kolgraph.build.readers.read_inputs`."""
    if not paths:
        raise InputError("(no input)", "no input files given")
    if column_map is not None and not isinstance(column_map, Mapping):
        column_map = parse_column_map(column_map)
    if timezone is not None:
        try:
            pd.Timestamp("2026-01-01").tz_localize(timezone)
        except Exception:
            raise InputError("--timezone", f"unknown time zone {timezone!r} (use an IANA name such as "
                                           "Asia/Shanghai or UTC)") from None
    index = ExportIndex()
    sources: list[Source] = []
    detections: list[dict] = []
    expanded: list[Path] = []
    for path_like in paths:
        path = Path(path_like)
        if path.is_dir() and input_format is None and detect_input(path).format == "folder":
            expanded.extend(folder_files(path))
        else:
            expanded.append(path)
    for path in expanded:
        detected = detect_input(path, input_format)
        is_weibo = detected.format in WEIBO_FORMATS
        tz = timezone or (WEIBO_TIMEZONE if is_weibo else "UTC")
        detections.append({"path": str(path), "format": detected.format, "gzip": detected.gz,
                           "encoding": detected.encoding, "why": detected.reason, "timezone": tz})
        if detected.format in IMPORTERS:
            sources.append(export_source(path, detected, index, chunk_rows=chunk_rows, default_tz=tz,
                                         reference=reference_time))
        else:
            sources.append(generic_source(path, detected, chunk_rows=chunk_rows, default_tz=tz))
    has_exports = any(not s.generic for s in sources)
    resolution: dict = {}

    def finalize(frame: pd.DataFrame):
        frame, reasons, stats = resolve(frame, index)
        resolution.update(stats)
        return frame, reasons

    inter = ingest_sources(sources, kind="interactions", column_map=column_map, strict=strict, quiet=quiet,
                           reference=reference_time, finalize=finalize if has_exports else None,
                           tz_given=timezone is not None)
    warnings = list(inter.warnings)
    if resolution.get("unresolved_users"):
        warnings.append(f"{resolution['unresolved_users']:,} screen name(s) in {resolution['names_unresolved']:,} "
                        "row end(s) matched no user of the export; kept as '@name' users")
    info = {"detected": detections,
            "timezone": timezone or ", ".join(sorted({d["timezone"] for d in detections})) + " (default)", "reference_time": reference_time,
            "resolution": {k: v for k, v in resolution.items() if k != "unresolved_names"},
            "unresolved_names": resolution.get("unresolved_names", [])[:1000]}
    inter = IngestResult(frame=inter.frame, rejects=inter.rejects, files=inter.files, warnings=tuple(warnings),
                         info=info)
    table = read_users(users_path, column_map=user_column_map, strict=strict, quiet=quiet) if users_path else None
    if not has_exports:
        return inter, table
    return inter, _merge_users(index, inter.frame, table)


def _merge_users(index: ExportIndex, frame: pd.DataFrame, table: IngestResult | None) -> IngestResult:
    seen = index.users_frame()
    exported = pd.DataFrame({
        "user_id": seen["user_id"].astype(str),
        "display_name": seen["display_name"].where(seen["display_name"].notna(), seen["handle"]),
        "followers": seen["followers"].astype("float64"),
        "verified": seen["verified"].astype("float64"),
    })
    # every id at either end of a kept row, in order of first appearance (column-wise: no Python string per row)
    ends = [pa.array(frame[c], pa.string(), from_pandas=True) for c in ("src", "dst")]
    ids = pc.unique(pa.chunked_array([piece for end in ends
                                      for piece in (end.chunks if isinstance(end, pa.ChunkedArray) else [end])],
                                     pa.string()))
    # Users the export mentions but who took part in no kept interaction would be isolated vertices.
    taking_part = pc.is_in(pa.array(exported["user_id"], pa.string(), from_pandas=True), value_set=ids)
    exported = exported[taking_part.to_numpy(zero_copy_only=False)]
    unresolved = pc.filter(ids, pc.fill_null(pc.starts_with(ids, UNRESOLVED_PREFIX), False)).to_pylist()
    if unresolved:
        exported = pd.concat([exported, pd.DataFrame({
            "user_id": unresolved, "display_name": [u[len(UNRESOLVED_PREFIX):] for u in unresolved],
            "followers": np.nan, "verified": np.nan})], ignore_index=True)
    counts = FileCounts("(users seen in the exports)", "", "export-users", len(exported), len(exported), 0, 0,
                        detail={"unresolved_name_users": len(unresolved)})
    if table is None:
        return IngestResult(frame=exported.reset_index(drop=True), rejects=pd.DataFrame(columns=["file", "row",
                            "category", "reason"]), files=(counts,))
    given = table.frame.set_index("user_id")
    merged = given.combine_first(exported.set_index("user_id")).reset_index()
    return IngestResult(frame=merged[["user_id", "display_name", "followers", "verified"]], rejects=table.rejects,
                        files=table.files + (counts,), warnings=table.warnings)
