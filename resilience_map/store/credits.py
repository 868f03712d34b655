"""The boundary credits a project records, and those of the polygons it draws.

Each boundary import is one ``rm_meta`` entry ``boundary_import:NNNN`` (JSON: credit,
file, time, author, the units whose polygon it gave), so imports accumulate and each
unit's polygon knows its source: the latest import that lists it. Reading them needs
only the project file, so maps, exports and briefings credit the boundaries without
loading the import machinery (:mod:`resilience_map.io.attribution` writes them).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resilience_map.store.project import ProjectStore

IMPORT_KEY_PREFIX = "boundary_import:"


@dataclass(frozen=True)
class BoundaryCredit:
    """The credit line a boundary source asks for, and its licence ('' = not stated)."""

    source: str
    licence: str = ""
    #: Where the file says it comes from, when that differs from the credit line.
    origin: str = ""

    def text(self) -> str:
        """One line for an attribution control or an export's footer."""
        licence = self.licence or "licence not recorded"
        return f"Boundaries: {self.source} ({licence})"


@dataclass(frozen=True)
class ImportRecord:
    """One boundary import as the project keeps it."""

    key: str
    credit: BoundaryCredit
    file: str
    imported_at: str
    author: str
    units: tuple[str, ...]  # registry ids given a polygon from the file itself
    derived: tuple[str, ...] = ()  # registry ids given the union of their members' polygons

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("key")
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, key: str, text: str) -> ImportRecord:
        data = json.loads(text)
        return cls(key=key, credit=BoundaryCredit(**data["credit"]), file=data["file"],
                   imported_at=data["imported_at"], author=data["author"],
                   units=tuple(data["units"]), derived=tuple(data.get("derived", ())))


@dataclass(frozen=True)
class CreditInUse:
    """A credit the map must show, with how many drawn units it covers."""

    credit: BoundaryCredit
    units: int
    files: tuple[str, ...]

    def text(self) -> str:
        return self.credit.text()


def import_records(meta: dict[str, str]) -> list[ImportRecord]:
    """The imports recorded in a project's ``rm_meta`` entries, oldest first."""
    return [ImportRecord.from_json(k, v) for k, v in sorted(meta.items())
            if k.startswith(IMPORT_KEY_PREFIX)]


def next_import_key(meta: dict[str, str]) -> str:
    numbers = [int(k[len(IMPORT_KEY_PREFIX):]) for k in meta
               if k.startswith(IMPORT_KEY_PREFIX) and k[len(IMPORT_KEY_PREFIX):].isdigit()]
    return f"{IMPORT_KEY_PREFIX}{max(numbers, default=0) + 1:04d}"


def polygon_origins(records: list[ImportRecord]) -> dict[str, ImportRecord]:
    """registry id → the import its current polygon came from (the latest that lists it)."""
    origins: dict[str, ImportRecord] = {}
    for record in records:
        for unit_id in (*record.units, *record.derived):
            origins[unit_id] = record
    return origins


UNRECORDED = BoundaryCredit("source not recorded (imported before sources were kept)")


def boundary_credits(store: ProjectStore) -> list[CreditInUse]:
    """Credits of the boundaries a project draws, most units first.

    ``store`` is an open :class:`~resilience_map.store.ProjectStore`. Polygons with
    no recorded import (projects from before sources were kept) are counted under
    :data:`UNRECORDED`, so an export never drops a credit silently.
    """
    origins = polygon_origins(import_records(store.meta_items(IMPORT_KEY_PREFIX)))
    drawn = set(store.boundaries())
    counts: Counter[BoundaryCredit] = Counter()
    files: dict[BoundaryCredit, set[str]] = {}
    for unit in store.municipalities():
        if unit.uuid not in drawn:
            continue
        record = origins.get(unit.registry_id)
        credit = record.credit if record else UNRECORDED
        counts[credit] += 1
        files.setdefault(credit, set()).update([record.file] if record else [])
    return [CreditInUse(credit, n, tuple(sorted(files[credit])))
            for credit, n in sorted(counts.items(), key=lambda item: (-item[1], item[0].source))]
