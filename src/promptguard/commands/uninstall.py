"""`promptguard uninstall <agent> [--scope ...]`: remove exactly promptguard's hooks.

Everything else in the settings file stays; the old file is backed up.
"""
from __future__ import annotations

import argparse
import sys

from promptguard.commands.install import add_common
from promptguard.commands.install import options

HELP = "remove promptguard's hooks from a coding agent's settings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    installer, scope, opts = options(args)
    change = installer.uninstall(scope, opts)
    note = f" (backup: {change.backup})" if change.backup else ""
    print(f"promptguard: {installer.name}: {change.message}: {change.path}{note}",
          file=sys.stderr)
    return 0
