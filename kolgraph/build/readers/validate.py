"""Vectorised validation of raw rows: each check returns values plus one reason per row ("" = fine).

Ids, post ids and handles stay text from the first byte: :func:`to_text` never sends an integer
through a float, and ids with control characters are rejected (they would collapse distinct
users in GEXF and other exports).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ...schema import KINDS, normalise_kind
from ...times import parse_times

__all__ = ["to_text", "merge_reason", "quote", "parse_number", "parse_bool", "check_ids",
           "validate_interactions", "validate_users", "raw_for_rejects", "CONTROL_CHARS"]

#: C0 controls and DEL (tab, CR and LF included): never part of a real id or handle.
CONTROL_CHARS = r"[\x00-\x1f\x7f]"


def to_text(series: pd.Series) -> pd.Series:
    """Any column -> strings; integral floats print without '.0'; missing -> ''.

    Integer and nullable-integer columns keep their exact digits (a 19-digit id is never rounded).
    """
    dtype = series.dtype
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.ArrowDtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        integral = np.isfinite(values) & (np.floor(values) == values)
        if integral[~np.isnan(values)].all():
            out = pd.Series(values, index=series.index).astype("Int64").astype("str")
            return out.where(~np.isnan(values), "")
    if pd.api.types.is_bool_dtype(dtype) and series.notna().all():
        return series.astype("str")
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
        return series.astype("str")
    out = series.astype("str")
    return out.where(series.notna(), "")


def merge_reason(current: np.ndarray, new_mask: np.ndarray, new_reason) -> None:
    """Record a reason on rows flagged in ``new_mask`` that have none yet (in place).

    ``new_reason`` is a string, a full-length array, or a function of the flagged row positions
    returning one reason each (so messages are only formatted for bad rows).
    """
    target = new_mask & (current == "")
    if not target.any():
        return
    if isinstance(new_reason, str):
        current[target] = new_reason
    elif callable(new_reason):
        current[target] = np.asarray(list(new_reason(np.flatnonzero(target))), dtype=object)
    else:
        current[target] = np.asarray(new_reason, dtype=object)[target]


def quote(value, limit: int = 60) -> str:
    text = str(value)
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def parse_number(raw: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    reasons = np.full(len(raw), "", dtype=object)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan), reasons
    text = to_text(raw).str.strip()
    blank = (text == "").to_numpy()
    values = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~blank & np.isnan(values)
    merge_reason(reasons, bad, lambda rows: (f"{name} {quote(text.iat[r])} is not a number" for r in rows))
    return values, reasons


def parse_bool(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """true/false, 1/0, yes/no, y/n, t/f, 是/否 -> float 1.0/0.0 (NaN blank) with reasons."""
    reasons = np.full(len(raw), "", dtype=object)
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        merge_reason(reasons, bad, "verified must be true/false or 1/0")
        return np.where(bad, np.nan, values), reasons
    text = to_text(raw).str.strip().str.lower()
    mapping = {"true": 1.0, "1": 1.0, "yes": 1.0, "y": 1.0, "t": 1.0, "是": 1.0,
               "false": 0.0, "0": 0.0, "no": 0.0, "n": 0.0, "f": 0.0, "否": 0.0, "": np.nan}
    values = text.map(mapping).to_numpy(dtype="float64", na_value=np.nan)
    bad = (text != "").to_numpy() & np.isnan(values)
    merge_reason(reasons, bad, lambda rows: (f"verified {quote(text.iat[r])} is not true/false" for r in rows))
    return values, reasons


def check_ids(ids: pd.Series, name: str, reasons: np.ndarray, *, required: bool = True) -> None:
    """Reject empty ids (when required) and ids holding control characters, in place."""
    if required:
        merge_reason(reasons, (ids == "").to_numpy(), f"empty {name}")
    control = ids.str.contains(CONTROL_CHARS, regex=True).to_numpy(dtype=bool, na_value=False)
    if control.any():
        merge_reason(reasons, control, lambda rows: (
            f"{name} {quote(ids.iat[r])} contains a control character "
            f"(U+{ord(next(c for c in ids.iat[r] if ord(c) < 32 or ord(c) == 127)):04X})" for r in rows))


def _parse_errors(frame: pd.DataFrame, reasons: np.ndarray) -> None:
    if "__parse_error__" in frame:
        parse = frame["__parse_error__"].to_numpy(dtype=object)
        merge_reason(reasons, parse != "", parse)
    values = [c for c in frame.columns if not str(c).startswith("__")]
    if values and len(frame) and all(frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
                                     for c in values):
        blank = np.ones(len(frame), dtype=bool)
        for c in values:
            blank &= (to_text(frame[c]) == "").to_numpy()
            if not blank.any():
                return
        merge_reason(reasons, blank, "blank row")


def validate_interactions(frame: pd.DataFrame, kind_cache: dict[str, str | None], *,
                          default_tz: str = "UTC", reference: float | None = None
                          ) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Canonical interaction columns, a reason per row and the number of naive timestamps."""
    n = len(frame)
    reasons = np.full(n, "", dtype=object)
    _parse_errors(frame, reasons)
    out = pd.DataFrame(index=frame.index)
    for column in ("src", "dst"):
        ids = to_text(frame[column]).str.strip()
        check_ids(ids, f"{column} id", reasons)
        out[column] = ids
    kind_raw = to_text(frame["kind"])
    codes, uniques = pd.factorize(kind_raw)
    for u in uniques:
        if u not in kind_cache:
            kind_cache[u] = normalise_kind(u)
    canonical = np.array([kind_cache[u] or "" for u in uniques], dtype=object)
    kinds = canonical[codes] if len(codes) else np.array([], dtype=object)
    unknown = kinds == ""
    if unknown.any():
        merge_reason(reasons, unknown, lambda rows: (
            f"unknown kind {quote(kind_raw.iat[r])} (expected {', '.join(KINDS)} or an alias such as "
            "retweet, comment, 转发, 评论, 提及)" for r in rows))
    out["kind"] = pd.Categorical(np.where(unknown, None, kinds), categories=list(KINDS))
    naive = 0
    if "timestamp" in frame:
        parsed = parse_times(frame["timestamp"], default_tz=default_tz, reference=reference)
        merge_reason(reasons, parsed.reasons != "", parsed.reasons)
        out["timestamp"] = parsed.values
        naive = parsed.naive
    else:
        out["timestamp"] = np.nan
    out["text"] = to_text(frame["text"]) if "text" in frame else ""
    if "sentiment" in frame:
        sentiment, why = parse_number(frame["sentiment"], "sentiment")
        merge_reason(reasons, why != "", why)
        outside = ~np.isnan(sentiment) & ((sentiment < -1) | (sentiment > 1))
        merge_reason(reasons, outside, lambda rows: (f"sentiment {sentiment[r]:g} is outside [-1, 1]" for r in rows))
        out["sentiment"] = sentiment
    else:
        out["sentiment"] = np.nan
    if "post_id" in frame:
        post_id = to_text(frame["post_id"]).str.strip()
        check_ids(post_id, "post_id", reasons, required=False)
    else:
        post_id = pd.Series("", index=frame.index, dtype="str")
    out["post_id"] = post_id.where(post_id != "", None)
    if "weight" in frame:
        weight, why = parse_number(frame["weight"], "weight")
        merge_reason(reasons, why != "", why)
        bad = ~np.isnan(weight) & ~(np.isfinite(weight) & (weight > 0))
        merge_reason(reasons, bad, "weight must be a positive number")
        out["weight"] = np.where(np.isnan(weight), 1.0, weight)
    else:
        out["weight"] = 1.0
    if "platform_type" in frame:
        out["platform_type"] = to_text(frame["platform_type"])
    return out, reasons, naive


def validate_users(frame: pd.DataFrame, _cache: dict, **_ignored) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Canonical user columns (user_id, display_name, followers, verified) and a reason per row."""
    n = len(frame)
    reasons = np.full(n, "", dtype=object)
    _parse_errors(frame, reasons)
    out = pd.DataFrame(index=frame.index)
    ids = to_text(frame["user_id"]).str.strip()
    check_ids(ids, "user_id", reasons)
    out["user_id"] = ids
    names = to_text(frame["display_name"]) if "display_name" in frame else pd.Series("", index=frame.index, dtype="str")
    out["display_name"] = names.where(names != "", None)
    if "followers" in frame:
        followers, why = parse_number(frame["followers"], "followers")
        merge_reason(reasons, why != "", why)
        bad = ~np.isnan(followers) & ~((followers >= 0) & (np.floor(followers) == followers))
        merge_reason(reasons, bad, "followers must be a whole number >= 0")
        out["followers"] = followers
    else:
        out["followers"] = np.nan
    if "verified" in frame:
        verified, why = parse_bool(frame["verified"])
        merge_reason(reasons, why != "", why)
        out["verified"] = verified
    else:
        out["verified"] = np.nan
    return out, reasons, 0


def raw_for_rejects(frame: pd.DataFrame, mask: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    raw = frame.loc[mask, present].copy()
    for column in present:
        raw[column] = to_text(raw[column])
    return raw.reset_index(drop=True)
