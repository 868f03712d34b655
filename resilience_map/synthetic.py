"""A large synthetic project (100,000 indicator values) for tests and benchmarks.

One builder, used by the test fixtures and by every benchmark, so that figures and
tests talk about the same project. It holds the region's real municipality registry
(so the map can draw it, optionally with real boundaries) and invented indicator
values; the waves, the values and the project itself carry the synthetic flag, and
its title and label say "Demo data – not study results" wherever it is shown.

Usage (command line): ``python -m resilience_map.synthetic OUT.gpkg [BOUNDARY FILES…]``
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from resilience_map.demo import synthetic_value
from resilience_map.domain.enums import UnitKind
from resilience_map.domain.names import fold
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.io.boundary_import import apply_plan, plan_for_project
from resilience_map.io.registry import load_registry
from resilience_map.store import ProjectStore
from resilience_map.store.lock import discard_private_lock_file

LABEL = "Demo data – not study results"
AUTHOR = "Synthetic data builder"
VALUES = 100_000


def build_synthetic(out: Path, values: int = VALUES, indicators: int = 21, waves: int = 10,
                    boundary_paths: Sequence[Path] = ()) -> Path:
    """Write a project with exactly ``values`` indicator values to ``out`` (built aside, renamed).

    Values are given unit by unit (every indicator in every wave) over the registry's
    municipalities in alphabetical order, so most units have a full record and a few at
    the end of the alphabet, spread over the countries, have none — the map shows those
    as "no data".
    """
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    store = ProjectStore.create(tmp, title=f"Synthetic {values:,} values — {LABEL}", author=AUTHOR)
    try:
        units = store.add_many(load_registry(), AUTHOR)
        for path in boundary_paths:
            apply_plan(store, plan_for_project(store, Path(path)), AUTHOR, Path(path).name)
        by_name = sorted((u for u in units if u.kind is not UnitKind.CITY_MUNICIPALITY),
                         key=lambda u: fold(u.name_latin))
        _add_values(store, by_name, values, indicators, waves)
        store.set_meta("synthetic_data", "1", AUTHOR)
        store.set_meta("synthetic_label", LABEL, AUTHOR)
    except BaseException:
        store.close()
        tmp.unlink(missing_ok=True)
        discard_private_lock_file(tmp)
        raise
    store.close()
    os.replace(tmp, out)
    discard_private_lock_file(tmp)  # the private name's lock file; the project's own is beside `out`
    return out


def _add_values(store: ProjectStore, units: list, count: int, n_indicators: int, n_waves: int) -> None:
    indicators = [IndicatorDefinition(code=f"SYN{i:02d}", name=f"Synthetic indicator {i:02d}", unit="score",
                                      scale_min=0, scale_max=10, framework="Synthetic",
                                      description=f"Invented for tests and benchmarks. {LABEL}.")
                  for i in range(1, n_indicators + 1)]
    waves = [StudyWave(name=f"Synthetic wave {2010 + i}", start_date=date(2010 + i, 3, 1),
                       conducted_by="Synthetic demo data", synthetic=True, notes=LABEL)
             for i in range(n_waves)]
    combos = itertools.islice(((u, ind, k, w) for u in units for ind in indicators
                               for k, w in enumerate(waves)), count)
    rows = [IndicatorValue(municipality_uuid=u.uuid, indicator_uuid=ind.uuid, wave_uuid=w.uuid,
                           value=round(synthetic_value(u, ind, k), 2), synthetic=True)
            for u, ind, k, w in combos]
    if len(rows) < count:
        raise ValueError(f"only {len(rows):,} values fit {len(units)} units × {n_indicators} indicators "
                         f"× {n_waves} waves; {count:,} were asked for")
    with store.transaction():
        store.add_many([*indicators, *waves], AUTHOR)
        store.add_many(rows, AUTHOR)


if __name__ == "__main__":  # pragma: no cover - a convenience for benchmarks by hand
    target, *bounds = sys.argv[1:] or ["synthetic-100k.gpkg"]
    print(build_synthetic(Path(target), boundary_paths=[Path(b) for b in bounds]))
