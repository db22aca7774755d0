"""Row accounting: every input row ends kept, rejected (with file, row and reason) or duplicate.

``kept + rejected + duplicate == read`` holds per file and in total. Row numbers are 1-based data
rows (row 1 is the first row after the header; for JSON Lines, the first line; for platform
exports, the record's number as the importer reports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import InputError
from ...progress import progress
from ...schema import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, USER_COLUMNS
from .validate import raw_for_rejects, to_text, validate_interactions, validate_users

__all__ = ["FileCounts", "IngestResult", "Source", "ingest_sources", "REJECT_COLUMNS", "INTERACTION_COLUMNS"]

REJECT_COLUMNS = ("file", "row", "category", "reason")
INTERACTION_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS + ("platform_type",)


@dataclass(frozen=True)
class FileCounts:
    """Row accounting for one input file: ``kept + rejected + duplicate == read``.

    ``format`` is what was read (detected or forced), ``encoding`` the text encoding found, and
    ``records`` (platform exports only) how many records (tweets, posts, comments) the file held:
    a record gives zero or more interaction rows, or one rejected row.
    """

    path: str
    sha256: str
    format: str
    read: int
    kept: int
    rejected: int
    duplicate: int
    encoding: str | None = None
    records: int | None = None
    detail: Mapping[str, int] | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class IngestResult:
    """Validated rows of one or more files, with the rejects and per-file counts.

    ``frame`` has canonical columns: for interactions ``src, dst, kind, timestamp, text, sentiment,
    post_id, weight`` (+ ``platform_type`` for platform exports; ids and text as strings, timestamp
    in epoch seconds, sentiment in [-1, 1], weight > 0, NaN where absent); for users ``user_id,
    display_name, followers, verified``. ``rejects`` holds ``file, row, category ('rejected' or
    'duplicate'), reason`` plus the raw values. ``warnings`` are one-line notes for the user.
    """

    frame: pd.DataFrame
    rejects: pd.DataFrame
    files: tuple[FileCounts, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()
    info: Mapping[str, object] = field(default_factory=dict)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicate(self) -> int:
        return sum(f.duplicate for f in self.files)

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "kept": self.kept, "rejected": self.rejected, "duplicate": self.duplicate}


@dataclass
class Source:
    """One input to account for: its chunks of raw rows and what is known about it.

    ``chunks`` yields (first_row_number, frame of raw values); ``default_tz`` applies to times
    without an offset; ``stats`` may be filled by an importer while its chunks are read.
    """

    path: str
    #: the file's hash, or a function giving it once the chunks are read (a reader may hash as it streams)
    sha256: str | Callable[[], str]
    format: str
    encoding: str | None
    chunks: Callable[[], Iterator[tuple[int, pd.DataFrame]]]
    default_tz: str = "UTC"
    generic: bool = True
    stats: dict = field(default_factory=dict)


def _rename(frame: pd.DataFrame, column_map: Mapping[str, str], path: str, row0: int) -> pd.DataFrame:
    if not column_map:
        return frame
    stripped = {c.strip(): c for c in frame.columns}
    missing = [src for src in column_map if src not in stripped]
    if missing and row0 == 1:
        raise InputError(path, f"--column names file column(s) not present: {', '.join(missing)}; "
                               f"the file has: {', '.join(map(str, frame.columns))}")
    return frame.rename(columns={stripped[s]: c for s, c in column_map.items() if s in stripped})


def _check_columns(frame: pd.DataFrame, required: Sequence[str], path: str, hint: str) -> None:
    present = {str(c).strip() for c in frame.columns}
    missing = [c for c in required if c not in present]
    if missing:
        shown = [str(c) for c in frame.columns if not str(c).startswith("__")]
        raise InputError(path, f"header: missing required column(s) {', '.join(missing)}; the file has "
                               f"{', '.join(shown) or 'no columns'}{hint}")


def _duplicated_strings(values: pd.Series) -> np.ndarray:
    """``Series.duplicated(keep="first")`` for string ids via Arrow hashing (fast at 10M rows)."""
    from ..graph import factorize_ids

    (codes,), uniques = factorize_ids(values)
    if len(uniques) == len(codes):
        return np.zeros(len(codes), dtype=bool)
    first = np.full(len(uniques), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first[codes] != np.arange(len(codes))


def _reject_frame(raw: pd.DataFrame, bad: np.ndarray, reasons: np.ndarray, rows: np.ndarray, path: str,
                  columns: Sequence[str], category: str = "rejected") -> pd.DataFrame:
    rej = raw_for_rejects(raw, bad, columns)
    rej.insert(0, "reason", reasons[bad])
    rej.insert(0, "category", category)
    rej.insert(0, "row", rows[bad])
    rej.insert(0, "file", path)
    return rej


Finalizer = Callable[[pd.DataFrame], tuple[pd.DataFrame, np.ndarray]]


def ingest_sources(sources: Iterable[Source], *, kind: str, column_map: Mapping[str, str] | None,
                   strict: bool, quiet: bool, reference: float | None = None,
                   finalize: Finalizer | None = None, tz_given: bool = False) -> IngestResult:
    """Validate, account for and de-duplicate the rows of every source.

    ``finalize`` (platform exports) sees all kept rows before de-duplication and returns them with
    a reason per row ("" = keep): how names and post ids are resolved across files.
    """
    required, columns, validate, hint, dedup_key = (
        (REQUIRED_COLUMNS, INTERACTION_COLUMNS, validate_interactions,
         "; rename with --column src=YOUR_COLUMN", "post_id")
        if kind == "interactions" else
        (("user_id",), USER_COLUMNS, validate_users, "; rename with --user-column user_id=YOUR_COLUMN", "user_id"))
    column_map = dict(column_map or {})
    kept_frames: list[pd.DataFrame] = []
    reject_frames: list[pd.DataFrame] = []
    provisional: list[dict] = []
    kind_cache: dict[str, str | None] = {}
    warnings: list[str] = []
    naive_total = 0
    sources = list(sources)
    if not sources:
        raise InputError("(no input)", "no input files given")
    for source in sources:
        read = 0
        naive = 0
        bar = progress(quiet=quiet, unit=" rows", unit_scale=True, desc=f"reading {Path(source.path).name}")
        for row0, raw in source.chunks():
            raw.columns = [str(c).strip() for c in raw.columns]
            if source.generic:
                raw = _rename(raw, column_map, source.path, row0)
            _check_columns(raw, required, source.path, hint if source.generic else "")
            good, reasons, n_naive = validate(raw, kind_cache, default_tz=source.default_tz, reference=reference)
            naive += n_naive
            rows = (raw["__row__"].to_numpy(dtype=np.int64) if "__row__" in raw
                    else np.arange(row0, row0 + len(raw)))
            bad = reasons != ""
            if bad.any():
                if strict:
                    first = int(np.flatnonzero(bad)[0])
                    raise InputError(source.path, str(reasons[first]) + " (--strict stops at the first bad row)",
                                     row=int(rows[first]))
                reject_frames.append(_reject_frame(raw, bad, reasons, rows, source.path, columns))
            keep = ~bad
            good = good.loc[keep].copy()
            if "__key__" in raw:
                # as it is (Arrow-backed from the column-wise importers): no Python string per row
                good["__key__"] = raw["__key__"].array[keep]
            good["__file__"] = len(provisional)
            good["__row__"] = rows[keep]
            kept_frames.append(good)
            read += len(raw)
            bar.update(len(raw))
        bar.close()
        if read == 0 and source.generic:
            raise InputError(source.path, "no data rows (only a header)")
        if source.generic:
            naive_total += naive
        sha256 = source.sha256() if callable(source.sha256) else source.sha256
        provisional.append({"path": source.path, "sha256": sha256, "format": source.format,
                            "read": read, "encoding": source.encoding, "stats": source.stats})
    if naive_total and not tz_given:
        warnings.append(f"{naive_total:,} timestamp(s) had no time zone; UTC was assumed "
                        "(give --timezone to read them in another zone)")
    frame = pd.concat(kept_frames, ignore_index=True) if kept_frames else pd.DataFrame()
    if finalize is not None and len(frame):
        frame, why = finalize(frame)
        late = why != ""
        if late.any():
            if strict:
                first = int(np.flatnonzero(late)[0])
                raise InputError(provisional[int(frame["__file__"].iat[first])]["path"],
                                 f"{why[first]} (--strict stops at the first bad row)",
                                 row=int(frame["__row__"].iat[first]))
            for i in np.unique(frame.loc[late, "__file__"].to_numpy()):
                mask = late & (frame["__file__"].to_numpy() == i)
                reject_frames.append(_reject_frame(frame, mask, why, frame["__row__"].to_numpy(),
                                                   provisional[i]["path"], columns))
            frame = frame.loc[~late].reset_index(drop=True)
    if len(frame):
        value_columns = [c for c in frame.columns if not c.startswith("__")]
        key_col = "__key__" if "__key__" in frame else dedup_key
        has_key = frame[key_col].notna().to_numpy() if key_col in frame else np.zeros(len(frame), bool)
        dup_key = np.zeros(len(frame), bool)
        if has_key.any():
            dup_key[has_key] = _duplicated_strings(frame.loc[has_key, key_col].astype(str))
        # Rows with the same key are caught above, and identical rows share their key, so the
        # (costly) whole-row comparison is only needed among rows without one.
        dup_row = np.zeros(len(frame), bool)
        no_key = ~has_key
        if kind == "interactions" and no_key.any():
            dup_row[no_key] = frame.loc[no_key, value_columns].duplicated(keep="first").to_numpy()
        dup = dup_key | dup_row
        if dup.any():
            key_label = ("same post, kind and target" if key_col == "__key__" else f"same {dedup_key}")
            dups = frame.loc[dup, value_columns].copy()
            for column in dups.columns:
                dups[column] = to_text(dups[column].astype(object) if isinstance(dups[column].dtype, pd.CategoricalDtype)
                                       else dups[column])
            dups.insert(0, "reason", np.where(dup_key[dup], f"duplicate ({key_label} as an earlier row)",
                                              "duplicate (identical to an earlier row)"))
            dups.insert(0, "category", "duplicate")
            dups.insert(0, "row", frame.loc[dup, "__row__"].to_numpy())
            dups.insert(0, "file", [provisional[i]["path"] for i in frame.loc[dup, "__file__"].to_numpy()])
            reject_frames.append(dups.reset_index(drop=True))
        file_index = frame["__file__"].to_numpy()
        dup_per_file = np.bincount(file_index[dup], minlength=len(provisional))
        kept_per_file = np.bincount(file_index[~dup], minlength=len(provisional))
        frame = frame.loc[~dup].drop(columns=[c for c in frame.columns if c.startswith("__")]).reset_index(drop=True)
    else:
        dup_per_file = kept_per_file = np.zeros(len(provisional), int)
    rejects = (pd.concat(reject_frames, ignore_index=True) if reject_frames
               else pd.DataFrame(columns=list(REJECT_COLUMNS)))
    files = []
    for i, info in enumerate(provisional):
        in_rejects = int((rejects["file"] == info["path"]).sum()) if len(rejects) else 0
        stats = info["stats"] or {}
        files.append(FileCounts(info["path"], info["sha256"], info["format"], info["read"], int(kept_per_file[i]),
                                in_rejects - int(dup_per_file[i]), int(dup_per_file[i]), encoding=info["encoding"],
                                records=stats.get("records"),
                                detail={k: int(v) for k, v in stats.items() if k != "records"} or None))
    if frame.empty and not len(rejects):
        records = sum((f.records or 0) for f in files)
        raise InputError(", ".join(s.path for s in sources),
                         f"no interactions in the input(s): {records:,} record(s) read, none is a repost, reply "
                         "or mention (a users-only export needs the posts export beside it)")
    if frame.empty:
        first = rejects.iloc[0] if len(rejects) else None
        detail = f"; first problem: row {first['row']}: {first['reason']}" if first is not None else ""
        raise InputError(", ".join(s.path for s in sources), f"no usable rows: all {sum(f.read for f in files)} "
                                                             f"rows were rejected{detail}")
    return IngestResult(frame=frame, rejects=rejects, files=tuple(files), warnings=tuple(warnings))
