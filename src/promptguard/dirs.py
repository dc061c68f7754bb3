"""Where promptguard keeps its files, per platform; environment variables override.

| what | override | Linux | macOS | Windows |
|---|---|---|---|---|
| data (vault, audit log) | PROMPTGUARD_DATA_DIR | $XDG_DATA_HOME/promptguard | ~/Library/Application Support/promptguard | %LOCALAPPDATA%\\promptguard |
| cache (rules, databases, parsed config) | PROMPTGUARD_CACHE_DIR; PROMPTGUARD_NO_CACHE disables | $XDG_CACHE_HOME/promptguard | ~/Library/Caches/promptguard | %LOCALAPPDATA%\\promptguard\\cache |
| user config | PROMPTGUARD_USER_CONFIG (config.py) | $XDG_CONFIG_HOME/promptguard/config.toml | the same | %APPDATA%\\promptguard\\config.toml |
| org policy | PROMPTGUARD_POLICY (config.py) | /etc/promptguard/policy.toml | /Library/Application Support/promptguard/policy.toml | %ProgramData%\\promptguard\\policy.toml |
| runtime (sockets; private, 0700) | | $XDG_RUNTIME_DIR/promptguard, else $TMPDIR/promptguard-<uid> | the same | the same |

Data is local, not roaming (Windows): the vault must not follow the user to
other machines. Every function takes the environment explicitly (default
os.environ), so tests and surfaces pass their own.
"""  # noqa: E501
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "promptguard"


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user data directory: the vault and the audit log live here."""
    env = _env(environ)
    explicit = env.get("PROMPTGUARD_DATA_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":  # pragma: win32 cover
        return Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP
    if sys.platform == "darwin":  # pragma: darwin cover
        return Path.home() / "Library" / "Application Support" / APP
    return Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where compiled rules and databases are cached; None disables caching."""
    env = _env(environ)
    if env.get("PROMPTGUARD_NO_CACHE"):
        return None
    explicit = env.get("PROMPTGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":  # pragma: win32 cover
        return Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP / "cache"
    if sys.platform == "darwin":  # pragma: darwin cover
        return Path.home() / "Library" / "Caches" / APP
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user's config file (config.py lets PROMPTGUARD_USER_CONFIG override it)."""
    env = _env(environ)
    if sys.platform == "win32":  # pragma: win32 cover
        base = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = xdg_config_home(env)
    return base / APP / "config.toml"


def xdg_config_home(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """$XDG_CONFIG_HOME, else ~/.config: our user config's folder, and where
    systemd user units and desktop autostart entries go (the clipboard service)."""
    env = _env(environ)
    return Path(env.get("XDG_CONFIG_HOME") or (Path.home() if home is None else home) / ".config")


def system_policy_path(environ: Mapping[str, str] | None = None) -> Path:
    """The organisation policy's default place (PROMPTGUARD_POLICY overrides, in config.py)."""
    if sys.platform == "win32":  # pragma: win32 cover
        return Path(_env(environ).get("ProgramData") or r"C:\ProgramData") / APP / "policy.toml"
    if sys.platform == "darwin":  # pragma: darwin cover
        return Path("/Library/Application Support") / APP / "policy.toml"
    return Path("/etc") / APP / "policy.toml"


def runtime_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The private per-user directory for sockets, created 0700 if missing.

    An existing one is used only if it is ours, not a symlink and closed to
    others, so another local user cannot plant a socket we would talk to.
    """
    import stat
    import tempfile

    from promptguard.errors import InputError

    env = _env(environ)
    base = env.get("XDG_RUNTIME_DIR")
    uid = os.getuid() if hasattr(os, "getuid") else None
    path = Path(base) / APP if base else Path(tempfile.gettempdir()) / f"{APP}-{uid or 0}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = path.lstat()
    except OSError as e:
        raise InputError(f"{path}: cannot create the runtime directory ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: not a directory (refusing to use it)")
    if uid is not None and st.st_uid != uid:
        raise InputError(f"{path}: owned by another user (refusing to use it)")
    if st.st_mode & 0o077:
        raise InputError(f"{path}: open to other users (mode {st.st_mode & 0o777:o}); "
                         "it must be 0700")
    return path
