"""Every message between Python and the map page, one frozen dataclass each.

The page (``resources/map*.js``) has one handler per message to it, and Python one per
message from it; a test checks both lists against the classes here, so a message
cannot be added on one side only. On the wire a message is JSON: its fields plus
``"op"``, the class's :attr:`Message.op`. A message with an op the receiver does not
know is reported (Python logs and signals it; the page answers :class:`UnknownOp`),
never silently dropped. There is no "evaluate this script" message: the page runs only
its own code.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

Json = dict[str, Any]  # a JSON object

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)


class ProtocolError(ValueError):
    """A message that cannot be read: not JSON, an unknown op, or missing fields."""


class RawJson(str):
    """Text that is already JSON (e.g. GeoJSON written by GEOS), embedded as is."""


class Message:
    """Base of all messages; ``op`` names the message on the wire."""

    op: ClassVar[str] = ""


TO_PAGE: dict[str, type[ToPage]] = {}
FROM_PAGE: dict[str, type[FromPage]] = {}


class ToPage(Message):
    """A message Python sends to the page."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        TO_PAGE[cls.op] = cls


class FromPage(Message):
    """A message the page sends to Python."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        FROM_PAGE[cls.op] = cls


# --- Python → page ------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class LoadProject(ToPage):
    """Everything the page draws; the colours may come with it or by :class:`ApplyStyle`."""

    op: ClassVar[str] = "load"
    polygons: RawJson | Json  # GeoJSON FeatureCollection, feature id = municipality uuid
    #: Cities whose member municipalities have polygons (the City of Skopje over its ten):
    #: a dashed line above them, selectable by its line, never a fill that hides them.
    outlines: RawJson | Json
    seats: list[Json]  # units drawn as circles: {id, lon, lat}
    #: Units the legend lists as drawn at their seat for want of a polygon (Tuzi, Zeta,
    #: Stanari), in legend order; empty when no unit has a polygon (the guide says so).
    seat_only: list[str]
    bounds: Bounds
    names: dict[str, dict[str, str]]  # uuid → {latin, local, en}
    anchors: dict[str, list[float]]  # uuid → [lon, lat] for labels and symbols
    label_order: list[str]
    coverage: dict[str, list[Json]]
    summary: list[str]
    scn: list[Json]
    activities: list[Json]
    synthetic: str = ""
    #: What the legend adds about the units at their seat: how to give them a polygon.
    seat_note: str = ""
    hidden: list[str] = field(default_factory=list)  # layers switched off
    fit: bool = True  # fit the region (a new project) or keep the view (a reload)
    #: The colours (an ApplyStyle's fields), so the first frame is already coloured.
    style: Json | None = None


@dataclass(frozen=True, eq=False)
class ApplyStyle(ToPage):
    op: ClassVar[str] = "style"
    styles: dict[str, Json]  # uuid → {"c": colour, "k": class, "v": value}
    legend: Json | None
    token: str = ""  # answered with StyleApplied once the colours can be on screen


@dataclass(frozen=True, eq=False)
class ShowBorders(ToPage):
    """Country outlines (GeoJSON, id = country code), drawn above the municipal borders and
    not clickable. Kept across :class:`LoadProject` messages: sent when the polygons change."""

    op: ClassVar[str] = "borders"
    borders: RawJson | Json


@dataclass(frozen=True, eq=False)
class ShowCredits(ToPage):
    """The attribution control's lines: who made the boundaries in use, under which licence
    (e.g. "Boundaries: © OpenStreetMap contributors (ODbL 1.0)"); plain text, one per line."""

    op: ClassVar[str] = "credits"
    lines: list[str]
    #: A one-line form naming the providers: shown with the full lines folded behind it
    #: (empty: the full lines are shown).
    short: str = ""


@dataclass(frozen=True)
class Select(ToPage):
    op: ClassVar[str] = "select"
    id: str | None
    zoom: bool = True


@dataclass(frozen=True, eq=False)
class ShowActivities(ToPage):
    """Only these activities are shown (the date filter)."""

    op: ClassVar[str] = "activities"
    visible: list[str]


@dataclass(frozen=True, eq=False)
class PatchActivities(ToPage):
    """Activities added/changed (``upsert``, full markers) or removed (uuids)."""

    op: ClassVar[str] = "patch_activities"
    upsert: list[Json]
    remove: list[str]
    visible: list[str]


@dataclass(frozen=True, eq=False)
class PatchCoverage(ToPage):
    """New structure symbols for some municipalities (an empty list removes them)."""

    op: ClassVar[str] = "patch_coverage"
    coverage: dict[str, list[Json]]
    summary: list[str]


@dataclass(frozen=True, eq=False)
class PatchNames(ToPage):
    """New names for some municipalities, and the label priority that follows."""

    op: ClassVar[str] = "patch_names"
    names: dict[str, dict[str, str]]
    label_order: list[str]
    scn: list[Json]
    summary: list[str]


@dataclass(frozen=True)
class SetLayerVisible(ToPage):
    op: ClassVar[str] = "visibility"
    layer: str
    visible: bool


@dataclass(frozen=True, eq=False)
class SetLayerOrder(ToPage):
    op: ClassVar[str] = "order"
    layers: list[str]  # bottom → top


@dataclass(frozen=True)
class SetLayerOpacity(ToPage):
    op: ClassVar[str] = "opacity"
    layer: str
    opacity: float


@dataclass(frozen=True)
class SetNameForm(ToPage):
    op: ClassVar[str] = "name_form"
    form: str  # latin | local | en


@dataclass(frozen=True)
class SetBasemap(ToPage):
    op: ClassVar[str] = "basemap"
    on: bool
    url: str = ""
    attribution: str = ""


@dataclass(frozen=True, eq=False)
class HighlightParticipants(ToPage):
    op: ClassVar[str] = "participants"
    ids: list[str]
    activity: str | None


@dataclass(frozen=True)
class ShowArea(ToPage):
    """Show these bounds (None: the whole region, fitted beside the legend)."""

    op: ClassVar[str] = "view"
    bounds: Bounds | None


@dataclass(frozen=True, eq=False)
class ShowGuide(ToPage):
    """A note on the map saying what to do next (no boundaries, no values…); empty hides it."""

    op: ClassVar[str] = "guide"
    title: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AskBounds(ToPage):
    """Ask which area the map shows (answered by :class:`BoundsReported`)."""

    op: ClassVar[str] = "ask_bounds"
    token: int


# --- page → Python ------------------------------------------------------------------------

@dataclass(frozen=True)
class PageReady(FromPage):
    op: ClassVar[str] = "ready"


@dataclass(frozen=True)
class UnitClicked(FromPage):
    op: ClassVar[str] = "unit_clicked"
    id: str


@dataclass(frozen=True)
class ActivityClicked(FromPage):
    op: ClassVar[str] = "activity_clicked"
    id: str


@dataclass(frozen=True)
class StyleApplied(FromPage):
    op: ClassVar[str] = "style_applied"
    token: str


@dataclass(frozen=True)
class BoundsReported(FromPage):
    op: ClassVar[str] = "bounds"
    token: int
    bounds: list[float]


@dataclass(frozen=True)
class UnknownOp(FromPage):
    """The page received a message it has no handler for."""

    op: ClassVar[str] = "unknown_op"
    received: str


@dataclass(frozen=True)
class PageError(FromPage):
    """An error in the page's script (reported so it reaches the log, not just a console)."""

    op: ClassVar[str] = "page_error"
    message: str


# --- the wire --------------------------------------------------------------------------------

def encode(message: ToPage) -> str:
    """JSON text for the page; :class:`RawJson` fields are embedded without re-encoding."""
    payload: dict[str, Any] = {"op": message.op}
    raw: dict[str, str] = {}
    nonce = secrets.token_hex(4)  # a marker no project text can contain by chance
    for f in fields(message):  # type: ignore[arg-type]
        value = getattr(message, f.name)
        if isinstance(value, RawJson):
            marker = f"\x00raw{len(raw)}-{nonce}\x00"
            raw[json.dumps(marker)] = value
            value = marker
        payload[f.name] = value
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for marker, value in raw.items():
        text = text.replace(marker, value, 1)
    return text


def decode(text: str) -> FromPage:
    """The page's message as its dataclass; ProtocolError says what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"a message from the map page is not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise ProtocolError("a message from the map page is not an object")
    op = data.pop("op", None)
    cls = FROM_PAGE.get(op) if isinstance(op, str) else None
    if cls is None:
        raise ProtocolError(f"the map page sent an unknown message {op!r}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    missing = [f.name for f in fields(cls) if f.name not in data]  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if missing or unknown:
        raise ProtocolError(f"the map page's {op!r} message has missing fields {missing} "
                            f"or unknown fields {unknown}")
    return cls(**data)
