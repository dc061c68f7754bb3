"""Settings files in JSON: read strictly, write atomically with a backup."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from promptguard.errors import ConfigError

BACKUP_SUFFIX = ".promptguard-backup"


def read(path: Path) -> dict[str, Any] | None:
    """The file's object; None when it does not exist; ConfigError (exit 2) if malformed."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) \
            else ""
        raise ConfigError(f"{path}: not valid JSON{where}; fix it by hand, nothing was "
                          "changed") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a JSON object at the top level, found "
                          f"{type(doc).__name__}; nothing was changed")
    return doc


def write(path: Path, doc: Mapping[str, Any], *, backup: bool = True) -> Path | None:
    """Replace the file atomically (keeping its mode); the old one is copied aside first."""
    from promptguard import atomic

    saved = None
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = None
    if path.exists():
        mode = path.stat().st_mode & 0o7777
        if backup:
            saved = path.with_name(path.name + BACKUP_SUFFIX)
            shutil.copy2(path, saved)
    # A settings file keeps the mode it had (atomic writes are 0600 otherwise).
    atomic.write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                      mode=mode if mode is not None else 0o644)
    return saved


def hooks_table(doc: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The file's "hooks" object (empty when absent); one that is not an
    object is refused before anything is changed."""
    hooks = doc.get("hooks", {})
    if not isinstance(hooks, Mapping):
        raise ConfigError(f"{path}: 'hooks' is {type(hooks).__name__}, expected an object; "
                          "nothing was changed")
    return dict(hooks)


def is_promptguard(handler: Any) -> bool:
    """A hook handler that runs promptguard's hook (any path, exec or shell form):
    `promptguard-hook ...`, `promptguard hook ...` or `python -m promptguard hook ...`."""
    if not isinstance(handler, Mapping):
        return False
    command = handler.get("command")
    if not isinstance(command, str):
        return False
    args = handler.get("args")
    words = command.split() + ([a for a in args if isinstance(a, str)]
                               if isinstance(args, list) else [])
    names = [os.path.basename(w) for w in words]
    if any(n in ("promptguard-hook", "promptguard-hook.exe", "promptguard_hook.py")
           for n in names):
        return True
    return any("promptguard" in n for n in names) and "hook" in words
