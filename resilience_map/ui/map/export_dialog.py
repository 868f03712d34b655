"""File → Export map image…: what to include and where to save it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)


class ExportImageDialog(QDialog):
    """Area (current view or whole region), pixel density and file name."""

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export map image")
        self.current_view = QRadioButton("What the map shows now")
        self.whole_region = QRadioButton("The whole region")
        self.current_view.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.current_view)
        group.addButton(self.whole_region)
        self.density = QComboBox()
        self.density.addItem("1× (screen)", 1)
        self.density.addItem("2× (print, reports)", 2)
        self.path = QLineEdit(str(default_path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        area = QHBoxLayout()
        area.addWidget(self.current_view)
        area.addWidget(self.whole_region)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Area", area)
        form.addRow("Pixel density", self.density)
        form.addRow("File", file_row)
        form.addRow(buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save map image", self.path.text(), "PNG images (*.png)")
        if name:
            self.path.setText(name)

    def chosen_path(self) -> Path:
        path = Path(self.path.text().strip())
        return path if path.suffix.lower() == ".png" else path.with_suffix(".png")

    def scale(self) -> int:
        return int(self.density.currentData())
