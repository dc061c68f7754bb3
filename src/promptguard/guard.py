"""The guard: scan text for one surface, screen, decide, redact and audit.

Every surface (the commands, the agent hooks, the clipboard watcher, the
gateway, the editor server) goes through one `Guard`, loaded once per
process: it holds the config (project, user, org policy), the scanner
(rules plus the organisation's client lists), the allowlists and
baselines. `check` and `redact` return one `Verdict`; the guard prints
nothing, so each surface only renders the verdict in its host's format.

The order is fixed here and nowhere else:

1. the engine scans (rule allowlists and inline pragmas apply inside it);
2. config allowlists and baselines accept findings (`Screen`);
3. the policy decides every other finding for the surface;
4. a detector that did not finish (a regex time-out) is a failure, and the
   surface's `on_error` says whether that blocks;
5. decisions go to the audit log (rule ids and fingerprints, never content).
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import BinaryIO

from promptguard.engine import Diagnostic
from promptguard.engine import Scanner
from promptguard.engine import ScanResult
from promptguard.guardtypes import Decision
from promptguard.guardtypes import GuardOptions
from promptguard.guardtypes import Verdict
from promptguard.guardtypes import strongest
from promptguard.models import Action
from promptguard.models import Finding
from promptguard.screen import Screen
from promptguard.screen import Suppressed
from promptguard.sources import CHUNK_BYTES
from promptguard.sources import Note

if TYPE_CHECKING:
    from promptguard.baseline import Baseline
    from promptguard.clients import ClientDirectory
    from promptguard.config import Config
    from promptguard.parallel import Excerpts
    from promptguard.parallel import FileScan
    from promptguard.redaction import RedactionSettings
    from promptguard.redaction import Replacement
    from promptguard.redaction import Restorer
    from promptguard.vault import Vault

BLANKET_NOTE = "blanket pragma is not honoured"
STDIN = Path("-")


def build_scanner(
    options: GuardOptions,
    cfg: Config | None = None,
    *,
    directory: ClientDirectory | None = None,
) -> Scanner:
    """The rules (cached) plus a client detector when there is a list: the
    config's and `options.clients`, or `directory` when given.

    The one place a scanner is assembled (the library shortcuts use it too).
    """
    from promptguard.dirs import cache_dir as default_cache_dir
    from promptguard.engine import ScanSettings
    from promptguard.ruleset import load_ruleset

    cache_dir = default_cache_dir()
    ruleset = load_ruleset(list(options.rules), builtin=options.builtin_rules,
                           cache_dir=cache_dir)
    settings = ScanSettings(regex_timeout=options.regex_timeout,
                            backend=options.backend,  # type: ignore[arg-type]
                            cache_dir=cache_dir)
    scanner = Scanner(ruleset, settings)
    if directory is None:
        directory = _client_directory(cfg, options.clients)
    if directory is None or directory.empty:
        return scanner
    from promptguard.clients import ClientDetector

    detector = ClientDetector(directory, regex_timeout=settings.regex_timeout,
                              cache_dir=cache_dir)
    return Scanner(ruleset, settings, (*scanner.detectors, detector))


def _client_directory(cfg: Config | None, extra: Sequence[Path]) -> ClientDirectory | None:
    """The config's client lists (org, user, project) plus extra list files."""
    if (cfg is None or not cfg.clients) and not extra:
        return None  # the common case: skip importing the dictionary code
    from promptguard.clients import ClientDirectory
    from promptguard.errors import InputError

    merged = ClientDirectory()
    for _, directory in cfg.clients if cfg is not None else ():
        if isinstance(directory, ClientDirectory):
            merged = merged.merged(directory)
    for path in extra:
        if not path.is_file():
            raise InputError(f"--clients {path}: no such file")
        # A list file: the detector caches it compiled, keyed by its mtime.
        merged = merged.merged(ClientDirectory(files=(path.resolve(),)))
    return None if merged.empty else merged


class Guard:
    """Config, scanner and screen for one surface; long-lived by design."""

    def __init__(
        self,
        surface: str,
        config: Config,
        scanner: Scanner,
        screen: Screen,
        options: GuardOptions = GuardOptions(),
    ) -> None:
        self.surface = surface
        self.config = config
        self.scanner = scanner
        self.screen = screen
        self.options = options
        self._redaction: RedactionSettings | None = None
        # decide() by (surface, category, rule, severity, confidence) for
        # `_decisions_policy`: the policy's answer depends on nothing else,
        # and a scan with thousands of findings asks the same few questions.
        self._decisions: dict[tuple[str, ...], Action] = {}
        self._decisions_policy: object = None

    def __repr__(self) -> str:
        return f"Guard(surface={self.surface!r}, root={str(self.config.root)!r})"

    @classmethod
    def load(
        cls,
        surface: str,
        *,
        start: Path | None = None,
        options: GuardOptions = GuardOptions(),
        extra_baselines: Sequence[Baseline] = (),
    ) -> Guard:
        """Discover the config from `start` (default: the working directory)."""
        from promptguard import config as config_mod
        from promptguard.errors import ConfigError
        from promptguard.policy import SURFACES

        if surface not in SURFACES:
            raise ConfigError(f"unknown surface {surface!r} "
                              f"(expected one of: {', '.join(SURFACES)})")
        cli = config_mod.CliOverrides(
            profile=options.profile, config=options.config, baselines=options.baselines,
            no_audit=not options.audit,
        )
        cfg = config_mod.load(start, cli)
        screen = Screen.from_config(cfg, use_baselines=options.use_baselines,
                                    extra=extra_baselines)
        return cls(surface, cfg, build_scanner(options, cfg), screen, options)

    # -- decisions ------------------------------------------------------------
    def decide(self, finding: Finding) -> Action:
        policy = self.config.policy
        if policy is not self._decisions_policy:  # a new config: start over
            self._decisions.clear()
            self._decisions_policy = policy
        key = (self.surface, finding.category, finding.rule_id,
               finding.severity, finding.confidence)
        action = self._decisions.get(key)
        if action is None:
            if len(self._decisions) > 4096:  # a long-lived guard stays small
                self._decisions.clear()
            action = policy.decide(finding, self.surface)
            self._decisions[key] = action
        return action

    @property
    def on_error(self) -> str:
        """"block" or "allow": what a failed scan means on this surface."""
        return self.config.policy.on_error(self.surface)

    @property
    def redaction_settings(self) -> RedactionSettings:
        if self._redaction is None:
            from promptguard.redaction import settings_from_tables

            self._redaction = settings_from_tables(self.config.redaction)
        return self._redaction

    def _verdict(
        self,
        source: str,
        kept: Sequence[Finding],
        suppressed: Sequence[Suppressed],
        diagnostics: Sequence[Diagnostic],
        notes: list[Note],
        *,
        audit: bool,
        text: str | None = None,
        replacements: tuple[Replacement, ...] = (),
    ) -> Verdict:
        decisions = [Decision(f, self.decide(f)) for f in kept]
        decisions.extend(Decision(f, "allow", reason) for f, reason in suppressed)
        decisions.sort(key=lambda d: (d.finding.start, d.finding.end, d.finding.rule_id))
        failed = bool(diagnostics)
        action = strongest(d.action for d in decisions)
        if failed and self.on_error == "block":
            action = "block"
            notes = [*notes, Note(source, "scan incomplete (a rule did not finish): blocked, "
                                          f"as policy on_error = block on {self.surface}")]
        verdict = Verdict(source, action, tuple(decisions), tuple(diagnostics), tuple(notes),
                          failed, text, replacements)
        if audit:
            note = self.audit([verdict])
            if note is not None:
                verdict = verdict._replace(notes=(*verdict.notes, note))
        return verdict

    # -- checking -------------------------------------------------------------
    def check(self, text: str, *, source: str = "<text>", audit: bool = True) -> Verdict:
        """Scan one text held in memory."""
        notes = lint_notes(text, source)
        return self._screened(self.scanner.run(text), source, notes, audit=audit, text=text)

    def check_stream(
        self,
        chunks: Iterable[str],
        *,
        source: str = "<stream>",
        path: Path | None = None,
        audit: bool = True,
        notes: Sequence[Note] = (),
    ) -> Verdict:
        """Scan text arriving in chunks (memory stays flat).

        Secret-based allowlists and detect-secrets baselines need the
        values: with `path` they are re-read from the file, without it
        those entries are not applied (and a note says so).
        """
        from promptguard.stream import linted

        collected = list(notes)
        result = self.scanner.run_stream(linted(chunks, source, collected, lint_notes))
        return self._screened(result, source, collected, audit=audit, path=path)

    def _screened(
        self,
        result: ScanResult,
        source: str,
        notes: list[Note],
        *,
        audit: bool,
        text: str | None = None,
        excerpts: Excerpts | None = None,
        path: Path | None = None,
    ) -> Verdict:
        """Screen a scan's findings (allowlists, baselines), then decide.

        With `text` (or the `excerpts` a file scan kept of it) the values are
        at hand; without (a streamed scan) secret-based entries need them
        re-read from `path`, and without a path they are not applied (and a
        note says so).
        """
        if not result.findings and not result.diagnostics:
            # What _verdict builds from nothing, without its work: most files
            # of a tree have no findings (~3 us each of the parent's time).
            return Verdict(source, "allow", notes=tuple(notes))
        found = [f._replace(source=source) for f in result.findings]
        if text is not None:
            kept, suppressed = self.screen.apply_text(found, source, text)
        elif excerpts is not None:
            kept, suppressed = self.screen.apply(found, source,
                                                 lambda f: excerpts[(f.start, f.end)][0],
                                                 lambda f: excerpts[(f.start, f.end)][1])
        else:
            secrets: dict[tuple[int, int], str] = {}
            if found and self.screen.needs_secrets(source):
                if path is None:
                    notes.append(Note(source, "streamed: secret-based allowlists and "
                                              "detect-secrets baseline entries were not applied"))
                else:
                    secrets = _spans_from_file(path, ((f.start, f.end) for f in found))
            kept, suppressed = self.screen.apply(found, source,
                                                 lambda f: secrets.get((f.start, f.end)),
                                                 lambda f: None)
        return self._verdict(source, kept, suppressed, result.diagnostics, notes, audit=audit)

    def check_file(
        self, path: Path, *, label: str | None = None, audit: bool = True,
        stdin: BinaryIO | None = None,
    ) -> Verdict:
        """Scan a file (or `stdin` when path is '-'); large ones are streamed.

        Raises InputError when the file cannot be read: a path that does
        not exist must never read as "clean".
        """
        from promptguard.errors import InputError
        from promptguard.sources import decode
        from promptguard.sources import iter_chunks

        if path != STDIN:
            # The one way files are read (also check_files' workers).
            from promptguard import parallel

            scan = parallel.scan_path(self.scanner, path, lint=lint_notes, label=label)
            return self._file_verdict(scan, audit=audit, label=label)
        import sys

        label = label or "<stdin>"
        notes: list[Note] = []
        f: BinaryIO = stdin if stdin is not None else sys.stdin.buffer
        with f:
            try:
                head = f.read(CHUNK_BYTES + 1)
            except OSError as e:
                raise InputError(f"{label}: cannot read ({e.strerror})") from None
            if len(head) <= CHUNK_BYTES:
                text = decode(head, label, notes)
                if text is None:
                    return Verdict(label, "allow", notes=tuple(notes), scanned=False)
                return _with_notes(self.check(text, source=label, audit=audit), notes)
            stream = _Prefixed(head, f)
            chunks = iter_chunks(stream, label, notes)  # type: ignore[arg-type]
            if chunks is None:
                return Verdict(label, "allow", notes=tuple(notes), scanned=False)
            return self.check_stream(chunks, source=label, audit=audit, notes=notes)

    def check_files(
        self, files: Iterable[Path], *, stdin_name: str = "<stdin>", audit: bool = True,
        workers: int | None = None, tune_malloc: bool = False,
    ) -> Iterator[Verdict]:
        """`check_file` for each of `files` (as `files()` lists them or `walk()`
        yields them: stdin first), in that order, on every core
        (`parallel.scan_files`).

        The same verdicts as calling `check_file` one by one. `tune_malloc`
        is for the CLI's own process (see `sources.fix_mmap_threshold`).
        """
        from promptguard import parallel

        named: Iterable[Path]
        if isinstance(files, Sequence):
            stdin = STDIN in files
            named = [p for p in files if p != STDIN]
        else:
            # A walk, read lazily (the workers start before it ends): stdin,
            # when asked for, is its first path.
            import itertools

            it = iter(files)
            first = next(it, None)
            stdin = first == STDIN
            named = it if stdin or first is None else itertools.chain([first], it)
        if stdin:
            yield self.check_file(STDIN, label=stdin_name, audit=audit)
        for scan in parallel.scan_files(self.scanner, named, workers=workers, lint=lint_notes,
                                        tune_malloc=tune_malloc):
            yield self._file_verdict(scan, audit=audit)

    def _file_verdict(self, scan: FileScan, *, audit: bool, label: str | None = None) -> Verdict:
        from promptguard.errors import InputError

        label = label or str(scan.path)
        if scan.error is not None:
            raise InputError(f"{label}: {scan.error}")
        if scan.result is None:
            return Verdict(label, "allow", notes=tuple(scan.notes), scanned=False)
        # A streamed file (no text kept) has its values re-read from its path.
        return self._screened(scan.result, label, list(scan.notes), audit=audit,
                              excerpts=scan.excerpts, path=scan.path)

    def files(self, paths: Sequence[Path], notes: list[Note]) -> list[Path]:
        """The files `check_paths` would scan: directories expanded (git-aware),
        baselines and allowlisted paths left out. Raises InputError for a
        named path that does not exist."""
        return list(self.walk(paths, notes))

    def walk(self, paths: Sequence[Path], notes: list[Note]) -> Iterator[Path]:
        """`files()` as it is found, stdin first: a scan starts on the first
        files while the rest of a tree is walked. A named path that does not
        exist raises InputError here, before anything is yielded."""
        from promptguard.errors import InputError

        missing = [p for p in paths if p != STDIN and not p.exists()]
        if missing:
            raise InputError(", ".join(f"{p}: no such file or directory" for p in missing))
        return self._walk(paths, notes)

    def _walk(self, paths: Sequence[Path], notes: list[Note]) -> Iterator[Path]:
        from promptguard.sources import iter_paths

        if any(p == STDIN for p in paths):
            yield STDIN
        for path in paths:
            if path == STDIN:
                continue
            if path.is_dir():
                # A walk yields regular files, never symlinks, so only a name
                # can make one a skipped file: no lstat per file.
                yield from (f for f in iter_paths([path], notes)
                            if not self.screen.skips(f, str(f), regular=True))
            elif not self.screen.skips(path, str(path)):
                yield path

    def check_paths(
        self, paths: Sequence[Path], *, stdin_name: str = "<stdin>", audit: bool = True,
        notes: list[Note] | None = None,
    ) -> Iterator[Verdict]:
        """One verdict per file scanned, in a deterministic order."""
        notes = [] if notes is None else notes
        yield from self.check_files(self.walk(paths or [STDIN], notes), stdin_name=stdin_name,
                                    audit=audit)

    # -- redaction ------------------------------------------------------------
    def open_vault(self, session: str | None = None) -> Vault:
        from promptguard.vault import Vault

        return Vault.open(session, ttl=self.redaction_settings.ttl)

    def redact(
        self,
        text: str,
        *,
        source: str = "<text>",
        session: str | None = None,
        vault: Vault | None = None,
        everything: bool = False,
        audit: bool = True,
    ) -> Verdict:
        """Replace what the policy redacts or blocks (or `everything`).

        Blocked findings are redacted too: a redacted copy is how blocked
        text gets sent. `verdict.text` is the result; when the verdict
        `failed`, a rule did not finish and the text may still hold more.
        """
        from promptguard.redaction import Redactor

        if vault is None:
            vault = self.open_vault(session)

        def should_redact(f: Finding) -> bool:
            return everything or self.decide(f) in ("redact", "block")

        suppressed: list[Suppressed] = []

        def screen(current: str, found: Sequence[Finding]) -> list[Finding]:
            kept, accepted = self.screen.apply_text(found, source, current)
            suppressed.extend(accepted)
            return kept

        result = Redactor(self.scanner, vault, self.redaction_settings,
                          should_redact=should_redact, screen=screen).redact(text)
        kept = [r.finding._replace(source=source) for r in result.replacements]
        kept.extend(f._replace(source=source) for f in result.kept)
        notes = lint_notes(text, source)
        verdict = self._verdict(source, kept, _unique(suppressed, source),
                                result.diagnostics, notes, audit=False, text=result.text,
                                replacements=result.replacements)
        if everything:
            # The user asked for it: record those as redactions, not as the
            # policy's (weaker) action.
            replaced = {(r.finding.start, r.finding.end, r.rule_id) for r in result.replacements}
            verdict = verdict._replace(decisions=tuple(
                d._replace(action="redact", reason="redact --all")
                if (d.finding.start, d.finding.end, d.finding.rule_id) in replaced else d
                for d in verdict.decisions
            ))
        if audit:
            note = self.audit([verdict])
            if note is not None:
                verdict = verdict._replace(notes=(*verdict.notes, note))
        return verdict

    def restorer(self, *, session: str | None = None, vault: Vault | None = None) -> Restorer:
        from promptguard.redaction import Restorer

        return Restorer(vault if vault is not None else self.open_vault(session))

    # -- audit ----------------------------------------------------------------
    def audit(self, verdicts: Iterable[Verdict]) -> Note | None:
        """Append the verdicts' decisions; a note (not an error) if the log
        cannot be written: a read-only home must not break a commit."""
        if not self.config.audit.enabled:
            return None
        from promptguard import audit

        groups: dict[tuple[str, str, str], tuple[list[str], list[str]]] = {}
        for v in verdicts:
            for d in v.decisions:
                f = d.finding
                ids, fps = groups.setdefault((f.source or v.source, d.action, d.reason), ([], []))
                ids.append(f.rule_id)
                fps.append(f.fingerprint)
        if not groups:
            return None
        records = [
            audit.Record(self.surface, action, tuple(ids), tuple(fps), source, reason)
            for (source, action, reason), (ids, fps) in sorted(groups.items())
        ]
        try:
            audit.write(self.config.audit, records)
        except OSError as e:
            return Note(str(self.config.audit.path), f"audit log not written: {e.strerror}")
        return None


def _with_notes(verdict: Verdict, notes: Sequence[Note]) -> Verdict:
    if not notes:
        return verdict
    return verdict._replace(notes=(*notes, *verdict.notes))


def _unique(suppressed: Sequence[Suppressed], source: str) -> list[Suppressed]:
    """Accepted findings once each (redaction rescans after each pass)."""
    seen: set[tuple[str, str]] = set()
    out: list[Suppressed] = []
    for f, reason in suppressed:
        if (f.fingerprint, reason) not in seen:
            seen.add((f.fingerprint, reason))
            out.append((f._replace(source=source), reason))
    return out


def lint_notes(text: str, label: str, first_line: int = 1) -> list[Note]:
    """Notes for pragmas that name no rule (never honoured)."""
    from promptguard.allowlist import blanket_pragmas

    return [
        Note(label, f"line {p.line + first_line - 1}: {BLANKET_NOTE}; "
                    "name the rule, e.g. `promptguard: allow[rule-id]`")
        for p in blanket_pragmas(text)
    ]


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


def _spans_from_file(path: Path, spans: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Re-read a streamed file for the text at the given character spans."""
    from promptguard.sources import iter_chunks

    wanted = sorted(set(spans))
    parts: dict[tuple[int, int], list[str]] = {s: [] for s in wanted}
    with path.open("rb") as f:
        base = 0
        for chunk in iter_chunks(f, str(path), []) or ():
            end = base + len(chunk)
            for s, e in wanted:
                if s < end and e > base:
                    parts[(s, e)].append(chunk[max(s - base, 0):e - base])
            base = end
    return {span: "".join(p) for span, p in parts.items()}
