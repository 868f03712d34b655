"""The History view: readable rows, newest first, and "Restore this version" (undoable)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from resilience_map.domain.enums import StructureStatus
from resilience_map.domain.records import HubActivity, PreventionStructure
from resilience_map.store import ProjectStore
from resilience_map.ui.editing import ProjectEditor
from resilience_map.ui.history_view import HistoryView

WHEN, WHO, ACTION, TYPE, RECORD, FIELD, CHANGE = range(7)


@pytest.fixture
def editor(qtbot, demo_project: Path):
    QSettings().setValue("author_name", "Tester")
    editor = ProjectEditor()
    editor.ask_author = lambda: "Tester"
    editor.set_store(ProjectStore.open(demo_project))
    yield editor
    store = editor.store
    editor.set_store(None)
    store.close()


@pytest.fixture
def history(qtbot, editor: ProjectEditor) -> HistoryView:
    view = HistoryView(editor)
    view.resize(1300, 600)
    qtbot.addWidget(view)
    view.show()
    return view


def kumanovo_cat(editor: ProjectEditor) -> PreventionStructure:
    kumanovo = editor.store.municipality_by_registry_id("mk-kumanovo")
    return editor.store.list(PreventionStructure, municipality_uuid=kumanovo.uuid)[0]


def texts(view: HistoryView, row: int) -> list[str]:
    return [view.model.index(row, c).data() for c in range(view.model.columnCount())]


def click_row(qtbot, view: HistoryView, row: int) -> None:
    rect = view.table.visualRect(view.model.index(row, RECORD))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_record_history_is_readable_and_newest_first(qtbot, editor, history) -> None:
    cat = kumanovo_cat(editor)
    cat = editor.update(replace(cat, status=StructureStatus.DORMANT))
    editor.update(replace(cat, status=StructureStatus.PLANNED, member_count=14))

    history.show_record(PreventionStructure, cat.uuid)

    rows = [texts(history, r) for r in range(history.model.rowCount())]
    assert [r[ACTION] for r in rows] == ["Edited", "Edited", "Edited", "Created"]
    assert rows[2][FIELD:] == ["Status", "Unknown → Dormant"]  # the demo CAT's status is not stated
    assert {r[FIELD] for r in rows[:2]} == {"Status", "Member count"}
    assert rows[0][WHO] == "Tester" and rows[-1][WHO] == "Resilience Map demo builder"
    assert all(r[TYPE] == "Prevention structure" for r in rows)
    assert rows[0][RECORD] == "Community Action Team (CAT), Kumanovo"
    assert "Kumanovo" in history.title_label.text()
    assert len(rows[-1][CHANGE]) < 120  # the creation snapshot is summarised, not dumped


def test_restore_button_is_disabled_when_nothing_sensible_is_selected(qtbot, editor, history) -> None:
    cat = kumanovo_cat(editor)
    editor.update(replace(cat, status=StructureStatus.DORMANT))
    history.show_project()
    assert not history.restore_button.isEnabled()  # nothing selected

    click_row(qtbot, history, 0)  # the newest change: the record is already in that state
    assert not history.restore_button.isEnabled()
    assert "already" in history.restore_button.toolTip()

    setting = next(r for r in range(history.model.rowCount()) if texts(history, r)[TYPE] == "Project setting")
    click_row(qtbot, history, setting)
    assert not history.restore_button.isEnabled()


def test_restore_an_earlier_version_of_a_structure(qtbot, editor, history) -> None:
    store, stack = editor.store, editor.undo_stack
    cat = kumanovo_cat(editor)
    cat = editor.update(replace(cat, status=StructureStatus.DORMANT))
    editor.update(replace(cat, status=StructureStatus.PLANNED))
    history.show_record(PreventionStructure, cat.uuid)

    first_change = next(r for r in range(history.model.rowCount())
                        if texts(history, r)[CHANGE] == "Unknown → Dormant")
    click_row(qtbot, history, first_change)
    assert history.restore_button.isEnabled()
    assert history.restore_button.text() == "Restore this version"
    qtbot.mouseClick(history.restore_button, Qt.MouseButton.LeftButton)

    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.DORMANT
    newest = texts(history, 0)  # the view re-read the history: the restore is on top
    assert newest[ACTION] == "Restored" and newest[CHANGE] == "Planned → Dormant"
    assert stack.count() == 3 and stack.undoText() == "Restore prevention structure"

    stack.undo()
    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.PLANNED
    stack.redo()
    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.DORMANT


def test_recreate_a_deleted_activity(qtbot, editor, history) -> None:
    store = editor.store
    activity = next(a for a in store.list(HubActivity) if len(a.participants) > 1)
    editor.delete(HubActivity, [activity.uuid])
    history.show_project()

    assert texts(history, 0)[ACTION] == "Deleted"
    assert texts(history, 0)[RECORD] == f"(deleted) {activity.title}"
    click_row(qtbot, history, 0)
    assert history.restore_button.isEnabled()
    assert history.restore_button.text() == "Re-create this record"
    qtbot.mouseClick(history.restore_button, Qt.MouseButton.LeftButton)

    back = store.get(HubActivity, activity.uuid)
    assert (back.title, back.participants, back.start_date) == (activity.title, activity.participants,
                                                                activity.start_date)
    assert texts(history, 0)[ACTION] == "Restored"
    editor.undo_stack.undo()
    assert not store.list(HubActivity, uuid=activity.uuid)


def test_history_of_a_deleted_record(qtbot, editor, history) -> None:
    cat = kumanovo_cat(editor)
    cat = editor.update(replace(cat, status=StructureStatus.DORMANT))
    editor.delete(PreventionStructure, [cat.uuid])
    history.show_record(PreventionStructure, cat.uuid)

    assert [texts(history, r)[ACTION] for r in range(3)] == ["Deleted", "Edited", "Created"]
    click_row(qtbot, history, 2)  # the state as created: re-created with its status Unknown
    assert history.restore_button.text() == "Re-create this record"
    qtbot.mouseClick(history.restore_button, Qt.MouseButton.LeftButton)
    assert editor.store.get(PreventionStructure, cat.uuid).status is StructureStatus.UNKNOWN
