"""Window map snapshots (the web-view grab behind File → Export map image…).

The command line prints with the native renderer instead: see test_print_map.py.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from resilience_map.ui.map.snapshot import is_blank
from tests_helpers import wait_until_drawn


def test_window_exports_current_view(window, qtbot, demo_bounded: Path, tmp_path: Path) -> None:
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    out = window.export_image(tmp_path / "view.png", scale=1)
    assert out is not None and out.exists()
    image = QImage(str(out))
    assert image.width() == window.map_view.width() and not is_blank(image)
    whole = window.export_image(tmp_path / "region.png", scale=2, whole_region=True)
    assert QImage(str(whole)).width() == 2 * window.map_view.width()
