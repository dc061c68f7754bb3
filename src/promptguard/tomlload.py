"""Read TOML files (config, client lists, rule packs): one parser, one set of errors.

Every error names the file: unreadable, not UTF-8, invalid TOML. The
caller picks the error class (ConfigError for config and client lists,
RuleError for rule packs), so each command keeps its exit code and message.

With `cache_dir`, an earlier parse of the same bytes is reused: a hook
process runs per prompt, and importing tomllib alone costs more than the
rest of config loading; parsed tables are plain data, so marshal stores them.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from promptguard.errors import ConfigError
from promptguard.errors import PromptguardError

# ruleset.py prunes stale "config-v*.marshal" files from the cache folder.
_CACHE_FORMAT = "config-v2"


def loads(
    data: bytes, where: object, error: type[PromptguardError] = ConfigError,
) -> dict[str, Any]:
    """Parse TOML bytes; `where` (usually the path) starts every error message."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: <3.11 cover
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise error(f"{where}: not UTF-8: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{where}: invalid TOML: {e}") from None


def load(
    path: Path,
    *,
    error: type[PromptguardError] = ConfigError,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Read and parse a TOML file; with `cache_dir`, keyed by its content."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise error(f"{path}: cannot read: {e.strerror}") from None
    if cache_dir is None:
        return loads(data, path, error)
    import marshal

    from promptguard.cachekey import key

    # Keyed by content, not mtime: an edited file can never hit a stale entry.
    cached = cache_dir / f"{_CACHE_FORMAT}-{key(data)}.marshal"
    try:
        doc = marshal.loads(cached.read_bytes())
        if isinstance(doc, dict):
            return doc
    except (OSError, ValueError, EOFError, TypeError):
        pass  # missing or unreadable: parse below
    doc = loads(data, path, error)
    _write_cache(cached, doc)
    return doc


def _write_cache(path: Path, doc: dict[str, Any]) -> None:
    import marshal

    try:
        payload = marshal.dumps(doc)
    except ValueError:
        return  # TOML dates and times are not marshal-able (and not valid config)
    from promptguard import atomic

    atomic.write_cache(path, payload)
