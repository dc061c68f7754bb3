"""The repository's own tooling: pins that must agree, and what mypy checks."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: <3.11 cover
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _hook_rev(repo_url: str) -> str:
    # A line-based read: the config is ours and flat, and PyYAML has no stubs.
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    m = re.search(rf"- repo: {re.escape(repo_url)}\n\s+rev: (\S+)", text)
    assert m is not None, f"no {repo_url} hook in .pre-commit-config.yaml"
    return m.group(1)


def _lint_requirement(name: str) -> str:
    extras = _pyproject()["project"]["optional-dependencies"]
    # The test extra pulls the lint extra in: CI runs the linters as tests.
    assert "promptguard[lint]" in extras["test"]
    found = [r for r in extras["lint"] if re.match(rf"{re.escape(name)}\b(?![-_])", r)]
    assert found, f"{name} is not in the lint extra"
    return str(found[0])


def _venv_tool(name: str) -> str:
    # The interpreter's own scripts directory: a ruff or mypy elsewhere on
    # PATH may be another version.
    tool = shutil.which(name, path=str(Path(sys.executable).parent))
    assert tool is not None, f"{name} is not installed beside {sys.executable}"
    return tool


def _ruff_pin() -> str:
    requirement = _lint_requirement("ruff")
    m = re.fullmatch(r"ruff==(\S+)", requirement)
    assert m is not None, f"the lint extra's ruff is not pinned: {requirement!r}"
    return m.group(1)


def test_ruff_hook_runs_the_ruff_the_lint_extra_installs() -> None:
    # The hook once ran ruff 0.8.4 while `pip install -e .[dev]` brought the
    # newest: code clean for one failed the other (UP038).
    assert _hook_rev("https://github.com/astral-sh/ruff-pre-commit") == f"v{_ruff_pin()}"


def test_the_pinned_ruff_passes_on_the_repository() -> None:
    ruff = _venv_tool("ruff")
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split()[-1] == _ruff_pin(), version.stdout
    result = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["types-regex", "tomli", "mypy"])
def test_lint_extra_has_what_mypy_needs(name: str) -> None:
    # mypy checks the 3.10 branch (`import tomli as tomllib`) and the regex calls.
    _lint_requirement(name)


def test_mypy_passes_on_the_repository(tmp_path: Path) -> None:
    # The configured files (pyproject [tool.mypy]); a fresh cache dir so a
    # stale cache cannot hide an error.
    result = subprocess.run(
        [_venv_tool("mypy"), "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_mypy_checks_the_tests_and_test_helpers() -> None:
    mypy = _pyproject()["tool"]["mypy"]
    assert {"src/promptguard", "tests", "testing"} <= set(mypy.get("files", []))
    # Without package bases tests/foo_test.py is module "foo_test", so the
    # `tests.*` override never applied and the files were not checked as configured.
    assert mypy.get("explicit_package_bases") is True
    hook = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.search(r"entry: mypy\n", hook), "the mypy hook must check what [tool.mypy] lists"


def test_version_has_one_source() -> None:
    import importlib.metadata

    import promptguard
    from promptguard._version import __version__

    assert promptguard.__version__ == __version__ == importlib.metadata.version("promptguard")
    # Modules the package root imports must not import the root for it.
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "src" / "promptguard").rglob("*.py")
        if "from promptguard import __version__" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
