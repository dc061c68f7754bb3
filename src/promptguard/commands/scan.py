"""`promptguard scan [PATH ...]`: scan files, directories or stdin.

One run: load the config (project, user, org policy), scan each source,
set aside what config allowlists and baselines accept, decide every other
finding with the policy for `--surface`, print, append the decisions to the
audit log, and exit 1 if anything blocks.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import BinaryIO

from promptguard import output
from promptguard.commands.options import add_client_options
from promptguard.commands.options import add_rule_options
from promptguard.commands.options import build_scanner
from promptguard.commands.options import client_directory
from promptguard.commands.options import use_color
from promptguard.commands.options import with_clients
from promptguard.engine import Diagnostic
from promptguard.engine import Scanner
from promptguard.engine import ScanResult
from promptguard.models import Action
from promptguard.models import Finding
from promptguard.policy import PROFILE_NAMES
from promptguard.policy import SURFACES
from promptguard.sources import CHUNK_BYTES
from promptguard.sources import Note
from promptguard.sources import decode
from promptguard.sources import iter_chunks
from promptguard.sources import iter_paths

if TYPE_CHECKING:
    from promptguard.allowlist import Matcher
    from promptguard.baseline import Baseline
    from promptguard.config import Config

HELP = "scan files, directories or stdin for secrets, credentials, PII and client names"
EXIT_BLOCKING = 1
# Files that only ever hold hashes; generic rules would flag their
# `"hashed_secret": "<hex>"` lines, so they are never scanned.
BASELINE_NAMES = frozenset({".promptguard-baseline.json", ".secrets.baseline"})
BLANKET_NOTE = "blanket pragma is not honoured"
# (finding, why it was accepted): "baseline", "allowlist.paths", ...
Suppressed = tuple[Finding, str]


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="project config to use instead of discovering one")
    parser.add_argument("--profile", choices=PROFILE_NAMES,
                        help="built-in policy profile (overrides the config's `profile`)")


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


class Screen:
    """Config allowlists and baselines, applied one source at a time."""

    def __init__(
        self,
        matcher: Matcher | None = None,
        baselines: Sequence[Baseline] = (),
        skip: Iterable[Path] = (),
    ) -> None:
        self.matcher = matcher
        self.baselines = tuple(baselines)
        self.skip = frozenset(p.resolve() for p in skip)

    @classmethod
    def from_config(cls, cfg: Config, *, use_baselines: bool = True) -> Screen:
        from promptguard.allowlist import Matcher

        baselines: list[Baseline] = []
        if use_baselines and cfg.baselines:
            from promptguard import baseline

            baselines = [baseline.load(p, cfg.root) for p in cfg.baselines]
        return cls(Matcher(cfg.allowlist, cfg.root), baselines, cfg.baselines)

    def skips(self, path: Path, label: str) -> bool:
        if path.name in BASELINE_NAMES or (self.skip and path.resolve() in self.skip):
            return True
        return self.matcher is not None and self.matcher.skips_path(label)

    def _rel(self, label: str, root: Path) -> str:
        from promptguard.allowlist import relative_label

        return relative_label(label, root)

    def needs_secrets(self, label: str) -> bool:
        if self.matcher is not None and self.matcher.spec.needs_secret:
            return True
        return any(b.hashes and self._rel(label, b.root) in b.hashes for b in self.baselines)

    def apply(
        self,
        findings: list[Finding],
        label: str,
        secret: Callable[[Finding], str | None],
        line: Callable[[Finding], str | None],
    ) -> tuple[list[Finding], list[Suppressed]]:
        if not findings or (self.matcher is None and not self.baselines):
            return findings, []
        kept: list[Finding] = []
        suppressed: list[Suppressed] = []
        rels = [(b, self._rel(label, b.root)) for b in self.baselines]
        for f in findings:
            reason = None
            if self.matcher is not None:
                reason = self.matcher.reason(f, secret(f), line(f))
            for b, rel in rels:
                if reason is None:
                    reason = b.reason(f, rel, secret(f) if b.hashes.get(rel) else None)
            if reason is None:
                kept.append(f)
            else:
                suppressed.append((f, reason))
        return kept, suppressed


class _Prefixed:
    """A binary stream with some bytes already read put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head = head
        self.rest = rest

    def read(self, n: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(n)
        if n < 0:
            out, self.head = self.head + self.rest.read(), b""
        else:
            out, self.head = self.head[:n], self.head[n:]
        return out


def _lint_notes(text: str, label: str, first_line: int = 1) -> list[Note]:
    from promptguard.allowlist import blanket_pragmas

    return [
        Note(label, f"line {p.line + first_line - 1}: {BLANKET_NOTE}; "
                    "name the rule, e.g. `promptguard: allow[rule-id]`")
        for p in blanket_pragmas(text)
    ]


def _linted(chunks: Iterator[str], label: str, notes: list[Note]) -> Iterator[str]:
    line = 1
    for chunk in chunks:
        notes.extend(_lint_notes(chunk, label, line))
        line += chunk.count("\n")
        yield chunk


def _spans_from_file(path: Path, spans: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Re-read a streamed file for the text at the given character spans."""
    wanted = sorted(set(spans))
    parts: dict[tuple[int, int], list[str]] = {s: [] for s in wanted}
    with path.open("rb") as f:
        chunks = iter_chunks(f, str(path), [])
        base = 0
        for chunk in chunks or ():
            end = base + len(chunk)
            for s, e in wanted:
                if s < end and e > base:
                    parts[(s, e)].append(chunk[max(s - base, 0):e - base])
            base = end
    return {span: "".join(p) for span, p in parts.items()}


def scan_source(
    scanner: Scanner, path: Path, label: str, notes: list[Note],
) -> tuple[ScanResult, str | None] | None:
    """Scan one file or stdin: the result and, unless it was streamed, the text."""
    stdin = str(path) == "-"
    try:
        f = sys.stdin.buffer if stdin else path.open("rb")
    except OSError as e:
        notes.append(Note(label, f"skipped: cannot read ({e.strerror})"))
        return None
    with f:
        if stdin:
            # Prompts are small: read them whole so allowlists and
            # detect-secrets baselines can see the text; stream the rest.
            head = f.read(CHUNK_BYTES + 1)
            small = len(head) <= CHUNK_BYTES
            stream: BinaryIO = f if small else _Prefixed(head, f)  # type: ignore[assignment]
        else:
            try:
                small = path.stat().st_size <= CHUNK_BYTES
            except OSError:
                small = False
            head = f.read() if small else b""
            stream = f
        if small:
            text = decode(head, label, notes)
            if text is None:
                return None
            notes.extend(_lint_notes(text, label))
            return scanner.run(text), text
        # The CLI is our own process: fix glibc's mmap threshold for streaming.
        chunks = iter_chunks(stream, label, notes, tune_malloc=True)
        if chunks is None:
            return None
        return scanner.run_stream(_linted(chunks, label, notes)), None


def scan_path(scanner: Scanner, path: Path, label: str, notes: list[Note]) -> ScanResult | None:
    """Scan one file; None (with a note) when it is skipped."""
    scanned = scan_source(scanner, path, label, notes)
    return None if scanned is None else scanned[0]


def _screen_source(
    screen: Screen,
    path: Path,
    label: str,
    findings: list[Finding],
    text: str | None,
    notes: list[Note],
) -> tuple[list[Finding], list[Suppressed]]:
    if text is not None:
        from promptguard.allowlist import line_at

        return screen.apply(findings, label, lambda f: text[f.start:f.end],
                            lambda f: line_at(text, f.start))
    secrets: dict[tuple[int, int], str] = {}
    if findings and screen.needs_secrets(label):
        if str(path) == "-":
            notes.append(Note(label, "over 8 MB: secret-based allowlists and detect-secrets "
                                     "baseline entries were not applied"))
        else:
            secrets = _spans_from_file(path, ((f.start, f.end) for f in findings))
    return screen.apply(findings, label, lambda f: secrets.get((f.start, f.end)),
                        lambda f: None)


def collect(
    scanner: Scanner,
    paths: list[Path],
    stdin_name: str,
    notes: list[Note],
    screen: Screen | None = None,
) -> tuple[list[Finding], list[Diagnostic], int, list[Suppressed]]:
    """Findings kept, diagnostics, sources scanned, and findings the screen accepted."""
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
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
            stdin = str(path) == "-"
            label = stdin_name if stdin else str(path)
            if screen is not None and not stdin and screen.skips(path, label):
                continue
            result = scan_source(scanner, path, label, notes)
            if result is None:
                continue
            scanned += 1
            if not stdin:
                nbytes += path.stat().st_size
            found = [f._replace(source=label) for f in result[0].findings]
            if screen is not None:
                found, accepted = _screen_source(screen, path, label, found, result[1], notes)
                suppressed.extend(accepted)
            findings.extend(found)
            diagnostics.extend(d._replace(message=f"{label}: {d.message}")
                               for d in result[0].diagnostics)
            progress.update(scanned, nbytes)
    finally:
        progress.close()
    return findings, diagnostics, scanned, suppressed


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


def audit_decisions(
    cfg: Config,
    surface: str,
    decisions: Iterable[tuple[Finding, Action, str]],
) -> None:
    """One audit record per source, action and reason; never content."""
    if not cfg.audit.enabled:
        return
    from promptguard import audit

    groups: dict[tuple[str, str, str], tuple[list[str], list[str]]] = {}
    for f, action, reason in decisions:
        ids, fps = groups.setdefault((f.source, action, reason), ([], []))
        ids.append(f.rule_id)
        fps.append(f.fingerprint)
    records = [
        audit.Record(surface, action, tuple(ids), tuple(fps), source, reason)
        for (source, action, reason), (ids, fps) in sorted(groups.items())
    ]
    try:
        audit.write(cfg.audit, records)
    except OSError as e:
        # The decision stands; a read-only home must not break a commit.
        print(f"promptguard: warning: audit log {cfg.audit.path} not written: {e.strerror}",
              file=sys.stderr)


_NEXT_STEPS = """\
promptguard stopped this commit. For each BLOCK above:
  - a real secret: remove it and rotate it (it may already be in backups and history);
  - not a secret: add `promptguard: allow[RULE-ID]` on its line or the line above;
  - already reviewed: `promptguard baseline update` then `git add .promptguard-baseline.json`.
"""


def load_config(
    args: argparse.Namespace,
    start: Path | None = None,
    *,
    baselines: Sequence[Path] = (),
    no_audit: bool = False,
) -> Config:
    """The config for a command with `add_config_options`; discovery starts at `start`."""
    from promptguard import config

    if start is None:
        first = next((p for p in getattr(args, "paths", []) if str(p) != "-"), None)
        start = first if first is not None else Path.cwd()
    cli = config.CliOverrides(
        profile=args.profile, config=args.config, baselines=tuple(baselines), no_audit=no_audit,
    )
    return config.load(start, cli)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args, baselines=args.baseline, no_audit=args.no_audit)
    scanner = with_clients(build_scanner(args), client_directory(cfg, args.clients))
    notes: list[Note] = []
    screen = Screen.from_config(cfg)
    findings, diagnostics, scanned, suppressed = collect(
        scanner, args.paths, args.stdin_name, notes, screen,
    )
    surface = args.surface
    rep = report(scanner, findings, lambda f: cfg.policy.decide(f, surface), notes, diagnostics,
                 scanned)
    sys.stdout.write(output.get(args.format)(rep, use_color(args.color)))
    blanket = any(BLANKET_NOTE in n.message for n in notes)
    failing = bool(rep.blocking) or (surface == "pre-commit" and blanket)
    if failing and surface == "pre-commit" and args.format == "text":
        sys.stdout.write(_NEXT_STEPS)
    audit_decisions(cfg, surface, [
        *((d.finding, d.action, "policy") for d in rep.decisions),
        *((f, "allow", reason) for f, reason in suppressed),
    ])
    if failing and not args.exit_zero:
        return EXIT_BLOCKING
    return 0
