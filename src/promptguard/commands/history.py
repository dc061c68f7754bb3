"""`promptguard history scan|scrub [AGENT]`: secrets already in agents' transcripts.

`scan` lists what went out (rule id, masked preview, session, date): what
to rotate. `scrub` rewrites the transcripts with placeholders, after a
backup, skipping sessions still active, validating every rewritten line
as JSON. Exit 1 from `scan` when something is found.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from promptguard.errors import InputError

HELP = "find (scan) or remove (scrub) secrets in coding agents' local transcripts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("scan", "scrub"))
    parser.add_argument("agents", nargs="*", metavar="AGENT",
                        help="agents (default: every agent with a history reader)")
    parser.add_argument("--home", type=Path, default=None, metavar="DIR",
                        help="the home folder to look in (default: yours)")
    parser.add_argument("--active-minutes", type=float, default=10.0, metavar="N",
                        help="scrub skips transcripts written in the last N minutes "
                             "(a session still running); default 10")
    parser.add_argument("--dry-run", action="store_true",
                        help="scrub: say what would change, change nothing")


def run(args: argparse.Namespace) -> int:
    from promptguard.surfaces.hooks import history
    from promptguard.surfaces.hooks.history import report

    names = args.agents or list(history.HISTORIES)
    opts = history.Options(home=(args.home or Path.home()),
                           active_seconds=args.active_minutes * 60, dry_run=args.dry_run)
    found = False
    for name in names:
        h = history.get(name)
        if h is None:
            raise InputError(f"unknown agent {name!r} (known: {', '.join(history.HISTORIES)})")
        if args.action == "scan":
            found |= report.scan(h, opts)
        else:
            report.scrub(h, opts)
    return 1 if found else 0
