"""Validate one config file's tables (pure: no I/O) into a ParsedFile.

Every error names the file and the dotted key ("pyproject.toml:
tool.promptguard.policy.category.pii: 3 is not an action"); the [clients]
and [redaction] tables are validated by the modules that own their schema
(clientlist.py, redactconfig.py). Reading and discovering files is configfiles.py;
merging them into one Config is config.py.
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard.allowlist import AllowlistSpec
from promptguard.audit import DEFAULT_QUEUE_BYTES
from promptguard.audit import FACILITIES
from promptguard.audit import Forwarding
from promptguard.audit import HttpTarget
from promptguard.audit import SyslogTarget
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

Kind = Literal["project", "user", "org"]
KIND_LABEL: Mapping[str, str] = {"project": "project", "user": "user", "org": "org policy"}


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
    """The [clients] table, validated by clientlist.py (which owns its schema)."""
    from promptguard.clientlist import parse_clients

    return parse_clients(raw, source)


def _parse_redaction(raw: dict[str, Any], source: str) -> None:
    """The [redaction] table, validated by redactconfig.py (which owns its schema)."""
    from promptguard.redactconfig import parse_redaction

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


def profile_layer(name: str) -> Layer:
    general, surfaces = parse_policy(
        PROFILES[name], _where(f"built-in profile {name!r}", ""),
    )
    return Layer("built-in profile", f"built-in profile {name!r}", "policy.", general, surfaces)
