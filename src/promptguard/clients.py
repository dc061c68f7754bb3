"""Client identifiers: the organisation's own list of things it must not leak.

A `[clients]` config table lists client and project names with aliases,
codenames, people's names, internal domains and customer/account ID
patterns. `ClientDetector` reports them as findings of category "client"
through the engine's `Detector` seam, so policy treats them like any rule.

Matching has to stay fast for lists of 10,000+ names, so every literal
(name, alias, domain) of a list goes into ONE Aho-Corasick automaton run
over a lower-cased copy of the text, and the boundary rules (word edges,
possessives, legal suffixes, subdomains) are checked in Python on the few
hits. Building that automaton for 10,000 names costs tens of milliseconds,
more than a hook process can spare, so large lists are cached on disk:
inline lists keyed by a hash of their content, list files (`files = [...]`)
keyed by path, size and mtime, which also skips parsing the file. ID
patterns are user regexes: they run through the `regex` module with a
timeout on every call.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard.errors import ConfigError
from promptguard.models import Confidence
from promptguard.models import Rule

if TYPE_CHECKING:
    import regex

    from promptguard.engine import Raw

Kind = Literal["client", "codename", "person"]
KINDS: tuple[Kind, ...] = ("client", "codename", "person")
# Automaton payload kinds: the three entity kinds plus domains.
_DOMAIN = 3
_KIND_CODE: Mapping[str, int] = {"client": 0, "codename": 1, "person": 2}
# Lists with fewer literals than this build in about a millisecond, less
# than reading a cache file; only large lists are worth caching.
CACHE_MIN_LITERALS = 2000
_CACHE_FORMAT = "clients-v3"
# A shorter alias matched case-insensitively would fire on ordinary words.
MIN_LITERAL = 2

_TABLE_KEYS = {"ignore_case", "names", "codenames", "people", "domains", "ids", "files"}
_ENTITY_KEYS = {"name", "aliases", "ignore_case"}
_ID_KEYS = {"label", "regex"}
_LIST_KEY: Mapping[str, Kind] = {"names": "client", "codenames": "codename", "people": "person"}
DEFAULT_ID_LABEL = "CLIENT_ID"

# Legal-form suffixes that may follow a client name ("Acme GmbH", "Acme,
# Inc."); they belong to the name, so they are redacted with it. Short
# all-caps forms (AG, SA, AB) are matched case-sensitively: "Acme as a
# client" must not swallow "as". Only abbreviations take their dot: "Acme
# GmbH." ends a sentence, and leaving that dot out keeps one surface form
# per client, which is what restore gives back.
_LEGAL_SUFFIX = r"""
    ,?[ \t]+
    (?: (?: Incorporated | Inc | INC | Ltd | LTD | Corp | CORP | Co | L\.L\.C | e\.V
          | S\.A\.S | S\.A | S\.à\ r\.l | S\.r\.l | S\.p\.A | B\.V | N\.V | Pty\ Ltd | K\.K
          | sp\.\ z\ o\.o
        ) \.?
      | Limited | LIMITED | LLC | LLP | LP | GmbH | GMBH | gGmbH | AG | KGaA | KG | SE | UG
      | SAS | SARL | SA | SRL | Srl | SpA | BV | NV | plc | PLC | Corporation | Company
      | Pty | Oyj | Oy | AB | ASA | AS | A/S | ApS | Group | Holdings
    )
    (?![\w])
"""


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _is_host(c: str) -> bool:
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

    def merged(self, other: ClientDirectory) -> ClientDirectory:
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
        from hashlib import blake2b

        # One join and one update: per-entity updates cost 2x for 10,000 names.
        blob = "\0".join(
            f"{e.kind}\1{e.ignore_case:d}\1{e.name}\1" + "\2".join(e.aliases)
            for e in self.entities
        ) + "\0domains\0" + "\2".join(self.domains)
        h = blake2b(_CACHE_FORMAT.encode(), digest_size=16)
        h.update(blob.encode("utf-8", "surrogatepass"))
        return h.hexdigest()


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
    if not value or not all(_is_host(c) or c == "." for c in value) or ".." in value:
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


# -- synthetic rules --------------------------------------------------------

def _rule(
    rule_id: str,
    name: str,
    description: str,
    placeholder: str,
    style: str,
    source: str,
    confidence: Confidence = "context",
) -> Rule:
    # Dictionary hits are "context" confidence (a name can be an ordinary
    # word too) and all "medium" severity. Where findings overlap, the
    # engine keeps the higher confidence, then severity, then the longer
    # span: among our own the longest wins ("db.acme-internal.net" is one
    # host, not "db." + a client name), and an email or secret rule of at
    # least this rank keeps its whole match ("jane@acme.com" stays one
    # email, not "jane@" + a client).
    return Rule(
        id=rule_id,
        name=name,
        description=description,
        category="client",
        severity="medium",
        confidence=confidence,
        regex="",
        params=(("placeholder", placeholder), ("placeholder_style", style)),
        source=source,
    )


def id_rule_id(label: str) -> str:
    return "client-id" if label == DEFAULT_ID_LABEL else "client-" + label.lower().replace("_", "-")


def rule_ids(ids: Sequence[IdPattern] = ()) -> frozenset[str]:
    """Every rule id the detector can report: the fixed kinds, the default
    ID label's and those of `ids`. Policy may name them before any list
    exists (an org policy written for every project)."""
    return frozenset(
        r.id for r in build_rules((*ids, IdPattern(DEFAULT_ID_LABEL, "")), "").values()
    )


def build_rules(ids: Sequence[IdPattern], src: str) -> dict[str, Rule]:
    """The synthetic rules the detector reports against, by kind or ID label."""
    rules = {
        "client": _rule("client-name", "Client or project name",
                        "A name from the organisation's client list.", "Client", "letters", src),
        "codename": _rule("client-codename", "Internal codename",
                          "A project codename from the organisation's list.",
                          "Project", "letters", src),
        "person": _rule("client-person", "Person's name",
                        "A person's name from the organisation's list.", "Person", "letters", src),
        "domain": _rule("client-domain", "Internal hostname or domain",
                        "A host in one of the organisation's internal domains.",
                        "HOST", "number", src),
    }
    for pattern in ids:
        rules.setdefault(f"id:{pattern.label}", _rule(
            id_rule_id(pattern.label), f"Customer/account ID ({pattern.label})",
            "An identifier matching one of the organisation's ID formats.",
            pattern.label, "number", src, confidence="prefix",
        ))
    return rules


# -- detection -------------------------------------------------------------

class DetectorTimeout(TimeoutError):
    """An ID pattern exceeded the time limit; names the rule, never the text."""

    def __init__(self, rule_id: str, timeout: float) -> None:
        super().__init__(f"client ID pattern timed out after {timeout}s")
        self.rule_id = rule_id


_KINDS = ("client", "codename", "person", "domain")
_RULE_KIND = {"client-name": 0, "client-codename": 1, "client-person": 2}
# The automaton indexes only this many leading characters of each literal;
# a hit's candidates are then checked in full (startswith). Fewer trie
# nodes make the cached automaton about 3x smaller and faster to load, and
# loading it is most of what a 10,000-name list costs a process.
_KEY_CHARS = 10
# The candidate table is stored in shards of this many entries, each
# unmarshalled on its first hit: a prompt naming two clients reads two.
_SHARD = 256
# A candidate: (folded literal, kind code, the exact literal for
# case-sensitive entries else None, canonical name or None for domains).
_Candidate = tuple[str, int, "str | None", "str | None"]


class CompiledList:
    """One client list, ready to match; what the cache stores.

    The automaton maps each literal prefix to an index into the candidate
    table; the table's shards are unmarshalled on their first hit, so texts
    that mention no client never pay for them.
    """

    __slots__ = ("_raw", "_shards", "automaton", "domains", "entities", "ids")

    def __init__(
        self,
        automaton: Any,
        shards: tuple[bytes, ...],
        ids: tuple[IdPattern, ...],
        entities: int,
        domains: int,
    ) -> None:
        self.automaton = automaton  # ahocorasick.Automaton(STORE_INTS), or None
        self._raw = shards
        self._shards: dict[int, list[tuple[_Candidate, ...]]] = {}
        self.ids = ids
        self.entities = entities
        self.domains = domains

    def candidates(self, index: int) -> tuple[_Candidate, ...]:
        number, offset = divmod(index, _SHARD)
        shard = self._shards.get(number)
        if shard is None:
            import marshal

            shard = self._shards[number] = marshal.loads(self._raw[number])
        return shard[offset]

    def lookup(self, folded: str) -> tuple[_Candidate, ...]:
        """The entries of one whole (folded) literal."""
        if self.automaton is None:
            return ()
        index = self.automaton.get(folded[:_KEY_CHARS], None)
        if index is None:
            return ()
        return tuple(c for c in self.candidates(index) if c[0] == folded)

    def dumps(self) -> bytes:
        import marshal
        import pickle

        automaton = b"" if self.automaton is None else pickle.dumps(self.automaton, protocol=5)
        ids = tuple(tuple(p) for p in self.ids)
        return marshal.dumps(
            (_CACHE_FORMAT, automaton, self._raw, ids, self.entities, self.domains),
        )

    @classmethod
    def loads(cls, data: bytes) -> CompiledList:
        import marshal
        import pickle

        fmt, automaton, shards, ids, entities, domains = marshal.loads(data)
        if fmt != _CACHE_FORMAT:
            raise ValueError("stale cache format")
        return cls(
            # Our own file in the user's own cache dir (created 0600): the
            # same trust as the user's other dotfiles.
            pickle.loads(automaton) if automaton else None,
            shards, tuple(IdPattern(*p) for p in ids), entities, domains,
        )


def _compile(directory: ClientDirectory) -> CompiledList:
    import marshal

    by_key: dict[str, list[_Candidate]] = {}

    def add(candidate: _Candidate) -> None:
        bucket = by_key.setdefault(candidate[0][:_KEY_CHARS], [])
        if candidate not in bucket:
            bucket.append(candidate)

    for entity in directory.entities:
        code = _KIND_CODE[entity.kind]
        for literal in entity.literals:
            add((fold(literal), code, None if entity.ignore_case else literal, entity.name))
    for domain in directory.domains:
        add((domain, _DOMAIN, None, None))
    automaton = None
    table: list[tuple[_Candidate, ...]] = []
    if by_key:
        import ahocorasick

        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, candidates in by_key.items():
            automaton.add_word(key, len(table))
            table.append(tuple(candidates))
        automaton.make_automaton()
    shards = tuple(marshal.dumps(table[i:i + _SHARD]) for i in range(0, len(table), _SHARD))
    return CompiledList(automaton, shards, directory.ids,
                        len(directory.entities), len(directory.domains))


def _cached(path: Path | None, build: Callable[[], CompiledList]) -> CompiledList:
    if path is None:
        return build()
    try:
        return CompiledList.loads(path.read_bytes())
    except Exception:
        # Missing, stale or corrupt (unmarshalling and unpickling garbage can
        # raise almost anything): rebuild it.
        pass
    compiled = build()
    _write_cache(path, compiled.dumps())
    return compiled


def _write_cache(path: Path, data: bytes) -> None:
    from promptguard import atomic

    # Created 0600 (atomic.py): client names are confidential.
    atomic.write_cache(path, data)


def compile_inline(directory: ClientDirectory, cache_dir: Path | None) -> CompiledList:
    """The inline lists, cached by content hash when big enough to matter."""
    size = sum(1 + len(e.aliases) for e in directory.entities) + len(directory.domains)
    path = None
    if cache_dir is not None and size >= CACHE_MIN_LITERALS:
        path = cache_dir / f"{directory.digest()}.clients.cache"
    return _cached(path, lambda: _compile(directory))


def compile_file(file: Path, cache_dir: Path | None) -> CompiledList:
    """A list file, cached by path, size and mtime (no parse on a hit)."""
    from promptguard.cachekey import file_stamp
    from promptguard.cachekey import key

    try:
        stamp = file_stamp(file)
    except OSError as e:
        raise ConfigError(f"{file}: cannot read: {e.strerror}") from None
    path = None
    if cache_dir is not None:
        path = cache_dir / f"{key(_CACHE_FORMAT, stamp)}.clients.cache"
    return _cached(path, lambda: _compile(load_clients_file(file)))


class ClientDetector:
    """Finds the organisation's client identifiers (an `engine.Detector`).

    The lists are compiled (or read from the cache) on first use, so
    building a detector costs nothing until a text is scanned.
    """

    def __init__(
        self,
        directory: ClientDirectory,
        *,
        regex_timeout: float = 1.0,
        cache_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self.regex_timeout = regex_timeout
        self.cache_dir = cache_dir
        self._compiled: list[CompiledList] | None = None
        self._rules: dict[str, Rule] | None = None
        self._patterns: list[tuple[Rule, regex.Pattern[str]]] | None = None
        self._suffix: re.Pattern[str] | None = None

    def __repr__(self) -> str:
        return f"ClientDetector({self.directory!r})"

    def _lists(self) -> list[CompiledList]:
        if self._compiled is None:
            compiled = [compile_inline(self.directory, self.cache_dir)]
            compiled.extend(compile_file(f, self.cache_dir) for f in self.directory.files)
            self._compiled = compiled
        return self._compiled

    def _rule_map(self) -> dict[str, Rule]:
        if self._rules is None:
            ids = [p for c in self._lists() for p in c.ids]
            self._rules = build_rules(ids, self.directory.source)
        return self._rules

    @property
    def rules(self) -> Sequence[Rule]:
        return tuple(self._rule_map().values())

    def detect(self, text: str) -> Iterator[Raw]:
        if not text:
            return
        yield from self._literals(text)
        yield from self._ids(text)

    # -- literals ----------------------------------------------------------
    def _literals(self, text: str) -> Iterator[Raw]:
        lists = [c for c in self._lists() if c.automaton is not None]
        if not lists:
            return
        rules = self._rule_map()
        folded = fold(text)
        hits: set[tuple[int, int, int]] = set()
        for compiled in lists:
            for end, index in compiled.automaton.iter(folded):
                for literal, code, exact, _ in compiled.candidates(index):
                    # The hit is the literal's key (its first _KEY_CHARS
                    # characters): the literal starts there; check all of it.
                    s = end + 1 - min(len(literal), _KEY_CHARS)
                    e = s + len(literal)
                    if not folded.startswith(literal, s):
                        continue
                    if exact is not None and text[s:e] != exact:
                        continue
                    span = (self._domain_span(text, s, e) if code == _DOMAIN
                            else self._name_span(text, s, e, code))
                    if span is not None:
                        hits.add((span[0], span[1], code))
        # Leftmost-longest among our own hits ("Acme Corp." over "Acme"),
        # so the engine only arbitrates against other rules.
        last_end = -1
        for s, e, code in sorted(hits, key=lambda h: (h[0], -h[1], h[2])):
            if s >= last_end:
                last_end = e
                rule = rules[_KINDS[code]]
                yield rule, s, e, rule.confidence

    def _name_span(self, text: str, s: int, e: int, code: int) -> tuple[int, int] | None:
        # Word boundaries, checked only where the literal itself starts or
        # ends with a word character ("S.A." may be followed by anything).
        # A possessive ("Acme's", "Acme’s") passes: the apostrophe is not a
        # word character, and it stays outside the span so it survives.
        if s > 0 and _is_word(text[s]) and _is_word(text[s - 1]):
            return None
        if e < len(text) and _is_word(text[e - 1]) and _is_word(text[e]):
            return None
        if code == _KIND_CODE["client"] and e < len(text) and text[e] in ", \t":
            m = self._suffix_pattern().match(text, e)
            if m is not None:
                e = m.end()
        return s, e

    def _suffix_pattern(self) -> re.Pattern[str]:
        # Our own pattern, not a user's: literals after `,?[ \t]+`, linear
        # time, so the stdlib's faster compile is safe without a timeout.
        if self._suffix is None:
            self._suffix = re.compile(_LEGAL_SUFFIX, re.VERBOSE)
        return self._suffix

    @staticmethod
    def _domain_span(text: str, s: int, e: int) -> tuple[int, int] | None:
        n = len(text)
        if e < n:
            c = text[e]
            # "acme.com" inside "acme.community" or "acme.com.evil.org" is not ours.
            if _is_host(c) or (c == "." and e + 1 < n and _is_host(text[e + 1])):
                return None
        dotted = "." in text[s:e]
        if s > 0 and text[s - 1] == ".":
            # A subdomain: take the whole hostname ("db1.corp.acme.com").
            i = s - 1
            while i > 0 and (_is_host(text[i - 1]) or text[i - 1] == ".") and s - i < 253:
                i -= 1
            while i < s and text[i] in ".-_":
                i += 1
            return i, e
        if s > 0 and _is_host(text[s - 1]):
            return None
        # A single-label domain ("internal") only counts as a suffix of a host.
        return (s, e) if dotted else None

    # -- ID patterns -------------------------------------------------------
    def _ids(self, text: str) -> Iterator[Raw]:
        if self._patterns is None:
            import regex

            rules = self._rule_map()
            self._patterns = [
                (rules[f"id:{p.label}"], regex.compile(p.regex))
                for c in self._lists() for p in c.ids
            ]
        for rule, pattern in self._patterns:
            try:
                spans = [m.span() for m in pattern.finditer(text, timeout=self.regex_timeout)]
            except TimeoutError:
                raise DetectorTimeout(rule.id, self.regex_timeout) from None
            for s, e in spans:
                if s < e:
                    yield rule, s, e, rule.confidence

    # -- grouping ----------------------------------------------------------
    def identity(self, rule_id: str, value: str) -> str | None:
        """What a matched value stands for, so every alias shares one pseudonym.

        "Acme", "ACME Inc." and "acme corp's" all name the client "Acme
        Corp"; hostnames compare case-insensitively. None for rules that
        are not ours (and for ID rules: the value is its own identity).
        """
        resolved = self._resolve(rule_id, value)
        return None if resolved is None else resolved[0]

    def canonical(self, rule_id: str, value: str) -> str | None:
        """The configured name of the entity `value` spells ("Acme Corp" for
        "ACME Inc."), which restore gives back; None when the value is not a
        listed entity's (hosts, IDs, other rules)."""
        resolved = self._resolve(rule_id, value)
        return None if resolved is None else resolved[1]

    def _resolve(self, rule_id: str, value: str) -> tuple[str, str | None] | None:
        if rule_id == "client-domain":
            return f"domain:{fold(value)}", None
        code = _RULE_KIND.get(rule_id)
        if code is None:
            return None
        kind = _KINDS[code]
        # The span may carry a legal suffix the list does not ("Acme GmbH").
        candidates = [value]
        m = self._suffix_pattern().search(value)
        if m is not None and m.end() == len(value):
            candidates.append(value[: m.start()])
        for candidate in candidates:
            key = fold(candidate)
            for compiled in self._lists():
                for _, entry_code, exact, canonical in compiled.lookup(key):
                    if entry_code == code and exact in (None, candidate):
                        return f"{kind}:{canonical}", canonical
        return f"{kind}:{fold(value)}", None
