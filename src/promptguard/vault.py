"""The vault: which placeholder stands for which value, kept locally per session.

One JSON file per named session in the user's data directory
(`~/.local/share/promptguard/vault/<session>.json` on Linux; see
`data_dir()`), created 0600 in a 0700 directory, replaced atomically and
guarded by a lock file so hooks, the clipboard daemon and the gateway can
share a session without handing one placeholder to two values.

What it holds:

* restorable entries (by default PII and client identifiers): placeholder
  and the value it replaced, so `restore` can put it back. These values ARE
  stored in clear text: the file is protected only by its permissions and
  the user's account, like an SSH known_hosts file. That is the one place
  promptguard writes a detected value, and only values of the categories
  `[redaction] restorable` lists;
* one-way entries (by default secrets and credentials): the placeholder and
  a keyed BLAKE2b MAC of the value, never the value, so the same key gets
  the same placeholder in every run of the session. The MAC key sits in the
  same file, so someone who can read the file can test a guess of the
  secret; a random API key cannot be guessed, a weak password can.

A session expires `ttl` seconds after its last use; an expired vault is
deleted the next time it is opened or listed.
"""
# ruff: noqa: I002
# No postponed annotations: NamedTuple would compile each string annotation
# at import (a hook that redacts imports this module on every start).

import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.dirs import data_dir
from promptguard.errors import InputError
from promptguard.filelock import locked

FORMAT = 1
DEFAULT_TTL = 7 * 24 * 3600.0
_SESSION = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_SUFFIX = ".json"
_LOCK = ".lock"


def vault_dir(base: Path | None = None) -> Path:
    return (base if base is not None else data_dir()) / "vault"


def default_session(now: float | None = None) -> str:
    """One session per local calendar day, e.g. "2026-11-25"."""
    return time.strftime("%Y-%m-%d", time.localtime(now))


def check_session(name: str) -> str:
    # The name becomes a file name: no separators, no dot files.
    if not re.fullmatch(_SESSION, name):
        raise InputError(
            f"invalid session name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    return name


class Entry(NamedTuple):
    placeholder: str
    rule_id: str
    category: str
    # Restorable entries: the value restore gives back (the one surface form
    # seen, or the configured name once several were) and, when aliases
    # share a pseudonym, the identity they share.
    value: str | None = None
    identity: str | None = None
    # One-way entries: keyed MAC of the identity, never the value.
    mac: str | None = None

    def __repr__(self) -> str:
        # Even restorable values stay out of logs and tracebacks.
        kind = "restorable" if self.value is not None else "one-way"
        return f"Entry({self.placeholder!r}, rule_id={self.rule_id!r}, {kind})"

    @property
    def restorable(self) -> bool:
        return self.value is not None


class VaultInfo(NamedTuple):
    session: str
    path: Path
    restorable: int
    one_way: int
    created: float
    updated: float
    expires: float


def _mkdir_private(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":  # pragma: win32 no cover
        # mkdir's mode is filtered by the umask, and an existing directory
        # keeps its mode: make sure nobody else can list the sessions.
        os.chmod(path, 0o700)


class Vault:
    """A session's placeholder mapping; persistent when it has a path."""

    def __init__(
        self,
        session: str,
        path: Path | None = None,
        *,
        ttl: float | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.path = path
        # None: keep the TTL the file was written with (DEFAULT_TTL if new);
        # a number: the current configuration's TTL, which wins.
        self._ttl = ttl
        self._file_ttl = DEFAULT_TTL
        self._now = now
        self._reset()
        self._stamp: tuple[int, int] | None = None

    def _reset(self) -> None:
        self._key = os.urandom(32)
        self.created = self._now()
        self.updated = self.created
        self._entries: list[Entry] = []
        self._by_placeholder: dict[str, Entry] = {}
        self._by_identity: dict[str, Entry] = {}
        self._by_mac: dict[str, Entry] = {}
        self._counters: dict[str, int] = {}
        self._dirty = False

    # -- construction --------------------------------------------------------
    @classmethod
    def memory(cls, session: str = "memory") -> "Vault":
        """A vault that lives only as long as this object (nothing on disk)."""
        return cls(session)

    @classmethod
    def open(
        cls,
        session: str | None = None,
        *,
        ttl: float | None = None,
        base: Path | None = None,
        now: Callable[[], float] = time.time,
    ) -> "Vault":
        """The named session's vault (today's by default), loaded if it exists."""
        name = check_session(session if session is not None else default_session(now()))
        vault = cls(name, vault_dir(base) / f"{name}{_SUFFIX}", ttl=ttl, now=now)
        vault.refresh()
        return vault

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else "memory"
        return f"Vault(session={self.session!r}, entries={len(self._entries)}, at={where!r})"

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def exists(self) -> bool:
        return self.path is not None and self.path.exists()

    @property
    def ttl(self) -> float:
        return self._ttl if self._ttl is not None else self._file_ttl

    @property
    def expires(self) -> float:
        return self.updated + self.ttl

    # -- lookups -------------------------------------------------------------
    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def get(self, placeholder: str) -> Entry | None:
        return self._by_placeholder.get(placeholder)

    def value_of(self, placeholder: str) -> str | None:
        entry = self._by_placeholder.get(placeholder)
        return entry.value if entry is not None else None

    def prefixes(self) -> set[str]:
        return set(self._counters)

    def mac(self, identity: str) -> str:
        from hashlib import blake2b

        data = identity.encode("utf-8", "surrogatepass")
        return blake2b(data, key=self._key, digest_size=16, person=b"pg-vault").hexdigest()

    def find(self, identity: str) -> Entry | None:
        """The entry already issued for this identity, restorable or one-way."""
        entry = self._by_identity.get(identity)
        if entry is None:
            entry = self._by_mac.get(self.mac(identity))
        return entry

    # -- issuing placeholders ----------------------------------------------
    def issue(
        self,
        *,
        identity: str,
        value: str,
        rule_id: str,
        category: str,
        restorable: bool,
        prefix: str,
        render: Callable[[int], str],
        taken: Callable[[str], bool],
        canonical: str | None = None,
    ) -> Entry:
        """The placeholder for `identity`, allocating the next free one if new.

        `render(n)` formats the n-th placeholder of `prefix`; numbers whose
        placeholder is already issued or `taken` (present in the text being
        redacted) are skipped, so a placeholder never stands for two things.

        `canonical` is the group's configured name (a listed client's).
        Restore gives back the one spelling the session saw; once a second
        spelling of the same identity arrives, it gives back `canonical`
        rather than whichever spelling happened to come first.
        """
        existing = self.find(identity)
        if existing is not None:
            if (canonical is not None and existing.value is not None
                    and value != existing.value and existing.value != canonical):
                existing = self._revalue(existing, canonical)
            return existing
        n = self._counters.get(prefix, 0)
        while True:
            n += 1
            placeholder = render(n)
            if placeholder not in self._by_placeholder and not taken(placeholder):
                break
        self._counters[prefix] = n
        if restorable:
            entry = Entry(placeholder, rule_id, category, value=value,
                          identity=identity if identity != value else None)
        else:
            entry = Entry(placeholder, rule_id, category, mac=self.mac(identity))
        self._add(entry)
        self._dirty = True
        return entry

    def _revalue(self, entry: Entry, value: str) -> Entry:
        updated = entry._replace(value=value)
        self._entries[self._entries.index(entry)] = updated
        self._by_placeholder[updated.placeholder] = updated
        self._by_identity[updated.identity if updated.identity is not None else value] = updated
        self._dirty = True
        return updated

    def _add(self, entry: Entry) -> None:
        self._entries.append(entry)
        self._by_placeholder[entry.placeholder] = entry
        if entry.value is not None:
            self._by_identity[entry.identity if entry.identity is not None else entry.value] = entry
        if entry.mac is not None:
            self._by_mac[entry.mac] = entry

    # -- persistence ---------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Vault"]:
        """Hold the session lock, start from the file's state, save on exit."""
        if self.path is None:
            yield self
            return
        _mkdir_private(self.path.parent)
        # One lock for the directory: sessions rarely contend, and a lock
        # file per session could not be deleted safely with its vault.
        with locked(self.path.parent / _LOCK):
            self.refresh(force=True)
            yield self
            if self._dirty:
                self.updated = self._now()
                self._save()

    def refresh(self, *, force: bool = False) -> None:
        """Reload from disk when the file changed (another process wrote it)."""
        if self.path is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            if self._stamp is not None or force:
                self._reset()
            self._stamp = None
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp and not force:
            return
        self._load()
        self._stamp = stamp

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("unknown vault format")
            updated = float(data["updated"])
            file_ttl = float(data.get("ttl", DEFAULT_TTL))
            entries = [_entry_from_json(e) for e in data["entries"]]
            key = bytes.fromhex(data["key"])
            created = float(data["created"])
            counters = {str(k): int(v) for k, v in data["counters"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # Never echo the file's content: it holds restorable values.
            raise InputError(
                f"vault {self.path} is unreadable or corrupt; remove it with "
                f"`promptguard vault clear --session {self.session}`",
            ) from None
        self._reset()
        self._file_ttl = file_ttl
        if updated + self.ttl < self._now():
            # Expired: forget it now rather than restore from stale data.
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        self._key = key
        self.created = created
        self.updated = updated
        self._counters = counters
        for entry in entries:
            self._add(entry)

    def _save(self) -> None:
        from promptguard import atomic

        assert self.path is not None
        payload = {
            "format": FORMAT,
            "session": self.session,
            "created": self.created,
            "updated": self.updated,
            "ttl": self.ttl,
            "key": self._key.hex(),
            "counters": self._counters,
            "entries": [_entry_to_json(e) for e in self._entries],
        }
        # Created 0600 (atomic.py): the vault is never readable by others,
        # not even for a moment. ASCII with escapes: lone surrogates from
        # undecodable input bytes survive the round trip. No indent: with
        # one, json falls back to its pure-Python encoder, ~10x slower, which
        # a long-lived vault (the gateway's) pays on every new entry.
        atomic.write_text(self.path, json.dumps(payload, separators=(",", ":")),
                          encoding="ascii")
        st = self.path.stat()
        self._stamp = (st.st_mtime_ns, st.st_size)
        self._dirty = False


def _entry_to_json(entry: Entry) -> dict[str, Any]:
    d: dict[str, Any] = {"placeholder": entry.placeholder, "rule": entry.rule_id,
                         "category": entry.category}
    if entry.value is not None:
        d["value"] = entry.value
    if entry.identity is not None:
        d["identity"] = entry.identity
    if entry.mac is not None:
        d["mac"] = entry.mac
    return d


def _entry_from_json(d: dict[str, Any]) -> Entry:
    entry = Entry(
        placeholder=str(d["placeholder"]),
        rule_id=str(d["rule"]),
        category=str(d["category"]),
        value=d.get("value"),
        identity=d.get("identity"),
        mac=d.get("mac"),
    )
    if (entry.value is None) == (entry.mac is None):
        raise ValueError("entry must be restorable or one-way")
    return entry


def list_vaults(
    base: Path | None = None,
    *,
    now: Callable[[], float] = time.time,
) -> list[VaultInfo]:
    """Every live session (expired ones are deleted on the way)."""
    directory = vault_dir(base)
    out: list[VaultInfo] = []
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob(f"*{_SUFFIX}")):
        name = path.name[: -len(_SUFFIX)]
        if not re.fullmatch(_SESSION, name):
            continue
        vault = Vault(name, path, now=now)
        vault.refresh()
        if not path.exists():
            continue  # it had expired
        restorable = sum(1 for e in vault.entries if e.restorable)
        out.append(VaultInfo(
            session=name, path=path, restorable=restorable,
            one_way=len(vault) - restorable, created=vault.created, updated=vault.updated,
            expires=vault.expires,
        ))
    return out


def clear(base: Path | None = None, session: str | None = None) -> int:
    """Delete one session's vault, or all of them; the number deleted."""
    directory = vault_dir(base)
    if session is not None:
        paths = [directory / f"{check_session(session)}{_SUFFIX}"]
    else:
        paths = sorted(directory.glob(f"*{_SUFFIX}")) if directory.is_dir() else []
    count = 0
    for path in paths:
        try:
            path.unlink()
            count += 1
        except FileNotFoundError:
            pass
    return count
