"""Find, read and validate config files, and merge them into one frozen Config.

This module merges (`build`) and loads (`load`); finding and reading files
is configfiles.py, validating one file's tables is configschema.py. Their
public names are re-exported here, so `promptguard.config` stays the API.

Sources, highest precedence first:

- the command line (`--profile`, `--config`, `--baseline`, `--no-audit`);
- the project: `.promptguard.toml`, or `[tool.promptguard]` in
  `pyproject.toml`, in the scanned path's folder or the nearest parent,
  stopping at the repository root (a folder holding `.git`);
- the user: `$PROMPTGUARD_USER_CONFIG`, else `$XDG_CONFIG_HOME` or
  `~/.config` + `promptguard/config.toml` (`%APPDATA%` on Windows);
- the organisation policy: `$PROMPTGUARD_POLICY`, else
  `/etc/promptguard/policy.toml` (`/Library/Application Support/promptguard/`
  on macOS, `%ProgramData%\\promptguard\\` on Windows). Its settings are the
  organisation's defaults; its `[locks]` are minimums nothing can weaken;
- the built-in profile (policy.PROFILES).

Everything is validated on load and every error names the file and the
dotted key, so `promptguard config check` and every other command fail with
exit 2 on the same message. Nothing here reads a global: `load` takes the
locations and command-line overrides and returns a frozen Config.
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.allowlist import AllowlistSpec
from promptguard.audit import DEFAULT_BACKUPS
from promptguard.audit import DEFAULT_MAX_BYTES
from promptguard.audit import AuditSettings
from promptguard.audit import default_log_path
from promptguard.configfiles import BASELINE_FILE
from promptguard.configfiles import PROJECT_FILE
from promptguard.configfiles import CliOverrides
from promptguard.configfiles import Locations
from promptguard.configfiles import discover_project
from promptguard.configfiles import read_file
from promptguard.configfiles import read_toml
from promptguard.configschema import KIND_LABEL
from promptguard.configschema import Kind
from promptguard.configschema import ParsedFile
from promptguard.configschema import parse_file
from promptguard.configschema import parse_policy
from promptguard.configschema import profile_layer
from promptguard.dirs import system_policy_path  # re-exported
from promptguard.dirs import user_config_path  # re-exported
from promptguard.errors import ConfigError
from promptguard.policy import PROFILES
from promptguard.policy import Policy
from promptguard.policy import Setting

# The public names, including those now defined in configfiles.py (finding
# and reading files) and configschema.py (validating one): callers import
# them from here.
__all__ = [
    "BASELINE_FILE",
    "KIND_LABEL",
    "PROJECT_FILE",
    "CliOverrides",
    "Config",
    "Kind",
    "Locations",
    "ParsedFile",
    "build",
    "discover_project",
    "load",
    "parse_file",
    "parse_policy",
    "profile_layer",
    "read_file",
    "read_toml",
    "system_policy_path",
    "user_config_path",
]


# -- merging -------------------------------------------------------------------
class Config(NamedTuple):
    policy: Policy
    allowlist: AllowlistSpec
    # Baseline files to honour: those given on the command line (which must
    # exist), else the project's configured or default one if it exists.
    baselines: tuple[Path, ...]
    # Where `baseline create` writes: the configured path or the default.
    baseline_target: Path
    audit: AuditSettings
    # Paths are relative to this: the project config's folder, else the
    # repository root, else where the scan started.
    root: Path
    # Loaded files, highest precedence first.
    files: tuple[ParsedFile, ...]
    # (label, path or None, found) for every place looked at, for `config show`.
    searched: tuple[tuple[str, str, bool], ...]
    # (source, value) lowest precedence first, so later entries override.
    clients: tuple[tuple[str, Any], ...] = ()
    redaction: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    def file(self, kind: Kind) -> ParsedFile | None:
        return next((f for f in self.files if f.kind == kind), None)


def build(
    files: Sequence[ParsedFile],
    cli: CliOverrides,
    *,
    root: Path,
    default_audit_log: Path,
    env_audit_log: Path | None = None,
    searched: tuple[tuple[str, str, bool], ...] = (),
) -> Config:
    """Merge validated files (any order) into the effective Config."""
    order = {"project": 0, "user": 1, "org": 2}
    ranked = sorted(files, key=lambda f: order[f.kind])

    if cli.profile is not None:
        if cli.profile not in PROFILES:
            raise ConfigError(
                f"--profile: unknown profile {cli.profile!r} "
                f"(expected one of: {', '.join(PROFILES)})",
            )
        profile = Setting(cli.profile, "command line", "--profile", "--profile")
    else:
        chosen = next((f for f in ranked if f.profile is not None), None)
        profile = (
            Setting(chosen.profile, KIND_LABEL[chosen.kind], str(chosen.path),
                    f"{chosen.prefix}profile")
            if chosen is not None and chosen.profile is not None
            else Setting("default", "built-in", "promptguard", "(default profile)")
        )
    org = next((f for f in ranked if f.kind == "org"), None)
    policy = Policy(
        profile=profile,
        layers=(*(f.layer for f in ranked), profile_layer(profile.value)),
        locks=org.locks if org is not None else None,
    )

    allowlist = AllowlistSpec()
    for f in ranked:
        allowlist = allowlist.merged(f.allowlist)

    project = next((f for f in ranked if f.kind == "project" and f.baseline), None)
    target = project.baseline if project is not None and project.baseline else root / BASELINE_FILE
    for b in cli.baselines:
        if not b.is_file():
            raise ConfigError(f"{b}: baseline file not found (--baseline)")
    # A configured baseline that does not exist yet is simply not created yet.
    baselines = tuple(cli.baselines) or ((target,) if target.is_file() else ())

    audit = _audit_settings(ranked, cli, org, default_audit_log, env_audit_log)
    clients = tuple((str(f.path), f.clients) for f in reversed(ranked) if f.clients is not None)
    redaction = tuple((str(f.path), f.redaction) for f in reversed(ranked)
                      if f.redaction is not None)
    return Config(
        policy=policy, allowlist=allowlist, baselines=baselines, baseline_target=target,
        audit=audit, root=root,
        files=tuple(ranked), searched=searched, clients=clients, redaction=redaction,
    )


def _first(files: Sequence[ParsedFile], key: str) -> tuple[Any, ParsedFile | None]:
    for f in files:
        if key in f.audit:
            return f.audit[key], f
    return None, None


def _audit_settings(
    ranked: Sequence[ParsedFile],
    cli: CliOverrides,
    org: ParsedFile | None,
    default_path: Path,
    env_path: Path | None,
) -> AuditSettings:
    required = org is not None and org.locks is not None and org.locks.audit
    enabled, where = _first(ranked, "enabled")
    if required and org is not None:
        on, reason = True, f"on: required by org policy {org.path} (locks.audit)"
    elif cli.no_audit:
        on, reason = False, "off: --no-audit"
    elif where is not None:
        on = bool(enabled)
        reason = (f"{'on' if on else 'off'}: {KIND_LABEL[where.kind]} {where.path} "
                  f"({where.prefix}audit.enabled)")
    else:
        on, reason = True, "on (default)"
    # Projects cannot set the path (see _AUDIT_KEYS): user, then org.
    path, _ = _first(ranked, "path")
    max_bytes, _ = _first(ranked, "max_bytes")
    backups, _ = _first(ranked, "backups")
    return AuditSettings(
        enabled=on,
        path=env_path or path or default_path,
        max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes,
        backups=DEFAULT_BACKUPS if backups is None else backups,
        forward=org.forward if org is not None else None,
        reason=reason,
    )


def load(
    start: Path | None = None,
    cli: CliOverrides | None = None,
    locations: Locations | None = None,
) -> Config:
    """Discover, read, validate and merge every config source."""
    cli = CliOverrides() if cli is None else cli
    loc = Locations.from_env() if locations is None else locations
    start = Path.cwd() if start is None else start
    files: list[ParsedFile] = []
    searched: list[tuple[str, str, bool]] = []

    explicit = cli.config or loc.project
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        project_path: Path | None = explicit
        # Paths in it are still relative to the project being scanned.
        _, root = discover_project(start, loc.cache_dir)
    else:
        project_path, root = discover_project(start, loc.cache_dir)
    searched.append(
        ("project", str(project_path or f"(none found from {start})"), project_path is not None),
    )
    if project_path is not None:
        files.append(read_file(project_path, "project", loc.cache_dir))

    if loc.user is None:
        searched.append(("user", "(none: PROMPTGUARD_USER_CONFIG is empty)", False))
    else:
        found = loc.user.is_file()
        searched.append(("user", str(loc.user), found))
        if found:
            files.append(read_file(loc.user, "user", loc.cache_dir))
    if loc.org is None:
        searched.append(("org policy", "(none: PROMPTGUARD_POLICY is empty)", False))
    else:
        found = loc.org.is_file()
        searched.append(("org policy", str(loc.org), found))
        if found:
            files.append(read_file(loc.org, "org", loc.cache_dir))
        elif loc.org_required:
            raise ConfigError(f"{loc.org}: org policy not found (PROMPTGUARD_POLICY)")
    return build(
        files, cli, root=root, default_audit_log=default_log_path(),
        env_audit_log=loc.audit_log, searched=tuple(searched),
    )
