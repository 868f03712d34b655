"""A self-contained offline map: one HTML file that works from a USB stick.

Leaflet (from the installed ``django-js-lib-leaflet`` wheel, its images as data
URIs), our page scripts and style (``resources/map*.js``, ``map.css``) and the data
are inlined; the file makes no request of any kind. The data are the app's own
protocol messages (:mod:`resilience_map.maps.protocol`) — the load message, the
country borders, the credits, the name form and one choropleth style per indicator,
computed here in Python — which the page's script dispatches to the same handlers as
in the app (``resources/map-offline.js`` starts it without the Qt bridge). So the
exported page draws exactly what the app draws: choropleth, city outlines, country
borders, legend with the units at their seat, popups in the chosen name form, the
demo badge and the credits.

Geometry is simplified per country as a *coverage* (``shapely.coverage_simplify``):
an edge two neighbours share is simplified once, so borders stay shared and no
slivers or gaps open between municipalities.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from shapely.geometry.base import BaseGeometry

from resilience_map.assets import resource_file
from resilience_map.domain.records import (
    HubActivity,
    IndicatorDefinition,
    IndicatorValue,
    Municipality,
    PreventionStructure,
    StudyWave,
)
from resilience_map.maps import map_data
from resilience_map.maps import protocol as p
from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth, index_values
from resilience_map.maps.page import leaflet_asset

MAP_CREDIT = "Map: Leaflet (BSD-2-Clause)"


class MapSource(Protocol):
    """What the page is made from (``resilience_map.io.exports.ExportData`` provides it)."""

    title: str
    units: list[Municipality]
    boundaries: dict[str, BaseGeometry]
    indicators: list[IndicatorDefinition]
    waves: list[StudyWave]
    values: list[IndicatorValue]
    structures: list[PreventionStructure]
    activities: list[HubActivity]
    synthetic_label: str
    credits: list[str]
    credit_short: str
    names: str
    indicator: IndicatorDefinition | None
    exported_at: str

    def map_wave(self) -> StudyWave | None: ...
    def map_indicators(self) -> Sequence[IndicatorDefinition]: ...


#: Coverage simplification tolerance (degrees, roughly the size of removed detail):
#: about 200 m, invisible at the zoom that shows a whole country.
SIMPLIFY_TOLERANCE = 0.002


def simplified_boundaries(units: list[Municipality], boundaries: Mapping[str, BaseGeometry],
                          tolerance: float = SIMPLIFY_TOLERANCE) -> dict[str, BaseGeometry]:
    """Boundaries simplified per country as coverages (shared edges simplified once).

    Cities drawn under their member municipalities (City of Skopje) overlap them, so
    they form their own group; a group whose simplification comes out invalid falls
    back to simplifying each polygon on its own.
    """
    import shapely

    by_uuid = {u.uuid: u for u in units}
    containers = {u.parent_id for u in units if u.parent_id and u.uuid in boundaries}
    groups: dict[str, list[str]] = {}
    for uuid in boundaries:
        unit = by_uuid.get(uuid)
        if unit is None:
            continue
        key = "containers" if unit.registry_id in containers else unit.country.value
        groups.setdefault(key, []).append(uuid)
    out: dict[str, BaseGeometry] = {}
    for uuids in groups.values():
        geoms = [boundaries[u] for u in uuids]
        simple = shapely.coverage_simplify(geoms, tolerance)
        if not all(shapely.is_valid(simple)) or any(g.is_empty for g in simple):
            simple = shapely.simplify(geoms, tolerance / 2, preserve_topology=True)
        out.update(zip(uuids, simple, strict=True))
    return out


#: Our scripts, in the order the app's page loads them, then the offline start.
PAGE_SCRIPTS = ("map-panels.js", "map-symbols.js", "map-labels.js", "map.js", "map-offline.js")


def build_payload(data: MapSource) -> str:
    """Everything the page draws, as JSON text: protocol messages plus what only the
    offline page has (title, the indicator switcher, one style per indicator)."""
    geometry = map_data.MapGeometry(simplified_boundaries(data.units, data.boundaries), tolerance=0.0)
    wave = data.map_wave()
    indicators = list(data.map_indicators()) if wave else []
    drawn = map_data.drawn_units(data.units, geometry).choropleth_ids()
    index = index_values(data.values)
    styles: dict[str, p.ApplyStyle] = {}
    for indicator in indicators:
        settings = ChoroplethSettings(indicator.uuid, wave.uuid)  # type: ignore[union-attr]
        chor = build_choropleth(settings, indicator, data.waves, index, drawn, data.synthetic_label)
        styles[indicator.code] = p.ApplyStyle(**chor.to_json())
    with_values = [i for i in indicators if styles[i.code].styles]
    initial = data.indicator or next(iter(with_values or indicators), None)
    subtitle = f"{wave.name} · exported {data.exported_at}" if wave else f"exported {data.exported_at}"
    messages: list[p.ToPage] = [
        p.SetNameForm(data.names),
        map_data.load_project(data.units, geometry, data.structures, data.activities, data.synthetic_label,
                              style=styles[initial.code] if initial else None),
        # from the full polygons: the same outlines (and cache entries) as the app's
        p.ShowBorders(map_data.borders_json(data.units, data.boundaries, SIMPLIFY_TOLERANCE / 2)),
        p.ShowCredits([*data.credits, MAP_CREDIT], data.credit_short),
    ]
    extra = {"title": data.title, "subtitle": subtitle, "initial": initial.code if initial else None,
             "indicators": [{"code": i.code, "name": i.name} for i in indicators]}
    # the messages are JSON already (with GeoJSON embedded as is): joined, not re-encoded
    return (f'{{"offline":{json.dumps(extra, ensure_ascii=False, separators=(",", ":"))},'
            f'"messages":[{",".join(p.encode(m) for m in messages)}],'
            f'"styles":{{{",".join(f"{json.dumps(code)}:{p.encode(m)}" for code, m in styles.items())}}}}}')


def render_html(data: MapSource) -> str:
    payload = build_payload(data)
    leaflet_css = _inline_images(leaflet_asset("leaflet.css").read_text(encoding="utf-8"))
    script = "\n".join(_resource(name) for name in PAGE_SCRIPTS)
    parts = [
        "<!DOCTYPE html>", '<html lang="en" class="rm-offline"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may leave the file: a policy that forbids every network fetch.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(data.title)}</title>",
        f"<style>{_no_close(leaflet_css, 'style')}</style>",
        f"<style>{_no_close(_resource('map.css'), 'style')}</style>",
        "</head><body>", '<div id="map"></div>',
        f'<script type="application/json" id="rm-data">{_json_for_script(payload)}</script>',
        f"<script>{_no_close(leaflet_asset('leaflet.js').read_text(encoding='utf-8'), 'script')}</script>",
        f"<script>{_no_close(script, 'script')}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html(data: MapSource, path: Path) -> Path:
    path.write_text(render_html(data), encoding="utf-8")
    return path


def _resource(name: str) -> str:
    return Path(str(resource_file(name))).read_text(encoding="utf-8")


def _json_for_script(text: str) -> str:
    """JSON inside <script>: "</" and "<!--" could end or confuse the element."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _no_close(code: str, tag: str) -> str:
    if re.search(f"</{tag}", code, re.IGNORECASE):
        raise ValueError(f"an inlined asset contains </{tag}>")
    return code


def _inline_images(css: str) -> str:
    """leaflet.css refers to images/*.png: put them in the file as data URIs."""
    folder = leaflet_asset("leaflet.css").parent

    def data_uri(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.exists():
            return "none"
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\(\s*['\"]?(images/[^'\")]+)['\"]?\s*\)", data_uri, css)
