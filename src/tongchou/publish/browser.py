"""A headless Chromium that opens a bulletin as a reader would: it loads the page from the file
system, records what the console reports, clicks, reads the page and takes screenshots.

It speaks the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages ending
in a NUL byte on file descriptors 3 and 4), so it needs nothing but the browser itself: the
Debian package ``chromium`` (or $TONGCHOU_CHROMIUM naming another build).

    with Browser() as browser:
        page = browser.open(Path("bulletin/index.html"))
        page.errors, page.evaluate("document.title"), page.screenshot(Path("shot.png"))
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tongchou.errors import NotFound, TongchouError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DESKTOP = {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


class BrowserError(TongchouError):
    """The browser failed, or a page did not do what was asked in time."""


def find_chromium() -> str:
    """The Chromium to run: $TONGCHOU_CHROMIUM, else the first on PATH."""
    named = os.environ.get("TONGCHOU_CHROMIUM")
    if named:
        return named
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise NotFound(
        "no Chromium found; install the Debian package `chromium` "
        "(apt-get install chromium) or set TONGCHOU_CHROMIUM"
    )


@dataclass
class Page:
    """One tab, attached to its own session of the browser."""

    browser: Browser
    session: str
    errors: list[str] = field(default_factory=list)

    def send(self, method: str, params: dict | None = None, timeout: float = 30.0) -> dict:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 30.0):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} failed: {_describe(reply['exceptionDetails'])}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> float:
        """Seconds until `expression` is true; BrowserError after `timeout`."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.evaluate(f"Boolean({expression})"):
                return time.monotonic() - start
            self.browser.pump(0.05)
        raise BrowserError(f"{expression!r} not true after {timeout:.0f} s; console: {self.errors}")

    def click(self, selector: str) -> None:
        """Click the middle of the first element matching `selector`, as a mouse would."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        if box is None:
            raise BrowserError(f"nothing matches {selector!r}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
            )

    def screenshot(self, path: Path, full_page: bool = True, selector: str | None = None) -> Path:
        """A PNG of the page (all of it, what the window shows, or one element)."""
        params: dict = {"format": "png", "captureBeyondViewport": full_page}
        if selector:
            box = self.evaluate(
                f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                ".getBoundingClientRect();"
                " return [r.x + scrollX, r.y + scrollY, r.width, r.height]; })()"
            )
            params["clip"] = {
                "x": box[0],
                "y": box[1],
                "width": box[2],
                "height": box[3],
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        elif full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        data = self.send("Page.captureScreenshot", params, timeout=60.0)["data"]
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    """A headless Chromium process; use as a context manager."""

    def __init__(self, executable: str | None = None):
        self.executable = executable or find_chromium()
        self.profile = tempfile.mkdtemp(prefix="tongchou-chromium-")
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.pages: dict[str, Page] = {}
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()
        # the browser expects the pipe on descriptors 3 (commands) and 4 (replies)
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands_read, replies_write)]
        os.close(commands_read)
        os.close(replies_write)

        def wire() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        arguments = [
            self.executable,
            "--headless",
            "--remote-debugging-pipe",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--mute-audio",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            f"--user-data-dir={self.profile}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            arguments.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(
            [*arguments, "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=wire,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in high:
            os.close(fd)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(BrowserError, OSError):
                self.send("Browser.close", timeout=5.0)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for fd in (self.commands, self.replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(
        self,
        method: str,
        params: dict | None = None,
        *,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict:
        """Send one command and wait for its reply; events that come meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for reply in self._read(deadline - time.monotonic()):
                if reply.get("id") == message["id"]:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
                self._event(reply)
        raise BrowserError(f"{method}: no reply within {timeout:.0f} s")

    def pump(self, seconds: float) -> None:
        """Take in the events that arrive within `seconds`."""
        for event in self._read(seconds):
            self._event(event)

    def _read(self, timeout: float) -> list[dict]:
        if self.process.poll() is not None:
            raise BrowserError(f"Chromium exited with status {self.process.returncode}")
        ready, _, _ = select.select([self.replies], [], [], max(timeout, 0.0))
        if ready:
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed its pipe")
            self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\0")
        return [json.loads(part) for part in complete if part]

    def _event(self, event: dict) -> None:
        page = self.pages.get(event.get("sessionId", ""))
        if page is None:
            return
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            page.errors.append(_describe(params["exceptionDetails"]))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            page.errors.append(
                " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
                )
            )
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            page.errors.append(f"{entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.loadEventFired":
            page.loaded = True

    def open(
        self,
        path: Path | str,
        *,
        device: dict = DESKTOP,
        wait: str | None = None,
        timeout: float = 30.0,
    ) -> Page:
        """Open a file (or URL) in a new tab of the given size, wait for its load event (and
        for `wait`, a JavaScript condition, if given)."""
        url = path if isinstance(path, str) and "://" in path else Path(path).absolute().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, session["sessionId"])
        page.loaded = False
        self.pages[page.session] = page
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            page.send(domain)
        page.send("Emulation.setDeviceMetricsOverride", device)
        page.send("Page.navigate", {"url": url})
        start = time.monotonic()
        while not page.loaded:
            if time.monotonic() - start > timeout:
                raise BrowserError(f"{url} did not load within {timeout:.0f} s: {page.errors}")
            self.pump(0.05)
        if wait:
            page.wait_for(wait, timeout)
        return page


def _describe(details: dict) -> str:
    exception = details.get("exception") or {}
    text = exception.get("description") or details.get("text", "error")
    return f"{text} ({details.get('url', '')}:{details.get('lineNumber', '?')})"
