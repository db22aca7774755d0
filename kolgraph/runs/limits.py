"""Resource limits checked before allocating: a request that cannot fit says so in one line.

The Monte Carlo what-if holds, per run, a few float32 values per user (the shock, the propagated
shift, the stance after); :func:`check_runs_fit` refuses a ``--runs`` whose arrays would need more
than half of the memory available now, naming the limit and the largest ``--runs`` that fits.
"""

from __future__ import annotations

import os

from ..errors import ResourceLimitError

__all__ = ["available_memory", "check_runs_fit", "BYTES_PER_USER_RUN", "MAX_SHARE"]

#: Bytes the what-if keeps per user and Monte Carlo run (three float32 arrays), plus per-run draws.
BYTES_PER_USER_RUN = 12
#: Share of the currently available memory a run may plan to use.
MAX_SHARE = 0.5


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable from /proc/meminfo; physical pages elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def check_runs_fit(runs: int, n_users: int, *, option: str = "--runs", available: int | None = None) -> None:
    """Raise :class:`ResourceLimitError` when ``runs`` Monte Carlo runs over ``n_users`` users cannot fit.

    >>> check_runs_fit(200, 3000, available=8 * 2**30)
    >>> check_runs_fit(10**12, 3000, available=8 * 2**30)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kolgraph.errors.ResourceLimitError: --runs 1000000000000 needs about 36,064,000.0 GB for 3,000 users; the limit is half the available memory (4.3 GB): use --runs 119,092 or fewer
    """
    budget = MAX_SHARE * (available_memory() if available is None else available)
    per_run = BYTES_PER_USER_RUN * max(int(n_users), 1) + 64
    need = int(runs) * per_run
    if need > budget:
        fit = max(int(budget // per_run), 0)
        raise ResourceLimitError(
            f"{option} {int(runs)} needs about {need / 1e9:,.1f} GB for {int(n_users):,} users; the limit is half "
            f"the available memory ({budget / 1e9:.1f} GB): use {option} {fit:,} or fewer")
