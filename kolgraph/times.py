"""One time parser: points in time given by users or read from files, as epoch seconds (UTC).

Every command that takes a time (``--since``, ``--until``, ``--cutoff``) and every reader that
meets one goes through here, so "2026-01-05", "2026-01-05T08:00:00+08:00" and "1767571200" mean
the same thing everywhere. Times without an offset are taken in ``default_tz`` (UTC unless the
caller says otherwise, e.g. Asia/Shanghai for Weibo exports).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["parse_time", "EARLIEST_EPOCH", "LATEST_EPOCH"]

#: The range of plausible social-media times: 2000-01-01 to 2100-01-01 UTC (epoch seconds).
EARLIEST_EPOCH: float = 946_684_800.0
LATEST_EPOCH: float = 4_102_444_800.0


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
