"""Editing in the main window: undo from the Edit menu, live map, one writer, backups, SIGKILL."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests_helpers import page_eval as js
from tests_helpers import type_text, wait_until_drawn

from resilience_map.domain.enums import NoteCategory, StructureType
from resilience_map.domain.records import IndicatorValue, MunicipalityNote, PreventionStructure
from resilience_map.session import add_records, update_records
from resilience_map.store import ProjectStore
from resilience_map.store.backups import list_backups
from resilience_map.ui.main_window import MainWindow
from resilience_map.ui.shell.settings import backup_root


def test_second_instance_is_refused(window: MainWindow, qtbot, demo_project: Path) -> None:
    assert window.open_project(demo_project)
    other = MainWindow()
    qtbot.addWidget(other)
    assert not other.open_project(demo_project)
    assert other.store is None
    assert "already open for editing" in other.statusBar().currentMessage()
    assert window.store is not None and not window.store.read_only


def test_cat_added_through_the_profile_form_shows_everywhere(window: MainWindow, qtbot,
                                                             demo_bounded: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    type_text(window.search, "Kumanovo")
    kumanovo = window.store.municipality_by_registry_id("mk-kumanovo").uuid
    assert window.profile.uuid == kumanovo
    structures = window.profile.structures
    window.profile.tabs.setCurrentWidget(structures)
    qtbot.mouseClick(structures.add_button, Qt.MouseButton.LeftButton)
    form = window.profile.active_form
    qtbot.keyClicks(form.name, "Kumanovo schools CAT")
    save = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save) \
        or form.findChild(QDialogButtonBox).buttons()[0]
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    stored = window.store.list(PreventionStructure, municipality_uuid=kumanovo, name="Kumanovo schools CAT")
    assert len(stored) == 1
    names = [structures.table.item(r, c).text() for r in range(structures.table.rowCount())
             for c in range(structures.table.columnCount()) if structures.table.item(r, c)]
    assert "Kumanovo schools CAT" in names
    def coverage() -> list[str]:
        return js(qtbot, window, f"RMProbe.coverageOf('{kumanovo}')") or []

    # the demo's CAT (status not stated by its sources) and the new, active one
    qtbot.waitUntil(lambda: coverage().count("community_action_team:active") == 1
                    and coverage().count("community_action_team:unknown") == 1, timeout=5000)
    assert window.store.history(stored[0].uuid)[0].operation == "insert"
    assert window.undo_action.text() == "&Undo Add prevention structure"


def test_undo_from_the_edit_menu(window: MainWindow, demo_project: Path) -> None:
    window.open_project(demo_project)
    kumanovo = window.store.municipality_by_registry_id("mk-kumanovo")
    before = window.store.count(PreventionStructure)
    window.session.do(add_records([PreventionStructure(municipality_uuid=kumanovo.uuid,
                                                       structure_type=StructureType.LOCAL_PREVENTION_COUNCIL)]))
    assert window.undo_action.text() == "&Undo Add prevention structure"
    window.undo_action.trigger()
    assert window.store.count(PreventionStructure) == before
    assert window.redo_action.isEnabled()
    window.redo_action.trigger()
    assert window.store.count(PreventionStructure) == before + 1
    operations = [h.operation for h in window.store.history(limit=3)]
    assert operations[0] == "restore" and "delete" in operations  # undo and redo are in the history


def test_map_restyles_live_after_a_value_edit(window: MainWindow, qtbot, demo_bounded: Path) -> None:
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    js(qtbot, window, "window.__marker = 7")
    settings = window.map_feature.panel.choropleth_settings()
    kumanovo = window.store.municipality_by_registry_id("mk-kumanovo").uuid
    value = next(v for v in window.store.list(IndicatorValue, municipality_uuid=kumanovo)
                 if v.indicator_uuid == settings.indicator_uuid and v.wave_uuid == settings.wave_uuid)
    window.session.do(update_records([(value, dataclasses.replace(value, value=70))]))  # BRAVE-14's top
    top = window.map_feature.style.legend.classes[-1].color
    assert window.map_feature.style.styles[kumanovo]["c"] == top
    qtbot.waitUntil(lambda: js(qtbot, window, f"RMProbe.fillOf('{kumanovo}')") == top, timeout=5000)
    assert js(qtbot, window, "window.__marker") == 7  # same page: restyled, not reloaded


def test_backup_taken_on_open_can_be_restored(window: MainWindow, demo_project: Path) -> None:
    window.open_project(demo_project)
    backups = window.files.backups()  # waits for the copy taken on opening
    assert len(backups) == 1
    kumanovo = window.store.municipality_by_registry_id("mk-kumanovo")
    before = window.store.count(MunicipalityNote)  # the demo's notes from public pages
    window.session.do(add_records([MunicipalityNote(municipality_uuid=kumanovo.uuid,
                                                    category=NoteCategory.NEED,
                                                    text="Training for school staff")]))
    assert window.store.count(MunicipalityNote) == before + 1
    assert window.restore_backup(backups[0])
    assert window.store.count(MunicipalityNote) == before
    # the state before restoring was itself kept, so restoring can be undone the same way
    counts = []
    for backup in list_backups(demo_project, backup_root()):
        with ProjectStore.open(backup.path, read_only=True) as copy:
            counts.append(copy.count(MunicipalityNote))
    assert before + 1 in counts


EDITING_APP = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import QSettings, QTimer
    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow
    from resilience_map.domain.records import MunicipalityNote
    from resilience_map.domain.enums import NoteCategory
    from resilience_map.session import add_records
    app = create_application()
    QSettings().setValue("author_name", "Burst")
    window = MainWindow()
    window.open_project(Path(sys.argv[1]))
    unit = window.store.municipality_by_registry_id("mk-kumanovo")
    count = [0]
    def edit():
        note = MunicipalityNote(municipality_uuid=unit.uuid, category=NoteCategory.OBSERVATION,
                                text=f"observation {count[0]}")
        window.session.do(add_records([note]))
        print(note.uuid, flush=True)   # acknowledged only after the session returned
        count[0] += 1
        QTimer.singleShot(0, edit)
    QTimer.singleShot(0, edit)
    app.exec()
""")


def test_sigkill_during_a_burst_of_edits_loses_nothing_acknowledged(demo_project: Path) -> None:
    env = dict(os.environ, QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu")
    proc = subprocess.Popen([sys.executable, "-c", EDITING_APP, str(demo_project)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=Path(__file__).parent)
    acknowledged: list[str] = []
    deadline = time.monotonic() + 90
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip():
            acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(acknowledged) >= 40
    assert sqlite3.connect(demo_project).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ProjectStore.open(demo_project) as store:  # the dead app's lock is gone with it
        saved = {n.uuid for n in store.list(MunicipalityNote)}
        assert set(acknowledged) <= saved
        inserted = {h.record_uuid for h in store.history() if h.table_name == "municipality_notes"}
        assert saved <= inserted  # every saved note has its history row
