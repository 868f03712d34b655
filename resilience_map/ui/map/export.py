"""Map images (PNG): File → Export map image… and ``resilience-map export-image``.

Both draw the same messages the window's map gets (one :func:`map_data.load_project`,
the country borders, the boundary credits, one style), in a hidden view of the output's
size, so an exported image shows exactly what the map shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from resilience_map.maps import map_data
from resilience_map.maps import protocol as p
from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth
from resilience_map.ui.map.content import MapContent
from resilience_map.ui.map.export_dialog import ExportImageDialog
from resilience_map.ui.map.snapshot import SnapshotError, SnapshotSpec, compose, render_map, save_png

if TYPE_CHECKING:
    from resilience_map.ui.map.feature import MapFeature


def export_map_image(content: MapContent, settings: ChoroplethSettings, out: Path, *,
                     scale: int = 1, size: QSize | tuple[int, int] = (1200, 800),
                     bounds: p.Bounds | None = None, hidden_layers: tuple[str, ...] = (),
                     name_form: str = "latin") -> Path:
    """Render and save a PNG of the map; raises SnapshotError or ValueError with a message."""
    if scale not in (1, 2):
        raise ValueError("pixel density must be 1 or 2")
    size = size if isinstance(size, QSize) else QSize(*size)
    indicator = content.indicator(settings.indicator_uuid)
    wave = next((w for w in content.waves if w.uuid == settings.wave_uuid), None)
    if indicator is None or wave is None:
        raise ValueError("the chosen indicator or wave is no longer in the project")
    style = build_choropleth(settings, indicator, content.waves, content.values, content.drawn_ids(),
                             content.synthetic_label)
    load = map_data.load_project(content.units, content.geometry, content.structures, content.activities,
                                 content.synthetic_label, hidden=hidden_layers, fit=False)
    assert style.legend is not None
    source = f"Project: {content.title}. Indicator data: {wave.conducted_by or 'as recorded in the project'}."
    spec = SnapshotSpec(title=style.legend.title, subtitle=f"{style.legend.subtitle} · {style.legend.method}",
                        source=source, synthetic_label=content.synthetic_label, size=size, scale=scale,
                        bounds=bounds or load.bounds)
    messages = [load, map_data.borders(content.units, content.geometry), content.credits,
                p.ApplyStyle(**style.to_json()), p.SetNameForm(name_form)]
    image = render_map(messages, spec)
    save_png(compose(image, spec), out)
    return Path(out)


def run_export_dialog(feature: MapFeature) -> Path | None:
    """The dialog, the export with a wait cursor, and a message on failure or success."""
    parent = feature.view.window()
    store = feature.session.store
    if store is None or not feature.can_export():
        _warn(parent, "There is no indicator map to export: open a project with indicator values.")
        return None
    dialog = ExportImageDialog(store.path.with_suffix(".png"), parent)
    if dialog.exec() != ExportImageDialog.DialogCode.Accepted:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        out = feature.export_image(dialog.chosen_path(), scale=dialog.scale(),
                                   whole_region=dialog.whole_region.isChecked())
    except (SnapshotError, ValueError, OSError) as exc:
        QApplication.restoreOverrideCursor()
        _warn(parent, str(exc))
        return None
    QApplication.restoreOverrideCursor()
    feature.notice.emit(f"Map image saved to {out}")
    return out


def _warn(parent: QWidget, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Map image not saved", text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("errorBox")
    box.open()  # non-blocking, so scripted use and tests are never stuck
