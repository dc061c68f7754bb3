from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest
from testing import fakes

from promptguard import config
from promptguard.cli import main
from promptguard.errors import ConfigError


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Org policy and user config paths under tmp (conftest already isolates HOME)."""
    paths = {
        "org": tmp_path / "etc" / "policy.toml",
        "user": tmp_path / "home" / "config.toml",
        "project": tmp_path / "repo",
    }
    paths["org"].parent.mkdir()
    paths["user"].parent.mkdir()
    paths["project"].mkdir()
    subprocess.run(["git", "init", "-q", str(paths["project"])], check=True)
    monkeypatch.setenv("PROMPTGUARD_POLICY", str(paths["org"]))
    monkeypatch.setenv("PROMPTGUARD_USER_CONFIG", str(paths["user"]))
    paths["org"].write_text("")
    monkeypatch.chdir(paths["project"])
    return paths


def _load(start: Path, **cli: object) -> config.Config:
    return config.load(start, config.CliOverrides(**cli))  # type: ignore[arg-type]


# -- discovery ---------------------------------------------------------------
def test_discovers_project_config_walking_up(env) -> None:
    repo = env["project"]
    (repo / ".promptguard.toml").write_text('[policy.category]\npii = "block"\n')
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    cfg = _load(deep / "file.txt")
    project = cfg.file("project")
    assert project is not None
    assert project.path == repo / ".promptguard.toml"
    assert cfg.root == repo


def test_pyproject_tool_table_counts_only_with_the_section(env) -> None:
    repo = env["project"]
    sub = repo / "pkg"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.promptguard]
    (repo / "pyproject.toml").write_text('[tool.promptguard]\nprofile = "strict"\n')
    cfg = _load(sub)
    project = cfg.file("project")
    assert project is not None
    assert project.path == repo / "pyproject.toml"
    assert cfg.policy.profile.value == "strict"
    assert cfg.policy.profile.key == "tool.promptguard.profile"


def test_discovery_stops_at_the_repository_root(env, tmp_path: Path) -> None:
    # A config above the repository must not apply to it.
    (tmp_path / ".promptguard.toml").write_text('profile = "strict"\n')
    cfg = _load(env["project"])
    assert cfg.file("project") is None
    assert cfg.policy.profile.value == "default"
    assert cfg.root == env["project"]


def test_explicit_config_and_missing_files(env, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('profile = "prompts"\n')
    assert _load(env["project"], config=other).policy.profile.value == "prompts"
    with pytest.raises(ConfigError, match=r"missing\.toml: config file not found"):
        _load(env["project"], config=tmp_path / "missing.toml")


def test_org_policy_from_env_must_exist(env, monkeypatch) -> None:
    monkeypatch.setenv("PROMPTGUARD_POLICY", str(env["org"].with_name("nope.toml")))
    with pytest.raises(ConfigError, match=r"nope\.toml: org policy not found"):
        _load(env["project"])


def test_locations_from_env(tmp_path: Path) -> None:
    loc = config.Locations.from_env({
        "PROMPTGUARD_POLICY": "", "PROMPTGUARD_USER_CONFIG": str(tmp_path / "u.toml"),
        "PROMPTGUARD_AUDIT_LOG": str(tmp_path / "a.jsonl"),
    })
    assert loc.org is None and loc.user == tmp_path / "u.toml"
    assert loc.audit_log == tmp_path / "a.jsonl"
    loc = config.Locations.from_env({"XDG_CONFIG_HOME": str(tmp_path)})
    assert loc.user == tmp_path / "promptguard" / "config.toml"
    assert loc.org == config.system_policy_path() and not loc.org_required


# -- precedence ------------------------------------------------------------------
def test_precedence_and_provenance(env) -> None:
    env["org"].write_text('profile = "strict"\n[policy.category]\nclient = "allow"\n')
    env["user"].write_text('profile = "enterprise-api"\n[policy.category]\npii = "allow"\n')
    (env["project"] / ".promptguard.toml").write_text('[policy.category]\npii = "redact"\n')
    cfg = _load(env["project"])
    assert cfg.policy.profile.value == "enterprise-api"  # user beats org
    pii = cfg.policy.resolve("cli", "pii")
    assert (pii.action, pii.base.layer) == ("redact", "project")
    client = cfg.policy.resolve("cli", "client")
    assert (client.action, client.base.layer) == ("allow", "org policy")
    # The command line beats them all.
    assert _load(env["project"], profile="prompts").policy.profile.value == "prompts"


def test_allowlists_add_up_across_files(env) -> None:
    env["org"].write_text('[allowlist]\nstopwords = ["orgword"]\n')
    env["user"].write_text('[allowlist]\nfingerprints = ["abc"]\n')
    (env["project"] / ".promptguard.toml").write_text('[allowlist]\npaths = ["docs/"]\n')
    allow = _load(env["project"]).allowlist
    assert allow.stopwords == ("orgword",)
    assert allow.fingerprints == frozenset({"abc"})
    assert allow.paths == ("docs/",)


def test_audit_settings(env, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PROMPTGUARD_AUDIT_LOG")
    env["user"].write_text(f'[audit]\npath = "{tmp_path / "u.jsonl"}"\nbackups = 2\n')
    cfg = _load(env["project"])
    assert cfg.audit.enabled and cfg.audit.path == tmp_path / "u.jsonl"
    assert cfg.audit.backups == 2
    (env["project"] / ".promptguard.toml").write_text("[audit]\nenabled = false\n")
    cfg = _load(env["project"])
    assert not cfg.audit.enabled and ".promptguard.toml" in cfg.audit.reason
    assert not _load(env["project"] / "x", no_audit=True).audit.enabled
    # The org can require it: neither the project nor --no-audit turns it off.
    env["org"].write_text("[locks]\naudit = true\n")
    cfg = _load(env["project"], no_audit=True)
    assert cfg.audit.enabled and "required by org policy" in cfg.audit.reason


def test_clients_and_redaction_tables_are_kept(env) -> None:
    (env["project"] / ".promptguard.toml").write_text(
        '[clients]\nnames = ["Globex"]\n[redaction]\nttl_hours = 2\n',
    )
    cfg = _load(env["project"])
    assert [src for src, _ in cfg.clients] == [str(env["project"] / ".promptguard.toml")]
    assert cfg.redaction[0][1] == {"ttl_hours": 2}


# -- malformed config: exit 2, naming file and key -------------------------------------
MALFORMED = [
    pytest.param("profile = \n", "invalid TOML", id="bad-toml"),
    pytest.param('colour = "red"\n', "colour: unknown key", id="unknown-top-level"),
    pytest.param('[policy]\nactions = {}\n', "policy.actions: unknown key", id="unknown-nested"),
    pytest.param('[policy.category]\npii = "warning"\n',
                 "policy.category.pii: 'warning' is not an action", id="bad-action"),
    pytest.param('[policy.category]\nsecrets = "warn"\n',
                 "policy.category.secrets: unknown category", id="unknown-category"),
    pytest.param('[policy.surfaces.slack.category]\npii = "warn"\n',
                 "policy.surfaces.slack: unknown surface", id="unknown-surface"),
    pytest.param('[policy.rule]\n"Not_A_Rule" = "warn"\n',
                 "policy.rule.Not_A_Rule: 'Not_A_Rule' is not a rule id", id="bad-rule-id"),
    pytest.param('[policy.surfaces.cli]\non_error = "maybe"\n',
                 'policy.surfaces.cli.on_error: must be "block" or "allow"', id="bad-on-error"),
    pytest.param('[allowlist]\nregexes = ["ok", "(unclosed"]\n',
                 "allowlist.regexes[1]: regex does not compile", id="bad-regex"),
    pytest.param('[allowlist]\npaths = "docs/"\n', "allowlist.paths: must be an array of strings",
                 id="wrong-type"),
    pytest.param('[allowlist]\nstopwords = ["Upper"]\n', "allowlist.stopwords[0]: must be",
                 id="stopword-case"),
    pytest.param('profile = "lenient"\n', "profile: unknown profile 'lenient'", id="bad-profile"),
    pytest.param('[locks.category]\nsecret = "block"\n', "locks: unknown key",
                 id="locks-outside-org"),
    pytest.param('[audit]\npath = "/tmp/elsewhere"\n', "audit.path: unknown key",
                 id="audit-path-in-project"),
    pytest.param("[audit]\nenabled = 1\n", "audit.enabled: must be true or false", id="bad-bool"),
    pytest.param('policy = "strict"\n', "policy: must be a table, not a string", id="not-a-table"),
    pytest.param('[clients]\nnames = "Globex"\n', "clients.names: must be", id="clients-validated"),
    # Once only `redact` noticed these; `config check` said "ok".
    pytest.param('[redaction]\nanything = "goes"\n', "redaction.anything: unknown key",
                 id="redaction-unknown-key"),
    pytest.param('[redaction]\nttl_hours = -1\n', "redaction.ttl_hours: must be a positive",
                 id="redaction-bad-ttl"),
    pytest.param('[redaction]\nrestorable = ["secrets"]\n',
                 "redaction.restorable: must be a list of categories", id="redaction-bad-category"),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_malformed_project_config_is_exit_2_naming_file_and_key(
    env, capsys, content: str, message: str,
) -> None:
    path = env["project"] / ".promptguard.toml"
    path.write_text(content)
    (env["project"] / "x.txt").write_text("nothing here\n")
    assert main(["scan", str(env["project"] / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: " in err and message in err, err
    assert main(["config", "check"]) == 2
    assert message in capsys.readouterr().err


def test_pyproject_redaction_errors_name_the_tool_table(env, capsys) -> None:
    (env["project"] / "pyproject.toml").write_text(
        '[tool.promptguard.redaction]\nttl_hours = "1"\n',
    )
    assert main(["config", "check"]) == 2
    assert "pyproject.toml: tool.promptguard.redaction.ttl_hours: must be a positive number" in (
        capsys.readouterr().err
    )


def test_pyproject_errors_name_the_tool_table(env, capsys) -> None:
    (env["project"] / "pyproject.toml").write_text('[tool.promptguard.policy.category]\npii = 3\n')
    assert main(["config", "check"]) == 2
    assert "pyproject.toml: tool.promptguard.policy.category.pii: 3 is not an action" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(("content", "message"), [
    ('[locks.category]\npii = "please"\n', "locks.category.pii: 'please' is not an action"),
    ('[locks]\non_error = "allow"\n', 'locks.on_error: only "block" can be locked'),
    ('[audit.forward.http]\nurl = "ftp://x"\n', "audit.forward.http.url: must be an http(s) URL"),
    ('[audit.forward.syslog]\nfacility = "mail2"\n', "audit.forward.syslog.facility"),
])
def test_malformed_org_policy(env, capsys, content: str, message: str) -> None:
    env["org"].write_text(content)
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert str(env["org"]) in err and message in err, err


# -- the acceptance item: a lock overrides a project downgrade, and config show says why ---
def test_org_lock_overrides_project_downgrade_and_config_show_says_why(env, capsys) -> None:
    env["org"].write_text('[locks.category]\nsecret = "block"\n')
    project_cfg = env["project"] / ".promptguard.toml"
    project_cfg.write_text('[policy.category]\nsecret = "warn"\npii = "allow"\n')
    key = fakes.aws_key_id(random.Random(41))
    (env["project"] / "app.env").write_text(f"AWS_ACCESS_KEY_ID={key}\n")

    assert main(["scan", "--format", "json", "app.env"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding["action"] == "block"

    assert main(["config", "show", "--surface", "cli"]) == 0
    out = capsys.readouterr().out
    [line] = [x for x in out.splitlines() if x.startswith("  cli.secret = ")]
    assert f"locked by org policy {env['org']} (locks.category.secret = block)" in line
    assert f"{project_cfg} (policy.category.secret) asked for warn" in line
    assert "block*" in out  # flagged in the matrix
    # Unlocked downgrades still apply.
    assert "  cli.pii = allow: project " in out

    assert main(["config", "show", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    cell = doc["surfaces"]["pre-commit"]["categories"]["secret"]
    assert cell["action"] == "block" and cell["locked_by"] == str(env["org"])
    assert cell["requested"] == "warn"
    assert doc["locks"] == [{"key": "locks.category.secret", "minimum": "block",
                             "source": str(env["org"])}]


def test_config_check_reports_unknown_rule_ids(env, capsys) -> None:
    (env["project"] / ".promptguard.toml").write_text(
        '[policy.rule]\naws-access-key-id = "block"\n'
        '[policy.surfaces.clipboard.rule]\naws-acess-key-id = "warn"\n',
    )
    assert main(["config", "check"]) == 1
    out = capsys.readouterr().out
    assert "policy.surfaces.clipboard.rule.aws-acess-key-id: no loaded rule" in out
    assert "policy.rule.aws-access-key-id" not in out
    (env["project"] / ".promptguard.toml").write_text('[policy.rule]\naws-access-key-id = "warn"\n')
    assert main(["config", "check"]) == 0
    assert "ok: 2 config file(s) checked" in capsys.readouterr().out  # project + org


def test_profile_flag_on_scan(env, capsys) -> None:
    (env["project"] / "p.txt").write_text("nothing\n")
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--profile", "lenient", "p.txt"])
    assert exc.value.code == 2
    assert main(["scan", "--profile", "strict", "p.txt"]) == 0


def test_the_documented_examples_are_valid(repo_root: Path, tmp_path: Path) -> None:
    import re

    doc = (repo_root / "docs" / "policy.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.toml"
        path.write_text(block)
        config.read_file(path, "org" if "[locks]" in block else "project")


def test_config_check_knows_the_client_detectors_rule_ids(env, capsys) -> None:
    # `scan` applies these (the client detector reports them); check once
    # called them unknown.
    env["org"].write_text(
        '[policy.rule]\nclient-name = "block"\nclient-id = "redact"\n'
        '[policy.surfaces.cli.rule]\nclient-person = "warn"\nclient-domain = "warn"\n'
        'client-codename = "warn"\n',
    )
    (env["project"] / ".promptguard.toml").write_text(
        '[clients]\nnames = ["Globex"]\nids = [{ label = "TICKET", regex = \'SUP-[0-9]{5}\' }]\n'
        '[policy.rule]\nclient-ticket = "block"\nclient-tickets = "block"\n',
    )
    assert main(["config", "check"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[:-1] == [
        f"{env['project'] / '.promptguard.toml'}: policy.rule.client-tickets: no loaded rule "
        "has this id (a typo, or a pack not passed with --rules?)",
    ]
    (env["project"] / "x.txt").write_text("Globex asked again\n")
    assert main(["scan", "x.txt"]) == 1  # and scan applies client-name = "block"
