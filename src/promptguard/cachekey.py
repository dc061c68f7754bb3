"""Cache keys: short, stable names for cache files, without hashlib.

Two CRC-32s, over the bytes and over them reversed, plus the length: an
accidental collision is negligible for a cache key (nothing here defends
against someone forging one; the caches live in the user's own folder),
and zlib is built in, where importing hashlib would load OpenSSL (~3 ms per
hook process).
"""
from __future__ import annotations

from pathlib import Path


def key(*parts: str | bytes) -> str:
    """A key for `parts` (joined with NUL): 16 hex digits plus the length in hex."""
    import zlib

    blob = b"\0".join(
        p if isinstance(p, bytes) else p.encode("utf-8", "surrogateescape") for p in parts
    )
    return f"{zlib.crc32(blob):08x}{zlib.crc32(blob[::-1]):08x}{len(blob):x}"


def file_stamp(path: Path) -> str:
    """Path, size and mtime: what changes when a file does (as CPython keys .pyc files).

    Raises OSError when the file cannot be stat'ed.
    """
    import os

    st = path.stat()
    # abspath, not resolve: a file reached through a symlink only gets a key
    # of its own (a cache miss), and resolving costs a syscall per path part
    # (25 rule packs: ~1 ms of every hook process).
    return f"{os.path.abspath(path)}:{st.st_size}:{st.st_mtime_ns}"
