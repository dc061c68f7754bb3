from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from testing import fakes

from promptguard import baseline
from promptguard.cli import main
from promptguard.errors import ConfigError

DETECT_SECRETS = shutil.which("detect-secrets", path=str(Path(sys.executable).parent))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _keys(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [fakes.aws_key_id(rng) for _ in range(n)]


def _blocking(capsys, *paths: str, extra: tuple[str, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    code = main(["scan", "--format", "json", *extra, *paths])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_format_is_sorted_stable_and_merge_friendly() -> None:
    entries = [baseline.Entry("b.py", "r", "2"), baseline.Entry("a.py", "z", "1"),
               baseline.Entry("a.py", "r", "9"), baseline.Entry("a.py", "r", "9")]
    text = baseline.dumps(entries)
    assert text == baseline.dumps(reversed(entries))
    lines = text.splitlines()
    assert lines[3:6] == [
        '    {"path": "a.py", "rule_id": "r", "fingerprint": "9"},',
        '    {"path": "a.py", "rule_id": "z", "fingerprint": "1"},',
        '    {"path": "b.py", "rule_id": "r", "fingerprint": "2"}',
    ]
    doc = json.loads(text)
    assert set(doc) == {"version", "findings"}  # no timestamps, no line numbers
    assert all(set(e) == {"path", "rule_id", "fingerprint"} for e in doc["findings"])


def test_roundtrip_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    baseline.write(path, [baseline.Entry("a", "r", "f")],
                   [baseline.DetectSecretsEntry("a", "0" * 40, "AWS Access Key")])
    loaded = baseline.load(path, tmp_path)
    assert loaded.entries == {baseline.Entry("a", "r", "f")}
    assert loaded.hashes == {"a": frozenset({"0" * 40})}
    for content, message in [
        ("{", "not valid JSON"),
        ('{"version": 2}', "version: expected 1"),
        ('{"version": 1, "findings": [{"path": "a"}]}', "findings[0]: needs string fields"),
        ('{"version": 1, "findings": {}}', "findings: must be an array"),
    ]:
        path.write_text(content)
        with pytest.raises(ConfigError, match=re.escape(message)):
            baseline.load(path, tmp_path)


def test_baseline_survives_moves_and_edits_but_not_new_secrets(repo: Path, capsys) -> None:
    old, new = _keys(1, 2)
    app = repo / "app.cfg"
    app.write_text(f"[aws]\nkey = {old}\n")
    assert _blocking(capsys, "app.cfg")[0] == 1
    assert main(["baseline", "create"]) == 0
    assert "1 findings" in capsys.readouterr().out
    assert _blocking(capsys, "app.cfg") == (0, [])

    # Moving the line, editing around it: still accepted.
    app.write_text(f"# header\n\n[other]\nx = 1\n[aws]\n  key   =   {old}  # moved\n")
    assert _blocking(capsys, "app.cfg") == (0, [])
    # The same secret in another file, or a new secret: not accepted.
    (repo / "other.cfg").write_text(f"key = {old}\n")
    app.write_text(app.read_text() + f"key2 = {new}\n")
    code, findings = _blocking(capsys, "app.cfg", "other.cfg")
    assert code == 1
    assert sorted((f["source"], f["line"]) for f in findings) == [("app.cfg", 7), ("other.cfg", 1)]
    # Paths are relative to the baseline's folder, so scanning from a subfolder works.
    sub = repo / "sub"
    sub.mkdir()
    assert main(["scan", "--format", "json", str(repo / "app.cfg")]) == 1
    assert [f["line"] for f in json.loads(capsys.readouterr().out)["findings"]] == [7]


def test_create_refuses_to_overwrite_and_update_adds_and_drops(repo: Path, capsys) -> None:
    a, b, c = _keys(2, 3)
    (repo / "one.cfg").write_text(f"key = {a}\n")
    (repo / "two.cfg").write_text(f"key = {b}\n")
    assert main(["baseline", "create"]) == 0
    assert main(["baseline", "create"]) == 2
    assert "use `baseline update`" in capsys.readouterr().err

    (repo / "one.cfg").write_text("key = rotated-and-removed\n")
    (repo / "three.cfg").write_text(f"key = {c}\n")
    assert main(["baseline", "audit"]) == 1
    out = capsys.readouterr().out
    assert "1 present, 1 stale, 1 not in baseline" in out
    assert "stale    one.cfg" in out and "new      three.cfg:1" in out

    # Updating only some files keeps the others' entries.
    assert main(["baseline", "update", "three.cfg"]) == 0
    paths = [e["path"] for e in json.loads((repo / ".promptguard-baseline.json").read_text())[
        "findings"]]
    assert paths == ["one.cfg", "three.cfg", "two.cfg"]
    assert main(["baseline", "update"]) == 0
    assert "(0 added, 1 removed)" in capsys.readouterr().out
    assert main(["baseline", "audit", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["path"] for e in doc["present"]] == ["three.cfg", "two.cfg"]
    assert doc["stale"] == [] and doc["not_in_baseline"] == []
    for secret in (a, b, c):
        assert secret not in (repo / ".promptguard-baseline.json").read_text()


def test_update_creates_a_missing_baseline(repo: Path, capsys) -> None:
    (key,) = _keys(5, 1)
    (repo / "app.cfg").write_text(f"key = {key}\n")
    assert main(["baseline", "audit"]) == 2
    assert "no baseline yet" in capsys.readouterr().err
    assert main(["baseline", "update"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert _blocking(capsys, "app.cfg") == (0, [])


def test_configured_baseline_path(repo: Path, capsys) -> None:
    (key,) = _keys(3, 1)
    (repo / "app.cfg").write_text(f"key = {key}\n")
    (repo / ".promptguard.toml").write_text('[baseline]\npath = "ci/accepted.json"\n')
    (repo / "ci").mkdir()
    assert _blocking(capsys, "app.cfg")[0] == 1  # configured but not created yet: no error
    assert main(["baseline", "create"]) == 0
    capsys.readouterr()
    # Paths are relative to the project root, wherever the baseline lives.
    doc = json.loads((repo / "ci" / "accepted.json").read_text())
    assert doc["findings"][0]["path"] == "app.cfg"
    assert _blocking(capsys, "app.cfg") == (0, [])
    assert main(["scan", "--baseline", "missing.json", "app.cfg"]) == 2
    assert "missing.json: baseline file not found" in capsys.readouterr().err


@pytest.mark.skipif(DETECT_SECRETS is None, reason="detect-secrets not installed")
def test_detect_secrets_baseline_suppresses_the_same_secrets(repo: Path, capsys) -> None:
    assert DETECT_SECRETS is not None  # skipped without it
    known, unknown = _keys(4, 2)
    (repo / "app.cfg").write_text(f"aws_access_key_id = {known}\n")
    subprocess.run(["git", "add", "app.cfg"], check=True)
    result = subprocess.run([DETECT_SECRETS, "scan", "app.cfg"], check=True,
                            capture_output=True, text=True)
    (repo / ".secrets.baseline").write_text(result.stdout)
    ds = json.loads(result.stdout)["results"]["app.cfg"]
    assert [(e["type"], e["hashed_secret"]) for e in ds] == [
        ("AWS Access Key", baseline.sha1_hex(known)),
    ]
    # Moving the line does not matter to the SHA-1 match either.
    (repo / "app.cfg").write_text(f"# new first line\n\naws_access_key_id = {known}\n")

    # Used directly...
    assert _blocking(capsys, "app.cfg", extra=("--baseline", ".secrets.baseline")) == (0, [])
    # ...or imported: only what detect-secrets accepted is accepted.
    (repo / "new.cfg").write_text(f"aws_access_key_id = {unknown}\n")
    assert main(["baseline", "create", "--import-detect-secrets", ".secrets.baseline"]) == 0
    out = capsys.readouterr().out
    assert "1 detect-secrets entries and 1 of our findings they match" in out
    assert "1 finding(s) are not in the detect-secrets baseline" in out
    assert _blocking(capsys, "app.cfg") == (0, [])
    code, findings = _blocking(capsys, "new.cfg")
    assert code == 1 and findings[0]["source"] == "new.cfg"
    text = (repo / ".promptguard-baseline.json").read_text()
    assert known not in text and unknown not in text
    # The baseline files themselves are never scanned.
    assert _blocking(capsys, ".secrets.baseline", ".promptguard-baseline.json") == (0, [])


def test_detect_secrets_import_rebases_paths(tmp_path: Path) -> None:
    ds = tmp_path / "sub" / ".secrets.baseline"
    ds.parent.mkdir()
    ds.write_text(json.dumps({
        "version": "1.5.0", "plugins_used": [], "filters_used": [],
        "results": {"src/app.py": [{"type": "Secret Keyword", "filename": "src/app.py",
                                    "hashed_secret": "a" * 40, "line_number": 3}]},
    }))
    [entry] = baseline.import_detect_secrets(ds, tmp_path)
    assert entry == baseline.DetectSecretsEntry("sub/src/app.py", "a" * 40, "Secret Keyword")
    ds.write_text('{"version": 1, "findings": []}')
    with pytest.raises(ConfigError, match="not a detect-secrets baseline"):
        baseline.import_detect_secrets(ds, tmp_path)
