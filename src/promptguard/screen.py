"""Config allowlists and baselines: which findings were already accepted.

Applied one source at a time, after the engine (which already honoured
inline pragmas and rule allowlists) and before the policy decides.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.models import Finding

if TYPE_CHECKING:
    from promptguard.allowlist import Matcher
    from promptguard.baseline import Baseline
    from promptguard.config import Config

# Files that only ever hold hashes; generic rules would flag their
# `"hashed_secret": "<hex>"` lines, so they are never scanned.
BASELINE_NAMES = frozenset({".promptguard-baseline.json", ".secrets.baseline"})
# (finding, why it was accepted): "baseline", "allowlist.paths", ...
Suppressed = tuple[Finding, str]


class Screen:
    """Config allowlists and baselines for one config root."""

    def __init__(
        self,
        matcher: Matcher | None = None,
        baselines: Sequence[Baseline] = (),
        skip: Iterable[Path] = (),
    ) -> None:
        self.matcher = matcher
        self.baselines = tuple(baselines)
        self.skip = frozenset(p.resolve() for p in skip)
        # A path resolves to one of `skip` only if its name is one of theirs
        # or it is a symlink (or "." / ".."): the rest need no resolve().
        self._skip_names = frozenset(p.name for p in self.skip)

    @classmethod
    def from_config(
        cls, cfg: Config, *, use_baselines: bool = True, extra: Sequence[Baseline] = (),
    ) -> Screen:
        from promptguard.allowlist import Matcher

        baselines: list[Baseline] = list(extra)
        if use_baselines and cfg.baselines:
            from promptguard import baseline

            baselines.extend(baseline.load(p, cfg.root) for p in cfg.baselines)
        skip = (*cfg.baselines, cfg.baseline_target)
        return cls(Matcher(cfg.allowlist, cfg.root), baselines, skip)

    def skips(self, path: Path, label: str, *, regular: bool = False) -> bool:
        """Whether `path` is left out of a scan. `regular`: it is known to be
        a regular file and not a symlink (a directory walk's files)."""
        if path.name in BASELINE_NAMES or (self.skip and self._may_resolve_to_skip(path, regular)
                                           and path.resolve() in self.skip):
            return True
        return self.matcher is not None and self.matcher.skips_path(label)

    def _may_resolve_to_skip(self, path: Path, regular: bool) -> bool:
        name = path.name
        return (name in self._skip_names or name in ("", ".", "..")
                or (not regular and path.is_symlink()))

    def _rel(self, label: str, root: Path) -> str:
        from promptguard.allowlist import relative_label

        return relative_label(label, root)

    def needs_secrets(self, label: str) -> bool:
        if self.matcher is not None and self.matcher.spec.needs_secret:
            return True
        return any(b.hashes and self._rel(label, b.root) in b.hashes for b in self.baselines)

    def apply(
        self,
        findings: Sequence[Finding],
        label: str,
        secret: Callable[[Finding], str | None],
        line: Callable[[Finding], str | None],
    ) -> tuple[list[Finding], list[Suppressed]]:
        if not findings or (self.matcher is None and not self.baselines):
            return list(findings), []
        kept: list[Finding] = []
        suppressed: list[Suppressed] = []
        rels = [(b, self._rel(label, b.root)) for b in self.baselines]
        for f in findings:
            reason = None
            if self.matcher is not None:
                reason = self.matcher.reason(f, secret(f), line(f))
            for b, rel in rels:
                if reason is None:
                    reason = b.reason(f, rel, secret(f) if b.hashes.get(rel) else None)
            if reason is None:
                kept.append(f)
            else:
                suppressed.append((f, reason))
        return kept, suppressed

    def apply_text(
        self, findings: Sequence[Finding], label: str, text: str,
    ) -> tuple[list[Finding], list[Suppressed]]:
        """`apply` when the whole scanned text is at hand."""
        from promptguard.allowlist import line_at

        return self.apply(findings, label, lambda f: text[f.start:f.end],
                          lambda f: line_at(text, f.start))
