"""What happens to one copy: the watcher's decisions, without I/O of its own.

For every change the backend reports, in order:

1. our own write (the backend knows, or the content is what we just wrote)
   is consumed and never scanned again, so there is no feedback loop;
2. concealed (password manager), non-text and oversized entries are left
   alone with a note;
3. the resident guard scans (warn mode) or redacts (redact and clear
   modes) the text; the `clipboard` surface policy decides per finding,
   and the guard writes every decision to the audit log;
4. a redaction replaces the entry only if it is still the one we read
   (`Backend.replace` is a compare-and-swap where the platform has one),
   at most `rate_limit` times per `rate_window` for the same content, so a
   clipboard manager that re-asserts the original cannot start a fight;
5. the original stays in memory for `keep_original` seconds so
   `--restore-last` can put it back once; it is never written anywhere.

PRIMARY (the X11/Wayland "highlighted text" selection) changes on every
mouse drag: its changes are debounced and, by default, only warned about.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any
from typing import Literal
from typing import NamedTuple
from typing import Protocol

from promptguard.errors import PromptguardError
from promptguard.surfaces.clipboard.base import DEFAULT_MAX_BYTES
from promptguard.surfaces.clipboard.base import Backend
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Selection

Mode = Literal["warn", "redact", "clear"]
MODES: tuple[Mode, ...] = ("warn", "redact", "clear")
Kind = Literal[
    "own", "skipped", "clean", "warned", "redacted", "cleared", "superseded", "rate-limited",
    "failed",
]


class WatchSettings(NamedTuple):
    action: Mode = "redact"
    selections: tuple[Selection, ...] = ("clipboard",)
    primary_action: Mode = "warn"
    # Seconds after the last PRIMARY change before it is looked at.
    primary_debounce: float = 0.3
    max_bytes: int = DEFAULT_MAX_BYTES
    # Seconds the original of a redacted copy stays in memory; 0: never kept.
    keep_original: float = 30.0
    rate_limit: int = 3
    rate_window: float = 10.0
    # Vault session for the placeholders (`promptguard restore --session`).
    session: str = "clipboard"
    # Test hook: seconds to wait between scanning and writing back, to
    # prove a newer copy made meanwhile survives.
    delay_before_write: float = 0.0


class Outcome(NamedTuple):
    selection: Selection
    kind: Kind
    rules: tuple[str, ...] = ()
    note: str = ""
    # Milliseconds from handle() start to the write back (or decision).
    ms: float = 0.0


class Notifier(Protocol):
    def __call__(self, summary: str, body: str, urgent: bool) -> None: ...


class GuardLike(Protocol):
    """The part of promptguard.guard.Guard the watcher uses."""

    @property
    def on_error(self) -> str: ...

    def check(self, text: str, *, source: str) -> Any: ...

    def redact(self, text: str, *, source: str, session: str) -> Any: ...


LABELS: dict[Selection, str] = {"clipboard": "clipboard", "primary": "primary selection"}


class _Stash(NamedTuple):
    selection: Selection
    text: str
    expires: float


class Watcher:
    def __init__(
        self,
        backend: Backend,
        guard: GuardLike,
        settings: WatchSettings,
        notify: Notifier,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self.guard = guard
        self.settings = settings
        self._notify = notify
        self._clock = clock
        self._sleep = sleep
        # Keyed so the digests we hold are no stable fingerprint of a secret.
        self._key = os.urandom(16)
        self._expect_own: dict[Selection, bytes] = {}
        self._pending: dict[Selection, tuple[Change, float]] = {}
        self._recent: dict[bytes, list[float]] = {}
        self._stash: _Stash | None = None

    # -- scheduling ------------------------------------------------------

    def offer(self, change: Change) -> None:
        """Queue a change; a newer change of the same selection replaces it."""
        if change.selection not in self.settings.selections and not change.own:
            return
        delay = self.settings.primary_debounce if change.selection == "primary" else 0.0
        self._pending[change.selection] = (change, self._clock() + delay)

    def due(self) -> list[Change]:
        now = self._clock()
        ready = [c for c, at in self._pending.values() if at <= now]
        for c in ready:
            del self._pending[c.selection]
        return ready

    def next_deadline(self) -> float | None:
        """When due() or expire() next has work (monotonic clock), if ever."""
        times = [at for _, at in self._pending.values()]
        if self._stash is not None:
            times.append(self._stash.expires)
        return min(times, default=None)

    def expire(self) -> None:
        if self._stash is not None and self._stash.expires <= self._clock():
            self._stash = None

    # -- one copy --------------------------------------------------------

    def _digest(self, text: str) -> bytes:
        data = text.encode("utf-8", "surrogateescape")
        return hashlib.blake2b(data, key=self._key, digest_size=16).digest()

    def handle(self, change: Change) -> Outcome:
        start = self._clock()
        sel = change.selection

        def done(kind: Kind, rules: tuple[str, ...] = (), note: str = "") -> Outcome:
            return Outcome(sel, kind, rules, note, (self._clock() - start) * 1000)

        if change.own:
            self._expect_own.pop(sel, None)
            return done("own")
        if sel not in self.settings.selections:
            return done("skipped", note="selection not watched")
        try:
            content = self.backend.read(change, self.settings.max_bytes)
        except PromptguardError as e:
            return done("skipped", note=f"could not read: {e}")
        if content.text is None:
            return done("skipped", note=content.skipped or "no text")
        text = content.text
        digest = self._digest(text)
        if self._expect_own.pop(sel, None) == digest:
            return done("own")
        if not text.strip():
            return done("clean")

        mode = self.settings.action if sel == "clipboard" else self.settings.primary_action
        label = LABELS[sel]
        if mode == "warn":
            verdict = self.guard.check(text, source=label)
        else:
            verdict = self.guard.redact(text, source=label, session=self.settings.session)
        rules = tuple(sorted({d.finding.rule_id for d in verdict.decisions
                              if d.action != "allow"}))

        if verdict.failed and self.guard.on_error == "block" and mode != "warn":
            # A detector did not finish: we cannot vouch for the text, and
            # the policy says to fail closed. Emptying it is the only safe
            # replacement we have.
            return self._replace(change, text, digest, "", "cleared", rules,
                                 "scan incomplete; cleared (on_error = block)", start)
        if verdict.action == "allow":
            note = "scan incomplete; left as is (on_error = allow)" if verdict.failed else ""
            return done("clean", note=note)
        if mode == "warn" or verdict.action == "warn":
            self._notify(
                f"promptguard: sensitive text on the {label}",
                f"{', '.join(rules)}: left as is (warn).",
                False,
            )
            return done("warned", rules)
        new = "" if mode == "clear" else verdict.text
        if new is None or new == text:
            return done("warned", rules, "nothing to replace")
        kind: Kind = "cleared" if mode == "clear" else "redacted"
        return self._replace(change, text, digest, new, kind, rules, "", start)

    def _replace(
        self,
        change: Change,
        original: str,
        digest: bytes,
        new: str,
        kind: Kind,
        rules: tuple[str, ...],
        note: str,
        start: float,
    ) -> Outcome:
        sel = change.selection
        now = self._clock()
        window = [t for t in self._recent.get(digest, []) if now - t < self.settings.rate_window]
        if len(window) >= self.settings.rate_limit:
            # Someone keeps putting the same content back (a clipboard
            # manager "keeping" the clipboard): stop fighting, say so once.
            if len(window) == self.settings.rate_limit:
                self._notify(
                    f"promptguard: stopped replacing the {LABELS[sel]}",
                    f"{', '.join(rules)}: the same content came back {len(window)} times in "
                    f"{self.settings.rate_window:g} s; another program restores it.",
                    True,
                )
                window.append(now)
            self._recent[digest] = window
            return Outcome(sel, "rate-limited", rules, note, (self._clock() - start) * 1000)
        if self.settings.delay_before_write:
            self._sleep(self.settings.delay_before_write)
        if not self.backend.replace(change, new):
            return Outcome(sel, "superseded", rules, "a newer copy was made; left alone",
                           (self._clock() - start) * 1000)
        ms = (self._clock() - start) * 1000
        self._recent[digest] = [*window, now]
        self._expect_own[sel] = self._digest(new)
        keep = self.settings.keep_original
        if keep > 0:
            self._stash = _Stash(sel, original, self._clock() + keep)
        undo = f" `promptguard watch --restore-last` within {keep:g} s undoes it." if keep else ""
        what = "emptied" if kind == "cleared" else "replaced with placeholders"
        self._notify(
            f"promptguard: {LABELS[sel]} {what}",
            f"{', '.join(rules)}.{undo}",
            True,
        )
        return Outcome(sel, kind, rules, note, ms)

    # -- restore-last ----------------------------------------------------

    def restore_last(self) -> str:
        """Put the last original back, once. Returns a message for the caller."""
        self.expire()
        stash, self._stash = self._stash, None
        if stash is None:
            return "nothing to restore (none kept, already restored, or expired)"
        self.backend.write(stash.selection, stash.text)
        self._expect_own[stash.selection] = self._digest(stash.text)
        return f"restored the {LABELS[stash.selection]}"
