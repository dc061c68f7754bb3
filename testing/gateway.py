"""Run the real gateway (promptguard.surfaces.gateway) in-process on loopback for tests."""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A project config: a client list, and the gateway surface redacting secrets
# too (the default profile blocks them; tests of blocking use block_config).
CONFIG = """\
[clients]
names = [{ name = "Zorbex Dynamics", aliases = ["Zorbex", "ZORBEX Inc."] }]
people = ["Dana Whitfield"]

[policy.surfaces.gateway.category]
secret = "redact"
credential = "redact"
"""
BLOCK_CONFIG = """\
[clients]
names = [{ name = "Zorbex Dynamics", aliases = ["Zorbex"] }]
"""


class Running:
    def __init__(self, url: str, log: io.StringIO, gateway_stop: asyncio.Event,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.url = url
        self._log = log
        self._stop = gateway_stop
        self._loop = loop

    def log_records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self._log.getvalue().splitlines() if line]

    @property
    def log_text(self) -> str:
        return self._log.getvalue()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)


@contextlib.contextmanager
def running_gateway(tmp: Path, config: str = CONFIG, **overrides: Any) -> Iterator[Running]:
    from promptguard.guard import Guard
    from promptguard.guard import GuardOptions
    from promptguard.surfaces.gateway.app import Logger
    from promptguard.surfaces.gateway.server import serve
    from promptguard.surfaces.gateway.settings import GatewaySettings

    project = tmp / "project"
    project.mkdir(exist_ok=True)
    (project / ".promptguard.toml").write_text(config)
    guard = Guard.load("gateway", start=project, options=GuardOptions())
    vault = guard.open_vault(overrides.pop("session", "gateway"))
    settings = GatewaySettings(port=0, **overrides)
    log = io.StringIO()
    ready = threading.Event()
    box: dict[str, Any] = {}

    def main() -> None:
        loop = asyncio.new_event_loop()
        box["loop"] = loop
        stop = asyncio.Event()
        box["stop"] = stop

        def on_ready(url: str) -> None:
            box["url"] = url
            ready.set()

        try:
            loop.run_until_complete(serve(settings, guard, vault, log=Logger(log),
                                          ready=on_ready, stop=stop))
        except BaseException as e:  # surfaced to the test below
            box["error"] = e
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    if not ready.wait(30) or "error" in box:
        raise RuntimeError(f"gateway did not start: {box.get('error')!r}")
    running = Running(box["url"], log, box["stop"], box["loop"])
    try:
        yield running
    finally:
        running.stop()
        thread.join(30)
