"""`promptguard vault list|clear`: the local placeholder vaults, one per session."""
from __future__ import annotations

import argparse
import json
import sys
import time

HELP = "list or delete the local vaults that map placeholders back to values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list sessions (counts and dates, never values)")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    clr = sub.add_parser("clear", help="delete vaults: every session, or one")
    clr.add_argument("--session", metavar="NAME", help="delete only this session's vault")


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _list(args: argparse.Namespace) -> int:
    from promptguard.vault import list_vaults
    from promptguard.vault import vault_dir

    infos = list_vaults()
    if args.format == "json":
        json.dump([{"session": i.session, "path": str(i.path), "restorable": i.restorable,
                    "one_way": i.one_way, "created": i.created, "updated": i.updated,
                    "expires": i.expires} for i in infos], sys.stdout, indent=2)
        print()
        return 0
    print(f"vaults in {vault_dir()}")
    if not infos:
        print("no sessions")
        return 0
    width = max(len("session"), *(len(i.session) for i in infos))
    print(f"{'session':<{width}}  restorable  one-way  last used         expires")
    for i in infos:
        print(f"{i.session:<{width}}  {i.restorable:>10}  {i.one_way:>7}  "
              f"{_when(i.updated)}  {_when(i.expires)}")
    return 0


def _clear(args: argparse.Namespace) -> int:
    from promptguard.vault import clear

    count = clear(session=args.session)
    what = f"session {args.session!r}" if args.session else "all sessions"
    print(f"promptguard: deleted {count} vault(s) ({what})", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    return _list(args) if args.vault_command == "list" else _clear(args)
