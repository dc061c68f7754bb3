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


def run(args: argparse.Namespace) -> int:
    from promptguard.surfaces.hooks import run as hook_run

    return hook_run.main(hook_run.Settings(agent=args.agent, clipboard=not args.no_clipboard))
