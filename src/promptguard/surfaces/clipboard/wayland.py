"""Wayland (wlroots compositors, KWin, Mir): `wl-paste --watch` and `wl-copy`.

Background clipboard access on Wayland needs the data-control protocol,
which wl-clipboard speaks. One long-lived `wl-paste --watch` child
per selection (`sh -c 'printf c; exec cat >/dev/null'`, draining what the
source sends) writes a byte to our pipe for every new selection, so the
daemon sleeps in select() between copies. Per change we list the offered
types (password-manager entries and non-text never reach this process: the
watch child's drain goes to /dev/null), then read the text with a size cap.
Writing goes through `wl-copy` (the library's one-shot clipboard access),
which forks a server that keeps serving.

There is no compare-and-swap on Wayland: just before writing we check that
no newer change is queued and re-read the selection, and leave it alone if
it changed. That narrows the race to the few milliseconds between the
re-read and wl-copy; it cannot close it. Our own write is recognised by its
content (the watcher compares it with what it just wrote).

GNOME (Mutter) has no data-control protocol: wl-paste --watch refuses to
start there, and the error says to use the X11 backend through XWayland.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Mapping

from promptguard import clipboard
from promptguard.errors import InputError
from promptguard.surfaces.clipboard.base import BackendError
from promptguard.surfaces.clipboard.base import BackendGone
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Content
from promptguard.surfaces.clipboard.base import Selection
from promptguard.surfaces.clipboard.base import concealed

READ_TIMEOUT = 2.0
# Seconds a watch child has to fail (no data-control protocol) before we
# believe it runs.
STARTUP_CHECK = 0.3
TEXT_TYPES = ("text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "STRING", "TEXT")
TAGS: dict[Selection, bytes] = {"clipboard": b"c", "primary": b"p"}


class WaylandBackend:
    name = "wayland"
    poll_interval: float | None = None

    def __init__(
        self,
        selections: tuple[Selection, ...] = ("clipboard",),
        env: Mapping[str, str] | None = None,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        if not self.env.get("WAYLAND_DISPLAY"):
            raise BackendError("no Wayland session (WAYLAND_DISPLAY is not set)")
        for tool in ("wl-paste", "wl-copy"):
            if shutil.which(tool, path=self.env.get("PATH")) is None:
                raise BackendError("the Wayland backend needs wl-clipboard "
                                   "(apt-get install wl-clipboard)")
        self.selections = selections
        self.read_timeout = read_timeout
        self._queue: deque[Change] = deque()
        self._token = 0
        # selection -> (type, bytes) of what we read last, for the re-check
        self._last: dict[Selection, tuple[str, bytes]] = {}
        # A selection that already holds something fires once at start;
        # that is no copy of the user's, so its first event is dropped.
        self._skip = {sel: self._types(sel) != () for sel in selections}
        self._r, w = os.pipe()
        os.set_blocking(self._r, False)
        self._children: list[subprocess.Popen[bytes]] = []
        try:
            for sel in selections:
                # Notify first, then drain what the source sends: a source
                # writing into a pipe nobody reads would get EPIPE, and an
                # application that does not ignore SIGPIPE would die of it.
                script = f"printf {TAGS[sel].decode()}; exec cat >/dev/null"
                cmd = ["wl-paste", *self._flag(sel), "--watch", "sh", "-c", script]
                self._children.append(subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.PIPE,
                    env=self.env,
                ))
        finally:
            os.close(w)
        deadline = time.monotonic() + STARTUP_CHECK
        for child in self._children:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                continue
            why = (child.stderr.read() if child.stderr else b"").decode(errors="replace").strip()
            self.close()
            raise BackendError(
                f"wl-paste --watch failed ({why or f'exit {child.returncode}'}); this compositor "
                "may lack the data-control protocol (GNOME): use --backend x11 (XWayland)")
        for child in self._children:
            if child.stderr is not None:
                child.stderr.close()
                child.stderr = None

    @staticmethod
    def _flag(selection: Selection) -> tuple[str, ...]:
        return ("--primary",) if selection == "primary" else ()

    def fileno(self) -> int:
        return self._r

    # -- reading -----------------------------------------------------------

    def _run(self, args: list[str], limit: int) -> tuple[int, bytes]:
        """Exit code and at most `limit` + 1 bytes of stdout, within the timeout."""
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=self.env)
        assert proc.stdout is not None
        out = bytearray()
        deadline = time.monotonic() + self.read_timeout
        try:
            while len(out) <= limit:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise InputError(f"{args[0]} did not answer within {self.read_timeout:g}s")
                ready, _, _ = select.select([proc.stdout], [], [], remaining)
                if not ready:
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        finally:
            if len(out) > limit or proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            rc = proc.wait()
        return rc, bytes(out)

    def _types(self, sel: Selection) -> tuple[str, ...]:
        rc, out = self._run(["wl-paste", *self._flag(sel), "--list-types"], 1 << 16)
        if rc != 0:
            return ()  # nothing copied
        return tuple(t for t in out.decode("utf-8", "replace").splitlines() if t)

    def _text(self, sel: Selection, mime: str, max_bytes: int) -> bytes | None:
        rc, out = self._run(["wl-paste", *self._flag(sel), "--no-newline", "--type", mime],
                            max_bytes)
        if len(out) > max_bytes:
            return None
        if rc != 0:
            raise InputError(f"wl-paste failed (exit {rc})")
        return out

    def _drain(self) -> None:
        try:
            data = os.read(self._r, 4096)
        except BlockingIOError:
            return
        if not data:
            codes = [c.poll() for c in self._children]
            raise BackendGone(f"wl-paste --watch exited ({codes}); the compositor went away?")
        for byte in data:
            sel: Selection = "primary" if byte == TAGS["primary"][0] else "clipboard"
            if self._skip.get(sel):
                self._skip[sel] = False
                continue
            self._token += 1
            self._queue.append(Change(sel, self._token))

    def changes(self) -> list[Change]:
        self._drain()
        out = list(self._queue)
        self._queue.clear()
        return out

    def read(self, change: Change, max_bytes: int) -> Content:
        sel = change.selection
        types = self._types(sel)
        if not types:
            return Content(None, (), "empty")
        if concealed(types):
            return Content(None, types, "password manager entry")
        mime = next((t for t in TEXT_TYPES if t in types), None)
        if mime is None:
            return Content(None, types, "non-text")
        data = self._text(sel, mime, max_bytes)
        if data is None:
            return Content(None, types, f"too large (over {max_bytes} bytes)")
        self._last[sel] = (mime, data)
        return Content(data.decode("utf-8", "surrogateescape"), types)

    # -- writing -----------------------------------------------------------

    def replace(self, change: Change, text: str) -> bool:
        sel = change.selection
        self._drain()
        if any(c.selection == sel for c in self._queue):
            return False  # a newer copy is already on its way to us
        last = self._last.get(sel)
        if last is None:
            return False
        mime, data = last
        try:
            now = self._text(sel, mime, len(data) + 1)
        except InputError:
            return False
        if now != data:
            return False
        self.write(sel, text)
        return True

    def write(self, selection: Selection, text: str) -> None:
        flag = self._flag(selection)
        # Our environment, not the process's: the session may be another's.
        env = tuple((k, self.env[k]) for k in ("WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PATH")
                    if k in self.env)
        tool = clipboard.Backend("wl-clipboard", ("wl-paste", *flag, "--no-newline"),
                                 ("wl-copy", *flag), empty_codes=(1,), env=env)
        clipboard.write(text, tool, timeout=self.read_timeout)

    def close(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.terminate()
        for child in self._children:
            try:
                child.wait(2)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children = []
        if self._r >= 0:
            os.close(self._r)
            self._r = -1
