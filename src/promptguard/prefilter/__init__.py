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

    def find(self, text: str) -> list[Hit]:
        """Every keyword occurrence in `text`."""
        ...


def hyperscan_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("hyperscan") is not None


def build(
    keywords: Sequence[str],
    *,
    backend: str,
    cache_dir: Path | None,
) -> Prefilter:
    """Build the prefilter named by `backend` ("hyperscan" or "aho")."""
    if backend == "hyperscan":
        from promptguard.prefilter import hyperscan_backend

        return hyperscan_backend.HyperscanPrefilter(keywords, cache_dir=cache_dir)
    elif backend == "aho":
        from promptguard.prefilter import aho_backend

        return aho_backend.AhoPrefilter(keywords)
    else:
        raise ValueError(f"unknown prefilter backend: {backend!r}")
