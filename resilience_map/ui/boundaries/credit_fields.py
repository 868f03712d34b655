"""Who made the boundaries and under which licence: asked before an import is applied.

OpenStreetMap's ODbL and geoBoundaries' CC BY oblige whoever shows the polygons to credit
them, so an import records its source and licence like the command line's ``--source``
and ``--licence``. The fields start from what the file says about itself
(:func:`~resilience_map.io.attribution.credit_from_file`); the common providers are one
choice away. geoBoundaries' licence differs per country, so choosing it empties the
licence and asks for it.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from resilience_map.io.attribution import (
    COMMON_LICENCES,
    COMMON_SOURCES,
    BoundaryCredit,
    KnownSource,
    complete_credit,
)

GEOBOUNDARIES = next(s for s in COMMON_SOURCES if s.name == "geoBoundaries")
FROM_FILE = "file"
OTHER = "other"


class CreditFields(QGroupBox):
    """Provider, credit line and licence, pre-filled; :meth:`problem` says what is missing."""

    changed = Signal()

    def __init__(self, from_file: BoundaryCredit | None, file_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__("Source and licence (the map and every export credit them)", parent)
        self.from_file, self.file_name = from_file, file_name
        self.provider = QComboBox()
        self.provider.setObjectName("creditProvider")
        if from_file is not None and from_file.source:
            self.provider.addItem(f"As the file says: {_short(from_file.source)}", FROM_FILE)
        for source in COMMON_SOURCES:
            self.provider.addItem(source.name, source.name)
        self.provider.addItem("Another source (type its credit line)", OTHER)
        self.source = QLineEdit()
        self.source.setObjectName("creditSource")
        self.source.setPlaceholderText("e.g. © OpenStreetMap contributors")
        self.licence = QComboBox()
        self.licence.setObjectName("creditLicence")
        self.licence.setEditable(True)
        self.licence.addItems(["", *COMMON_LICENCES])
        edit = self.licence.lineEdit()
        assert edit is not None  # an editable combo box has one
        edit.setPlaceholderText("e.g. ODbL 1.0, CC BY 4.0")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        form.addRow("Provider:", self.provider)
        form.addRow("Credit line:", self.source)
        form.addRow("Licence:", self.licence)
        form.addRow(self.hint)
        self._start()
        self.provider.currentIndexChanged.connect(self._on_provider)
        self.source.textChanged.connect(self._on_edit)
        self.licence.currentTextChanged.connect(self._on_edit)

    def _start(self) -> None:
        if self.from_file is not None and self.from_file.source:
            self.source.setText(self.from_file.source)
            self.licence.setCurrentText(self.from_file.licence)
        else:
            self.provider.setCurrentIndex(self.provider.findData(OTHER))
            if self.from_file is not None:  # a licence but no source
                self.licence.setCurrentText(self.from_file.licence)
        self._say()

    def _known(self) -> KnownSource | None:
        return next((s for s in COMMON_SOURCES if s.name == self.provider.currentData()), None)

    def _on_provider(self) -> None:
        known = self._known()
        if self.provider.currentData() == FROM_FILE and self.from_file is not None:
            self.source.setText(self.from_file.source)
            self.licence.setCurrentText(self.from_file.licence)
        elif known is not None:
            self.source.setText(known.credit)
            self.licence.setCurrentText(known.licence)  # '' when it differs per data set
        self.source.setCursorPosition(0)  # a long credit line reads from its start
        self._on_edit()

    def _on_edit(self) -> None:
        self._say()
        self.changed.emit()

    def choose_provider(self, name: str) -> None:
        """Pick a provider by (the start of) its name, as the user would in the list."""
        index = next(i for i in range(self.provider.count())
                     if self.provider.itemText(i).startswith(name))
        self.provider.setCurrentIndex(index)

    def credit(self) -> BoundaryCredit | None:
        """The credit to record (None while the source is missing).

        The fields are the whole answer: the file's licence is already in them when it
        has one, and must not slip under another provider the user chose instead.
        """
        given = complete_credit(None, self.source.text(), self.licence.currentText())
        if given is not None and self.from_file is not None and given.source == self.from_file.source:
            return dataclasses.replace(given, origin=self.from_file.origin)
        return given

    def problem(self) -> str:
        """What stops the import, as a sentence ("" when source and licence are given)."""
        credit = self.credit()
        if credit is None or not credit.source:
            return (f"{self.file_name} does not say where its boundaries come from: choose the "
                    "provider or type its credit line.")
        if not credit.licence:
            if GEOBOUNDARIES.credit in credit.source:
                return ("geoBoundaries' licence differs per country: enter the licence geoBoundaries "
                        "lists for this file (e.g. “CC BY 4.0”, “ODbL 1.0” or “Public domain”).")
            return "Enter the licence of these boundaries (e.g. “ODbL 1.0” or “CC BY 4.0”)."
        return ""

    def _say(self) -> None:
        problem = self.problem()
        if problem:
            self.hint.setStyleSheet("color: #a40000;")
            self.hint.setText(problem)
            return
        self.hint.setStyleSheet("")
        credit = self.credit()
        assert credit is not None
        self.hint.setText(f"Recorded with the import: {credit.text()}")

    def enable_when_complete(self, button: QAbstractButton) -> None:
        """Keep a dialog's "Import" button usable only while source and licence are given."""
        button.setEnabled(not self.problem())
        self.changed.connect(lambda: button.setEnabled(not self.problem()))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
