from __future__ import annotations

import json
import os
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from testing import fakes

from promptguard import audit
from promptguard.allowlist import blanket_pragmas
from promptguard.allowlist import glob_to_regex
from promptguard.cli import main

# Built by concatenation so this file holds no blanket pragma of its own.
PG = "promptguard" + ":"


@pytest.mark.parametrize(("line", "blanket"), [
    (f"x = 1  # {PG} allow[aws-access-key-id]", False),
    (f"x = 1  # {PG} allow[aws-access-key-id, github-pat]", False),
    (f"x = 1  # {PG}allow[generic-password]", False),
    (f"x = 1  # {PG} allow", True),
    (f"x = 1  # {PG} allow[]", True),
    (f"x = 1  # {PG} allow[*]", True),
    (f"x = 1  # {PG} allow[all]", True),
    (f"x = 1  # {PG} allow[Generic_Password]", True),
    (f"x = 1  # {PG} ignore", True),
    (f"x = 1  # {PG} disable[aws-access-key-id]", True),
    (f"x = 1  # {PG.upper()} allow[aws-access-key-id]", True),  # the engine would ignore it
    (f"see {PG} allowing things in the docs", False),
    ("x = 1  # noqa", False),
])
def test_blanket_pragmas(line: str, blanket: bool) -> None:
    found = blanket_pragmas(f"first line\n{line}\n")
    assert bool(found) is blanket
    if blanket:
        assert found[0].line == 2 and found[0].column == line.index(line.split("# ")[-1][:3]) + 1


@pytest.mark.parametrize(("glob", "path", "matches"), [
    ("docs/", "docs/a.md", True),
    ("docs/", "src/docs/a.md", True),  # as in .gitignore: no inner "/" = any depth
    ("/docs/", "src/docs/a.md", False),
    ("/docs/", "docs/a.md", True),
    ("docs/", "docs.md", False),
    ("*.md", "a.md", True),
    ("*.md", "deep/er/a.md", True),
    ("*.md", "a.mdx", False),
    ("tests/**/fixtures/*", "tests/fixtures/x.txt", True),
    ("tests/**/fixtures/*", "tests/a/b/fixtures/x.txt", True),
    ("tests/**/fixtures/*", "tests/a/b/fixtures/sub/x.txt", True),  # a folder matches too
    ("tests/**/fixtures/*", "src/tests/fixtures/x.txt", False),
    ("/README.md", "README.md", True),
    ("/README.md", "docs/README.md", False),
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/sub/a.py", False),
    ("file?.txt", "file1.txt", True),
    ("file[!0-9].txt", "file1.txt", False),
    ("file[!0-9].txt", "filex.txt", True),
    ("a+b.txt", "a+b.txt", True),
])
def test_glob_to_regex(glob: str, path: str, matches: bool) -> None:
    assert bool(re.match(glob_to_regex(glob), path)) is matches


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scan_json(capsys, *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["scan", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


def _audit_reasons() -> list[str]:
    records, _ = audit.read_records(Path(os.environ["PROMPTGUARD_AUDIT_LOG"]))
    return [r["reason"] for r in records]


def test_config_allowlists(project: Path, capsys) -> None:
    rng = random.Random(3)
    key = fakes.aws_key_id(rng)
    token = fakes.github_token(rng)
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text(f"example key {fakes.aws_key_id(rng)}\n")
    (project / "a.env").write_text(f"AWS_ACCESS_KEY_ID={key}\nGITHUB_TOKEN={token}\n")
    code, findings = _scan_json(capsys, "a.env", "docs/guide.md")
    assert code == 1 and len(findings) == 3
    aws_fp = next(f["fingerprint"] for f in findings
                  if f["rule_id"] == "aws-access-key-id" and f["source"] == "a.env")

    cfg = project / ".promptguard.toml"
    cfg.write_text(f'[allowlist]\npaths = ["docs/"]\nfingerprints = ["{aws_fp}"]\n')
    code, findings = _scan_json(capsys, "a.env", "docs/guide.md")
    assert code == 1
    assert [f["rule_id"] for f in findings] == ["github-personal-access-token"]

    # Regexes and stopwords look at the secret; line regexes at its line.
    for table in (f'regexes = ["^{token[:10]}"]', f'stopwords = ["{token[-8:].lower()}"]',
                  'line_regexes = ["^GITHUB_TOKEN="]'):
        cfg.write_text(f'[allowlist]\nfingerprints = ["{aws_fp}"]\n{table}\n')
        code, findings = _scan_json(capsys, "a.env")
        assert (code, findings) == (0, []), table
    reasons = _audit_reasons()
    assert {"allowlist.fingerprints", "allowlist.regexes", "allowlist.stopwords",
            "allowlist.line_regexes"} <= set(reasons)
    raw = Path(os.environ["PROMPTGUARD_AUDIT_LOG"]).read_text()
    assert key not in raw and token not in raw


def test_allowlists_apply_to_stdin_and_streamed_files(project: Path, capsys, monkeypatch) -> None:
    import io
    import sys

    from promptguard.sources import CHUNK_BYTES

    token = fakes.github_token(random.Random(9))
    (project / ".promptguard.toml").write_text(f'[allowlist]\nregexes = ["{token[-6:]}$"]\n')
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": io.BytesIO(
        f"my token {token}\n".encode())})())
    assert _scan_json(capsys, "-") == (0, [])
    big = project / "big.txt"
    filler = "x = 1  # filler line\n" * (CHUNK_BYTES // 21 + 10)
    big.write_text(filler + f"token: {token}\n" + filler)
    assert _scan_json(capsys, str(big)) == (0, [])
    (project / ".promptguard.toml").unlink()
    code, findings = _scan_json(capsys, str(big))
    assert code == 1 and len(findings) == 1


def test_blanket_pragma_is_reported_and_fails_pre_commit(project: Path, capsys) -> None:
    token = fakes.github_token(random.Random(5))
    path = project / "a.py"
    path.write_text(f'TOKEN = "{token}"  # {PG} allow\n')
    assert main(["scan", "a.py"]) == 1  # not honoured: the finding still blocks
    out = capsys.readouterr().out
    assert "a.py: note: line 1: blanket pragma is not honoured" in out
    path.write_text(f"# {PG} allow[*]\nnothing secret here\n")
    assert main(["scan", "a.py"]) == 0
    assert "blanket pragma" in capsys.readouterr().out
    assert main(["scan", "--surface", "pre-commit", "a.py"]) == 1
    assert "promptguard stopped this commit" in capsys.readouterr().out
    path.write_text(f'TOKEN = "{token}"  # {PG} allow[github-personal-access-token]\n')
    assert main(["scan", "--surface", "pre-commit", "a.py"]) == 0
