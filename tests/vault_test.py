"""The vault: file mode, what it stores (and never stores), TTL, sessions, locking."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from functools import partial
from pathlib import Path

import pytest

from promptguard import vault as vault_mod
from promptguard.errors import InputError
from promptguard.redaction import render
from promptguard.vault import Vault


def _issue(v: Vault, value: str, *, restorable: bool, prefix: str = "EMAIL",
           identity: str | None = None) -> str:
    return v.issue(
        identity=identity if identity is not None else value, value=value, rule_id="r",
        category="pii" if restorable else "secret", restorable=restorable, prefix=prefix,
        render=partial(render, prefix, "number"), taken=lambda p: False,
    ).placeholder


def test_data_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTGUARD_DATA_DIR", str(tmp_path / "d"))
    assert vault_mod.vault_dir() == tmp_path / "d" / "vault"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_vault_file_is_0600_in_a_0700_directory(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical umask must not widen the vault
    try:
        v = Vault.open("s1", base=tmp_path)
        with v.transaction():
            _issue(v, "jane@example.org", restorable=True)
    finally:
        os.umask(old)
    assert v.path is not None
    assert stat.S_IMODE(v.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(v.path.parent.stat().st_mode) == 0o700


def test_one_way_secret_never_reaches_the_file(tmp_path: Path) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vT3kL2M"
    v = Vault.open("s1", base=tmp_path)
    with v.transaction():
        one_way = _issue(v, secret, restorable=False, prefix="AWS_SECRET_ACCESS_KEY")
        restorable = _issue(v, "jane@example.org", restorable=True)
    assert v.path is not None
    raw = v.path.read_bytes()
    assert secret.encode() not in raw
    assert secret[:12].encode() not in raw and secret[-12:].encode() not in raw
    # The documented exception: restorable values are stored, in clear text.
    assert b"jane@example.org" in raw
    assert v.value_of(one_way) is None and v.value_of(restorable) == "jane@example.org"


def test_same_secret_same_placeholder_across_runs(tmp_path: Path) -> None:
    secret = "ghp_" + "q" * 36
    first = Vault.open("s1", base=tmp_path)
    with first.transaction():
        a = _issue(first, secret, restorable=False, prefix="GITHUB_TOKEN")
        b = _issue(first, "ghp_" + "r" * 36, restorable=False, prefix="GITHUB_TOKEN")
    # A new process: only the keyed hash links the secret to its placeholder.
    second = Vault.open("s1", base=tmp_path)
    with second.transaction():
        again = _issue(second, secret, restorable=False, prefix="GITHUB_TOKEN")
        c = _issue(second, "ghp_" + "s" * 36, restorable=False, prefix="GITHUB_TOKEN")
    assert (a, b, again, c) == ("<GITHUB_TOKEN_1>", "<GITHUB_TOKEN_2>", "<GITHUB_TOKEN_1>",
                                "<GITHUB_TOKEN_3>")
    # Another session has its own key: the same secret is not linkable.
    other = Vault.open("s2", base=tmp_path)
    with other.transaction():
        _issue(other, secret, restorable=False, prefix="GITHUB_TOKEN")
    macs = [json.loads(p.read_text())["entries"][0]["mac"]
            for p in sorted((tmp_path / "vault").glob("*.json"))]
    assert macs[0] != macs[1]


def test_taken_placeholders_are_skipped(tmp_path: Path) -> None:
    v = Vault.memory()
    entry = v.issue(identity="x@example.org", value="x@example.org", rule_id="r",
                    category="pii", restorable=True, prefix="EMAIL",
                    render=partial(render, "EMAIL", "number"),
                    taken="see <EMAIL_1> and <EMAIL_2>".__contains__)
    assert entry.placeholder == "<EMAIL_3>"


def test_ttl_expires_idle_sessions(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    v = Vault.open("s1", base=tmp_path, ttl=3600, now=lambda: clock[0])
    with v.transaction():
        _issue(v, "jane@example.org", restorable=True)
    clock[0] += 3000
    assert Vault.open("s1", base=tmp_path, ttl=3600, now=lambda: clock[0]).value_of(
        "<EMAIL_1>") == "jane@example.org"
    clock[0] += 3601
    reopened = Vault.open("s1", base=tmp_path, ttl=3600, now=lambda: clock[0])
    assert len(reopened) == 0 and not reopened.exists  # deleted, not just ignored


def test_list_and_clear(tmp_path: Path) -> None:
    clock = [2_000_000.0]
    for name in ("alpha", "beta"):
        v = Vault.open(name, base=tmp_path, ttl=100, now=lambda: clock[0])
        with v.transaction():
            _issue(v, f"{name}@example.org", restorable=True)
            _issue(v, f"{name}-secret-value-123456", restorable=False, prefix="TOKEN")
    infos = vault_mod.list_vaults(tmp_path, now=lambda: clock[0])
    assert [(i.session, i.restorable, i.one_way) for i in infos] == [
        ("alpha", 1, 1), ("beta", 1, 1),
    ]
    assert infos[0].expires == infos[0].updated + 100
    assert vault_mod.clear(tmp_path, "alpha") == 1
    assert [i.session for i in vault_mod.list_vaults(tmp_path, now=lambda: clock[0])] == ["beta"]
    clock[0] += 101
    assert vault_mod.list_vaults(tmp_path, now=lambda: clock[0]) == []  # expired: purged
    assert vault_mod.clear(tmp_path) == 0


@pytest.mark.parametrize("name", ["../etc", ".hidden", "a/b", "", "x" * 65, "a b"])
def test_session_names_cannot_escape_the_directory(name: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="invalid session name"):
        Vault.open(name, base=tmp_path)


def test_default_session_is_the_local_date(tmp_path: Path) -> None:
    v = Vault.open(base=tmp_path, now=lambda: 1_700_000_000.0)
    assert v.session == vault_mod.default_session(1_700_000_000.0)
    assert len(v.session) == 10 and v.session.count("-") == 2


def test_corrupt_vault_error_does_not_echo_content(tmp_path: Path) -> None:
    path = tmp_path / "vault" / "s1.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "entries": [{"value": "jane@example.org"')
    with pytest.raises(InputError) as excinfo:
        Vault.open("s1", base=tmp_path)
    assert "jane" not in str(excinfo.value)
    assert "vault clear --session s1" in str(excinfo.value)


def test_repr_hides_values(tmp_path: Path) -> None:
    v = Vault.memory()
    _issue(v, "jane@example.org", restorable=True)
    assert "jane" not in repr(v) and "jane" not in repr(v.entries)


def test_long_lived_vault_sees_other_writers(tmp_path: Path) -> None:
    reader = Vault.open("s1", base=tmp_path)
    writer = Vault.open("s1", base=tmp_path)
    with writer.transaction():
        placeholder = _issue(writer, "jane@example.org", restorable=True)
    reader.refresh()
    assert reader.value_of(placeholder) == "jane@example.org"
    vault_mod.clear(tmp_path, "s1")
    reader.refresh()
    assert reader.value_of(placeholder) is None  # `vault clear` takes effect


_WORKER = textwrap.dedent("""
    import sys
    from functools import partial
    from pathlib import Path
    from promptguard.redaction import render
    from promptguard.vault import Vault

    base, worker = Path(sys.argv[1]), sys.argv[2]
    for i in range(25):
        v = Vault.open("shared", base=base)
        with v.transaction():
            for value in (f"w{worker}-{i}@example.org", f"common-{i}@example.org"):
                v.issue(identity=value, value=value, rule_id="r", category="pii",
                        restorable=True, prefix="EMAIL",
                        render=partial(render, "EMAIL", "number"), taken=lambda p: False)
""")


def test_concurrent_processes_never_share_a_placeholder(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(tmp_path), str(w)])
             for w in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    v = Vault.open("shared", base=tmp_path)
    values = [e.value for e in v.entries]
    placeholders = [e.placeholder for e in v.entries]
    # 4 x 25 worker values + 25 shared ones, each exactly once.
    assert len(values) == len(set(values)) == 125
    assert len(placeholders) == len(set(placeholders)) == 125
