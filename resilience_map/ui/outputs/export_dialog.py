"""File → Export map…: a print map (PNG, PDF or SVG) of the indicator map as it is set up.

The dialog starts from what the map shows — the layers ticked in the layer panel (plus
the country borders), the names in the form the map uses — and asks what only a print
needs: format, paper, orientation, resolution, the whole region or one country, and the
file, suggested in the user's Pictures folder (PNG, SVG) or Documents folder (PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from resilience_map.domain.enums import Country
from resilience_map.render.paths import suggested_path
from resilience_map.ui.map.feature import PrintChoices
from resilience_map.ui.map.panel import LAYERS, NAME_FORMS
from resilience_map.ui.outputs.save_dialog import SaveFileDialog, path_problem

FORMATS = [(".pdf", "PDF (vector: for print and reports)"), (".svg", "SVG (vector: for editing)"),
           (".png", "PNG (image)")]
PAPERS = ("A4", "A3")
#: Print layers in the order of the layer panel (top first), the country borders under the names.
PRINT_LAYERS = [*LAYERS[:-1], ("borders", "Country borders"), LAYERS[-1]]
FILE_FILTERS = {".pdf": "PDF documents (*.pdf)", ".svg": "SVG drawings (*.svg)", ".png": "PNG images (*.png)"}


@dataclass(frozen=True)
class MapExport:
    """What the dialog asks for; ``request`` is what the export process is told."""

    path: Path
    paper: str = "A4"
    landscape: bool = False
    dpi: int = 300
    layers: tuple[str, ...] = ("municipalities", "borders", "labels")
    name_form: str = "latin"
    country: str | None = None  # None: the whole region

    def request(self, project: Path, choices: PrintChoices) -> dict[str, object]:
        settings = choices.settings
        fields = None
        if settings is not None:
            fields = {"indicator_uuid": settings.indicator_uuid, "wave_uuid": settings.wave_uuid,
                      "scheme": str(settings.scheme), "k": settings.k, "palette": settings.palette,
                      "diverging_palette": settings.diverging_palette,
                      "manual_breaks": list(settings.manual_breaks), "change": settings.change}
        return {"kind": "map", "project": str(project), "settings": fields, "paper": self.paper,
                "landscape": self.landscape, "dpi": self.dpi, "layers": list(self.layers),
                "name_form": self.name_form, "country": self.country}


class ExportMapDialog(SaveFileDialog):
    """Format, paper, orientation, resolution, layers, names, area and file."""

    def __init__(self, choices: PrintChoices, name: str, countries: list[Country],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export map")
        self.setObjectName("exportMapDialog")
        self.name = name
        self._custom_folder = False
        form = QFormLayout(self)
        self.format = _combo([(label, suffix) for suffix, label in FORMATS])
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format)
        self.paper = _combo([(p, p) for p in PAPERS])
        self.landscape = QCheckBox("Landscape")
        self.dpi = QSpinBox()
        self.dpi.setRange(72, 1200)
        self.dpi.setSingleStep(50)
        self.dpi.setValue(300)
        self.dpi.setSuffix(" dpi")
        sheet = QHBoxLayout()
        for widget in (self.paper, self.landscape, QLabel("Resolution"), self.dpi):
            sheet.addWidget(widget)
        sheet.addStretch(1)
        form.addRow("Paper", sheet)
        form.addRow("Layers", self._layer_boxes(choices.layers))
        self.names = _combo([(label, key) for key, label in NAME_FORMS])
        self.names.setCurrentIndex(max(0, self.names.findData(choices.name_form)))
        form.addRow("Names", self.names)
        self.area = _combo([("The whole region", None), *((c.label, c.value) for c in countries)])
        form.addRow("Area", self.area)
        if choices.settings is None:
            note = QLabel("No indicator map is chosen in the layer panel: the map shows the municipalities "
                          "without colours.")
            note.setWordWrap(True)
            form.addRow(note)
        self.add_file_row(form, suggested_path(name, ".pdf"), self._browse,
                          lambda _t: setattr(self, "_custom_folder", True))
        self.add_save_buttons(form)
        self._format_changed()

    def _layer_boxes(self, shown: tuple[str, ...]) -> QGridLayout:
        grid = QGridLayout()
        self.layer_boxes: dict[str, QCheckBox] = {}
        for i, (name, label) in enumerate(PRINT_LAYERS):
            box = QCheckBox(label)
            box.setChecked(name == "borders" or name in shown)
            self.layer_boxes[name] = box
            grid.addWidget(box, i // 2, i % 2)
        return grid

    def suffix(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        """Resolution only matters for PNG; the suggested file follows the format."""
        suffix = self.suffix()
        self.dpi.setEnabled(suffix == ".png")
        current = Path(self.path.text().strip())
        if self._custom_folder:
            self.path.setText(str(current.with_suffix(suffix)))
        else:  # PNG and SVG go to Pictures, PDF to Documents
            self.path.setText(str(suggested_path(current.stem or self.name, suffix)))

    def _browse(self) -> None:
        suffix = self.suffix()
        name, _ = QFileDialog.getSaveFileName(self, "Export map", self.path.text(), FILE_FILTERS[suffix])
        if name:
            self._custom_folder = True
            self.path.setText(str(Path(name).with_suffix(suffix)))

    def choice(self) -> MapExport:
        layers = tuple(name for name, _label in PRINT_LAYERS if self.layer_boxes[name].isChecked())
        path = Path(self.path.text().strip()).expanduser()
        return MapExport(path.with_suffix(self.suffix()), str(self.paper.currentData()),
                         self.landscape.isChecked(), self.dpi.value(), layers, str(self.names.currentData()),
                         self.area.currentData())

    def problem(self) -> str:
        """Why the choice cannot be exported ("" when it can)."""
        choice = self.choice()
        if not choice.layers:
            return "Tick at least one layer."
        return path_problem(self.path.text(), choice.path)


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for label, data in items:
        combo.addItem(label, data)
    return combo
