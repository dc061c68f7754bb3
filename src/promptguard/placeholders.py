"""Placeholders: their names, shapes and the pattern that finds them.

`<AWS_ACCESS_KEY_ID_1>`, `<EMAIL_1>` (numbered, named after the rule or its
`placeholder` param) and `Client A`, `Person B` (lettered, for client
identifiers). Only shapes: whether a match IS a placeholder is the vault's
call (redaction.py, restoring.py).
"""
from __future__ import annotations

import functools
import re
from typing import Literal

from promptguard.models import Rule

Style = Literal["number", "letters"]
# Letter-style prefixes restore always recognises (the client rules' own).
LETTER_PREFIXES = ("Client", "Person", "Project")
# Placeholder size limits: they bound what the stream restorer holds back.
MAX_LABEL = 64
MAX_DIGITS = 7
MAX_LETTERS = 4
# Patterns as strings: re caches them on first use, so importing this
# module (which `import promptguard` does) compiles nothing.
_LABEL = rf"[A-Z0-9][A-Z0-9_]{{0,{MAX_LABEL - 1}}}"
LETTER_PREFIX = r"[A-Z][a-z]{1,15}"
# Well-known kinds get the short labels people expect, whatever the rule id.
_KNOWN_LABELS = (("email", "EMAIL"), ("card", "CARD"), ("phone", "PHONE"), ("iban", "IBAN"))


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 28 -> AB (bijective base 26)."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def render(prefix: str, style: Style, n: int) -> str:
    return f"{prefix} {letters(n)}" if style == "letters" else f"<{prefix}_{n}>"


def label_for(rule: Rule | None, rule_id: str) -> tuple[str, Style]:
    """The placeholder prefix and style for a rule's findings.

    A rule may choose with `params = { placeholder = "EMAIL" }` (and
    `placeholder_style = "letters"` for "Client A"-style names); otherwise
    the rule id names it: aws-access-key -> <AWS_ACCESS_KEY_1>.
    """
    if rule is not None:
        custom = rule.param("placeholder", "")
        if isinstance(custom, str) and custom:
            if rule.param("placeholder_style", "number") == "letters":
                if re.fullmatch(LETTER_PREFIX, custom):
                    return custom, "letters"
            elif re.fullmatch(_LABEL, custom):
                return custom, "number"
    words = rule_id.split("-")
    for word, label in _KNOWN_LABELS:
        if word in words:
            return label, "number"
    return rule_id.upper().replace("-", "_")[:MAX_LABEL], "number"


@functools.lru_cache(maxsize=32)
def placeholder_pattern(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Every string shaped like a placeholder with one of these letter prefixes.

    Only a shape: whether a match IS a placeholder is the vault's call.
    Letter placeholders need word boundaries and exact case ("Client A's"
    matches; "Client Alpha" and "the client a day" do not).
    """
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    bracket = rf"<[A-Z0-9][A-Z0-9_]{{0,{MAX_LABEL - 1}}}_[0-9]{{1,{MAX_DIGITS}}}>"
    named = rf"(?<!\w)(?:{alternatives}) [A-Z]{{1,{MAX_LETTERS}}}(?!\w)"
    return re.compile(f"{bracket}|{named}" if alternatives else bracket)
