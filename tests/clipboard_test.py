"""The clipboard backends, and `promptguard redact --clipboard`, on a real X server.

The X11 tests start Xvfb on a free display (Xvfb picks it: -displayfd) and
drive the clipboard with the real xclip, as a user's copy and paste would.
They skip, saying why, only when Xvfb or xclip is not installed
(`apt-get install xvfb xclip`; .ci/run installs them).
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from testing import fakes

from promptguard import clipboard
from promptguard.cli import main
from promptguard.errors import InputError

NEED_X = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xclip") is None,
    reason="needs Xvfb and xclip on PATH (apt-get install xvfb xclip)",
)


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()  # written once the server accepts clients
        if not number:
            pytest.fail("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        # Our own Xvfb only (by its pid); xclip servers exit with it.
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def x_env(x_display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return x_display


def xclip_copy(text: str) -> None:
    """The user's side: copy as an application would (xclip forks to serve it)."""
    subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=text.encode(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=10)
    # The forked xclip claims the selection asynchronously; on a loaded
    # machine a read right away can still see the previous owner.
    deadline = time.monotonic() + 5
    while xclip_paste() != text and time.monotonic() < deadline:
        time.sleep(0.02)


def xclip_paste() -> str:
    return subprocess.run(["xclip", "-selection", "clipboard", "-o"], capture_output=True,
                          check=True, timeout=10).stdout.decode()


def _tools(tmp_path, *names: str) -> str:
    for name in names:
        tool = tmp_path / name
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    return str(tmp_path)


@pytest.mark.parametrize(("env", "platform", "tools", "expected"), [
    ({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0"}, "linux",
     ("wl-paste", "wl-copy", "xclip"), "wl-clipboard"),
    ({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0"}, "linux", ("xclip",), "xclip"),
    ({"DISPLAY": ":0"}, "linux", ("xclip", "xsel"), "xclip"),
    ({"DISPLAY": ":0"}, "linux", ("xsel",), "xsel"),
    ({}, "darwin", ("pbcopy", "pbpaste"), "pbcopy"),
    ({}, "win32", ("powershell",), "powershell"),
])
def test_backend_choice(tmp_path, env, platform, tools, expected) -> None:
    path = _tools(tmp_path, *tools)
    assert clipboard.find_backend({**env, "PATH": path}, platform).name == expected


def test_no_graphical_session_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no graphical session"):
        clipboard.find_backend({"PATH": os.environ.get("PATH", "")}, "linux")


def test_missing_tools_name_what_to_install(tmp_path) -> None:
    with pytest.raises(InputError, match=r"install wl-clipboard \(Wayland\) or xclip or xsel"):
        clipboard.find_backend({"DISPLAY": ":9", "PATH": str(tmp_path)}, "linux")
    with pytest.raises(InputError, match="pbcopy/pbpaste not found"):
        clipboard.find_backend({"PATH": str(tmp_path)}, "darwin")


def test_redact_clipboard_without_a_clipboard_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys,
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["redact", "--clipboard"]) == 2
    assert "no clipboard available" in capsys.readouterr().err


@NEED_X
def test_x11_write_then_paste(x_env: str) -> None:
    text = "héllo ✓ clipboard\nsecond line"
    clipboard.write(text)
    assert xclip_paste() == text


@NEED_X
def test_x11_copy_then_read(x_env: str) -> None:
    xclip_copy("copied by the user ✓")
    assert clipboard.read() == "copied by the user ✓"


@NEED_X
def test_x11_redact_clipboard_end_to_end(x_env: str, capsys) -> None:
    rng = random.Random(3)
    key, token = fakes.aws_key_id(rng), fakes.github_token(rng)
    xclip_copy(f"why does boto fail?\naws_access_key_id = {key}\ntoken={token}\n")
    assert main(["redact", "--clipboard", "--session", "clip"]) == 0
    pasted = xclip_paste()
    assert pasted == ("why does boto fail?\naws_access_key_id = <AWS_ACCESS_KEY_ID_1>\n"
                      "token=<GITHUB_PERSONAL_ACCESS_TOKEN_1>\n")
    captured = capsys.readouterr()
    assert captured.out == "" and key not in captured.err and token not in captured.err


@NEED_X
def test_x11_restore_clipboard(x_env: str, tmp_path, capsys) -> None:
    clients = tmp_path / "clients.toml"
    clients.write_text('[clients]\nnames = ["Zorbex Dynamics"]\n')
    xclip_copy("Zorbex Dynamics renewal")
    assert main(["redact", "--clipboard", "--all", "--clients", str(clients),
                 "--session", "clip2"]) == 0
    assert xclip_paste() == "Client A renewal"
    xclip_copy("Client A renewed for 2 years.")
    assert main(["restore", "--clipboard", "--session", "clip2"]) == 0
    assert xclip_paste() == "Zorbex Dynamics renewed for 2 years."
    capsys.readouterr()
