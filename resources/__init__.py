"""Bundled web code, icons and templates; read them with :mod:`resilience_map.assets`."""
