"""What a user feels importing a big change package through File → Synchronise.

A package of 10,000 changes (another copy edited 10,000 values) is imported into the
100,000-value project open in the real window (map, profile, tables following the events).
Measured: the time from the click to the result, and the longest time the window did not
respond (the largest gap between ticks of a 10 ms timer on the GUI thread). Baseline in the
same run, on a second copy: the same import done entirely on the GUI thread
(``Synchronisation.import_package(path)``: read, check and merge in one go).

Usage:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_sync_window.py [--changes 10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

from bench_sync import edit_values, load_average  # noqa: E402

from resilience_map.store import ProjectStore  # noqa: E402
from resilience_map.synthetic import build_synthetic  # noqa: E402


class Ticks:
    """The longest the GUI thread went without running a 10 ms timer."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def __enter__(self) -> Ticks:
        self.last, self.longest, self.start = time.perf_counter(), 0.0, time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tick()
        self.timer.stop()
        self.total = time.perf_counter() - self.start


def wait(app, condition, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)


def prepare(folder: Path, count: int, copies: int) -> tuple[list[Path], Path]:
    from resilience_map.store import lineage
    from resilience_map.sync.package import export_package
    from resilience_map.sync.state import learn_peer

    base = build_synthetic(folder / "base.gpkg")
    sender = Path(shutil.copy(base, folder / "sender.gpkg"))
    receivers = [Path(shutil.copy(base, folder / f"receiver-{i}.gpkg")) for i in range(copies)]
    for path in receivers:
        ProjectStore.open(path).close()  # each copy takes its replica id before timing
    edit_values(sender, count)
    with ProjectStore.open(receivers[0], read_only=True) as receiver:
        floor = lineage.knowledge(receiver.connection)
    with ProjectStore.open(sender) as store:
        with store.transaction():  # only the new changes, as a package made --for the receiver
            learn_peer(store.connection, "receiver", floor)
        export_package(store, folder / "new.rmsync", for_replica="receiver")
    return receivers, folder / "new.rmsync"


def through_dialog(app, window, package: Path) -> Ticks:
    dialog = window.sync.open_dialog()
    assert dialog is not None
    dialog.package.import_edit.setText(str(package))
    with Ticks() as ticks:
        dialog.package.import_button.click()
        wait(app, lambda: not dialog.busy, 300)
    dialog.close()
    return ticks


def on_gui_thread(app, window, package: Path) -> Ticks:
    with Ticks() as ticks:
        window.sync.sync.import_package(package)
        app.processEvents()
    return ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-window-"))
    os.environ.update(XDG_CONFIG_HOME=str(folder / "config"), RESILIENCE_MAP_DATA_HOME=str(folder / "data"))
    try:
        from PySide6.QtCore import QSettings

        from resilience_map.sync.package import read_package
        from resilience_map.ui.app import create_application
        from resilience_map.ui.main_window import MainWindow

        receivers, package = prepare(folder, args.changes, 4)
        print(f"(load average before: {load_average()})")
        with_clock = time.perf_counter()
        read_package(package)
        print(f"(reading and checking the package alone: {time.perf_counter() - with_clock:.2f} s)")
        app = create_application()
        QSettings().setValue("author_name", "bench")
        window = MainWindow()
        window.resize(1366, 768)
        window.show()
        ways = [("through File → Synchronise", through_dialog),
                ("all on the GUI thread (baseline)", on_gui_thread)]
        drawn: list[int] = []
        window.map_feature.ready.connect(lambda: drawn.append(1))
        for i, path in enumerate(receivers):  # alternating, so neither way gets the warm caches
            window.open_project(path)
            wait(app, lambda n=i: len(drawn) > n, 120)
            wait(app, lambda: False, 1)
            name, way = ways[i % 2]
            ticks = way(app, window, package)
            assert window.sync.status is not None and window.sync.status.conflicts == 0
            print(f"import {args.changes:,} changes into 100,000 values {name}: click to result "
                  f"{ticks.total:.2f} s; the window did not respond for at most {ticks.longest:.2f} s")
        print(f"(load average after: {load_average()})")
        window.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
