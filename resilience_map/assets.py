"""Locate files that ship inside the package (``data/`` and ``resources/``).

The repository keeps ``data/`` and ``resources/`` at its top level; packaging maps
them to ``resilience_map.data`` and ``resilience_map.resources``. Going through
:mod:`importlib.resources` means the installed wheel works the same as a checkout;
in a plain checkout (``python -m pytest`` from the root, nothing installed) the
top-level folders are used directly.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def _folder(package: str, checkout_name: str) -> Traversable:
    try:
        return resources.files(package)
    except ModuleNotFoundError:  # a checkout: data/ and resources/ sit beside the package
        return _CHECKOUT / checkout_name


def data_file(name: str) -> Traversable:
    """Return a bundled data file, e.g. ``data_file("municipalities.csv")``."""
    return _folder("resilience_map.data", "data").joinpath(name)


def resource_file(name: str) -> Traversable:
    """Return a bundled resource (web page code, icons, templates)."""
    return _folder("resilience_map.resources", "resources").joinpath(name)
