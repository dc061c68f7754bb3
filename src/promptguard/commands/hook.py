"""`promptguard hook [--agent NAME]`: answer one coding-agent hook event.

Reads the host's JSON payload on stdin and writes the host's own answer;
the work is in promptguard.surfaces.hooks.run. Exit codes are the host's
protocol (0 with JSON, 2 to block when no event could be parsed), never 1.
"""
from __future__ import annotations

import argparse

HELP = "answer one coding-agent hook event (JSON on stdin), e.g. from Claude Code"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--agent", metavar="NAME",
        help="the host sending the event (claude-code, codex, cursor, ...); "
             "default: detected from the payload",
    )
    parser.add_argument(
        "--no-clipboard", action="store_true",
        help="do not put a redacted copy of a blocked prompt on the clipboard",
    )
    parser.add_argument(
        "--serve", action="store_true",
        help="run the optional resident hook server that `promptguard-hook` talks to "
             "(per-user socket in a 0700 directory)",
    )
    parser.add_argument(
        "--idle-minutes", type=float, default=60.0, metavar="N",
        help="with --serve: exit after N minutes without an event (default 60)",
    )


def run(args: argparse.Namespace) -> int:
    if args.serve:
        from promptguard.surfaces.hooks import server

        return server.serve(args.idle_minutes * 60)
    from promptguard.surfaces.hooks import run as hook_run

    return hook_run.main(hook_run.Settings(agent=args.agent, clipboard=not args.no_clipboard))
