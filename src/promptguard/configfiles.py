"""Where config files are, and reading one: discovery, pyproject tables, locations.

The project config is `.promptguard.toml`, or `[tool.promptguard]` in
`pyproject.toml`, in the scanned path's folder or the nearest parent,
stopping at the repository root; the user config and org policy come from
`Locations` (environment overrides, else dirs.py's per-platform defaults).
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard import dirs
from promptguard.configschema import Kind
from promptguard.configschema import ParsedFile
from promptguard.configschema import parse_file
from promptguard.dirs import system_policy_path
from promptguard.dirs import user_config_path
from promptguard.errors import ConfigError

PROJECT_FILE = ".promptguard.toml"
BASELINE_FILE = ".promptguard-baseline.json"


class Locations(NamedTuple):
    """Where the config files and the audit log are; tests build their own."""

    org: Path | None
    user: Path | None
    # An explicit project config (PROMPTGUARD_CONFIG); otherwise discovered.
    project: Path | None = None
    audit_log: Path | None = None
    # Set when the org policy path came from the environment: a missing file
    # is then an error (someone meant a policy to apply), not "no policy".
    org_required: bool = False
    # Parsed TOML is cached here (see read_toml); None disables it.
    cache_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Locations":
        env = os.environ if environ is None else environ
        policy = env.get("PROMPTGUARD_POLICY")
        user = env.get("PROMPTGUARD_USER_CONFIG")
        project = env.get("PROMPTGUARD_CONFIG")
        audit_log = env.get("PROMPTGUARD_AUDIT_LOG")
        return cls(
            # An empty value means "none", which tests and CI images use.
            org=((Path(policy) if policy else None) if policy is not None
                 else system_policy_path(env)),
            user=(Path(user) if user else None) if user is not None else user_config_path(env),
            project=Path(project) if project else None,
            audit_log=Path(audit_log) if audit_log else None,
            org_required=bool(policy),
            cache_dir=dirs.cache_dir(env),
        )


class CliOverrides(NamedTuple):
    profile: str | None = None
    config: Path | None = None
    baselines: tuple[Path, ...] = ()
    no_audit: bool = False


# -- reading ------------------------------------------------------------------
def read_toml(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """Parse a TOML config file; with `cache_dir`, reuse an earlier parse (tomlload.py)."""
    from promptguard import tomlload

    return tomlload.load(path, cache_dir=cache_dir)


def _pyproject_table(path: Path, cache_dir: Path | None = None) -> dict[str, Any] | None:
    """`[tool.promptguard]` of a pyproject.toml, or None if it has none."""
    try:
        if b"promptguard" not in path.read_bytes():
            return None  # most pyproject files: no TOML parse needed
    except OSError:
        return None
    tool = read_toml(path, cache_dir).get("tool", {})
    table = tool.get("promptguard") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.promptguard: must be a table")
    return table


def discover_project(start: Path, cache_dir: Path | None = None) -> tuple[Path | None, Path]:
    """The project config found walking up from `start`, and the project root.

    The root is the config's folder, else the repository root, else `start`:
    path allowlists and the default baseline are relative to it.
    """
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate, folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_table(pyproject, cache_dir) is not None:
            return pyproject, folder
        if (folder / ".git").exists():
            return None, folder
    return None, here


def read_file(path: Path, kind: Kind, cache_dir: Path | None = None) -> ParsedFile:
    """Read and validate one config file (a pyproject.toml: its [tool.promptguard])."""
    if path.name == "pyproject.toml":
        table = _pyproject_table(path, cache_dir)
        if table is None:
            raise ConfigError(f"{path}: no [tool.promptguard] table")
        return parse_file(table, path, kind, "tool.promptguard.")
    return parse_file(read_toml(path, cache_dir), path, kind)
