"""Print maps and briefings from the window (issue 12), driven as a user would: File →
Export map…, "Briefing…" on the profile, an activity and a country; the work runs in a
process of its own, with progress and Cancel; the result is named in the status bar."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import platformdirs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from tests_helpers import pdf_pages_text, poppler, wait_until_drawn

from resilience_map.domain.enums import ActivityType
from resilience_map.domain.records import HubActivity
from resilience_map.session import add_records
from resilience_map.ui.main_window import MainWindow

JOB_TIMEOUT_MS = 90_000


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def choose(action) -> None:
    """Open the action's menu (the window enables its entries then) and click the entry."""
    for menu in action.associatedObjects():
        if hasattr(menu, "aboutToShow"):
            menu.aboutToShow.emit()
    assert action.isEnabled()
    action.trigger()


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_export_map_dialog_writes_a_vector_pdf_with_the_dialogs_choices(
        window: MainWindow, qtbot, demo_bounded: Path) -> None:
    import pypdf

    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    window.map_feature.panel.set_layer_visible("labels", True)
    window.map_feature.panel.set_layer_visible("coverage", False)
    choose(window.export_map_action)
    dialog = window.outputs.export_dialog
    assert dialog is not None and dialog.isVisible()
    # as the map shows it: its layers (and the country borders), its names
    assert dialog.layer_boxes["labels"].isChecked() and dialog.layer_boxes["borders"].isChecked()
    assert not dialog.layer_boxes["coverage"].isChecked()
    documents, pictures = platformdirs.user_documents_path(), platformdirs.user_pictures_path()
    assert Path(dialog.path.text()).parent == documents  # a PDF goes to Documents…
    dialog.format.setCurrentIndex(dialog.format.findData(".png"))
    assert Path(dialog.path.text()).parent == pictures  # …an image to Pictures
    assert dialog.path.text().endswith(".png")
    assert dialog.dpi.isEnabled()
    dialog.format.setCurrentIndex(dialog.format.findData(".pdf"))
    assert not dialog.dpi.isEnabled()
    dialog.paper.setCurrentIndex(dialog.paper.findData("A3"))
    dialog.landscape.setChecked(True)
    dialog.names.setCurrentIndex(dialog.names.findData("local"))
    dialog.area.setCurrentIndex(dialog.area.findData("MK"))
    out = Path(dialog.path.text())
    with qtbot.waitSignal(window.outputs.job_finished, timeout=JOB_TIMEOUT_MS) as done:
        save(qtbot, dialog)
        assert window.outputs.progress.isVisible() and not window.outputs.progress.isModal()
    assert done.args[0] == out and out.parent == documents and files_in(documents) == [out.name]
    page = pypdf.PdfReader(out).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 420  # A3 landscape
    assert not page.images, "the map must be vector paths, not an image"
    content = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"\b[lc]\n", content)) > 5000
    text = pdf_pages_text(out)[0]
    assert "Куманово" in text and "Kumanovo" not in text  # the names in their local form
    assert "Shkodër" not in text  # North Macedonia only
    fonts = poppler("pdffonts", out).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # embedded
    assert str(out) in window.statusBar().currentMessage()
    assert window.outputs.result_link.isVisible() and out.name in window.outputs.result_link.text()


def test_municipality_briefing_from_the_profile(window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)
    cair = window.store.municipality_by_registry_id("mk-cair").uuid
    window.session.select(cair)
    button = window.profile.header.briefing_button
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.outputs.briefing_dialog
    assert dialog is not None and dialog.isVisible() and "Čair" in dialog.windowTitle()
    out = Path(dialog.path.text())
    assert out.parent == platformdirs.user_documents_path() and out.name == "Briefing Čair.pdf"
    assert not dialog.restricted.isChecked() and not dialog.warning.isVisible()
    dialog.restricted.setChecked(True)
    assert dialog.warning.isVisible() and "marked “Restricted”" in dialog.warning.text()
    dialog.restricted.setChecked(False)
    with qtbot.waitSignal(window.outputs.job_finished, timeout=JOB_TIMEOUT_MS):
        save(qtbot, dialog)
    whole = " ".join(pdf_pages_text(out))
    assert "Čair" in whole and "Чаир" in whole  # the unit's names in both scripts
    assert "Restricted notes are not included in this briefing." in whole  # off unless ticked
    assert f"Briefing (1 municipality) saved to {out}" == window.statusBar().currentMessage()


def test_country_briefing_can_be_cancelled_and_leaves_no_partial_file(
        window: MainWindow, qtbot, demo_bounded: Path) -> None:
    window.open_project(demo_bounded)
    choose(window.country_briefing_action)
    dialog = window.outputs.briefing_dialog
    dialog.country.setCurrentIndex(dialog.country.findData("RS"))
    out = Path(dialog.path.text())
    assert out.name == "Briefing Serbia.pdf"
    with qtbot.waitSignal(window.outputs.job_ended, timeout=JOB_TIMEOUT_MS) as ended:
        save(qtbot, dialog)
        job = window.outputs.job
        # under way: the progress names the municipalities as they are done
        with qtbot.waitSignal(job.progress, timeout=JOB_TIMEOUT_MS,
                              check_params_cb=lambda done, steps, what: done >= 2 and steps > 100):
            pass
        assert window.outputs.progress.maximum() > 100
        qtbot.mouseClick(window.outputs.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert ended.signal_triggered
    assert files_in(out.parent) == []  # nothing written, not even a hidden part
    assert not job.folder.exists()  # the job's own files are gone too
    assert window.statusBar().currentMessage() == "Briefing cancelled; nothing was written."
    assert window.outputs.job is None


def test_activity_briefing_from_the_records_table_and_its_error_in_one_sentence(
        window: MainWindow, qtbot, demo_project: Path) -> None:
    window.open_project(demo_project)
    view = window.records_view
    window.layout_.show_bottom(window.records_dock)
    view.show_type(HubActivity)
    assert view.briefing_button.isVisible() and not view.briefing_button.isEnabled()
    lonely = HubActivity(title="Roundtable <script>alert(1)</script>", activity_type=ActivityType.ROUNDTABLE,
                         start_date=date(2024, 3, 1))
    window.session.do(add_records([lonely]))
    model = view.models[HubActivity]
    row = next(r for r in range(model.rowCount()) if model.record(r).uuid == lonely.uuid)
    view.current_table().selectRow(row)
    assert view.briefing_button.isEnabled()
    qtbot.mouseClick(view.briefing_button, Qt.MouseButton.LeftButton)
    dialog = window.outputs.briefing_dialog
    assert dialog.key == lonely.uuid and dialog.subject.text() == lonely.title  # printed literally
    assert dialog.subject.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(window.reporter.shown, timeout=JOB_TIMEOUT_MS) as shown:
        save(qtbot, dialog)
    title, message = shown.args
    assert title == "Briefing not written"
    assert message == ("The activity 'Roundtable <script>alert(1)</script>' has no participating "
                       "municipalities in this project.")
    assert files_in(platformdirs.user_documents_path()) == []
    box = window.findChild(QMessageBox, "errorBox")
    assert box.text() == message and box.textFormat() == Qt.TextFormat.PlainText


def test_activity_briefing_from_the_profile_names_the_activity(window: MainWindow, qtbot,
                                                                demo_project: Path) -> None:
    from resilience_map.render.paths import suggested_path

    window.open_project(demo_project)
    window.session.select(window.store.municipality_by_registry_id("mk-cair").uuid)
    activities = window.profile.activities
    assert activities.records and activities.briefing_button.isEnabled()  # the newest is selected
    qtbot.mouseClick(activities.briefing_button, Qt.MouseButton.LeftButton)
    dialog = window.outputs.briefing_dialog
    assert dialog.target == "activity" and dialog.key == activities.selected_records()[0].uuid
    title = activities.selected_records()[0].title
    assert Path(dialog.path.text()) == suggested_path(f"Briefing {title}", ".pdf", kind="briefing")
    dialog.reject()
