"""`promptguard lsp`: the language server for editors, over stdio.

Editors start it themselves (see README, "Editors"); it scans the
documents they open for surface `editor` and answers with diagnostics and
code actions. The LSP stream is stdout, so nothing else may print there.
"""
from __future__ import annotations

import argparse
import logging
import sys

HELP = "language server (stdio) flagging secrets in editors as you type"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Clients such as vscode-languageclient append --stdio; it is the only transport.
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout "
                                                             "(the default and only transport)")
    parser.add_argument("--debounce-ms", type=int, default=150, metavar="MS",
                        help="wait this long after the last change before scanning "
                             "(default: 150)")
    parser.add_argument("--verbose", action="store_true",
                        help="report scan timings and cancellations to the editor's log")
    parser.add_argument("--no-audit", action="store_true",
                        help="do not append decisions to the audit log on save (unless the org "
                             "policy requires it); scans while typing are never audited")
    parser.add_argument("--session", metavar="NAME",
                        help="vault session for placeholders (default: one per project)")
    parser.add_argument("--rules", action="append", default=[], metavar="PATH",
                        help="extra rule pack (TOML file or directory); repeatable")


class _TemplateOnly(logging.Handler):
    """Writes a log record's template, never its arguments or exception text.

    pygls logs whole messages ("Sending data: %s", deserialisation errors
    with tracebacks); those could hold document text, so only the fixed
    part of each record reaches stderr.
    """

    def emit(self, record: logging.LogRecord) -> None:
        exc = f" ({record.exc_info[0].__name__})" if record.exc_info and record.exc_info[0] else ""
        first = str(record.msg).split("\n", 1)[0]
        try:
            sys.stderr.write(f"promptguard lsp: {record.levelname.lower()}: {first}{exc}\n")
        except (OSError, ValueError):
            pass


def _quiet_logging() -> None:
    root = logging.getLogger()
    root.handlers[:] = [_TemplateOnly()]
    root.setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from promptguard.guard import GuardOptions
    from promptguard.surfaces.lsp.server import ServerSettings
    from promptguard.surfaces.lsp.server import build

    _quiet_logging()
    options = GuardOptions(rules=tuple(Path(p) for p in args.rules), audit=not args.no_audit)
    settings = ServerSettings(
        options=options, debounce=max(0, args.debounce_ms) / 1000, verbose=args.verbose,
        session=args.session,
    )
    build(settings).start_io()
    return 0
