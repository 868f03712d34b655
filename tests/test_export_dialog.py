"""File → Export… driven as a user: the CLI's choices, a Documents default, overwrite asked, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from resilience_map.ui.exports.dialog import ExportDialog, documents_folder
from resilience_map.ui.main_window import MainWindow


def press_export(qtbot, dialog: ExportDialog) -> None:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.runner.busy, timeout=30_000)


@pytest.fixture
def unwritable_folder(tmp_path: Path):
    """A folder nobody may write in — also not an administrator (root passes permission
    bits, so as root a kernel folder that refuses new files stands in)."""
    if os.geteuid() == 0:
        yield Path("/sys/kernel")
        return
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_export_dialog_writes_xlsx_asks_before_replacing_and_refuses_an_unwritable_folder(
        window: MainWindow, qtbot, demo_project: Path, tmp_path: Path, unwritable_folder: Path) -> None:
    from openpyxl import load_workbook

    window.open_project(demo_project)
    dialog = window.exports.export_dialog()
    assert dialog.isVisible()
    assert Path(dialog.file.text()) == documents_folder() / "demo-export.xlsx"
    dialog.choose_format("csv")  # the default name follows the format and the records
    assert dialog.records.isVisible() and dialog.file.text().endswith("demo-indicator-values.csv")
    dialog.choose_format("xlsx")
    assert not dialog.records.isVisible()

    dialog.file.setText(str(unwritable_folder / "demo.xlsx"))
    press_export(qtbot, dialog)
    assert dialog.isVisible() and dialog.message.text() == (
        f"The export cannot be written in {unwritable_folder} because you are not allowed to write "
        "there; choose another folder (your Documents folder, for example). Nothing was written.")
    dialog.file.setText(str(tmp_path / "missing" / "demo.xlsx"))
    press_export(qtbot, dialog)
    assert "does not exist" in dialog.message.text()

    out = tmp_path / "hub.xlsx"
    dialog.file.setText(str(out))
    dialog.wave.setCurrentIndex(dialog.wave.findData("Demo wave 2023 (synthetic)"))
    press_export(qtbot, dialog)
    assert not dialog.isVisible() and out.exists()
    assert window.statusBar().currentMessage() == f"XLSX export written to {out}."
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "About" and len(book.sheetnames) >= 5
    about = " ".join(str(c) for row in book["About"].iter_rows(values_only=True) for c in row if c)
    assert "Demo data – not study results" in about and "Demo wave 2023 (synthetic)" in about
    book.close()

    written = out.stat().st_mtime_ns
    again = window.exports.export_dialog()
    again.file.setText(str(out))
    qtbot.mouseClick(again.export_button, Qt.MouseButton.LeftButton)
    box = again.overwrite_box
    assert box is not None and box.isVisible() and "hub.xlsx already exists" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), Qt.MouseButton.LeftButton)
    assert again.isVisible() and not again.runner.busy and out.stat().st_mtime_ns == written
    qtbot.mouseClick(again.export_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.overwrite_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=30_000)
    assert out.stat().st_mtime_ns != written
