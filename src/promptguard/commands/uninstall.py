"""`promptguard uninstall <agent> [--scope ...]`: remove exactly promptguard's hooks.

Everything else in the settings file stays; the old file is backed up.
"""
from __future__ import annotations

import argparse

from promptguard.commands.install import add_common
from promptguard.commands.install import options
from promptguard.commands.install import report

HELP = "remove promptguard's hooks from a coding agent's settings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    installer, scope, opts = options(args)
    changes = [installer.uninstall(scope, opts)]
    if installer.name == "claude-code":
        from promptguard.surfaces.hooks.setup import claude_code

        # What `install --via-gateway` wrote for a gateway on this machine.
        routed = claude_code.unset_env(scope, opts)
        if routed.changed:
            changes.append(routed)
    report(installer.name, changes)
    return 0
