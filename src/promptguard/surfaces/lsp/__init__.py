"""`promptguard lsp`: a language server that flags secrets as you type.

A thin adapter over the guard service for surface `editor`: documents the
editor opens or changes are scanned off the event loop (debounced; a newer
edit cancels an older scan), findings become diagnostics, and code actions
offer the fixes (placeholder, rule-named pragma, baseline entry, explain).
Nothing here ever sends or logs a finding's value: only rule ids, ranges
and masked previews.
"""
from __future__ import annotations
