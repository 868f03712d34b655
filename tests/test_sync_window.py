"""Synchronisation in the window, driven as a user would: File → Synchronise with a package or a
hub, the status-bar counts, the Conflicts dock (decide, undo) and the Pending changes list
(revert); a tampered package is one sentence and leaves the project file as it was."""

from __future__ import annotations

import dataclasses
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from tests_helpers import sha256

from resilience_map.domain.records import IndicatorValue
from resilience_map.session import Event, update_records
from resilience_map.store import ProjectStore
from resilience_map.sync.package import export_package, import_package, read_package
from resilience_map.ui.main_window import MainWindow
from resilience_map.ui.sync.dialog import SynchroniseDialog

WAIT_MS = 30_000


@pytest.fixture
def copies(make_replica, tmp_path: Path) -> tuple[Path, Path, IndicatorValue]:
    """Copy A (ana set a value to 4) and a package from copy B (ben set the same value to 6, later).
    B stays at tmp_path / "b.gpkg"."""
    a_path, b_path = make_replica("a"), make_replica("b")
    with ProjectStore.open(a_path) as a, ProjectStore.open(b_path) as b:
        value = a.list(IndicatorValue)[0]
        a.update(dataclasses.replace(value, value=4.0), "ana")
        b.update(dataclasses.replace(b.get(IndicatorValue, value.uuid), value=6.0), "ben")
        export_package(b, tmp_path / "from-b.rmsync")
    return a_path, tmp_path / "from-b.rmsync", value


def opened(window: MainWindow, path: Path) -> list[threading.Thread]:
    """Open ``path``; the threads the session's events are delivered on, from now on."""
    threads: list[threading.Thread] = []
    window.session.events.subscribe(Event, lambda _e: threads.append(threading.current_thread()))
    assert window.open_project(path)
    return threads


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def import_through_dialog(qtbot, window: MainWindow, package: Path) -> SynchroniseDialog:
    window.sync.action.trigger()  # File → Synchronise…
    dialog = window.sync.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.tabs.setCurrentWidget(dialog.package)
    dialog.package.import_edit.setText(str(package))
    click(qtbot, dialog.package.import_button)
    assert dialog.busy and not dialog.tabs.isEnabled()  # read off the GUI thread; the window goes on
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog


def value_of(window: MainWindow, value: IndicatorValue) -> float:
    return window.store.get(IndicatorValue, value.uuid).value


def test_an_imported_conflict_is_shown_decided_and_undone(window: MainWindow, qtbot, copies,
                                                          tmp_path: Path) -> None:
    a_path, package, value = copies
    threads = opened(window, a_path)
    sync = window.sync
    assert sync.pending_button.text() == "1 change not sent" and not sync.conflicts_button.isVisible()

    dialog = import_through_dialog(qtbot, window, package)
    assert "1 new conflict," in dialog.result_view.summary_label.text()
    [reported] = dialog.result_view.rows_with("conflict")
    assert reported.record_uuid == value.uuid
    assert sync.conflicts_button.isVisible() and sync.conflicts_button.text() == "1 conflict"

    click(qtbot, sync.conflicts_button)  # opens the Conflicts dock
    view = sync.conflicts_view
    assert window.sync.conflicts_dock.isVisible() and view.model.rowCount() == 1
    record, field, mine, mine_by, theirs, theirs_by, shown = view.model.texts(0)
    assert "M0" in record and "I0" in record and field == "Value"
    assert (mine, theirs) == ("4.0", "6.0") and mine_by.startswith("ana") and theirs_by.startswith("ben")
    assert shown == "theirs" and value_of(window, value) == 6.0  # ben's change is the later one

    view.table.selectRow(0)
    assert window.session.selection == value.municipality_uuid  # the map and profile show where
    click(qtbot, view.mine_button)  # Keep mine: one step, itself a change that syncs
    assert value_of(window, value) == 4.0 and view.model.rowCount() == 0
    assert not sync.conflicts_button.isVisible() and sync.pending_button.text() == "2 changes not sent"
    assert window.undo_action.text() == "&Undo Decide conflict on value"

    window.undo_action.trigger()  # Edit → Undo brings the conflict back
    assert view.model.rowCount() == 1 and sync.conflicts_button.text() == "1 conflict"
    assert value_of(window, value) == 6.0 and sync.pending_button.text() == "1 change not sent"

    view.table.selectRow(0)
    click(qtbot, view.theirs_button)  # Take theirs
    assert view.model.rowCount() == 0 and value_of(window, value) == 6.0
    window.undo_action.trigger()
    assert view.model.rowCount() == 1

    view.table.selectRow(0)
    typed = view.another_value_dialog()
    assert typed is not None and typed.edit.text() == "4.0"
    typed.edit.setText("15")  # off the 0–10 scale: refused like any edit, the dialog stays
    typed.accept()
    assert typed.isVisible() and "outside the scale" in typed.error_label.text()
    assert view.model.rowCount() == 1 and value_of(window, value) == 6.0
    typed.edit.setText("5,5")  # a decimal comma, as written in the region
    typed.accept()
    assert not typed.isVisible() and value_of(window, value) == 5.5 and view.model.rowCount() == 0

    window.sync.action.trigger()  # a package for copy B: only what B has not seen
    combo = dialog.package.for_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, read_package(package).sender]
    combo.setCurrentIndex(1)
    dialog.package.export_edit.setText(str(tmp_path / "for-b"))
    click(qtbot, dialog.package.export_button)
    # ana's edit, the two decisions undone (void: B can tell nothing is missing), the last decision
    assert "4 changes written" in dialog.result_view.summary_label.text()
    assert sync.pending_button.text() == "Nothing to send"
    with ProjectStore.open(tmp_path / "b.gpkg") as b:
        import_package(b, tmp_path / "for-b.rmsync")
        assert b.get(IndicatorValue, value.uuid).value == 5.5
    assert set(threads) == {threading.main_thread()}  # every session event on the GUI thread


def test_pending_changes_list_and_revert(window: MainWindow, qtbot, copies) -> None:
    a_path, _package, value = copies
    opened(window, a_path)
    sync = window.sync
    click(qtbot, sync.pending_button)  # the status-bar count opens the list
    view = sync.pending_view
    assert sync.pending_dock.isVisible() and view.model.rowCount() == 1
    when, who, action, kind, record, field, change, answer = view.model.texts(0)[0]
    assert (who, action, kind, field, change, answer) == ("ana", "Edited", "Indicator value", "Value",
                                                          "1.0 → 4.0", "")
    assert "M0" in record

    view.select_rows([0])
    click(qtbot, view.revert_button)
    assert value_of(window, value) == 1.0 and view.model.rowCount() == 0
    assert sync.pending_button.text() == "Nothing to send"
    window.undo_action.trigger()  # the revert was one step
    assert value_of(window, value) == 4.0 and view.model.rowCount() == 1
    assert sync.pending_button.text() == "1 change not sent"


def test_a_tampered_package_is_one_sentence_and_changes_nothing(window: MainWindow, qtbot, copies,
                                                                tmp_path: Path) -> None:
    a_path, package, _value = copies
    tampered = tmp_path / "tampered.rmsync"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "w") as dst:
        dst.writestr("manifest.json", src.read("manifest.json"))
        dst.writestr("changes.jsonl", src.read("changes.jsonl").replace(b"6.0", b"9.0"))
    opened(window, a_path)
    before = sha256(a_path)
    shown: list[tuple[str, str]] = []
    window.reporter.shown.connect(lambda title, message: shown.append((title, message)))

    dialog = import_through_dialog(qtbot, window, tampered)
    [(title, message)] = shown
    assert title == "Package not imported"
    assert message == ("tampered.rmsync has been altered or damaged: its changes do not match their "
                       "checksum; nothing was applied.")
    assert dialog.status_label.text() == message and dialog.tabs.isEnabled()
    assert sha256(a_path) == before and len(window.session.stack) == 0
    assert window.sync.pending_button.text() == "1 change not sent"


def test_a_hub_sync_through_the_dialog(window: MainWindow, qtbot, copies, postgres_server, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from resilience_map.sync.hub import add_account, init_hub

    monkeypatch.delenv("PGPASSWORD", raising=False)  # libpq finds no password of its own
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))

    db = postgres_server.new_database()
    init_hub(postgres_server.url(dbname=db))
    password = "Kumanovo-hub-7!"
    add_account(postgres_server.url(dbname=db), f"{db}_staff", password, None)
    a_path, _package, _value = copies
    threads = opened(window, a_path)
    window.sync.action.trigger()
    dialog = window.sync.dialog
    assert dialog is not None
    hub = dialog.hub
    hub.address_edit.setText(f"127.0.0.1:{postgres_server.port}/{db}")
    hub.account_edit.setText(f"{db}_staff")
    shown: list[str] = []
    window.reporter.shown.connect(lambda _title, message: shown.append(message))

    hub.address_edit.setText(f"127.0.0.1:1/{db}")  # nobody listens there
    hub.password_edit.setText(password)
    click(qtbot, hub.sync_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    [unreachable] = shown
    assert unreachable.startswith(f"Cannot connect to the hub postgresql://{db}_staff@127.0.0.1:1/{db}: ")
    assert unreachable.endswith("Connection refused.") and "\n" not in unreachable
    shown.clear()

    hub.address_edit.setText(f"127.0.0.1:{postgres_server.port}/{db}")
    click(qtbot, hub.sync_button)  # no password typed, none in PGPASSWORD or ~/.pgpass
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert shown == [f"The hub asks for a password for the account {db}_staff: type it in the Password field "
                     "(it is used for this sync only and never stored)."]
    shown.clear()

    hub.password_edit.setText("wrong")
    click(qtbot, hub.sync_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert shown == [f"The hub did not accept the password for the account {db}_staff; check the account, "
                     "type the password again and synchronise again (nothing was changed)."]
    assert window.sync.pending_button.text() == "1 change not sent"

    hub.password_edit.setText(password)
    click(qtbot, hub.sync_button)
    assert hub.password_edit.text() == ""  # used for this connection only
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert len(shown) == 1, shown
    assert window.sync.pending_button.text() == "Nothing to send"
    assert "1 sent" in dialog.result_view.summary_label.text()

    # a municipality's account: its own values go, another municipality's are refused and stay pending
    add_account(postgres_server.url(dbname=db), f"{db}_m0", password, "mk-0")
    values = {window.session.indexes.municipality_name(v.municipality_uuid): v
              for v in window.store.list(IndicatorValue)}
    window.session.do(update_records([(values["M0"], dataclasses.replace(values["M0"], value=2.0)),
                                      (values["M1"], dataclasses.replace(values["M1"], value=3.0))]))
    assert window.sync.pending_button.text() == "2 changes not sent"
    hub.account_edit.setText(f"{db}_m0")
    hub.password_edit.setText(password)
    click(qtbot, hub.sync_button)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    [refused] = dialog.result_view.rows_with("refused")
    assert refused.record_uuid == values["M1"].uuid and "another municipality" in refused.reason
    assert window.sync.pending_button.text() == "1 change not sent"
    click(qtbot, window.sync.pending_button)
    pending = window.sync.pending_view
    assert pending.model.rowCount() == 1 and "refused by the hub" in pending.title_label.text()
    assert pending.model.texts(0)[0][7] == f"Refused: {refused.reason}"
    assert set(threads) == {threading.main_thread()}
    window.session.close()
    assert password.encode() not in a_path.read_bytes()
    assert all(password not in str(QSettings().value(k)) for k in QSettings().allKeys())
