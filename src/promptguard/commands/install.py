"""`promptguard install <agent> [--scope user|project|local]`: register the hooks.

Merges promptguard's hook entries into the agent's settings file: every
other hook and setting is kept, running it twice changes nothing, the old
file is copied to `<file>.promptguard-backup`, and a malformed file is
refused (exit 2, naming it). The command written is absolute, so it
resolves whatever PATH the agent runs with.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.errors import InputError

if TYPE_CHECKING:
    from promptguard.surfaces.hooks.setup import Change
    from promptguard.surfaces.hooks.setup import Installer
    from promptguard.surfaces.hooks.setup import Options

HELP = "register promptguard's hooks with a coding agent (claude-code, ...)"


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("agent", metavar="AGENT", help="the agent: claude-code, ...")
    parser.add_argument("--scope", help="which settings file: user (default), project or "
                                        "local (the agent's own names)")
    parser.add_argument("--project", type=Path, default=None, metavar="DIR",
                        help="the project for --scope project|local (default: the current "
                             "directory)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--tamper-guard", action="store_true",
                        help="also refuse settings edits that remove promptguard's hooks "
                             "(Claude Code ConfigChange)")
    parser.add_argument("--via-gateway", nargs="?", const="127.0.0.1:8787", metavar="HOST:PORT",
                        help="also route the agent's API traffic through `promptguard gateway` "
                             "(default 127.0.0.1:8787), so typed prompts are redacted, not "
                             "only blocked (claude-code); a shared secret is read from "
                             "--gateway-secret-file")
    parser.add_argument("--gateway-secret-file", type=Path, metavar="PATH",
                        help="the gateway's shared secret, written into the settings' env as "
                             "ANTHROPIC_CUSTOM_HEADERS (keep that file private)")
    parser.add_argument("--resident", action="store_true",
                        help="the hook starts the resident hook server when none runs, so "
                             "later events skip most start-up work (claude-code)")


def options(args: argparse.Namespace) -> tuple[Installer, str, Options]:
    from promptguard.surfaces.hooks import setup

    installer = setup.get(args.agent)
    if installer is None:
        known = ", ".join(setup.INSTALLERS)
        raise InputError(f"unknown agent {args.agent!r} (known: {known})")
    scope = args.scope or installer.scopes[0]
    if scope not in installer.scopes:
        raise InputError(f"{installer.name}: unknown scope {scope!r} "
                         f"(use {', '.join(installer.scopes)})")
    opts = setup.Options(
        home=Path.home(),
        project=(args.project or Path.cwd()).resolve(),
        tamper_guard=getattr(args, "tamper_guard", False),
    )
    return installer, scope, opts


def run(args: argparse.Namespace) -> int:
    from promptguard.surfaces.hooks import setup

    installer, scope, opts = options(args)
    fast = installer.name in setup.FAST_HOOK
    if args.resident and not fast:
        raise InputError(f"--resident is not available for {installer.name} yet")
    command = setup.hook_command(installer.name, fast=fast)
    if args.resident:
        command.append("--start-server")
    if args.via_gateway is not None and installer.name != "claude-code":
        raise InputError(f"--via-gateway is not available for {installer.name} (claude-code "
                         "only; see the README's Gateway section for the others)")
    env = _gateway_env(args) if args.via_gateway is not None else None
    changes = [installer.install(scope, command, opts)]
    if env is not None:
        from promptguard.surfaces.hooks.setup import claude_code

        changes.append(claude_code.set_env(scope, env, opts))
    report(installer.name, changes)
    return 0


def report(agent: str, changes: Sequence[Change]) -> None:
    """One line per settings file changed (or left as it was), on stderr."""
    for change in changes:
        note = f" (backup: {change.backup})" if change.backup else ""
        print(f"promptguard: {agent}: {change.message}: {change.path}{note}", file=sys.stderr)


def _gateway_env(args: argparse.Namespace) -> dict[str, str]:
    """The settings `env` block for the gateway at --via-gateway."""
    from promptguard.surfaces.gateway.claude_code import claude_code_env
    from promptguard.surfaces.gateway.settings import GatewaySettings
    from promptguard.surfaces.gateway.settings import parse_listen

    host, port = parse_listen(args.via_gateway)
    secret = None
    if args.gateway_secret_file is not None:
        try:
            secret = args.gateway_secret_file.read_text(encoding="utf-8").strip() or None
        except OSError as e:
            raise InputError(f"--gateway-secret-file {args.gateway_secret_file}: "
                             f"{e.strerror}") from None
    env = claude_code_env(GatewaySettings(host=host, port=port), secret=secret)
    # The prompt hook then lets redact-level prompts through (the gateway
    # redacts them) instead of blocking them for a resend.
    env["PROMPTGUARD_VIA_GATEWAY"] = "1"
    return env
