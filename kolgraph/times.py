"""One time parser: points in time given by users or read from files, as epoch seconds (UTC).

Every command that takes a time (``--since``, ``--until``, ``--cutoff``) goes through
:func:`parse_time`; every reader and importer that meets a column of times goes through its
vectorised twin :func:`parse_times`, so "2026-01-05", "2026-01-05T08:00:00+08:00",
"Wed Jan 07 11:06:08 +0000 2015", "1767571200" and a Weibo "今天 08:00" mean the same thing
everywhere. Times without an offset are taken in ``default_tz`` (UTC unless the caller says
otherwise, e.g. Asia/Shanghai for Weibo exports). Plausible times lie in 2000-01-01 .. 2100-01-01.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["parse_time", "parse_times", "parse_weibo_time", "TimeParse", "EARLIEST_EPOCH", "LATEST_EPOCH",
           "WEIBO_TIMEZONE"]

#: The range of plausible social-media times: 2000-01-01 to 2100-01-01 UTC (epoch seconds).
EARLIEST_EPOCH: float = 946_684_800.0
LATEST_EPOCH: float = 4_102_444_800.0
#: Weibo shows and exports Beijing time.
WEIBO_TIMEZONE = "Asia/Shanghai"

_EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
_AWARE = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"
_TWITTER = r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
_TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_REL_MINUTES = re.compile(r"^(\d+)\s*分钟前$")
_REL_HOURS = re.compile(r"^(\d+)\s*小时前$")
_REL_SECONDS = re.compile(r"^(\d+)\s*秒前$")
_TODAY = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MD_DASH = re.compile(r"^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")


def parse_time(value: Any, *, what: str = "time", default_tz: str = "UTC") -> float | None:
    """Epoch seconds (float, UTC) from epoch seconds or an ISO 8601 date/time; ``None`` stays ``None``.

    ``what`` names the option or column in the error (e.g. ``"--cutoff"``). Raises
    :class:`~kolgraph.errors.InputError` for text that is neither, or a time outside 2000-2100.

    >>> parse_time("2026-01-05T00:00:00Z")
    1767571200.0
    >>> parse_time("2026-01-05 08:00", default_tz="Asia/Shanghai")
    1767571200.0
    >>> parse_time(1767571200)
    1767571200.0
    """
    if value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        seconds = float(value)
    else:
        text = str(value).strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                stamp = pd.Timestamp(text)
            except (ValueError, TypeError, OverflowError):
                raise InputError(what, f"{text!r} is neither epoch seconds nor an ISO 8601 date/time "
                                       "(e.g. 2026-01-05T00:00:00Z)") from None
            if stamp is pd.NaT:
                raise InputError(what, f"{text!r} is not a date/time")
            if stamp.tzinfo is None:
                stamp = stamp.tz_localize(default_tz)
            seconds = float(stamp.timestamp())
    if not math.isfinite(seconds) or not EARLIEST_EPOCH <= seconds < LATEST_EPOCH:
        raise InputError(what, f"{value!r} is outside 2000-01-01 .. 2100-01-01 (epoch seconds {seconds:.0f})"
                         if math.isfinite(seconds) else f"{value!r} is not a finite time")
    return seconds


def parse_weibo_time(text: str, *, reference: float | None, tz: str = WEIBO_TIMEZONE) -> float:
    """Epoch seconds for Weibo's display forms (刚刚, N分钟前, N小时前, 今天 HH:MM, 昨天 HH:MM,
    MM月DD日 HH:MM, YYYY年MM月DD日 HH:MM, MM-DD), local to ``tz``.

    Relative forms need ``reference`` (epoch seconds of the crawl, or ``--reference-time``);
    a form without a year takes the reference's year. Raises ``ValueError`` with the reason.

    >>> ref = parse_time("2026-01-05T12:00:00+08:00")
    >>> parse_weibo_time("5分钟前", reference=ref) == ref - 300
    True
    >>> parse_weibo_time("今天 08:00", reference=ref) == parse_time("2026-01-05T08:00:00+08:00")
    True
    """
    text = str(text).strip()
    absolute = _MONTH_DAY.match(text)
    if absolute and absolute.group(1):
        year, month, day = int(absolute.group(1)), int(absolute.group(2)), int(absolute.group(3))
        hh, mm, ss = (int(absolute.group(i) or 0) for i in (4, 5, 6))
        return _local(year, month, day, hh, mm, ss, tz)
    relative = (text == "刚刚" or absolute is not None or any(
        p.match(text) for p in (_REL_SECONDS, _REL_MINUTES, _REL_HOURS, _TODAY, _MD_DASH)))
    if not relative:
        raise ValueError(f"unparseable time {text!r}")
    if reference is None:
        raise ValueError(f"relative Weibo time {text!r} needs the crawl time; give --reference-time")
    ref = pd.Timestamp(reference, unit="s", tz="UTC").tz_convert(tz)
    if text == "刚刚":
        return float(reference)
    for pattern, unit in ((_REL_SECONDS, 1), (_REL_MINUTES, 60), (_REL_HOURS, 3600)):
        match = pattern.match(text)
        if match:
            return float(reference) - int(match.group(1)) * unit
    match = _TODAY.match(text)
    if match:
        days = {"今天": 0, "昨天": 1, "前天": 2}[match.group(1)]
        day = (ref - pd.Timedelta(days=days))
        return _local(day.year, day.month, day.day, int(match.group(2)), int(match.group(3)), 0, tz)
    if absolute:
        hh, mm, ss = (int(absolute.group(i) or 0) for i in (4, 5, 6))
        return _local(ref.year, int(absolute.group(2)), int(absolute.group(3)), hh, mm, ss, tz)
    match = _MD_DASH.match(text)
    if match:
        return _local(ref.year, int(match.group(1)), int(match.group(2)), int(match.group(3) or 0),
                      int(match.group(4) or 0), 0, tz)
    raise ValueError(f"unparseable time {text!r}")


def _local(year, month, day, hh, mm, ss, tz) -> float:
    try:
        stamp = pd.Timestamp(year=year, month=month, day=day, hour=hh, minute=mm, second=ss)
    except ValueError as exc:
        raise ValueError(f"not a date: {exc}") from None
    return float(stamp.tz_localize(tz).timestamp())


@dataclass(frozen=True)
class TimeParse:
    """Result of :func:`parse_times`: epoch seconds (NaN when blank or bad), one reason per row
    ("" when fine) and how many values had no offset (taken in the default time zone)."""

    values: np.ndarray
    reasons: np.ndarray
    naive: int


def _quote(value, limit: int = 60) -> str:
    text = str(value)
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def _to_seconds(parsed: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    # Unit-agnostic (pandas may parse to s, ms, us or ns resolution).
    return np.asarray((parsed - _EPOCH) / pd.Timedelta(1, "s"), dtype="float64")


_TWITTER_PARTS = (r"^(?P<wd>Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}) "
                  r"(?P<time>\d{2}:\d{2}:\d{2}) (?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2}) (?P<year>\d{4})$")
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (int64 arrays; H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    yoe = year - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _arrow_strings(sub: pd.Series):
    import pyarrow as pa

    return pa.array(sub.astype("str"), type=pa.string(), from_pandas=True)


def _twitter_seconds(sub: pd.Series) -> np.ndarray:
    """Epoch seconds of Twitter's ``Wed Jan 07 11:06:08 +0000 2015`` strings (NaN where invalid).

    Values written the way Twitter writes them (30 ASCII characters, two-digit day) are read
    straight from their bytes with integer arithmetic; any other spelling, any value whose parts
    are out of range (no such day of the month, hour 24, second 60, ...), and every value of a
    column with other widths, take :func:`_twitter_seconds_general`, so the result is the same
    either way (property-tested against ``strptime``, which differs only in rolling second 60 over
    where :func:`parse_time` and this parser refuse it).
    """
    out = np.full(len(sub), np.nan)
    rest = np.ones(len(sub), dtype=bool)
    fixed = _fixed_width_seconds(_arrow_strings(sub))
    if fixed is not None:
        seconds, ok = fixed
        out[ok] = seconds[ok]
        rest = ~ok
    if rest.any():
        out[rest] = _twitter_seconds_general(sub[rest])
    return out


def _fixed_width_seconds(text) -> tuple[np.ndarray, np.ndarray] | None:
    """(seconds, usable) of a string array whose values all have Twitter's 30 characters, else None.

    A value is usable when every byte is what Twitter writes there (weekday, month, digits,
    separators) and the parts are in range; the others are left to :func:`_twitter_seconds_general`.
    """
    import pyarrow as pa

    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    n = len(text)
    width = len("Mon Jan 05 00:00:00 +0000 2026")
    if not n or text.null_count:
        return None
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset:text.offset + n + 1]
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[0] + n * width].reshape(n, width)

    def three(start: int) -> np.ndarray:
        return (data[:, start].astype(np.int64) << 16) | (data[:, start + 1].astype(np.int64) << 8) | data[:, start + 2]

    def code(name: str) -> int:
        return (ord(name[0]) << 16) | (ord(name[1]) << 8) | ord(name[2])

    shape = np.isin(three(0), [code(d) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")])
    for at, byte in ((3, " "), (7, " "), (10, " "), (13, ":"), (16, ":"), (19, " "), (25, " ")):
        shape &= data[:, at] == ord(byte)
    for at in (8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24, 26, 27, 28, 29):
        shape &= (data[:, at] - ord("0")) <= 9  # uint8: bytes below "0" wrap round to large values
    shape &= (data[:, 20] == ord("+")) | (data[:, 20] == ord("-"))
    month_code = three(4)
    def number(start: int, stop: int) -> np.ndarray:
        value = data[:, start].astype(np.int64) - ord("0")
        for k in range(start + 1, stop):
            value = value * 10 + (data[:, k] - ord("0"))
        return value

    month = np.zeros(n, dtype=np.int64)  # 0: not an English month abbreviation
    for value, name in enumerate(_MONTHS, start=1):
        month[month_code == code(name)] = value
    known = shape & (month > 0)
    day, hour, minute, second = number(8, 10), number(11, 13), number(14, 16), number(17, 19)
    off_h, off_m, year = number(21, 23), number(23, 25), number(26, 30)
    sign = np.where(data[:, 20] == ord("-"), -1, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[month] + ((month == 2) & leap)
    ok = (known & (day >= 1) & (day <= month_days) & (hour < 24) & (minute < 60) & (second < 60)
          & (off_h < 15) & (off_m < 60))
    seconds = (_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
               - sign * (off_h * 3600 + off_m * 60))
    return seconds.astype("float64"), ok


def _twitter_seconds_general(sub: pd.Series) -> np.ndarray:
    """:func:`_twitter_seconds` for any column: the parts cut out by a regular expression, rewritten
    to ISO 8601 for pandas' fast parser (``strptime`` with ``%a %b`` costs about 10 us a value);
    values with another day or month spelling take the ``strptime`` path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(pa.array(sub.astype("str"), type=pa.string(), from_pandas=True), _TWITTER_PARTS)

    def get(name):
        return pc.struct_field(parts, name)

    month = pc.index_in(get("mon"), value_set=pa.array(list(_MONTHS)))
    fast = pc.fill_null(pc.is_valid(month), False).to_numpy(zero_copy_only=False)
    out = np.full(len(sub), np.nan)
    if fast.any():
        number = pc.take(pa.array(list(_MONTHS.values())), month)
        day = pc.utf8_lpad(get("day"), 2, "0")
        iso = pc.binary_join_element_wise(get("year"), "-", number, "-", day, "T", get("time"), get("sign"), get("oh"),
                                          ":", get("om"), "")
        iso = pd.Series(pc.filter(iso, pa.array(fast)).to_numpy(zero_copy_only=False), dtype="str")
        out[fast] = _to_seconds(pd.to_datetime(iso, errors="coerce", utc=True, format="ISO8601"))
    if (~fast).any():
        out[~fast] = _to_seconds(pd.to_datetime(sub[~fast], errors="coerce", utc=True, format=_TWITTER_FORMAT))
    return out


def parse_times(raw: pd.Series, *, default_tz: str = "UTC", reference: float | None = None) -> TimeParse:
    """Vectorised :func:`parse_time` over a column: epoch seconds, reasons, count of naive times.

    Accepts epoch seconds, ISO 8601 (with or without an offset; without one the time is local to
    ``default_tz``), Twitter's ``Wed Jan 07 11:06:08 +0000 2015`` and Weibo's display forms
    (:func:`parse_weibo_time`, relative ones against ``reference``). Blank stays NaN without a
    reason. Times outside 2000-01-01 .. 2100-01-01 get a reason saying so (and epoch milliseconds
    are named as such).

    >>> r = parse_times(pd.Series(["2026-01-05T00:00:00Z", "1767571200", "", "0001-01-01", "x"]))
    >>> r.values[:2].tolist(), r.reasons[2], r.reasons[3][:23], r.reasons[4][:21]
    ([1767571200.0, 1767571200.0], '', 'timestamp 0001-01-01 is', 'unparseable timestamp')
    """
    n = len(raw)
    reasons = np.full(n, "", dtype=object)
    naive_count = 0
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        text = None
    else:
        text = raw.astype("str").where(raw.notna(), "").str.strip()
        blank = (text == "").to_numpy()
        values = np.full(n, np.nan)
        # Parse the likely form first (judged on a sample) and only the leftovers the other way:
        # a failed numeric parse of 10M ISO strings costs seconds.
        probe = text[~blank].iloc[:1000]
        numeric_first = bool(len(probe)) and pd.to_numeric(probe, errors="coerce").notna().mean() > 0.5
        if numeric_first:
            values = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan, copy=True)
        todo = ~blank & np.isnan(values)
        if todo.any():
            sub = text[todo]
            out = np.full(len(sub), np.nan)
            # Twitter's own spelling is read straight from its bytes (see _twitter_seconds); the rest
            # is sorted into ISO with an offset, other Twitter spellings and naive ISO below
            fixed = _fixed_width_seconds(_arrow_strings(sub))
            rest = np.ones(len(sub), dtype=bool)
            if fixed is not None:
                seconds, usable = fixed
                out[usable] = seconds[usable]
                rest = ~usable
            if rest.any():
                part = sub if rest.all() else sub[rest]
                aware = part.str.contains(_AWARE, regex=True).to_numpy()
                twitter = ~aware & part.str.match(_TWITTER).to_numpy()
                got = np.full(len(part), np.nan)
                if aware.any():
                    got[aware] = _to_seconds(pd.to_datetime(part[aware], errors="coerce", utc=True, format="ISO8601"))
                if twitter.any():
                    got[twitter] = _twitter_seconds(part[twitter])
                plain = ~aware & ~twitter
                if plain.any():
                    parsed = pd.to_datetime(part[plain], errors="coerce", format="ISO8601")
                    local = pd.DatetimeIndex(parsed).tz_localize(default_tz, ambiguous="NaT",
                                                                 nonexistent="shift_forward")
                    naive = _to_seconds(local.tz_convert("UTC"))
                    got[plain] = naive
                    naive_count = int(np.isfinite(naive).sum())
                out[rest] = got
            values[todo] = out
            left = np.flatnonzero(todo)[np.isnan(out)]
            if len(left):
                _parse_leftovers(text, left, values, reasons, default_tz, reference, numeric_first)
    finite = np.isfinite(values)
    outside = finite & ((values < EARLIEST_EPOCH) | (values >= LATEST_EPOCH))
    if outside.any():
        millis = outside & (values >= EARLIEST_EPOCH * 1000) & (values < LATEST_EPOCH * 1000)
        for r in np.flatnonzero(outside & (reasons == "")):
            shown = text.iat[r] if text is not None else f"{values[r]:g}"
            reasons[r] = ("timestamp looks like epoch milliseconds; give epoch seconds" if millis[r] else
                          f"timestamp {shown} is outside 2000-01-01 .. 2100-01-01")
        values = np.where(outside, np.nan, values)
    return TimeParse(values=values, reasons=reasons, naive=naive_count)


def _parse_leftovers(text: pd.Series, rows: np.ndarray, values: np.ndarray, reasons: np.ndarray,
                     default_tz: str, reference: float | None, numeric_tried: bool) -> None:
    """The few values no vectorised form took: numbers, Weibo forms, far-out-of-range dates."""
    if not numeric_tried:
        numbers = pd.to_numeric(text.iloc[rows], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        values[rows] = numbers
        rows = rows[np.isnan(numbers)]
    for r in rows:
        value = text.iat[r]
        try:
            values[r] = parse_weibo_time(value, reference=reference, tz=default_tz)
            continue
        except ValueError as exc:
            reason = str(exc)
        try:  # an ISO date pandas cannot hold (year 0001, 9999) is a range error, not a format error
            stamp = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            reasons[r] = f"timestamp {value} is outside 2000-01-01 .. 2100-01-01"
            del stamp
            continue
        except ValueError:
            pass
        if reason.startswith("relative"):
            reasons[r] = reason
        else:
            reasons[r] = (f"unparseable timestamp {_quote(value)} (expected ISO 8601 like "
                          "2026-01-05T08:30:00+08:00, or epoch seconds)")
