"""Print maps from a project in one call: the function File → Export map… and the CLI use."""

from __future__ import annotations

from pathlib import Path

from resilience_map.domain.enums import Country
from resilience_map.maps.choropleth import ChoroplethSettings
from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene import PRINT_LAYERS, Layer, SceneStyle, build_scene, unit_extent
from resilience_map.render.export import export_map
from resilience_map.render.paths import suggested_path
from resilience_map.render.print_layout import PrintResult, PrintSpec

__all__ = ["PrintSpec", "PrintResult", "export_print_map", "country_extent", "suggested_path"]


def country_extent(data: ProjectData, code: str) -> tuple[float, float, float, float]:
    """Lon/lat bounds of one country's units (``--country MK``)."""
    try:
        country = Country(code.strip().upper())
    except ValueError:
        raise ValueError(f"unknown country {code!r} (choose {', '.join(c.value for c in Country)})") from None
    uuids = [u.uuid for u in data.units if u.country is country]
    if not uuids:
        raise ValueError(f"this project has no municipalities in {country.label}")
    return unit_extent(data, uuids, margin=0.04)


def export_print_map(
    data: ProjectData,
    out: Path,
    settings: ChoroplethSettings | None,
    spec: PrintSpec | None = None,
    *,
    layers: frozenset[Layer] = PRINT_LAYERS,
    name_form: str = "latin",
    country: str | None = None,
) -> PrintResult:
    """Build the scene for ``settings`` and write the sheet to ``out`` (.pdf/.svg/.png)."""
    style = SceneStyle(
        settings,
        layers=layers,
        name_form=name_form,
        extent=country_extent(data, country) if country else None,
        country=Country(country.strip().upper()) if country else None,
    )
    return export_map(build_scene(data, style), Path(out), spec)
