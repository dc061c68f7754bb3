"""Cached regex programs: rebuilt on regex's C engine alone, never different."""
from __future__ import annotations

import marshal
import subprocess
import sys
import textwrap

import regex

from promptguard import programs

PATTERN = r"(?i)\b(tk_[a-z0-9]{4,})\b(?P<tail>x?)"


def test_a_rebuilt_program_matches_as_the_compiled_pattern() -> None:
    [program] = programs.compile_all([PATTERN])
    rebuilt = programs.rebuild(marshal.dumps(program), PATTERN, programs.engine())
    compiled = regex.compile(PATTERN)
    text = "a TK_abcd1 b tk_zz tk_12345x"
    assert [m.span(1) for m in rebuilt.finditer(text, timeout=1.0)] \
        == [m.span(1) for m in compiled.finditer(text)]
    assert rebuilt.groupindex == compiled.groupindex and rebuilt.flags == compiled.flags


def test_a_program_for_another_engine_or_pattern_is_not_used() -> None:
    [(tag, data)] = programs.compile_all([PATTERN])
    engine = programs.engine()
    assert programs.rebuild(("other:1:2", data), PATTERN, engine) is None
    assert programs.rebuild((tag, data), PATTERN + "x", engine) is None
    assert programs.rebuild((tag, data), PATTERN, None) is None
    assert programs.rebuild(b"not marshal", PATTERN, engine) is None


def test_the_engine_loads_without_the_regex_package_and_leaves_it_intact() -> None:
    # In a fresh interpreter: rebuilding costs no `import regex`, and a
    # later `import regex` gets its package exactly as usual.
    [program] = programs.compile_all([PATTERN])
    code = textwrap.dedent(f"""
        import marshal, sys
        from promptguard import programs
        engine = programs.engine()
        assert engine is not None
        p = programs.rebuild(marshal.loads({marshal.dumps(program)!r}), {PATTERN!r}, engine)
        assert [m.group(1) for m in p.finditer("x tk_abcd y", timeout=1.0)] == ["tk_abcd"]
        assert not any(m == "regex" or m.startswith("regex.") for m in sys.modules), \\
            sorted(sys.modules)
        import regex
        assert regex._regex.compile is engine[0].compile
        assert regex.sub("a", "b", "aa") == "bb"
        assert programs.engine()[1] == engine[1]
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
