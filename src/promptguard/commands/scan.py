"""`promptguard scan [PATH ...]`: scan files, directories or stdin.

A thin adapter over the guard: it scans each source for `--surface`
(allowlists, baselines, policy, on_error all apply there), prints the
report, appends the decisions to the audit log, and exits 1 if anything
blocks, 2 if a named path cannot be read.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard import output
from promptguard.commands.options import add_client_options
from promptguard.commands.options import add_config_options
from promptguard.commands.options import add_rule_options
from promptguard.commands.options import load_config
from promptguard.commands.options import load_guard
from promptguard.commands.options import use_color
from promptguard.guard import BLANKET_NOTE
from promptguard.policy import SURFACES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from promptguard.guard import Verdict
    from promptguard.models import Rule
    from promptguard.sources import Note

__all__ = ["add_arguments", "add_config_options", "load_config", "run"]

HELP = "scan files, directories or stdin for secrets, credentials, PII and client names"
EXIT_BLOCKING = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="files or directories; none or '-' reads stdin")
    parser.add_argument("--stdin-name", default="<stdin>", metavar="NAME",
                        help="label for stdin in the output (default: <stdin>)")
    parser.add_argument("--format", choices=output.NAMES, default="text",
                        help="output format (default: text)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when there are blocking findings")
    parser.add_argument("--surface", choices=SURFACES, default="cli",
                        help="where the text is going; selects the policy (default: cli)")
    parser.add_argument("--baseline", action="append", type=Path, default=[], metavar="PATH",
                        help="accept the findings recorded in this baseline (ours or a "
                             "detect-secrets .secrets.baseline); repeatable")
    parser.add_argument("--no-audit", action="store_true",
                        help="do not append decisions to the audit log (unless the org "
                             "policy requires it)")
    add_config_options(parser)
    add_rule_options(parser)
    add_client_options(parser)


class _Progress:
    """A one-line progress report on stderr, only for slow scans on a terminal."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled or time.monotonic() - self.start < 1.0:
            return
        self.shown = True
        # No total: the tree is still being walked while the first files scan.
        print(f"\rscanning: {done} files", end="", file=sys.stderr)

    def close(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr)


_NEXT_STEPS = """\
promptguard stopped this commit. For each BLOCK above:
  - a real secret: remove it and rotate it (it may already be in backups and history);
  - not a secret: add `promptguard: allow[RULE-ID]` on its line or the line above;
  - already reviewed: `promptguard baseline update` then `git add .promptguard-baseline.json`.
"""


def build_report(
    verdicts: list[Verdict], rules: Mapping[str, Rule], notes: list[Note],
) -> output.Report:
    """What the formatters print: decisions the policy made, every note."""
    from promptguard.engine import Diagnostic

    all_notes = list(notes)
    diagnostics: list[Diagnostic] = []
    for v in verdicts:
        all_notes.extend(v.notes)
        diagnostics.extend(d._replace(message=f"{v.source}: {d.message}") for d in v.diagnostics)
    return output.Report(
        decisions=[output.Decision(d.finding, d.action)
                   for v in verdicts for d in v.decisions if d.reason == "policy"],
        rules=rules,
        notes=all_notes,
        diagnostics=diagnostics,
        sources_scanned=sum(1 for v in verdicts if v.scanned),
    )


def run(args: argparse.Namespace) -> int:
    guard = load_guard(args, args.surface, baselines=args.baseline, no_audit=args.no_audit)
    notes: list[Note] = []
    files = guard.walk(args.paths or [Path("-")], notes)
    progress = _Progress()
    verdicts: list[Verdict] = []
    try:
        # On every core; the CLI is our own process, so glibc's mmap
        # threshold may be fixed for streaming large files.
        checked = guard.check_files(files, stdin_name=args.stdin_name, audit=False,
                                    tune_malloc=True)
        for i, verdict in enumerate(checked, 1):
            verdicts.append(verdict)
            progress.update(i)
    finally:
        progress.close()
    audit_note = guard.audit(verdicts)
    if audit_note is not None:
        print(f"promptguard: warning: {audit_note.source}: {audit_note.message}", file=sys.stderr)
    rep = build_report(verdicts, guard.scanner.rule_index(), notes)
    sys.stdout.write(output.get(args.format)(rep, use_color(args.color)))
    blanket = any(BLANKET_NOTE in n.message for n in rep.notes)
    pre_commit = args.surface == "pre-commit"
    failing = any(v.action == "block" for v in verdicts) or (pre_commit and blanket)
    if failing and pre_commit and args.format == "text":
        sys.stdout.write(_NEXT_STEPS)
    if failing and not args.exit_zero:
        return EXIT_BLOCKING
    return 0
