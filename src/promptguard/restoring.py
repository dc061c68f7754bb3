"""Restoring: putting a vault's restorable values back in place of their placeholders.

`Restorer.restore(text)` for a whole answer; `StreamRestorer` for streamed
output (the gateway), where a placeholder may be split across chunks.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from promptguard.placeholders import LETTER_PREFIX
from promptguard.placeholders import LETTER_PREFIXES
from promptguard.placeholders import MAX_DIGITS
from promptguard.placeholders import MAX_LABEL
from promptguard.placeholders import MAX_LETTERS
from promptguard.placeholders import placeholder_pattern

if TYPE_CHECKING:
    from promptguard.vault import Vault


class Restorer:
    """Puts a vault's restorable values back in place of their placeholders."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def __repr__(self) -> str:
        return f"Restorer({self.vault!r})"

    def prefixes(self) -> frozenset[str]:
        known = {p for p in self.vault.prefixes() if re.fullmatch(LETTER_PREFIX, p)}
        return frozenset(known.union(LETTER_PREFIXES))

    def pattern(self) -> re.Pattern[str]:
        return placeholder_pattern(self.prefixes())

    def restore(self, text: str) -> str:
        return self.restore_counted(text)[0]

    def restore_counted(self, text: str) -> tuple[str, int, int]:
        """The restored text, how many placeholders were restored, and how
        many known placeholders stayed because they are one-way."""
        self.vault.refresh()  # another process may have added entries
        return self._restore(text, 0)

    def _restore(self, text: str, pos: int) -> tuple[str, int, int]:
        out: list[str] = []
        last = pos
        restored = one_way = 0
        for m in self.pattern().finditer(text, pos):
            entry = self.vault.get(m.group())
            if entry is None:
                continue  # shaped like a placeholder, but not one we issued
            if entry.value is None:
                one_way += 1
                continue
            out.append(text[last:m.start()])
            out.append(entry.value)
            last = m.end()
            restored += 1
        out.append(text[last:])
        return "".join(out), restored, one_way

    def stream(self) -> StreamRestorer:
        self.vault.refresh()
        return StreamRestorer(self)


class StreamRestorer:
    """Restore for streamed output (the gateway): placeholders may be split.

    `feed(chunk)` returns what can be emitted now and holds back a tail that
    could still become a placeholder ("<EMA", "Client", "Client A" before
    the next character shows whether a word continues); `flush()` returns
    the rest. The concatenated output equals `restore` of the whole text.
    """

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._prefixes = sorted(restorer.prefixes())
        self._pattern = restorer.pattern()
        self._hold = max(MAX_LABEL + MAX_DIGITS + 3,
                         max((len(p) for p in self._prefixes), default=0) + MAX_LETTERS + 2)
        self._buf = ""
        # The last character already emitted: a placeholder must not
        # continue a word, even across a chunk boundary.
        self._prev = ""

    def __repr__(self) -> str:
        return f"StreamRestorer(held={len(self._buf)})"

    def feed(self, chunk: str) -> str:
        buf = self._buf + chunk
        cut = self._hold_from(buf)
        out = self._emit(buf[:cut])
        self._buf = buf[cut:]
        return out

    def flush(self) -> str:
        out = self._emit(self._buf)
        self._buf = ""
        return out

    def _emit(self, text: str) -> str:
        if not text:
            return ""
        # The previous character is look-behind context only, not output.
        out = self._restorer._restore(self._prev + text, len(self._prev))[0]
        self._prev = text[-1]
        return out

    def _could_start(self, buf: str, i: int) -> bool:
        c = buf[i]
        if c == "<":
            return re.fullmatch(rf"<[A-Z0-9_]{{0,{MAX_LABEL + MAX_DIGITS}}}", buf[i:]) is not None
        before = buf[i - 1] if i else self._prev
        if before and (before.isalnum() or before == "_"):
            return False
        tail = buf[i:]
        for prefix in self._prefixes:
            if prefix.startswith(tail):
                return True
            if tail.startswith(prefix + " "):
                rest = tail[len(prefix) + 1:]
                if len(rest) <= MAX_LETTERS and all("A" <= ch <= "Z" for ch in rest):
                    return True
        return False

    def _hold_from(self, buf: str) -> int:
        n = len(buf)
        for i in range(max(0, n - self._hold), n):
            if self._could_start(buf, i):
                return i
        return n
