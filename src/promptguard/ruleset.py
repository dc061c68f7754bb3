"""Load rule packs (TOML), validate them, and build an immutable RuleSet.

Loading validates everything and names the file and rule id in each error.
Parsing and validating ~1,300 rules costs hundreds of milliseconds, which a
hook process started per prompt cannot afford, so the validated result is
cached (marshal) keyed by the packs' paths, sizes and mtimes (as CPython
keys .pyc files). Regexes are compiled lazily, only for rules whose keyword
occurs; from the cache, rules are decoded lazily too (see `LazyRules`).
"""
# No `from __future__ import annotations` here: typing.NamedTuple would
# compile every postponed field annotation at import (~17 ms per process).

import marshal
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any
from typing import NamedTuple

from promptguard.errors import RuleError
from promptguard.models import CATEGORIES
from promptguard.models import CONFIDENCES
from promptguard.models import SEVERITIES
from promptguard.models import Allowlist
from promptguard.models import Rule

SCHEMA_VERSION = 1
# see rulecache.py; v13: Allowlist.on_match beside the v12 prefilter gates
_CACHE_FORMAT = "rules-v13"

_RULE_KEYS = {
    "id", "name", "description", "category", "severity", "confidence", "regex",
    "secret_group", "keywords", "always_run", "window", "multiline", "entropy", "min_length",
    "max_length", "validate", "on_invalid", "allowlists", "examples",
    "negative_examples", "references", "tags", "params", "prefilter",
}
_REQUIRED = ("id", "name", "description", "category", "severity", "confidence", "regex")
_ALLOWLIST_KEYS = {"description", "target", "condition", "regexes", "stopwords", "on_match"}
_TOP_KEYS = {"schema_version", "pack", "rules"}


def builtin_rules_dir() -> Path:
    """The packs shipped with promptguard: inside the wheel, or the source tree."""
    installed = Path(__file__).with_name("rules")
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "rules"


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their *.toml files, in a stable order."""
    out: list[Path] = []
    given = list(paths)
    for path in given:
        if path.is_dir():
            out.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            out.append(path)
        else:
            raise RuleError(f"{path}: no such rule file or directory")
    if len(given) == 1:
        return out  # one directory's or file's packs: no duplicates to resolve
    # A pack named twice (e.g. a built-in one passed with --rules) loads once.
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _load_toml(path: Path) -> dict[str, Any]:
    from promptguard import tomlload

    return tomlload.load(path, error=RuleError)


def _str_tuple(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _check_type(value: Any, types: type | tuple[type, ...], where: str, key: str) -> None:
    # bool is an int subclass; a rule saying `window = true` is a mistake.
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise RuleError(f"{where}: {key!r} has the wrong type")
    if not isinstance(value, types):
        raise RuleError(f"{where}: {key!r} has the wrong type")


def _parse_allowlist(raw: Any, where: str) -> Allowlist:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: each [[rules.allowlists]] must be a table")
    unknown = set(raw) - _ALLOWLIST_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown allowlist key(s): {', '.join(sorted(unknown))}")
    target = raw.get("target", "secret")
    if target not in ("secret", "match", "line"):
        raise RuleError(f"{where}: allowlist target must be secret, match or line")
    condition = raw.get("condition", "or")
    if condition not in ("or", "and"):
        raise RuleError(f"{where}: allowlist condition must be 'or' or 'and'")
    regexes = _str_tuple(raw.get("regexes", []), where, "regexes")
    stopwords = _str_tuple(raw.get("stopwords", []), where, "stopwords")
    for sw in stopwords:
        if sw != sw.lower():
            raise RuleError(f"{where}: stopword {sw!r} must be lower-case")
    if not regexes and not stopwords:
        raise RuleError(f"{where}: an allowlist needs regexes or stopwords")
    on_match = raw.get("on_match", "drop")
    if on_match not in ("drop", "demote"):
        raise RuleError(f"{where}: allowlist on_match must be 'drop' or 'demote'")
    return Allowlist(
        description=str(raw.get("description", "")),
        target=target,
        condition=condition,
        regexes=regexes,
        stopwords=stopwords,
        on_match=on_match,
    )


def parse_rule(raw: Any, source: str) -> Rule:
    """Validate one [[rules]] table (everything but regex compilation)."""
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: each [[rules]] entry must be a table")
    rid = raw.get("id")
    where = f"{source}: {rid if isinstance(rid, str) else '<rule without id>'}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    for key in _REQUIRED:
        if key not in raw:
            raise RuleError(f"{where}: missing required key {key!r}")
        _check_type(raw[key], str, where, key)
    import regex

    if not regex.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", raw["id"]):
        raise RuleError(f"{where}: id must be kebab-case ([a-z0-9] words joined by '-')")
    if raw["category"] not in CATEGORIES:
        raise RuleError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    if raw["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    if raw["confidence"] not in CONFIDENCES:
        raise RuleError(f"{where}: confidence must be one of {', '.join(CONFIDENCES)}")

    keywords = _str_tuple(raw.get("keywords", []), where, "keywords")
    for kw in keywords:
        if not kw or not kw.isascii() or kw != kw.lower():
            raise RuleError(f"{where}: keyword {kw!r} must be non-empty lower-case ASCII")
    always_run = raw.get("always_run", False)
    _check_type(always_run, bool, where, "always_run")
    # A rule whose own examples span lines needs multi-line windows.
    multiline = raw.get("multiline")
    if multiline is None:
        multiline = any("\n" in e.strip() for e in raw.get("examples", []) if isinstance(e, str))
    _check_type(multiline, bool, where, "multiline")
    if not keywords and not always_run:
        raise RuleError(f"{where}: needs keywords (or always_run = true)")

    ints: dict[str, int] = {}
    for key, default in (("window", 256), ("min_length", 0), ("max_length", 0)):
        value = raw.get(key, default)
        _check_type(value, int, where, key)
        if value < 0:
            raise RuleError(f"{where}: {key!r} must not be negative")
        ints[key] = value
    entropy = raw.get("entropy")
    if entropy is not None:
        _check_type(entropy, (int, float), where, "entropy")
        entropy = float(entropy)
    validate = raw.get("validate")
    if validate is not None:
        _check_type(validate, str, where, "validate")
        from promptguard.validators import VALIDATORS

        if validate not in VALIDATORS:
            raise RuleError(f"{where}: unknown validator {validate!r}")
    on_invalid = raw.get("on_invalid", "drop")
    if on_invalid not in ("drop", "demote", "weak"):
        raise RuleError(f"{where}: on_invalid must be 'drop', 'demote' or 'weak'")
    if on_invalid == "weak":
        from promptguard.validators import WEAK

        form = raw.get("params", {}).get("weak_form", validate)
        if form not in WEAK:
            raise RuleError(f"{where}: on_invalid = 'weak' needs a validator with a weak "
                            f"form, or params.weak_form, among {', '.join(sorted(WEAK))}")
    secret_group = raw.get("secret_group")
    if secret_group is not None:
        _check_type(secret_group, (int, str), where, "secret_group")
    params_raw = raw.get("params", {})
    if not isinstance(params_raw, dict) or not all(
        isinstance(v, (int, float, str, bool)) for v in params_raw.values()
    ):
        raise RuleError(f"{where}: 'params' must be a table of numbers, strings or booleans")
    prefilter = raw.get("prefilter")
    if prefilter is not None:
        _check_type(prefilter, str, where, "prefilter")
        if not prefilter or not prefilter.isascii():
            raise RuleError(f"{where}: 'prefilter' must be a non-empty ASCII pattern")
    allow_raw = raw.get("allowlists", [])
    if not isinstance(allow_raw, list):
        raise RuleError(f"{where}: 'allowlists' must be an array of tables")

    rule = Rule(
        id=raw["id"],
        name=raw["name"],
        description=raw["description"],
        category=raw["category"],
        severity=raw["severity"],
        confidence=raw["confidence"],
        regex=raw["regex"],
        secret_group=secret_group if secret_group is not None else -1,
        keywords=keywords,
        always_run=always_run,
        window=ints["window"],
        multiline=multiline,
        entropy=entropy,
        min_length=ints["min_length"],
        max_length=ints["max_length"],
        validate=validate,
        on_invalid=on_invalid,
        allowlists=tuple(_parse_allowlist(a, where) for a in allow_raw),
        examples=_str_tuple(raw.get("examples", []), where, "examples"),
        negative_examples=_str_tuple(raw.get("negative_examples", []), where, "negative_examples"),
        references=_str_tuple(raw.get("references", []), where, "references"),
        tags=_str_tuple(raw.get("tags", []), where, "tags"),
        params=tuple(sorted(params_raw.items())),
        prefilter=prefilter,
        source=source,
    )
    return _resolve_group(rule, where)


def _resolve_group(rule: Rule, where: str) -> Rule:
    """Compile once to validate, and fix the default secret_group."""
    import regex

    try:
        compiled = regex.compile(rule.regex, cache_pattern=False)
    except (regex.error, ValueError, OverflowError) as e:
        raise RuleError(f"{where}: regex does not compile: {e}") from None
    for al in rule.allowlists:
        for pattern in al.regexes:
            try:
                regex.compile(pattern)
            except (regex.error, ValueError, OverflowError) as e:
                raise RuleError(
                    f"{where}: allowlist regex {pattern!r} does not compile: {e}",
                ) from None
    group = rule.secret_group
    if group == -1:
        group = 1 if compiled.groups else 0
    if isinstance(group, int):
        if group > compiled.groups:
            raise RuleError(
                f"{where}: secret_group {group} but the regex has {compiled.groups} group(s)",
            )
    elif group not in compiled.groupindex:
        raise RuleError(f"{where}: secret_group {group!r} is not a named group of the regex")
    return rule._replace(secret_group=group)


def parse_pack(path: Path) -> list[Rule]:
    data = _load_toml(path)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise RuleError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise RuleError(f"{path}: schema_version must be {SCHEMA_VERSION} (got {version!r})")
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise RuleError(f"{path}: 'rules' must be an array of tables ([[rules]])")
    return [parse_rule(raw, str(path)) for raw in rules]


class LazyRules(Sequence[Rule]):
    """The cached rules, each decoded from its own marshal blob on first use.

    A prompt hits a dozen rules out of ~1,300: decoding all of them (and
    building their records) was a fifth of a cold hook's run time. Equal to
    the tuple of the same rules, so nothing downstream can tell.
    """

    __slots__ = ("_blobs", "_rules")

    def __init__(self, blobs: Sequence[bytes]) -> None:
        self._blobs = blobs
        self._rules: list[Rule | None] = [None] * len(blobs)

    def __len__(self) -> int:
        return len(self._blobs)

    def _get(self, index: int) -> Rule:
        rule = self._rules[index]
        if rule is None:
            rule = self._rules[index] = _rule_from_tuple(marshal.loads(self._blobs[index]))
        return rule

    def __getitem__(self, index: Any) -> Any:
        if index.__class__ is int and index >= 0:
            # The engine's rules[i], many times a text: one list lookup.
            rule = self._rules[index]
            return rule if rule is not None else self._get(index)
        if isinstance(index, slice):
            return tuple(self._get(i) for i in range(*index.indices(len(self))))
        return self._get(range(len(self))[index])  # negative indices, IndexError

    def __iter__(self) -> Iterator[Rule]:
        return (self._get(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyRules, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class RuleSet(NamedTuple):
    rules: Sequence[Rule]  # a tuple, or LazyRules from the cache
    # Distinct keywords, and for each the indices of the rules that use it.
    keywords: tuple[str, ...]
    keyword_rules: tuple[tuple[int, ...], ...]
    always_run: tuple[int, ...]
    # Compiled regex programs by rule index, from the cache (see programs.py;
    # each marshalled on its own, decoded when the rule first runs); empty
    # when there is none, and then rules compile from source.
    programs: Sequence[object] = ()
    # The same for allowlist regexes, by pattern.
    allow_programs: Mapping[str, object] = MappingProxyType({})
    # Every rule's id, in order: reports look rules up by id without
    # decoding the whole cache (empty: read the ids from `rules`).
    ids: Sequence[str] = ()
    # The (rule index, pattern) Hyperscan gates (prefilter.gateable), from
    # the cache; None: work them out from `rules` (decoding every rule).
    gates: Sequence[tuple[int, str]] | None = None

    @classmethod
    def from_rules(cls, rules: Sequence[Rule]) -> "RuleSet":
        seen: dict[str, str] = {}
        for rule in rules:
            if rule.id in seen:
                raise RuleError(
                    f"{rule.source}: {rule.id}: duplicate rule id (also in {seen[rule.id]})",
                )
            seen[rule.id] = rule.source
        index: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            for kw in rule.keywords:
                index.setdefault(kw, []).append(i)
        keywords = tuple(sorted(index))
        return cls(
            rules=tuple(rules),
            keywords=keywords,
            keyword_rules=tuple(tuple(index[k]) for k in keywords),
            always_run=tuple(i for i, r in enumerate(rules) if r.always_run),
            ids=tuple(r.id for r in rules),
        )



def gates_of(rules: Sequence[Rule]) -> tuple[tuple[int, str], ...]:
    """The (rule index, pattern) pairs Hyperscan may gate (prefilter.gateable)."""
    from promptguard.prefilter import gateable

    out = []
    for i, rule in enumerate(rules):
        gate = gateable(rule)
        if gate is not None:
            out.append((i, gate))
    return tuple(out)


def default_cache_dir() -> Path | None:
    """The cache folder (dirs.cache_dir); this old name stays for its callers."""
    from promptguard.dirs import cache_dir

    return cache_dir()


def _cache_key(files: Sequence[Path]) -> str:
    from promptguard._version import __version__
    from promptguard.cachekey import file_stamp
    from promptguard.cachekey import key

    return key(_CACHE_FORMAT, __version__, *(file_stamp(f) for f in files))


def _rule_to_tuple(rule: Rule) -> tuple[Any, ...]:
    # Examples are for `rules check` and tests, which parse from source;
    # dropping them halves the cache a hook process reads.
    fields: list[Any] = list(rule._replace(examples=(), negative_examples=()))
    fields[Rule._fields.index("allowlists")] = tuple(tuple(a) for a in rule.allowlists)
    return tuple(fields)


def _rule_from_tuple(fields: tuple[Any, ...]) -> Rule:
    rule = Rule(*fields)
    return rule._replace(allowlists=tuple(Allowlist(*a) for a in rule.allowlists))


def load_ruleset(
    extra: Sequence[Path] = (),
    *,
    builtin: bool = True,
    cache_dir: Path | None = None,
) -> "RuleSet":
    """Load the built-in packs (unless builtin=False) plus `extra` packs."""
    files = pack_files(([builtin_rules_dir()] if builtin else []) + list(extra))
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"{_cache_key(files)}.rules"
        try:
            # marshal, not JSON: ~5x faster to load, and the cache also holds
            # the compiled regex programs (see programs.py). The index is
            # stored as built, and each rule and program is a blob of its
            # own, decoded only when a keyword hits it (rulecache.py).
            from promptguard import rulecache

            header, (rule_blobs, programs) = rulecache.loads(cache_file)
            fmt, keywords, keyword_rules, always_run, allow_programs, ids, gates = header
            if fmt == _CACHE_FORMAT and len(rule_blobs) == len(programs) == len(ids):
                return RuleSet(LazyRules(rule_blobs), keywords, keyword_rules, always_run,
                               programs, allow_programs, ids, gates)
        except (OSError, EOFError, ValueError, TypeError):
            pass  # missing or stale cache: parse and validate below
    rules = []
    for f in files:
        rules.extend(parse_pack(f))
    ruleset = RuleSet.from_rules(rules)
    if cache_file is not None:
        from promptguard import programs as _programs
        from promptguard import rulecache

        allow = sorted({p for r in rules for a in r.allowlists for p in a.regexes})
        header = (
            _CACHE_FORMAT,
            ruleset.keywords,
            ruleset.keyword_rules,
            ruleset.always_run,
            dict(zip(allow, (marshal.dumps(p) for p in _programs.compile_all(allow)),
                     strict=True)),
            ruleset.ids,
            gates_of(rules),
        )
        _write_cache(cache_file, rulecache.dumps(header, [
            [marshal.dumps(_rule_to_tuple(r)) for r in rules],
            [marshal.dumps(p) for p in _programs.compile_all([r.regex for r in rules])],
        ]))
    return ruleset


_STALE_SECONDS = 7 * 24 * 3600


def _prune(cache_dir: Path) -> None:
    """Drop cache files nobody has rewritten for a week (old rule sets)."""
    import time

    cutoff = time.time() - _STALE_SECONDS
    for pattern in ("*.rules", "hyperscan-*.db", "config-v*.marshal"):
        for f in cache_dir.glob(pattern):
            try:
                if f.stat().st_mtime < cutoff:
                    f.unlink()
            except OSError:
                pass


def _write_cache(path: Path, data: bytes) -> None:
    from promptguard import atomic

    if path.parent.is_dir():
        _prune(path.parent)
    atomic.write_cache(path, data)
