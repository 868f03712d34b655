"""What the map says when it has little to show: where boundaries come from, what to do next.

A new project has the registry's municipalities but no boundaries and no study data;
an empty map with a grey legend teaches nothing. The note names the menu entries that
exist in the window and the public sources a practitioner can download boundaries from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guide:
    """A title, a first line the map always shows, and further lines it may fold away."""

    title: str
    lines: tuple[str, ...]


NO_BOUNDARIES = Guide(
    "No municipal boundaries yet",
    (
        "Municipalities show as circles at their seats. To draw their areas: "
        "File → Import boundaries… (GeoJSON, GeoPackage, Shapefile or FlatGeobuf).",
        "Each area is matched to its municipality by code or name; you confirm any match that "
        "is not certain, and the import can be undone.",
        "Where to get boundaries: geoBoundaries (geoboundaries.org, municipal level ADM2/ADM3, "
        "open licences), OpenStreetMap extracts (e.g. download.geofabrik.de), or your national "
        "statistical or cadastre agency.",
    ),
)


def guide_for(units: int, boundaries: int, indicators: int, waves: int, values: int) -> Guide | None:
    """The note for a project with these counts, or None when the map speaks for itself."""
    if units == 0:
        return Guide("This project has no municipalities",
                     ("Create a project with File → New project…: it starts with every "
                      "municipality of the six countries.",))
    steps: list[str] = []
    if boundaries == 0:
        return Guide(NO_BOUNDARIES.title, NO_BOUNDARIES.lines + tuple(_data_steps(indicators, waves, values)))
    steps = _data_steps(indicators, waves, values)
    if steps:
        return Guide("No indicator values to colour the map yet", tuple(steps))
    return None


def _data_steps(indicators: int, waves: int, values: int) -> list[str]:
    if values:
        return []
    steps = []
    if not indicators:
        steps.append("Add the indicators you measure with Records → New indicator….")
    if not waves:
        steps.append("Add a study wave (when and by whom the survey was done) with "
                     "Records → New study wave….")
    steps.append("Then enter indicator values in a municipality's profile or in the Records table; "
                 "the map colours each municipality by the chosen indicator and wave.")
    return steps
