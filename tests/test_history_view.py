"""The History view: readable rows, newest first, and "Restore this version" (undoable)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from resilience_map.domain.enums import StructureStatus
from resilience_map.domain.records import HubActivity, PreventionStructure
from resilience_map.session import ProjectSession, delete_records, update_records
from resilience_map.ui.history.view import HistoryView

WHEN, WHO, ACTION, TYPE, RECORD, FIELD, CHANGE = range(7)


@pytest.fixture
def history(qtbot, session: ProjectSession) -> HistoryView:
    view = HistoryView(session)
    view.resize(1300, 600)
    qtbot.addWidget(view)
    view.show()
    return view


def kumanovo_cat(session: ProjectSession) -> PreventionStructure:
    kumanovo = session.store.municipality_by_registry_id("mk-kumanovo")
    return session.store.list(PreventionStructure, municipality_uuid=kumanovo.uuid)[0]


def edit(session: ProjectSession, record, **changes):
    """Save an edit as one step; returns the record as stored."""
    session.do(update_records([(record, replace(record, **changes))]))
    return session.store.get(type(record), record.uuid)


def texts(view: HistoryView, row: int) -> list[str]:
    return [view.model.index(row, c).data() for c in range(view.model.columnCount())]


def click_row(qtbot, view: HistoryView, row: int) -> None:
    rect = view.table.visualRect(view.model.index(row, RECORD))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_record_history_is_readable_and_newest_first(qtbot, session, history) -> None:
    cat = kumanovo_cat(session)
    cat = edit(session, cat, status=StructureStatus.DORMANT)
    edit(session, cat, status=StructureStatus.PLANNED, member_count=14)

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


def test_restore_button_is_disabled_when_nothing_sensible_is_selected(qtbot, session, history) -> None:
    cat = kumanovo_cat(session)
    edit(session, cat, status=StructureStatus.DORMANT)
    history.show_project()
    assert not history.restore_button.isEnabled()  # nothing selected

    click_row(qtbot, history, 0)  # the newest change: the record is already in that state
    assert not history.restore_button.isEnabled()
    assert "already" in history.restore_button.toolTip()

    setting = next(r for r in range(history.model.rowCount()) if texts(history, r)[TYPE] == "Project setting")
    click_row(qtbot, history, setting)
    assert not history.restore_button.isEnabled()


def test_restore_an_earlier_version_of_a_structure(qtbot, session, history) -> None:
    store, stack = session.store, session.stack
    cat = kumanovo_cat(session)
    cat = edit(session, cat, status=StructureStatus.DORMANT)
    edit(session, cat, status=StructureStatus.PLANNED)
    history.show_record(PreventionStructure, cat.uuid)

    first_change = next(r for r in range(history.model.rowCount())
                        if texts(history, r)[CHANGE] == "Unknown → Dormant")
    click_row(qtbot, history, first_change)
    assert history.restore_button.isEnabled()
    assert history.restore_button.text() == "Restore this version"
    qtbot.mouseClick(history.restore_button, Qt.MouseButton.LeftButton)

    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.DORMANT
    newest = texts(history, 0)  # the restore's history rows went on top
    assert newest[ACTION] == "Restored" and newest[CHANGE] == "Planned → Dormant"
    assert len(stack) == 3 and stack.undo_text == "Restore prevention structure"

    session.undo()
    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.PLANNED
    session.redo()
    assert store.get(PreventionStructure, cat.uuid).status is StructureStatus.DORMANT


def test_recreate_a_deleted_activity(qtbot, session, history) -> None:
    store = session.store
    activity = next(a for a in store.list(HubActivity) if len(a.participants) > 1)
    session.do(delete_records([activity]))
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
    session.undo()
    assert not store.list(HubActivity, uuid=activity.uuid)


def test_history_of_a_deleted_record(qtbot, session, history) -> None:
    cat = kumanovo_cat(session)
    cat = edit(session, cat, status=StructureStatus.DORMANT)
    session.do(delete_records([cat]))
    history.show_record(PreventionStructure, cat.uuid)

    assert [texts(history, r)[ACTION] for r in range(3)] == ["Deleted", "Edited", "Created"]
    click_row(qtbot, history, 2)  # the state as created: re-created with its status Unknown
    assert history.restore_button.text() == "Re-create this record"
    qtbot.mouseClick(history.restore_button, Qt.MouseButton.LeftButton)
    assert session.store.get(PreventionStructure, cat.uuid).status is StructureStatus.UNKNOWN


def test_new_history_rows_are_prepended_only_where_they_belong(qtbot, session, history) -> None:
    """An edit adds its rows on top of the project's history without re-reading it; a record's
    history takes only that record's rows."""
    cat = kumanovo_cat(session)
    shown = history.model.rowCount()
    resets: list[int] = []
    history.model.modelReset.connect(lambda: resets.append(1))
    cat = edit(session, cat, status=StructureStatus.DORMANT)
    assert history.model.rowCount() == shown + 1 and not resets
    assert texts(history, 0)[CHANGE] == "Unknown → Dormant"

    history.show_record(PreventionStructure, cat.uuid)
    mine = history.model.rowCount()
    other = next(s for s in session.store.list(PreventionStructure) if s.uuid != cat.uuid)
    edit(session, other, status=StructureStatus.DORMANT)
    assert history.model.rowCount() == mine  # another record's change is not this history
    edit(session, cat, member_count=9)
    assert history.model.rowCount() == mine + 1 and texts(history, 0)[FIELD] == "Member count"


def test_a_step_of_many_rows_names_only_the_rows_drawn(qtbot, session, history) -> None:
    """Undoing a 100-row delete writes 100 history rows: the view names (a lookup each)
    only those on screen, and the rest when scrolled to."""
    from resilience_map.domain.records import IndicatorValue

    values = session.store.list(IndicatorValue)[:100]
    session.do(delete_records(values))
    session.undo()
    rows = history.model.rows
    assert [r.entry.operation for r in rows[:100]] == ["restore"] * 100
    qtbot.waitUntil(lambda: rows[0].described is not None)  # drawn
    assert sum(r.described is not None for r in rows) < 60
    history.table.scrollToBottom()
    qtbot.waitUntil(lambda: rows[-1].described is not None)
    assert texts(history, 99)[ACTION] == "Restored"
