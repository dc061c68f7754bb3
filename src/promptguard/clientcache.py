"""A client list compiled for matching, and its on-disk cache.

Every literal of a list (name, alias, domain) goes into ONE Aho-Corasick
automaton over folded text; building it for 10,000 names costs tens of
milliseconds, more than a hook process can spare, so large lists are
cached: inline lists keyed by a hash of their content, list files keyed by
path, size and mtime (which also skips parsing the file).
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from promptguard.clientlist import ClientDirectory
from promptguard.clientlist import IdPattern
from promptguard.clientlist import fold
from promptguard.clientlist import load_clients_file
from promptguard.errors import ConfigError

# Automaton payload kinds: the three entity kinds plus domains.
DOMAIN_CODE = 3
KIND_CODE: Mapping[str, int] = {"client": 0, "codename": 1, "person": 2}
# Lists with fewer literals than this build in about a millisecond, less
# than reading a cache file; only large lists are worth caching.
CACHE_MIN_LITERALS = 2000
_CACHE_FORMAT = "clients-v3"

# The automaton indexes only this many leading characters of each literal;
# a hit's candidates are then checked in full (startswith). Fewer trie
# nodes make the cached automaton about 3x smaller and faster to load, and
# loading it is most of what a 10,000-name list costs a process.
KEY_CHARS = 10
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
        index = self.automaton.get(folded[:KEY_CHARS], None)
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
        bucket = by_key.setdefault(candidate[0][:KEY_CHARS], [])
        if candidate not in bucket:
            bucket.append(candidate)

    for entity in directory.entities:
        code = KIND_CODE[entity.kind]
        for literal in entity.literals:
            add((fold(literal), code, None if entity.ignore_case else literal, entity.name))
    for domain in directory.domains:
        add((domain, DOMAIN_CODE, None, None))
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


def inline_digest(directory: ClientDirectory) -> str:
    """A stable hash of a directory's inline literals (what shapes their automaton)."""
    from promptguard.cachekey import key

    # One join and one hash: per-entity updates cost 2x for 10,000 names.
    blob = "\0".join(
        f"{e.kind}\1{e.ignore_case:d}\1{e.name}\1" + "\2".join(e.aliases)
        for e in directory.entities
    ) + "\0domains\0" + "\2".join(directory.domains)
    return key(_CACHE_FORMAT, blob.encode("utf-8", "surrogatepass"))
