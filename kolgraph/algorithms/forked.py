"""One step computed in a forked worker process while this one goes on (betweenness, communities).

The worker inherits its inputs through ``fork`` (never pickled: a million-user edge list is not
copied), runs one function and sends back its result, or its error as text, through a pipe. The
parent collects the result when it needs it, or cancels the job; a job nobody collects (an error
in between) is stopped when it is garbage-collected, so no worker is left waiting to send.
"""

from __future__ import annotations

import multiprocessing
import weakref
from typing import Any, Callable

from ..errors import KolgraphError

__all__ = ["ForkedJob", "can_fork"]

_JOB: dict[str, Any] = {}  # the job being started, inherited by the forked worker


def can_fork() -> bool:
    """Whether this process may fork workers (a platform with ``fork``, not itself a daemon worker)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _run(conn) -> None:
    try:
        fn, args, kwargs = _JOB["job"]
        conn.send(("ok", fn(*args, **kwargs)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _stop(process, conn) -> None:
    if process.is_alive():
        process.terminate()
    process.join()
    conn.close()


class ForkedJob:
    """``fn(*args, **kwargs)`` started in a forked worker process; :meth:`collect` waits for it."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        _JOB["job"] = (fn, args, kwargs)
        try:
            self._process = ctx.Process(target=_run, args=(child,), daemon=True)
            self._process.start()
        finally:
            _JOB.clear()
        child.close()
        self._conn = parent
        weakref.finalize(self, _stop, self._process, self._conn)

    @property
    def running(self) -> bool:
        """Whether the worker has not been collected or cancelled yet."""
        return self._process is not None

    def collect(self, what: str) -> Any:
        """The function's result; a failed worker raises :class:`KolgraphError` naming ``what``."""
        if self._process is None:
            raise KolgraphError(f"{what}: the worker was already collected or cancelled")
        try:
            status, payload = self._conn.recv()
        except EOFError:
            status, payload = "error", f"the worker process ended (exit code {self._process.exitcode})"
        finally:
            self._conn.close()
            self._process.join()
            self._process = None
        if status != "ok":
            raise KolgraphError(f"{what} failed in its worker process: {payload}")
        return payload

    def cancel(self) -> None:
        """Stop the worker if it still runs (nothing to collect)."""
        if self._process is not None:
            _stop(self._process, self._conn)
            self._process = None
