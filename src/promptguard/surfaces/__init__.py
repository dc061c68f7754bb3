"""Surfaces: thin adapters that feed one host's text to the guard (promptguard.guard)."""
