"""`promptguard redact [PATH|-]`: replace findings with placeholders.

Which findings: those the policy says to redact or block on the surface
(`chat` by default, the policy for text headed to a chat window, where PII
and client names are redacted; `clipboard` with --clipboard; any with
--surface), or every finding with --all.
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

from promptguard.commands.options import add_client_options
from promptguard.commands.options import add_config_options
from promptguard.commands.options import add_rule_options
from promptguard.commands.options import load_guard
from promptguard.errors import InputError
from promptguard.policy import SURFACES

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
    parser.add_argument("--surface", choices=SURFACES, default=None,
                        help="whose policy picks what to redact (default: chat, the policy "
                             "for text headed to a chat window; clipboard with --clipboard)")
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
    if args.clipboard and args.path is not None:
        raise InputError("give a PATH or --clipboard, not both")
    start = args.path.parent if args.path is not None and str(args.path) != "-" else None
    surface = args.surface or ("clipboard" if args.clipboard else "chat")
    guard = load_guard(args, surface, start if start is not None and start.is_dir() else None,
                       no_audit=args.no_audit)
    text, label = read_input(args)
    vault = guard.open_vault(args.session)
    verdict = guard.redact(text, source=label, vault=vault, everything=args.all, audit=False)
    if verdict.failed:
        for diag in verdict.diagnostics:
            print(f"promptguard: {label}: {diag.rule_id}: {diag.message}", file=sys.stderr)
        print(f"promptguard: {label}: redaction incomplete; nothing written", file=sys.stderr)
        return EXIT_INCOMPLETE
    assert verdict.text is not None
    write_output(args, verdict.text)

    restorable = sum(1 for r in verdict.replacements if r.restorable)
    print(_summary(label, len(verdict.replacements), restorable, vault.session), file=sys.stderr)
    counts: dict[tuple[str, str], int] = {}
    for r in verdict.replacements:
        counts[(r.placeholder, r.rule_id)] = counts.get((r.placeholder, r.rule_id), 0) + 1
    for (placeholder, rule_id), n in counts.items():
        print(f"  {placeholder}  {rule_id}" + (f" (x{n})" if n > 1 else ""), file=sys.stderr)
    replaced = {(r.finding.start, r.finding.end) for r in verdict.replacements}
    for d in verdict.decisions:
        f = d.finding
        if d.reason == "policy" and (f.start, f.end) not in replaced:
            print(f"promptguard: {label}:{f.line}:{f.column}: left in place: {f.rule_id} "
                  f"({d.action} on {surface}); --all redacts it", file=sys.stderr)
    note = guard.audit([verdict])
    if note is not None:
        print(f"promptguard: warning: {note.source}: {note.message}", file=sys.stderr)
    return 0
