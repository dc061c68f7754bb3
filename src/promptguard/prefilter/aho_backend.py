"""pyahocorasick backend: portable, and the fastest to start for short text."""
from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from promptguard.prefilter import Hit


def ascii_lower(text: str) -> str:
    """The exact view Hyperscan scans: non-ASCII as "?", ASCII lower-cased.

    Offsets are unchanged, and only A-Z fold (the Kelvin sign never
    becomes "k"), so both backends see the same characters.
    """
    if not text.isascii():
        text = text.encode("ascii", "replace").decode("ascii")
    return text.lower()


class AhoPrefilter:
    name = "aho"
    accelerated: frozenset[int] = frozenset()

    def __init__(self, keywords: Sequence[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for i, keyword in enumerate(keywords):
            # Keywords are unique lower-case ASCII (the loader guarantees it).
            self._automaton.add_word(keyword, (i, len(keyword)))
        self._empty = not keywords
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        if self._empty or not text:
            return []
        lowered = ascii_lower(text)
        return [
            (index, end + 1 - length, end + 1)
            for end, (index, length) in self._automaton.iter(lowered)
        ]
