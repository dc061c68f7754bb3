"""`promptguard doctor [AGENT ...]`: is every installed hook really protecting you?

For each agent: finds its settings at every scope, checks promptguard's
hooks are registered with a valid schema, an executable that resolves and
a sane timeout, then fires a canary (a prompt with a freshly generated
fake key) through the exact configured command and checks it is blocked.
Exit 1 when anything fails.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from promptguard.errors import InputError

HELP = "check that promptguard's agent hooks are installed and really block"
SYMBOL = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agents", nargs="*", metavar="AGENT",
                        help="agents to check (default: every agent promptguard knows)")
    parser.add_argument("--project", type=Path, default=None, metavar="DIR",
                        help="the project whose settings to check (default: the current "
                             "directory)")


def run(args: argparse.Namespace) -> int:
    from promptguard.surfaces.hooks import setup

    names = args.agents or list(setup.INSTALLERS)
    opts = setup.Options(home=Path.home(), project=(args.project or Path.cwd()).resolve())
    failed = False
    for name in names:
        installer = setup.get(name)
        if installer is None:
            raise InputError(f"unknown agent {name!r} (known: {', '.join(setup.INSTALLERS)})")
        checks = installer.doctor(opts)
        # Checking every agent by default: an agent with nothing installed
        # is not a failure unless it was asked for by name.
        if not args.agents and all(
                c.status != "ok" and "install" in c.message for c in checks) and checks:
            print(f"{installer.name}: not installed")
            continue
        for c in checks:
            print(f"{installer.name}: {SYMBOL[c.status]} {c.where}: {c.message}")
            failed |= c.status == "fail"
        if not checks:
            print(f"{installer.name}: nothing to check")
    return 1 if failed else 0
