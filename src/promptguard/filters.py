"""Cheap "is this really a secret?" checks the engine runs on every match."""
from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter

# Substrings that mark a value as a placeholder or documentation example.
# Checked case-insensitively; all are unlikely inside a random token
# (e.g. "your" in a 40-char base62 string: ~4e-5).
_PLACEHOLDER_WORDS = (
    "example", "xxxx", "your", "changeme", "change_me", "placeholder", "dummy",
    "redacted", "sample", "replace_me", "replaceme", "notreal", "not_real",
    "****", "•••", "...", "…",
)
# References to a secret held elsewhere, not the secret itself.
_REFERENCES = (
    "process.env", "os.environ", "os.getenv", "getenv(", "env[", "system.getenv",
    "secrets.", "vault:", "secretkeyref", "valuefrom",
)
# Public documentation samples that look exactly like live credentials: the
# jwt.io HS256 example token (its payload and signature).
_PUBLIC_SAMPLES = (
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
)
_DIGITS = frozenset("0123456789")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_PRAGMA = r"promptguard:\s*allow\[([a-z0-9,\s-]+)\]"


@functools.cache
def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # Compiled on first use: most prompts never reach these checks.
    return re.compile(pattern, flags)


def _smallest_period(value: str) -> int:
    # KMP failure function: the shortest p with value[i] == value[i + p].
    fail = [0] * len(value)
    k = 0
    for i in range(1, len(value)):
        while k and value[i] != value[k]:
            k = fail[k - 1]
        if value[i] == value[k]:
            k += 1
        fail[i] = k
    return len(value) - fail[-1]


def _is_sequential(value: str) -> bool:
    """All of `value` is runs like "abcdef", "987654", "0123" (>= 4 each)."""
    if len(value) < 4:
        return False
    run = 1
    step = 0
    for prev, char in itertools.pairwise(value):
        diff = ord(char) - ord(prev)
        # "9:" and "z{" are one code point apart but not a run.
        same_class = prev in _ALNUM and char in _ALNUM and (prev in _DIGITS) == (char in _DIGITS)
        if diff in (1, -1) and same_class and (run == 1 or diff == step):
            run += 1
            step = diff
        else:
            if run < 4:
                return False
            run = 1
            step = 0
    return run >= 4


def _repeated_groups(value: str) -> bool:
    """Three or more identical groups: "xoxp-1234-1234-1234-...", "ab12-ab12-ab12"."""
    groups = [g for g in re.split(r"[-_.:/|]", value) if len(g) >= 3]
    return any(n >= 3 for n in Counter(groups).values())


def _between(value: str, opener: str, closer: str) -> bool:
    start = value.find(opener)
    return start != -1 and value.find(closer, start + len(opener)) != -1


def _has_template(value: str) -> bool:
    if _between(value, "${", "}") or _between(value, "{{", "}}"):
        return True
    if _between(value, "%(", ")s"):
        return True
    # "<your-api-key>": a name in angle brackets, not any '<' and '>'.
    # Pairing each '>' with the nearest '<' before it keeps this linear.
    pos = 0
    while (end := value.find(">", pos)) != -1:
        start = value.rfind("<", pos, end)
        inner = value[start + 1 : end]
        if start != -1 and inner and all(c in _ALNUM or c in "_-. " for c in inner):
            return True
        pos = end + 1
    # Only a whole-value "$NAME": passwords such as "P@$$W0RD" contain '$'.
    name = value[1:]
    return (
        value.startswith("$")
        and bool(name)
        and name[0] not in _DIGITS
        and all(c in _ALNUM or c == "_" for c in name)
    )


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """True for values that only look like secrets: fillers, templates, demos.

    Catches one repeated character or unit ("abcabc"), values made only of
    sequences ("abcd1234"), three or more identical groups ("1234-1234-1234"),
    documentation words ("example", "your", "changeme"...), template and
    environment references ("${TOKEN}", "{{ secret }}", "<api-key>",
    "%(password)s", "$TOKEN", "os.environ[...]").
    """
    if len(set(value)) <= 1:
        return True
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return True
    if any(ref in lowered for ref in _REFERENCES):
        return True
    if any(sample in value for sample in _PUBLIC_SAMPLES):
        return True
    if _has_template(value):
        return True
    if _repeated_groups(value):
        return True
    # Judge the structure of the token body too, after a vendor prefix
    # ("sk_live_abababab" is a filler even though the prefix is not).
    cut = max(value.rfind(sep, 0, 16) for sep in "_-.")
    bodies = {value, value[cut + 1:]} if 0 < cut < len(value) - 8 else {value}
    return any(_filler(b) for b in bodies)


def _filler(value: str) -> bool:
    lowered = value.lower()
    # "abcabcabc" has period 3: a random secret is essentially never a run
    # of its own prefix.
    if _smallest_period(value) <= len(value) // 2:
        return True
    if len(value) >= 6 and len(set(lowered)) <= 3:
        return True
    return _is_sequential(lowered)


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
