"""`promptguard watch`: the clipboard watcher, in the foreground.

Sees every copy and, before the paste, warns or swaps the clipboard for a
redacted copy (`--action`), with the `clipboard` surface policy deciding per
finding. One guard stays loaded, so a copy costs a scan, not a process
start. Logs to stderr (rule ids, never content); Ctrl+C and SIGTERM stop it
with exit 0. `--restore-last` asks the running watcher to put the last
original back, once. The service manager runs this command
(`promptguard service install`).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import cast

from promptguard.commands.options import add_client_options
from promptguard.commands.options import add_config_options
from promptguard.errors import InputError

if TYPE_CHECKING:
    from promptguard.surfaces.clipboard.base import Backend
    from promptguard.surfaces.clipboard.base import Selection
    from promptguard.surfaces.clipboard.watcher import Mode
    from promptguard.surfaces.clipboard.watcher import Watcher

HELP = "watch the clipboard: warn about or redact secrets before they are pasted"
SELECTION_CHOICES = ("clipboard", "primary", "both")


def _seconds(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 <= n <= 86400:
        raise argparse.ArgumentTypeError("must be between 0 and 86400 seconds")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from promptguard.surfaces.clipboard.base import BACKENDS
    from promptguard.surfaces.clipboard.base import DEFAULT_MAX_BYTES
    from promptguard.surfaces.clipboard.watcher import MODES

    parser.add_argument("--action", choices=MODES, default="redact",
                        help="what a finding the policy redacts or blocks does to the "
                             "clipboard: replaced by placeholders (redact, default), only a "
                             "notification (warn), or the clipboard emptied (clear)")
    parser.add_argument("--selection", choices=SELECTION_CHOICES, default="clipboard",
                        help="CLIPBOARD (Ctrl+C, default), PRIMARY (highlighted text, "
                             "middle-click paste) or both")
    parser.add_argument("--primary-action", choices=MODES, default="warn",
                        help="--action for PRIMARY (default: warn; taking PRIMARY over "
                             "removes the highlight)")
    parser.add_argument("--backend", dest="clipboard_backend", choices=BACKENDS,
                        default="auto", help="clipboard backend (default: the session's)")
    parser.add_argument("--keep", type=_seconds, default=30.0, metavar="SECONDS",
                        help="how long the original of a redacted copy stays in memory for "
                             "--restore-last (default: 30; 0: never kept)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help="leave larger clipboards alone, with a note (default: 1 MiB)")
    parser.add_argument("--session", default="clipboard", metavar="NAME",
                        help="vault session for placeholders (`promptguard restore --session`)")
    parser.add_argument("--notify", choices=("auto", "dbus", "osascript", "none"),
                        default="auto", help="desktop notifications (default: the platform's)")
    parser.add_argument("--restore-last", action="store_true",
                        help="ask the running watcher to put the last redacted original back "
                             "(once), then exit")
    parser.add_argument("--reconnect", type=_seconds, default=10.0, metavar="SECONDS",
                        help="when the display server goes away, try to reconnect this long "
                             "before exiting 1 (default: 10)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also log our own writes being skipped")
    # Test hook: proves a copy made while we scan survives (see tests).
    parser.add_argument("--delay-before-write", type=_seconds, default=0.0,
                        help=argparse.SUPPRESS)
    parser.add_argument("--rules", action="append", type=Path, default=[], metavar="PATH",
                        help="extra rule pack (TOML file or directory of them); repeatable")
    parser.add_argument("--no-builtin-rules", action="store_true",
                        help="use only the packs given with --rules")
    add_client_options(parser)
    add_config_options(parser)


def _log(message: str) -> None:
    print(f"promptguard watch: {message}", file=sys.stderr, flush=True)


def _restore_last() -> int:
    from promptguard.surfaces.clipboard import control

    reply = control.request("restore-last")
    if reply is None:
        raise InputError("no clipboard watcher is running (start one with `promptguard watch`)")
    print(f"promptguard: {reply.get('message', '')}", file=sys.stderr)
    return 0 if reply.get("ok") else 1


def run(args: argparse.Namespace) -> int:
    if args.restore_last:
        return _restore_last()
    if args.max_bytes <= 0:
        raise InputError("--max-bytes must be positive")

    from promptguard.commands.options import load_guard
    from promptguard.surfaces.clipboard import control
    from promptguard.surfaces.clipboard import notify
    from promptguard.surfaces.clipboard.base import open_backend
    from promptguard.surfaces.clipboard.daemon import Daemon
    from promptguard.surfaces.clipboard.watcher import Watcher
    from promptguard.surfaces.clipboard.watcher import WatchSettings

    selections = cast("tuple[Selection, ...]", (
        ("clipboard", "primary") if args.selection == "both" else (args.selection,)))
    settings = WatchSettings(
        action=cast("Mode", args.action),
        selections=selections,
        primary_action=cast("Mode", args.primary_action),
        max_bytes=args.max_bytes,
        keep_original=args.keep,
        session=args.session,
        delay_before_write=args.delay_before_write,
    )
    guard = load_guard(args, "clipboard")
    # Import the regex engine and warm the rule cache now, not on the
    # first copy.
    guard.check("AKIA warm-up password=x ghp_ sk-", source="warm-up", audit=False)
    env = dict(os.environ)
    server = control.Server(control.socket_path(env)) if control.available() else None
    if server is None:
        _log("no Unix sockets here: --restore-last and `service status` are unavailable")
    notifier = notify.make(args.notify, _log)

    def connect() -> Backend:
        return open_backend(args.clipboard_backend, selections, env, sys.platform)

    def make_watcher(backend: Backend) -> Watcher:
        return Watcher(backend, guard, settings, notifier)

    try:
        return Daemon(connect, make_watcher, server, _log, verbose=args.verbose,
                      reconnect_for=args.reconnect).run()
    finally:
        if server is not None:
            server.close()
        notifier.close()
