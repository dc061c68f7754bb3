"""The watcher's decisions and event loop, against a fake backend and guard.

These run on every OS. The fakes (testing/clipboard_fakes.py) stand in for
the platform clipboard (an in-memory one with a compare-and-swap token) and
for the guard (KIND_XXX tokens are findings); the real backends and the real
guard are tested end to end in clipboard_watch_x11_test.py and
clipboard_watch_wayland_test.py.
"""
from __future__ import annotations

import os
import signal
import stat
import threading
import time

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing.clipboard_fakes import FakeBackend
from testing.clipboard_fakes import FakeGuard
from testing.clipboard_fakes import Notes

from promptguard.dirs import runtime_dir
from promptguard.errors import InputError
from promptguard.surfaces.clipboard import control
from promptguard.surfaces.clipboard.base import BackendError
from promptguard.surfaces.clipboard.base import BackendGone
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.daemon import Daemon
from promptguard.surfaces.clipboard.notify import DBusNotifier
from promptguard.surfaces.clipboard.watcher import Outcome
from promptguard.surfaces.clipboard.watcher import Watcher
from promptguard.surfaces.clipboard.watcher import WatchSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(settings: WatchSettings = WatchSettings(), *, identifies_own: bool = True,
         on_error: str = "block", sleep=None):
    backend = FakeBackend(identifies_own)
    guard = FakeGuard(on_error)
    notes = Notes()
    clock = Clock()
    w = Watcher(backend, guard, settings, notes, clock=clock,
                sleep=sleep or (lambda s: None))
    return w, backend, guard, notes, clock


def pump(w: Watcher, backend: FakeBackend) -> list[Outcome]:
    """What the daemon does once woken: drain, offer, handle what is due."""
    out: list[Outcome] = []
    while True:
        for c in backend.changes():
            w.offer(c)
        ready = w.due()
        if not ready:
            return out
        out.extend(w.handle(c) for c in ready)


def test_a_secret_is_replaced_and_the_rest_kept():
    w, backend, guard, notes, _ = make()
    backend.copy("key SECRET_A1 and EMAIL_B2, NOTE_C3 stays")
    [outcome, own] = pump(w, backend)
    assert outcome.kind == "redacted"
    assert outcome.rules == ("fake-email", "fake-note", "fake-secret")
    assert backend.paste() == "key <secret-1> and <email-1>, NOTE_C3 stays"
    assert own.kind == "own"
    assert guard.calls[0][2] == {"source": "clipboard", "session": "clipboard"}
    [(summary, body, urgent)] = notes.shown
    assert "clipboard" in summary and urgent
    assert "fake-secret" in body and "SECRET_A1" not in body and "--restore-last" in body


@pytest.mark.parametrize("identifies_own", [True, False])
def test_our_own_write_is_never_scanned_again(identifies_own):
    w, backend, guard, _, _ = make(identifies_own=identifies_own)
    backend.copy("SECRET_A1")
    kinds = [o.kind for o in pump(w, backend)]
    assert kinds == ["redacted", "own"]
    assert len(guard.calls) == 1
    assert len(backend.writes) == 1
    # The expectation is used up: the same text copied by the user later
    # is scanned (it holds nothing, so it is clean).
    backend.copy("<secret-1>")
    assert [o.kind for o in pump(w, backend)] == ["clean"]


def test_a_newer_copy_made_while_we_scan_survives():
    backend_ref: list[FakeBackend] = []

    def user_copies_meanwhile(seconds: float) -> None:
        backend_ref[0].copy("the newer copy")

    w, backend, _, notes, _ = make(WatchSettings(delay_before_write=0.5),
                                   sleep=user_copies_meanwhile)
    backend_ref.append(backend)
    backend.copy("SECRET_A1")
    outcomes = pump(w, backend)
    assert outcomes[0].kind == "superseded"
    assert backend.paste() == "the newer copy"
    assert backend.writes == []
    assert [o.kind for o in outcomes[1:]] == ["clean"]
    assert notes.shown == []


def test_clean_text_is_not_touched():
    w, backend, _, notes, _ = make()
    backend.copy("nothing to see")
    assert [o.kind for o in pump(w, backend)] == ["clean"]
    assert backend.writes == [] and notes.shown == []


def test_warn_mode_notifies_and_writes_nothing():
    w, backend, guard, notes, _ = make(WatchSettings(action="warn"))
    backend.copy("SECRET_A1")
    [outcome] = pump(w, backend)
    assert outcome.kind == "warned" and backend.writes == []
    assert guard.calls[0][0] == "check"
    [(_, body, urgent)] = notes.shown
    assert "fake-secret" in body and not urgent


def test_a_warn_finding_only_warns_in_redact_mode():
    w, backend, _, notes, _ = make()
    backend.copy("NOTE_A1")
    assert [o.kind for o in pump(w, backend)] == ["warned"]
    assert backend.writes == [] and len(notes.shown) == 1


def test_clear_mode_empties_the_clipboard():
    w, backend, _, _, _ = make(WatchSettings(action="clear"))
    backend.copy("SECRET_A1")
    assert pump(w, backend)[0].kind == "cleared"
    assert backend.paste() == ""


@pytest.mark.parametrize(("text", "types", "note"), [
    ("SECRET_A1", ("text/plain", "x-kde-passwordManagerHint"), "password manager entry"),
    ("SECRET_A1", ("org.nspasteboard.ConcealedType", "public.utf8-plain-text"),
     "password manager entry"),
    ("SECRET_A1", ("ExcludeClipboardContentFromMonitorProcessing",), "password manager entry"),
    (None, ("image/png",), "non-text"),
])
def test_concealed_and_non_text_entries_are_left_alone(text, types, note):
    w, backend, guard, _, _ = make()
    backend.copy(text, types=types)
    [outcome] = pump(w, backend)
    assert outcome.kind == "skipped" and outcome.note == note
    assert guard.calls == [] and backend.writes == []


def test_a_large_entry_is_left_alone_with_a_note():
    w, backend, guard, _, _ = make(WatchSettings(max_bytes=100))
    backend.copy("SECRET_A1 " + "x" * 200)
    [outcome] = pump(w, backend)
    assert outcome.kind == "skipped" and "too large" in outcome.note
    assert guard.calls == []


def test_the_same_content_coming_back_is_rate_limited():
    w, backend, _, notes, clock = make(WatchSettings(rate_limit=3, rate_window=10))
    kinds = []
    for _ in range(6):
        backend.copy("SECRET_A1")  # a clipboard manager putting it back
        kinds += [o.kind for o in pump(w, backend) if o.kind != "own"]
        clock.now += 0.5
    assert kinds == ["redacted"] * 3 + ["rate-limited"] * 3
    assert sum("stopped replacing" in s for s, _, _ in notes.shown) == 1
    clock.now += 11  # the window passed
    backend.copy("SECRET_A1")
    assert pump(w, backend)[0].kind == "redacted"


def test_restore_last_puts_the_original_back_once():
    w, backend, guard, _, _ = make()
    backend.copy("key SECRET_A1")
    pump(w, backend)
    assert w.restore_last() == "restored the clipboard"
    assert backend.paste() == "key SECRET_A1"
    # The restored original is our own write: not redacted again.
    assert [o.kind for o in pump(w, backend)] == ["own"]
    assert len(guard.calls) == 1
    assert w.restore_last().startswith("nothing to restore")


def test_the_original_is_forgotten_after_keep_seconds():
    w, backend, _, _, clock = make(WatchSettings(keep_original=30))
    backend.copy("SECRET_A1")
    pump(w, backend)
    assert w.next_deadline() == clock.now + 30
    clock.now += 31
    w.expire()
    assert w.next_deadline() is None
    assert w.restore_last().startswith("nothing to restore")
    assert backend.paste() == "<secret-1>"


def test_keep_zero_never_keeps_the_original():
    w, backend, _, notes, _ = make(WatchSettings(keep_original=0))
    backend.copy("SECRET_A1")
    pump(w, backend)
    assert w.restore_last().startswith("nothing to restore")
    assert "--restore-last" not in notes.shown[0][1]


def test_a_failed_scan_fails_closed_when_policy_says_block():
    w, backend, _, _, _ = make(on_error="block")
    backend.copy("FAIL SECRET_A1")
    outcome = pump(w, backend)[0]
    assert outcome.kind == "cleared" and "scan incomplete" in outcome.note
    assert backend.paste() == ""


def test_a_failed_scan_is_let_through_when_policy_says_allow():
    w, backend, _, _, _ = make(on_error="allow")
    backend.copy("FAIL and nothing else")
    [outcome] = pump(w, backend)
    assert outcome.kind == "clean" and "on_error = allow" in outcome.note
    assert backend.writes == []


def test_primary_is_debounced_warned_about_and_not_taken_over():
    w, backend, guard, _notes, clock = make(WatchSettings(selections=("clipboard", "primary")))
    for i in range(5):  # a mouse drag: PRIMARY changes on every move
        backend.copy(f"SECRET_A{i}", selection="primary")
        assert pump(w, backend) == []
        clock.now += 0.1
    assert w.next_deadline() == pytest.approx(clock.now - 0.1 + 0.3)
    clock.now += 0.3
    [outcome] = pump(w, backend)
    assert outcome.kind == "warned" and outcome.selection == "primary"
    assert guard.calls == [("check", "SECRET_A4", {"source": "primary selection"})]
    assert backend.writes == []


def test_primary_is_ignored_unless_asked_for():
    w, backend, guard, _, _ = make()
    backend.copy("SECRET_A1", selection="primary")
    assert pump(w, backend) == []
    assert guard.calls == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["SECRET_A1", "EMAIL_B2 hi", "plain", "NOTE_C3", "SECRET_Z9 x",
                                 "<secret-1>", ""]), min_size=1, max_size=12),
       st.booleans())
def test_property_no_secret_survives_and_no_feedback_loop(texts, identifies_own):
    w, backend, _, _, clock = make(identifies_own=identifies_own)
    for text in texts:
        backend.copy(text)
        outcomes = pump(w, backend)
        clock.now += 20  # outside the rate-limit window
        pasted = backend.paste() or ""
        assert "SECRET_" not in pasted and "EMAIL_" not in pasted
        replaced = [o for o in outcomes if o.kind == "redacted"]
        # One copy: at most one write, and its echo is consumed as own.
        assert len(replaced) <= 1
        assert [o.kind for o in outcomes].count("own") == len(replaced)
    secret_copies = sum(("SECRET_" in t or "EMAIL_" in t) for t in texts)
    assert len(backend.writes) == secret_copies


# -- the event loop ----------------------------------------------------------


class Gone(FakeBackend):
    def changes(self) -> list[Change]:
        raise BackendGone("test: display closed")


def run_daemon(daemon: Daemon, actions) -> int:
    """Run the daemon in the main thread (signals), `actions` on another."""
    def side() -> None:
        try:
            actions()
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    t = threading.Thread(target=side)
    t.start()
    try:
        return daemon.run()
    finally:
        t.join(10)


def test_the_daemon_handles_copies_control_requests_and_sigterm(tmp_path):
    backend = FakeBackend()
    server = control.Server(tmp_path / "c.sock")
    log: list[str] = []
    replies = []

    def actions() -> None:
        time.sleep(0.2)
        backend.copy("key SECRET_A1")
        deadline = time.monotonic() + 5
        while backend.paste() != "key <secret-1>" and time.monotonic() < deadline:
            time.sleep(0.01)
        replies.append(control.request("status", tmp_path / "c.sock"))
        replies.append(control.request("restore-last", tmp_path / "c.sock"))
        replies.append(control.request("bogus", tmp_path / "c.sock"))

    daemon = Daemon(lambda: backend, lambda b: Watcher(b, FakeGuard(), WatchSettings(), Notes()),
                    server, log.append)
    try:
        assert run_daemon(daemon, actions) == 0
    finally:
        server.close()
    status, restore, bogus = replies
    assert status["ok"] and status["backend"] == "fake" and status["pid"] == os.getpid()
    assert restore == {"ok": True, "message": "restored the clipboard"}
    assert bogus["ok"] is False
    assert backend.paste() == "key SECRET_A1"
    assert log[0].startswith("watching clipboard with the fake backend")
    assert any(line.startswith("clipboard: redacted fake-secret in ") for line in log)
    assert log[-1] == "stopped"
    assert not any("SECRET_A1" in line for line in log)
    assert not (tmp_path / "c.sock").exists()


def test_the_daemon_reconnects_when_the_display_comes_back():
    backends = [Gone(), FakeBackend()]
    log: list[str] = []

    def connect():
        return backends.pop(0)

    def actions() -> None:
        deadline = time.monotonic() + 5
        while not any("reconnected" in line for line in log) and time.monotonic() < deadline:
            time.sleep(0.02)

    daemon = Daemon(connect, lambda b: Watcher(b, FakeGuard(), WatchSettings(), Notes()),
                    None, log.append, reconnect_for=2)
    first = backends[0]
    os.write(first._w, b"x")  # wake the loop so it meets the closed display
    assert run_daemon(daemon, actions) == 0
    assert any(line.startswith("lost the display (test: display closed)") for line in log)
    assert "reconnected (fake)" in log


def test_the_daemon_exits_1_when_the_display_stays_gone():
    log: list[str] = []
    first = Gone()

    def connect():
        if log:
            raise BackendError("no display")
        return first

    daemon = Daemon(connect, lambda b: Watcher(b, FakeGuard(), WatchSettings(), Notes()),
                    None, log.append, reconnect_for=0.3)
    os.write(first._w, b"x")
    assert daemon.run() == 1
    assert log[-1] == "the display did not come back; exiting"


# -- control socket and notifications ------------------------------------------


def test_runtime_dir_is_created_private(tmp_path):
    path = runtime_dir({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert path == tmp_path / "promptguard"
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_runtime_dir_open_to_others_is_refused(tmp_path):
    (tmp_path / "promptguard").mkdir(mode=0o755)
    (tmp_path / "promptguard").chmod(0o755)
    with pytest.raises(InputError, match="open to other users"):
        runtime_dir({"XDG_RUNTIME_DIR": str(tmp_path)})


def test_runtime_dir_symlink_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "promptguard").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="not a directory"):
        runtime_dir({"XDG_RUNTIME_DIR": str(tmp_path)})


def test_no_watcher_running_means_no_reply(tmp_path):
    assert control.request("status", tmp_path / "none.sock") is None


def test_a_second_server_refuses_while_the_first_answers(tmp_path):
    first = control.Server(tmp_path / "c.sock")
    answered = threading.Event()

    def answer() -> None:
        while not answered.is_set():
            got = first.accept()
            if got is not None:
                first.reply(got[0], {"ok": True})
                answered.set()
            time.sleep(0.01)

    t = threading.Thread(target=answer)
    t.start()
    try:
        with pytest.raises(InputError, match="already running"):
            control.Server(tmp_path / "c.sock")
    finally:
        answered.set()
        t.join(5)
        first.close()
    # A stale socket (nobody answers) is replaced.
    (tmp_path / "c.sock").touch()
    control.Server(tmp_path / "c.sock").close()


def test_notifications_without_a_bus_give_up_once_quietly(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    log: list[str] = []
    n = DBusNotifier(log.append)
    n("promptguard: clipboard replaced", "fake-secret.", True)
    n("again", "again", True)
    assert len(log) == 1 and "notifications unavailable" in log[0]


# -- choosing a backend ----------------------------------------------------------


def test_no_graphical_session_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from promptguard.cli import main

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert main(["watch", "--notify", "none"]) == 2
    err = capsys.readouterr().err
    assert "no graphical session" in err and "Traceback" not in err
    assert not (tmp_path / "promptguard" / "clipboard.sock").exists()


def test_missing_python_xlib_names_what_to_install(monkeypatch):
    import sys

    from promptguard.surfaces.clipboard.base import open_backend

    monkeypatch.setitem(sys.modules, "Xlib", None)
    with pytest.raises(BackendError, match=r"pip install 'promptguard\[clipboard\]'"):
        open_backend("x11", ("clipboard",), {"DISPLAY": ":0"}, "linux")


def test_missing_wl_clipboard_names_what_to_install(tmp_path):
    from promptguard.surfaces.clipboard.base import open_backend

    with pytest.raises(BackendError, match="apt-get install wl-clipboard"):
        open_backend("wayland", ("clipboard",),
                     {"WAYLAND_DISPLAY": "wayland-9", "PATH": str(tmp_path)}, "linux")


def test_auto_falls_back_to_x11_when_wayland_does_not_fit(tmp_path):
    """GNOME: no data-control for wl-paste, but XWayland's X11 clipboard."""
    from promptguard.surfaces.clipboard.base import open_backend

    env = {"WAYLAND_DISPLAY": "wayland-9", "DISPLAY": ":9999", "PATH": str(tmp_path)}
    with pytest.raises(BackendError, match="cannot open the X display :9999"):
        open_backend("auto", ("clipboard",), env, "linux")
