"""`promptguard baseline create|update|audit`: record and review accepted findings."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from promptguard.commands.options import add_config_options
from promptguard.commands.options import add_rule_options

if TYPE_CHECKING:
    from promptguard.baseline import Baseline
    from promptguard.baseline import Entry
    from promptguard.config import Config
    from promptguard.models import Finding

HELP = "record the current findings as accepted, refresh that record, or review it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="scan and write a new baseline")
    update = sub.add_parser("update", help="rescan: add new findings, drop ones that are gone")
    audit = sub.add_parser("audit", help="list entries still present, stale entries and "
                                         "findings not in the baseline (exit 1 if any)")
    for p in (create, update, audit):
        p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="files or directories to scan (default: the project root)")
        p.add_argument("--baseline", type=Path, metavar="FILE",
                       help="baseline file (default: the configured one, else "
                            ".promptguard-baseline.json in the project root)")
        add_config_options(p)
        add_rule_options(p)
    create.add_argument("--force", action="store_true", help="overwrite an existing baseline")
    create.add_argument("--import-detect-secrets", type=Path, metavar="FILE",
                        help="also accept everything in this detect-secrets .secrets.baseline")
    audit.add_argument("--format", choices=("text", "json"), default="text")


def _scan(
    args: argparse.Namespace, cfg: Config, targets: list[Path], against: Baseline | None = None,
) -> tuple[list[Finding], list[tuple[Finding, str]], int]:
    """Findings config allowlists do not accept, and those `against` accepts."""
    from promptguard.allowlist import Matcher
    from promptguard.commands.options import guard_options
    from promptguard.guard import Guard
    from promptguard.guard import build_scanner
    from promptguard.screen import Screen
    from promptguard.sources import Note

    notes: list[Note] = []
    options = guard_options(args, no_audit=True)
    screen = Screen(Matcher(cfg.allowlist, cfg.root), [against] if against else [],
                    [cfg.baseline_target])
    guard = Guard("cli", cfg, build_scanner(options, cfg), screen, options)
    verdicts = list(guard.check_paths(targets, audit=False, notes=notes))
    for n in [*notes, *(n for v in verdicts for n in v.notes)]:
        print(f"{n.source}: note: {n.message}", file=sys.stderr)
    findings = [d.finding for v in verdicts for d in v.decisions if d.reason == "policy"]
    suppressed = [(d.finding, d.reason) for v in verdicts for d in v.decisions
                  if d.reason.startswith("baseline")]
    return findings, suppressed, sum(1 for v in verdicts if v.scanned)


def _entries(findings: list[Finding], root: Path) -> set[Entry]:
    from promptguard.allowlist import relative_label
    from promptguard.baseline import Entry

    return {Entry(relative_label(f.source, root), f.rule_id, f.fingerprint) for f in findings}


def _targets(args: argparse.Namespace, cfg: Config) -> list[Path]:
    return list(args.paths) or [cfg.root]


def _create(args: argparse.Namespace, cfg: Config, path: Path) -> int:
    from promptguard import baseline
    from promptguard.errors import ConfigError

    if path.exists() and not getattr(args, "force", False):
        raise ConfigError(f"{path}: baseline exists; use `baseline update`, or --force")
    if getattr(args, "import_detect_secrets", None) is None:
        findings, _, scanned = _scan(args, cfg, _targets(args, cfg))
        entries = _entries(findings, cfg.root)
        baseline.write(path, entries)
        print(f"wrote {path}: {len(entries)} findings from {scanned} sources")
        return 0
    # Migrating: accept exactly what the detect-secrets baseline accepted.
    # Our findings that match one of its hashes are recorded in our format
    # too (so the import can be dropped later); others stay unaccepted.
    imported = baseline.import_detect_secrets(args.import_detect_secrets, cfg.root)
    ds = baseline.Baseline.make(cfg.root, (), imported, str(args.import_detect_secrets))
    unmatched, matched, scanned = _scan(args, cfg, _targets(args, cfg), ds)
    entries = _entries([f for f, _ in matched], cfg.root)
    baseline.write(path, entries, imported)
    print(f"wrote {path}: {len(imported)} detect-secrets entries and {len(entries)} of our "
          f"findings they match, from {scanned} sources")
    if unmatched:
        print(f"{len(unmatched)} finding(s) are not in the detect-secrets baseline and were not "
              "recorded: review them (`promptguard baseline audit`), then `baseline update`")
    return 0


def _load_ours(path: Path, root: Path) -> Baseline:
    from promptguard import baseline
    from promptguard.errors import ConfigError

    if not path.exists():
        raise ConfigError(f"{path}: no baseline yet; run `promptguard baseline create`")
    loaded = baseline.load(path, root)
    if loaded.detect_secrets and not loaded.entries and "plugins_used" in path.read_text():
        raise ConfigError(f"{path}: is a detect-secrets baseline; import it with "
                          "`promptguard baseline create --import-detect-secrets`")
    return loaded


def _scanned_paths(args: argparse.Namespace, cfg: Config, root: Path) -> set[str] | None:
    """Relative paths the rescan covered; None when it covered everything."""
    if not args.paths:
        return None
    from promptguard.allowlist import relative_label
    from promptguard.sources import Note
    from promptguard.sources import iter_paths

    notes: list[Note] = []
    return {relative_label(str(p), root) for p in iter_paths(args.paths, notes)}


def _update(args: argparse.Namespace, cfg: Config, path: Path) -> int:
    from promptguard import baseline

    if not path.exists():
        # What the pre-commit message tells people to run: make it work the
        # first time too.
        return _create(args, cfg, path)
    root = cfg.root
    old = _load_ours(path, root)
    findings, _, scanned = _scan(args, cfg, _targets(args, cfg))
    current = _entries(findings, root)
    covered = _scanned_paths(args, cfg, root)
    # Keep entries of files this run did not look at, unless they are gone.
    kept = {
        e for e in old.entries
        if covered is not None and e.path not in covered and (root / e.path).exists()
    }
    new = kept | current
    baseline.write(path, new, old.detect_secrets)
    added = len(new - old.entries)
    removed = len(old.entries - new)
    print(f"updated {path}: {len(new)} findings ({added} added, {removed} removed) "
          f"from {scanned} sources")
    return 0


def _audit(args: argparse.Namespace, cfg: Config, path: Path) -> int:
    from promptguard.allowlist import relative_label

    root = cfg.root
    old = _load_ours(path, root)
    new, accepted, scanned = _scan(args, cfg, _targets(args, cfg), old)
    covered = _scanned_paths(args, cfg, root)
    seen = _entries([f for f, reason in accepted if reason == "baseline"], root)
    stale = [e for e in old.entries
             if e not in seen and (covered is None or e.path in covered)]
    doc: dict[str, Any] = {
        "baseline": str(path),
        "sources_scanned": scanned,
        "present": [e._asdict() for e in sorted(seen)],
        "stale": [e._asdict() for e in sorted(stale)],
        "detect_secrets_matches": sum(1 for _, r in accepted if r == "baseline.detect-secrets"),
        "not_in_baseline": [
            {"path": relative_label(f.source, root), "line": f.line, "rule_id": f.rule_id,
             "fingerprint": f.fingerprint, "preview": f.preview}
            for f in new
        ],
    }
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for e in doc["present"]:
            print(f"present  {e['path']}  {e['rule_id']}  {e['fingerprint']}")
        for e in doc["stale"]:
            print(f"stale    {e['path']}  {e['rule_id']}  {e['fingerprint']}  "
                  "(no longer found: `baseline update` drops it)")
        for n in doc["not_in_baseline"]:
            print(f"new      {n['path']}:{n['line']}  {n['rule_id']}  {n['fingerprint']}  "
                  f"{n['preview']}")
        print(f"{len(seen)} present, {len(stale)} stale, {len(new)} not in baseline, "
              f"{doc['detect_secrets_matches']} matched imported detect-secrets entries ({path})")
    return 1 if stale or new else 0


def run(args: argparse.Namespace) -> int:
    from promptguard.commands.options import load_config

    start = next(iter(args.paths), None) or Path.cwd()
    # The baseline named here is the one to write or review, not one to apply.
    cfg = load_config(args, start, baselines=())
    path = args.baseline if args.baseline is not None else cfg.baseline_target
    if args.baseline_command == "create":
        return _create(args, cfg, path)
    if args.baseline_command == "update":
        return _update(args, cfg, path)
    return _audit(args, cfg, path)
