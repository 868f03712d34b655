"""Screenshots of synchronisation in the window, at 1366×768, for the README.

    xvfb-run -s "-screen 0 1366x768x24" python tools/sync_screenshots.py DEMO.gpkg docs/screenshots

DEMO.gpkg is the demo built with the shared boundary files (``resilience-map demo --boundaries
…``). Two copies of it are made in a temporary folder; on each, someone changes Kumanovo's
first indicator value and the notes of a study wave differently, and the second copy changes
one more value. The second copy's package is imported through File → Synchronise in the
first (``sync-dialog.png``: the result, record by record); then the Conflicts dock is opened
from the status bar (``conflicts-dock.png``). Preferences are kept in a temporary folder.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from private_home import private_home  # noqa: E402 (tools/ is on the path from here)

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
SIZE = (1366, 768)


def wait(app, condition, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)


def two_copies(demo: Path, folder: Path) -> tuple[Path, Path]:
    """Copy A and a package from copy B, with two conflicts and one change only B made."""
    from resilience_map.domain.records import IndicatorValue, StudyWave
    from resilience_map.store import ProjectStore
    from resilience_map.sync.package import export_package

    a_path, b_path = Path(shutil.copy(demo, folder / "laptop-kumanovo.gpkg")), folder / "laptop-hub.gpkg"
    shutil.copy(demo, b_path)
    with ProjectStore.open(a_path) as a, ProjectStore.open(b_path) as b:
        unit = a.municipality_by_registry_id("mk-kumanovo").uuid
        first, second = a.list(IndicatorValue, municipality_uuid=unit)[:2]
        wave = a.list(StudyWave)[0]
        a.update(dataclasses.replace(first, value=first.value + 1), "Ana Petrovska")
        a.update(dataclasses.replace(wave, notes="Fieldwork ended early in Kumanovo."), "Ana Petrovska")
        time.sleep(1.1)  # the hub's edits are later: they win for now, as on every copy
        b.update(dataclasses.replace(b.get(IndicatorValue, first.uuid), value=first.value - 1), "Besnik Hoxha")
        b.update(dataclasses.replace(b.get(StudyWave, wave.uuid), notes="Fieldwork complete."), "Besnik Hoxha")
        b.update(dataclasses.replace(b.get(IndicatorValue, second.uuid), value=second.value - 0.5),
                 "Besnik Hoxha")
        export_package(b, folder / "from-hub-laptop.rmsync")
    return a_path, folder / "from-hub-laptop.rmsync"


def shoot(demo: Path, out: Path, folder: Path) -> None:
    from PySide6.QtCore import QSettings

    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    a_path, package = two_copies(demo, folder)
    app = create_application()
    QSettings().clear()
    QSettings().setValue("author_name", "Ana Petrovska")
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    ready: list[int] = []
    window.map_feature.ready.connect(lambda: ready.append(1))
    window.open_project(a_path)
    wait(app, lambda: bool(ready), 90)
    window.session.select(window.store.municipality_by_registry_id("mk-kumanovo").uuid)
    wait(app, lambda: False, 3)

    dialog = window.sync.open_dialog()
    assert dialog is not None
    dialog.tabs.setCurrentWidget(dialog.package)
    dialog.package.import_edit.setText(str(package))
    dialog.package.import_button.click()
    wait(app, lambda: not dialog.busy, 60)
    wait(app, lambda: False, 1)
    dialog.grab().save(str(out / "sync-dialog.png"))
    dialog.tabs.setCurrentWidget(dialog.hub)
    wait(app, lambda: False, 0.5)
    dialog.grab().save(str(folder / "hub-page.png"))  # looked at, not published
    dialog.close()

    window.sync.conflicts_button.click()
    window.sync.conflicts_view.table.selectRow(0)
    wait(app, lambda: False, 2)
    window.grab().save(str(out / "conflicts-dock.png"))
    window.sync.pending_button.click()
    wait(app, lambda: False, 1)
    window.grab().save(str(folder / "pending-dock.png"))  # looked at, not published
    print(out / "sync-dialog.png", out / "conflicts-dock.png", folder)
    window.close()


def main() -> None:
    demo, out = Path(sys.argv[1]), Path(sys.argv[2])
    home = private_home()
    out.mkdir(parents=True, exist_ok=True)
    shoot(demo, out, home)


if __name__ == "__main__":
    main()
