"""Architecture rules: Qt stays in ui/, the core never imports the UI (import-linter contracts)."""

from __future__ import annotations

from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_import_contracts_hold() -> None:
    cli = pytest.importorskip("importlinter.cli")
    assert cli.lint_imports(config_filename=str(PYPROJECT)) == 0


def test_core_imports_without_qt() -> None:
    """Importing the core in a fresh interpreter must not load PySide6."""
    import subprocess
    import sys

    code = ("import sys, resilience_map.store, resilience_map.domain.records, resilience_map.cli, "
            "resilience_map.demo; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent)
    assert out.stdout.strip() == "False"


def test_renderer_uses_only_qtcore_qtgui_qtsvg() -> None:
    """render/ draws on any paint device: no widgets, no web engine (checked on the source)."""
    import ast

    allowed = {"PySide6", "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtSvg"}
    render = Path(__file__).resolve().parents[1] / "resilience_map" / "render"
    for path in render.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name.startswith(("PySide6", "shiboken6")):
                    assert name in allowed, f"{path.name} imports {name}"
