"""Cache keys: short, stable names for cache files, without hashlib.

BLAKE2b from CPython's builtin `_blake2` module: importing hashlib would
load OpenSSL (~3 ms per hook process), and a scan with findings loads
`_blake2` anyway for their fingerprints (zlib's CRC-32s, used before, were
one more extension module to load on every start).
"""
from __future__ import annotations

from pathlib import Path


def key(*parts: str | bytes) -> str:
    """A key for `parts` (joined with NUL): 16 hex digits plus the length in hex."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover (interpreters without _blake2)
        from hashlib import blake2b

    blob = b"\0".join(
        p if isinstance(p, bytes) else p.encode("utf-8", "surrogateescape") for p in parts
    )
    return f"{blake2b(blob, digest_size=8).hexdigest()}{len(blob):x}"


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
