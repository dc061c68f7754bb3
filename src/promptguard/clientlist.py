"""The organisation's client list: its records, and validating a `[clients]` table.

`parse_clients` checks a config table (names, aliases, codenames, people,
internal domains, ID patterns, list files) and names the file and dotted key
in every error; `load_clients_file` reads a list file. Matching the list is
clients.py (the detector) over clientcache.py (the compiled automaton).
"""
# ruff: noqa: I002
# No postponed annotations: NamedTuple would compile each string annotation
# at import (a hook that redacts imports this module on every start).

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard.errors import ConfigError

Kind = Literal["client", "codename", "person"]
KINDS: tuple[Kind, ...] = ("client", "codename", "person")
# A shorter alias matched case-insensitively would fire on ordinary words.
MIN_LITERAL = 2

_TABLE_KEYS = {"ignore_case", "names", "codenames", "people", "domains", "ids", "files"}
_ENTITY_KEYS = {"name", "aliases", "ignore_case"}
_ID_KEYS = {"label", "regex"}
_LIST_KEY: Mapping[str, Kind] = {"names": "client", "codenames": "codename", "people": "person"}
DEFAULT_ID_LABEL = "CLIENT_ID"


def is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def is_host_char(c: str) -> bool:
    return c.isalnum() or c in "-_"


def fold(text: str) -> str:
    """Lower-case `text` keeping every offset: one character in, one out.

    str.lower() may lengthen a string ("İ" becomes two code points), which
    would shift every span after it; such characters are left as they are.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


def _fold_char(c: str) -> str:
    lowered = c.lower()
    return lowered if len(lowered) == 1 else c


class Entity(NamedTuple):
    """A client, codename or person: one pseudonym for all its aliases."""

    kind: Kind
    name: str
    aliases: tuple[str, ...] = ()
    ignore_case: bool = True

    @property
    def literals(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class IdPattern(NamedTuple):
    """A customer/account ID format; `label` names its placeholder."""

    label: str
    regex: str


class ClientDirectory(NamedTuple):
    entities: tuple[Entity, ...] = ()
    # Lower-case internal domains; their subdomains match too.
    domains: tuple[str, ...] = ()
    ids: tuple[IdPattern, ...] = ()
    source: str = ""
    # List files (same [clients] schema), loaded and cached by the detector.
    files: tuple[Path, ...] = ()

    def __repr__(self) -> str:
        # Counts only: the list itself is confidential.
        return (f"ClientDirectory(entities={len(self.entities)}, domains={len(self.domains)}, "
                f"ids={len(self.ids)}, files={len(self.files)}, source={self.source!r})")

    @property
    def empty(self) -> bool:
        return not (self.entities or self.domains or self.ids or self.files)

    def merged(self, other: "ClientDirectory") -> "ClientDirectory":
        """Both lists (e.g. the org's and the project's)."""
        return ClientDirectory(
            self.entities + other.entities,
            tuple(dict.fromkeys(self.domains + other.domains)),
            self.ids + other.ids,
            ", ".join(s for s in (self.source, other.source) if s),
            tuple(dict.fromkeys(self.files + other.files)),
        )

    def digest(self) -> str:
        """A stable hash of the inline literals (what shapes their automaton)."""
        from promptguard.clientcache import inline_digest

        return inline_digest(self)


# -- config parsing -------------------------------------------------------

def _err(source: str, key: str, message: str) -> ConfigError:
    # `source` names the file and the table ("promptguard.toml: clients");
    # `key` is dotted below it ("names[3].aliases[0]").
    return ConfigError(f"{source}.{key}: {message}" if key else f"{source}: {message}")


def _literal(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str):
        raise _err(source, key, "must be a string")
    stripped = value.strip()
    if len(stripped) < MIN_LITERAL:
        raise _err(source, key, f"must be at least {MIN_LITERAL} characters (after trimming)")
    return stripped


def _bool(value: Any, source: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _err(source, key, "must be true or false")
    return value


def _entity(raw: Any, kind: Kind, default_ci: bool, source: str, key: str) -> Entity:
    if isinstance(raw, str):
        return Entity(kind, _literal(raw, source, key), (), default_ci)
    if not isinstance(raw, dict):
        raise _err(source, key, "must be a string or a table with name and aliases")
    unknown = set(raw) - _ENTITY_KEYS
    if unknown:
        raise _err(source, f"{key}.{sorted(unknown)[0]}", "unknown key")
    if "name" not in raw:
        raise _err(source, f"{key}.name", "missing")
    name = _literal(raw["name"], source, f"{key}.name")
    aliases_raw = raw.get("aliases", [])
    if not isinstance(aliases_raw, list):
        raise _err(source, f"{key}.aliases", "must be a list of strings")
    aliases = tuple(
        _literal(a, source, f"{key}.aliases[{i}]") for i, a in enumerate(aliases_raw)
    )
    ignore_case = _bool(raw.get("ignore_case", default_ci), source, f"{key}.ignore_case")
    return Entity(kind, name, aliases, ignore_case)


def _domain(raw: Any, source: str, key: str) -> str:
    value = fold(_literal(raw, source, key))
    # "*.corp.example" and ".corp.example" both mean "this domain and below".
    value = value.removeprefix("*.").lstrip(".")
    if not value or not all(is_host_char(c) or c == "." for c in value) or ".." in value:
        raise _err(source, key, "must be a domain or hostname like corp.example.com")
    return value


def _label(raw: Any, source: str, key: str) -> str:
    if not isinstance(raw, str) or not re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", raw):
        raise _err(source, key, "must be UPPER_SNAKE_CASE, e.g. ACCOUNT_ID")
    return raw


def _id_pattern(raw: Any, source: str, key: str) -> IdPattern:
    if isinstance(raw, str):
        label, pattern = DEFAULT_ID_LABEL, raw
    elif isinstance(raw, dict):
        unknown = set(raw) - _ID_KEYS
        if unknown:
            raise _err(source, f"{key}.{sorted(unknown)[0]}", "unknown key")
        if "regex" not in raw:
            raise _err(source, f"{key}.regex", "missing")
        label = _label(raw.get("label", DEFAULT_ID_LABEL), source, f"{key}.label")
        pattern = raw["regex"]
        key = f"{key}.regex"
    else:
        raise _err(source, key, "must be a regex string or a table with label and regex")
    if not isinstance(pattern, str) or not pattern:
        raise _err(source, key, "must be a non-empty regex string")
    import regex

    try:
        compiled = regex.compile(pattern)
    except (regex.error, ValueError, OverflowError) as e:
        raise _err(source, key, f"regex does not compile: {e}") from None
    if compiled.search("", timeout=1.0) is not None:
        raise _err(source, key, "regex matches the empty string")
    return IdPattern(label, pattern)


def parse_clients(raw: Mapping[str, Any], source: str) -> ClientDirectory:
    """Validate a `[clients]` table; errors name the file and dotted key.

    `source` names the file and the table, e.g. "promptguard.toml: clients"
    (config.py passes "pyproject.toml: tool.promptguard.clients").

    ```toml
    [clients]
    ignore_case = true            # default for every name below
    names = ["Globex", { name = "Acme Corp", aliases = ["Acme", "ACME Inc.", "acme.com"] }]
    codenames = ["Bluebird"]
    people = ["Jane Doe", { name = "Robert Smith", aliases = ["Bob Smith"] }]
    domains = ["corp.example.com"]            # and every subdomain
    files = ["clients-export.toml"]           # more [clients] tables, relative to this file
    ids = ['''\\bAC-\\d{8}\\b''', { label = "TICKET", regex = '''\\bSUP-\\d{5}\\b''' }]
    ```

    Big lists belong in `files`: the detector caches each file's compiled
    form by path, size and mtime, so a 10,000-name list costs one cache
    read per process instead of a TOML parse and an automaton build.
    """
    if not isinstance(raw, Mapping):
        raise _err(source, "", "must be a table")
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise _err(source, f"{sorted(unknown)[0]}", "unknown key")
    default_ci = _bool(raw.get("ignore_case", True), source, "ignore_case")
    entities: list[Entity] = []
    for list_key, kind in _LIST_KEY.items():
        items = raw.get(list_key, [])
        if not isinstance(items, list):
            raise _err(source, f"{list_key}", "must be a list")
        for i, item in enumerate(items):
            # Inline fast path for plain names (the config is parsed on
            # every run); anything else takes the checked path, which also
            # names the offending key.
            if type(item) is str:
                name = item.strip()
                if len(name) >= MIN_LITERAL:
                    entities.append(Entity(kind, name, (), default_ci))
                    continue
            entities.append(_entity(item, kind, default_ci, source, f"{list_key}[{i}]"))
    domains_raw = raw.get("domains", [])
    if not isinstance(domains_raw, list):
        raise _err(source, "domains", "must be a list of strings")
    domains = tuple(dict.fromkeys(
        _domain(d, source, f"domains[{i}]") for i, d in enumerate(domains_raw)
    ))
    ids_raw = raw.get("ids", [])
    if not isinstance(ids_raw, list):
        raise _err(source, "ids", "must be a list")
    ids = tuple(_id_pattern(p, source, f"ids[{i}]") for i, p in enumerate(ids_raw))
    files_raw = raw.get("files", [])
    if not isinstance(files_raw, list):
        raise _err(source, "files", "must be a list of paths")
    files = tuple(_file(f, source, f"files[{i}]") for i, f in enumerate(files_raw))
    return ClientDirectory(tuple(entities), domains, ids, source, files)


def _file(raw: Any, source: str, key: str) -> Path:
    if not isinstance(raw, str) or not raw:
        raise _err(source, key, "must be a path")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        # Relative to the file that names it: `source` starts with its path
        # ("<path>: clients"), as config.py and load_clients_file write it.
        base, sep, _ = source.rpartition(": ")
        path = (Path(base).parent if sep else Path.cwd()) / path
    if not path.is_file():
        raise _err(source, key, f"no such file: {path}")
    return path


def load_clients_file(path: Path) -> ClientDirectory:
    """Read the `[clients]` table of a TOML file (a config file, or one of its own)."""
    from promptguard import tomlload

    data = tomlload.load(path)
    if "clients" not in data:
        raise ConfigError(f"{path}: no [clients] table")
    directory = parse_clients(data["clients"], f"{path}: clients")
    if directory.files:
        raise ConfigError(f"{path}: clients.files: a list file cannot name more files")
    return directory
