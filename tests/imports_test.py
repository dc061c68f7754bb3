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


# A minimal package with every module the contracts name, plus guard and
# three surfaces (which may not exist yet); each case adds one forbidden import.
def _modules() -> set[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: <3.11 cover
        import tomli as tomllib
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = {"promptguard.__main__", "promptguard.guard", "promptguard.commands.scan",
             "promptguard.surfaces.hooks", "promptguard.surfaces.gateway",
             "promptguard.surfaces.lsp"}
    for contract in doc["tool"]["importlinter"]["contracts"]:
        for key in ("source_modules", "forbidden_modules", "protected_modules",
                    "allowed_importers", "modules", "layers"):
            for expression in contract.get(key, []):
                for name in re.split(r"[:|]", expression):
                    name = name.strip().strip("()")
                    if "*" not in name:
                        names.add(name)
    return names


def _write_package(root: Path, bodies: dict[str, str]) -> None:
    packages = {".".join(n.split(".")[:i]) for n in _modules() for i in range(1, n.count(".") + 1)}
    for name in sorted(_modules() | packages):
        parts = name.split(".")
        path = (root.joinpath(*parts) / "__init__.py" if name in packages
                else root.joinpath(*parts[:-1]) / f"{parts[-1]}.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bodies.get(name, "") + "\n")


_ALLOWED = {  # imports the real design makes: these must not break anything
    "promptguard.cli": "import promptguard.commands.scan",
    "promptguard.commands.scan": "import promptguard.guard\nimport promptguard.config",
    "promptguard.guard": "import promptguard.config\nimport promptguard.engine",
    "promptguard.config": "import promptguard.policy\nimport promptguard.models",
    "promptguard.engine": "import promptguard.prefilter\nimport promptguard.models",
    "promptguard.surfaces.hooks": "import promptguard.guard",
    "promptguard.surfaces.gateway": "import promptguard.guard",
}


@pytest.mark.parametrize(("module", "statement", "contract"), [
    ("engine", "import promptguard.config", "The engine knows no policy"),
    ("validators", "from promptguard import policy", "The engine knows no policy"),
    # Indirect: the engine reaches the CLI through a module of its own.
    ("rarity", "import promptguard.filters\nimport promptguard.cli", "The engine knows no policy"),
    ("prefilter", "import promptguard.guard", "The engine does not import the guard"),
    ("models", "import promptguard.validators", "Models import nothing of the project"),
    ("guard", "import promptguard.commands", "Only the CLI and the commands import"),
    ("surfaces.lsp", "import promptguard.cli", "Only the CLI and the commands import"),
    ("surfaces.gateway", "import promptguard.surfaces.hooks", "Surfaces never import each other"),
])
def test_each_contract_catches_a_violation(
    tmp_path: Path, module: str, statement: str, contract: str,
) -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(config[config.index("[tool.importlinter]"):])
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    # The synthetic package keeps every contract without the violation ...
    _write_package(tmp_path, _ALLOWED)
    kept = _run(tmp_path, env)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    # ... and breaks the one named with it (an import can break two: the
    # engine reaching the guard also reaches the config the guard imports).
    name = f"promptguard.{module}"
    _write_package(tmp_path, {**_ALLOWED, name: _ALLOWED.get(name, "") + "\n" + statement})
    result = _run(tmp_path, env)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
