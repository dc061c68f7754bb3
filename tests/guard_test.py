"""The guard service: one pipeline (scan, screen, decide, on_error, audit)."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from testing import fakes

from promptguard.cli import main
from promptguard.guard import Guard
from promptguard.guard import GuardOptions

RNG = random.Random(808)
AWS_KEY = fakes.aws_key_id(RNG)
GH_TOKEN = fakes.github_token(RNG)
CARD = fakes.luhn_card(RNG)

SLOW_PACK = (
    "schema_version = 1\n[[rules]]\n"
    'id = "pgtest-slow"\nname = "slow"\ndescription = "catastrophic backtracking"\n'
    'category = "secret"\nseverity = "high"\nconfidence = "prefix"\n'
    "regex = '''(?:a|aa)+$'''\nkeywords = [\"aa\"]\n"
    'examples = ["aa"]\nnegative_examples = ["b"]\nreferences = ["https://example.org"]\n'
)
SLOW_TEXT = "a" * 5000 + "b\n"


def _audit_records() -> list[dict[str, object]]:
    path = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_check_decides_per_surface(tmp_path: Path) -> None:
    text = f"key {AWS_KEY}\ncard {CARD}\n"
    cli = Guard.load("cli", start=tmp_path).check(text, source="t")
    chat = Guard.load("chat", start=tmp_path).check(text, source="t")
    assert cli.action == "block" == chat.action
    assert {(d.finding.rule_id, d.action) for d in cli.decisions} >= {
        ("aws-access-key-id", "block")}
    card_actions = {d.finding.category: d.action for d in chat.decisions}
    assert card_actions["pii"] == "redact"
    assert {d.finding.category: d.action for d in cli.decisions}["pii"] == "warn"
    assert AWS_KEY not in repr(cli) and AWS_KEY not in cli.summary()
    assert "aws-access-key-id" in cli.summary()


def test_clean_text_is_allowed(tmp_path: Path) -> None:
    v = Guard.load("claude-code", start=tmp_path).check("hello world\n")
    assert v.action == "allow" and v.decisions == () and not v.failed


def test_a_scan_with_nothing_found_gets_the_verdict_deciding_would_build(
    tmp_path: Path,
) -> None:
    # _screened answers an empty result without screening or deciding; it
    # must be the verdict the full path builds from no findings.
    from promptguard.models import ScanResult
    from promptguard.sources import Note

    guard = Guard.load("cli", start=tmp_path)
    notes = [Note("f.txt", "a note")]
    fast = guard._screened(ScanResult([], []), "f.txt", list(notes), audit=True)
    full = guard._verdict("f.txt", [], [], [], list(notes), audit=True)
    assert fast == full
    assert _audit_records() == []


def test_allowlist_and_baseline_are_allow_decisions(tmp_path: Path) -> None:
    (tmp_path / ".promptguard.toml").write_text(f'[allowlist]\nregexes = ["^{AWS_KEY}$"]\n')
    v = Guard.load("cli", start=tmp_path).check(f"{AWS_KEY} {GH_TOKEN}\n", source="x")
    reasons = {d.finding.rule_id: (d.action, d.reason) for d in v.decisions}
    assert reasons["aws-access-key-id"] == ("allow", "allowlist.regexes")
    assert reasons["github-personal-access-token"] == ("block", "policy")
    assert [f.rule_id for f in v.findings] == ["github-personal-access-token"]


def test_redact_replaces_what_policy_redacts_or_blocks(tmp_path: Path) -> None:
    guard = Guard.load("chat", start=tmp_path)
    v = guard.redact(f"key {AWS_KEY} card {CARD}\n", session="g1")
    assert v.text == "key <AWS_ACCESS_KEY_ID_1> card <CARD_1>\n"
    assert {r.placeholder for r in v.replacements} == {"<AWS_ACCESS_KEY_ID_1>", "<CARD_1>"}
    # Same session, same value: same placeholder; restorable PII comes back.
    again = guard.redact(f"card {CARD}\n", session="g1")
    assert again.text == "card <CARD_1>\n"
    assert guard.restorer(session="g1").restore("pay <CARD_1>") == f"pay {CARD}"
    # Idempotent: redacting the redacted text changes nothing.
    assert guard.redact(v.text, session="g1").text == v.text


def test_regex_timeout_fails_closed_by_default(tmp_path: Path) -> None:
    pack = tmp_path / "slow.toml"
    pack.write_text(SLOW_PACK)
    options = GuardOptions(rules=(pack,), builtin_rules=False, regex_timeout=0.01)
    v = Guard.load("claude-code", start=tmp_path, options=options).check(SLOW_TEXT)
    assert v.failed and v.action == "block"
    assert any("on_error = block" in n.message for n in v.notes)


def test_regex_timeout_fails_open_when_policy_says_so(tmp_path: Path) -> None:
    pack = tmp_path / "slow.toml"
    pack.write_text(SLOW_PACK)
    (tmp_path / ".promptguard.toml").write_text('[policy]\non_error = "allow"\n')
    options = GuardOptions(rules=(pack,), builtin_rules=False, regex_timeout=0.01)
    v = Guard.load("claude-code", start=tmp_path, options=options).check(SLOW_TEXT)
    assert v.failed and v.action == "allow"


@pytest.mark.parametrize(("policy", "code"), [("", 1), ('[policy]\non_error = "allow"\n', 0)])
def test_scan_applies_on_error(tmp_path: Path, capsys, policy: str, code: int) -> None:
    # Before the guard, no command read on_error: a timeout exited 0.
    pack = tmp_path / "slow.toml"
    pack.write_text(SLOW_PACK)
    (tmp_path / ".promptguard.toml").write_text(policy)
    src = tmp_path / "in.txt"
    src.write_text(SLOW_TEXT)
    argv = ["scan", "--no-builtin-rules", "--rules", str(pack), "--regex-timeout", "0.01",
            str(src)]
    assert main(argv) == code
    assert "pgtest-slow" in capsys.readouterr().out


def test_audit_records_every_decision_without_content(tmp_path: Path) -> None:
    guard = Guard.load("gateway", start=tmp_path)
    guard.check(f"{GH_TOKEN}\n", source="req-1")
    records = _audit_records()
    assert [(r["surface"], r["action"], r["source"]) for r in records] == [
        ("gateway", "block", "req-1")]
    assert GH_TOKEN not in Path(os.environ["PROMPTGUARD_AUDIT_LOG"]).read_text()
    guard.check("nothing\n", source="req-2")
    assert len(_audit_records()) == 1  # nothing decided, nothing written


def test_check_stream_matches_check(tmp_path: Path) -> None:
    guard = Guard.load("cli", start=tmp_path, options=GuardOptions(audit=False))
    text = "x\n" * 1000 + f"k = {AWS_KEY}\n" + "y\n" * 1000
    whole = guard.check(text, source="s")
    chunks = [text[i:i + 777] for i in range(0, len(text), 777)]
    streamed = guard.check_stream(chunks, source="s")
    assert [(d.finding.rule_id, d.finding.start, d.action) for d in whole.decisions] == [
        (d.finding.rule_id, d.finding.start, d.action) for d in streamed.decisions]


def test_check_file_missing_is_input_error(tmp_path: Path) -> None:
    from promptguard.errors import InputError

    guard = Guard.load("cli", start=tmp_path)
    with pytest.raises(InputError, match=r"nope\.txt: cannot read"):
        guard.check_file(tmp_path / "nope.txt")


def test_unknown_surface_is_config_error(tmp_path: Path) -> None:
    from promptguard.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown surface 'slack'"):
        Guard.load("slack", start=tmp_path)


def test_decide_follows_a_replaced_config(tmp_path: Path) -> None:
    # decide() is memoised per policy: a guard given another config (as a
    # long-lived host reloading it would) answers from the new policy.
    text = f"card {CARD}\n"
    guard = Guard.load("cli", start=tmp_path)
    card = next(d.finding for d in guard.check(text, source="t", audit=False).decisions
                if d.finding.category == "pii")
    assert guard.decide(card) == "warn" == guard.decide(card)
    guard.config = Guard.load("cli", start=tmp_path,
                              options=GuardOptions(profile="strict")).config
    assert guard.decide(card) == "block"


def test_files_leaves_out_the_baseline_target_by_name_when_walked_and_by_link_when_named(
    tmp_path: Path,
) -> None:
    # A walk yields regular files only, so the target is recognised by its
    # name there; a named symlink to it is resolved.
    (tmp_path / ".promptguard.toml").write_text('[baseline]\npath = "records/known.json"\n')
    target = tmp_path / "records" / "known.json"
    target.parent.mkdir()
    target.write_text('{"version": 1, "findings": []}')
    (tmp_path / "records" / "notes.txt").write_text("x")
    link = tmp_path / "alias.json"
    link.symlink_to(target)
    guard = Guard.load("cli", start=tmp_path)
    notes: list[object] = []
    walked = guard.files([tmp_path / "records"], notes)  # type: ignore[arg-type]
    assert walked == [tmp_path / "records" / "notes.txt"]
    assert guard.files([link, tmp_path / "records" / "notes.txt"], notes) == [  # type: ignore[arg-type]
        tmp_path / "records" / "notes.txt"]
