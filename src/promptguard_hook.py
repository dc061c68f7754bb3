"""`promptguard-hook`: the command agents run per hook event, kept to the standard library.

Interpreter start-up is most of a hook's cost, and importing the
`promptguard` package (engine, rule cache, pathlib, typing) would double
it. So this module imports nothing of promptguard unless it must:

1. when a resident hook server runs (`promptguard hook --serve`), the
   payload, argv, working directory and environment go to it over a
   per-user Unix socket and its answer is printed;
2. otherwise (no server, a socket in a directory that is not ours and
   private, a version mismatch, any error) the hook runs in this process,
   exactly as `promptguard hook` does.

Flags are those of `promptguard hook` (`--agent NAME`, `--no-clipboard`),
plus `--start-server`: when no server answers, run in-process and then
start one in the background for the events that follow.
Installs run this file directly (`python .../promptguard_hook.py --agent
NAME`), which skips the `re` import of a console-script wrapper; the
`promptguard-hook` console script is the same thing for people.
"""
from __future__ import annotations

# The C module, not `socket`: socket.py imports enum and selectors, which
# cost more than the rest of this client.
import _socket
import os
import stat
import sys

# Equal to promptguard.__version__ (a test checks): a server of another
# version is not used.
VERSION = "0.1.0"
SOCKET_NAME = "hook.sock"
PID_NAME = "hook.pid"
MAX_BYTES = 16 * 1024 * 1024
CONNECT_TIMEOUT = 0.5
# The server answers in milliseconds; past this the hook runs in-process
# and still answers well within the host's timeout.
REPLY_TIMEOUT = 5.0


def socket_dir() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "promptguard")
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"promptguard-{os.getuid()}")


def private_dir(path: str) -> bool:
    """Ours, a real directory, and closed to everyone else (0700)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def parse_args(argv: list[str]) -> tuple[str | None, bool, bool] | None:
    """(agent, clipboard, start server), or None for anything else (the full parser
    reports it)."""
    agent: str | None = None
    clipboard = True
    start = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--agent" and i + 1 < len(argv):
            agent = argv[i + 1]
            i += 1
        elif a.startswith("--agent="):
            agent = a.split("=", 1)[1]
        elif a == "--no-clipboard":
            clipboard = False
        elif a == "--start-server":
            start = True
        else:
            return None
        i += 1
    return agent, clipboard, start


def _ask_server(argv: list[str], data: bytes) -> tuple[int, str, str] | None:
    d = socket_dir()
    if not private_dir(d):
        return None
    import json

    header = json.dumps({"v": VERSION, "argv": argv, "cwd": os.getcwd(),
                         "env": dict(os.environ)}).encode()
    try:
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            s.settimeout(CONNECT_TIMEOUT)
            s.connect(os.path.join(d, SOCKET_NAME))
            s.settimeout(REPLY_TIMEOUT)
            s.sendall(b"%08d" % len(header) + header + data)
            s.shutdown(_socket.SHUT_WR)
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            s.close()
        reply = json.loads(b"".join(chunks))
    except (OSError, ValueError):
        return None
    if not isinstance(reply, dict) or reply.get("fallback") or not isinstance(
            reply.get("exit"), int):
        return None
    return reply["exit"], str(reply.get("stdout", "")), str(reply.get("stderr", ""))


def start_server() -> None:
    """`promptguard hook --serve` in the background, detached from this hook."""
    import subprocess

    try:
        subprocess.Popen([sys.executable, "-m", "promptguard", "hook", "--serve"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        pass  # the next event runs in-process again and retries


def _in_process(argv: list[str], data: bytes,
                parsed: tuple[str | None, bool, bool] | None) -> int:
    # A hook process lives for one event. The cycle collector runs dozens
    # of times while the guard's ~100 modules import (~4 ms of a ~40 ms
    # hook) and frees next to nothing before exit, so it pauses here.
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_in_process(argv, data, parsed)
    finally:
        if enabled:
            gc.enable()


def _run_in_process(argv: list[str], data: bytes,
                    parsed: tuple[str | None, bool, bool] | None) -> int:
    import io

    if parsed is None:
        from promptguard.cli import main as cli_main

        sys.stdin = io.TextIOWrapper(io.BytesIO(data))
        return cli_main(["hook", *argv])
    from promptguard.surfaces.hooks import run

    return run.main(run.Settings(agent=parsed[0], clipboard=parsed[1]), io.BytesIO(data))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cap = os.environ.get("PROMPTGUARD_HOOK_MAX_BYTES", "")
    limit = int(cap) if cap.isdigit() else MAX_BYTES
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except OSError:
        data = b""  # the in-process hook reports the unreadable input under on_error
    parsed = parse_args(argv)
    # The server needs Unix sockets and uids (not Windows): otherwise in-process.
    usable = hasattr(os, "getuid") and hasattr(_socket, "AF_UNIX")
    if usable and parsed is not None and len(data) <= limit \
            and not os.environ.get("PROMPTGUARD_NO_SERVER"):
        answer = _ask_server(argv, data)
        if answer is not None:
            code, out, err = answer
            if out:
                sys.stdout.write(out)
                sys.stdout.flush()
            if err:
                sys.stderr.write(err)
                sys.stderr.flush()
            return code
    code = _in_process(argv, data, parsed)
    if usable and parsed is not None and parsed[2] and not os.environ.get("PROMPTGUARD_NO_SERVER"):
        sys.stdout.flush()
        start_server()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
