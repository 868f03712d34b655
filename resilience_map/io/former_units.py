"""Local self-government units that no longer exist because they were merged into another.

Boundary files outlive reforms: a layer made before 2013 still has North Macedonia's
Drugovo, Oslomej, Vraneštica and Zajas, which are part of Kičevo today. Matching
offers such a feature as a part of its successor instead of leaving it unknown
(``data/former_units.csv``; its source is in ``data/README.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from resilience_map.assets import data_file

FORMER_UNITS_FILE = "former_units.csv"


@dataclass(frozen=True)
class FormerUnit:
    """A merged unit: its name, the registry unit it is part of now, and when."""

    country: str
    name: str
    successor_id: str
    merged_year: int


@lru_cache(maxsize=1)
def load_former_units() -> tuple[FormerUnit, ...]:
    """Every former unit in the bundled list, in file order."""
    with data_file(FORMER_UNITS_FILE).open(encoding="utf-8", newline="") as handle:
        return tuple(FormerUnit(row["country"].strip(), row["name"].strip(),
                                row["successor_id"].strip(), int(row["merged_year"]))
                     for row in csv.DictReader(handle))


def former_parts_of(successor_id: str,
                    former: tuple[FormerUnit, ...] | None = None) -> tuple[FormerUnit, ...]:
    """The former units merged into ``successor_id``."""
    return tuple(f for f in (former if former is not None else load_former_units())
                 if f.successor_id == successor_id)
