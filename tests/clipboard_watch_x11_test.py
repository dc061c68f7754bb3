"""`promptguard watch` end to end on a real X server (Xvfb), with the real xclip.

The user's side copies with `xclip -i` and pastes with `xclip -o`, as an
application would; the watcher is the real command in a subprocess with
the real guard, the built-in rules and the default policy. Notifications go
over a private D-Bus session bus to testing/fake_notifyd.py (a real D-Bus
server standing in for the desktop's notification daemon, which needs a
display of its own). Under CI=true a missing Xvfb, xclip or dbus-daemon
fails instead of skipping.
"""
from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from testing import desktop
from testing import fakes
from testing import realtools


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    realtools.which("xclip", "apt-get install xclip")
    with desktop.xvfb() as name:
        yield name


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    record = tmp_path_factory.mktemp("notify") / "notifications.jsonl"
    with desktop.dbus_session() as address, desktop.notification_server(address, record):
        yield address, record


@pytest.fixture(scope="module")
def watcher(display: str, bus: tuple[str, Path],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[desktop.WatchProcess]:
    home = tmp_path_factory.mktemp("watch-x11")
    proc = desktop.WatchProcess(home, {"DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": bus[0]},
                                "--notify", "dbus", "--verbose", "--keep", "30")
    yield proc
    assert proc.stop() == 0, proc.text()
    assert "Traceback" not in proc.text()


def env(display: str) -> dict[str, str]:
    import os

    return {**os.environ, "DISPLAY": display}


def copy(display: str, text: str, selection: str = "clipboard", target: str | None = None) -> None:
    """The user's copy: xclip forks and serves the selection."""
    subprocess.run(["xclip", "-selection", selection, "-i",
                    *(("-t", target) if target else ())], input=text.encode(), env=env(display),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=10)


def paste(display: str, selection: str = "clipboard", target: str | None = None) -> str:
    # Every read is bounded: xclip -o hangs if the owner dies mid-transfer.
    proc = subprocess.run(["xclip", "-selection", selection, "-o",
                           *(("-t", target) if target else ())], env=env(display),
                          capture_output=True, timeout=10, check=False)
    return proc.stdout.decode(errors="replace")


def count(w: desktop.WatchProcess, word: str) -> int:
    return len(w.lines(word))


def settle(w: desktop.WatchProcess, word: str, n: int) -> None:
    assert desktop.wait_for(lambda: count(w, word) >= n, 10), w.text()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.name)


def test_secret_copies_paste_redacted_and_the_rest_intact(display, watcher, rng):
    before = count(watcher, "redacted")
    for i in range(5):
        key, token = fakes.aws_key_id(rng), fakes.github_token(rng)
        text = f"step {i}: export AWS_ACCESS_KEY_ID={key}\nGITHUB_TOKEN={token}\ndone\n"
        copy(display, text)
        assert desktop.wait_for(lambda: "<AWS_ACCESS_KEY_ID" in paste(display), 10), \
            watcher.text()
        pasted = paste(display)
        assert key not in pasted and token not in pasted
        assert pasted.startswith(f"step {i}: export AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_")
        assert "GITHUB_TOKEN=<GITHUB" in pasted and pasted.endswith("\ndone\n")
        # We serve it now: our TARGETS list has TIMESTAMP, xclip's does not.
        assert "TIMESTAMP" in paste(display, target="TARGETS")
    settle(watcher, "redacted", before + 5)
    log = watcher.text()
    assert "aws-access-key-id" in log and key not in log and token not in log


def test_a_large_clipboard_is_read_and_served_in_increments(display, watcher, rng):
    """~700 KB: above the X request size, so both directions use INCR."""
    key = fakes.aws_key_id(rng)
    body = "".join(f"{i:06d} " + fakes.rand(rng, 90) + "\n" for i in range(7000))
    text = body + f"AWS_ACCESS_KEY_ID={key}\n"
    before = count(watcher, "redacted")
    copy(display, text)
    settle(watcher, "redacted", before + 1)
    pasted = paste(display)
    assert pasted.startswith(body) and key not in pasted
    assert "AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_" in pasted[len(body):]


def test_clean_text_is_untouched(display, watcher):
    before = count(watcher, "clean")
    copy(display, "the meeting moved to 3pm, room 4\n")
    settle(watcher, "clean", before + 1)
    assert paste(display) == "the meeting moved to 3pm, room 4\n"
    # Still xclip's: we never took it over.
    assert "TIMESTAMP" not in paste(display, target="TARGETS")


def test_own_write_does_not_retrigger(display, watcher, rng):
    redacted, own = count(watcher, "redacted"), count(watcher, "own")
    audited = len(watcher.audit())
    key = fakes.aws_key_id(rng)
    copy(display, f"key={key}\n")
    settle(watcher, "own", own + 1)
    time.sleep(0.5)  # room for a feedback loop to show itself
    assert count(watcher, "redacted") == redacted + 1
    assert count(watcher, "own") == own + 1
    records = watcher.audit()
    assert len(records) == audited + 1
    assert records[-1]["surface"] == "clipboard" and records[-1]["source"] == "clipboard"
    assert records[-1]["rule_ids"] == ["aws-access-key-id"]
    assert key not in (watcher.home / "audit.jsonl").read_text()


def test_password_manager_entry_is_skipped(display, watcher, rng):
    before = count(watcher, "skipped")
    key = fakes.aws_key_id(rng)
    owner = subprocess.Popen([sys.executable, str(desktop.ROOT / "testing" / "x11_owner.py")],
                             env=env(display), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert owner.stdin is not None and owner.stdout is not None
        owner.stdin.write(f"AWS_ACCESS_KEY_ID={key}".encode())
        owner.stdin.close()
        assert owner.stdout.readline() == b"owned\n"
        settle(watcher, "skipped", before + 1)
        assert "password manager entry" in watcher.lines("skipped")[-1]
        assert paste(display) == f"AWS_ACCESS_KEY_ID={key}"
    finally:
        owner.terminate()
        owner.wait(timeout=5)


def test_non_text_is_left_alone_with_a_note(display, watcher):
    before = count(watcher, "skipped")
    copy(display, "\x89PNG fake image bytes", target="image/png")
    settle(watcher, "skipped", before + 1)
    assert "non-text" in watcher.lines("skipped")[-1]


def test_primary_is_not_watched_by_default(display, watcher, rng):
    key = fakes.aws_key_id(rng)
    copy(display, f"highlighted {key}", selection="primary")
    time.sleep(0.5)
    assert paste(display, selection="primary") == f"highlighted {key}"


def test_primary_opt_in_is_debounced_and_only_warned_about(tmp_path, rng):
    with desktop.xvfb() as own:
        w = desktop.WatchProcess(tmp_path, {"DISPLAY": own}, "--notify", "none",
                                 "--selection", "both")
        try:
            # A drag changes the highlight on every move; each holds a key,
            # but only the last one, 0.3 s after the moves stop, is scanned.
            for _ in range(3):
                copy(own, f"AWS_ACCESS_KEY_ID={fakes.aws_key_id(rng)}", selection="primary")
            key = fakes.aws_key_id(rng)
            copy(own, f"AWS_ACCESS_KEY_ID={key}", selection="primary")
            settle(w, "warned", 1)
            time.sleep(0.5)
            assert count(w, "warned") == 1 and "primary: warned aws-access-key-id" in w.text()
            assert paste(own, selection="primary") == f"AWS_ACCESS_KEY_ID={key}"
        finally:
            assert w.stop() == 0


def test_notification_names_rules_never_the_secret(display, watcher, bus, rng):
    record = bus[1]
    before = len(desktop.notifications(record))
    key = fakes.aws_key_id(rng)
    copy(display, f"aws_access_key_id = {key}\n")
    assert desktop.wait_for(lambda: len(desktop.notifications(record)) > before, 10), \
        watcher.text()
    note = desktop.notifications(record)[-1]
    assert note["app"] == "promptguard"
    assert "clipboard" in str(note["summary"])
    assert "aws-access-key-id" in str(note["body"]) and "--restore-last" in str(note["body"])
    assert note["urgency"] == 2
    for field in note.values():
        assert key not in str(field) and key[4:12] not in str(field)


def test_restore_last_brings_the_original_back_once(display, watcher, rng):
    key = fakes.aws_key_id(rng)
    original = f"AWS_ACCESS_KEY_ID={key}\n"
    copy(display, original)
    assert desktop.wait_for(lambda: "<AWS_ACCESS_KEY_ID" in paste(display), 10)
    first = watcher.cli("watch", "--restore-last")
    assert first.returncode == 0, first.stderr
    assert "restored" in first.stderr and key not in first.stderr
    assert paste(display) == original
    time.sleep(0.4)  # the restored original is our own write: not redacted again
    assert paste(display) == original
    second = watcher.cli("watch", "--restore-last")
    assert second.returncode == 1 and "nothing to restore" in second.stderr


def test_status_reports_the_backend(watcher):
    out = watcher.cli("service", "status", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert '"backend": "x11"' in out.stdout and f'"pid": {watcher.proc.pid}' in out.stdout


def test_a_second_watcher_refuses_to_start(display, watcher):
    out = subprocess.run([sys.executable, "-m", "promptguard", "watch"],
                         env={**watcher.env, "DISPLAY": display}, capture_output=True,
                         text=True, timeout=30, check=False)
    assert out.returncode == 2 and "already running" in out.stderr


def test_newer_copy_made_during_processing_survives(tmp_path, rng):
    # An X server of its own: the module's watcher must not interfere.
    with desktop.xvfb() as display:
        _race(display, tmp_path, rng)


def _race(display: str, tmp_path, rng) -> None:
    w = desktop.WatchProcess(tmp_path, {"DISPLAY": display}, "--notify", "none",
                             "--delay-before-write", "0.6")
    try:
        copy(display, f"old secret {fakes.aws_key_id(rng)}\n")
        time.sleep(0.15)  # the watcher has read it and waits to write back
        copy(display, "the user's newer copy\n")
        settle(w, "superseded", 1)
        time.sleep(0.3)
        assert paste(display) == "the user's newer copy\n"
    finally:
        assert w.stop() == 0


def test_x_server_going_away_ends_the_watcher_with_a_message(tmp_path):
    with desktop.xvfb() as own_display:
        w = desktop.WatchProcess(tmp_path, {"DISPLAY": own_display}, "--notify", "none",
                                 "--reconnect", "1")
    # The server is gone now.
    rc = w.proc.wait(timeout=20)
    assert rc == 1, w.text()
    assert "lost the display" in w.text() and "did not come back" in w.text()
    assert "Traceback" not in w.text()


def test_sigint_exits_cleanly(display, tmp_path):
    import signal

    w = desktop.WatchProcess(tmp_path, {"DISPLAY": display}, "--notify", "none")
    w.proc.send_signal(signal.SIGINT)
    assert w.proc.wait(timeout=10) == 0
    assert w.text().rstrip().endswith("stopped")
    assert not (w.runtime / "promptguard" / "clipboard.sock").exists()
