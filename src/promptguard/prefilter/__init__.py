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
from typing import Protocol

Hit = tuple[int, int, int]

# Below this size Hyperscan's import (10-20 ms) costs more than it saves, so
# short prompts (the hook path) use the automaton.
HYPERSCAN_MIN_CHARS = 256 * 1024


class Prefilter(Protocol):
    name: str
    # Rules (by index) whose candidate lines this backend finds itself; the
    # engine runs them on those lines instead of on the whole text.
    accelerated: frozenset[int]

    def find(self, text: str) -> list[Hit]:
        """Every keyword occurrence, as (keyword index, start, end), and for
        accelerated rules (rule index + number of keywords, end, end) at the
        end of every place the rule may match."""
        ...


def accelerable(pattern: str, multiline: bool) -> bool:
    """Whether Hyperscan may find an always-run rule's candidate lines.

    Hyperscan scans an ASCII view of the text (non-ASCII as "?"), so only
    patterns that are ASCII and use ASCII semantics (`(?a)`: \\d is [0-9])
    give it a superset of the regex's matches; single-line, so a match lies
    on the line of its last character.
    """
    return not multiline and pattern.isascii() and pattern.startswith("(?a")


def hyperscan_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("hyperscan") is not None


def build(
    keywords: Sequence[str],
    *,
    backend: str,
    cache_dir: Path | None,
    triggers: Sequence[tuple[int, str]] = (),
) -> Prefilter:
    """Build the prefilter named by `backend` ("hyperscan" or "aho").

    `triggers` are (rule index, pattern) of accelerable always-run rules;
    only Hyperscan can use them.
    """
    if backend == "hyperscan":
        from promptguard.prefilter import hyperscan_backend

        return hyperscan_backend.HyperscanPrefilter(
            keywords, triggers=triggers, cache_dir=cache_dir,
        )
    elif backend == "aho":
        from promptguard.prefilter import aho_backend

        return aho_backend.AhoPrefilter(keywords)
    else:
        raise ValueError(f"unknown prefilter backend: {backend!r}")
