"""`promptguard redact [PATH|-]`: replace findings with placeholders.

Which findings: those the policy says to redact or block on the surface
("cli", or "clipboard" with --clipboard), or every finding with --all.
Blocked findings are redacted too: a redacted copy is how blocked text gets
sent. Placeholders go into the session's vault (`promptguard vault list`),
so `promptguard restore` can map a model's answer back.

The redacted text goes to stdout, -o FILE, or back to the clipboard; a
summary of what was replaced (rule ids and placeholders, never values)
goes to stderr. Exit 1, writing nothing, when a rule could not finish
(a regex timeout): half-redacted text is worse than none.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.commands.options import add_client_options
from promptguard.commands.options import add_rule_options
from promptguard.commands.options import build_scanner
from promptguard.commands.options import client_directory
from promptguard.commands.options import with_clients
from promptguard.commands.scan import add_config_options
from promptguard.commands.scan import audit_decisions
from promptguard.commands.scan import load_config
from promptguard.errors import InputError

if TYPE_CHECKING:
    from promptguard.models import Action
    from promptguard.models import Finding

HELP = "replace secrets, PII and client names with placeholders kept in a local vault"
EXIT_INCOMPLETE = 1


def add_io_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH",
                        help="file to read; '-' or none reads stdin")
    parser.add_argument("--session", metavar="NAME",
                        help="vault session (default: one per day, named by the date)")
    parser.add_argument("--clipboard", action="store_true",
                        help="read the clipboard and write the result back to it")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the result here instead of stdout (or the clipboard)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_io_options(parser)
    parser.add_argument("--all", action="store_true",
                        help="redact every finding, not only those the policy redacts or blocks")
    add_client_options(parser)
    parser.add_argument("--no-audit", action="store_true",
                        help="do not append decisions to the audit log (unless the org "
                             "policy requires it)")
    add_config_options(parser)
    add_rule_options(parser)


def read_input(args: argparse.Namespace) -> tuple[str, str]:
    """The text to work on and its label."""
    from promptguard.sources import Note
    from promptguard.sources import decode

    if args.clipboard:
        from promptguard import clipboard

        return clipboard.read(), "<clipboard>"
    stdin = args.path is None or str(args.path) == "-"
    label = "<stdin>" if stdin else str(args.path)
    try:
        data = sys.stdin.buffer.read() if stdin else args.path.read_bytes()
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror})") from None
    notes: list[Note] = []
    text = decode(data, label, notes)
    if text is None:
        raise InputError(f"{label}: binary content, nothing to do")
    return text, label


def write_output(args: argparse.Namespace, text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    if args.output is not None:
        try:
            args.output.write_bytes(data)
        except OSError as e:
            raise InputError(f"{args.output}: cannot write ({e.strerror})") from None
    elif args.clipboard:
        from promptguard import clipboard

        clipboard.write(text)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _summary(label: str, replaced: int, restorable: int, session: str) -> str:
    if not replaced:
        return f"promptguard: {label}: nothing to redact"
    one_way = replaced - restorable
    return (f"promptguard: {label}: replaced {replaced} finding(s): {restorable} restorable "
            f"(vault session {session}), {one_way} one-way")


def run(args: argparse.Namespace) -> int:
    from promptguard.redaction import Redactor
    from promptguard.redaction import settings_from_tables
    from promptguard.vault import Vault

    if args.clipboard and args.path is not None:
        raise InputError("give a PATH or --clipboard, not both")
    start = args.path.parent if args.path is not None and str(args.path) != "-" else None
    cfg = load_config(args, start if start is not None and start.is_dir() else None)
    settings = settings_from_tables(cfg.redaction)
    scanner = with_clients(build_scanner(args), client_directory(cfg, args.clients))
    surface = "clipboard" if args.clipboard else "cli"

    def action(f: Finding) -> Action:
        return cfg.policy.decide(f, surface)

    def should_redact(f: Finding) -> bool:
        return args.all or action(f) in ("redact", "block")

    text, label = read_input(args)
    vault = Vault.open(args.session, ttl=settings.ttl)
    result = Redactor(scanner, vault, settings, should_redact=should_redact).redact(text)
    if not result.complete:
        for d in result.diagnostics:
            print(f"promptguard: {label}: {d.rule_id}: {d.message}", file=sys.stderr)
        print(f"promptguard: {label}: redaction incomplete; nothing written", file=sys.stderr)
        return EXIT_INCOMPLETE
    write_output(args, result.text)

    restorable = sum(1 for r in result.replacements if r.restorable)
    print(_summary(label, len(result.replacements), restorable, vault.session), file=sys.stderr)
    counts: dict[tuple[str, str], int] = {}
    for r in result.replacements:
        counts[(r.placeholder, r.rule_id)] = counts.get((r.placeholder, r.rule_id), 0) + 1
    for (placeholder, rule_id), n in counts.items():
        print(f"  {placeholder}  {rule_id}" + (f" (x{n})" if n > 1 else ""), file=sys.stderr)
    for f in result.kept:
        print(f"promptguard: {label}:{f.line}:{f.column}: left in place: {f.rule_id} "
              f"({action(f)}); --all redacts it", file=sys.stderr)
    reason = "redact --all" if args.all else "policy"
    audit_decisions(cfg, surface, [
        *((r.finding._replace(source=label), "redact", reason) for r in result.replacements),
        *((f._replace(source=label), action(f), "policy") for f in result.kept),
    ])
    return 0
