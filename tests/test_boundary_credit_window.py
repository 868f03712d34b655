"""File → Import boundaries… asks for the credit of a file that names none; undo takes both back."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from shapely.geometry import box, mapping
from tests_helpers import sha256

from resilience_map.session import MetaChanged
from resilience_map.store.credits import boundary_credits
from resilience_map.ui.main_window import MainWindow


def squares(window: MainWindow, registry_ids: list[str], path: Path) -> Path:
    """A GeoJSON file of 3 km squares around the seats, named like the units — and no source."""
    units = {u.registry_id: u for u in window.session.indexes.municipalities.all()}
    features = [{"type": "Feature", "properties": {"name": units[r].name_latin},
                 "geometry": mapping(box(units[r].seat_lon - 0.02, units[r].seat_lat - 0.015,
                                         units[r].seat_lon + 0.02, units[r].seat_lat + 0.015))}
                for r in registry_ids]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_window_asks_for_the_credit_records_it_and_undo_removes_polygons_and_credit(
        window: MainWindow, qtbot, demo_project: Path, tmp_path: Path) -> None:
    window.open_project(demo_project)
    path = squares(window, ["me-budva", "me-bar"], tmp_path / "coast.geojson")
    before = sha256(demo_project)
    seen: list[MetaChanged] = []
    window.session.events.subscribe(MetaChanged, seen.append)

    plan = window.import_boundaries(path, "ME")
    dialog = window.boundaries.credit_dialog
    assert plan is not None and not plan.pending() and dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()  # the file says nothing: the source is asked
    assert "does not say where its boundaries come from" in dialog.fields.hint.text()
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert sha256(demo_project) == before and len(window.session.stack) == 0  # cancelled: nothing

    window.import_boundaries(path, "ME")
    dialog = window.boundaries.credit_dialog
    dialog.fields.choose_provider("OpenStreetMap")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    store = window.store
    assert len(store.boundaries()) == 2 and len(window.session.stack) == 1
    assert [(c.text(), c.units, c.files) for c in boundary_credits(store)] == [
        ("Boundaries: © OpenStreetMap contributors (ODbL 1.0)", 2, ("coast.geojson",))]
    assert [e.new is not None for e in seen] == [True]
    assert "2 boundaries saved from coast.geojson" in window.statusBar().currentMessage()

    window.undo_action.trigger()
    assert store.boundaries() == {} and boundary_credits(store) == []
    assert store.meta_items("boundary_import:") == {} and seen[-1].new is None
