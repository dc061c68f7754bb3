"""Putting real values back into what the model answers.

Restoring is scoped to one request: a response gets back only the values
that request's own redaction replaced (`Scope`). So a client can recover
only what it sent itself; one that types "Client A" into a prompt to have
the model echo it cannot read another conversation's client name out of
the shared vault. The scope is a snapshot of vault entries, taken on the
guard's thread, so the event loop never reads the vault while the guard
writes it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from promptguard.redaction import Restorer
from promptguard.redaction import StreamRestorer

if TYPE_CHECKING:
    from promptguard.vault import Entry
    from promptguard.vault import Vault


class Scope:
    """The vault entries one request may restore; quacks like a Vault for Restorer."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._entries = dict(entries)
        self._prefixes = {p.rsplit(" ", 1)[0] for p in self._entries if " " in p}

    def __repr__(self) -> str:
        return f"Scope(placeholders={len(self._entries)})"  # never the values

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, placeholder: str) -> Entry | None:
        return self._entries.get(placeholder)

    def prefixes(self) -> set[str]:
        return set(self._prefixes)

    def refresh(self, *, force: bool = False) -> None:
        """A snapshot: nothing to reload."""

    def restorer(self) -> Restorer:
        return Restorer(cast("Vault", self))

    @classmethod
    def of(cls, vault: Vault, placeholders: Iterable[str]) -> Scope:
        found = {}
        for p in placeholders:
            entry = vault.get(p)
            if entry is not None and entry.value is not None:
                found[p] = entry
        return cls(found)


EMPTY = Scope({})


def restore_strings(restorer: Restorer, value: Any) -> Any:
    """Restore every string value inside a JSON value (in place for containers)."""
    if isinstance(value, str):
        return restorer.restore(value)
    if isinstance(value, dict):
        for k, v in value.items():
            value[k] = restore_strings(restorer, v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = restore_strings(restorer, v)
    return value


def restore_json_text(restorer: Restorer, text: str) -> str:
    """Restore inside a JSON document held as text (tool arguments)."""
    if not isinstance(text, str) or not text:
        return text
    try:
        doc = json.loads(text)
    except ValueError:
        return restorer.restore(text)
    if isinstance(doc, str):
        restored = restorer.restore(doc)
        return text if restored == doc else json.dumps(restored, ensure_ascii=False)
    before = json.dumps(doc, ensure_ascii=False)
    after = json.dumps(restore_strings(restorer, doc), ensure_ascii=False)
    return text if after == before else after


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _encode(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)[1:-1]


class JsonTextStream:
    """Stream-restore JSON text that arrives in pieces (`input_json_delta`).

    Decodes the string literals as they stream, restores their content with
    a StreamRestorer (which holds back only what could still become a
    placeholder), and re-encodes it; everything outside strings passes
    through as is. A placeholder split across chunks, or written next to
    an escape such as `\\n`, is restored like in plain text.
    """

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._stream: StreamRestorer | None = None  # set while inside a string
        self._escape = ""  # an escape sequence not yet complete
        self._surrogate = ""  # a high surrogate waiting for its pair

    def feed(self, chunk: str) -> str:
        out: list[str] = []
        decoded: list[str] = []

        def emit_decoded() -> None:
            if decoded and self._stream is not None:
                out.append(_encode(self._stream.feed("".join(decoded))))
            decoded.clear()

        for c in chunk:
            if self._stream is None:
                out.append(c)
                if c == '"':
                    self._stream = StreamRestorer(self._restorer)
                continue
            if self._escape:
                self._escape += c
                if self._escape[1] == "u":
                    if len(self._escape) < 6:
                        continue
                    ch = chr(int(self._escape[2:], 16))
                    self._escape = ""
                    if 0xD800 <= ord(ch) < 0xDC00:
                        self._surrogate = ch
                        continue
                    if self._surrogate and 0xDC00 <= ord(ch) < 0xE000:
                        high = ord(self._surrogate) - 0xD800
                        ch = chr(0x10000 + (high << 10) + ord(ch) - 0xDC00)
                    elif self._surrogate:
                        decoded.append(self._surrogate)
                    self._surrogate = ""
                    decoded.append(ch)
                else:
                    decoded.append(_ESCAPES.get(c, c))
                    self._escape = ""
                continue
            if c == "\\":
                self._escape = c
            elif c == '"':
                emit_decoded()
                out.append(_encode(self._stream.flush()) + '"')
                self._stream = None
            else:
                decoded.append(c)
        emit_decoded()
        return "".join(out)

    def flush(self) -> str:
        """The rest, at the end of the block (only non-empty for truncated JSON)."""
        if self._stream is None:
            return ""
        rest = _encode(self._stream.flush())
        self._stream = StreamRestorer(self._restorer)
        return rest
