"""`promptguard config show|check`: the effective policy and where it came from."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from promptguard.commands.options import add_config_options
from promptguard.commands.options import add_rule_options
from promptguard.models import CATEGORIES
from promptguard.policy import SURFACES

if TYPE_CHECKING:
    from promptguard.config import Config
    from promptguard.policy import Policy

HELP = "show the effective policy and where each value comes from, or validate config files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print the effective policy and each value's source")
    show.add_argument("path", nargs="?", type=Path, metavar="PATH",
                      help="where project config discovery starts (default: .)")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--surface", action="append", choices=SURFACES, default=[],
                      help="only these surfaces; repeatable")
    add_config_options(show)
    check = sub.add_parser("check", help="validate every config file that applies here")
    check.add_argument("path", nargs="?", type=Path, metavar="PATH",
                       help="where project config discovery starts (default: .)")
    add_config_options(check)
    add_rule_options(check)


def _load(args: argparse.Namespace) -> Config:
    from promptguard.commands.options import load_config

    return load_config(args, args.path or Path.cwd())


def describe(cfg: Config, surfaces: tuple[str, ...] = SURFACES) -> dict[str, Any]:
    """The effective configuration as data, every value with its source."""
    policy = cfg.policy
    doc: dict[str, Any] = {
        "sources": [{"kind": k, "path": p, "found": found} for k, p, found in cfg.searched],
        "root": str(cfg.root),
        "profile": {"value": policy.profile.value, "source": policy.profile.where()},
        "surfaces": {},
        "locks": _locks(policy),
        "allowlist": {
            "paths": list(cfg.allowlist.paths),
            "regexes": list(cfg.allowlist.regexes),
            "line_regexes": list(cfg.allowlist.line_regexes),
            "stopwords": list(cfg.allowlist.stopwords),
            "fingerprints": sorted(cfg.allowlist.fingerprints),
        },
        "baselines": [str(b) for b in cfg.baselines],
        "audit": {
            "enabled": cfg.audit.enabled,
            "why": cfg.audit.reason,
            "path": str(cfg.audit.path),
            "max_bytes": cfg.audit.max_bytes,
            "backups": cfg.audit.backups,
            "forward": None if cfg.audit.forward is None else {
                "source": cfg.audit.forward.source,
                "syslog": cfg.audit.forward.syslog.address if cfg.audit.forward.syslog else None,
                "http": cfg.audit.forward.http.url if cfg.audit.forward.http else None,
            },
        },
        "clients": [source for source, _ in cfg.clients],
        "redaction": [source for source, _ in cfg.redaction],
    }
    for surface in surfaces:
        categories = {}
        for category in CATEGORIES:
            r = policy.resolve(surface, category)
            categories[category] = {
                "action": r.action,
                "source": r.base.where(),
                "locked_by": None if r.lock is None else r.lock.source,
                "requested": r.requested,
                "why": r.explain(),
            }
        on_error = policy.on_error_setting(surface)
        doc["surfaces"][surface] = {
            "categories": categories,
            "caps": _overrides(policy, surface, ("severity", "confidence")),
            "rules": _overrides(policy, surface, ("rule",)),
            "on_error": {
                "value": policy.on_error(surface),
                "source": (f"locked by org policy {policy.locks.source} (locks.on_error)"
                           if policy.locks is not None and policy.locks.on_error_block
                           else on_error.where()),
            },
        }
    return doc


def _overrides(policy: Policy, surface: str, selectors: tuple[str, ...]) -> dict[str, Any]:
    """Every severity/confidence/rule key any layer sets, resolved for `surface`."""
    out: dict[str, Any] = {}
    for selector in selectors:
        keys = sorted({
            key
            for layer in policy.layers
            for table, _ in layer.tables(surface)
            for key in table.get(selector)
        })
        for key in keys:
            setting = policy.lookup(surface, selector, key)
            if setting is None:
                continue
            entry: dict[str, Any] = {"value": setting.value, "source": setting.where()}
            if selector == "rule":
                # What the rule ends up as once locks on its id apply.
                r = policy.resolve(surface, "", key)
                if r.lock is not None:
                    entry["locked_by"] = r.lock.source
                    entry["effective"] = r.action
            out[f"{selector}.{key}"] = entry
    return out


def _locks(policy: Policy) -> list[dict[str, str]]:
    locks = policy.locks
    if locks is None:
        return []
    out = []
    for surface in ("", *SURFACES):
        table = locks.general if not surface else locks.surfaces.get(surface)
        if table is None:
            continue
        for selector in ("category", "rule"):
            for key, value in sorted(table.get(selector).items()):
                scope = f"surfaces.{surface}." if surface else ""
                out.append({"key": f"{locks.prefix}{scope}{selector}.{key}", "minimum": value,
                            "source": locks.source})
    if locks.on_error_block:
        out.append({"key": f"{locks.prefix}on_error", "minimum": "block", "source": locks.source})
    if locks.audit:
        out.append({"key": f"{locks.prefix}audit", "minimum": "on", "source": locks.source})
    return out


def _text(doc: dict[str, Any]) -> str:
    lines = ["Config sources, highest precedence first (command line > project > user > "
             "org policy defaults > built-in profile; org locks are minimums over all):"]
    for s in doc["sources"]:
        lines.append(f"  {s['kind']:<11} {s['path']}{'' if s['found'] else '  (not found)'}")
    lines.append(f"Project root: {doc['root']}")
    lines.append(f"Profile: {doc['profile']['value']}  ({doc['profile']['source']})")
    lines.append("")
    width = max(len(s) for s in doc["surfaces"]) if doc["surfaces"] else 7
    header = f"  {'surface':<{width}}  " + "  ".join(f"{c:<10}" for c in CATEGORIES) + "  on_error"
    lines.append("Actions by surface and category (* = raised by an org lock):")
    lines.append(header)
    for surface, s in doc["surfaces"].items():
        cells = []
        for c in CATEGORIES:
            cell = s["categories"][c]
            cells.append(f"{cell['action'] + ('*' if cell['locked_by'] else ''):<10}")
        lines.append(f"  {surface:<{width}}  " + "  ".join(cells) + f"  {s['on_error']['value']}")
    lines.append("")
    lines.append("Where each value comes from:")
    for surface, s in doc["surfaces"].items():
        for c in CATEGORIES:
            cell = s["categories"][c]
            lines.append(f"  {surface}.{c} = {cell['action']}: {cell['why']}")
        for key, entry in {**s["caps"], **s["rules"]}.items():
            kind = "at most" if not key.startswith("rule.") else "="
            extra = ""
            if entry.get("locked_by"):
                extra = f"; locked by org policy {entry['locked_by']} to {entry['effective']}"
            lines.append(f"  {surface}.{key} {kind} {entry['value']}: {entry['source']}{extra}")
        lines.append(f"  {surface}.on_error = {s['on_error']['value']}: {s['on_error']['source']}")
    lines.append("")
    if doc["locks"]:
        lines.append("Org locks (minimum actions nothing can weaken):")
        lines.extend(f"  {lk['key']} >= {lk['minimum']}  ({lk['source']})" for lk in doc["locks"])
    else:
        lines.append("Org locks: none")
    allow = doc["allowlist"]
    lines.append("Allowlist: " + (", ".join(
        f"{len(v)} {k}" for k, v in allow.items() if v) or "none"))
    lines.append("Baselines: " + (", ".join(doc["baselines"]) or "none"))
    audit = doc["audit"]
    lines.append(f"Audit log: {audit['path']} ({audit['why']}); rotates at "
                 f"{audit['max_bytes']} bytes, keeps {audit['backups']}")
    fwd = audit["forward"]
    if fwd:
        targets = ", ".join(f"{k} {v}" for k, v in fwd.items() if k != "source" and v)
        lines.append(f"Audit forwarding: {targets} (org policy {fwd['source']})")
    for key in ("clients", "redaction"):
        if doc[key]:
            lines.append(f"[{key}] from: {', '.join(doc[key])}")
    return "\n".join(lines) + "\n"


def _check(args: argparse.Namespace) -> int:
    cfg = _load(args)  # a malformed file raises ConfigError: exit 2 naming file and key
    from promptguard import baseline
    from promptguard.clients import rule_ids as client_rule_ids
    from promptguard.commands.options import guard_options
    from promptguard.guard import build_scanner

    for path in cfg.baselines:
        baseline.load(path, cfg.root)
    # The client detector's rules are reported (and decided) like any
    # pack's: their ids, including the configured ID labels', are known.
    scanner = build_scanner(guard_options(args), cfg)
    known = set(scanner.rule_index()) | client_rule_ids()
    problems: list[str] = []
    for f in cfg.files:
        groups = [(f.layer.prefix, f.layer.general, f.layer.surfaces)]
        if f.locks is not None:
            groups.append((f.locks.prefix, f.locks.general, f.locks.surfaces))
        for prefix, general, surfaces in groups:
            tables = [(prefix, general)] + [
                (f"{prefix}surfaces.{name}.", t) for name, t in surfaces.items()
            ]
            for key_prefix, table in tables:
                problems.extend(
                    f"{f.path}: {key_prefix}rule.{rule_id}: no loaded rule has this id "
                    "(a typo, or a pack not passed with --rules?)"
                    for rule_id in table.rule if rule_id not in known
                )
    for p in problems:
        print(p)
    loaded = [str(f.path) for f in cfg.files]
    status = "ok" if not problems else f"{len(problems)} problem(s)"
    print(f"{status}: {len(loaded)} config file(s) checked" + (
        f" ({', '.join(loaded)})" if loaded else " (none found; built-in defaults apply)"))
    return 1 if problems else 0


def run(args: argparse.Namespace) -> int:
    if args.config_command == "check":
        return _check(args)
    cfg = _load(args)
    doc = describe(cfg, tuple(args.surface) or SURFACES)
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text(doc))
    return 0
