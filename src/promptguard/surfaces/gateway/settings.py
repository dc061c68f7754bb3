"""Gateway settings (frozen) and the checks that keep it from being an open relay."""
from __future__ import annotations

import ipaddress
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from promptguard.errors import ConfigError

DEFAULT_PORT = 8787
ANTHROPIC_UPSTREAM = "https://api.anthropic.com"
OPENAI_UPSTREAM = "https://api.openai.com"
SECRET_HEADER = "X-Promptguard-Secret"
SECRET_ENV = "PROMPTGUARD_GATEWAY_SECRET"
MIN_SECRET = 16
MiB = 1024 * 1024


class GatewaySettings(NamedTuple):
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # Base URLs the API paths (/v1/...) are appended to; None: not served.
    anthropic: str | None = ANTHROPIC_UPSTREAM
    openai: str | None = OPENAI_UPSTREAM
    # Listening beyond loopback needs this flag AND a secret or mTLS.
    allow_remote: bool = False
    secret: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None  # set: clients must present a certificate it signed
    max_body: int = 32 * MiB  # the Messages API's own request limit
    max_response: int = 64 * MiB  # a non-streamed upstream answer held to restore it
    max_event: int = 16 * MiB  # one SSE event
    max_streams: int = 128  # concurrent upstream requests; 429 past it
    connect_timeout: float = 10.0
    read_timeout: float = 600.0  # silence from the upstream, before or between chunks
    shutdown_grace: float = 30.0  # SIGTERM: how long open streams may take to finish
    session: str = "gateway"  # vault session: same value, same placeholder, every turn

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def mtls(self) -> bool:
        return self.tls_client_ca is not None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name we would have to resolve: not provably loopback


def parse_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:8787', '[::1]:8787', 'localhost:0' (0: any free port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise ConfigError(f"--listen {value}: expected HOST:PORT")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {value}: port must be 0-65535")
    return host, int(port)


def check_upstream(flag: str, url: str) -> str:
    """A base URL: https (http only to loopback), a host, no query, fragment or credentials."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{flag} {url}: expected an http(s) URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{flag}: the URL must not carry a query, fragment or credentials")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(f"{flag} {parts.scheme}://{parts.hostname}: API keys would travel in "
                          "clear text; use https (plain http is allowed to loopback only)")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        raise ConfigError(f"{flag} {url}: give the base URL without /v1 "
                          "(the gateway appends the API path, /v1/...)")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def validate(s: GatewaySettings) -> None:
    """Refuse settings that would expose the gateway or the keys passing through it."""
    if s.anthropic is None and s.openai is None:
        raise ConfigError("no upstream configured: give --anthropic-upstream or --openai-upstream")
    if s.secret is not None and len(s.secret) < MIN_SECRET:
        raise ConfigError(f"the gateway secret must be at least {MIN_SECRET} characters")
    if (s.tls_cert is None) != (s.tls_key is None):
        raise ConfigError("--tls-cert and --tls-key go together")
    if s.tls_client_ca is not None and s.tls_cert is None:
        raise ConfigError("--tls-client-ca (mTLS) needs --tls-cert and --tls-key")
    for path in (s.tls_cert, s.tls_key, s.tls_client_ca):
        if path is not None and not path.is_file():
            raise ConfigError(f"{path}: no such file")
    if not is_loopback(s.host):
        if not s.allow_remote:
            raise ConfigError(
                f"--listen {s.host}: not a loopback address; listening beyond this machine "
                "needs --allow-remote and a shared secret or mTLS")
        if not s.tls:
            raise ConfigError(
                f"--listen {s.host} --allow-remote: API keys and prompts would cross the network "
                "in clear text; give --tls-cert and --tls-key")
        if s.secret is None and not s.mtls:
            raise ConfigError(
                f"--listen {s.host} --allow-remote: also require clients to authenticate, "
                f"with a shared secret ({SECRET_ENV} or --secret-file) or mTLS (--tls-client-ca)")
    if s.max_streams < 1 or s.max_body < 1:
        raise ConfigError("--max-streams and --max-body must be positive")
