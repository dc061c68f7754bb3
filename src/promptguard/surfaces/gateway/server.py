"""Run the gateway: listen, serve until SIGTERM/SIGINT, drain open streams, exit."""
from __future__ import annotations

import asyncio
import signal
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from promptguard.surfaces.gateway.app import Gateway
from promptguard.surfaces.gateway.app import Logger
from promptguard.surfaces.gateway.settings import GatewaySettings

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.vault import Vault


def ssl_context(s: GatewaySettings) -> ssl.SSLContext | None:
    if s.tls_cert is None:
        return None
    # Not create_default_context(CLIENT_AUTH): that trusts the system CAs,
    # so any publicly issued client certificate would pass mTLS.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(s.tls_cert, s.tls_key)
    if s.tls_client_ca is not None:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=str(s.tls_client_ca))
    return ctx


async def serve(settings: GatewaySettings, guard: Guard, vault: Vault, *,
                log: Logger | None = None,
                ready: Callable[[str], None] | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set or SIGTERM/SIGINT arrives; then drain and clean up."""
    gateway = Gateway(settings, guard, vault, log)
    runner = web.AppRunner(gateway.app(), access_log=None,
                           shutdown_timeout=settings.shutdown_grace, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=ssl_context(settings),
                       reuse_address=True)
    await site.start()
    stop = stop if stop is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or Windows: `stop` only
    server = getattr(site, "_server", None)
    sockets = getattr(server, "sockets", None) or ()
    port = sockets[0].getsockname()[1] if sockets else settings.port
    url = settings._replace(port=port).url
    gateway.log("listening", url=url, anthropic=settings.anthropic, openai=settings.openai,
                max_streams=settings.max_streams, auth=(
                    "mtls" if settings.mtls else "secret" if settings.secret else "none"))
    if ready is not None:
        ready(url)
    try:
        await stop.wait()
    finally:
        # Stop accepting, let open streams end, then close.
        await site.stop()
        await gateway.drain()
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        gateway.log("stopped")
