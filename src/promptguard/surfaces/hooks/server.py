"""`promptguard hook --serve`: an optional resident process that answers hook events.

It keeps the interpreter warm, the modules imported and the scanner
(rules, client lists) built, so `promptguard-hook` only pays for a bare
interpreter and a socket round trip. Security:

- the socket lives in a per-user directory created 0700 (`promptguard_hook
  .socket_dir()`); the server refuses to use a directory that is not its
  own and private, and the client refuses to talk to one;
- every connection is authenticated: the peer's uid (SO_PEERCRED on Linux)
  must be the server's own; elsewhere the private directory is the check;
- requests are served one at a time, each in the caller's environment
  and working directory (so config discovery, `printenv` checks and the
  clipboard are the caller's), and the config is re-read on every request:
  an edited policy applies to the next event;
- anything unexpected answers `fallback`, and the client runs the hook in
  its own process. Without a server nothing changes.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import promptguard_hook
from promptguard.surfaces.hooks import run

if TYPE_CHECKING:
    from promptguard.engine import Scanner
    from promptguard.guard import Guard

HEADER_CAP = 4 * 1024 * 1024  # argv, cwd and environment


class GuardCache:
    """Guards built from a freshly read config and a cached scanner."""

    def __init__(self) -> None:
        self._scanners: dict[str, Scanner] = {}

    def load(self, surface: str, cwd: str) -> Guard:
        from promptguard import config
        from promptguard.guard import Guard
        from promptguard.guard import GuardOptions
        from promptguard.guard import build_scanner
        from promptguard.screen import Screen

        start = Path(cwd) if cwd and os.path.isdir(cwd) else Path.cwd()
        options = GuardOptions()
        cfg = config.load(start, config.CliOverrides())  # as Guard.load with default options
        # The scanner depends on the client lists only (the rule packs are
        # the installed ones); their files' mtimes are part of the key.
        key = repr(cfg.clients) + repr(sorted(
            (str(p), _mtime(p)) for _, d in cfg.clients for p in getattr(d, "files", ())))
        scanner = self._scanners.get(key)
        if scanner is None:
            scanner = self._scanners[key] = build_scanner(options, cfg)
        return Guard(surface, cfg, scanner, Screen.from_config(cfg, use_baselines=True),
                     options)


def _mtime(path: Any) -> float:
    try:
        return float(os.stat(path).st_mtime)
    except OSError:
        return 0.0


def _peer_uid(conn: socket.socket) -> int | None:
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", creds)
    return int(uid)


def _read_request(conn: socket.socket) -> tuple[dict[str, Any], bytes]:
    chunks = []
    size = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > HEADER_CAP + run.MAX_BYTES + 8:
            raise ValueError("request too large")
        chunks.append(chunk)
    raw = b"".join(chunks)
    n = int(raw[:8])
    header = json.loads(raw[8:8 + n])
    if not isinstance(header, dict):
        raise ValueError("bad header")
    return header, raw[8 + n:]


def _answer(header: dict[str, Any], data: bytes, cache: GuardCache) -> dict[str, Any]:
    if header.get("v") != promptguard_hook.VERSION:
        return {"fallback": True}
    parsed = promptguard_hook.parse_args(list(header.get("argv", [])))
    env = header.get("env")
    cwd = header.get("cwd")
    if parsed is None or not isinstance(env, dict) or not isinstance(cwd, str):
        return {"fallback": True}
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        os.chdir(cwd)
        settings = run.Settings(agent=parsed[0], clipboard=parsed[1])
        answer = run.handle(data, settings, cache.load)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    return {"exit": answer.exit_code, "stdout": answer.stdout, "stderr": answer.stderr}


def prepare_dir() -> str:
    d = promptguard_hook.socket_dir()
    os.makedirs(d, mode=0o700, exist_ok=True)
    st = os.lstat(d)
    if st.st_uid == os.getuid() and not os.path.islink(d):
        os.chmod(d, 0o700)
    if not promptguard_hook.private_dir(d):
        from promptguard.errors import ConfigError

        raise ConfigError(f"{d}: not a private directory of this user; not serving")
    return d


def serve(idle_seconds: float, ready: Any = None) -> int:
    """Serve until idle for `idle_seconds`; `ready` (a callable) is told the socket path."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        from promptguard.errors import ConfigError

        raise ConfigError("the resident hook server needs Unix sockets (not available here); "
                          "the hook runs in-process")
    d = prepare_dir()
    path = os.path.join(d, promptguard_hook.SOCKET_NAME)
    if os.path.exists(path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            probe.close()
            print(f"promptguard: a hook server already listens on {path}", file=sys.stderr)
            return 1
        except OSError:
            os.unlink(path)  # left over from a server that died
        finally:
            probe.close()
    import signal

    # terminate cleanly (socket and pid file removed) on SIGTERM too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.chdir("/")  # never hold (or depend on) the directory it was started in
    cache = GuardCache()
    me = os.getuid()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        old = os.umask(0o177)
        try:
            server.bind(path)
        finally:
            os.umask(old)
        server.listen(16)
        server.settimeout(idle_seconds)
        pid_file = os.path.join(d, promptguard_hook.PID_NAME)
        with open(pid_file, "w") as f:
            f.write(f"{os.getpid()}\n")
        print(f"promptguard: hook server listening on {path}", file=sys.stderr)
        if ready is not None:
            ready(path)
        try:
            while True:
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    print("promptguard: hook server idle, exiting", file=sys.stderr)
                    return 0
                with conn:
                    conn.settimeout(10)
                    uid = _peer_uid(conn)
                    if uid is not None and uid != me:
                        continue  # another user: no answer at all
                    try:
                        header, data = _read_request(conn)
                        reply = _answer(header, data, cache)
                    except Exception as e:  # a bad request never stops the server
                        reply = {"fallback": True, "error": type(e).__name__}
                    try:
                        conn.sendall(json.dumps(reply).encode())
                    except OSError:
                        pass
        except KeyboardInterrupt:
            return 0
        finally:
            for leftover in (path, pid_file):
                try:
                    os.unlink(leftover)
                except OSError:
                    pass
