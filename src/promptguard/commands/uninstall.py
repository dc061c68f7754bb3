"""`promptguard uninstall <agent> [--scope ...]`: remove exactly promptguard's hooks.

Everything else in the settings file stays; the old file is backed up.
"""
from __future__ import annotations

import argparse
import sys

from promptguard.commands.install import add_common
from promptguard.commands.install import options

LOCAL_GATEWAYS = ("http://127.0.0.1:", "https://127.0.0.1:", "http://localhost:",
                  "https://localhost:", "http://[::1]:", "https://[::1]:")
HELP = "remove promptguard's hooks from a coding agent's settings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    installer, scope, opts = options(args)
    changes = [installer.uninstall(scope, opts)]
    if installer.name == "claude-code":
        from promptguard.surfaces.hooks.setup import claude_code

        # What `install --via-gateway` wrote for a gateway on this machine.
        for prefix in LOCAL_GATEWAYS:
            change = claude_code.unset_env(scope, prefix, opts)
            if change.changed:
                changes.append(change)
    for change in changes:
        note = f" (backup: {change.backup})" if change.backup else ""
        print(f"promptguard: {installer.name}: {change.message}: {change.path}{note}",
              file=sys.stderr)
    return 0
