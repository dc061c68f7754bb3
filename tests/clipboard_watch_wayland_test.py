"""`promptguard watch` end to end on Wayland: headless sway and the real wl-clipboard.

sway (wlroots, pixman renderer, no GPU) speaks the data-control protocol
wl-paste --watch needs. It refuses to run as root, so under root it runs as
an unprivileged user (testing/desktop.py); the watcher and the user's
wl-copy / wl-paste connect to its socket by path. The same core behaviour
as on X11: redaction, clean text untouched, no feedback loop, a newer copy
survives, --restore-last.
"""
from __future__ import annotations

import os
import random
import subprocess
import time
from collections.abc import Iterator

import pytest
from testing import desktop
from testing import fakes
from testing import realtools


@pytest.fixture(scope="module")
def wayland() -> Iterator[str]:
    realtools.which("wl-copy", "apt-get install wl-clipboard")
    with desktop.sway() as socket_path:
        yield socket_path


@pytest.fixture(scope="module")
def watcher(wayland: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[desktop.WatchProcess]:
    home = tmp_path_factory.mktemp("watch-wayland")
    proc = desktop.WatchProcess(home, {"WAYLAND_DISPLAY": wayland}, "--notify", "none",
                                "--verbose")
    yield proc
    assert proc.stop() == 0, proc.text()
    assert "Traceback" not in proc.text()


def env(wayland: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "DISPLAY"},
            "WAYLAND_DISPLAY": wayland}


def copy(wayland: str, text: str) -> None:
    # wl-copy forks a server that inherits stdout/stderr: never pipe them.
    subprocess.run(["wl-copy"], input=text.encode(), env=env(wayland),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=10)


def paste(wayland: str) -> str:
    proc = subprocess.run(["wl-paste", "--no-newline"], env=env(wayland), capture_output=True,
                          timeout=10, check=False)
    return proc.stdout.decode(errors="replace")


def count(w: desktop.WatchProcess, word: str) -> int:
    return len(w.lines(word))


def settle(w: desktop.WatchProcess, word: str, n: int) -> None:
    assert desktop.wait_for(lambda: count(w, word) >= n, 10), w.text()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.name)


def test_reports_the_wayland_backend(watcher):
    assert "with the wayland backend" in watcher.text()


def test_secret_copies_paste_redacted_and_the_rest_intact(wayland, watcher, rng):
    before = count(watcher, "redacted")
    for i in range(3):
        key, token = fakes.aws_key_id(rng), fakes.github_token(rng)
        copy(wayland, f"step {i}: AWS_ACCESS_KEY_ID={key} token {token} end")
        assert desktop.wait_for(lambda: "<AWS_ACCESS_KEY_ID" in paste(wayland), 10), \
            watcher.text()
        pasted = paste(wayland)
        assert key not in pasted and token not in pasted
        assert pasted.startswith(f"step {i}: AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_")
        assert pasted.endswith(" end") and "token <GITHUB" in pasted
        settle(watcher, "redacted", before + i + 1)


def test_clean_text_is_untouched(wayland, watcher):
    before = count(watcher, "clean")
    copy(wayland, "lunch at noon?")
    settle(watcher, "clean", before + 1)
    assert paste(wayland) == "lunch at noon?"


def test_own_write_does_not_retrigger(wayland, watcher, rng):
    redacted, own = count(watcher, "redacted"), count(watcher, "own")
    copy(wayland, f"key={fakes.aws_key_id(rng)}")
    settle(watcher, "own", own + 1)
    time.sleep(0.5)
    assert count(watcher, "redacted") == redacted + 1
    assert count(watcher, "own") == own + 1


def test_restore_last_brings_the_original_back_once(wayland, watcher, rng):
    original = f"AWS_ACCESS_KEY_ID={fakes.aws_key_id(rng)}"
    copy(wayland, original)
    assert desktop.wait_for(lambda: "<AWS_ACCESS_KEY_ID" in paste(wayland), 10)
    first = watcher.cli("watch", "--restore-last")
    assert first.returncode == 0, first.stderr
    assert desktop.wait_for(lambda: paste(wayland) == original, 5)
    time.sleep(0.4)
    assert paste(wayland) == original
    assert watcher.cli("watch", "--restore-last").returncode == 1


def test_newer_copy_made_during_processing_survives(tmp_path, rng):
    # A compositor of its own: the module's watcher must not interfere.
    with desktop.sway() as wayland:
        _race(wayland, tmp_path, rng)


def _race(wayland: str, tmp_path, rng) -> None:
    w = desktop.WatchProcess(tmp_path, {"WAYLAND_DISPLAY": wayland}, "--notify", "none",
                             "--delay-before-write", "0.6")
    try:
        copy(wayland, f"old secret {fakes.aws_key_id(rng)}")
        time.sleep(0.2)
        copy(wayland, "the user's newer copy")
        settle(w, "superseded", 1)
        time.sleep(0.3)
        assert paste(wayland) == "the user's newer copy"
    finally:
        assert w.stop() == 0
