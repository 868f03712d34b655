"""What the map says when it has little to show: where boundaries come from, what to do next.

A new project has the registry's municipalities but no boundaries and no study data;
an empty map with a grey legend teaches nothing. The note names the menu entries that
exist in the window; what to say about boundaries (where to download them, how to
import and credit them) is the boundary import's own advice, passed in by the caller
(:func:`resilience_map.io.attribution.import_guidance_lines`: ``maps`` does not depend
on ``io``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Guide:
    """A title, a first line the map always shows, and further lines it may fold away."""

    title: str
    lines: tuple[str, ...]


NO_BOUNDARIES_TITLE = "No municipal boundaries yet"


def guide_for(units: int, boundaries: int, indicators: int, waves: int, values: int,
              boundary_advice: Sequence[str] = ()) -> Guide | None:
    """The note for a project with these counts, or None when the map speaks for itself.

    ``boundary_advice``: the lines said about importing boundaries when there are none.
    """
    if units == 0:
        return Guide("This project has no municipalities",
                     ("Create a project with File → New project…: it starts with every "
                      "municipality of the six countries.",))
    steps = _data_steps(indicators, waves, values)
    if boundaries == 0:
        return Guide(NO_BOUNDARIES_TITLE, (*boundary_advice, *steps))
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
