"""Briefings with maps from the native renderer: the functions the CLI and the window call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from resilience_map.documents.briefing import Briefing, Progress, write_briefing
from resilience_map.domain.enums import Country
from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene import MapScene
from resilience_map.render.export import inset_pdf


def briefing_map(scene: MapScene, width_mm: float, height_mm: float) -> bytes:
    """Locator and overview maps: vector PDF with text and embedded fonts, legend if the scene has one."""
    return inset_pdf(
        scene,
        width_mm,
        height_mm,
        legend=bool(scene.legend) and scene.subtitle != "",
        label_pt=6.0 if width_mm < 100 else 5.5,
    )


def write_municipality_briefing(
    data: ProjectData, name: str, out: Path, *, include_restricted: bool = False, today: date | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """``name`` in any script or form (Чаир, Çair, Cair) or a registry id."""
    return write_briefing(data, data.municipality(name), Path(out), briefing_map,
                          include_restricted=include_restricted, today=today, progress=progress)


def write_country_briefing(
    data: ProjectData, code: str, out: Path, *, include_restricted: bool = False, today: date | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """``code`` is the country's ISO code (AL, BA, XK, ME, MK, RS), in either case."""
    try:
        country = Country(code.strip().upper())
    except ValueError:
        raise ValueError(f"unknown country {code!r} (choose {', '.join(c.value for c in Country)})") from None
    return write_briefing(data, country, Path(out), briefing_map,
                          include_restricted=include_restricted, today=today, progress=progress)


def write_activity_briefing(
    data: ProjectData, title: str, out: Path, *, include_restricted: bool = False, today: date | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """``title``: the activity's title (whole or a unique part, any script) or its id."""
    return write_briefing(data, data.activity(title), Path(out), briefing_map,
                          include_restricted=include_restricted, today=today, progress=progress)
