"""Labelled training data from files: CSV, TSV, JSONL/JSON, Parquet, weibo2018's mid,label,text.

File reading for the text models lives here, outside ``kolgraph/algorithms`` (which never reads
files; model files are :mod:`kolgraph.models.io`). :func:`train_file` and
:func:`evaluate_file` are what ``kolgraph stance train`` / ``evaluate`` call.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..algorithms.sentiment.labels import NEG_LABELS, NEU_LABELS, POS_LABELS, label_token, normalise_labels
from ..algorithms.sentiment.model import SentimentModel, load_model
from ..algorithms.sentiment.train import Evaluation, evaluate_model, train_model
from ..errors import InputError

__all__ = ["TEXT_COLUMNS", "LABEL_COLUMNS", "FORMATS", "LabelledData", "read_labelled", "read_frame",
           "pick_column", "train_file", "evaluate_file", "read_rumoureval", "read_attitude_file",
           "train_attitude_file"]

TEXT_COLUMNS = ("text", "review", "content", "sentence", "tweet", "post", "微博内容", "内容")
LABEL_COLUMNS = ("label", "stance", "sentiment", "polarity", "class", "标签")
FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "parquet", "mid-label-text")


@dataclass(frozen=True, eq=False)
class LabelledData:
    """Labelled texts read from a file: texts, label codes (-1/0/+1), optional targets, row numbers.

    ``rows`` are 1-based data rows (header excluded); ``skipped_rows`` had no label and were left out.
    """

    path: str
    texts: np.ndarray
    labels: np.ndarray
    targets: np.ndarray | None
    rows: np.ndarray
    skipped_rows: tuple[int, ...] = ()

    def __len__(self) -> int:
        return int(self.labels.size)


def read_labelled(
    path: str | os.PathLike,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
    fmt: str = "auto",
) -> LabelledData:
    """Read labelled texts from CSV, TSV, JSONL/JSON or Parquet (plain or ``.gz``, UTF-8, BOM ok).

    ``fmt="auto"`` picks by extension and, for ``.txt``/``.csv``/``.tsv``, by the first line: a
    headerless ``mid,label,text`` file (weibo2018; split on the first two commas only) is
    recognised by a numeric id and a label in the first two fields; a line with tabs is TSV (the
    NLPCC ``ID TARGET TEXT STANCE`` file). Columns default to the first of text/review/content
    and label/stance/sentiment present (case-insensitive); targets only when ``target_column`` is
    given. Rows with an empty label are skipped and listed in ``skipped_rows``.
    """
    p = Path(path)
    name = str(path)
    if fmt not in FORMATS:
        raise InputError(name, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a directory, not a file")
    kind = _detect_format(p, fmt)
    if kind == "mid-label-text":
        df, rows = _read_mid_label_text(p)
    else:
        df = read_frame(p, kind)
        rows = np.arange(1, len(df) + 1)
    if len(df) == 0:
        raise InputError(name, "no data rows")
    tcol = pick_column(df, text_column, TEXT_COLUMNS, "text", name)
    lcol = pick_column(df, label_column, LABEL_COLUMNS, "label", name)
    gcol = pick_column(df, target_column, (), "target", name) if target_column else None

    raw = df[lcol]
    raw_s = raw.astype("str").where(raw.notna(), "").str.strip()
    has_label = (raw_s != "").to_numpy()
    skipped = tuple(int(r) for r in rows[~has_label])
    keep = np.flatnonzero(has_label)
    if keep.size == 0:
        raise InputError(name, f"no row has a label in column {lcol!r}")
    labels = normalise_labels(raw.iloc[keep].tolist(), path=name, rows=rows[keep])
    texts = df[tcol].iloc[keep]
    texts = texts.where(texts.notna(), None).to_numpy(dtype=object)
    targets = None
    if gcol is not None:
        g = df[gcol].iloc[keep]
        targets = g.astype("str").where(g.notna(), "").str.strip().to_numpy(dtype=object)
    return LabelledData(name, texts, labels, targets, rows[keep], skipped)


def _open_text(p: Path) -> io.TextIOBase:
    raw = gzip.open(p, "rb") if p.name.lower().endswith(".gz") else open(p, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _base_ext(p: Path) -> str:
    suffixes = [s.lower().lstrip(".") for s in p.suffixes if s.lower() != ".gz"]
    return suffixes[-1] if suffixes else ""


_MID_LINE = re.compile(r"^\s*\d+\s*,\s*([^,\t]{1,12})\s*,")


def _detect_format(p: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    ext = _base_ext(p)
    if ext == "parquet":
        return "parquet"
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    if ext == "json":
        return "json"
    try:
        with _open_text(p) as fh:
            first = ""
            for line in fh:
                if line.strip():
                    first = line
                    break
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read as UTF-8 text ({exc})") from None
    if not first:
        raise InputError(str(p), "empty file")
    m = _MID_LINE.match(first)
    if m and label_token(m.group(1)) in (POS_LABELS | NEG_LABELS | NEU_LABELS | {"0"}):
        return "mid-label-text"
    if ext == "tsv" or "\t" in first:
        return "tsv"
    return "csv"


def _read_mid_label_text(p: Path) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        with _open_text(p) as fh:
            lines = pd.Series(fh.read().split("\n"), dtype="str").str.rstrip("\r")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read as UTF-8 text ({exc})") from None
    rows = np.arange(1, len(lines) + 1)
    nonblank = (lines.str.strip() != "").to_numpy()
    lines, rows = lines[nonblank].reset_index(drop=True), rows[nonblank]
    if len(lines) == 0:
        raise InputError(str(p), "empty file")
    parts = lines.str.split(",", n=2, expand=True)
    if parts.shape[1] < 3 or parts[2].isna().any():
        bad = 0 if parts.shape[1] < 3 else int(np.flatnonzero(parts[2].isna().to_numpy())[0])
        raise InputError(str(p), "expected 'mid,label,text' (at least two commas)", row=int(rows[bad]))
    df = pd.DataFrame({"mid": parts[0].str.strip(), "label": parts[1], "text": parts[2]})
    return df, rows


def read_frame(p: Path, kind: str) -> pd.DataFrame:
    name = str(p)
    try:
        if kind == "parquet":
            df = pd.read_parquet(p)
        elif kind in ("jsonl", "json"):
            df = pd.read_json(p, lines=kind == "jsonl", dtype=False, encoding="utf-8-sig",
                              compression="infer", orient=None if kind == "jsonl" else "records")
        else:
            df = pd.read_csv(p, sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False,
                             encoding="utf-8-sig", compression="infer")
    except pd.errors.EmptyDataError:
        raise InputError(name, "empty file") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise InputError(name, f"cannot parse as {kind.upper()} ({msg})") from None
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, EOFError, ValueError, ImportError) as exc:
        raise InputError(name, f"cannot read as {kind.upper()} ({exc})") from None
    if not isinstance(df, pd.DataFrame):
        raise InputError(name, f"expected a table of records, got {type(df).__name__}")
    df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
    return df


def pick_column(df: pd.DataFrame, given: str | None, defaults: Sequence[str], what: str, path: str) -> str:
    lower = {str(c).lower(): str(c) for c in df.columns}
    if given is not None:
        if given in df.columns:
            return given
        if given.lower() in lower:
            return lower[given.lower()]
        raise InputError(path, f"no {what} column {given!r}; columns are: {', '.join(map(str, df.columns))}")
    for cand in defaults:
        if cand.lower() in lower:
            return lower[cand.lower()]
    raise InputError(
        path, f"no {what} column found (looked for {', '.join(defaults)}); columns are: "
        f"{', '.join(map(str, df.columns))}; name it with --{what}-column",
    )


def evaluate_file(
    path: str | os.PathLike,
    *,
    model: SentimentModel | str | os.PathLike | None = None,
    fmt: str = "auto",
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
) -> Evaluation:
    """Evaluate a model (default: the shipped one; or a path to a saved one) on a labelled file."""
    model = load_model(model)  # a bad model file fails before a large data file is read
    data = read_labelled(path, text_column=text_column, label_column=label_column,
                         target_column=target_column, fmt=fmt)
    return evaluate_model(model, data.texts, data.labels, data.targets, path=data.path)


def train_file(
    path: str | os.PathLike,
    *,
    fmt: str = "auto",
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
    seed: int = 0,
    quiet: bool = True,
    **params: Any,
) -> SentimentModel:
    """Train a model on a labelled file (see :func:`read_labelled` and :func:`train_model`)."""
    data = read_labelled(path, text_column=text_column, label_column=label_column,
                         target_column=target_column, fmt=fmt)
    corpus = f"{Path(path).name} ({len(data)} labelled rows"
    corpus += f", {len(data.skipped_rows)} without a label skipped)" if data.skipped_rows else ")"
    return train_model(data.texts, data.labels, targets=data.targets, seed=seed, corpus=corpus,
                       path=data.path, quiet=quiet, **params)

# --------------------------------------------------------------------------- reply attitude


def read_rumoureval(root: str | os.PathLike) -> pd.DataFrame:
    """RumourEval 2017 threads as a table: event, thread, id, text, parent_text, is_source, label.

    ``root`` holds ``stance_labels.json`` and ``threads/<event>/<source id>/{source-tweet,replies}/
    <id>.json`` (Twitter API v1.1 JSON, one tweet per file). ``parent_text`` is the text of the
    tweet a reply answers ('' for source tweets or when the parent is not in the thread).
    Tweets without a label are left out.
    """
    import json

    root = Path(root)
    labels_path = root / "stance_labels.json"
    if not labels_path.is_file():
        raise InputError(str(labels_path), "no such file (expected a RumourEval folder)")
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(labels_path), f"cannot read JSON ({exc})") from None
    rows = []
    for event_dir in sorted(p for p in (root / "threads").iterdir() if p.is_dir()):
        for thread_dir in sorted(p for p in event_dir.iterdir() if p.is_dir()):
            tweets: dict[str, tuple[dict, bool]] = {}
            for sub, is_source in (("source-tweet", True), ("replies", False)):
                for f in sorted((thread_dir / sub).glob("*.json")):
                    try:
                        j = json.loads(f.read_text(encoding="utf-8"))
                    except (OSError, ValueError) as exc:
                        raise InputError(str(f), f"cannot read tweet JSON ({exc})") from None
                    tweets[str(j.get("id_str", f.stem))] = (j, is_source)
            for tid, (j, is_source) in tweets.items():
                if tid not in labels:
                    continue
                parent = str(j.get("in_reply_to_status_id_str") or "")
                rows.append({"event": event_dir.name, "thread": thread_dir.name, "id": tid,
                             "text": str(j.get("text", "")),
                             "parent_text": str(tweets[parent][0].get("text", "")) if parent in tweets else "",
                             "is_source": is_source, "label": str(labels[tid])})
    if not rows:
        raise InputError(str(root), "no labelled tweets found under threads/")
    return pd.DataFrame(rows)


def read_attitude_file(path: str | os.PathLike, *, fmt: str = "auto", text_column: str | None = None,
                       label_column: str | None = None, group_column: str | None = None) -> pd.DataFrame:
    """Labelled replies from a file: columns text, label (support/deny/query/comment spellings), and
    group when ``group_column`` is given. Rows with an empty label are left out."""
    from ..algorithms.attitude import normalise_attitude_labels

    p = Path(path)
    name = str(path)
    if fmt not in FORMATS or fmt == "mid-label-text":
        raise InputError(name, f"unknown format {fmt!r} for labelled replies; use csv, tsv, jsonl, json or parquet")
    if not p.is_file():
        raise InputError(name, "no such file")
    df = read_frame(p, _detect_format(p, fmt))
    if len(df) == 0:
        raise InputError(name, "no data rows")
    tcol = pick_column(df, text_column, TEXT_COLUMNS, "text", name)
    lcol = pick_column(df, label_column, LABEL_COLUMNS + ("attitude",), "label", name)
    raw = df[lcol].astype("str").where(df[lcol].notna(), "").str.strip()
    rows = np.arange(1, len(df) + 1)
    keep = (raw != "").to_numpy()
    if not keep.any():
        raise InputError(name, f"no row has a label in column {lcol!r}")
    out = pd.DataFrame({"text": df[tcol][keep].to_numpy(dtype=object),
                        "label": normalise_attitude_labels(raw[keep].tolist(), path=name, rows=rows[keep])})
    if group_column:
        gcol = pick_column(df, group_column, (), "group", name)
        out["group"] = df[gcol][keep].astype("str").to_numpy(dtype=object)
    return out


def train_attitude_file(path: str | os.PathLike, *, fmt: str = "auto", text_column: str | None = None,
                        label_column: str | None = None, group_column: str | None = None, seed: int = 0,
                        **params: Any) -> tuple[Any, pd.DataFrame | None]:
    """Train a reply-attitude model on a labelled file; with ``group_column``, also leave-one-group-out
    AUCs of support vs deny (a frame, else None). Returns (model, evaluation)."""
    from ..algorithms.attitude import leave_one_group_out, train_attitude

    data = read_attitude_file(path, fmt=fmt, text_column=text_column, label_column=label_column,
                              group_column=group_column)
    texts, labels = data["text"].to_numpy(dtype=object), data["label"].to_numpy(dtype=np.int8)
    loo = None
    if group_column:
        loo = leave_one_group_out(texts, labels, data["group"].to_numpy(dtype=object), seed=seed, **params)
    model = train_attitude(texts, labels, seed=seed, corpus=f"{Path(path).name} ({len(data)} labelled replies)",
                           path=str(path), **params)
    if loo is not None:
        model = model.with_metadata(leave_one_group_out={"group_column": group_column,
                                                         "mean_auc": float(np.nanmean(loo["auc"])),
                                                         "groups": loo.to_dict(orient="records")})
    return model, loo
