"""The map scene: what to draw for a project and a style, independent of any renderer (Qt-free).

One classification path for every output: the scene takes its colours and legend from
:func:`maps.choropleth.build_choropleth` (as the window does) and adds everything else a
map shows — no-data style, seat circles for units without polygons, city outlines,
country borders, structure symbols, SCN members, activity markers, labels with
priorities, legend sections with counts, title, subtitle, credits and the synthetic badge.
Geometry stays in longitude/latitude; a renderer projects it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import shapely
from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import ActivityType, StructureType, UnitKind
from resilience_map.domain.records import HubActivity, Municipality, PreventionStructure, StudyWave
from resilience_map.domain.scripts import cyrillic_language
from resilience_map.maps.activities import date_label
from resilience_map.maps.choropleth import ChoroplethStyle, build_choropleth
from resilience_map.maps.features import MAX_LISTED_SEATS, drawn_as_seat, outlined_units, unit_labels
from resilience_map.maps.palettes import NO_DATA_COLOR
from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene_model import (
    NAME_FORMS,
    PRINT_LAYERS,
    Area,
    Bounds,
    Label,
    Layer,
    LegendItem,
    LegendSection,
    MapScene,
    PointSymbol,
    SceneStyle,
    Seat,
    parse_layers,
    settings_for,
)
from resilience_map.maps.symbols import (
    ACTIVITY_COLORS,
    ACTIVITY_LETTERS,
    CONTEXT_FILL,
    HIGHLIGHT_COLOR,
    SCN_COLOR,
    SCN_SHAPE,
    STATUS_FILL_OPACITY,
    STRUCTURE_COLORS,
    STRUCTURE_SHAPES,
)

__all__ = [  # what the scene's users import from here
    "NAME_FORMS", "PRINT_LAYERS", "Area", "Bounds", "Label", "Layer", "LegendItem", "LegendSection",
    "MapScene", "PointSymbol", "SceneStyle", "Seat", "border_tolerance", "build_scene", "parse_layers",
    "settings_for", "unit_extent",
]


def border_tolerance(extent: Bounds) -> float:
    """Country outlines are simplified to about 1/2000 of the map's width (three cached levels)."""
    width = extent[2] - extent[0]
    return next((t for t in (0.0005, 0.002) if width / 2000 <= t), 0.004)


def build_scene(data: ProjectData, style: SceneStyle) -> MapScene:
    """Everything to draw for ``data`` in ``style`` (one call per export or restyle)."""
    if style.name_form not in NAME_FORMS:
        raise ValueError(f"unknown name form {style.name_form!r} (choose {', '.join(NAME_FORMS)})")
    cities = outlined_units(data.units, data.boundaries)
    outlined = {u.uuid: data.boundaries[u.uuid] for u in data.units if u.registry_id in cities}
    filled = [u for u in data.units if u.uuid in data.boundaries and u.uuid not in outlined]
    seats = [u for u in data.units if drawn_as_seat(u, data.boundaries, data.by_registry_id)]
    seats += [  # an emphasised unit is always shown, at least at its seat
        u
        for u in data.units
        if u.uuid in style.highlight
        and u.uuid not in data.boundaries
        and u.seat_lon is not None
        and not drawn_as_seat(u, data.boundaries, data.by_registry_id)
    ]
    if style.extent is not None:  # a close-up: only what can show (and the classification still sees all)
        all_drawn = [u.uuid for u in filled] + [u.uuid for u in seats]
        filled, seats = _near(filled, seats, data, style.extent)
        outlined = {k: g for k, g in outlined.items() if g.intersects(shapely.box(*style.extent))}
    else:
        all_drawn = None
    drawn_ids = [u.uuid for u in filled] + [u.uuid for u in seats]
    chor = _choropleth(data, style, all_drawn or drawn_ids)
    fill_of = _fill_function(chor, style, data)
    areas = tuple(
        Area(u.uuid, data.boundaries[u.uuid], *fill_of(u.uuid), u.uuid in style.highlight) for u in filled
    )
    seat_marks = tuple(Seat(u.uuid, *_seat(u), *fill_of(u.uuid), u.uuid in style.highlight) for u in seats)
    anchors = _anchors(filled, seats, data)
    extent = style.extent or _bounds([*(a.geometry for a in areas)], seat_marks)
    legend = _legend(chor, style, data, seats)
    title, subtitle = _titles(chor, style, data)
    return MapScene(
        title=title,
        subtitle=subtitle,
        areas=areas,
        seats=seat_marks,
        outlines=tuple(outlined.values()) if Layer.BORDERS in style.layers else (),
        borders=tuple(data.country_borders(border_tolerance(extent)).values())
        if Layer.BORDERS in style.layers
        else (),
        symbols=tuple(_symbols(data, style, anchors)),
        labels=tuple(_labels(data, style, anchors, drawn_ids)) if Layer.LABELS in style.layers else (),
        legend=legend,
        extent=extent,
        synthetic_label=data.synthetic_label,
        credits=data.boundary_credits,
        sources=_sources(data, chor, style),
        layers=style.layers,
        country_extents=_country_extents(data, filled),
    )


def _seat(unit: Municipality) -> tuple[float, float]:
    """(lon, lat) of a unit drawn at its seat: only units with a seat are (a record has both
    coordinates or neither)."""
    assert unit.seat_lon is not None and unit.seat_lat is not None
    return unit.seat_lon, unit.seat_lat


def _near(
    filled: list[Municipality], seats: list[Municipality], data: ProjectData, extent: Bounds
) -> tuple[list[Municipality], list[Municipality]]:
    x0, y0, x1, y1 = extent
    dx, dy = (x1 - x0) * 0.25, (y1 - y0) * 0.25
    window = shapely.box(x0 - dx, y0 - dy, x1 + dx, y1 + dy)
    hits: Iterable[bool] = shapely.intersects(window, [data.boundaries[u.uuid] for u in filled]) if filled else []
    near_seats = [u for u in seats if x0 - dx <= _seat(u)[0] <= x1 + dx and y0 - dy <= _seat(u)[1] <= y1 + dy]
    return [u for u, hit in zip(filled, hits, strict=False) if hit], near_seats


# --- colours -------------------------------------------------------------------------------
def _choropleth(data: ProjectData, style: SceneStyle, drawn_ids: list[str]) -> ChoroplethStyle | None:
    settings = style.choropleth
    if settings is None or Layer.MUNICIPALITIES not in style.layers:
        return None
    indicator = next(i for i in data.indicators if i.uuid == settings.indicator_uuid)
    return build_choropleth(
        settings, indicator, data.waves, data.value_index, drawn_ids, data.synthetic_label
    )


def _fill_function(
    chor: ChoroplethStyle | None, style: SceneStyle, data: ProjectData
) -> Callable[[str], tuple[str, bool]]:
    """uuid → (fill colour, no data?)."""
    if chor is None:

        def plain(uuid: str) -> tuple[str, bool]:
            return (HIGHLIGHT_COLOR if uuid in style.highlight else CONTEXT_FILL), False

        return plain

    def classed(uuid: str) -> tuple[str, bool]:
        unit = data.by_uuid.get(uuid)
        if style.country is not None and unit is not None and unit.country is not style.country:
            return CONTEXT_FILL, False
        s = chor.styles.get(uuid)
        return (s["c"], False) if s else (NO_DATA_COLOR, True)

    return classed


# --- anchors, symbols, labels ----------------------------------------------------------------
def _anchors(
    filled: list[Municipality], seats: list[Municipality], data: ProjectData
) -> dict[str, tuple[float, float]]:
    """Where a unit's symbols and label sit: a point inside its polygon, else its seat."""
    points = shapely.point_on_surface([data.boundaries[u.uuid] for u in filled])
    out = {u.uuid: (float(p.x), float(p.y)) for u, p in zip(filled, points, strict=False)}
    out.update({u.uuid: _seat(u) for u in seats})
    for u in data.units:  # outlined cities and sub-units without polygons: their seat
        if u.uuid not in out and u.seat_lon is not None and u.seat_lat is not None:
            out[u.uuid] = (u.seat_lon, u.seat_lat)
    return out


def _symbols(
    data: ProjectData, style: SceneStyle, anchors: dict[str, tuple[float, float]]
) -> Iterable[PointSymbol]:
    def shown(uuid: str) -> bool:
        unit = data.by_uuid.get(uuid)
        return style.country is None or (unit is not None and unit.country is style.country)

    if Layer.COVERAGE in style.layers:
        per_unit: dict[str, list[PreventionStructure]] = {}
        for s in data.structures:
            if not shown(s.municipality_uuid):
                continue
            per_unit.setdefault(s.municipality_uuid, []).append(s)
        for uuid, items in per_unit.items():
            if uuid not in anchors:
                continue
            for i, s in enumerate(items):
                yield PointSymbol(
                    Layer.COVERAGE,
                    uuid,
                    *anchors[uuid],
                    STRUCTURE_SHAPES[s.structure_type],
                    STRUCTURE_COLORS[s.structure_type],
                    STATUS_FILL_OPACITY[s.status],
                    title=f"{s.structure_type.label} ({s.status.label.lower()})",
                    slot=i,
                    slots=len(items),
                )
    if Layer.SCN in style.layers:
        for u in data.units:
            if u.scn_member_since is not None and u.uuid in anchors and shown(u.uuid):
                yield PointSymbol(
                    Layer.SCN,
                    u.uuid,
                    *anchors[u.uuid],
                    SCN_SHAPE,
                    SCN_COLOR,
                    title=f"Strong Cities Network member since {u.scn_member_since:%B %Y}",
                )
    if Layer.ACTIVITIES in style.layers:
        by_place: dict[tuple[float, float], list[HubActivity]] = {}
        for a in data.activities:
            if a.host_lon is not None and a.host_lat is not None:
                by_place.setdefault((round(a.host_lon, 4), round(a.host_lat, 4)), []).append(a)
        for (lon, lat), acts in by_place.items():
            for i, a in enumerate(acts):
                yield PointSymbol(
                    Layer.ACTIVITIES,
                    a.uuid,
                    lon,
                    lat,
                    "circle",
                    ACTIVITY_COLORS[a.activity_type],
                    letter=ACTIVITY_LETTERS[a.activity_type],
                    title=f"{a.title} ({date_label(a)})",
                    slot=i,
                    slots=len(acts),
                )


def _labels(
    data: ProjectData, style: SceneStyle, anchors: dict[str, tuple[float, float]], drawn_ids: list[str]
) -> Iterable[Label]:
    """Priority: emphasised units, cities, then larger population and area."""
    drawn = set(drawn_ids) | {
        u.uuid for u in data.units if u.kind is UnitKind.CITY and u.uuid in data.boundaries
    }
    wanted = [
        data.by_uuid[u]
        for u in drawn
        if u in data.by_uuid
        and u in anchors
        and (style.labelled is None or u in style.labelled)
        and (style.country is None or data.by_uuid[u].country is style.country)
    ]

    def rank(u: Municipality) -> tuple[bool, bool, int, float, str]:
        area = data.boundaries[u.uuid].area if u.uuid in data.boundaries else 0.0
        return (
            u.uuid not in style.highlight,
            u.kind is not UnitKind.CITY,
            -(u.population or 0),
            -area,
            u.name_latin,
        )

    for priority, u in enumerate(sorted(wanted, key=rank)):
        text = unit_labels(u)[style.name_form] or u.name_latin
        yield Label(
            u.uuid,
            text,
            *anchors[u.uuid],
            priority,
            cyrillic_language(text, u.country),
            u.uuid in style.highlight,
            u.kind is UnitKind.CITY,
        )


# --- legend, titles, sources -------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _legend(
    chor: ChoroplethStyle | None, style: SceneStyle, data: ProjectData, seats: list[Municipality]
) -> tuple[LegendSection, ...]:
    sections = []
    if chor is not None and chor.legend is not None:
        lg = chor.legend
        # the choropleth's own range texts: true ranges for empty and open-ended classes
        items = [LegendItem(c.label or f"{_number(c.lower)} – {_number(c.upper)}", c.color, c.count)
                 for c in lg.classes]
        if lg.no_data_count:
            items.append(LegendItem("No data", lg.no_data_color, lg.no_data_count, dashed=True))
        title = f"{lg.title} ({lg.unit})" if lg.unit else lg.title
        sections.append(LegendSection(title, tuple(items), lg.note))
    if seats and Layer.MUNICIPALITIES in style.layers:
        text = (
            "drawn at their seat: " + ", ".join(sorted(u.name_latin for u in seats))
            if len(seats) <= MAX_LISTED_SEATS
            else "drawn as circles at their seats (import boundaries to draw them)"
        )
        sections.append(
            LegendSection(
                "Without a boundary polygon", (LegendItem(text, NO_DATA_COLOR, len(seats), shape="circle"),)
            )
        )
    if Layer.COVERAGE in style.layers:
        places: dict[StructureType, set[str]] = {}
        for s in data.structures:
            places.setdefault(s.structure_type, set()).add(s.municipality_uuid)
        items = [
            LegendItem(t.label, STRUCTURE_COLORS[t], len(u), STRUCTURE_SHAPES[t]) for t, u in places.items()
        ]
        sections.append(
            LegendSection(
                "Prevention structures (municipalities)",
                tuple(items),
                "Filled = active, hollow = planned, faded = dormant, half = status unknown.",
            )
        )
    if Layer.SCN in style.layers:
        n = sum(u.scn_member_since is not None for u in data.units)
        sections.append(
            LegendSection("Strong Cities Network", (LegendItem("member", SCN_COLOR, n, SCN_SHAPE),))
        )
    if Layer.ACTIVITIES in style.layers:
        counts: dict[ActivityType, int] = {}
        for a in data.activities:
            if a.host_lon is not None:
                counts[a.activity_type] = counts.get(a.activity_type, 0) + 1
        sections.append(
            LegendSection(
                "Hub activities",
                tuple(
                    LegendItem(t.label, ACTIVITY_COLORS[t], n, "letter", ACTIVITY_LETTERS[t])
                    for t, n in counts.items()
                ),
            )
        )
    return tuple(sections)


def _titles(chor: ChoroplethStyle | None, style: SceneStyle, data: ProjectData) -> tuple[str, str]:
    if chor is None or chor.legend is None or style.choropleth is None:
        return style.title or data.title, ""
    settings = style.choropleth
    classes = chor.legend.method or f"{settings.scheme.label}, {len(chor.legend.classes)} classes"
    return style.title or chor.legend.title, f"{chor.legend.subtitle} · {classes}"


def _sources(data: ProjectData, chor: ChoroplethStyle | None, style: SceneStyle) -> tuple[str, ...]:
    out = [f"Project: {data.title}"] if data.title else []
    if chor is not None and style.choropleth is not None:
        wave: StudyWave = next(w for w in data.waves if w.uuid == style.choropleth.wave_uuid)
        out.append(f"Indicator data: {wave.conducted_by or 'as recorded in the project'}")
    return tuple(out)


def _bounds(geoms: list[BaseGeometry], seats: Iterable[Seat]) -> Bounds:
    everything = [*geoms, *(shapely.Point(s.lon, s.lat) for s in seats)]
    if not everything:
        return (18.4, 39.6, 23.1, 46.2)  # the six countries
    return _total_bounds(everything)


def _country_extents(data: ProjectData, filled: list[Municipality]) -> dict[str, Bounds]:
    out: dict[str, list[BaseGeometry]] = {}
    for u in filled:
        out.setdefault(u.country.value, []).append(data.boundaries[u.uuid])
    return {c: _total_bounds(g) for c, g in out.items()}


def _total_bounds(geoms: list[BaseGeometry]) -> Bounds:
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    return x0, y0, x1, y1


def unit_extent(data: ProjectData, uuids: Iterable[str], margin: float = 0.35) -> Bounds:
    """Lon/lat bounds around some units, widened by ``margin`` of their size (for locator maps)."""
    geoms = [data.boundaries[u] for u in uuids if u in data.boundaries]
    geoms += [
        shapely.Point(*_seat(data.by_uuid[u]))
        for u in uuids
        if u not in data.boundaries and u in data.by_uuid and data.by_uuid[u].seat_lon is not None
    ]
    if not geoms:
        raise ValueError("nothing to show: none of these municipalities has a boundary or a seat")
    x0, y0, x1, y1 = _total_bounds(geoms)
    dx, dy = max(x1 - x0, 0.08), max(y1 - y0, 0.06)
    return (x0 - dx * margin, y0 - dy * margin, x1 + dx * margin, y1 + dy * margin)
