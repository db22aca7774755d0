"""A tiny headless-Chromium driver for the browser tests and benchmarks (no extra dependencies).

Chromium is started with ``--remote-debugging-pipe``: the DevTools protocol then runs over two
pipes (the browser reads commands on fd 3 and writes replies and events on fd 4, each message a JSON
object ending in a NUL byte), so no websocket client and no open port are needed. One
:class:`Browser` holds one page; :meth:`Browser.open` loads a URL and records every console message,
uncaught exception, log entry (CSP violations land there), JavaScript dialog and network request.

Usage::

    with Browser.launch() as browser:
        visit = browser.open(Path("map.html").resolve().as_uri())
        browser.evaluate("document.title")
        browser.screenshot(tmp_path / "map.png")
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["find_chromium", "Browser", "Visit", "BrowserError", "CHROMIUM_FLAGS", "png_colours", "map_ready_script"]

#: The flags the issue asks for, plus quiet defaults for a clean profile.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
    "--disable-component-update", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
)


class BrowserError(RuntimeError):
    """The browser could not be started, died, or a DevTools command failed or timed out."""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary (``$KOLGRAPH_CHROMIUM`` first), or None."""
    explicit = os.environ.get("KOLGRAPH_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else shutil.which(explicit)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Visit:
    """What happened while a page was open: console errors, exceptions, dialogs, requests."""

    url: str
    console: list[dict] = field(default_factory=list)      # {"level", "text"} from console.* and Log
    exceptions: list[str] = field(default_factory=list)   # uncaught exceptions
    dialogs: list[str] = field(default_factory=list)      # alert()/confirm() messages (must stay empty)
    requests: list[str] = field(default_factory=list)     # every URL the page requested

    @property
    def errors(self) -> list[str]:
        """Console errors, log errors (e.g. Content-Security-Policy violations) and exceptions."""
        return [m["text"] for m in self.console if m["level"] == "error"] + self.exceptions

    @property
    def remote_requests(self) -> list[str]:
        """Requests that would leave the machine (http, https, ws)."""
        return [u for u in self.requests if u.split(":", 1)[0].lower() in ("http", "https", "ws", "wss")]


class Browser:
    """One headless Chromium process with one page, driven over the DevTools pipe."""

    def __init__(self, process: subprocess.Popen, to_browser: int, from_browser: int, profile: str,
                 *, width: int, height: int):
        self._process = process
        self._out = os.fdopen(to_browser, "wb", buffering=0)
        self._in = os.fdopen(from_browser, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self._profile = profile
        self._visit: Visit | None = None
        target = self._call("Target.createTarget", {"url": "about:blank"})
        self._session = self._call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    @classmethod
    def launch(cls, binary: str | None = None, *, width: int = 1400, height: int = 1000) -> "Browser":
        """Start headless Chromium with a throwaway profile (removed on :meth:`close`)."""
        binary = binary or find_chromium()
        if not binary:
            raise BrowserError("no chromium binary found (apt-get install -y chromium, or set KOLGRAPH_CHROMIUM)")
        profile = tempfile.mkdtemp(prefix="kolgraph-chromium-")
        # fd 3: commands to the browser; fd 4: replies from it (what --remote-debugging-pipe expects).
        cmd_read, cmd_write = os.pipe()
        reply_read, reply_write = os.pipe()

        def child_fds() -> None:  # runs in the child between fork and exec
            os.dup2(cmd_read, 200)  # move out of the way first: the pipes may sit on fd 3 or 4
            os.dup2(reply_write, 201)
            os.dup2(200, 3)
            os.dup2(201, 4)

        args = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                f"--window-size={width},{height}", "about:blank"]
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, preexec_fn=child_fds,
                                   pass_fds=(3, 4))  # close_fds runs after preexec_fn
        os.close(cmd_read)
        os.close(reply_write)
        try:
            return cls(process, cmd_write, reply_read, profile, width=width, height=height)
        except BaseException:
            process.kill()
            process.wait()
            shutil.rmtree(profile, ignore_errors=True)
            raise

    # ---- protocol ---------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._in], [], [], remaining)
            if not ready:
                continue
            chunk = self._in.read(1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited (code {self._process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _call(self, method: str, params: dict | None = None, *, session: str | None = None,
              timeout: float = 60.0) -> dict:
        self._next_id += 1
        call_id = self._next_id
        message = {"id": call_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._record(reply)

    def send(self, method: str, params: dict | None = None, *, timeout: float = 60.0) -> dict:
        """Send a DevTools command to the page and return its result."""
        return self._call(method, params, session=self._session, timeout=timeout)

    def _record(self, event: dict) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method is None:
            return
        self._events.append(event)
        visit = self._visit
        if visit is None:
            return
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            level = "error" if params.get("type") in ("error", "assert") else params.get("type", "log")
            visit.console.append({"level": level, "text": text})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            visit.console.append({"level": entry.get("level", "info"),
                                  "text": f"[{entry.get('source')}] {entry.get('text')} {entry.get('url', '')}".strip()})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            visit.exceptions.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Page.javascriptDialogOpening":
            visit.dialogs.append(params.get("message", ""))
            # Dismiss it so the page does not hang; the test fails on visit.dialogs anyway.
            self._out.write(json.dumps({"id": -1, "method": "Page.handleJavaScriptDialog",
                                        "params": {"accept": False}, "sessionId": self._session}).encode() + b"\0")
        elif method == "Network.requestWillBeSent":
            visit.requests.append(params.get("request", {}).get("url", ""))

    def _wait_event(self, method: str, timeout: float) -> dict:
        for index, event in enumerate(self._events):
            if event.get("method") == method:
                return self._events.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            self._record(event)
            if event.get("method") == method:
                self._events.remove(event)
                return event

    # ---- page operations --------------------------------------------------------------------

    def open(self, url: str, *, timeout: float = 60.0) -> Visit:
        """Navigate to ``url`` and wait for its load event; events from then on go into the visit."""
        self._events.clear()
        self._visit = Visit(url=url)
        result = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self._wait_event("Page.loadEventFired", timeout)
        return self._visit

    def evaluate(self, expression: str, *, timeout: float = 60.0) -> Any:
        """Evaluate JavaScript in the page (promises are awaited) and return its JSON value."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True, "timeout": int(timeout * 1000)},
                           timeout=timeout + 5)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result.get("result", {}).get("value")

    def drain(self, seconds: float = 0.2) -> None:
        """Collect events that arrive within ``seconds`` (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._record(self._read_message(deadline))
        except BrowserError as exc:
            if "timed out" not in str(exc):
                raise

    def screenshot(self, path: str | os.PathLike, *, full_page: bool = False) -> Path:
        """Save a PNG screenshot of the page (the viewport, or the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close the browser and remove its profile."""
        try:
            self._call("Browser.close", timeout=5)
        except (BrowserError, OSError, ValueError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def png_colours(path: str | os.PathLike, *, region: tuple[int, int, int, int] | None = None) -> int:
    """Number of distinct RGB colours in a PNG (optionally in ``region`` = x, y, width, height)."""
    import numpy as np
    from matplotlib import image

    pixels = image.imread(str(path))
    if region is not None:
        x, y, w, h = region
        pixels = pixels[y:y + h, x:x + w]
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint32).reshape(-1, 3)
    return int(len(np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2])))


def map_ready_script(map_expression: str, *, timeout_ms: int = 30_000) -> str:
    """JS that resolves once the kolgraph map at ``map_expression`` has stabilised, with what it drew."""
    return """
new Promise(function (resolve, reject) {
  var started = performance.now();
  (function wait() {
    var m = %s;
    if (m && m.ready) { m.ready.then(function () {
      resolve({nodes: m.nodeCount, edges: m.edgeCount, stabilized: m.stabilized, ms: m.stabilizationMs,
               setup_ms: m.setupMs, since_navigation: performance.now(),
               physics: m.network.physics.options.enabled, drawn: m.network.body.nodeIndices.length});
    }); return; }
    if (performance.now() - started > %d) { reject(new Error("map never started")); return; }
    setTimeout(wait, 20);
  })();
})
""" % (map_expression, timeout_ms)
