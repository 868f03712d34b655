"""The map page: a folium (Leaflet) map whose assets all come from installed packages.

folium's default CDN links (Leaflet from jsDelivr, jQuery, Bootstrap, Font Awesome)
are replaced: Leaflet comes from the django-js-lib-leaflet wheel, our own script
and style from ``resources/``, and qwebchannel.js from Qt's resource system. The
page holds no data; everything arrives over QWebChannel, so it is written once
per session and never rebuilt for a restyle.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata, resources
from pathlib import Path

from resilience_map import __version__
from resilience_map.assets import resource_file

LEAFLET_PACKAGE = "js_lib_leaflet"
QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"
REGION_CENTER = (42.6, 20.4)
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def leaflet_asset(name: str) -> Path:
    """Path of a file of the installed Leaflet distribution (leaflet.js, leaflet.css)."""
    path = Path(str(resources.files(LEAFLET_PACKAGE).joinpath("static", LEAFLET_PACKAGE, name)))
    if not path.exists():
        raise FileNotFoundError(f"Leaflet asset {name} is missing; reinstall django-js-lib-leaflet")
    return path


def build_page_html() -> str:
    """The page's HTML, referencing only file: and qrc: URLs."""
    import folium  # folium (and pandas behind it) load only when the page is (re)built
    from branca.element import CssLink, Element, JavascriptLink

    fmap = folium.Map(location=REGION_CENTER, zoom_start=7, tiles=None, prefer_canvas=True,
                      control_scale=True, min_zoom=5, max_zoom=16,
                      zoomSnap=0.25, zoomDelta=0.5)
    fmap.default_js = [("leaflet", leaflet_asset("leaflet.js").as_uri())]
    fmap.default_css = [("leaflet_css", leaflet_asset("leaflet.css").as_uri())]
    root = fmap.get_root()
    root.header.add_child(CssLink(_resource_uri("map.css")), name="rm_css")
    root.header.add_child(JavascriptLink(QWEBCHANNEL_JS), name="qwebchannel")
    root.header.add_child(Element(f'<script>window.RM_MAP_NAME = "{fmap.get_name()}";</script>'), name="rm_name")
    root.header.add_child(JavascriptLink(_resource_uri("map.js")), name="rm_js")
    root.title = "Resilience Map"
    return root.render()


def write_page(folder: Path, cache_dir: Path | None = None) -> Path:
    """Write ``index.html`` into ``folder`` (created if needed) and return its path.

    With ``cache_dir``, the rendered HTML is reused while nothing it depends on changed
    (app and folium versions, asset paths and dates), which keeps folium off start-up.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"map-page-{page_key()}.html" if cache_dir else None
    if cached is not None and cached.exists():
        html = cached.read_text(encoding="utf-8")
    else:
        html = build_page_html()
        remote = external_urls(html)
        if remote:
            raise RuntimeError(f"map page would load remote resources: {remote}")
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(html, encoding="utf-8")
    path = folder / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def page_key() -> str:
    """Changes whenever the rendered page could differ."""
    parts = [__version__, metadata.version("folium"), str(leaflet_asset("leaflet.js"))]
    for name in ("map.js", "map.css"):
        path = Path(str(resource_file(name))).resolve()
        parts += [str(path), str(path.stat().st_mtime_ns)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def external_urls(html: str) -> list[str]:
    """http(s) URLs in src/href attributes: must be none for the page to work offline."""
    return re.findall(r'(?:src|href)\s*=\s*["\'](https?://[^"\']+)', html)


def _resource_uri(name: str) -> str:
    return Path(str(resource_file(name))).resolve().as_uri()
