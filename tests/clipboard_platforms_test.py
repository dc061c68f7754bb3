"""macOS and Windows backends against fakes of their platform APIs.

CI runs Linux only, so these backends are UNTESTED ON REAL HARDWARE: the
fakes below reproduce the documented behaviour (NSPasteboard.changeCount
bumps on every write; GetClipboardSequenceNumber likewise, and nobody else
can write while we hold OpenClipboard) so the change detection, own-write
guard, compare-and-swap and exclusion-format logic is exercised, together
with the real watcher core.
"""
from __future__ import annotations

import pytest
from testing.clipboard_fakes import FakeGuard
from testing.clipboard_fakes import Notes

from promptguard.errors import InputError
from promptguard.surfaces.clipboard import windows
from promptguard.surfaces.clipboard.base import open_backend
from promptguard.surfaces.clipboard.macos import STRING_TYPE
from promptguard.surfaces.clipboard.macos import MacBackend
from promptguard.surfaces.clipboard.watcher import Watcher
from promptguard.surfaces.clipboard.watcher import WatchSettings
from promptguard.surfaces.clipboard.windows import WindowsBackend


class FakePasteboard:
    """NSPasteboard's methods the backend calls, pyobjc spelling."""

    def __init__(self) -> None:
        self.count = 7
        self.items: dict[str, str] = {}

    def changeCount(self) -> int:
        return self.count

    def types(self) -> list[str]:
        return list(self.items)

    def stringForType_(self, t: str) -> str | None:
        return self.items.get(t)

    def clearContents(self) -> int:
        self.count += 1
        self.items = {}
        return self.count

    def setString_forType_(self, s: str, t: str) -> bool:
        self.items[t] = s
        return True

    def user_copies(self, text: str, *extra_types: str) -> None:
        self.clearContents()
        self.items = {STRING_TYPE: text, **dict.fromkeys(extra_types, "")}


class FakeWinApi:
    def __init__(self) -> None:
        self.seq = 100
        self.formats: list[str] = []
        self.text: str | None = None
        self.opened = False
        self.busy = 0  # OpenClipboard fails this many times (another holder)

    def sequence_number(self) -> int:
        return self.seq

    def open(self) -> bool:
        if self.busy:
            self.busy -= 1
            return False
        assert not self.opened
        self.opened = True
        return True

    def close(self) -> None:
        assert self.opened
        self.opened = False

    def format_names(self) -> list[str]:
        assert self.opened
        return list(self.formats)

    def text_size(self) -> int | None:
        return None if self.text is None else 2 * (len(self.text) + 1)

    def get_text(self) -> str | None:
        assert self.opened
        return self.text

    def set_text(self, text: str) -> None:
        assert self.opened, "writes only while the clipboard is open"
        self.seq += 1  # EmptyClipboard + SetClipboardData
        self.formats, self.text = ["CF_UNICODETEXT"], text

    def user_copies(self, text: str | None, *formats: str) -> None:
        self.seq += 1
        self.text = text
        self.formats = [*(["CF_UNICODETEXT"] if text is not None else []), *formats]


def handle_all(w: Watcher):
    out = []
    for c in w.backend.changes():
        w.offer(c)
    for c in w.due():
        out.append(w.handle(c))
    return out


def watcher(backend) -> Watcher:
    return Watcher(backend, FakeGuard(), WatchSettings(), Notes())


# -- macOS -------------------------------------------------------------------


def test_macos_polls_the_change_count_and_redacts():
    pb = FakePasteboard()
    backend = MacBackend(pb)
    assert backend.poll_interval == 0.5 and backend.fileno() is None
    w = watcher(backend)
    assert handle_all(w) == []  # nothing changed since start
    pb.user_copies("token SECRET_A1")
    [outcome] = handle_all(w)
    assert outcome.kind == "redacted"
    assert pb.items == {STRING_TYPE: "token <secret-1>"}
    # Our write bumped the count: recognised as ours, not scanned again.
    [own] = handle_all(w)
    assert own.kind == "own" and len(w.guard.calls) == 1


def test_macos_skips_concealed_items_without_reading_them():
    pb = FakePasteboard()
    w = watcher(MacBackend(pb))
    pb.user_copies("SECRET_A1", "org.nspasteboard.ConcealedType")
    [outcome] = handle_all(w)
    assert outcome.kind == "skipped" and outcome.note == "password manager entry"
    assert w.guard.calls == []


def test_macos_does_not_overwrite_a_newer_copy():
    pb = FakePasteboard()
    backend = MacBackend(pb)
    pb.user_copies("SECRET_A1")
    [change] = backend.changes()
    pb.user_copies("newer")
    assert backend.replace(change, "<secret-1>") is False
    assert pb.items[STRING_TYPE] == "newer"


def test_macos_without_pyobjc_names_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "AppKit", None)
    with pytest.raises(InputError, match=r"pip install 'promptguard\[clipboard\]'"):
        open_backend("macos", ("clipboard",), {}, "darwin")


# -- Windows -----------------------------------------------------------------


def test_windows_sequence_number_drives_changes_and_own_writes():
    api = FakeWinApi()
    backend = WindowsBackend(api)
    w = watcher(backend)
    api.user_copies("key SECRET_A1")
    backend.notify_update()  # what the listener thread does on WM_CLIPBOARDUPDATE
    [outcome] = handle_all(w)
    assert outcome.kind == "redacted" and api.text == "key <secret-1>"
    backend.notify_update()
    [own] = handle_all(w)
    assert own.kind == "own"
    assert not api.opened


@pytest.mark.parametrize("marker", ["ExcludeClipboardContentFromMonitorProcessing",
                                    "Clipboard Viewer Ignore"])
def test_windows_skips_entries_with_exclusion_formats(marker):
    api = FakeWinApi()
    w = watcher(WindowsBackend(api))
    api.user_copies("SECRET_A1", marker)
    [outcome] = handle_all(w)
    assert outcome.kind == "skipped" and outcome.note == "password manager entry"
    assert api.text == "SECRET_A1"


def test_windows_checks_the_sequence_number_inside_open_clipboard():
    api = FakeWinApi()
    backend = WindowsBackend(api)
    api.user_copies("SECRET_A1")
    [change] = backend.changes()
    api.user_copies("newer")
    assert backend.replace(change, "<secret-1>") is False
    assert api.text == "newer" and not api.opened


def test_windows_retries_a_busy_clipboard_then_says_so(monkeypatch):
    monkeypatch.setattr(windows, "OPEN_BACKOFF", 0)
    api = FakeWinApi()
    backend = WindowsBackend(api)
    api.user_copies("SECRET_A1")
    [change] = backend.changes()
    api.busy = 3
    assert backend.read(change, 1000).text == "SECRET_A1"
    api.busy = 100
    with pytest.raises(InputError, match="keeps the clipboard open"):
        backend.read(change, 1000)


def test_windows_non_text_is_left_alone():
    api = FakeWinApi()
    w = watcher(WindowsBackend(api))
    api.user_copies(None, "PNG")
    [outcome] = handle_all(w)
    assert outcome.kind == "skipped" and outcome.note == "non-text"
