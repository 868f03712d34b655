"""Widgets every feature shares: the municipality picker, "not known" editors, value texts."""
