"""The indicators a table names that the project lacks, with the scale the user gives.

Values are validated against their indicator's scale, so a new indicator's minimum and
maximum are asked, never guessed; name and polarity have defaults (the code; higher is
better) the user can change.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QLineEdit, QTableWidget, QWidget

POLARITIES = (("higher is better", "Higher is better"), ("higher is worse", "Higher is worse"))


class NewIndicatorsTable(QTableWidget):
    """Code | Name | Scale minimum | Scale maximum | Polarity — one row per missing code."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(["Code in the table", "Name", "Scale minimum", "Scale maximum",
                                        "Polarity"])
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 170), (2, 110), (3, 110), (4, 160)):
            self.setColumnWidth(column, width)
        self.setMaximumHeight(150)
        self.codes: list[str] = []

    def show_codes(self, codes: list[str], specs: dict[str, dict]) -> None:
        """One row per code, filled from ``specs`` (a profile's or the user's earlier answers)."""
        if codes == self.codes and all(self._spec(c) == specs.get(c) for c in specs):
            return
        self.blockSignals(True)
        self.codes = list(codes)
        self.setRowCount(len(codes))
        for row, code in enumerate(codes):
            spec = specs.get(code, {})
            self.setCellWidget(row, 0, _edit(code, read_only=True))
            self.setCellWidget(row, 1, self._watched(_edit(str(spec.get("name") or code))))
            self.setCellWidget(row, 2, self._watched(_edit(_number(spec.get("scale_min")))))
            self.setCellWidget(row, 3, self._watched(_edit(_number(spec.get("scale_max")))))
            polarity = QComboBox()
            for value, label in POLARITIES:
                polarity.addItem(label, value)
            polarity.setCurrentIndex(max(0, polarity.findData(spec.get("polarity"))))
            polarity.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self.setCellWidget(row, 4, polarity)
        self.blockSignals(False)

    def _watched(self, edit: QLineEdit) -> QLineEdit:
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def set_scale(self, code: str, minimum: str, maximum: str) -> None:
        """Type a code's scale, as the user would."""
        row = self.codes.index(code)
        self.cellWidget(row, 2).setText(minimum)  # type: ignore[attr-defined]
        self.cellWidget(row, 3).setText(maximum)  # type: ignore[attr-defined]

    def _spec(self, code: str) -> dict | None:
        if code not in self.codes:
            return None
        row = self.codes.index(code)
        texts = [self.cellWidget(row, c).text().strip() for c in (1, 2, 3)]  # type: ignore[attr-defined]
        try:
            low, high = float(texts[1].replace(",", ".")), float(texts[2].replace(",", "."))
        except ValueError:
            return None
        return {"name": texts[0] or code, "scale_min": low, "scale_max": high,
                "polarity": self.cellWidget(row, 4).currentData()}  # type: ignore[attr-defined]

    def specs(self) -> dict[str, dict]:
        """code → {name, scale_min, scale_max, polarity} for every row whose scale is readable."""
        return {c: s for c in self.codes if (s := self._spec(c)) is not None}

    def problem(self) -> str:
        """The first row whose scale is missing or unreadable, as a sentence ("" when none)."""
        for code in self.codes:
            spec = self._spec(code)
            if spec is None:
                return f"Give the scale of the new indicator {code} (its minimum and maximum, as numbers)."
            if spec["scale_min"] >= spec["scale_max"]:
                return f"The scale minimum of {code} must be below its maximum."
        return ""


def _edit(text: str, read_only: bool = False) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setReadOnly(read_only)
    edit.setFrame(False)
    return edit


def _number(value: object) -> str:
    return "" if value is None else f"{float(value):g}"  # type: ignore[arg-type]
