"""One Guard per project (config root), reloaded when its files change.

Documents are grouped by the project config that `scan` would find for
them (walking up from the document's folder), so a monorepo with several
`.promptguard.toml` files gets one Guard each. A Guard is reused while the
files it was built from (project, user and org config, baselines) keep
their size and mtime; editors that watch files also tell us directly
(`workspace/didChangeWatchedFiles`), which just drops the cache.

Only the scan worker thread calls into this module, so it needs no locks.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.errors import PromptguardError

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.guard import GuardOptions

# Editing one of these (anywhere in the workspace) may change a project's
# config or what it accepts.
CONFIG_NAMES = frozenset({
    ".promptguard.toml", "pyproject.toml", ".promptguard-baseline.json", ".secrets.baseline",
})
Stamp = tuple[tuple[str, int, int], ...]
Key = tuple[str, str]


class Loaded(NamedTuple):
    root: Path
    guard: Guard | None
    # A config or rule-pack error, worded by the library (file and key).
    error: str | None
    stamp: Stamp


def _stamp(paths: set[Path]) -> Stamp:
    out = []
    for p in sorted(paths):
        try:
            st = os.stat(p)
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), -1, -1))
    return tuple(out)


def watched(guard: Guard | None, config_file: Path | None) -> set[Path]:
    """Every file whose change could change what `guard` decides."""
    paths: set[Path] = set()
    if config_file is not None:
        paths.add(config_file)
    if guard is None:
        return paths
    cfg = guard.config
    paths.update(f.path for f in cfg.files if isinstance(getattr(f, "path", None), Path))
    paths.update(cfg.baselines)
    paths.add(cfg.baseline_target)
    paths.update(Path(p) for _, p, _ in cfg.searched if p)
    return paths


class GuardCache:
    def __init__(
        self,
        options: GuardOptions,
        load: Callable[..., Guard] | None = None,
        on_reload: Callable[[Path, str | None], None] | None = None,
    ) -> None:
        self.options = options
        if load is None:
            from promptguard.guard import Guard

            load = Guard.load
        self._load = load
        self._on_reload = on_reload
        self._loaded: dict[Key, Loaded] = {}

    def invalidate(self) -> None:
        self._loaded.clear()

    def get(self, start: Path) -> Loaded:
        """The Guard for a document in folder `start` (loading or reloading it)."""
        from promptguard.config import discover_project

        config_file, root = discover_project(start)
        key = (str(config_file), str(root))
        entry = self._loaded.get(key)
        if entry is not None:
            paths = {Path(p) for p, _, _ in entry.stamp}
            if _stamp(paths) == entry.stamp:
                return entry
        try:
            guard: Guard | None = self._load("editor", start=start, options=self.options)
            error = None
        except PromptguardError as e:
            guard, error = None, str(e)
        loaded = Loaded(root, guard, error, _stamp(watched(guard, config_file)))
        self._loaded[key] = loaded
        if entry is not None and self._on_reload is not None:
            self._on_reload(root, error)
        return loaded
