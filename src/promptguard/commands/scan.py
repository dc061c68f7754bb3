"""`promptguard scan [PATH ...]`: scan files, directories or stdin."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from promptguard import output
from promptguard.commands.options import add_rule_options
from promptguard.commands.options import build_scanner
from promptguard.commands.options import use_color
from promptguard.engine import Diagnostic
from promptguard.engine import Scanner
from promptguard.engine import ScanResult
from promptguard.models import Action
from promptguard.models import Finding
from promptguard.sources import CHUNK_BYTES
from promptguard.sources import Note
from promptguard.sources import decode
from promptguard.sources import iter_chunks
from promptguard.sources import iter_paths

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
    add_rule_options(parser)


class _Progress:
    """A one-line progress report on stderr, only for slow scans on a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.start = time.monotonic()
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def update(self, done: int, nbytes: int) -> None:
        if not self.enabled or time.monotonic() - self.start < 1.0:
            return
        self.shown = True
        total = f"/{self.total}" if self.total else ""
        print(f"\rscanning: {done}{total} files, {nbytes / 1e6:.1f} MB", end="", file=sys.stderr)

    def close(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr)


def scan_path(scanner: Scanner, path: Path, label: str, notes: list[Note]) -> ScanResult | None:
    """Scan one file; None (with a note) when it is skipped."""
    try:
        f = path.open("rb") if str(path) != "-" else sys.stdin.buffer
    except OSError as e:
        notes.append(Note(label, f"skipped: cannot read ({e.strerror})"))
        return None
    with f:
        try:
            size = path.stat().st_size if str(path) != "-" else CHUNK_BYTES + 1
        except OSError:
            size = CHUNK_BYTES + 1
        if size <= CHUNK_BYTES:
            text = decode(f.read(), label, notes)
            return None if text is None else scanner.run(text)
        chunks = iter_chunks(f, label, notes)
        return None if chunks is None else scanner.run_stream(chunks)


def collect(
    scanner: Scanner,
    paths: list[Path],
    stdin_name: str,
    notes: list[Note],
) -> tuple[list[Finding], list[Diagnostic], int]:
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    targets = paths or [Path("-")]
    files = list(iter_paths([p for p in targets if str(p) != "-"], notes))
    if any(str(p) == "-" for p in targets):
        files.insert(0, Path("-"))
    progress = _Progress(len(files))
    scanned = 0
    nbytes = 0
    try:
        for path in files:
            label = stdin_name if str(path) == "-" else str(path)
            result = scan_path(scanner, path, label, notes)
            if result is None:
                continue
            scanned += 1
            if str(path) != "-":
                nbytes += path.stat().st_size
            findings.extend(f._replace(source=label) for f in result.findings)
            diagnostics.extend(d._replace(message=f"{label}: {d.message}")
                               for d in result.diagnostics)
            progress.update(scanned, nbytes)
    finally:
        progress.close()
    return findings, diagnostics, scanned


def report(
    scanner: Scanner,
    findings: list[Finding],
    decide: Callable[[Finding], Action],
    notes: list[Note],
    diagnostics: list[Diagnostic],
    scanned: int,
) -> output.Report:
    return output.Report(
        decisions=[output.Decision(f, decide(f)) for f in findings],
        rules=scanner.rule_index(),
        notes=notes,
        diagnostics=diagnostics,
        sources_scanned=scanned,
    )


def run(args: argparse.Namespace) -> int:
    scanner = build_scanner(args)
    notes: list[Note] = []
    findings, diagnostics, scanned = collect(scanner, args.paths, args.stdin_name, notes)
    rep = report(scanner, findings, lambda f: "block", notes, diagnostics, scanned)
    sys.stdout.write(output.get(args.format)(rep, use_color(args.color)))
    if rep.blocking and not args.exit_zero:
        return EXIT_BLOCKING
    return 0
