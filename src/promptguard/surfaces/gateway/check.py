"""`promptguard gateway --check`: config, settings and upstream reachability."""
from __future__ import annotations

import asyncio
from typing import IO
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.surfaces.gateway.settings import GatewaySettings


async def reachable(url: str, timeout: float) -> str | None:
    """None if the upstream answered at all (any HTTP status), else why not."""
    try:
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=timeout), trust_env=False) as client:
            async with client.get(url + "/v1/models", allow_redirects=False) as response:
                await response.read()
                return None
    except asyncio.TimeoutError:
        return f"no answer within {timeout:g} s"
    except aiohttp.ClientError as e:
        return type(e).__name__


async def check(settings: GatewaySettings, guard: Guard, out: IO[str]) -> bool:
    profile = guard.config.policy.profile
    out.write(f"config: ok (profile {profile.value} from {profile.where()}; "
              f"on_error={guard.on_error})\n")
    auth = "mTLS" if settings.mtls else "shared secret" if settings.secret else "none (loopback)"
    out.write(f"listen: {settings.url} (client auth: {auth})\n")
    ok = True
    for name in ("anthropic", "openai"):
        url = getattr(settings, name)
        if url is None:
            out.write(f"upstream {name}: disabled\n")
            continue
        problem = await reachable(url, min(settings.connect_timeout, 10.0))
        if problem is None:
            out.write(f"upstream {name}: {url} reachable\n")
        else:
            ok = False
            out.write(f"upstream {name}: {url} UNREACHABLE ({problem})\n")
    return ok
