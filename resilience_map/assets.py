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


#: The one font family of maps and briefings: DejaVu Sans covers Albanian (ë ç),
#: Bosnian/Croatian/Serbian Latin (č ć š ž đ) and Serbian/Macedonian Cyrillic (ђ ћ џ љ њ ѓ ќ ѕ ј),
#: and carries the Serbian/Macedonian letter forms behind its SRB/MKD ``locl`` feature.
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "oblique": "DejaVuSans-Oblique.ttf"}


def font_folder() -> Path:
    """Folder holding the DejaVu Sans files, from an installed package.

    matplotlib's wheel ships them on every OS (found without importing matplotlib);
    Debian's ``fonts-dejavu-core`` is the fallback. Never a font the user happens to have:
    output must look the same on every laptop.
    """
    from importlib.util import find_spec

    candidates = []
    spec = find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf")
    candidates.append(Path("/usr/share/fonts/truetype/dejavu"))
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise FileNotFoundError("the DejaVu Sans fonts are missing: reinstall matplotlib "
                            "(pip install matplotlib) or install fonts-dejavu-core")
