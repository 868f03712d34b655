"""The main window driven as a user would: open, search in any script, import boundaries."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from tests_helpers import page_eval as js
from tests_helpers import type_text

from resilience_map.ui.main_window import MainWindow
from resilience_map.ui.municipalities.model import UUID_ROLE


def search(window: MainWindow, qtbot, text: str) -> list[str]:
    window.search.clear()
    type_text(window.search, text)
    return [window.proxy.index(r, 0).data(UUID_ROLE) for r in range(window.proxy.rowCount())]


def test_open_demo_lists_every_municipality(window: MainWindow, demo_project: Path) -> None:
    assert window.open_project(demo_project)
    assert window.model.rowCount() == window.store.info().counts["municipalities"] > 480
    assert "Demo data – not study results" in window.count_label.text()
    assert demo_project.name in str(window.files.recent.paths()[0])


def test_cyrillic_and_albanian_forms_find_the_same_row(window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)
    pristina = window.store.municipality_by_registry_id("xk-prishtine").uuid
    assert search(window, qtbot, "Приштина") == [pristina]
    assert window.selected_municipality_uuid() == pristina
    assert search(window, qtbot, "Prishtinë") == [pristina]
    assert search(window, qtbot, "pristina") == [pristina]
    assert window.selected_municipality_uuid() == pristina
    assert "1 of" in window.count_label.text()


def test_cair_in_three_scripts(window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)
    found = {tuple(search(window, qtbot, q)) for q in ("Čair", "Çair", "Чаир")}
    assert len(found) == 1 and len(next(iter(found))) == 1


def test_text_file_named_gpkg_gives_message_and_keeps_current_project(window: MainWindow, demo_project: Path,
                                                                       tmp_path: Path) -> None:
    window.open_project(demo_project)
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a project")
    assert not window.open_project(bad)
    assert window.store is not None and window.store.path == demo_project
    assert "not a GeoPackage" in window.statusBar().currentMessage()
    assert bad.read_text() == "not a project"


def test_new_project_holds_the_registry_and_says_what_to_do_next(window: MainWindow, qtbot,
                                                                  tmp_path: Path) -> None:
    assert window.guide.isVisible() and "No project is open" in window.guide.texts()[0]
    with qtbot.waitSignal(window.map_feature.ready, timeout=30000):
        assert window.new_project(tmp_path / "new.gpkg")
    assert window.model.rowCount() > 480
    assert window.store.info().counts["hub_activities"] == 0
    hints = window.guide.texts()  # the window's card: the study data, with buttons
    assert window.guide.isVisible() and len(hints) == 2
    assert "study waves" in hints[0] and "indicators" in hints[1]
    # the boundaries are the map's to explain (where they come from), and said once only
    guide = js(qtbot, window, "RMProbe.guideText()")
    assert "No municipal boundaries yet" in guide and "geoBoundaries" in guide
    assert not any("boundar" in hint for hint in hints)
    assert "New indicator" not in guide and "study wave" not in guide


def test_window_geometry_is_remembered(window: MainWindow, qtbot) -> None:
    window.resize(700, 500)
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)


def test_import_with_review_assigns_chosen_unit(window: MainWindow, qtbot, demo_project: Path,
                                                shared_boundaries: Path) -> None:
    window.open_project(demo_project)
    plan = window.import_boundaries(shared_boundaries / "BA_adm2.geojson")
    dialog = window.boundaries.review_dialog
    assert plan is not None and dialog is not None and dialog.isVisible()
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    assert "Republika Srpska" in rows  # really Višegrad: never matched by name
    chooser = dialog.choosers[rows["Republika Srpska"]]
    visegrad = window.store.municipality_by_registry_id("ba-visegrad")
    chooser.choose("ba-visegrad")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "geoBoundaries" in dialog.fields.hint.text()  # licence asked
    dialog.fields.licence.setCurrentText("Public domain")  # as geoBoundaries lists BIH-ADM3
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    boundaries = window.store.boundaries()
    assert visegrad.uuid in boundaries
    assert len(boundaries) >= 0.97 * 142 - 5
