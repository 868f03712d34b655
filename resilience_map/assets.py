"""Locate files that ship inside the package (``data/`` and ``resources/``).

The repository keeps ``data/`` and ``resources/`` at its top level; packaging maps
them to ``resilience_map.data`` and ``resilience_map.resources``. Going through
:mod:`importlib.resources` means the installed wheel works the same as a checkout.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable


def data_file(name: str) -> Traversable:
    """Return a bundled data file, e.g. ``data_file("municipalities.csv")``."""
    return resources.files("resilience_map.data").joinpath(name)


def resource_file(name: str) -> Traversable:
    """Return a bundled resource (web page code, icons, templates)."""
    return resources.files("resilience_map.resources").joinpath(name)
