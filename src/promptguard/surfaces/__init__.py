"""Surfaces: thin adapters that put the guard where text leaves for a model.

Each surface lives in its own package (hooks, clipboard, gateway, lsp), parses
its host's input, calls `promptguard.guard.Guard` and renders the verdict.
Surfaces never import each other.
"""
