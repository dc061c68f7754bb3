"""`promptguard service install|uninstall|status`: the watcher at login.

install writes a systemd user unit bound to the graphical session (an XDG
autostart entry where systemd is absent), a launchd agent on macOS or a
Run-key value on Windows, then enables and starts it (`--no-start`: only
write it; `--print`: show it and change nothing). `--watch-args` go to
`promptguard watch`. status says whether it is installed, and whether a
watcher runs and with which backend (exit 0 running, 1 not).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from promptguard.errors import InputError

if TYPE_CHECKING:
    from promptguard.surfaces.clipboard.service import Installer

HELP = "install, remove or check the clipboard watcher as a login service"
EXIT_NOT_RUNNING = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from promptguard.surfaces.clipboard.service import KINDS

    parser.add_argument("verb", choices=("install", "uninstall", "status"))
    parser.add_argument("--kind", choices=KINDS,
                        help="service manager (default: systemd, or XDG autostart without "
                             "it, on Linux; launchd on macOS; the Run key on Windows)")
    parser.add_argument("--no-start", action="store_true",
                        help="install: write the service but do not enable or start it")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="install: print the service file and change nothing")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="status output")
    parser.add_argument("--watch-args", default="", metavar="ARGS",
                        help="install: arguments for `promptguard watch`, as one string "
                             "(e.g. \"--selection both --keep 60\")")


def _installer(args: argparse.Namespace) -> Installer:
    from promptguard.surfaces.clipboard import service

    kind = args.kind or service.default_kind(sys.platform, service.has_systemd())
    return service.Installer(kind, service.paths(os.environ, Path.home()),
                             start=not args.no_start)


def _watch_args(args: argparse.Namespace) -> list[str]:
    import shlex

    try:
        extra = shlex.split(args.watch_args)
    except ValueError as e:
        raise InputError(f"--watch-args: {e}") from None
    if extra and args.verb != "install":
        raise InputError(f"{args.verb} takes no watch arguments")
    if "--restore-last" in extra:
        raise InputError("--restore-last is not a watcher option for a service")
    # Fail now, not at login: parse them as `watch` would.
    from promptguard.cli import build_parser

    parser = build_parser("watch")
    try:
        parser.parse_args(["watch", *extra])
    except SystemExit:
        raise InputError("invalid watch arguments (see `promptguard watch --help`)") from None
    return extra


def run(args: argparse.Namespace) -> int:
    from promptguard.surfaces.clipboard import control
    from promptguard.surfaces.clipboard import service

    extra = _watch_args(args)
    inst = _installer(args)
    if args.verb == "install":
        python = service.python_executable()
        if args.print_only:
            argv = service.watch_command(python, extra)
            if inst.kind == "systemd":
                sys.stdout.write(service.systemd_unit(argv))
            elif inst.kind == "autostart":
                sys.stdout.write(service.autostart_entry(argv))
            elif inst.kind == "launchd":
                sys.stdout.write(service.launchd_plist(argv, inst.where.launchd_log).decode())
            else:
                print(service.windows_command(python, extra))
            return 0
        steps = inst.install(python, extra)
    elif args.verb == "uninstall":
        steps = inst.uninstall()
    else:
        return _status(inst, control.request("status"), args.format)
    problems = service.execute(steps)
    for step in steps:
        print(f"promptguard service: {step.what}"
              + (f": {' '.join(step.argv)}" if step.argv else ""), file=sys.stderr)
    for p in problems:
        print(f"promptguard service: {p}", file=sys.stderr)
    return 1 if problems else 0


def _status(inst: Installer, running: dict[str, Any] | None, fmt: str) -> int:
    installed = inst.installed()
    if fmt == "json":
        print(json.dumps({"kind": inst.kind, "installed": installed, "running": running}))
    else:
        print(f"service ({inst.kind}): " + (f"installed ({installed})" if installed
                                            else "not installed"))
        if running is None:
            print("watcher: not running")
        else:
            sels = ", ".join(str(s) for s in running.get("selections", []))
            print(f"watcher: running (pid {running.get('pid')}, backend {running.get('backend')}, "
                  f"watching {sels}, action {running.get('action')})")
    return 0 if running is not None else EXIT_NOT_RUNNING
