"""Fakes for the clipboard watcher's unit tests.

FakeBackend is an in-memory clipboard with a change token and a
compare-and-swap replace(), so loop, race and policy logic can be tested on
every OS. The end-to-end tests use the real X server, compositor and guard.
"""
from __future__ import annotations

import os
import re
from typing import Any
from typing import NamedTuple

from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Content
from promptguard.surfaces.clipboard.base import Selection
from promptguard.surfaces.clipboard.base import concealed


class _Entry(NamedTuple):
    text: str | None
    types: tuple[str, ...]
    token: int
    ours: bool


class FakeBackend:
    name = "fake"
    poll_interval: float | None = None

    def __init__(self, identifies_own: bool = True) -> None:
        # False: like Wayland, the backend cannot tell our own write apart
        # (the watcher then recognises it by content).
        self.identifies_own = identifies_own
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self.token = 0
        self.entries: dict[Selection, _Entry] = {}
        self.events: list[Change] = []
        self.writes: list[tuple[Selection, str]] = []
        self.reads = 0

    def copy(self, text: str | None, selection: Selection = "clipboard",
             types: tuple[str, ...] = ("text/plain",)) -> Change:
        """What a user's copy does: a new owner, a new token, an event."""
        return self._set(selection, text, types, ours=False)

    def _set(self, selection: Selection, text: str | None, types: tuple[str, ...],
             ours: bool) -> Change:
        self.token += 1
        self.entries[selection] = _Entry(text, types, self.token, ours)
        change = Change(selection, self.token, own=ours and self.identifies_own)
        self.events.append(change)
        os.write(self._w, b"x")
        return change

    def paste(self, selection: Selection = "clipboard") -> str | None:
        entry = self.entries.get(selection)
        return None if entry is None else entry.text

    def fileno(self) -> int:
        return self._r

    def changes(self) -> list[Change]:
        try:
            while os.read(self._r, 64):
                pass
        except BlockingIOError:
            pass
        out, self.events = self.events, []
        return out

    def read(self, change: Change, max_bytes: int) -> Content:
        self.reads += 1
        entry = self.entries[change.selection]
        if concealed(entry.types):
            return Content(None, entry.types, "password manager entry")
        if entry.text is None:
            return Content(None, entry.types, "non-text")
        if len(entry.text.encode()) > max_bytes:
            return Content(None, entry.types, "too large")
        return Content(entry.text, entry.types)

    def replace(self, change: Change, text: str) -> bool:
        if self.entries[change.selection].token != change.token:
            return False
        self.write(change.selection, text)
        return True

    def write(self, selection: Selection, text: str) -> None:
        self.writes.append((selection, text))
        self._set(selection, text, ("text/plain",), ours=True)

    def close(self) -> None:
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass


class _Finding(NamedTuple):
    rule_id: str


class _Decision(NamedTuple):
    finding: _Finding
    action: str


class _Verdict(NamedTuple):
    action: str
    decisions: tuple[_Decision, ...]
    failed: bool
    text: str | None


ACTION_OF = {"SECRET": "block", "EMAIL": "redact", "NOTE": "warn", "OKAY": "allow"}
_PATTERN = re.compile(r"\b(SECRET|EMAIL|NOTE|OKAY)_[A-Z0-9]+\b")
_RANK = ("allow", "warn", "redact", "block")


class FakeGuard:
    """Stands in for promptguard.guard.Guard in the watcher's unit tests only.

    KIND_XXXX tokens are findings whose action ACTION_OF gives; FAIL in the
    text makes a detector "not finish". Records every call.
    """

    def __init__(self, on_error: str = "block") -> None:
        self.on_error = on_error
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def _verdict(self, text: str, redact: bool) -> _Verdict:
        decisions = tuple(_Decision(_Finding(f"fake-{m.group(1).lower()}"), ACTION_OF[m.group(1)])
                          for m in _PATTERN.finditer(text))
        failed = "FAIL" in text
        action = max((d.action for d in decisions), key=_RANK.index, default="allow")
        if failed and self.on_error == "block":
            action = "block"
        out = None
        if redact:
            out = _PATTERN.sub(lambda m: f"<{m.group(1).lower()}-1>"
                               if ACTION_OF[m.group(1)] in ("redact", "block") else m.group(0),
                               text)
        return _Verdict(action, decisions, failed, out)

    def check(self, text: str, *, source: str) -> _Verdict:
        self.calls.append(("check", text, {"source": source}))
        return self._verdict(text, redact=False)

    def redact(self, text: str, *, source: str, session: str) -> _Verdict:
        self.calls.append(("redact", text, {"source": source, "session": session}))
        return self._verdict(text, redact=True)


class Notes:
    """A Notifier that records what it was asked to show."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, bool]] = []

    def __call__(self, summary: str, body: str, urgent: bool) -> None:
        self.shown.append((summary, body, urgent))
