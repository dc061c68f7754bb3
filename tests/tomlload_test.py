from __future__ import annotations

from pathlib import Path

import pytest

from promptguard import cachekey
from promptguard import tomlload
from promptguard.errors import ConfigError
from promptguard.errors import RuleError
from promptguard.ruleset import load_ruleset


@pytest.mark.parametrize(("data", "message"), [
    (b"a = \n", "invalid TOML"),
    (b'a = "\xff"\n', "not UTF-8"),
])
def test_errors_name_the_file_in_the_callers_error_class(
    tmp_path: Path, data: bytes, message: str,
) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError, match=f"^{path}: {message}"):
        tomlload.load(path)
    with pytest.raises(RuleError, match=f"^{path}: {message}"):
        tomlload.load(path, error=RuleError)
    with pytest.raises(ConfigError, match=f"^{tmp_path / 'missing.toml'}: cannot read"):
        tomlload.load(tmp_path / "missing.toml")


def test_a_rule_pack_that_is_not_utf8_is_a_rule_error(tmp_path: Path) -> None:
    # The rule loader once let UnicodeDecodeError through (a traceback, exit 3).
    pack = tmp_path / "bad.toml"
    pack.write_bytes(b'schema_version = 1\n# caf\xe9\n')
    with pytest.raises(RuleError, match="not UTF-8"):
        load_ruleset([pack], builtin=False)


def test_the_cache_is_keyed_by_content(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    cache = tmp_path / "cache"
    path.write_text('a = 1\n')
    assert tomlload.load(path, cache_dir=cache) == {"a": 1}
    assert len(list(cache.glob("config-v*.marshal"))) == 1
    assert tomlload.load(path, cache_dir=cache) == {"a": 1}  # from the cache
    path.write_text('a = 2\n')  # same size, maybe the same mtime: content decides
    assert tomlload.load(path, cache_dir=cache) == {"a": 2}


def test_cache_keys() -> None:
    assert cachekey.key("a", b"b") == cachekey.key(b"a", "b")
    assert cachekey.key("ab") != cachekey.key("a", "b") != cachekey.key("b", "a")
    assert len(cachekey.key("x")) == 17
