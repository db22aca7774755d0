"""Label spellings read as codes: +1 positive, -1 negative, 0 neutral."""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np

from ...errors import InputError

__all__ = ["LABEL_NAMES", "POS_LABELS", "NEG_LABELS", "NEU_LABELS", "normalise_labels", "label_token",
           "as_label_codes"]

#: Label codes and their names (in the order used for confusion matrices).
LABEL_NAMES: dict[int, str] = {-1: "negative", 0: "neutral", 1: "positive"}

POS_LABELS = frozenset({"1", "+1", "pos", "positive", "favor", "favour", "p", "正面", "积极", "支持"})
NEG_LABELS = frozenset({"-1", "neg", "negative", "against", "n", "负面", "消极", "反对"})
NEU_LABELS = frozenset({"neutral", "neu", "none", "neither", "other", "中性", "中立"})


def normalise_labels(
    values: Iterable[Any], *, path: str = "<labels>", rows: Sequence[int] | None = None
) -> np.ndarray:
    """Label codes (int8 in {-1, 0, +1}) from common spellings; InputError naming the row otherwise.

    Positive: 1, +1, pos, positive, FAVOR. Negative: -1, neg, negative, AGAINST. Neutral: neutral,
    none, NONE. ``0`` is negative when no ``-1`` occurs in the column (binary 1/0 files such as
    weibo2018) and neutral when one does (-1/0/1 files). Case and surrounding space are ignored;
    numbers such as ``1.0`` are accepted.
    """
    raw = [(label_token(v)) for v in values]
    has_minus = any(r in ("-1",) for r in raw)
    out = np.empty(len(raw), dtype=np.int8)
    lookup: dict[str, int] = {}
    for key in set(raw):
        if key in POS_LABELS:
            lookup[key] = 1
        elif key in NEG_LABELS:
            lookup[key] = -1
        elif key in NEU_LABELS:
            lookup[key] = 0
        elif key == "0":
            lookup[key] = 0 if has_minus else -1
    for i, r in enumerate(raw):
        code = lookup.get(r)
        if code is None:
            row = rows[i] if rows is not None else i + 1
            reason = (
                f"unknown label {r!r}; use 1/0, -1/0/1, pos/neg/neutral, positive/negative "
                "or FAVOR/AGAINST/NONE" if r else "empty label"
            )
            raise InputError(path, reason, row=int(row))
        out[i] = code
    return out


def label_token(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else str(v)
    t = str(v).strip().lower()
    try:
        f = float(t)
        if f.is_integer() and t not in ("+1",):
            return str(int(f))
    except ValueError:
        pass
    return t


def as_label_codes(labels: Iterable[Any], path: str) -> np.ndarray:
    """int8 arrays in {-1, 0, 1} are codes already (as read_labelled returns); others are normalised."""
    arr = labels if isinstance(labels, np.ndarray) else np.asarray(list(labels), dtype=object)
    if arr.dtype == np.int8 and np.isin(arr, (-1, 0, 1)).all():
        return arr
    return normalise_labels(arr.tolist(), path=path)
