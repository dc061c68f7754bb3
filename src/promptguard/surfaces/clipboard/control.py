"""The running watcher's control socket: `--restore-last` and `service status`.

A Unix socket in the per-user runtime directory that only its owner can
enter (promptguard.dirs.runtime_dir: 0700, ours, no symlink).
The socket doubles as the single-instance lock: a second watcher finds the
first one answering and refuses to start.

Protocol: one request line ("status" or "restore-last"), one JSON reply
line, then the connection closes. Nothing that crosses it holds clipboard
content.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from promptguard.errors import InputError

SOCKET_NAME = "clipboard.sock"
REQUESTS = ("status", "restore-last")
TIMEOUT = 2.0


def available() -> bool:
    """Unix sockets exist here (not on Windows' Python): else no control socket."""
    return hasattr(socket, "AF_UNIX")


def socket_path(env: Mapping[str, str] | None = None) -> Path:
    from promptguard.dirs import runtime_dir

    return runtime_dir(env) / SOCKET_NAME


def request(what: str, path: Path | None = None) -> dict[str, Any] | None:
    """Ask the running watcher; None when none is running."""
    path = socket_path() if path is None else path
    if not hasattr(socket, "AF_UNIX"):
        raise InputError("the control socket needs Unix sockets (not available here)")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        except OSError as e:
            raise InputError(f"{path}: cannot reach the watcher ({e.strerror})") from None
        try:
            s.sendall(what.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError as e:
            raise InputError(f"{path}: the watcher did not answer ({e})") from None
    try:
        reply: dict[str, Any] = json.loads(data)
    except ValueError:
        raise InputError(f"{path}: the watcher sent a malformed reply") from None
    return reply


class Server:
    """The listening side, driven by the daemon's selector."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if request("status", path) is not None:
            raise InputError(f"a watcher is already running ({path} answers); "
                             "`promptguard service status` tells which")
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # stale: nobody answered
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # The directory is 0700 already; the socket mode is belt and braces.
        old = os.umask(0o177)
        try:
            self.sock.bind(str(path))
        finally:
            os.umask(old)
        self.sock.listen(4)
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def accept(self) -> tuple[socket.socket, str] | None:
        """One pending request, or None (a client that sent nothing useful)."""
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return None
        conn.settimeout(TIMEOUT)
        try:
            line = conn.recv(256).split(b"\n", 1)[0].decode("ascii", "replace").strip()
        except OSError:
            conn.close()
            return None
        return conn, line

    @staticmethod
    def reply(conn: socket.socket, payload: Mapping[str, Any]) -> None:
        with conn:
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(payload).encode() + b"\n")

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
