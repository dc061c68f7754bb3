from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    # Keep every test away from the real user cache, config, data and audit
    # log; the session-wide cache dir still lets tests share compiled rules.
    cache = tmp_path_factory.getbasetemp() / "pg-cache"
    monkeypatch.setenv("PROMPTGUARD_CACHE_DIR", str(cache))
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # Empty means "no org policy": never read the real /etc/promptguard.
    monkeypatch.setenv("PROMPTGUARD_POLICY", "")
    monkeypatch.setenv("PROMPTGUARD_DATA_DIR", str(home / ".local" / "share" / "promptguard"))
    monkeypatch.setenv("PROMPTGUARD_AUDIT_LOG", str(home / "audit.jsonl"))
    yield


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
