"""Raw history entries in words: record names instead of ids, labels instead of stored values.

Names come from the session's indexes and :mod:`resilience_map.domain.kinds` (one place
that knows how each record type is titled), so a history row reads "Trust in
institutions, Kumanovo, Kumanovo baseline 2020" and not a uuid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from resilience_map.domain.kinds import kind_by_table
from resilience_map.domain.records import Record
from resilience_map.session import HistoryEntry, ProjectSession, record_from_json
from resilience_map.ui.widgets.values import display_value, field_types

MAX_TEXT = 60
#: Snapshot fields that say little in a one-line summary.
QUIET_FIELDS = set(Record.META_FIELDS) | {"municipality_uuid", "indicator_uuid", "wave_uuid", "host_lon",
                                          "host_lat", "date_precision", "source_activity_uuid",
                                          "title", "name"}  # title and name are in the Record column


def type_label(table_name: str) -> str:
    """"prevention_structures" → "Prevention structure"."""
    kind = kind_by_table(table_name)
    if kind is not None:
        return kind.heading
    return "Project setting" if table_name == "rm_meta" else table_name.replace("_", " ").capitalize()


def record_type_of(table_name: str) -> type[Record] | None:
    kind = kind_by_table(table_name)
    return kind.record_type if kind else None


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class HistoryRow:
    """One history entry with the words the table shows."""

    entry: HistoryEntry
    record_type: str
    record: str
    field: str
    change: str
    detail: str  # tooltip: full values or the snapshot


class HistoryDescriber:
    """Turns raw history entries into readable rows; remembers record names it looked up."""

    def __init__(self, session: ProjectSession) -> None:
        self.session = session
        self._titles: dict[tuple[str, str], str] = {}

    def forget(self, uuids: set[str]) -> None:
        """These records changed (renamed, deleted): look their names up again."""
        self._titles = {k: v for k, v in self._titles.items() if k[1] not in uuids}

    def row(self, entry: HistoryEntry) -> HistoryRow:
        field = entry.field.replace("_", " ").capitalize() if entry.field else ""
        if entry.field is None and entry.operation in ("insert", "restore", "delete"):
            snapshot = entry.old_value if entry.operation == "delete" else entry.new_value
            change, detail = self._snapshot(entry.table_name, snapshot)
        else:
            old = self._value(entry, entry.old_value)
            new = self._value(entry, entry.new_value)
            change = f"{shorten(old, 28)} → {shorten(new, 28)}"
            detail = f"Before: {old}\nAfter: {new}"
        return HistoryRow(entry, type_label(entry.table_name), self.title(entry.table_name,
                                                                          entry.record_uuid),
                          field, change, detail)

    def title(self, table_name: str, uuid: str) -> str:
        """"Community Action Team (CAT), Kumanovo"; "(deleted) …" when the record is gone."""
        key = (table_name, uuid)
        if key not in self._titles:
            self._titles[key] = self._name(table_name, uuid)
        return self._titles[key]

    def _name(self, table_name: str, uuid: str) -> str:
        kind = kind_by_table(table_name)
        store = self.session.store
        if kind is None or store is None:
            return uuid
        names = self.session.indexes
        current = store.find(kind.record_type, uuid)
        if current is not None:
            return kind.title(current, names)
        snapshot = self._last_snapshot(kind.record_type, uuid)
        return f"(deleted) {kind.title(snapshot, names) if snapshot else uuid}"

    def _last_snapshot(self, record_type: type[Record], uuid: str) -> Record | None:
        store = self.session.require_store()
        entries: list[HistoryEntry] = [*store.history(uuid)]
        for entry in entries:
            text = entry.old_value if entry.operation == "delete" else entry.new_value
            if entry.field is None and text:
                try:
                    return record_from_json(record_type, json.loads(text))
                except (ValueError, TypeError, KeyError):
                    return None
        return None

    def _value(self, entry: HistoryEntry, text: str | None) -> str:
        return self.value_text(entry.table_name, entry.field, text)

    def value_text(self, table_name: str, field: str | None, text: str | None) -> str:
        """A stored history value in words: enumeration labels, yes/no, lists joined."""
        if text is None:
            return "—"
        record_type = record_type_of(table_name)
        hints = field_types(record_type) if record_type else {}
        base = _enum_of(hints.get(field or ""))
        if base is not None:
            try:
                return display_value(base(text))
            except ValueError:
                return text
        if text[:1] in "[{" or text in ("true", "false"):
            try:
                return display_value(_tuple(json.loads(text))) or "—"
            except ValueError:
                return text
        return text

    def _snapshot(self, table_name: str, text: str | None) -> tuple[str, str]:
        """A whole-record snapshot summarised to its first filled-in fields."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return shorten(text or ""), text or ""
        record_type = record_type_of(table_name)
        order = list(field_types(record_type)) if record_type else sorted(data)
        filled = [(k, data[k]) for k in order
                  if k in data and k not in QUIET_FIELDS and data[k] not in (None, "", [], {})]
        summary = ", ".join(f"{k.replace('_', ' ')}: {shorten(self._snapshot_value(record_type, k, v), 24)}"
                            for k, v in filled[:3])
        more = f" (+{len(filled) - 3} more)" if len(filled) > 3 else ""
        detail = "\n".join(f"{k.replace('_', ' ')}: {shorten(self._snapshot_value(record_type, k, v), 200)}"
                           for k, v in filled)
        return summary + more, detail

    def _snapshot_value(self, record_type: type[Record] | None, name: str, value: object) -> str:
        if name == "participants" and isinstance(value, list):
            names = self.session.indexes
            return ", ".join(names.municipality_name(p.get("municipality_uuid")) for p in value)
        enum = _enum_of(field_types(record_type).get(name)) if record_type else None
        if enum is not None and isinstance(value, str):
            try:
                return display_value(enum(value))
            except ValueError:
                return value
        return display_value(_tuple(value))


def _tuple(value: object) -> object:
    return tuple(_tuple(v) for v in value) if isinstance(value, list) else value


def _enum_of(annotation: object) -> type[Enum] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None
