"""The layering contracts ([tool.importlinter] in pyproject.toml) hold, and bite.

`lint-imports` runs over the real package; then over small synthetic
`promptguard` packages that break one contract each, to show the contracts
catch what they are meant to (a contract that cannot fail proves nothing).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from testing.realtools import missing

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str:
    exe = Path(sys.executable).parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    if not exe.exists():
        missing("lint-imports", "pip install -e '.[test]' (import-linter)")
    return str(exe)


def _run(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_lint_imports(), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_layering_contracts_hold() -> None:
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout


# A minimal package with every module the contracts name (guard and the
# surfaces included); each case adds one forbidden import.
_MODULES = (
    "__init__", "__main__", "cli", "engine", "programs", "ruleset", "models", "filters",
    "rarity", "validators", "policy", "config", "guard", "prefilter/__init__",
    "commands/__init__", "commands/scan", "surfaces/__init__", "surfaces/hooks/__init__",
    "surfaces/gateway/__init__", "surfaces/lsp/__init__",
)
_ALLOWED = {  # imports the real design makes: these must not break anything
    "cli": "import promptguard.commands.scan",
    "commands/scan": "import promptguard.guard\nimport promptguard.config",
    "guard": "import promptguard.config\nimport promptguard.engine",
    "config": "import promptguard.policy\nimport promptguard.models",
    "engine": "import promptguard.prefilter\nimport promptguard.models",
    "surfaces/hooks/__init__": "import promptguard.guard",
    "surfaces/gateway/__init__": "import promptguard.guard",
}


@pytest.mark.parametrize(("module", "statement", "contract"), [
    ("engine", "import promptguard.config", "The engine knows no policy"),
    ("validators", "from promptguard import policy", "The engine knows no policy"),
    # Indirect: the engine reaches the CLI through a module of its own.
    ("rarity", "import promptguard.filters\nimport promptguard.cli", "The engine knows no policy"),
    ("prefilter/__init__", "import promptguard.guard", "The engine does not import the guard"),
    ("models", "import promptguard.validators", "Models import nothing of the project"),
    ("guard", "import promptguard.commands", "Only the CLI and the commands import"),
    ("surfaces/lsp/__init__", "import promptguard.cli", "Only the CLI and the commands import"),
    ("surfaces/gateway/__init__", "import promptguard.surfaces.hooks",
     "Surfaces never import each other"),
])
def test_each_contract_catches_a_violation(
    tmp_path: Path, module: str, statement: str, contract: str,
) -> None:
    package = tmp_path / "promptguard"
    for name in _MODULES:
        path = package / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [_ALLOWED.get(name, ""), statement if name == module else ""]
        path.write_text("\n".join(b for b in body if b) + "\n")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = config[config.index("[tool.importlinter]"):]
    (tmp_path / "pyproject.toml").write_text(section)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    # The synthetic package without the violation keeps every contract ...
    clean = package / f"{module}.py"
    violating = clean.read_text()
    clean.write_text(_ALLOWED.get(module, "") + "\n")
    kept = _run(tmp_path, env)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    # ... and with it breaks the one named (an import can break two: the
    # engine reaching the guard also reaches the config the guard imports).
    clean.write_text(violating)
    result = _run(tmp_path, env)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
