"""Surfaces: thin adapters that carry text from a host to the guard and back."""
