"""Switching Claude Code to the gateway: the `env` block of its settings.json.

`promptguard install claude-code --via-gateway` writes this block into
`~/.claude/settings.json` (merging with what is there). It belongs in the
settings file rather than the shell: Claude Code's background agents once
dropped a shell-exported ANTHROPIC_BASE_URL and sent requests to the
default endpoint (changelog 2.1.203).
"""
from __future__ import annotations

from promptguard.surfaces.gateway.settings import SECRET_HEADER
from promptguard.surfaces.gateway.settings import GatewaySettings


def claude_code_env(settings: GatewaySettings | None = None, *,
                    secret: str | None = None) -> dict[str, str]:
    """The settings.json `env` entries that route Claude Code through the gateway.

    The base URL has no /v1: Claude Code appends /v1/messages itself. With a
    shared secret, Claude Code sends it on every request through
    ANTHROPIC_CUSTOM_HEADERS (the secret then sits in settings.json; keep
    that file private).
    """
    if settings is None:
        settings = GatewaySettings()
    env = {"ANTHROPIC_BASE_URL": settings.url}
    if secret is not None:
        env["ANTHROPIC_CUSTOM_HEADERS"] = f"{SECRET_HEADER}: {secret}"
    return env
