"""Connecting and running transactions: timeouts, retries, and one-line errors for what went wrong.

Three bounds keep every call from hanging (all in seconds, all configurable; CLI options in brackets):

- **connect timeout** (``--connect-timeout``, default 10): opening a connection -- TCP connect, the
  Bolt handshake and authentication -- must finish within it (the driver's ``connection_timeout``
  and ``connection_acquisition_timeout``, set by :func:`make_driver`). A peer that accepts the TCP
  connection and never answers is given up after it.
- **read timeout** (``--read-timeout``, default 60): each transaction function (one statement sent
  and its whole answer read) must be answered within it; BEGIN's and COMMIT's answers within
  connect + read timeout + twice the retry time (the longest the driver's backoff can sleep
  between attempts, should the driver retry there). The driver has no client-side read timeout (only a server
  hint), so :class:`Transactions` arms a watchdog around each attempt; when it fires the driver is
  closed, which breaks the blocked read, and the call
  ends with :class:`GraphServerError` ("the graph server stopped answering"). The driver is then
  unusable: make a new one to go on. :func:`make_driver` also sets the driver's write timeout to it.
- **retry time** (``--retry-time``, default 30): transient failures (lost connections, a server
  that went away, Neo4j's ``TransientError``, leader switches) are retried by the driver's managed
  transactions (``session.execute_write`` / ``execute_read``) for at most this long after the
  first failure, with exponential backoff from ``retry_delay`` (default 1 s). 0 disables retries.

So a statement against a server that stopped answering fails after at most about
read timeout + retry time + connect timeout (stalled on BEGIN: connect + read + twice the retry time). Every write the store sends is an idempotent
``MERGE``/``SET``, so re-running a transaction function (or a whole push) is safe.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ...errors import ConfigError, GraphServerError
from ..dialect import FALKORDB, NEO4J, Dialect
from .catalogue import load_query

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_READ_TIMEOUT", "DEFAULT_RETRY_TIME", "DEFAULT_RETRY_DELAY",
           "Timeouts", "Transactions", "make_driver", "is_auth_error", "describe_driver_error", "detect_dialect"]

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_RETRY_TIME = 30.0
DEFAULT_RETRY_DELAY = 1.0

_AUTH_CODES = ("Security.Unauthorized", "Security.AuthenticationRateLimit", "Security.CredentialsExpired")


def _seconds(value: float, option: str, *, positive: bool) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{option}: expected a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        raise ConfigError(f"{option}: must be a finite number of seconds {bound}, got {value!r}")
    return number


@dataclass(frozen=True)
class Timeouts:
    """How long a statement may wait for its answer and how long transient failures are retried.

    ``read_timeout`` (> 0 s), ``retry_time`` (>= 0 s; 0 disables retries), ``retry_delay``
    (> 0 s, the first backoff, doubled on each retry), ``connect_timeout`` (> 0 s: the driver's
    connection bound, see :func:`make_driver`; the watchdog allows it for opening a connection).
    Invalid values raise :class:`ConfigError`.

    >>> Timeouts(read_timeout=5, retry_time=0).retry_time
    0.0
    """

    read_timeout: float = DEFAULT_READ_TIMEOUT
    retry_time: float = DEFAULT_RETRY_TIME
    retry_delay: float = DEFAULT_RETRY_DELAY
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        object.__setattr__(self, "connect_timeout", _seconds(self.connect_timeout, "--connect-timeout",
                                                             positive=True))
        object.__setattr__(self, "read_timeout", _seconds(self.read_timeout, "--read-timeout", positive=True))
        object.__setattr__(self, "retry_time", _seconds(self.retry_time, "--retry-time", positive=False))
        object.__setattr__(self, "retry_delay", _seconds(self.retry_delay, "retry_delay", positive=True))


def make_driver(uri: str, user: str, password: str, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                read_timeout: float = DEFAULT_READ_TIMEOUT, **config: Any):
    """A ``neo4j`` driver (connects lazily, at first use) with bounded connect and write times.

    ``connect_timeout`` bounds opening a connection (TCP, Bolt handshake, authentication);
    ``read_timeout`` becomes the driver's write timeout (the store's watchdog bounds reads, see the
    module docstring). Other ``config`` goes to the driver as is. A malformed URI raises
    :class:`GraphServerError`.
    """
    import neo4j

    connect_timeout = _seconds(connect_timeout, "--connect-timeout", positive=True)
    read_timeout = _seconds(read_timeout, "--read-timeout", positive=True)
    config.setdefault("connection_timeout", connect_timeout)
    config.setdefault("connection_acquisition_timeout", connect_timeout)
    config.setdefault("max_transaction_retry_time", DEFAULT_RETRY_TIME)
    if int(neo4j.__version__.split(".")[0]) >= 6:  # the option exists from driver 6.0
        config.setdefault("connection_write_timeout", read_timeout)
    try:
        return neo4j.GraphDatabase.driver(uri, auth=(user, password), **config)
    except (ValueError, ImportError, neo4j.exceptions.ConfigurationError) as exc:
        raise GraphServerError(f"{uri}: not a usable Bolt URI ({exc}); e.g. bolt://localhost:7687 "
                               "or neo4j://host:7687") from None


def is_auth_error(exc: BaseException) -> bool:
    """Whether a driver exception means the credentials were refused."""
    import neo4j.exceptions as ne

    if isinstance(exc, ne.AuthError):
        return True
    code = str(getattr(exc, "code", "") or "")
    meta = getattr(exc, "metadata", None) or {}
    meta_code = str(meta.get("code", "")) if isinstance(meta, Mapping) else ""
    return any(c in code or c in meta_code for c in _AUTH_CODES)


def describe_driver_error(exc: BaseException, what: str, database: str | None) -> GraphServerError:
    """A one-line error a user can act on, without credentials, for a driver exception."""
    import neo4j.exceptions as ne

    if _is_handshake_timeout(exc):
        return GraphServerError(f"the graph server accepted the connection but did not answer the Bolt handshake "
                                f"while {what} (waited out --connect-timeout); is it a Bolt server, and is it "
                                "responsive?")
    if is_auth_error(exc):
        return GraphServerError(f"the graph server refused the credentials while {what}: wrong user name or "
                                "password (set --user / NEO4J_USER and the password via --password-env or "
                                "NEO4J_PASSWORD)")
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired)):
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        return GraphServerError(f"cannot reach the graph server while {what}: {reason}. Is it running, and "
                                "is --uri (NEO4J_URI) right?")
    code = str(getattr(exc, "code", "") or "")
    if "DatabaseNotFound" in code:
        return GraphServerError(f"database {database!r} does not exist on the graph server "
                                "(check --database / NEO4J_DATABASE)")
    if isinstance(exc, ne.Neo4jError):
        message = " ".join(str(getattr(exc, "message", None) or first_line).split())
        return GraphServerError(f"the graph server failed while {what}: {code or type(exc).__name__}: {message}")
    return GraphServerError(f"graph driver error while {what}: {type(exc).__name__}: {first_line}")


def _is_handshake_timeout(exc: BaseException) -> bool:
    """Whether the driver gave up waiting for a Bolt handshake (a timeout in the cause chain)."""
    if "handshake" not in str(exc).lower():
        return False
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TimeoutError) or type(cause).__name__ == "SocketDeadlineExceededError":
            return True
        cause = cause.__cause__ or cause.__context__
    return False


class _Abandoned(Exception):
    """Raised inside a transaction function after the watchdog fired: not retryable by the driver."""


class _ProbeFailed(Exception):
    """A dialect probe's procedure is unknown on the server (not retried by the driver)."""


class _Watchdog:
    """Closes ``driver`` when armed for longer than ``seconds``: breaks a read blocked on a silent server.

    One daemon thread waits for the current deadline (started on demand, ending after 2 s idle);
    :meth:`arm` and :meth:`disarm` only set the deadline under a lock, so arming costs microseconds
    per statement, not a thread each. ``fired`` stays set once it has fired (the driver is closed).
    """

    _IDLE_EXIT = 2.0

    def __init__(self, driver, seconds: float):
        self.driver = driver
        self.seconds = seconds
        self.fired = threading.Event()
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._span = seconds
        self._thread: threading.Thread | None = None
        #: The countdown (s) that was running when the watchdog fired.
        self.waited = seconds

    def arm(self, seconds: float | None = None) -> None:
        """Start (or restart) the countdown: ``seconds`` (default: the read timeout) from now."""
        with self._cond:
            if self.fired.is_set():
                return
            previous = self._deadline
            self._span = self.seconds if seconds is None else seconds
            self._deadline = time.monotonic() + self._span
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="kolgraph-bolt-watchdog", daemon=True)
                self._thread.start()
            elif previous is None or self._deadline < previous:
                self._cond.notify()  # the watcher sleeps until the old deadline: wake it for an earlier one

    def disarm(self) -> None:
        """Stop the countdown (the answer arrived, or the attempt failed on its own)."""
        with self._cond:
            self._deadline = None

    def _watch(self) -> None:
        with self._cond:
            while True:
                if self._deadline is None:
                    if not self._cond.wait(self._IDLE_EXIT) and self._deadline is None:
                        self._thread = None  # idle: end; the next arm starts a new thread
                        return
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                self.waited = self._span
                self.fired.set()
                self._deadline = None
                self._thread = None
                break
        try:
            self.driver.close()  # thread-safe; shuts the sockets down, so the blocked read returns
        except Exception:  # noqa: BLE001 - the caller reports the timeout, whatever closing did
            pass


class Transactions:
    """Runs transaction functions on one driver through managed transactions, bounded in time.

    ``execute(work, write=..., what=...)`` opens a session, runs ``work(tx)`` with
    ``session.execute_write`` (or ``execute_read``) under :class:`Timeouts`, and turns driver
    failures into one-line :class:`GraphServerError`\\ s naming ``what`` was being done.
    ``retries`` counts transaction functions the driver ran again after a transient failure.
    """

    def __init__(self, driver, *, database: str | None = None, timeouts: Timeouts | None = None):
        self.driver = driver
        self.database = database or None
        self.timeouts = timeouts or Timeouts()
        self.retries = 0
        self._watchdog = _Watchdog(driver, self.timeouts.read_timeout)

    def execute(self, work: Callable[[Any], Any], *, write: bool, what: str,
                database: str | None = None, read_mode: bool = True) -> Any:
        """Run ``work(tx)`` in a managed transaction; ``database`` (None: the server's default) is sent as given.

        ``read_mode=False`` runs reads in a write transaction too (for servers that misread the
        read-mode flag).
        """
        import neo4j.exceptions as ne

        limits = self.timeouts
        dog = self._watchdog
        if dog.fired.is_set():
            raise GraphServerError(f"the graph server stopped answering earlier (no reply within "
                                   f"{limits.read_timeout:g} s, --read-timeout) and the driver was closed; "
                                   f"cannot go on {what}: make a new driver")
        calls = 0
        # Around each transaction function: the read timeout. Outside them (opening a connection and
        # BEGIN's answer, COMMIT's, and after a failed attempt the driver's backoff, reconnecting and
        # BEGIN again) the driver's own bounds apply first; the watchdog allows them all: the backoff
        # sleeps at most about twice the retry time, then connect and read timeouts.
        between = 2 * limits.retry_time + limits.connect_timeout + limits.read_timeout

        def guarded(tx):
            nonlocal calls
            if dog.fired.is_set():
                raise _Abandoned()
            calls += 1
            dog.arm()
            try:
                out = work(tx)
            except BaseException:
                dog.arm(between)
                raise
            dog.arm(between)  # the commit, and if it fails the driver's retry, wait for the server too
            return out

        dog.arm(between)
        try:
            with self.driver.session(database=database, max_transaction_retry_time=limits.retry_time,
                                     initial_retry_delay=limits.retry_delay) as session:
                run = session.execute_write if (write or not read_mode) else session.execute_read
                return run(guarded)
        except Exception as exc:
            if dog.fired.is_set():
                bound = ("--read-timeout" if dog.waited == limits.read_timeout else
                         "connect + read timeout + twice the retry time, outside a statement")
                raise GraphServerError(f"the graph server stopped answering while {what}: no reply within "
                                       f"{dog.waited:g} s ({bound}); the connection was closed. "
                                       "Check the server; a push can be run again (it is idempotent)") from None
            if isinstance(exc, (ne.Neo4jError, ne.DriverError)):
                raise describe_driver_error(exc, what, database) from None
            raise
        finally:
            dog.disarm()
            self.retries += max(calls - 1, 0)


def detect_dialect(driver, database: str | None = None, *, timeouts: Timeouts | None = None) -> Dialect:
    """Which server the driver talks to: FalkorDB answers ``db.meta.stats()``, Neo4j ``dbms.components()``.

    (FalkorDB announces itself as "Neo4j/5.13.0" in the Bolt handshake, so the agent string cannot tell.)
    Unreachable servers, refused credentials and unknown databases raise :class:`GraphServerError`.
    """
    import neo4j.exceptions as ne

    runner = Transactions(driver, database=database, timeouts=timeouts)
    # FalkorDB first: after a failed statement the driver sends RESET, which FalkorDB 4.16 sometimes
    # never answers (measured: 1 run in 5 hung there), while Neo4j handles a failed probe cleanly
    for dialect in (FALKORDB, NEO4J):
        statement = load_query(dialect.probe_query).text

        def probe(tx, statement=statement) -> bool:
            try:
                tx.run(statement).consume()
            except ne.Neo4jError as exc:
                if is_auth_error(exc) or "DatabaseNotFound" in str(getattr(exc, "code", "")):
                    raise
                raise _ProbeFailed() from None  # the probe's procedure is unknown: not this server
            return True

        try:
            runner.execute(probe, write=False, what="identifying the server",
                           database=database if dialect.named_databases else None)
        except _ProbeFailed:
            continue
        return dialect
    raise GraphServerError("cannot tell whether the server is Neo4j or FalkorDB (neither dbms.components() nor "
                           "db.meta.stats() answered); pass --dialect neo4j or --dialect falkordb")
