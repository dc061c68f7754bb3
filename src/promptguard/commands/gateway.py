"""`promptguard gateway`: the redacting proxy for the Anthropic and OpenAI APIs.

Runs in the foreground until SIGTERM or ^C (open streams are allowed to
finish). `--check` validates the config and the listen/auth settings and
tries to reach each upstream, then exits: 0 all good, 1 an upstream is
unreachable, 2 a config problem. `--print-claude-env` prints the `env`
block that points Claude Code at this gateway.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.commands.scan import add_config_options
from promptguard.errors import ConfigError
from promptguard.errors import InputError

if TYPE_CHECKING:
    from promptguard.surfaces.gateway.settings import GatewaySettings

HELP = "redacting proxy for the Claude and OpenAI APIs (ANTHROPIC_BASE_URL / OPENAI_BASE_URL)"
EXIT_UNREACHABLE = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Defaults are repeated here so --help shows them without importing aiohttp.
    parser.add_argument("--listen", default="127.0.0.1:8787", metavar="HOST:PORT",
                        help="address to listen on (default: 127.0.0.1:8787; port 0: any free)")
    parser.add_argument("--upstream", "--anthropic-upstream", dest="anthropic",
                        default="https://api.anthropic.com", metavar="URL",
                        help="Anthropic API base URL, without /v1; 'none' disables "
                             "(default: https://api.anthropic.com)")
    parser.add_argument("--openai-upstream", dest="openai", default="https://api.openai.com",
                        metavar="URL", help="OpenAI-compatible API base URL, without /v1; "
                                            "'none' disables (default: https://api.openai.com)")
    parser.add_argument("--session", default="gateway", metavar="NAME",
                        help="vault session for placeholders (default: gateway)")
    parser.add_argument("--clients", action="append", type=Path, default=[], metavar="PATH",
                        help="client list (TOML with a [clients] table) added to the config's")
    add_config_options(parser)
    sec = parser.add_argument_group("security")
    sec.add_argument("--allow-remote", action="store_true",
                     help="allow a non-loopback --listen address (needs TLS and a secret or mTLS)")
    sec.add_argument("--secret-file", type=Path, metavar="PATH",
                     help="file holding the shared secret clients send in X-Promptguard-Secret "
                          "(or set PROMPTGUARD_GATEWAY_SECRET)")
    sec.add_argument("--tls-cert", type=Path, metavar="PEM",
                     help="serve HTTPS with this certificate")
    sec.add_argument("--tls-key", type=Path, metavar="PEM", help="the certificate's private key")
    sec.add_argument("--tls-client-ca", type=Path, metavar="PEM",
                     help="require client certificates signed by this CA (mTLS)")
    lim = parser.add_argument_group("limits")
    lim.add_argument("--max-body", type=int, default=32 * 1024 * 1024, metavar="BYTES",
                     help="largest request body (default: 32 MiB, the Messages API's own)")
    lim.add_argument("--max-streams", type=int, default=128, metavar="N",
                     help="concurrent upstream requests; more get HTTP 429 (default: 128)")
    lim.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                     help="connecting to the upstream (default: 10)")
    lim.add_argument("--read-timeout", type=float, default=600.0, metavar="SECONDS",
                     help="upstream silence before or between chunks (default: 600)")
    lim.add_argument("--shutdown-grace", type=float, default=30.0, metavar="SECONDS",
                     help="on SIGTERM, how long open streams may finish (default: 30)")
    parser.add_argument("--check", action="store_true",
                        help="validate config and settings, try the upstreams, and exit")
    parser.add_argument("--print-claude-env", action="store_true",
                        help="print the Claude Code settings.json `env` block and exit")


def _secret(args: argparse.Namespace) -> str | None:
    if args.secret_file is not None:
        try:
            return args.secret_file.read_text(encoding="utf-8").strip() or None
        except OSError as e:
            raise InputError(f"--secret-file {args.secret_file}: {e.strerror}") from None
    # Never from argv: other users can read a process's command line.
    from promptguard.surfaces.gateway.settings import SECRET_ENV

    return os.environ.get(SECRET_ENV) or None


def settings_from(args: argparse.Namespace) -> GatewaySettings:
    from promptguard.surfaces.gateway import settings as s

    host, port = s.parse_listen(args.listen)
    anthropic = None if args.anthropic == "none" else s.check_upstream("--upstream", args.anthropic)
    openai = None if args.openai == "none" else s.check_upstream("--openai-upstream", args.openai)
    from promptguard.vault import check_session

    check_session(args.session)
    settings = s.GatewaySettings(
        host=host, port=port, anthropic=anthropic, openai=openai,
        allow_remote=args.allow_remote, secret=_secret(args), tls_cert=args.tls_cert,
        tls_key=args.tls_key, tls_client_ca=args.tls_client_ca, max_body=args.max_body,
        max_streams=args.max_streams, connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout, shutdown_grace=args.shutdown_grace,
        session=args.session,
    )
    s.validate(settings)
    return settings


def _require_aiohttp() -> None:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise ConfigError("promptguard gateway needs the gateway extra: "
                          "pip install 'promptguard[gateway]'") from None


def run(args: argparse.Namespace) -> int:
    _require_aiohttp()
    settings = settings_from(args)
    if args.print_claude_env:
        from promptguard.surfaces.gateway.claude_code import claude_code_env

        print(json.dumps({"env": claude_code_env(settings, secret=settings.secret)}, indent=2))
        return 0
    import asyncio

    from promptguard.guard import Guard
    from promptguard.guard import GuardOptions

    guard = Guard.load("gateway", start=Path.cwd(), options=GuardOptions(
        config=args.config, profile=args.profile, clients=tuple(args.clients)))
    vault = guard.open_vault(settings.session)
    if args.check:
        from promptguard.surfaces.gateway.check import check

        return 0 if asyncio.run(check(settings, guard, sys.stdout)) else EXIT_UNREACHABLE
    from promptguard.surfaces.gateway.server import serve

    def ready(url: str) -> None:
        print(f"promptguard gateway: listening on {url} (vault session {settings.session})",
              file=sys.stderr, flush=True)

    asyncio.run(serve(settings, guard, vault, ready=ready))
    return 0
