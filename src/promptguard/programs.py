"""Compiled regex programs kept in the rules cache, so a cold process
skips regex parsing.

The `regex` module parses and compiles patterns in Python (1-3 ms a rule),
which dominated a hook's run time once a prompt hit a dozen rules. A
compiled pattern exposes the arguments of its C-level constructor
(`Pattern._pickled_data`, what pickling it stores); the rules cache keeps
them per rule and we rebuild patterns from them in ~0.08 ms.

Rebuilding needs only regex's C engine, `regex._regex`, and importing the
`regex` package for it costs a hook ~9 ms (its pure-Python parser,
`_regex_core`, plus enum, string, locale, threading). So `engine()` loads
the C extension on its own when the package is not imported yet, from the
very file `import regex` would use, without registering it: a later
`import regex` is unaffected. Each program is tagged with that file's path,
size and mtime (as CPython keys .pyc files) and checked against its source
when rebuilt, and any problem falls back to normal compilation: the cache
can only be faster, never different.
"""
from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

_ENGINE = "regex._regex"


def _stamp(path: str) -> str:
    import os

    st = os.stat(path)
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def compile_all(patterns: list[str]) -> list[Any]:
    """Each pattern's compiled program (None where one cannot be taken)."""
    import regex
    from regex import _regex

    tag = _stamp(str(_regex.__file__))
    out: list[Any] = []
    for p in patterns:
        try:
            compiled = regex.compile(p, cache_pattern=False)
            out.append((tag, compiled._pickled_data))  # type: ignore[attr-defined]
        except Exception:  # any oddity: that rule compiles from source later
            out.append(None)
    return out


def _find_spec(name: str, path: list[str] | None) -> ModuleSpec | None:
    """What the import system would find for `name`, without importing its
    parent package (importlib.util.find_spec would import it)."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(name, path) if find is not None else None
        if spec is not None:
            return spec
    return None


def _load_engine() -> tuple[ModuleType, str] | None:
    """The C extension `import regex` would load (and its file), loaded
    without the package."""
    from importlib.machinery import ExtensionFileLoader

    package = _find_spec("regex", None)
    if package is None or not package.submodule_search_locations:
        return None
    spec = _find_spec(_ENGINE, list(package.submodule_search_locations))
    if spec is None or spec.origin is None or not isinstance(spec.loader, ExtensionFileLoader):
        return None
    module = spec.loader.create_module(spec)
    # CPython registers a single-phase extension in sys.modules as it creates
    # it. Take it out again: ours stays private, and a later `import regex`
    # imports its engine as usual (for such modules, a copy sharing the same
    # functions and types), so the package is exactly as it would be.
    sys.modules.pop(_ENGINE, None)
    if module is None:
        return None
    spec.loader.exec_module(module)
    return module, spec.origin


def engine() -> tuple[ModuleType, str] | None:
    """regex's C engine and the tag its programs carry, or None (compile normally)."""
    try:
        if "regex" not in sys.modules and _ENGINE not in sys.modules:
            loaded = _load_engine()
            if loaded is None:
                return None
            module, path = loaded
        else:
            from regex import _regex as module

            path = str(module.__file__)
        return module, _stamp(path)
    except Exception:  # an unusual install (zipped, frozen): compile normally
        return None


def rebuild(program: Any, pattern: str, engine: tuple[ModuleType, str] | None) -> Any:
    """The compiled pattern for `pattern` from its cached program, or None.

    `program` is one item of `compile_all`, as it is or marshalled on its own
    (the rules cache keeps each as a blob, so a cold process decodes only
    the programs of the rules that run); `engine` is what `engine()` gave.
    """
    if engine is None:
        return None
    try:
        if isinstance(program, bytes):
            import marshal

            program = marshal.loads(program)
        tag, data = program
        module, current = engine
        if tag != current or data[0] != pattern:
            return None
        return module.compile(*data)
    except Exception:  # a stale or foreign program: compile normally
        return None
