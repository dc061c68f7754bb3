"""Cheap "is this really a secret?" checks the engine runs on every match."""
from __future__ import annotations

import functools
import math
import re
from collections import Counter

# Substrings that mark a value as a placeholder or documentation example.
# Checked case-insensitively; all are unlikely inside a random token
# (e.g. "your" in a 40-char base62 string: ~4e-5).
_PLACEHOLDER_WORDS = (
    "example", "xxxx", "your", "changeme", "change_me", "placeholder", "dummy",
    "redacted", "sample", "replace_me", "replaceme", "insert_", "notreal",
    "not_real", "fake_", "_here", "****", "•••", "...",
)
_TEMPLATE = (
    r"""
    \$\{ | \{\{ | \{% | %\( | <%          # ${VAR} {{ var }} {% %} %(name)s <%= %>
    | ^<[^<>]*>$                          # <your-api-key>
    | ^\$[A-Za-z_][A-Za-z0-9_]*$          # $VAR
    | ^%[A-Za-z_][A-Za-z0-9_]*%$          # %VAR%
    | (?:process\.env|os\.environ|os\.getenv|getenv\(|ENV\[|System\.getenv|secrets\.)
    """
)
_PRAGMA = r"promptguard:\s*allow\[([a-z0-9,\s-]+)\]"


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # Compiled on first use: most prompts never reach these checks, and
    # compiling at import would cost every hook process ~4 ms.
    return re.compile(pattern, flags)


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _longest_step_run(value: str) -> int:
    """Longest run of characters whose code points step by +1 or -1."""
    best = run = 1
    step = 0
    for a, b in zip(value, value[1:]):
        d = ord(b) - ord(a)
        if d in (1, -1) and (run == 1 or d == step):
            run += 1
            step = d
        else:
            run = 2 if d in (1, -1) else 1
            step = d
        best = max(best, run)
    return best


def is_placeholder(value: str) -> bool:
    """True for values that only look like secrets: templates, masks, demos."""
    lowered = value.lower()
    if any(w in lowered for w in _PLACEHOLDER_WORDS):
        return True
    if _compiled(_TEMPLATE, re.VERBOSE).search(value):
        return True
    if len(value) >= 6 and len(set(lowered)) <= 3:
        return True
    return len(value) >= 6 and _longest_step_run(value) >= 6


def pragma_allows(text: str, pos: int, rule_id: str) -> bool:
    """`promptguard: allow[rule-id]` on the finding's line or the line above."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    prev_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1 if line_start else line_start
    region = text[prev_start:line_end]
    if "promptguard:" not in region:
        return False
    for m in _compiled(_PRAGMA).finditer(region):
        if rule_id in {r.strip() for r in m.group(1).split(",")}:
            return True
    return False
