"""Atomic file replacement: readers see the old file or the new one, never half.

The data goes to a temporary file in the destination's folder (same file
system, so the rename is atomic), created 0600 by mkstemp: vaults, client
caches and baselines are never readable by others, not even for a moment,
and os.replace keeps that mode. On any failure the temporary file is
removed and the error propagates; callers that only write caches catch
OSError themselves (an unwritable cache costs the next process a rebuild).
"""
from __future__ import annotations

import os
from pathlib import Path


def write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically.

    The file ends up 0600, or `mode` when given (a user's settings file
    keeps the mode it had): set on the temporary file before the rename, so
    the file never appears with any other mode.
    """
    # tempfile is imported only by writers: a hook that reads its caches
    # never pays for it.
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_cache(path: Path, data: bytes) -> bool:
    """Write a cache file (creating its folder); False if it cannot be written.

    An unwritable cache (read-only home, full disk) only costs the next
    process a rebuild, so it is never an error.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, data)
    except OSError:
        return False
    return True


def write_text(
    path: Path, text: str, encoding: str = "utf-8", *, mode: int | None = None,
) -> None:
    """Replace `path` with `text` atomically; line endings are written as given."""
    write_bytes(path, text.encode(encoding), mode=mode)
