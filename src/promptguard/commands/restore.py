"""`promptguard restore [PATH|-]`: put a vault's values back into a model's answer.

Only placeholders the session's vault issued are replaced, so ordinary
text that happens to read "Client A" is left alone, and one-way
placeholders (secrets are never stored) stay as they are.
"""
from __future__ import annotations

import argparse
import sys

from promptguard.commands.redact import add_io_options
from promptguard.commands.redact import read_input
from promptguard.commands.redact import write_output
from promptguard.errors import InputError

HELP = "replace placeholders in a model's answer with the original values from the vault"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_io_options(parser)


def run(args: argparse.Namespace) -> int:
    from promptguard.redaction import Restorer
    from promptguard.vault import Vault

    if args.clipboard and args.path is not None:
        raise InputError("give a PATH or --clipboard, not both")
    vault = Vault.open(args.session)
    if not vault.exists:
        raise InputError(
            f"no vault for session {vault.session!r}: nothing was redacted in it, or it "
            "expired (see `promptguard vault list`)",
        )
    text, label = read_input(args)
    restored, count, one_way = Restorer(vault).restore_counted(text)
    write_output(args, restored)
    note = f"; {one_way} one-way placeholder(s) left as they are" if one_way else ""
    print(f"promptguard: {label}: restored {count} placeholder(s) from vault session "
          f"{vault.session}{note}", file=sys.stderr)
    return 0
