"""Export a map snapshot from a project (used by File → Export map image… and the CLI)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize

from resilience_map.domain.names import fold
from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth
from resilience_map.maps.features import build_features
from resilience_map.maps.map_data import load_message
from resilience_map.ui.map_controller import ProjectSnapshot
from resilience_map.ui.map_snapshot import SnapshotSpec, compose, render_map, save_png


def find_indicator(snapshot: ProjectSnapshot, text: str):
    """An indicator by code or name (any case, diacritics ignored)."""
    for ind in snapshot.indicators:
        if fold(text) in (fold(ind.code), fold(ind.name)):
            return ind
    known = ", ".join(i.code for i in snapshot.indicators) or "none"
    raise ValueError(f"no indicator {text!r} in this project (known codes: {known})")


def find_wave(snapshot: ProjectSnapshot, text: str | None):
    """A study wave by name; the latest wave when none is given."""
    waves = sorted(snapshot.waves, key=lambda w: w.start_date)
    if not waves:
        raise ValueError("this project has no study waves")
    if text is None:
        return waves[-1]
    for wave in waves:
        if fold(text) in fold(wave.name):
            return wave
    raise ValueError(f"no study wave {text!r} (known: {', '.join(w.name for w in waves)})")


def export_map_image(snapshot: ProjectSnapshot, settings: ChoroplethSettings, out: Path, *,
                     project_title: str, scale: int = 1, size: QSize | tuple[int, int] = (1200, 800),
                     bounds: tuple[float, float, float, float] | None = None,
                     hidden_layers: tuple[str, ...] = (), name_form: str = "latin") -> Path:
    """Render and save a PNG of the map; raises SnapshotError or ValueError with a message."""
    if scale not in (1, 2):
        raise ValueError("pixel density must be 1 or 2")
    size = size if isinstance(size, QSize) else QSize(*size)
    indicator = next(i for i in snapshot.indicators if i.uuid == settings.indicator_uuid)
    wave = next(w for w in snapshot.waves if w.uuid == settings.wave_uuid)
    features = build_features(snapshot.units, snapshot.boundaries)
    drawn = [f["id"] for f in features.polygons["features"]] + [s["id"] for s in features.seats]
    style = build_choropleth(settings, indicator, snapshot.waves, snapshot.values, drawn, snapshot.synthetic_label)
    load = load_message(snapshot.units, snapshot.boundaries, snapshot.structures, snapshot.activities,
                        snapshot.synthetic_label, features)
    load["hidden"] = list(hidden_layers)
    load["fit"] = False
    source = f"Project: {project_title}. Indicator data: {wave.conducted_by or 'as recorded in the project'}."
    classes = ("equal classes symmetric around no change" if settings.change
               else f"{settings.scheme.label}, {len(style.legend.classes)} classes")
    spec = SnapshotSpec(title=style.legend.title, subtitle=f"{style.legend.subtitle} · {classes}", source=source,
                        synthetic_label=snapshot.synthetic_label, size=size, scale=scale,
                        bounds=bounds or features.bounds)
    image = render_map(load, style.to_json(), spec, extra=[{"op": "nameForm", "form": name_form}])
    save_png(compose(image, spec), out)
    return Path(out)
