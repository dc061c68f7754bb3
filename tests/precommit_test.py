"""The pre-commit integration, driven through the real `pre-commit` and `git commit`.

The hook repository is a committed copy of this working tree (pre-commit
installs hooks from a commit), so the test exercises the code as it is now.
pre-commit builds the hook's virtualenv from it once per module (pip needs
PyPI for the dependencies); every scenario then runs `git commit`.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testing import fakes

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
DETECT_SECRETS = shutil.which("detect-secrets", path=str(BIN)) or shutil.which("detect-secrets")
PG = "promptguard" + ":"  # so this file holds no pragma of its own

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None or shutil.which("git") is None, reason="needs git and pre-commit",
)


def _manifest() -> dict[str, dict[str, Any]]:
    from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

    return {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}


def test_manifest_is_valid_and_follows_the_conventions() -> None:
    hooks = _manifest()
    assert set(hooks) == {"promptguard", "promptguard-prompts", "promptguard-system"}
    for hook in hooks.values():
        assert hook["minimum_pre_commit_version"] == "3.2.0"
        assert "--surface pre-commit" in hook["entry"]
        assert hook["pass_filenames"] is True
        assert "pre-commit" in hook["stages"]
    assert hooks["promptguard"]["language"] == "python"
    # pre-commit 4.4 renamed `system` to `unsupported` and maps the old name.
    assert hooks["promptguard-system"]["language"] in ("system", "unsupported")
    assert "--profile prompts" in hooks["promptguard-prompts"]["entry"]


@pytest.mark.parametrize(("path", "selected"), [
    ("CLAUDE.md", True),
    ("sub/dir/CLAUDE.md", True),
    ("CLAUDE.local.md", True),
    ("AGENTS.md", True),
    ("GEMINI.md", True),
    (".cursorrules", True),
    (".cursor/rules/style.mdc", True),
    (".claude/settings.json", True),
    (".claude/commands/review.md", True),
    (".windsurf/rules/x.md", True),
    (".github/copilot-instructions.md", True),
    (".github/instructions/python.instructions.md", True),
    (".github/prompts/release.prompt.md", True),
    ("docs/deploy.prompt.md", True),
    ("rules/any.mdc", True),
    ("README.md", False),
    ("CLAUDE.md.bak", False),
    ("src/claude.py", False),
    (".github/workflows/ci.yml", False),
    ("notcursor/x.md", False),
])
def test_prompts_hook_selects_agent_files(path: str, selected: bool) -> None:
    pattern = re.compile(_manifest()["promptguard-prompts"]["files"])
    assert bool(pattern.search(path)) is selected


# -- the real thing -------------------------------------------------------------------------
def _git(cwd: Path, *args: str, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True,
                          text=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree's package, committed."""
    dst = tmp_path_factory.mktemp("hook-repo")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    for name in filter(None, listed.split("\0")):
        top = name.split("/", 1)[0]
        if top in ("src", "rules") or name in ("pyproject.toml", "README.md",
                                               ".pre-commit-hooks.yaml"):
            src = ROOT / name
            if src.is_file():
                (dst / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst / name)
    _git(dst, "init", "-q")
    _git(dst, "add", "-A")
    _git(dst, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "snapshot")
    return dst, _git(dst, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


class Repo:
    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def write(self, name: str, text: str) -> None:
        (self.path / name).parent.mkdir(parents=True, exist_ok=True)
        (self.path / name).write_text(text)

    def commit(self, *names: str) -> subprocess.CompletedProcess[str]:
        """`git commit`; the hook's output (git sends it to stderr) is in .stdout."""
        _git(self.path, "add", *names, env=self.env)
        result = _git(self.path, "commit", "-m", "change", env=self.env, check=False)
        return subprocess.CompletedProcess(result.args, result.returncode,
                                           result.stdout + result.stderr, "")

    def promptguard(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "promptguard", *args], cwd=self.path,
                              env=self.env, capture_output=True, text=True)


def _make_repo(path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path,
               hooks: str, audit_log: Path) -> Repo:
    repo_path, rev = hook_repo
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PROMPTGUARD_POLICY": "",
        "PROMPTGUARD_AUDIT_LOG": str(audit_log),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    assert PRE_COMMIT is not None  # the module is skipped without it
    path.mkdir()
    _git(path, "init", "-q")
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path}\n    rev: {rev}\n    hooks:\n{hooks}",
    )
    subprocess.run([PRE_COMMIT, "install"], cwd=path, env=env, check=True, capture_output=True)
    _git(path, "add", ".pre-commit-config.yaml")
    _git(path, "commit", "-q", "--no-verify", "-m", "pre-commit config", env=env)
    return Repo(path, env)


@pytest.fixture
def repo(tmp_path: Path, hook_repo, pre_commit_home) -> Repo:
    return _make_repo(tmp_path / "work", hook_repo, pre_commit_home,
                      "      - id: promptguard\n      - id: promptguard-prompts\n",
                      tmp_path / "audit.jsonl")


def _key(seed: int) -> str:
    return fakes.aws_key_id(random.Random(seed))


def test_commit_with_a_secret_fails_readably_without_the_secret(repo: Repo) -> None:
    key = _key(1)
    repo.write("deploy/app.cfg", f"[aws]\naccess_key_id = {key}\n")
    result = repo.commit("deploy/app.cfg")
    out = result.stdout
    assert result.returncode != 0, out
    assert key not in out
    assert "deploy/app.cfg:2:" in out and "BLOCK aws-access-key-id" in out
    assert "promptguard stopped this commit" in out
    assert "promptguard: allow[aws-access-key-id]" in out
    assert "baseline update" in out
    assert _git(repo.path, "rev-list", "--count", "HEAD").stdout.strip() == "1"
    # The decision was audited, by surface, without the secret.
    log = Path(repo.env["PROMPTGUARD_AUDIT_LOG"]).read_text()
    assert key not in log
    assert [json.loads(x)["surface"] for x in log.splitlines()] == ["pre-commit"]


def test_the_pragma_lets_the_commit_through(repo: Repo) -> None:
    key = _key(2)
    repo.write("app.cfg", f"access_key_id = {key}  # {PG} allow[aws-access-key-id]\n")
    result = repo.commit("app.cfg")
    assert result.returncode == 0, result.stdout + result.stderr
    # A blanket pragma is rejected, even on a clean line.
    repo.write("notes.txt", f"nothing to see  # {PG} allow\n")
    result = repo.commit("notes.txt")
    assert result.returncode != 0
    assert "blanket pragma is not honoured" in result.stdout + result.stderr


def test_the_baseline_lets_it_through_and_moving_the_line_does_not_retrigger(repo: Repo) -> None:
    key, other = _key(3), _key(4)
    repo.write("app.cfg", f"access_key_id = {key}\n")
    assert repo.commit("app.cfg").returncode != 0
    created = repo.promptguard("baseline", "create")
    assert created.returncode == 0, created.stderr
    assert key not in (repo.path / ".promptguard-baseline.json").read_text()
    result = repo.commit("app.cfg", ".promptguard-baseline.json")
    assert result.returncode == 0, result.stdout + result.stderr

    repo.write("app.cfg", f"# config\n\n[section]\nregion = eu-west-1\naccess_key_id = {key}\n")
    result = repo.commit("app.cfg")
    assert result.returncode == 0, result.stdout + result.stderr

    repo.write("app.cfg", (repo.path / "app.cfg").read_text() + f"backup_key_id = {other}\n")
    result = repo.commit("app.cfg")
    assert result.returncode != 0
    assert "app.cfg:6:" in result.stdout and "app.cfg:5:" not in result.stdout


@pytest.mark.skipif(DETECT_SECRETS is None, reason="detect-secrets not installed")
def test_an_imported_detect_secrets_baseline_suppresses_the_same_secrets(repo: Repo) -> None:
    assert DETECT_SECRETS is not None  # skipped without it
    key, other = _key(5), _key(6)
    repo.write("app.cfg", f"access_key_id = {key}\n")
    _git(repo.path, "add", "app.cfg")
    generated = subprocess.run([DETECT_SECRETS, "scan"], cwd=repo.path, env=repo.env,
                               check=True, capture_output=True, text=True).stdout
    assert "app.cfg" in json.loads(generated)["results"]
    repo.write(".secrets.baseline", generated)
    assert repo.commit("app.cfg").returncode != 0

    imported = repo.promptguard("baseline", "create", "--import-detect-secrets",
                                ".secrets.baseline")
    assert imported.returncode == 0, imported.stderr
    result = repo.commit("app.cfg", ".promptguard-baseline.json", ".secrets.baseline")
    assert result.returncode == 0, result.stdout + result.stderr
    # Line moves do not matter; a secret detect-secrets never saw still blocks.
    repo.write("app.cfg", f"\n\naccess_key_id = {key}\nsecond = {other}\n")
    result = repo.commit("app.cfg")
    assert result.returncode != 0
    assert "app.cfg:4:" in result.stdout and "app.cfg:3:" not in result.stdout


@pytest.mark.skipif(DETECT_SECRETS is None, reason="detect-secrets not installed")
def test_a_detect_secrets_baseline_used_directly(tmp_path: Path, hook_repo,
                                                 pre_commit_home) -> None:
    hooks = "      - id: promptguard\n        args: [--baseline, .secrets.baseline]\n"
    repo = _make_repo(tmp_path / "work", hook_repo, pre_commit_home, hooks,
                      tmp_path / "audit.jsonl")
    assert DETECT_SECRETS is not None  # skipped without it
    key = _key(7)
    repo.write("app.cfg", f"access_key_id = {key}\n")
    _git(repo.path, "add", "app.cfg")
    repo.write(".secrets.baseline", subprocess.run(
        [DETECT_SECRETS, "scan"], cwd=repo.path, check=True, capture_output=True, text=True,
    ).stdout)
    result = repo.commit("app.cfg", ".secrets.baseline")
    assert result.returncode == 0, result.stdout + result.stderr


def test_prompt_files_get_the_prompts_profile(repo: Repo) -> None:
    # An email address only warns in code, but blocks in a file every agent reads.
    repo.write("src/contact.py", 'OWNER = "jane.roe@corp-mail.net"\n')
    result = repo.commit("src/contact.py")
    assert result.returncode == 0, result.stdout + result.stderr
    repo.write("CLAUDE.md", "Ask jane.roe@corp-mail.net before deploying.\n")
    result = repo.commit("CLAUDE.md")
    assert result.returncode != 0
    assert "CLAUDE.md:1:" in result.stdout and "BLOCK email-address" in result.stdout
    assert "jane.roe@corp-mail.net" not in result.stdout + result.stderr


def test_system_hook_uses_the_installed_promptguard(tmp_path: Path, hook_repo,
                                                    pre_commit_home) -> None:
    repo = _make_repo(tmp_path / "work", hook_repo, pre_commit_home,
                      "      - id: promptguard-system\n", tmp_path / "audit.jsonl")
    repo.write("app.cfg", f"access_key_id = {_key(8)}\n")
    assert repo.commit("app.cfg").returncode != 0
    (repo.path / ".promptguard.toml").write_text('[allowlist]\npaths = ["*.cfg"]\n')
    result = repo.commit("app.cfg", ".promptguard.toml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The hooks read these; the per-repo env sets them explicitly.
    for name in ("PROMPTGUARD_CONFIG", "PROMPTGUARD_USER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield
