"""Baselines: findings a project has reviewed and accepted.

An entry is (path, rule id, fingerprint), never a line number, so moving or
editing around a secret does not re-trigger it (detect-secrets compares on
filename, secret hash and type for the same reason). The file is sorted,
one entry per line and without timestamps, so two branches that each add
entries merge without conflicts in the common case.

Imported detect-secrets baselines keep detect-secrets' own key: its
`hashed_secret` is the SHA-1 of the secret. We cannot invert it, so at check
time each finding's secret is hashed with SHA-1 and looked up for the same
path. See docs/policy.md, "Migrating from detect-secrets".
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
import json
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.errors import ConfigError
from promptguard.models import Finding

FORMAT_VERSION = 1


class Entry(NamedTuple):
    path: str
    rule_id: str
    fingerprint: str


class DetectSecretsEntry(NamedTuple):
    path: str
    hashed_secret: str
    type: str = ""


class Baseline(NamedTuple):
    # Entry paths are posix and relative to `root`, the project root.
    root: Path
    entries: frozenset[Entry] = frozenset()
    detect_secrets: frozenset[DetectSecretsEntry] = frozenset()
    source: str = ""
    # detect-secrets hashes by path, derived from `detect_secrets`.
    hashes: Mapping[str, frozenset[str]] = {}

    @classmethod
    def make(
        cls,
        root: Path,
        entries: Iterable[Entry] = (),
        detect_secrets: Iterable[DetectSecretsEntry] = (),
        source: str = "",
    ) -> "Baseline":
        ds = frozenset(detect_secrets)
        by_path: dict[str, set[str]] = {}
        for e in ds:
            by_path.setdefault(e.path, set()).add(e.hashed_secret)
        return cls(root, frozenset(entries), ds, source,
                   {p: frozenset(h) for p, h in by_path.items()})

    def reason(self, finding: Finding, path: str, secret: str | None) -> str | None:
        """Why `finding` (at `path`, relative to root) is baselined, or None."""
        if Entry(path, finding.rule_id, finding.fingerprint) in self.entries:
            return "baseline"
        hashes = self.hashes.get(path)
        if hashes and secret is not None and sha1_hex(secret) in hashes:
            return "baseline.detect-secrets"
        return None



def _read_json(path: Path, what: str) -> Any:
    """A JSON document, or a ConfigError naming the file and, if given, what it is."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read {what}".rstrip() + f": {e.strerror}") from None
    except ValueError as e:
        subject = f"{what} is not" if what else "not"
        raise ConfigError(f"{path}: {subject} valid JSON: {e}") from None

def sha1_hex(secret: str) -> str:
    """detect-secrets' PotentialSecret.hash_secret, which its baselines store."""
    import hashlib

    return hashlib.sha1(secret.encode("utf-8"), usedforsecurity=False).hexdigest()


def _is_detect_secrets(doc: dict[str, Any]) -> bool:
    return isinstance(doc.get("results"), dict) and "plugins_used" in doc


def _rebase(path: str, src: Path, dst: Path) -> str:
    """A posix path relative to folder `src` made relative to folder `dst`."""
    if src.resolve() == dst.resolve():
        return path
    full = (src / path).resolve()
    try:
        return full.relative_to(dst.resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def _detect_secrets_entries(doc: dict[str, Any], where: str, src: Path,
                            dst: Path) -> frozenset[DetectSecretsEntry]:
    out: set[DetectSecretsEntry] = set()
    for filename, items in doc["results"].items():
        if not isinstance(items, list):
            raise ConfigError(f"{where}: results.{filename}: must be an array")
        for i, item in enumerate(items):
            hashed = item.get("hashed_secret") if isinstance(item, dict) else None
            if not isinstance(hashed, str):
                raise ConfigError(f"{where}: results.{filename}[{i}]: no hashed_secret")
            path = Path(filename).as_posix()
            out.add(DetectSecretsEntry(_rebase(path, src, dst), hashed, str(item.get("type", ""))))
    return frozenset(out)


def load(path: Path, root: Path) -> Baseline:
    """Read our baseline format or a detect-secrets `.secrets.baseline`.

    Our entries' paths are relative to the project root `root`; a
    detect-secrets baseline's are relative to its own folder (where
    `detect-secrets scan` ran) and are rebased onto `root`.
    """
    where = str(path)
    doc = _read_json(path, "baseline")
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: baseline must be a JSON object")
    if _is_detect_secrets(doc):
        return Baseline.make(root, (), _detect_secrets_entries(doc, where, path.parent, root),
                             where)
    if doc.get("version") != FORMAT_VERSION:
        got = doc.get("version")
        raise ConfigError(f"{where}: version: expected {FORMAT_VERSION}, got {got!r}")
    entries: set[Entry] = set()
    ds: set[DetectSecretsEntry] = set()
    for key, fields in (
        ("findings", ("path", "rule_id", "fingerprint")),
        ("detect_secrets", ("path", "hashed_secret", "type")),
    ):
        items = doc.get(key, [])
        if not isinstance(items, list):
            raise ConfigError(f"{where}: {key}: must be an array")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not all(
                isinstance(item.get(f, ""), str) for f in fields
            ) or not all(item.get(f) for f in fields[:2]):
                raise ConfigError(f"{where}: {key}[{i}]: needs string fields {', '.join(fields)}")
            values = [str(item.get(f, "")) for f in fields]
            if key == "findings":
                entries.add(Entry(*values))
            else:
                ds.add(DetectSecretsEntry(*values))
    return Baseline.make(root, entries, ds, where)


def import_detect_secrets(path: Path, dest_root: Path) -> frozenset[DetectSecretsEntry]:
    """The entries of a detect-secrets baseline, paths made relative to `dest_root`."""
    where = str(path)
    doc = _read_json(path, "")
    if not isinstance(doc, dict) or not _is_detect_secrets(doc):
        raise ConfigError(f"{where}: not a detect-secrets baseline (no results/plugins_used)")
    return _detect_secrets_entries(doc, where, path.parent, dest_root)


def dumps(entries: Iterable[Entry], detect_secrets: Iterable[DetectSecretsEntry] = ()) -> str:
    """Sorted, one entry per line, no timestamps: stable and merge-friendly."""
    def block(name: str, items: list[dict[str, str]]) -> str:
        if not items:
            return f'  "{name}": []'
        body = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in items)
        return f'  "{name}": [\n{body}\n  ]'

    findings = [e._asdict() for e in sorted(set(entries))]
    ds = [e._asdict() for e in sorted(set(detect_secrets))]
    parts = [f'  "version": {FORMAT_VERSION}', block("findings", findings)]
    if ds:
        parts.append(block("detect_secrets", ds))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write(path: Path, entries: Iterable[Entry],
          detect_secrets: Iterable[DetectSecretsEntry] = ()) -> None:
    from promptguard import atomic

    atomic.write_text(path, dumps(entries, detect_secrets))
