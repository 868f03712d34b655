"""How the window feels while File → Import table… reads and checks a 100,000-row file.

The wizard reads and plans off the GUI thread. What a user feels is the longest time the
window does not react (no repaint, no click handled): measured as the largest gap between
ticks of a 10 ms timer on the GUI thread while the work runs. Baseline in the same run:
the naive way, the same planning called on the GUI thread (the window is frozen for all of
it). Applying stays on the GUI thread (one session step); its freeze is reported too.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_import_wizard.py

Input: the long CSV of ``bench_tables`` (500 units × 20 indicators × 10 waves, generated).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")


class GapMeter:
    """Largest pause between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start(10)

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return max(self.gaps)


def wait(app, condition) -> float:
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        time.sleep(0.002)
    return time.perf_counter() - start


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="rm-bench-wizard-"))
    os.environ.update(XDG_CONFIG_HOME=str(folder / "config"), RESILIENCE_MAP_DATA_HOME=str(folder / "data"))
    import bench_tables
    from PySide6.QtCore import QSettings

    from resilience_map.io.tables import plan_import
    from resilience_map.ui.app import create_application
    from resilience_map.ui.main_window import MainWindow

    project, units = bench_tables.build_project(folder)
    table = bench_tables.write_long_csv(folder / "long.csv", units, bench_tables.WAVES)
    app = create_application()
    QSettings().setValue("author_name", "bench")
    window = MainWindow()
    window.show()
    window.open_project(project)
    meter = GapMeter()

    meter.start()
    wizard = window.tables.open_wizard(table)
    took = wait(app, lambda: wizard.table is not None)
    print(f"Read and lay out {len(wizard.table.rows):,} rows in the background: {took:.2f} s; "
          f"longest window pause {meter.stop() * 1000:.0f} ms")
    wizard.next_button.click()
    meter.start()
    wizard.next_button.click()
    took = wait(app, lambda: wizard.stack.currentWidget() is wizard.preview_page)
    print(f"Check every row in the background: {took:.2f} s; longest window pause "
          f"{meter.stop() * 1000:.0f} ms")

    meter.start()
    start = time.perf_counter()
    plan_import(wizard.table, wizard.mapping, window.store)  # the naive way: on the GUI thread
    naive = time.perf_counter() - start
    app.processEvents()
    print(f"Baseline, the same check on the GUI thread: {naive:.2f} s; longest window pause "
          f"{meter.stop() * 1000:.0f} ms")

    meter.start()
    start = time.perf_counter()
    wizard.import_button.click()
    applied = time.perf_counter() - start
    app.processEvents()
    print(f"Apply {len(wizard.plan.changes):,} records as one step (GUI thread, by design): "
          f"{applied:.2f} s; longest window pause {meter.stop() * 1000:.0f} ms")
    window.close()


if __name__ == "__main__":
    main()
