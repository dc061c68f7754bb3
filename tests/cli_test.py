"""`promptguard scan` end to end: main([...]) return codes and output."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from testing import fakes

from promptguard.cli import main


def _secret_prompt(seed: int = 11) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    key_id, secret = fakes.aws_key_id(rng), fakes.aws_secret(rng)
    url, db_password = fakes.postgres_url(rng)
    values = [
        key_id, secret, fakes.github_token(rng), db_password, fakes.anthropic_key(rng),
        fakes.openai_project_key(rng), fakes.luhn_card(rng), fakes.slack_bot_token(rng),
        fakes.stripe_live_key(rng),
    ]
    lines = [
        f"aws_access_key_id = {key_id}",
        f"aws_secret_access_key = {secret}",
        f"my github token is {values[2]}",
        f"DATABASE_URL={url}",
        f"ANTHROPIC_API_KEY={values[4]}",
        f'client = OpenAI(api_key="{values[5]}")',
        f"charge card {values[6][:4]} {values[6][4:8]} {values[6][8:12]} {values[6][12:]} for $20",
        f"SLACK_BOT_TOKEN={values[7]}",
        f"stripe.api_key = '{values[8]}'",
    ]
    return "Can you help me debug this?\n" + "\n".join(lines) + "\nThanks!\n", values


LOOKALIKE = """\
Why does this fail? The last good commit was 3f7c2a9d81e04b5c6a7f8e9d0c1b2a3f4e5d6c7b
and the build id is 9b2f6c1e-4d3a-4f8e-9a1b-2c3d4e5f6a7b.
package-lock.json has "integrity": \
"sha512-Jd3kL9mQ2vX8pR5tY7wZ1aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV4wX6yZ8aB0cD2eF4gH6iJ8kL0mN2oP4qQ=="
The code reads the key with os.environ["OPENAI_API_KEY"] and the docs say to paste <your-api-key>.
AWS docs use AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY as the example pair.
Stripe's test card 4242 4242 4242 4242 works in test mode.
"""


@pytest.fixture
def prompt_file(tmp_path: Path) -> tuple[Path, list[str]]:
    text, values = _secret_prompt()
    path = tmp_path / "prompt.txt"
    path.write_text(text)
    return path, values


def test_secret_prompt_blocks_with_a_finding_per_line(prompt_file, capsys) -> None:
    path, values = prompt_file
    assert main(["scan", "--format", "json", str(path)]) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out)
    lines = {f["line"] for f in doc["findings"]}
    assert lines >= set(range(2, 11)), sorted(lines)
    for v in values:
        assert v not in out and v not in err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_format_leaks_a_value(prompt_file, capsys, fmt: str) -> None:
    path, values = prompt_file
    assert main(["scan", "--format", fmt, "--color", "always", str(path)]) == 1
    out, err = capsys.readouterr()
    for v in values:
        assert v not in out and v not in err
    # A card number printed with spaces removed would also be a leak.
    assert values[6] not in out.replace(" ", "")


def test_lookalike_prompt_is_clean(tmp_path: Path, capsys) -> None:
    path = tmp_path / "lookalike.txt"
    path.write_text(LOOKALIKE)
    code = main(["scan", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0, out


def test_stdin_and_stdin_name(monkeypatch, capsys) -> None:
    text, _ = _secret_prompt(5)
    monkeypatch.setattr(sys, "stdin", _FakeStdin(text.encode()))
    assert main(["scan", "--stdin-name", "prompt.md", "-"]) == 1
    out, _ = capsys.readouterr()
    assert "prompt.md:2:" in out


def test_stdin_among_files_is_reported_first(tmp_path: Path, monkeypatch, capsys) -> None:
    text, _ = _secret_prompt(6)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.env").write_text(text)
    monkeypatch.setattr(sys, "stdin", _FakeStdin(text.encode()))
    # The walk is read lazily; stdin, named last, is still scanned and listed first.
    assert main(["scan", "--format", "json", "--stdin-name", "prompt.md", str(tmp_path), "-"]) == 1
    sources = [f["source"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert sources[0] == "prompt.md"
    assert set(sources) == {"prompt.md", str(tmp_path / "sub" / "a.env")}


class _FakeStdin:
    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)


def test_sarif_shape(prompt_file, capsys) -> None:
    path, _ = prompt_file
    main(["scan", "--format", "sarif", str(path)])
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["partialFingerprints"]
        float(run["tool"]["driver"]["rules"][result["ruleIndex"]]["properties"]["security-severity"])


def test_binary_and_non_utf8_files_are_reported_not_lost(tmp_path: Path, capsys) -> None:
    rng = random.Random(2)
    token = fakes.github_token(rng)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" + token.encode())
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9 token " + token.encode() + b"\n")
    assert main(["scan", str(tmp_path / "blob.bin"), str(tmp_path / "latin1.txt")]) == 1
    out, _ = capsys.readouterr()
    assert "blob.bin: note: skipped: binary content" in out
    assert "latin1.txt: note: not valid UTF-8" in out
    assert "latin1.txt:1:" in out
    assert token not in out


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys) -> None:
    # A typo must never read as "clean": exit 2, naming the path.
    (tmp_path / "real.txt").write_text("nothing here\n")
    missing = tmp_path / "nope.txt"
    assert main(["scan", str(tmp_path / "real.txt"), str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: no such file or directory" in err


def test_dangling_symlink_is_a_usage_error(tmp_path: Path, capsys) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert main(["scan", str(link)]) == 2
    assert f"{link}: no such file or directory" in capsys.readouterr().err


def test_directory_honours_gitignore(tmp_path: Path, capsys) -> None:
    rng = random.Random(4)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "x.txt").write_text(fakes.github_token(rng))
    (tmp_path / "kept.txt").write_text(fakes.github_token(rng))
    assert main(["scan", "--format", "json", str(tmp_path)]) == 1
    sources = {f["source"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert sources == {str(tmp_path / "kept.txt")}


def test_named_ignored_directory_is_still_scanned(tmp_path: Path, capsys) -> None:
    # Naming a directory is asking for it: .gitignore must not turn that
    # into a silent all-clear.
    rng = random.Random(6)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text(fakes.github_token(rng))
    assert main(["scan", str(tmp_path / "build")]) == 1
    assert "1 source" in capsys.readouterr().out


def test_large_file_is_streamed(tmp_path: Path, capsys) -> None:
    from promptguard.sources import CHUNK_BYTES

    rng = random.Random(8)
    token = fakes.github_token(rng)
    filler = ("x = 1  # filler line\n" * (CHUNK_BYTES // 21 + 10))
    path = tmp_path / "big.txt"
    path.write_text(filler + f"token: {token}\n" + filler)
    assert main(["scan", "--format", "json", str(path)]) == 1
    [f] = json.loads(capsys.readouterr().out)["findings"]
    assert f["line"] == filler.count("\n") + 1
    assert f["column"] == 8


def test_bad_rule_pack_is_exit_2_naming_file_and_rule(tmp_path: Path, capsys) -> None:
    pack = tmp_path / "bad.toml"
    pack.write_text(
        'schema_version = 1\n[[rules]]\nid = "my-rule"\nname = "n"\ndescription = "d"\n'
        'category = "secret"\nseverity = "high"\nconfidence = "prefix"\n'
        "regex = '''(unclosed'''\nkeywords = [\"x\"]\n",
    )
    assert main(["scan", "--rules", str(pack), "-"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "my-rule" in err and "does not compile" in err


def test_usage_error_is_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--format", "yaml"])
    assert exc.value.code == 2


def test_rules_list_and_check(capsys) -> None:
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "rules:" in out.splitlines()[-1]
    assert main(["rules", "check"]) == 0


def test_internal_error_is_exit_3_without_message(tmp_path: Path, monkeypatch, capsys) -> None:
    from promptguard.commands import scan

    def boom(*a: object, **k: object) -> object:
        raise RuntimeError("sk_live_should_never_be_printed")

    monkeypatch.setattr(scan, "build_report", boom)
    (tmp_path / "a.txt").write_text("hello\n")
    assert main(["scan", str(tmp_path / "a.txt")]) == 3
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "should_never" not in err


def test_a_scan_does_not_import_shutil(tmp_path: Path) -> None:
    # argparse's default formatter imports shutil (and with it bz2 and lzma)
    # for every add_argument: ~2.5 ms of each hook process.
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("nothing to see here\n")
    code = (
        "import sys\nfrom promptguard.cli import main\n"
        f"rc = main(['scan', {str(prompt)!r}])\n"
        "print('MODS', [m for m in ('shutil', 'bz2', 'lzma') if m in sys.modules], rc,"
        " file=sys.stderr)\n"
    )
    # The first run builds the rules cache (which may import anything).
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=60)
    assert "MODS [] 0" in proc.stderr, proc.stderr


def test_help_wraps_to_the_columns_setting(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    narrow = capsys.readouterr().out.splitlines()
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    wide = capsys.readouterr().out.splitlines()
    # The same help, wrapped to each width (long choice lists cannot wrap).
    assert len(narrow) > len(wide) + 10
    assert sum(len(line) <= 50 for line in narrow) > 0.8 * len(narrow)
    assert any(len(line) > 100 for line in wide)
