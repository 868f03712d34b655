"""Bundled data files (registry, demo facts); read them with :mod:`resilience_map.assets`."""
