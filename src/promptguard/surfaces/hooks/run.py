"""One hook call: stdin payload -> host -> event -> guard -> host answer.

Nothing here raises: every failure is rendered by the host's
`render_error` under the surface's `on_error` policy. The guard is imported
only once the payload parsed, and the vault only for redaction.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO
from typing import NamedTuple

from promptguard.errors import PromptguardError
from promptguard.surfaces.hooks import hosts
from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Scanned

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.surfaces.hooks.hosts import Host

# Hosts send tool outputs whole (Claude Code truncates Bash output at ~30k
# characters, but a Read or an MCP result can be larger). Past this the
# payload is refused, under on_error, rather than half-scanned.
MAX_BYTES = 16 * 1024 * 1024
_RANK = {"allow": 0, "warn": 1, "redact": 2, "block": 3}


class Settings(NamedTuple):
    agent: str | None = None  # --agent; None: detect from the payload
    max_bytes: int = MAX_BYTES
    clipboard: bool = True  # offer a redacted prompt on the clipboard


class TooLarge(PromptguardError):
    pass


def read_capped(stream: BinaryIO, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"hook input is larger than the {limit // (1024 * 1024)} MB cap "
                       "(PROMPTGUARD_HOOK_MAX_BYTES raises it)")
    return data


def vault_session(surface: str, session: str) -> str | None:
    """One vault session per host session: the same value keeps its placeholder."""
    if not session:
        return None  # the vault's default (one per day)
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"{surface}-{session}")
    return name[:64]


def load_guard(surface: str, cwd: str) -> Guard:
    from promptguard.guard import Guard

    start = Path(cwd) if cwd and os.path.isdir(cwd) else Path.cwd()
    return Guard.load(surface, start=start)


def on_error_for(surface: str, cwd: str) -> str:
    """The surface's on_error when the event itself could not be handled."""
    try:
        return load_guard(surface, cwd).on_error
    except Exception:
        return "block"  # no readable policy: fail closed, as the default policy does


def decide(event: Event, guard: Guard, settings: Settings) -> Outcome:
    on_error = guard.on_error
    if event.kind == "other":
        return Outcome("allow", on_error=on_error)
    if event.kind == "config-change":
        return Outcome("block" if event.problem else "allow", on_error=on_error)
    session = vault_session(guard.surface, event.session)
    scanned: list[Scanned] = []
    for t in event.texts:
        if event.kind == "post-tool":
            # Most output holds nothing: a bare scan (no vault, no audit)
            # first, and the redaction (which audits) only where it counts.
            result = guard.scanner.run(t.text)
            if not result.findings and not result.diagnostics:
                continue
            v = guard.redact(t.text, source=t.label, session=session)
        else:
            v = guard.check(t.text, source=t.label)
        scanned.append(Scanned(t, v))
    action = max((s.verdict.action for s in scanned), key=_RANK.__getitem__, default="allow")
    if event.problem:
        action = "block"  # the host found a reason of its own (the tamper guard)
    failed = any(s.verdict.failed for s in scanned)
    outcome = Outcome(action, tuple(scanned), failed=failed, on_error=on_error)
    if event.kind == "prompt" and action == "redact":
        outcome = _offer_redacted(outcome, guard, session, settings)
    return outcome


def _offer_redacted(outcome: Outcome, guard: Guard, session: str | None,
                    settings: Settings) -> Outcome:
    """The typed prompt cannot be rewritten: give the user a redacted copy to send."""
    prompt = next((s for s in outcome.scanned if s.text.label == "prompt"), None)
    others = [s for s in outcome.scanned if s is not prompt]
    if prompt is None or prompt.verdict.action != "redact" or any(
            s.verdict.action in ("redact", "block") for s in others):
        return outcome  # what must go is in an @file: the reason names it
    v = guard.redact(prompt.text.text, source="prompt (redacted copy)", session=session)
    if v.text is None or v.failed:
        return outcome
    copied, error = False, ""
    if settings.clipboard:
        try:
            from promptguard import clipboard

            clipboard.write(v.text)
            copied = True
        except PromptguardError as e:
            error = str(e)
        except OSError as e:
            error = e.strerror or type(e).__name__
    return outcome._replace(redacted_prompt=v.text, clipboard=copied, clipboard_error=error)


def _message(e: BaseException) -> str:
    # Our own errors carry messages written to be safe (file, key, rule id);
    # anything else could hold scanned text in its message: type only.
    if isinstance(e, PromptguardError):
        return str(e)
    if isinstance(e, json.JSONDecodeError):
        return f"malformed hook JSON (line {e.lineno}, column {e.colno})"
    return f"internal error ({type(e).__name__})"


def _fallback_host(settings: Settings) -> Host:
    host = hosts.get(settings.agent) if settings.agent else None
    return host if host is not None else hosts.HOSTS["claude-code"]


def handle(data: bytes, settings: Settings,
           load: Callable[[str, str], Guard] = load_guard) -> Answer:
    """The answer for one payload; `load` gives the guard (the server caches them)."""
    host: Host | None = None
    event: Event | None = None
    cwd = ""
    try:
        if settings.agent:
            host = hosts.get(settings.agent)
            if host is None:
                raise PromptguardError(f"unknown --agent {settings.agent[:40]!r} "
                                       f"(known: {', '.join(hosts.HOSTS)})")
        payload: Any = json.loads(data.decode("utf-8", "surrogateescape"))
        if not isinstance(payload, Mapping):
            raise PromptguardError("hook input is not a JSON object")
        cwd = str(payload.get("cwd") or "")
        if host is None:
            host = hosts.detect(payload)
            if host is None:
                raise PromptguardError("hook input is from no known agent (use --agent NAME)")
        event = host.parse(payload)
        guard = load(host.surface, event.cwd)
        return host.render(event, decide(event, guard, settings))
    except Exception as e:
        host = host if host is not None else _fallback_host(settings)
        on_error = on_error_for(host.surface, cwd)
        try:
            return host.render_error(event, _message(e), on_error)
        except Exception:
            # The host's own error rendering failed: the generic block.
            return hosts.HOSTS["claude-code"].render_error(None, _message(e), on_error)


def main(settings: Settings, stdin: BinaryIO | None = None) -> int:
    env_cap = os.environ.get("PROMPTGUARD_HOOK_MAX_BYTES", "")
    if env_cap.isdigit():
        settings = settings._replace(max_bytes=int(env_cap))
    stream = stdin if stdin is not None else sys.stdin.buffer
    try:
        answer = handle(read_capped(stream, settings.max_bytes), settings)
    except Exception as e:  # TooLarge, or stdin unreadable
        host = _fallback_host(settings)
        answer = host.render_error(None, _message(e), on_error_for(host.surface, ""))
    if answer.stdout:
        sys.stdout.write(answer.stdout)
        sys.stdout.flush()
    if answer.stderr:
        sys.stderr.write(answer.stderr)
        sys.stderr.flush()
    return answer.exit_code
