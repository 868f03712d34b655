"""Typed change events and the bus that delivers them.

Every change to the open project — an edit in a form, an undo, a study-table import, a
sync — ends in the same events, which carry the records themselves: a view patches
exactly what changed (one table row, one map style, one profile section) without
reading a table again. Subscribers choose events by type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.records import Record
from resilience_map.store.project import HistoryEntry, ProjectInfo

#: Why a change happened: a new step, or the undo/redo of an earlier one.
Origin = Literal["do", "undo", "redo"]


@dataclass(frozen=True)
class Event:
    """Base class of everything on the bus."""


@dataclass(frozen=True)
class ProjectOpened(Event):
    info: ProjectInfo
    #: Things the user should be told (an upgrade's backup copy, a recovered save…).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectClosed(Event):
    path: Path


@dataclass(frozen=True)
class RecordsChanged(Event):
    """Records of ONE type were added, changed or removed in one step."""

    record_type: type[Record]
    added: tuple[Record, ...] = ()
    updated: tuple[tuple[Record, Record], ...] = ()  # (before, after)
    removed: tuple[Record, ...] = ()
    origin: Origin = "do"

    def uuids(self) -> set[str]:
        return ({r.uuid for r in self.added} | {a.uuid for _b, a in self.updated}
                | {r.uuid for r in self.removed})

    def current(self) -> list[Record]:
        """The records as they are now (added and updated)."""
        return [*self.added, *(after for _before, after in self.updated)]


@dataclass(frozen=True)
class BoundariesChanged(Event):
    """Boundary polygons of some municipalities were set or removed."""

    before: Mapping[str, BaseGeometry | None]
    after: Mapping[str, BaseGeometry | None]
    origin: Origin = "do"


@dataclass(frozen=True)
class MetaChanged(Event):
    """A project setting (title, boundary credits…) changed."""

    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class HistoryWritten(Event):
    """The history rows one step wrote, newest last (sent after the change events)."""

    entries: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class SelectionChanged(Event):
    """The municipality everyone shows as selected (None: nothing selected).

    ``source`` names the view that made the choice, so it need not react to itself.
    """

    uuid: str | None
    previous: str | None
    source: str = ""
    zoom: bool = True


@dataclass(frozen=True)
class UndoStateChanged(Event):
    """What Edit → Undo / Redo would do now (empty text: nothing)."""

    undo_text: str
    redo_text: str


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


class EventBus:
    """Delivers events to subscribers of their type (and of their base types), in order.

    A handler that raises does not stop the others: the change is already saved, and
    one broken view must not leave the rest showing stale data. Errors are collected
    and re-raised after everyone was told.
    """

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for every event of ``event_type``; returns an unsubscribe function."""
        self._handlers[event_type].append(handler)
        return lambda: self._handlers[event_type].remove(handler)

    def emit(self, *events: Event) -> None:
        errors: list[BaseException] = []
        for event in events:
            for event_type in type(event).__mro__:
                for handler in list(self._handlers.get(event_type, ())):
                    try:
                        handler(event)
                    except Exception as exc:
                        errors.append(exc)
        if errors:
            raise errors[0]
