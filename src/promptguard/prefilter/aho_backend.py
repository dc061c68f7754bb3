"""pyahocorasick backend: portable, and the fastest to start for short text."""
from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from promptguard.prefilter import Hit

# ASCII-only case folding keeps offsets identical to the input and matches
# Hyperscan's HS_FLAG_CASELESS semantics on UTF-8 bytes.
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.translate(_ASCII_LOWER)


class AhoPrefilter:
    name = "aho"

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
