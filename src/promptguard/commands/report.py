"""`promptguard report`: summarise the audit log for the periodic shadow-AI review.

A record is one decision (one source, one action, one reason); it lists the
rule ids of the findings behind it. So `decisions` counts records and
`findings` counts rule ids; "by rule" counts findings, the other tables
count decisions.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from promptguard.commands.options import add_config_options

HELP = "summarise the audit log by rule, surface, action and day"
_RELATIVE = re.compile(r"(\d+)([mhdw])")
_UNIT = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--since", metavar="WHEN",
                        help="only records from WHEN on: a date (2026-11-01), a UTC time "
                             "(2026-11-01T09:00:00Z) or an age (30m, 24h, 7d, 2w)")
    parser.add_argument("--log", type=Path, metavar="PATH",
                        help="audit log to read (default: the configured one)")
    parser.add_argument("--flush", action="store_true",
                        help="first send records queued for the org's HTTP collector")
    add_config_options(parser)


def since_timestamp(value: str, now: float | None = None) -> str:
    """`--since` as a record timestamp prefix to compare against (UTC)."""
    from promptguard.audit import timestamp
    from promptguard.errors import InputError

    m = _RELATIVE.fullmatch(value.strip())
    if m:
        now = time.time() if now is None else now
        return timestamp(now - int(m.group(1)) * _UNIT[m.group(2)])
    import datetime

    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since: {value!r} is not a date, a UTC time or an age "
                         "like 7d") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return timestamp(when.timestamp())


def summarise(records: list[dict[str, Any]], since: str | None = None) -> dict[str, Any]:
    by_rule: Counter[str] = Counter()
    by_surface: Counter[str] = Counter()
    by_action: Counter[str] = Counter()
    by_day: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    decisions = findings = 0
    for r in records:
        ts = str(r.get("ts", ""))
        if since is not None and ts < since:
            continue
        decisions += 1
        rule_ids = r.get("rule_ids") or []
        findings += len(rule_ids)
        by_rule.update(str(x) for x in rule_ids)
        by_surface[str(r.get("surface", "?"))] += 1
        by_action[str(r.get("action", "?"))] += 1
        by_day[ts[:10] or "?"] += 1
        by_reason[str(r.get("reason", "?"))] += 1

    def table(c: Counter[str]) -> dict[str, int]:
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "decisions": decisions,
        "findings": findings,
        "by_rule": table(by_rule),
        "by_surface": table(by_surface),
        "by_action": table(by_action),
        "by_reason": table(by_reason),
        "by_day": dict(sorted(by_day.items())),
    }


def _text(doc: dict[str, Any]) -> str:
    lines = [f"audit log: {', '.join(doc['files']) or doc['log'] + ' (empty)'}"]
    if doc["since"]:
        lines.append(f"since: {doc['since']}")
    lines.append(f"{doc['decisions']} decisions, {doc['findings']} findings"
                 + (f", {doc['bad_lines']} unreadable lines" if doc["bad_lines"] else ""))
    for title, key in (("by action", "by_action"), ("by surface", "by_surface"),
                       ("by reason", "by_reason"), ("by rule (findings)", "by_rule"),
                       ("by day", "by_day")):
        if doc[key]:
            lines.append(f"{title}:")
            width = max(len(k) for k in doc[key])
            lines.extend(f"  {k:<{width}}  {v}" for k, v in doc[key].items())
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from promptguard import audit
    from promptguard import auditforward
    from promptguard.commands.options import load_config

    cfg = load_config(args, Path.cwd())
    settings = cfg.audit if args.log is None else cfg.audit._replace(path=args.log)
    if args.flush:
        fwd = settings.forward
        if fwd is None or fwd.http is None:
            print("promptguard: no HTTP collector is configured; nothing to flush",
                  file=sys.stderr)
        elif not auditforward.flush(settings.queue_path, fwd.http, force=True):
            print(f"promptguard: warning: collector {fwd.http.url} unreachable; records stay "
                  f"queued in {settings.queue_path}", file=sys.stderr)
    since = since_timestamp(args.since) if args.since else None
    records, bad = audit.read_records(settings.path)
    doc = {
        "log": str(settings.path),
        "files": [str(p) for p in audit.log_files(settings.path)],
        "since": since,
        "bad_lines": bad,
        **summarise(records, since),
    }
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text(doc))
    return 0
