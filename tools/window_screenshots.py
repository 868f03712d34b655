"""Screenshots of the real window for the README, at laptop and desktop sizes.

Run under a real X server (Xvfb in CI and on servers), so the window is drawn by the same
code paths as on a desktop:

    xvfb-run -s "-screen 0 1920x1080x24" python tools/window_screenshots.py DEMO.gpkg docs/screenshots

It opens the project and selects a municipality; at 1366×768 it keeps the default
layout (tables closed: the map gets the room), at 1920×1080 it opens the Records table.
Saves ``window-1366x768.png`` and ``window-1920x1080.png``, then ``records-view.png``
(Kosovo, Prishtinë, an out-of-scale value refused), ``profile.png`` (Kumanovo),
``export-map-dialog.png`` (File → Export map…) and ``briefing-page1.png`` (page 1 of Čair's
briefing, as "Briefing…" on the profile writes it; needs pdftoppm from poppler-utils).
Preferences are kept in a temporary folder, never the user's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))

from private_home import private_home  # noqa: E402 (tools/ is on the path from here)

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
SIZES = ((1366, 768), (1920, 1080))


def wait(app, condition, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)


def settle(app, seconds: float) -> None:
    wait(app, lambda: False, seconds)


def shoot(project: Path, out: Path, size: tuple[int, int]) -> Path:
    from PySide6.QtCore import QSettings
    from tests_helpers import type_text

    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    app = create_application()
    QSettings().clear()
    QSettings().setValue("author_name", "Screenshots")
    window = MainWindow()
    window.resize(*size)
    window.show()
    ready: list[int] = []
    window.map_feature.ready.connect(lambda: ready.append(1))
    window.open_project(project)
    wait(app, lambda: bool(ready), 90)
    type_text(window.search, "Kumanovo")
    window.search.clearFocus()
    if size[0] >= 1920:
        window.layout_.show_bottom(window.records_dock)
    settle(app, 4)
    path = out / f"window-{size[0]}x{size[1]}.png"
    window.grab().save(str(path))
    if size[0] >= 1920:
        views(app, window, out)
    window.close()
    window.deleteLater()
    settle(app, 0.5)
    return path


def views(app, window, out: Path) -> None:
    """The Records view with a refused value, and the profile, as the README shows them."""
    from resilience_map.domain.records import IndicatorValue

    view = window.records_view
    view.country_combo.setCurrentIndex(view.country_combo.findText("Kosovo"))
    view.municipality_edit.set_selected(window.store.municipality_by_registry_id("xk-prishtine").uuid)
    model = view.models[IndicatorValue]
    row = next(r for r in range(model.rowCount()) if model.index(r, 2).data() == "Civic life satisfaction")
    view.tables[IndicatorValue].selectRow(row)
    model.setData(model.index(row, [c.field for c in model.columns].index("value")), "15")
    settle(app, 1)
    view.grab().save(str(out / "records-view.png"))
    window.profile_dock.grab().save(str(out / "profile.png"))
    dialog = window.outputs.export_map_dialog()
    settle(app, 1)
    dialog.grab().save(str(out / "export-map-dialog.png"))
    dialog.reject()


def briefing_page(project: Path, out: Path) -> Path:
    """Page 1 of a municipality briefing, made by the same worker the window runs."""
    import json

    folder = Path(tempfile.mkdtemp(prefix="rm-briefing-"))
    pdf = folder / "briefing.pdf"
    request = {"kind": "briefing", "target": "municipality", "key": "mk-cair", "project": str(project),
               "out": str(pdf)}
    subprocess.run([sys.executable, "-m", "resilience_map.cli.job", json.dumps(request)], check=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out / "briefing-page1")], check=True)
    return out / "briefing-page1.png"


def main() -> None:
    project, out = Path(sys.argv[1]), Path(sys.argv[2])
    private_home()
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        print(shoot(project, out, size))
    print(briefing_page(project, out))


if __name__ == "__main__":
    main()
