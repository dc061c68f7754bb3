"""The scanning engine: text in, findings out. No I/O.

Pipeline per text:
1. one multi-literal pass (Hyperscan or Aho-Corasick) finds every keyword
   occurrence;
2. only rules with a keyword hit run their full regex, and only on windows
   around the hits (snapped to line boundaries and merged), with a timeout;
3. each match's secret is checked: length, entropy, placeholder filter,
   allowlists, inline pragmas, validator (checksums);
4. overlapping findings of different rules collapse to the most specific.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Literal
from typing import Protocol

from promptguard import filters
from promptguard.models import CONFIDENCE_RANK
from promptguard.models import CONFIDENCES
from promptguard.models import SEVERITY_RANK
from promptguard.models import Confidence
from promptguard.models import Diagnostic
from promptguard.models import Finding
from promptguard.models import Rule
from promptguard.models import ScanResult
from promptguard.models import ScanSettings
from promptguard.models import mask
from promptguard.prefilter import HYPERSCAN_MIN_CHARS
from promptguard.prefilter import LONG_LINE
from promptguard.prefilter import Prefilter
from promptguard.ruleset import RuleSet

if TYPE_CHECKING:
    from types import ModuleType

    import regex

# A candidate before filtering into findings: (rule, start, end, confidence).
Raw = tuple[Rule, int, int, Confidence]


class Detector(Protocol):
    """A detector that is not a regex rule (e.g. the client-name dictionary).

    It reports raw matches against its own synthetic `Rule` records, which
    then go through the same overlap resolution and Finding construction.
    """

    @property
    def rules(self) -> Sequence[Rule]: ...

    def detect(self, text: str) -> Iterable[Raw]: ...

# Windows snap outwards to a line boundary when one is this close, so a
# window edge rarely cuts a token in two.
_SNAP = 1024
# How far past a window that cut a long line a match may run (see _match_rule).
_REACH = 65536
# Validators whose success means the value carries a valid checksum.
CHECKSUM_VALIDATORS = frozenset({
    "github_crc32", "grafana_sa_crc32", "atlassian_crc32", "bech32", "luhn", "card",
    "iban", "uk_nhs", "us_npi", "us_dea", "aba_routing",
})


def fingerprint(rule_id: str, secret: str) -> str:
    """Stable id of (rule, secret): baselines and audit records key on it."""
    try:
        # The builtin module: `hashlib` would also load OpenSSL (~3 ms per
        # hook process) for a hash it does not provide any faster.
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover (interpreters without _blake2)
        from hashlib import blake2b

    data = f"promptguard:1\0{rule_id}\0{secret}".encode("utf-8", "surrogatepass")
    return blake2b(data, digest_size=10).hexdigest()


def _windows(
    text: str,
    spans: list[tuple[int, int]],
    width: int,
    multiline: bool,
) -> list[tuple[int, int]]:
    """Merged regions [a, b) around keyword hits.

    Single-line rules get the hit's line (up to 1024 characters either
    side on very long lines). Multi-line rules get `width` either side,
    snapped outwards to a line boundary when one is near, so an edge rarely
    cuts a token. Hits are coalesced first: a common keyword can hit
    thousands of times, and only merged edges pay for a line search.
    """
    n = len(text)
    out: list[tuple[int, int]] = []
    # Coalesce: hits whose [s - width, e + width) overlap form one group,
    # kept as (its first hit's start, its last end). Plain locals, not a
    # list per hit: this loop sees every keyword hit (~100,000 in 31 MB).
    groups: list[tuple[int, int]] = []
    hits = iter(sorted(spans))
    head = next(hits, None)
    if head is None:
        return out
    first, last = head
    reach = last + width
    for s, e in hits:
        if s - width <= reach:
            if e > last:
                last, reach = e, e + width
        else:
            groups.append((first, last))
            first, last, reach = s, e, e + width
    groups.append((first, last))
    rfind, find = text.rfind, text.find
    for first, last in groups:
        if multiline:
            a, b = first - width, last + width
            if a > 0:
                nl = rfind("\n", a - _SNAP if a > _SNAP else 0, a)
                a = nl + 1 if nl >= 0 else (0 if a <= _SNAP else a)
            else:
                a = 0
            if b < n:
                nl = find("\n", b, b + _SNAP)
                b = nl if nl >= 0 else (n if b + _SNAP >= n else b)
            else:
                b = n
        else:
            # Clip to the hit's line, reaching its ends when they are near
            # (a long token may run past `width`).
            lo = first - _SNAP if first > _SNAP else 0
            a = rfind("\n", lo, first) + 1 or lo
            nl = find("\n", last, last + _SNAP)
            b = nl if nl >= 0 else (last + _SNAP if last + _SNAP < n else n)
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _gate(
    text: str, windows: list[tuple[int, int]], ends: list[int], ascii_text: bool,
) -> list[tuple[int, int]]:
    """The windows a gated rule may match in: those holding an end Hyperscan
    reported for it, and those where Hyperscan's view could differ.

    A match inside window [a, b) is a match of the regex in the whole text,
    so Hyperscan reports its end in (a, b], when the window ends at a line
    end or the text's end (the regex reads $ and \\b at its endpos as if the
    text ended there; before a newline Hyperscan's multi-line $ and \\b
    agree) and the window, with the character before it, is ASCII (what
    Hyperscan sees is then exactly the text). Any other window is kept.
    """
    from bisect import bisect_right

    n = len(text)
    ends.sort()
    m = len(ends)
    out: list[tuple[int, int]] = []
    for a, b in windows:
        j = bisect_right(ends, a)
        if (
            (j < m and ends[j] <= b)
            or (b < n and text[b] != "\n")
            or (not ascii_text and not text[max(0, a - 1):b].isascii())
        ):
            out.append((a, b))
    return out


def _lines_at(text: str, ends: list[int]) -> list[tuple[int, int]]:
    """The whole lines holding the character before each match end."""
    out: list[tuple[int, int]] = []
    for e in sorted(set(ends)):
        if out and e <= out[-1][1]:
            continue
        a = text.rfind("\n", 0, max(0, e - 1)) + 1
        b = text.find("\n", e)
        out.append((a, len(text) if b < 0 else b))
    return out


def _demote(confidence: Confidence) -> Confidence:
    return CONFIDENCES[max(0, CONFIDENCE_RANK[confidence] - 1)]


class Scanner:
    """A compiled rule set, ready to scan many texts.

    Long-lived by design (the clipboard daemon and gateway keep one); a hook
    process builds one per run, which is cheap because regexes compile lazily
    and the prefilter database comes from the on-disk cache.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        settings: ScanSettings = ScanSettings(),
        detectors: Sequence[Detector] = (),
    ) -> None:
        self.ruleset = ruleset
        self.settings = settings
        self.detectors = tuple(detectors)
        self._prefilters: dict[str, Prefilter] = {}
        self._compiled: dict[int, regex.Pattern[str]] = {}
        self._allow_compiled: dict[str, regex.Pattern[str]] = {}
        # regex's C engine for cached programs (programs.engine), looked up
        # on the first rebuild; None after that means there is none to use.
        self._engine: tuple[ModuleType, str] | None = None
        self._engine_looked_up = False

    # -- prefilter ---------------------------------------------------------
    def backend_for(self, size: int) -> str:
        """The prefilter backend for a scan of `size` characters in all.

        A scan of many files decides once from their total size: deciding
        per file sent every file under 256 KB down the automaton path.
        Once the Hyperscan database is loaded it serves every later text.
        """
        backend = self.settings.backend
        if backend == "auto":
            if "hyperscan" in self._prefilters:
                return "hyperscan"
            from promptguard.prefilter import hyperscan_available

            if size >= HYPERSCAN_MIN_CHARS and hyperscan_available():
                return "hyperscan"
            return "aho"
        return backend

    def prefilter(self, backend: str) -> Prefilter:
        pf = self._prefilters.get(backend)
        if pf is None:
            from promptguard.prefilter import build
            from promptguard.prefilter import trigger

            rules = self.ruleset.rules
            triggers = [
                (i, pattern) for i in self.ruleset.always_run
                if (pattern := trigger(rules[i])) is not None
            ]
            gates: Sequence[tuple[int, str]] = ()
            if backend == "hyperscan":
                cached = self.ruleset.gates
                if cached is None:
                    from promptguard.ruleset import gates_of

                    cached = gates_of(rules)
                gates = cached
            pf = build(
                self.ruleset.keywords, backend=backend, cache_dir=self.settings.cache_dir,
                triggers=triggers, gates=gates,
            )
            self._prefilters[backend] = pf
        return pf

    def _rebuild(self, program: object, source: str) -> regex.Pattern[str] | None:
        from promptguard import programs

        if not self._engine_looked_up:
            self._engine = programs.engine()
            self._engine_looked_up = True
        compiled: regex.Pattern[str] | None = programs.rebuild(program, source, self._engine)
        return compiled

    def _pattern(self, index: int) -> regex.Pattern[str]:
        compiled = self._compiled.get(index)
        if compiled is None:
            source = self.ruleset.rules[index].regex
            if self.ruleset.programs:
                compiled = self._rebuild(self.ruleset.programs[index], source)
            if compiled is None:
                import regex

                compiled = regex.compile(source)
            self._compiled[index] = compiled
        return compiled

    # -- scanning ----------------------------------------------------------
    def scan(self, text: str) -> list[Finding]:
        return self.run(text).findings

    def run(self, text: str, *, backend: str | None = None) -> ScanResult:
        if not text:
            return ScanResult([], [])
        pf = self.prefilter(backend or self.backend_for(len(text)))
        # Hits grouped by keyword first (one append per hit), then handed to
        # the rules that keyword belongs to: a common keyword shared by many
        # rules no longer costs one append per hit per rule.
        hits, ends = pf.find_grouped(text)
        keyword_rules = self.ruleset.keyword_rules
        # The keywords that hit, per rule (in one order for every rule).
        rule_keywords: dict[int, list[int]] = {}
        for kw_index in hits:
            for rule_index in keyword_rules[kw_index]:
                rule_keywords.setdefault(rule_index, []).append(kw_index)

        raw: list[Raw] = []
        # Spans a pragma allowed for a specific rule: broad rules matching
        # the same value must stay quiet too, or the pragma moves the report
        # from the vendor rule to a generic one instead of silencing it.
        silenced: list[tuple[int, int]] = []
        diagnostics: list[Diagnostic] = []
        rules = self.ruleset.rules
        work: list[tuple[int, list[tuple[int, int]]]] = []
        # Rules with the same keywords hit and the same window shape get the
        # same windows: computed once per text.
        windows_of: dict[tuple[tuple[int, ...], int, bool], list[tuple[int, int]]] = {}
        gated = pf.gated
        ascii_text: bool | None = None
        # Where Hyperscan saw what it sees exactly (ASCII) and every window
        # ends at a line end (no long line), a gated rule it reported no end
        # for cannot match: not even its windows are needed.
        skip_unreported = False
        if gated:
            ascii_text = text.isascii()
            skip_unreported = ascii_text and LONG_LINE not in ends
        for i, kws in rule_keywords.items():
            rule = rules[i]
            if rule.always_run:
                continue
            if skip_unreported and i in gated and i not in ends:
                continue
            key = (tuple(kws), rule.window, rule.multiline)
            windows = windows_of.get(key)
            if windows is None:
                spans = hits[kws[0]] if len(kws) == 1 else [h for kw in kws for h in hits[kw]]
                windows = _windows(text, spans, rule.window, rule.multiline)
                windows_of[key] = windows
            if i in gated:
                windows = _gate(text, windows, ends.get(i, []), bool(ascii_text))
                if not windows:
                    continue
            work.append((i, windows))
        for i in self.ruleset.always_run:
            if i in pf.accelerated:
                # Hyperscan found where this rule may match: only those lines.
                if i in ends:
                    work.append((i, _lines_at(text, ends[i])))
            else:
                work.append((i, [(0, len(text))]))
        for rule_index, windows in sorted(work):
            try:
                raw.extend(self._match_rule(text, rule_index, windows, silenced))
            except TimeoutError:
                diagnostics.append(Diagnostic(
                    rules[rule_index].id,
                    f"regex timed out after {self.settings.regex_timeout}s; "
                    "this rule's results are incomplete",
                ))
        for detector in self.detectors:
            try:
                raw.extend(detector.detect(text))
            except TimeoutError as e:
                # A detector's own user regex (a client ID pattern) ran out
                # of time: same contract as a rule, a diagnostic, no crash.
                diagnostics.append(Diagnostic(
                    getattr(e, "rule_id", type(detector).__name__),
                    f"timed out after {self.settings.regex_timeout}s; "
                    "this detector's results are incomplete",
                ))
        return ScanResult(_finalize(text, raw, silenced), diagnostics)

    def rule_index(self) -> Mapping[str, Rule]:
        """Every rule this scanner can report, by id (for reports and SARIF).

        A rule is decoded from the cache only when looked up: a hook
        reporting one finding no longer decodes all 1,300 rules (~10 ms).
        """
        return _RuleIndex(self.ruleset, self.detectors)

    def run_stream(
        self,
        chunks: Iterable[str],
        *,
        overlap: int = 65536,
        backend: str | None = None,
    ) -> ScanResult:
        """Scan a long text given in pieces, with memory bounded by chunk size.

        Each buffer reports the findings that start in its middle part: at
        least `overlap` characters (far longer than any match) follow them
        in the buffer and, except at the very start of the text, `overlap`
        characters of context precede them, so a match is never cut at
        either end and a context rule still sees its keyword. Offsets,
        lines and columns are absolute.
        """
        from promptguard.stream import StreamMerge
        from promptguard.stream import stream_buffers

        merged = StreamMerge()
        for piece in stream_buffers(chunks, overlap):
            merged.add(piece, self.run(piece.text, backend=backend))
        return merged.result()

    def _match_rule(
        self,
        text: str,
        rule_index: int,
        windows: list[tuple[int, int]],
        silenced: list[tuple[int, int]],
    ) -> Iterator[Raw]:
        rule = self.ruleset.rules[rule_index]
        pattern = self._pattern(rule_index)
        timeout = self.settings.regex_timeout
        group = rule.secret_group
        seen: set[tuple[int, int]] = set()
        n = len(text)
        for pos, endpos in windows:
            # A window that cuts a long line ends where the text does not: a
            # match reaching that end may be a token cut short (the regex
            # reads endpos as the end of the text).
            cut = endpos < n and text[endpos] != "\n"
            for found in pattern.finditer(text, pos, endpos, timeout=timeout):
                m: regex.Match[str] | None = found
                if cut and found.end() == endpos:
                    # Match again from the same start, to the line's end (at
                    # most 64 KiB on: no secret is longer, and a megabyte of
                    # base64 on one line must not be read once per window).
                    # What does not match from there, or runs on past that,
                    # is not reported.
                    stop = text.find("\n", endpos, endpos + _REACH)
                    stop = stop if stop >= 0 else min(n, endpos + _REACH)
                    m = pattern.match(text, found.start(), stop, timeout=timeout)
                    if m is not None and m.end() == stop and stop < n and text[stop] != "\n":
                        m = None  # still running on: a value this long is no secret
                if m is None:
                    break
                s, e = m.span(group)
                if s < 0 or s == e or (s, e) in seen:
                    continue
                seen.add((s, e))
                confidence = self._judge(text, rule, m, s, e, silenced)
                if confidence is not None:
                    yield rule, s, e, confidence

    def _judge(
        self,
        text: str,
        rule: Rule,
        m: regex.Match[str],
        s: int,
        e: int,
        silenced: list[tuple[int, int]],
    ) -> Confidence | None:
        """The finding's confidence, or None when the match is not a finding."""
        secret = text[s:e]
        n = len(secret)
        if n < rule.min_length or (rule.max_length and n > rule.max_length):
            return None
        if rule.entropy is not None and filters.shannon_entropy(secret) < rule.entropy:
            return None
        valid: bool | None = None
        if rule.validate is not None and rule.on_invalid != "demote":
            # Validators are cheap and reject most generic candidates; the
            # allowlist and placeholder checks below cost 5-10x more. A
            # rejected value is no finding whatever those say: only a
            # pragma on its line (which also silences broad rules, below)
            # needs the full path.
            from promptguard.validators import VALIDATORS
            from promptguard.validators import WEAK

            valid = VALIDATORS[rule.validate](secret)
            if not valid and (
                rule.on_invalid == "drop"
                or not WEAK[str(rule.param("weak_form", rule.validate))](secret)
            ) and not (self.settings.pragmas and filters.pragma_allows(text, s, rule.id)):
                return None
        if rule.category in ("secret", "credential") and filters.is_placeholder(secret):
            return None
        # A documentation-like value ("demote" allowlist, weak validator
        # form) is still reported, at generic confidence: it warns, never blocks.
        weak = False
        if rule.allowlists:
            allowed = self._allowlisted(text, rule, m, secret)
            if allowed == "drop":
                return None
            weak = allowed == "demote"
        if self.settings.pragmas and filters.pragma_allows(text, s, rule.id):
            if not _broad(rule, rule.confidence):
                silenced.append((s, e))
            return None
        confidence = rule.confidence
        if rule.validate is not None:
            from promptguard.validators import VALIDATORS

            if valid is None:
                valid = VALIDATORS[rule.validate](secret)
            if valid:
                if rule.validate in CHECKSUM_VALIDATORS:
                    confidence = "checksum"
            elif rule.on_invalid == "drop":
                return None
            elif rule.on_invalid == "weak":
                from promptguard.validators import WEAK

                form = rule.param("weak_form", rule.validate)
                if not WEAK[str(form)](secret):
                    return None
                weak = True
            else:
                confidence = _demote(confidence)
        if (weak or confidence == "generic") and rule.params:
            if rule.param("strong_name", False):
                # Values too short to judge alone count only under a name
                # that says what they are (ZENROWS_TOKEN, "luno token").
                from promptguard.rarity import named_strongly

                if not named_strongly(text, m.start()):
                    return None
            # The confident generic tier: a strong name (PAYMENT_API_KEY,
            # client_secret) and a rare value make a heuristic match block.
            threshold = rule.param("promote_rarity", 0.0)
            if isinstance(threshold, (int, float)) and threshold > 0:
                from promptguard.rarity import not_a_secret_name
                from promptguard.rarity import promotes

                if not_a_secret_name(text, m.start(), secret):
                    return None
                if not weak and promotes(text, m.start(), secret, float(threshold)):
                    confidence = "context"
        return "generic" if weak else confidence

    def _allowlisted(
        self, text: str, rule: Rule, m: regex.Match[str], secret: str,
    ) -> Literal["drop", "demote"] | None:
        """The strongest allowlist verdict on this match: a `drop` beats a `demote`."""
        verdict: Literal["drop", "demote"] | None = None
        for al in rule.allowlists:
            if verdict == "demote" and al.on_match == "demote":
                continue
            if al.target == "secret":
                target = secret
            elif al.target == "match":
                target = m.group(0)
            else:
                start, end = m.span()
                target = text[text.rfind("\n", 0, start) + 1: _line_end(text, end)]
            # Lazily, so "or" stops at the first check that holds and "and"
            # at the first that fails (each a regex search per candidate).
            lowered = target.lower() if al.stopwords else ""
            checks = itertools.chain(
                (self._allow_regex(p).search(target) is not None for p in al.regexes),
                (sw in lowered for sw in al.stopwords),
            )
            if (any(checks) if al.condition == "or" else all(checks)):
                if al.on_match == "drop":
                    return "drop"
                verdict = "demote"
        return verdict

    def _allow_regex(self, pattern: str) -> regex.Pattern[str]:
        compiled = self._allow_compiled.get(pattern)
        if compiled is None:
            program = self.ruleset.allow_programs.get(pattern)
            if program is not None:
                compiled = self._rebuild(program, pattern)
            if compiled is None:
                import regex

                compiled = regex.compile(pattern)
            self._allow_compiled[pattern] = compiled
        return compiled


class _RuleIndex(Mapping[str, Rule]):
    def __init__(self, ruleset: RuleSet, detectors: Sequence[Detector]) -> None:
        rules = ruleset.rules
        ids = ruleset.ids or [r.id for r in rules]
        self._rules = rules
        # A later rule with the same id wins, as in a dict built in order.
        self._at = {rule_id: i for i, rule_id in enumerate(ids)}
        self._extra = {r.id: r for d in detectors for r in d.rules}

    def __getitem__(self, rule_id: str) -> Rule:
        extra = self._extra.get(rule_id)
        if extra is not None:
            return extra
        return self._rules[self._at[rule_id]]

    def __iter__(self) -> Iterator[str]:
        yield from self._at
        yield from (k for k in self._extra if k not in self._at)

    def __len__(self) -> int:
        return len(self._at.keys() | self._extra.keys())


def _broad(rule: Rule, confidence: Confidence) -> bool:
    return rule.confidence == "generic" or confidence == "generic" or "broad" in rule.tags


def _finalize(
    text: str, raw: list[Raw], silenced: Sequence[tuple[int, int]] = (),
) -> list[Finding]:
    def rank(item: Raw) -> tuple[bool, bool, int, int, int]:
        rule, s, e, confidence = item
        # A passed checksum beats everything; then a vendor's own rule beats
        # a broad one (a JWT or auth-header rule matching the same value),
        # so the report names the vendor.
        return (
            confidence == "checksum", not _broad(rule, confidence), CONFIDENCE_RANK[confidence],
            SEVERITY_RANK[rule.severity], e - s,
        )

    if silenced:
        raw = [
            item for item in raw
            if not _broad(item[0], item[3])
            or all(item[2] <= ss or item[1] >= se for ss, se in silenced)
        ]

    # Where findings of different rules overlap, keep the most specific
    # one: one secret, one finding, one placeholder when redacted.
    # Kept spans are disjoint, so sorted by start they are sorted by end too:
    # a span overlaps one iff the last kept span starting before its end
    # ends after its start (a text with many candidates was quadratic).
    from bisect import bisect_left

    kept: list[Raw] = []
    starts: list[int] = []
    ends: list[int] = []
    for item in sorted(raw, key=rank, reverse=True):
        _, s, e, _ = item
        at = bisect_left(starts, e)
        if at and ends[at - 1] > s:
            continue
        kept.append(item)
        starts.insert(at, s)
        ends.insert(at, e)
    kept.sort(key=lambda item: (item[1], item[2], item[0].id))
    return list(_to_findings(text, kept))


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _to_findings(text: str, kept: Iterable[Raw]) -> Iterator[Finding]:
    line = 1
    line_start = 0
    counted_to = 0
    for rule, s, e, confidence in kept:
        # Findings arrive sorted by start: count newlines incrementally.
        nl = text.count("\n", counted_to, s)
        if nl:
            line += nl
            line_start = text.rfind("\n", counted_to, s) + 1
        counted_to = s
        secret = text[s:e]
        yield Finding(
            rule_id=rule.id,
            rule_name=rule.name,
            category=rule.category,
            severity=rule.severity,
            confidence=confidence,
            start=s,
            end=e,
            line=line,
            column=s - line_start + 1,
            fingerprint=fingerprint(rule.id, secret),
            preview=mask(secret),
        )
