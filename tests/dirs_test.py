from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from testing import fakes

from promptguard import audit
from promptguard import dirs
from promptguard import vault
from promptguard.cli import main

posix = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG layout")


@posix
def test_xdg_defaults_and_overrides(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c", "XDG_CONFIG_HOME": "/cfg"}
    assert dirs.data_dir(env) == Path("/d/promptguard")
    assert dirs.cache_dir(env) == Path("/c/promptguard")
    assert dirs.user_config_path(env) == Path("/cfg/promptguard/config.toml")
    assert dirs.system_policy_path(env) == Path("/etc/promptguard/policy.toml")
    assert dirs.xdg_config_home(env, tmp_path) == Path("/cfg")
    assert dirs.xdg_config_home({}, tmp_path) == tmp_path / ".config"
    assert dirs.xdg_config_home({"XDG_CONFIG_HOME": ""}, tmp_path) == tmp_path / ".config"
    env |= {"PROMPTGUARD_DATA_DIR": str(tmp_path / "data"),
            "PROMPTGUARD_CACHE_DIR": str(tmp_path / "cache")}
    assert dirs.data_dir(env) == tmp_path / "data"
    assert dirs.cache_dir(env) == tmp_path / "cache"
    assert dirs.cache_dir({**env, "PROMPTGUARD_NO_CACHE": "1"}) is None
    # Empty values mean "not set", as before.
    assert dirs.data_dir({"XDG_DATA_HOME": "", "PROMPTGUARD_DATA_DIR": ""}) == (
        Path.home() / ".local" / "share" / "promptguard"
    )


def test_audit_log_and_vault_share_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    # The audit log once ignored PROMPTGUARD_DATA_DIR while the vault honoured it.
    monkeypatch.delenv("PROMPTGUARD_AUDIT_LOG")
    monkeypatch.setenv("PROMPTGUARD_DATA_DIR", str(tmp_path / "data"))
    assert audit.default_log_path() == tmp_path / "data" / "audit.jsonl"
    assert vault.vault_dir() == tmp_path / "data" / "vault"
    target = tmp_path / "app.env"
    target.write_text(f"AWS_ACCESS_KEY_ID={fakes.aws_key_id(random.Random(3))}\n")
    assert main(["scan", str(target)]) == 1
    capsys.readouterr()
    records, bad = audit.read_records(tmp_path / "data" / "audit.jsonl")
    assert bad == 0 and [r["action"] for r in records] == ["block"]
