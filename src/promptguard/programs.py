"""Compiled regex programs kept in the rules cache, so a cold process
skips regex parsing.

The `regex` module parses and compiles patterns in Python (1-3 ms a rule),
which dominated a hook's run time once a prompt hit a dozen rules. A
compiled pattern exposes the arguments of its C-level constructor
(`Pattern._pickled_data`, what pickling it stores); the rules cache keeps
them per rule and we rebuild patterns from them in ~0.08 ms. Each program
is tagged with the `regex` version and checked against its source when
rebuilt, and any problem falls back to normal compilation: the cache can
only be faster, never different.
"""
from __future__ import annotations

from typing import Any


def compile_all(patterns: list[str]) -> list[Any]:
    """Each pattern's compiled program (None where one cannot be taken)."""
    import regex

    version = str(getattr(regex, "__version__", ""))
    out: list[Any] = []
    for p in patterns:
        try:
            compiled = regex.compile(p, cache_pattern=False)
            out.append((version, compiled._pickled_data))  # type: ignore[attr-defined]
        except Exception:  # any oddity: that rule compiles from source later
            out.append(None)
    return out


def rebuild(program: Any, pattern: str) -> Any:
    """The compiled pattern for `pattern` from its cached program, or None.

    `program` is one item of `compile_all`, as it is or marshalled on its own
    (the rules cache keeps each as a blob, so a cold process decodes only
    the programs of the rules that run).
    """
    try:
        import regex
        from regex import _regex

        if isinstance(program, bytes):
            import marshal

            program = marshal.loads(program)
        version, data = program
        if version != str(getattr(regex, "__version__", "")) or data[0] != pattern:
            return None
        return _regex.compile(*data)  # type: ignore[attr-defined]
    except Exception:  # a stale or foreign program: compile normally
        return None
