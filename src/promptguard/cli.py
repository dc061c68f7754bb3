"""Command line: argparse and dispatch only; the work lives in commands/."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from promptguard import error_handler
from promptguard.commands import rules as rules_cmd
from promptguard.commands import scan as scan_cmd

# Each command module provides add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "scan": scan_cmd,
    "rules": rules_cmd,
}


def build_parser() -> argparse.ArgumentParser:
    from promptguard import __version__

    parser = argparse.ArgumentParser(
        prog="promptguard",
        description="Keep secrets, personal data and client identifiers out of AI prompts.",
    )
    parser.add_argument("--version", action="version", version=f"promptguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return error_handler.run(lambda: COMMANDS[args.command].run(args))
