"""Real desktop pieces for the clipboard watcher's end-to-end tests.

* `xvfb()`: an X server on a free display (Xvfb picks it: -displayfd);
* `sway()`: a headless sway compositor. sway refuses to run as root, so as
  root it runs as the unprivileged user PROMPTGUARD_TEST_USER (default
  pgtest; `.ci/install.d/20-clipboard.sh` creates it) in a fresh 0700
  runtime directory; clients (the tests, the watcher) may still be root
  and connect by the socket's absolute path;
* `dbus_session()`: a private session bus (dbus-daemon), and
  `notification_server()` the fake notification daemon on it;
* `WatchProcess`: the real `promptguard watch` in a subprocess, stopped by
  its pid.

Every wait is bounded; every process started here is stopped by its pid.
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from testing import realtools

TEST_USER = os.environ.get("PROMPTGUARD_TEST_USER", "pgtest")
ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], object], timeout: float = 5.0,
             interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    realtools.which("Xvfb", "apt-get install xvfb")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        _stop(proc)


@contextlib.contextmanager
def sway() -> Iterator[str]:
    """A headless sway; yields the absolute path of its Wayland socket."""
    realtools.which("sway", "apt-get install sway")
    as_root = os.geteuid() == 0
    runtime = Path(tempfile.mkdtemp(prefix="pg-sway-"))
    runtime.chmod(0o700)
    prefix: list[str] = []
    if as_root:
        try:
            user = pwd.getpwnam(TEST_USER)
        except KeyError:
            realtools.missing(f"an unprivileged user {TEST_USER!r} for sway",
                              f"useradd -m {TEST_USER}")
            raise
        os.chown(runtime, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", TEST_USER, "--"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "XDG_RUNTIME_DIR": str(runtime),
           "WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
           "HOME": str(runtime)}
    proc = subprocess.Popen([*prefix, "env", *(f"{k}={v}" for k, v in env.items()),
                             "sway", "-c", "/dev/null"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        socket_path = runtime / "wayland-1"
        if not wait_for(lambda: socket_path.exists() or proc.poll() is not None, 10):
            raise RuntimeError("sway did not create its socket in 10 s")
        if proc.poll() is not None:
            raise RuntimeError(f"sway exited (rc {proc.returncode})")
        yield str(socket_path)
    finally:
        # runuser forwards the signal to sway; the session is ours alone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        shutil.rmtree(runtime, ignore_errors=True)


@contextlib.contextmanager
def dbus_session() -> Iterator[str]:
    """A private session bus; yields its address."""
    realtools.which("dbus-daemon", "apt-get install dbus")
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        yield address
    finally:
        _stop(proc)


@contextlib.contextmanager
def notification_server(address: str, record: Path) -> Iterator[None]:
    """testing/fake_notifyd.py on the bus, appending each Notify to `record`."""
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    ready = record.with_suffix(".ready")
    proc = subprocess.Popen([sys.executable, str(ROOT / "testing" / "fake_notifyd.py"),
                             str(record), str(ready)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_for(ready.exists, 10):
            raise RuntimeError("the fake notification server did not start")
        yield
    finally:
        _stop(proc)


def notifications(record: Path) -> list[dict[str, object]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line]


class WatchProcess:
    """`promptguard watch ARGS` with its own runtime, data and config dirs."""

    def __init__(self, home: Path, env: dict[str, str], *args: str) -> None:
        self.home = home
        self.log = home / "watch.log"
        self.runtime = home / "run"
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")},
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "HOME": str(home),
            "PROMPTGUARD_DATA_DIR": str(home / "data" / "promptguard"),
            "PROMPTGUARD_POLICY": "",
            "PROMPTGUARD_AUDIT_LOG": str(home / "audit.jsonl"),
            **env,
        }
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "promptguard", "watch", *args],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log, cwd=home,
            )
        if not wait_for(lambda: "watching" in self.text() or self.proc.poll() is not None, 20):
            self.stop()
            raise RuntimeError(f"the watcher did not start:\n{self.text()}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"the watcher exited ({self.proc.returncode}):\n{self.text()}")

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def lines(self, word: str) -> list[str]:
        return [line for line in self.text().splitlines() if f": {word}" in line]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Another promptguard command talking to this watcher."""
        return subprocess.run([sys.executable, "-m", "promptguard", *args], env=self.env,
                              capture_output=True, text=True, timeout=30, check=False)

    def audit(self) -> list[dict[str, object]]:
        path = self.home / "audit.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def stop(self) -> int:
        _stop(self.proc)
        return self.proc.returncode
