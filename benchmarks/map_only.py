"""The map alone in a window, started as the app starts: the map's share of start-up.

``python benchmarks/map_only.py PROJECT`` opens PROJECT in a ProjectSession shown by a
MapFeature in a bare main window (no tables, profile or history), prints ``drawn`` when
the first choropleth is on screen and quits (as the app does with
RESILIENCE_MAP_EXIT_WHEN_DRAWN). ``startup.py --map-only`` times it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or str(Path(__file__).parents[1]))


def main(project: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMainWindow

    from resilience_map.session import ProjectSession
    from resilience_map.ui.app import create_application
    from resilience_map.ui.map import MapFeature

    app = create_application()
    window = QMainWindow()
    session = ProjectSession(author="benchmark")
    feature = MapFeature(session, window)
    window.setCentralWidget(feature.view)
    window.resize(1200, 760)

    def drawn() -> None:
        print("drawn", flush=True)
        QTimer.singleShot(int(os.environ.get("RESILIENCE_MAP_EXIT_DELAY_MS", "1500")), app.quit)
    feature.ready.connect(drawn)
    session.open(project, read_only=True)
    window.show()
    code = app.exec()
    session.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
