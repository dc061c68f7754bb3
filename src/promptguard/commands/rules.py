"""`promptguard rules list|check`: inspect and validate rule packs."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from promptguard.commands.options import add_rule_options
from promptguard.dirs import cache_dir as default_cache_dir
from promptguard.ruleset import builtin_rules_dir
from promptguard.ruleset import load_ruleset
from promptguard.ruleset import pack_files

HELP = "list the rules, or check rule packs against their own examples"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list the loaded rules")
    add_rule_options(lst)
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.add_argument("--category", choices=("secret", "credential", "pii", "client"))
    chk = sub.add_parser("check", help="validate packs: examples, negatives, keywords, ids")
    add_rule_options(chk)
    chk.add_argument("--warnings-as-errors", action="store_true")


def _list(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.rules, builtin=not args.no_builtin_rules,
                           cache_dir=default_cache_dir())
    rules = [r for r in ruleset.rules if args.category in (None, r.category)]
    if args.format == "json":
        json.dump([{"id": r.id, "name": r.name, "category": r.category, "severity": r.severity,
                    "confidence": r.confidence, "validate": r.validate, "source": r.source}
                   for r in rules], sys.stdout, indent=2)
        print()
        return 0
    width = max((len(r.id) for r in rules), default=0)
    for r in rules:
        print(f"{r.id:<{width}}  {r.category:<10} {r.severity:<8} {r.confidence:<8} {r.name}")
    counts = Counter(r.category for r in rules)
    print(f"{len(rules)} rules: " + ", ".join(f"{n} {c}" for c, n in sorted(counts.items())))
    return 0


def _check(args: argparse.Namespace) -> int:
    from promptguard.rulecheck import check_packs

    # Parse from source (no cache) so every pack is validated; with --rules,
    # only those packs' examples are run but ids are checked across all.
    builtin = [] if args.no_builtin_rules else [builtin_rules_dir()]
    files = pack_files(builtin + args.rules)
    focus = pack_files(args.rules) if args.rules else []
    count, problems = check_packs(files, focus)
    for p in problems:
        print(p)
    errors = [p for p in problems if p.level == "error" or args.warnings_as_errors]
    print(f"{count} rules checked: {len(errors)} error(s), "
          f"{len(problems) - len(errors)} warning(s)")
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    return _list(args) if args.rules_command == "list" else _check(args)
