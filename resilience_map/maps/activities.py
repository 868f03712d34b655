"""Hub activities for the map: markers, popups, and the date-range filter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from resilience_map.domain.records import HubActivity, Municipality

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_label(activity: HubActivity) -> str:
    """Dates as precise as the source: "12–13 Sep 2017", "Sep 2019", "2018"."""
    start, end = activity.start_date, activity.end_date
    if activity.date_precision == "year":
        return str(start.year)
    if activity.date_precision == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if end is None or end == start:
        return f"{start.day} {_MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_MONTHS[start.month - 1]} {start.year}"
    first = f"{start.day} {_MONTHS[start.month - 1]} {start.year}"
    return f"{first} – {end.day} {_MONTHS[end.month - 1]} {end.year}"


def activity_period(activity: HubActivity) -> tuple[date, date]:
    """First and last day the activity may cover, given its date precision."""
    start = activity.start_date
    if activity.date_precision == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    if activity.date_precision == "month":
        nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return date(start.year, start.month, 1), date.fromordinal(nxt.toordinal() - 1)
    return start, activity.end_date or start


def visible_activities(activities: Iterable[HubActivity], start: date | None, end: date | None) -> list[str]:
    """Uuids of activities whose period overlaps [start, end] (open ends allowed)."""
    visible = []
    for a in activities:
        first, last = activity_period(a)
        if (start is None or last >= start) and (end is None or first <= end):
            visible.append(a.uuid)
    return visible


def activity_markers(activities: Iterable[HubActivity], units: Mapping[str, Municipality]) -> list[dict[str, object]]:
    """JSON for the page. Text is sent as data and inserted with textContent there."""
    markers: list[dict[str, object]] = []
    for a in activities:
        participants = [p.municipality_uuid for p in a.participants if p.municipality_uuid in units]
        markers.append({
            "id": a.uuid, "type": a.activity_type.value, "typeLabel": a.activity_type.label,
            "title": a.title, "dates": date_label(a), "host": a.host_place,
            "lon": a.host_lon, "lat": a.host_lat, "count": a.participant_count,
            "participants": participants,
            "participantNames": [units[u].name_latin for u in participants],
            "partners": list(a.partners), "topics": list(a.topics), "outcomes": a.outcomes,
        })
    return markers
