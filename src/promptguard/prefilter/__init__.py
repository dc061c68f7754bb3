"""Keyword prefilter: find every occurrence of every rule keyword in one pass.

Two backends implement the same contract and must agree exactly (a property
test checks it): Hyperscan, where the wheel is installed, for large inputs,
and pyahocorasick everywhere else. Both match ASCII keywords
case-insensitively (only A-Z/a-z fold, so e.g. the Kelvin sign never folds to
"k") and report every occurrence, overlapping ones included, as
(keyword index, start, end) in character offsets of the scanned text.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Protocol

if TYPE_CHECKING:
    from promptguard.models import Rule

Grouped = tuple[dict[int, list[tuple[int, int]]], dict[int, list[int]]]

# Below this size Hyperscan's import (10-20 ms) costs more than it saves, so
# short prompts (the hook path) use the automaton.
HYPERSCAN_MIN_CHARS = 256 * 1024
# With gates, Hyperscan also reports (once) where a line first reaches this
# many characters, as an end of the pseudo rule LONG_LINE: without such a
# line every keyword window ends at a line end (engine._SNAP is longer).
LONG_LINE = 1 << 30  # no rule has this index
LONG_LINE_CHARS = 1000
# Keyword rules with a keyword this short (or in the generic tier) are gated
# by Hyperscan: their keywords hit everywhere in code, and running the regex
# on every window was half the scan.
GATE_KEYWORD_CHARS = 4


class Prefilter(Protocol):
    name: str
    # Rules (by index) whose candidate lines this backend finds itself; the
    # engine runs them on those lines instead of on the whole text.
    accelerated: frozenset[int]
    # Keyword rules (by index) this backend also gates: it reports where
    # each may match, and the engine skips the keyword windows holding no
    # such place (see `gateable`).
    gated: frozenset[int]

    def find_grouped(self, text: str) -> Grouped:
        """Every keyword occurrence, grouped as the engine uses it: keyword
        index -> [(start, end)]; and for accelerated and gated rules, rule
        index -> [end] at the end of every place the rule may match (hits in
        any order)."""
        ...


def accelerable(pattern: str, multiline: bool) -> bool:
    """Whether Hyperscan may find an always-run rule's candidate lines.

    Hyperscan scans an ASCII view of the text (non-ASCII as "?"), so only
    patterns that are ASCII and use ASCII semantics (`(?a)`: \\d is [0-9])
    give it a superset of the regex's matches; single-line, so a match lies
    on the line of its last character.
    """
    return not multiline and pattern.isascii() and pattern.startswith("(?a")


def trigger(rule: Rule) -> str | None:
    """The pattern Hyperscan finds an always-run rule's candidate lines
    with, or None (the regex then runs over the whole text).

    The rule's own `prefilter` when it has one: a pattern over ASCII
    characters only that matches inside every match (or reads one
    character either side of it, see `rulecheck`), which Hyperscan runs
    faster than the whole regex (IBAN, NINO and card numbers, whose regexes
    have no literal, cost a quarter of the database's scan time as themselves);
    else the regex in prefilter mode. Either way the regex must be
    `accelerable`: then each match lies on one line, and that line holds a
    reported end.
    """
    if not accelerable(rule.regex, rule.multiline):
        return None
    return rule.prefilter or rule.regex


# Python-only or position-dependent syntax a gate must not contain: \A, \Z
# and \G mean something else at a window's edge; `{,n}` is a literal to
# Hyperscan; \K and \m/\M are the `regex` module's own.
_UNGATEABLE = ("\\A", "\\Z", "\\z", "\\G", "\\K", "\\m", "\\M", "{,", "(?V1", "(?r", "(?|")
# Hyperscan's compile time grows with wide bounded repeats and with
# back-references in long patterns (one curl rule alone took 8 s, on the first
# large scan of a fresh cache): such rules keep their windows ungated.
_WIDE_REPEAT = r"\{\d*,(?:[4-9]\d|\d{3,})\}"
_BACKREF = r"\\[1-9]"


def gateable(rule: Rule) -> str | None:
    """The pattern Hyperscan may gate a keyword rule's windows with, or None.

    The rule's own `prefilter` (a pattern that matches inside every match
    of its regex), else the regex itself in prefilter mode, for the rules
    whose keywords hit often: short ones (`@`, `pat`, `key:`) and the
    generic tier, when the regex holds a keyword as a literal. Either way
    every real match holds a reported end, so a window without one cannot
    match (the engine keeps the windows where that argument does not hold:
    see `engine._gate`). A regex with inline flags after its start is left
    alone (`regex` and Hyperscan scope them differently).
    """
    if rule.always_run or not rule.keywords:
        return None
    if rule.prefilter is not None:
        return rule.prefilter
    pattern = rule.regex
    if not pattern.isascii() or any(u in pattern for u in _UNGATEABLE):
        return None
    if min(len(k) for k in rule.keywords) > GATE_KEYWORD_CHARS and rule.confidence != "generic":
        return None
    # Without one of its keywords in the regex (a context rule: `ably` near
    # a bare token shape), Hyperscan has no literal to start from and the
    # gate costs more than the windows it saves.
    lowered = pattern.lower()
    if not any(k.strip() in lowered for k in rule.keywords):
        return None
    import re

    if len(re.findall(_WIDE_REPEAT, pattern)) > 3 or (
        len(pattern) > 100 and re.search(_BACKREF, pattern)
    ):
        return None
    lead = re.match(r"(?:\(\?[a-zA-Z]+\))*", pattern)
    if re.search(r"\(\?[a-zA-Z]+\)", pattern[lead.end() if lead else 0:]):
        return None
    return pattern


def hyperscan_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("hyperscan") is not None


def build(
    keywords: Sequence[str],
    *,
    backend: str,
    cache_dir: Path | None,
    triggers: Sequence[tuple[int, str]] = (),
    gates: Sequence[tuple[int, str]] = (),
) -> Prefilter:
    """Build the prefilter named by `backend` ("hyperscan" or "aho").

    `triggers` are (rule index, pattern) of accelerable always-run rules,
    `gates` (rule index, pattern) of gateable keyword rules; only Hyperscan
    can use them.
    """
    if backend == "hyperscan":
        from promptguard.prefilter import hyperscan_backend

        return hyperscan_backend.HyperscanPrefilter(
            keywords, triggers=triggers, gates=gates, cache_dir=cache_dir,
        )
    elif backend == "aho":
        from promptguard.prefilter import aho_backend

        return aho_backend.AhoPrefilter(keywords)
    else:
        raise ValueError(f"unknown prefilter backend: {backend!r}")
