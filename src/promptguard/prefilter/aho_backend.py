"""pyahocorasick backend: portable, and the fastest to start for short text."""
from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from promptguard.prefilter import Grouped


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
    gated: frozenset[int] = frozenset()

    def __init__(self, keywords: Sequence[str]) -> None:
        # Values are the keyword indices as C ints: building ~1,800 words
        # this way takes half the time of storing Python tuples, and a hook
        # builds the automaton on every event.
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._lengths = [len(k) for k in keywords]
        for i, keyword in enumerate(keywords):
            # Keywords are unique lower-case ASCII (the loader guarantees it).
            self._automaton.add_word(keyword, i)
        self._empty = not keywords
        if not self._empty:
            self._automaton.make_automaton()

    def find_grouped(self, text: str) -> Grouped:
        hits: dict[int, list[tuple[int, int]]] = {}
        if self._empty or not text:
            return hits, {}
        lengths = self._lengths
        for end, index in self._automaton.iter(ascii_lower(text)):
            found = hits.get(index)
            if found is None:
                hits[index] = [(end + 1 - lengths[index], end + 1)]
            else:
                found.append((end + 1 - lengths[index], end + 1))
        return hits, {}
