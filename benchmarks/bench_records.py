"""Records view benchmarks on the synthetic project of 100,000 indicator values.

1. First rows: from creating the RecordsView to the value table having painted its
   first page (target ≤ 0.5 s).
2. Undo of a 100-row delete: 100 values selected in the table, deleted in one step,
   then ``session.undo()`` timed, the table patched from the change event (≤ 0.5 s).
3. One cell edit from accepted to committed, history included, the view patched:
   ``model.setData`` (target ≤ 20 ms, median over 50 edits).
4. For information: sorting by municipality and a free-text search (Cyrillic query
   over Latin names), each a new query returning the first page; the History view
   reading the latest 1,000 of the project's 100,000+ changes.

The whole window is measured by ``bench_ui.py``; this one isolates the Records view.

Usage:  python benchmarks/bench_records.py [--repeat 7] [--edits 50] [--project P.gpkg] [--keep]
Without --project the project is built with :mod:`resilience_map.synthetic` in a
temporary folder and removed afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from resilience_map.synthetic import VALUES, build_synthetic  # noqa: E402


def figures(name: str, seconds: list[float], target: float) -> None:
    ms = [s * 1000 for s in seconds]
    verdict = "OK" if statistics.median(seconds) <= target else "OVER TARGET"
    print(f"{name:<44} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}"
          f"   (n={len(ms)}, target ≤ {target * 1000:.0f} ms: {verdict})", flush=True)


def bench_first_rows(app, session, repeat: int) -> list[float]:
    """New view each time: construct (it reads the first page), show, paint the value table."""
    from PySide6.QtCore import QEvent

    from resilience_map.domain.records import IndicatorValue
    from resilience_map.ui.records.view import RecordsView

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        view = RecordsView(session)
        view.resize(1400, 800)
        view.show()
        app.processEvents()
        table = view.tables[IndicatorValue]
        assert table.model().rowCount() > 0
        table.grab()  # the rows are painted
        times.append(time.perf_counter() - start)
        view.close()
        view.deleteLater()  # processEvents() alone does not run deferred deletes:
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # no stale views listening
    return times


def bench_undo_delete(app, view, repeat: int) -> list[float]:
    """Select 100 values in the table, delete them in one step, time the undo."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from resilience_map.domain.records import IndicatorValue

    session, table = view.session, view.tables[IndicatorValue]
    model = table.model()
    view.confirm = lambda _text: True
    times = []
    for _ in range(repeat):
        selection = QItemSelection(model.index(0, 0), model.index(99, model.columnCount() - 1))
        table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        assert len(view.selected_rows()) == 100
        view.delete_selected()
        assert session.store.count(IndicatorValue) == VALUES - 100
        start = time.perf_counter()
        session.undo()
        times.append(time.perf_counter() - start)
        assert session.store.count(IndicatorValue) == VALUES and model.total() == VALUES
        app.processEvents()
    return times


def bench_edits(app, view, edits: int) -> list[float]:
    """A typed value committed: validation, one step with its history, the row patched."""
    from resilience_map.domain.records import IndicatorValue

    model = view.models[IndicatorValue]
    column = [c.field for c in model.columns].index("value")
    times = []
    for i in range(edits):
        row = i % 20
        text = f"{(model.record(row).value + 1) % 10:g}"
        start = time.perf_counter()
        assert model.setData(model.index(row, column), text)
        times.append(time.perf_counter() - start)
        app.processEvents()
    return times


def bench_sort_and_search(view, repeat: int) -> tuple[list[float], list[float]]:
    """Informational: sort 100,000 values by municipality; free-text search in any script."""
    from PySide6.QtCore import Qt

    from resilience_map.domain.records import IndicatorValue
    from resilience_map.ui.records.row_filter import RowFilter

    model = view.models[IndicatorValue]
    section = [c.header for c in model.columns].index("Municipality")
    sorts, searches = [], []
    for i in range(repeat):
        start = time.perf_counter()
        model.sort(section, Qt.SortOrder.DescendingOrder if i % 2 else Qt.SortOrder.AscendingOrder)
        sorts.append(time.perf_counter() - start)
    model.sort(-1)
    for query in ("Куманово", "Приштина", "Тетово")[:repeat]:  # slow: the store folds text in Python
        start = time.perf_counter()
        model.set_filter(RowFilter(IndicatorValue, text=query))
        searches.append(time.perf_counter() - start)
        assert model.matching > 0
    model.set_filter(RowFilter(IndicatorValue))
    return sorts, searches


def bench_history(session, repeat: int) -> list[float]:
    """Informational: the History view reading and describing the latest 1,000 changes."""
    from resilience_map.ui.history.view import HistoryView

    view = HistoryView(session)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        view.show_project()
        times.append(time.perf_counter() - start)
    assert view.model.rowCount() == 1000
    view.deleteLater()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--project", type=Path, help="a copy of this project is used instead of building one")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic project")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rm-bench-records-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")  # nothing lands in real preferences
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "config"))
    from resilience_map.domain.records import IndicatorValue
    from resilience_map.session import ProjectSession
    from resilience_map.ui.app import create_application
    from resilience_map.ui.records.view import RecordsView

    start = time.perf_counter()
    if args.project:
        path = Path(shutil.copy(args.project, folder))
    else:
        path = build_synthetic(folder / "synthetic-100k.gpkg")
        print(f"Built {path} ({VALUES:,} indicator values) in {time.perf_counter() - start:.1f} s")
    app = create_application()
    session = ProjectSession(author="Benchmark")
    session.open(path)
    try:
        figures("First rows painted (new view)", bench_first_rows(app, session, args.repeat), 0.5)
        view = RecordsView(session)
        view.resize(1400, 800)
        view.show()
        app.processEvents()
        assert view.models[IndicatorValue].rowCount() < VALUES
        figures("Undo of a 100-value delete", bench_undo_delete(app, view, args.repeat), 0.5)
        figures("One edit committed with history", bench_edits(app, view, args.edits), 0.020)
        sorts, searches = bench_sort_and_search(view, args.repeat)
        figures("Sort 100,000 values by municipality", sorts, 0.5)
        figures("Text search in Cyrillic (first page)", searches, 0.5)
        figures("History view, latest 1,000 changes", bench_history(session, args.repeat), 0.5)
        view.close()
    finally:
        session.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
