"""The boundary credits a project records, and those of the polygons it draws.

Each boundary import is one ``rm_meta`` entry ``boundary_import:NNNN`` (JSON: credit,
file, time, author, the units whose polygon it gave), so imports accumulate and each
unit's polygon knows its source: the latest import that lists it. Reading them needs
only the project file, so maps, exports and briefings credit the boundaries without
loading the import machinery (:mod:`resilience_map.io.attribution` writes them).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resilience_map.domain.records import Municipality
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
    return credits_in_use(import_records(store.meta_items(IMPORT_KEY_PREFIX)),
                          store.municipalities(), set(store.boundaries()))


def credits_in_use(records: list[ImportRecord], units: Iterable[Municipality],
                   with_polygon: Collection[str]) -> list[CreditInUse]:
    """:func:`boundary_credits` for callers that already hold the units and know which have
    a polygon (the map window: no need to read every geometry again)."""
    origins = polygon_origins(records)
    counts: Counter[BoundaryCredit] = Counter()
    files: dict[BoundaryCredit, set[str]] = {}
    for unit in units:
        if unit.uuid not in with_polygon:
            continue
        record = origins.get(unit.registry_id)
        credit = record.credit if record else UNRECORDED
        counts[credit] += 1
        files.setdefault(credit, set()).update([record.file] if record else [])
    return [CreditInUse(credit, n, tuple(sorted(files[credit])))
            for credit, n in sorted(counts.items(), key=lambda item: (-item[1], item[0].source))]


def short_credit_line(credits: Iterable[BoundaryCredit]) -> str:
    """One line naming the providers, "Boundaries: © OpenStreetMap contributors · geoBoundaries"
    ('' without credits): what a small map shows, its full lines a click away."""
    names = [name.replace("© ", "©\u00a0") for name in credit_names(credits)]  # © stays with its name
    return f"Boundaries: {' · '.join(names)}" if names else ""


def credit_lines(credits: Iterable[CreditInUse]) -> list[str]:
    """Each credit's line once (imports of one source from several files read alike)."""
    return list(dict.fromkeys(credit.text() for credit in credits))


def credit_names(credits: Iterable[BoundaryCredit]) -> list[str]:
    """The providers the credits name, short and once each ("© OpenStreetMap contributors",
    "geoBoundaries", "Data from Who's On First"…), for a one-line attribution whose full
    lines (with citations and licences) are a click away."""
    names: dict[str, None] = {}
    for credit in credits:
        for part in _without_brackets(credit.source).split(";"):
            # the provider comes first; what follows a comma is provenance ("…, BIH ADM3 from …")
            name = " ".join(part.split(",")[0].split())
            if name:
                names.setdefault(name)
    return list(names)


def _without_brackets(text: str) -> str:
    """Text with its parenthesised details removed, nested ones too ("(PLoS ONE 15(4))")."""
    while True:
        shorter = re.sub(r"\([^()]*\)", "", text)
        if shorter == text:
            return text
        text = shorter
