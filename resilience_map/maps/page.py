"""The files the map page consists of, and nothing else.

The page is served to QtWebEngine from our own URL scheme by a handler that answers
only the names listed here (our page, script and style from ``resources/``, the
Leaflet distribution from the django-js-lib-leaflet wheel, Qt's qwebchannel.js). It
is never written to disk and never loaded from a file: URL, so the page's origin
grants no access to local files. Everything the page shows arrives afterwards as
messages (:mod:`resilience_map.maps.protocol`); the page is loaded once per window
and never rebuilt for a restyle.
"""

from __future__ import annotations

import re
from importlib import util
from pathlib import Path

from resilience_map.assets import resource_file

LEAFLET_PACKAGE = "js_lib_leaflet"
REGION_BOUNDS = (18.4, 39.6, 23.1, 46.2)  # west, south, east, north of the six countries
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_TILE_HOST = "tile.openstreetmap.org"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

#: Our own files, by the name the page asks for.
PAGE_FILES = {
    "index.html": "map.html",
    "map.css": "map.css",
    "map.js": "map.js",
    "map-panels.js": "map-panels.js",
    "map-symbols.js": "map-symbols.js",
    "map-labels.js": "map-labels.js",
}
#: Served from Qt's own resources by the window (Qt-free code cannot read them).
QWEBCHANNEL_JS = "qwebchannel.js"
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
                 ".svg": "image/svg+xml"}


def leaflet_folder() -> Path:
    """The installed Leaflet distribution (leaflet.js, leaflet.css, images/).

    Found without importing the package (it is a Django app with nothing to import).
    """
    spec = util.find_spec(LEAFLET_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "static" / LEAFLET_PACKAGE
        if (path / "leaflet.js").is_file():
            return path
    raise FileNotFoundError("The Leaflet files are missing; reinstall django-js-lib-leaflet.")


def leaflet_asset(name: str) -> Path:
    """Path of a file of the installed Leaflet distribution (leaflet.js, leaflet.css)."""
    path = leaflet_folder() / name
    if not path.exists():
        raise FileNotFoundError(f"Leaflet asset {name} is missing; reinstall django-js-lib-leaflet")
    return path


def page_file(name: str) -> Path | None:
    """The file behind a name the page asked for, or None when it is not part of the page.

    Leaflet's files are looked up inside its folder only (``..`` cannot leave it); only
    the kinds of file a page needs (script, style, image) are served.
    """
    name = name.lstrip("/")
    if name in PAGE_FILES:
        return Path(str(resource_file(PAGE_FILES[name])))
    if name.startswith("leaflet/"):
        folder = leaflet_folder().resolve()
        path = (folder / name.removeprefix("leaflet/")).resolve()
        if path.is_relative_to(folder) and path.is_file() and path.suffix in CONTENT_TYPES:
            return path
    return None


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


def external_urls(html: str) -> list[str]:
    """http(s) URLs in src/href attributes: must be none for the page to work offline."""
    return re.findall(r'(?:src|href)\s*=\s*["\'](https?://[^"\']+)', html)
