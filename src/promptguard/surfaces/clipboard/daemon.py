"""The watcher's event loop: one selector, no busy polling.

It waits on the backend's descriptor (or sleeps its poll interval), the
control socket and a signal wake-up pipe, and otherwise until the next
debounce or stash-expiry deadline: an idle watcher uses no CPU. SIGINT and
SIGTERM end it cleanly (exit 0). When the display server or compositor goes
away it tries to reconnect for a few seconds, then exits 1 with a message
(a service manager restarts it; a logged-out session stops it).
"""
from __future__ import annotations

import os
import selectors
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

from promptguard.errors import PromptguardError
from promptguard.surfaces.clipboard.base import Backend
from promptguard.surfaces.clipboard.base import BackendGone
from promptguard.surfaces.clipboard.control import Server
from promptguard.surfaces.clipboard.watcher import Outcome
from promptguard.surfaces.clipboard.watcher import Watcher

RECONNECT_FOR = 10.0
RECONNECT_EVERY = 1.0
EXIT_GONE = 1


def describe(outcome: Outcome) -> str:
    """A log line: selection, what happened, rule ids, timing. No content."""
    parts = [f"{outcome.selection}: {outcome.kind}"]
    if outcome.rules:
        parts.append(" ".join(outcome.rules))
    if outcome.note:
        parts.append(f"({outcome.note})")
    if outcome.kind in ("redacted", "cleared"):
        parts.append(f"in {outcome.ms:.1f} ms")
    return " ".join(parts)


class Daemon:
    def __init__(
        self,
        connect: Callable[[], Backend],
        make_watcher: Callable[[Backend], Watcher],
        server: Server | None,
        log: Callable[[str], None],
        *,
        verbose: bool = False,
        reconnect_for: float = RECONNECT_FOR,
    ) -> None:
        self._connect = connect
        self._make_watcher = make_watcher
        self._server = server
        self._log = log
        self._verbose = verbose
        self._reconnect_for = reconnect_for
        self._stop: list[int] = []
        self.backend: Backend | None = None
        self.watcher: Watcher | None = None
        self.started = time.time()

    # -- control requests --------------------------------------------------

    def _status(self) -> dict[str, Any]:
        w = self.watcher
        return {
            "pid": os.getpid(),
            "backend": self.backend.name if self.backend else None,
            "selections": list(w.settings.selections) if w else [],
            "action": w.settings.action if w else None,
            "since": int(self.started),
        }

    def _control(self) -> None:
        assert self._server is not None
        got = self._server.accept()
        if got is None:
            return
        conn, line = got
        if line == "status":
            payload: dict[str, Any] = {"ok": True, **self._status()}
        elif line == "restore-last" and self.watcher is not None:
            try:
                message = self.watcher.restore_last()
                payload = {"ok": message.startswith("restored"), "message": message}
            except PromptguardError as e:
                payload = {"ok": False, "message": f"could not write the clipboard: {e}"}
            self._log(f"restore-last: {payload['message']}")
        else:
            payload = {"ok": False, "message": f"unknown request {line[:40]!r}"}
        self._server.reply(conn, payload)

    # -- the loop ------------------------------------------------------------

    def _reconnect(self, why: str) -> Backend | None:
        self._log(f"lost the display ({why}); reconnecting for up to {self._reconnect_for:g} s")
        deadline = time.monotonic() + self._reconnect_for
        while not self._stop and time.monotonic() < deadline:
            time.sleep(min(RECONNECT_EVERY, self._reconnect_for))
            try:
                return self._connect()
            except PromptguardError:
                continue
        return None

    def _pump(self, watcher: Watcher, backend: Backend) -> None:
        while True:
            for change in backend.changes():
                watcher.offer(change)
            ready = watcher.due()
            if not ready:
                break
            for change in ready:
                outcome = watcher.handle(change)
                if outcome.kind != "own" or self._verbose:
                    self._log(describe(outcome))
        watcher.expire()

    def run(self) -> int:
        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)

        def on_signal(signum: int, frame: object) -> None:
            self._stop.append(signum)

        old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        old_fd = signal.set_wakeup_fd(wake_w.fileno())
        selector = selectors.DefaultSelector()
        selector.register(wake_r, selectors.EVENT_READ, "wake")
        if self._server is not None:
            selector.register(self._server.fileno(), selectors.EVENT_READ, "control")
        try:
            return self._loop(selector, wake_r)
        finally:
            signal.set_wakeup_fd(old_fd)
            for s, handler in old.items():
                signal.signal(s, handler)
            selector.close()
            wake_r.close()
            wake_w.close()
            if self.backend is not None:
                self.backend.close()

    def _loop(self, selector: selectors.BaseSelector, wake_r: socket.socket) -> int:
        backend = self.backend = self._connect()
        watcher = self.watcher = self._make_watcher(backend)
        s = watcher.settings
        primary = f", primary {s.primary_action}" if "primary" in s.selections else ""
        self._log(f"watching {' and '.join(s.selections)} with the {backend.name} backend "
                  f"(action {s.action}{primary})")

        # Remembered: a dead connection's fileno() may raise.
        registered: list[int] = []

        def register(b: Backend) -> None:
            fd = b.fileno()
            if fd is not None:
                selector.register(fd, selectors.EVENT_READ, "backend")
                registered.append(fd)

        register(backend)
        while not self._stop:
            deadlines = [d - time.monotonic() for d in (watcher.next_deadline(),) if d is not None]
            if backend.poll_interval is not None:
                deadlines.append(backend.poll_interval)
            timeout = max(0.0, min(deadlines)) if deadlines else None
            for key, _ in selector.select(timeout):
                if key.data == "wake":
                    try:
                        while wake_r.recv(64):
                            pass
                    except BlockingIOError:
                        pass
                elif key.data == "control":
                    self._control()
            if self._stop:
                break
            try:
                self._pump(watcher, backend)
            except BackendGone as e:
                while registered:
                    selector.unregister(registered.pop())
                backend.close()
                self.backend = None
                new = self._reconnect(str(e))
                if new is None:
                    if self._stop:
                        break
                    self._log("the display did not come back; exiting")
                    return EXIT_GONE
                backend = self.backend = new
                watcher.backend = new
                register(new)
                self._log(f"reconnected ({new.name})")
        self._log("stopped")
        return 0
