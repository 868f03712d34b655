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
