"""Native vector rendering of map scenes with QPainter (PDF, SVG, PNG) — no widgets, no Chromium.

May import PySide6.QtCore, QtGui and QtSvg only, and never ``resilience_map.ui``
(import-linter contracts in pyproject.toml).
"""
