"""Frozen records shared by every part of promptguard.

A `Finding` never holds the secret it found: only its span in the scanned
text, a one-way fingerprint and a masked preview. Whoever needs the value
(redaction) slices it from the text they already hold, so no repr, log line
or JSON document built from a Finding can leak it.
"""
# No `from __future__ import annotations` here: typing.NamedTuple would
# compile every postponed field annotation at import (~17 ms per process).
from pathlib import Path
from typing import Literal
from typing import NamedTuple

Category = Literal["secret", "credential", "pii", "client"]
Severity = Literal["low", "medium", "high", "critical"]
# Why we believe a match is real, weakest first: a heuristic (generic
# assignment + rarity), keyword context only, a distinctive vendor prefix, or
# an offline checksum that passed.
Confidence = Literal["generic", "context", "prefix", "checksum"]
AllowTarget = Literal["secret", "match", "line"]
# What the policy does with a finding on a given surface.
Action = Literal["block", "warn", "redact", "allow"]
ACTIONS: tuple[Action, ...] = ("allow", "warn", "redact", "block")

CATEGORIES: tuple[Category, ...] = ("secret", "credential", "pii", "client")
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
CONFIDENCES: tuple[Confidence, ...] = ("generic", "context", "prefix", "checksum")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
CONFIDENCE_RANK = {c: i for i, c in enumerate(CONFIDENCES)}


class Allowlist(NamedTuple):
    """Suppresses a rule's match when any (or all) of its checks hit."""

    description: str = ""
    target: AllowTarget = "secret"
    condition: Literal["or", "and"] = "or"
    regexes: tuple[str, ...] = ()
    # Lower-case substrings of the target; cheap and safe for placeholders.
    stopwords: tuple[str, ...] = ()
    # "drop" the match, or "demote" it: keep it at `generic` confidence, for
    # documentation-like values (a URI password "secret") that are still
    # worth a warning but never a block.
    on_match: Literal["drop", "demote"] = "drop"


class Rule(NamedTuple):
    """One detector, loaded from a TOML rule pack (see rules/README.md)."""

    id: str
    name: str
    description: str
    category: Category
    severity: Severity
    confidence: Confidence
    regex: str
    secret_group: int | str = 0
    keywords: tuple[str, ...] = ()
    always_run: bool = False
    # A match must lie within this many characters of a keyword occurrence;
    # the engine only runs the regex on those windows.
    window: int = 256
    # Matches may span lines (PEM blocks, JSON documents); otherwise the
    # regex only runs on the keyword's own line, which is most of the speed.
    multiline: bool = False
    entropy: float | None = None
    min_length: int = 0
    max_length: int = 0
    validate: str | None = None
    # What a failed validator does: drop the match, keep it one confidence
    # step lower, or ("weak") keep it at `generic` confidence when the value
    # is still a real one, if weak or doc-like (validators.WEAK).
    on_invalid: Literal["drop", "demote", "weak"] = "drop"
    allowlists: tuple[Allowlist, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # Extra named parameters for validators and filters, e.g. rarity.
    params: tuple[tuple[str, float | int | str | bool], ...] = ()
    source: str = ""
    # A Hyperscan pattern that matches inside every match of `regex`, for a
    # rule whose keyword hits everywhere (`@`): the regex then runs only on
    # the windows holding one (large inputs; see prefilter.gateable). For an
    # always-run rule it is the trigger that finds its lines (prefilter.trigger).
    prefilter: str | None = None

    def param(self, name: str, default: float | int | str | bool) -> float | int | str | bool:
        for key, value in self.params:
            if key == name:
                return value
        return default


def mask(secret: str) -> str:
    """A preview that identifies a value to its owner without revealing it.

    At most a quarter of the value (and never more than 4 characters) is
    shown, so short passwords and PII stay hidden.
    """
    n = len(secret)
    head = secret[: min(4, n // 4)]
    return f"{head}…({n} chars)"


class Finding(NamedTuple):
    rule_id: str
    rule_name: str
    category: Category
    severity: Severity
    confidence: Confidence
    # Span of the secret (the rule's secret_group) in the scanned text.
    start: int
    end: int
    line: int
    column: int
    # Hash of rule id + secret: stable across edits, never reversible by us.
    fingerprint: str
    preview: str
    source: str = ""

    def to_dict(self) -> dict[str, str | int]:
        return self._asdict()


class ScanSettings(NamedTuple):
    # Per regex call; a user's catastrophic pattern costs at most this.
    regex_timeout: float = 1.0
    backend: Literal["auto", "hyperscan", "aho"] = "auto"
    cache_dir: Path | None = None
    # Honour `promptguard: allow[rule-id]` comments in the scanned text.
    pragmas: bool = True


class Diagnostic(NamedTuple):
    rule_id: str
    message: str


class ScanResult(NamedTuple):
    findings: list[Finding]
    diagnostics: list[Diagnostic]
