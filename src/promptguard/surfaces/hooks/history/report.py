"""Printing `history scan|scrub` results: locations, masked previews, never values."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.surfaces.hooks.history import History
from promptguard.surfaces.hooks.history import Options

if TYPE_CHECKING:
    from promptguard.guard import Guard


def _guard(h: History) -> Guard:
    from promptguard.guard import Guard

    return Guard.load(h.surface, start=Path.cwd())


def scan(h: History, options: Options) -> bool:
    """Print every hit and what to rotate; True when anything was found."""
    guard = _guard(h)
    values: dict[tuple[str, str], tuple[str, str, set[str]]] = {}
    count = 0
    for hit in h.scan(guard, options):
        count += 1
        print(f"{hit.path}:{hit.line}: {hit.action.upper()} {hit.rule_id} {hit.preview} "
              f"(session {hit.session or '-'}, {hit.date}, {hit.where})")
        key = (hit.rule_id, hit.fingerprint or hit.preview)
        first, preview, sessions = values.get(key, (hit.date, hit.preview, set()))
        sessions.add(hit.session or "-")
        values[key] = (min(first, hit.date), preview, sessions)
    n_files = len(h.files(options))
    if not count:
        print(f"{h.name}: no findings in {n_files} transcript file(s)", file=sys.stderr)
        return False
    print(f"\n{h.name}: {count} finding(s) of {len(values)} distinct value(s) in {n_files} "
          "file(s). Values that blocked or were redacted went to the model provider: "
          "rotate them:")
    for (rule_id, _), (first, preview, sessions) in sorted(values.items()):
        print(f"  {rule_id} {preview}: first seen {first}, in {len(sessions)} session(s)")
    print(f"Then `promptguard history scrub {h.name}` removes them from the local transcripts.")
    return True


def scrub(h: History, options: Options) -> None:
    guard = _guard(h)
    total = 0
    for s in h.scrub(guard, options):
        if s.skipped:
            print(f"{s.path}: skipped: {s.skipped}", file=sys.stderr)
        elif s.replaced:
            total += s.replaced
            where = f"; backup {s.backup}" if s.backup else " (dry run)"
            print(f"{s.path}: replaced {s.replaced} value(s) with placeholders{where}")
    verb = "would replace" if options.dry_run else "replaced"
    print(f"{h.name}: {verb} {total} value(s)" + (
        ". The backups still hold the values: delete them once you have checked the result."
        if total and not options.dry_run else ""), file=sys.stderr)
