"""Records view benchmarks on a synthetic project of 100,000 indicator values.

1. First rows: from creating the RecordsView and calling refresh() to the value
   table having painted its first page (target ≤ 0.5 s).
2. Undo of a 100-row delete: 100 values selected in the table, deleted in one
   command, then ``undo_stack.undo()`` timed, including the view re-reading its
   rows (target ≤ 0.5 s).
3. One cell edit from accepted to committed, history included: ``editor.update``
   with the view open (target ≤ 20 ms, median over 50 edits).
4. For information: sorting by municipality and a free-text search (Cyrillic
   query over Latin names), each a new query returning the first page; the
   History view reading the latest 1,000 of the project's 100,000+ changes.

Usage:  python benchmarks/bench_records.py [--repeat 7] [--edits 50] [--keep]
The project is built in a temporary folder (about 10 s) and removed afterwards
unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

VALUES = 100_000


def build_synthetic(path: Path, municipalities: int = 100, indicators: int = 100, waves: int = 10) -> Path:
    """municipalities × indicators × waves values (100,000), written in one transaction."""
    from resilience_map.domain.enums import Country
    from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, Municipality, StudyWave
    from resilience_map.store import ProjectStore

    store = ProjectStore.create(path, title="Synthetic 100k")
    countries = list(Country)
    with store.transaction():
        units = store.add_many([Municipality(registry_id=f"syn-{i}", country=countries[i % 6],
                                             name_local=f"Општина {i:03d}", name_latin=f"Opština {i:03d}",
                                             name_en=f"Municipality {i:03d}") for i in range(municipalities)], "bench")
        inds = store.add_many([IndicatorDefinition(code=f"I{i:03d}", name=f"Indicator {i:03d}", scale_min=0,
                                                   scale_max=10, unit="score") for i in range(indicators)], "bench")
        rounds = store.add_many([StudyWave(name=f"Wave {2000 + i}", start_date=date(2000 + i, 1, 1))
                                 for i in range(waves)], "bench")
        store.add_many([IndicatorValue(municipality_uuid=u.uuid, indicator_uuid=ind.uuid, wave_uuid=w.uuid,
                                       value=float((k * 7) % 11 % 10), synthetic=True)
                        for k, (u, ind, w) in enumerate((u, ind, w) for u in units for ind in inds
                                                        for w in rounds)], "bench")
    store.close()
    return path


def figures(name: str, seconds: list[float], target: float) -> None:
    ms = [s * 1000 for s in seconds]
    verdict = "OK" if statistics.median(seconds) <= target else "OVER TARGET"
    print(f"{name:<44} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}"
          f"   (n={len(ms)}, target ≤ {target * 1000:.0f} ms: {verdict})")


def open_editor(path: Path):
    from resilience_map.store import ProjectStore
    from resilience_map.ui.editing import ProjectEditor

    editor = ProjectEditor()
    editor.ask_author = lambda: "Benchmark"
    editor.set_store(ProjectStore.open(path))
    return editor


def bench_first_rows(app, editor, repeat: int) -> list[float]:
    """New view each time: construct, refresh, show, paint the value table."""
    from PySide6.QtCore import QEvent

    from resilience_map.domain.records import IndicatorValue
    from resilience_map.ui.records_view import RecordsView

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        view = RecordsView(editor)
        view.resize(1400, 800)
        view.refresh()
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
    """Select 100 values in the table, delete them in one command, time the undo."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from resilience_map.domain.records import IndicatorValue

    editor, table = view.editor, view.tables[IndicatorValue]
    model = table.model()
    view.confirm = lambda _text: True
    times = []
    for _ in range(repeat):
        selection = QItemSelection(model.index(0, 0), model.index(99, model.columnCount() - 1))
        table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        assert len(view.selected_rows()) == 100
        view.delete_selected()
        assert editor.store.count(IndicatorValue) == VALUES - 100
        start = time.perf_counter()
        editor.undo_stack.undo()
        times.append(time.perf_counter() - start)
        assert editor.store.count(IndicatorValue) == VALUES
        app.processEvents()
    return times


def bench_edits(app, view, edits: int) -> list[float]:
    """editor.update on a loaded value: validation, write, history rows, view refresh."""
    from resilience_map.domain.records import IndicatorValue

    editor, model = view.editor, view.models[IndicatorValue]
    times = []
    for i in range(edits):
        record = model.record(i % 20)
        changed = replace(record, value=float((record.value + 1) % 10))
        start = time.perf_counter()
        editor.update(changed)
        times.append(time.perf_counter() - start)
        app.processEvents()
    return times


def bench_sort_and_search(view, repeat: int) -> tuple[list[float], list[float]]:
    """Informational: sort 100,000 values by municipality; free-text search in any script."""
    from PySide6.QtCore import Qt

    from resilience_map.domain.records import IndicatorValue

    model = view.models[IndicatorValue]
    section = [c.header for c in model.columns].index("Municipality")
    sorts, searches = [], []
    for i in range(repeat):
        start = time.perf_counter()
        model.sort(section, Qt.SortOrder.DescendingOrder if i % 2 else Qt.SortOrder.AscendingOrder)
        sorts.append(time.perf_counter() - start)
    model.sort(-1)
    for i in range(min(repeat, 3)):  # slow: the store folds every row's text in Python
        start = time.perf_counter()
        model.set_filter(text="Општина 0%02d" % i)
        searches.append(time.perf_counter() - start)
        assert model.matching == VALUES // 100
    model.set_filter()
    return sorts, searches


def bench_history(editor, repeat: int) -> list[float]:
    """Informational: the History view reading and describing the latest 1,000 changes."""
    from resilience_map.ui.history_view import HistoryView

    view = HistoryView(editor)
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
    parser.add_argument("--keep", action="store_true", help="keep the synthetic project")
    args = parser.parse_args()

    from resilience_map.domain.records import IndicatorValue
    from resilience_map.ui.app import create_application
    from resilience_map.ui.records_view import RecordsView

    folder = Path(tempfile.mkdtemp(prefix="rm-bench-records-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")  # the author name stays out of real preferences
    start = time.perf_counter()
    path = build_synthetic(folder / "synthetic-100k.gpkg")
    print(f"Built {path} ({VALUES:,} indicator values, {path.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - start:.1f} s")

    app = create_application()
    editor = open_editor(path)
    try:
        figures("First rows painted (new view + refresh)", bench_first_rows(app, editor, args.repeat), 0.5)
        view = RecordsView(editor)
        view.resize(1400, 800)
        view.refresh()
        view.show()
        app.processEvents()
        assert view.models[IndicatorValue].rowCount() < VALUES
        figures("Undo of a 100-value delete", bench_undo_delete(app, view, args.repeat), 0.5)
        figures("One edit committed with history", bench_edits(app, view, args.edits), 0.020)
        sorts, searches = bench_sort_and_search(view, args.repeat)
        figures("Sort 100,000 values by municipality", sorts, 0.5)
        figures("Text search 'Општина 0xx' (first page)", searches, 0.5)
        figures("History view, latest 1,000 changes", bench_history(editor, args.repeat), 0.5)
        view.close()
    finally:
        store = editor.store
        editor.set_store(None)
        store.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
