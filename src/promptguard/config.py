"""Find, read and validate config files, and merge them into one frozen Config.

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
import os
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard import dirs
from promptguard.allowlist import AllowlistSpec
from promptguard.audit import DEFAULT_BACKUPS
from promptguard.audit import DEFAULT_MAX_BYTES
from promptguard.audit import DEFAULT_QUEUE_BYTES
from promptguard.audit import FACILITIES
from promptguard.audit import AuditSettings
from promptguard.audit import Forwarding
from promptguard.audit import HttpTarget
from promptguard.audit import SyslogTarget
from promptguard.audit import default_log_path
from promptguard.dirs import system_policy_path  # re-exported
from promptguard.dirs import user_config_path  # re-exported
from promptguard.errors import ConfigError
from promptguard.models import ACTIONS
from promptguard.models import CATEGORIES
from promptguard.models import CONFIDENCES
from promptguard.models import SEVERITIES
from promptguard.policy import ON_ERROR
from promptguard.policy import PROFILES
from promptguard.policy import SELECTORS
from promptguard.policy import SURFACES
from promptguard.policy import ActionTable
from promptguard.policy import Layer
from promptguard.policy import Locks
from promptguard.policy import Policy
from promptguard.policy import Setting

Kind = Literal["project", "user", "org"]
KIND_LABEL: Mapping[str, str] = {"project": "project", "user": "user", "org": "org policy"}
PROJECT_FILE = ".promptguard.toml"
BASELINE_FILE = ".promptguard-baseline.json"

# Which top-level tables each kind of file may hold. Locks and forwarding
# are the organisation's: a repository must not be able to lock or send
# its users' audit records anywhere.
_TOP_KEYS: Mapping[str, frozenset[str]] = {
    "project": frozenset({"profile", "policy", "allowlist", "baseline", "audit", "clients",
                          "redaction"}),
    "user": frozenset({"profile", "policy", "allowlist", "audit", "clients", "redaction"}),
    "org": frozenset({"profile", "policy", "allowlist", "audit", "locks", "clients",
                      "redaction"}),
}
# A project may only turn the log off (unless locked); where it is written
# is the user's or organisation's business, never a cloned repository's.
_AUDIT_KEYS: Mapping[str, frozenset[str]] = {
    "project": frozenset({"enabled"}),
    "user": frozenset({"enabled", "path", "max_bytes", "backups"}),
    "org": frozenset({"enabled", "path", "max_bytes", "backups", "forward"}),
}
_SELECTOR_KEYS: Mapping[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "severity": SEVERITIES,
    "confidence": CONFIDENCES,
}
_ALLOWLIST_KEYS = frozenset({"paths", "regexes", "line_regexes", "stopwords", "fingerprints"})


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


# -- validation -----------------------------------------------------------------
Where = Callable[[str], str]


def _where(path: Path | str, prefix: str) -> Where:
    return lambda key: f"{path}: {prefix}{key}"


def _table(value: Any, where: Where, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where(key)}: must be a table, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _unknown(table: Mapping[str, Any], allowed: frozenset[str] | Sequence[str], where: Where,
             key: str, hint: str = "") -> None:
    for name in table:
        if name not in allowed:
            dotted = f"{key}.{name}" if key else name
            choices = hint or ", ".join(sorted(allowed))
            raise ConfigError(f"{where(dotted)}: unknown key (expected one of: {choices})")


def _action(value: Any, where: Where, key: str) -> Any:
    if value not in ACTIONS:
        raise ConfigError(
            f"{where(key)}: {value!r} is not an action (use block, redact, warn or allow)",
        )
    return value


def _string(value: Any, where: Where, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where(key)}: must be a string, not {_kind(value)}")
    return value


def _strings(value: Any, where: Where, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where(key)}: must be an array of strings, not {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"{where(f'{key}[{i}]')}: must be a string, not {_kind(item)}")
    return tuple(value)


def _bool(value: Any, where: Where, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where(key)}: must be true or false, not {_kind(value)}")
    return value


def _int(value: Any, where: Where, key: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where(key)}: must be a whole number >= {minimum}")
    return value


def _number(value: Any, where: Where, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where(key)}: must be a positive number")
    return float(value)


def _rule_id(name: str, where: Where, key: str) -> None:
    import re

    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
        raise ConfigError(f"{where(key)}: {name!r} is not a rule id (kebab-case)")


def _action_table(
    raw: Mapping[str, Any], where: Where, key: str, *, locks: bool = False,
) -> ActionTable:
    """One [policy] table (or a surface's table, or a [locks] table)."""
    selectors = ("category", "rule") if locks else SELECTORS
    allowed = set(selectors) | ({"surfaces"} if key.count(".") == 0 else set())
    if not locks:
        allowed.add("on_error")
    _unknown(raw, frozenset(allowed), where, key)
    values: dict[str, dict[str, Any]] = {}
    for selector in selectors:
        sel_key = f"{key}.{selector}"
        table = _table(raw.get(selector, {}), where, sel_key)
        names = _SELECTOR_KEYS.get(selector)
        for name, value in table.items():
            if names is not None and name not in names:
                raise ConfigError(
                    f"{where(f'{sel_key}.{name}')}: unknown {selector} "
                    f"(expected one of: {', '.join(names)})",
                )
            if names is None:
                _rule_id(name, where, f"{sel_key}.{name}")
            _action(value, where, f"{sel_key}.{name}")
        values[selector] = dict(table)
    on_error = raw.get("on_error")
    if on_error is not None and on_error not in ON_ERROR:
        raise ConfigError(f"{where(f'{key}.on_error')}: must be \"block\" or \"allow\"")
    return ActionTable(on_error=on_error, **values)


def parse_policy(
    raw: Mapping[str, Any], where: Where, key: str = "policy", *, locks: bool = False,
) -> tuple[ActionTable, dict[str, ActionTable]]:
    general = _action_table(raw, where, key, locks=locks)
    surfaces_raw = _table(raw.get("surfaces", {}), where, f"{key}.surfaces")
    surfaces: dict[str, ActionTable] = {}
    for name, table in surfaces_raw.items():
        skey = f"{key}.surfaces.{name}"
        if name not in SURFACES:
            raise ConfigError(
                f"{where(skey)}: unknown surface (expected one of: {', '.join(SURFACES)})",
            )
        surfaces[name] = _action_table(_table(table, where, skey), where, skey, locks=locks)
    return general, surfaces


def _parse_allowlist(raw: Any, where: Where) -> AllowlistSpec:
    from promptguard.allowlist import check_regexes

    table = _table(raw, where, "allowlist")
    _unknown(table, _ALLOWLIST_KEYS, where, "allowlist")
    lists = {k: _strings(table.get(k, []), where, f"allowlist.{k}") for k in _ALLOWLIST_KEYS}
    for key in ("regexes", "line_regexes"):
        for i, error in check_regexes(lists[key]):
            raise ConfigError(f"{where(f'allowlist.{key}[{i}]')}: regex does not compile: {error}")
    for i, word in enumerate(lists["stopwords"]):
        if not word or word != word.lower():
            raise ConfigError(f"{where(f'allowlist.stopwords[{i}]')}: must be non-empty lower case")
    for i, glob in enumerate(lists["paths"]):
        if not glob.strip("/"):
            raise ConfigError(f"{where(f'allowlist.paths[{i}]')}: empty glob")
    return AllowlistSpec(
        paths=lists["paths"],
        regexes=lists["regexes"],
        line_regexes=lists["line_regexes"],
        stopwords=lists["stopwords"],
        fingerprints=frozenset(lists["fingerprints"]),
    )


def _parse_forward(raw: Any, where: Where, source: str) -> Forwarding:
    table = _table(raw, where, "audit.forward")
    _unknown(table, frozenset({"syslog", "http"}), where, "audit.forward")
    syslog = http = None
    if "syslog" in table:
        s = _table(table["syslog"], where, "audit.forward.syslog")
        _unknown(s, frozenset({"address", "facility"}), where, "audit.forward.syslog")
        facility = _string(s.get("facility", "auth"), where, "audit.forward.syslog.facility")
        if facility not in FACILITIES:
            raise ConfigError(
                f"{where('audit.forward.syslog.facility')}: unknown facility {facility!r}",
            )
        address = _string(s.get("address", "/dev/log"), where, "audit.forward.syslog.address")
        if not address.startswith("/") and not address.rpartition(":")[2].isdigit():
            raise ConfigError(
                f"{where('audit.forward.syslog.address')}: use a socket path or host:port",
            )
        syslog = SyslogTarget(address=address, facility=facility)
    if "http" in table:
        h = _table(table["http"], where, "audit.forward.http")
        _unknown(h, frozenset({"url", "timeout", "headers", "queue_max_bytes", "retry_after"}),
                 where, "audit.forward.http")
        if "url" not in h:
            raise ConfigError(f"{where('audit.forward.http.url')}: required")
        url = _string(h["url"], where, "audit.forward.http.url")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where('audit.forward.http.url')}: must be an http(s) URL")
        headers = _table(h.get("headers", {}), where, "audit.forward.http.headers")
        for name, value in headers.items():
            _string(value, where, f"audit.forward.http.headers.{name}")
        http = HttpTarget(
            url=url,
            timeout=_number(h.get("timeout", 2.0), where, "audit.forward.http.timeout"),
            headers=tuple(sorted(headers.items())),
            queue_max_bytes=_int(h.get("queue_max_bytes", DEFAULT_QUEUE_BYTES), where,
                                 "audit.forward.http.queue_max_bytes", minimum=1024),
            retry_after=_number(h.get("retry_after", 60.0), where,
                                "audit.forward.http.retry_after"),
        )
    return Forwarding(source=source, syslog=syslog, http=http)


def _parse_clients(raw: dict[str, Any], source: str) -> Any:
    """The [clients] table, validated by clients.py (which owns its schema)."""
    from promptguard.clients import parse_clients

    return parse_clients(raw, source)


def _parse_redaction(raw: dict[str, Any], source: str) -> None:
    """The [redaction] table, validated by redaction.py (which owns its schema)."""
    from promptguard.redaction import parse_redaction

    parse_redaction(raw, source)


class ParsedFile(NamedTuple):
    """One config file, validated."""

    kind: Kind
    path: Path
    prefix: str  # "" or "tool.promptguard." (pyproject.toml)
    profile: str | None
    layer: Layer
    allowlist: AllowlistSpec
    baseline: Path | None = None
    audit: Mapping[str, Any] = {}
    locks: Locks | None = None
    forward: Forwarding | None = None
    clients: Any = None
    redaction: Mapping[str, Any] | None = None


def parse_file(raw: Mapping[str, Any], path: Path, kind: Kind, prefix: str = "") -> ParsedFile:
    """Validate the contents of one config file (pure: no I/O)."""
    where = _where(path, prefix)
    _unknown(raw, _TOP_KEYS[kind], where, "")
    profile = raw.get("profile")
    if profile is not None:
        _string(profile, where, "profile")
        if profile not in PROFILES:
            raise ConfigError(
                f"{where('profile')}: unknown profile {profile!r} "
                f"(expected one of: {', '.join(PROFILES)})",
            )
    general, surfaces = parse_policy(_table(raw.get("policy", {}), where, "policy"), where)
    layer = Layer(KIND_LABEL[kind], str(path), f"{prefix}policy.", general, surfaces)
    allowlist = _parse_allowlist(raw.get("allowlist", {}), where)

    baseline = None
    if "baseline" in raw:
        b = _table(raw["baseline"], where, "baseline")
        _unknown(b, frozenset({"path"}), where, "baseline")
        if "path" in b:
            baseline = path.parent / _string(b["path"], where, "baseline.path")

    audit_raw = _table(raw.get("audit", {}), where, "audit")
    _unknown(audit_raw, _AUDIT_KEYS[kind], where, "audit")
    audit: dict[str, Any] = {}
    if "enabled" in audit_raw:
        audit["enabled"] = _bool(audit_raw["enabled"], where, "audit.enabled")
    if "path" in audit_raw:
        audit["path"] = Path(_string(audit_raw["path"], where, "audit.path")).expanduser()
    if "max_bytes" in audit_raw:
        audit["max_bytes"] = _int(audit_raw["max_bytes"], where, "audit.max_bytes", minimum=1024)
    if "backups" in audit_raw:
        audit["backups"] = _int(audit_raw["backups"], where, "audit.backups")
    forward = None
    if "forward" in audit_raw:
        forward = _parse_forward(audit_raw["forward"], where, str(path))

    locks = None
    if "locks" in raw:
        lraw = _table(raw["locks"], where, "locks")
        _unknown(lraw, frozenset({"category", "rule", "surfaces", "on_error", "audit"}),
                 where, "locks")
        lgeneral, lsurfaces = parse_policy(
            {k: v for k, v in lraw.items() if k not in ("on_error", "audit")}, where, "locks",
            locks=True,
        )
        on_error = lraw.get("on_error")
        if on_error is not None and on_error != "block":
            raise ConfigError(f"{where('locks.on_error')}: only \"block\" can be locked")
        locks = Locks(
            source=str(path),
            prefix=f"{prefix}locks.",
            general=lgeneral,
            surfaces=lsurfaces,
            on_error_block=on_error == "block",
            audit=_bool(lraw.get("audit", False), where, "locks.audit"),
        )

    clients = None
    if "clients" in raw:
        # clients.py appends ".<key>" to this: "file: clients.names[3]".
        clients = _parse_clients(
            _table(raw["clients"], where, "clients"), f"{path}: {prefix}clients",
        )
    redaction = None
    if "redaction" in raw:
        redaction = _table(raw["redaction"], where, "redaction")
        # Validated here, like every other table, so `config check` and
        # every command fail on it, not only `redact`; the raw table is
        # kept because tables merge key by key (settings_from_tables).
        _parse_redaction(redaction, f"{path}: {prefix}redaction")
    return ParsedFile(
        kind=kind, path=path, prefix=prefix, profile=profile, layer=layer, allowlist=allowlist,
        baseline=baseline, audit=audit, locks=locks, forward=forward, clients=clients,
        redaction=redaction,
    )


def read_file(path: Path, kind: Kind, cache_dir: Path | None = None) -> ParsedFile:
    if path.name == "pyproject.toml":
        table = _pyproject_table(path, cache_dir)
        if table is None:
            raise ConfigError(f"{path}: no [tool.promptguard] table")
        return parse_file(table, path, kind, "tool.promptguard.")
    return parse_file(read_toml(path, cache_dir), path, kind)


def profile_layer(name: str) -> Layer:
    general, surfaces = parse_policy(
        PROFILES[name], _where(f"built-in profile {name!r}", ""),
    )
    return Layer("built-in profile", f"built-in profile {name!r}", "policy.", general, surfaces)


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
