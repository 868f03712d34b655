"""What the map says when it cannot draw the region: where boundaries come from.

A new project has the registry's municipalities but no boundaries: the map shows each
unit as a dot at its seat, which teaches nothing about what to do. The note says how
to import boundaries, where to download them and how to credit them — the boundary
import's own advice, passed in by the caller
(:func:`resilience_map.io.attribution.import_guidance_lines`: ``maps`` does not depend
on ``io``). Missing study data (waves, indicators, values) is the window's to explain,
with a button per step (``ui.shell.guide``), so nothing is said twice.
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


def guide_for(units: int, boundaries: int, boundary_advice: Sequence[str] = ()) -> Guide | None:
    """The note for a project with these counts, or None when the map speaks for itself.

    ``boundary_advice``: the lines said about importing boundaries when there are none.
    """
    if units == 0:
        return Guide("This project has no municipalities",
                     ("Create a project with File → New project…: it starts with every "
                      "municipality of the six countries.",))
    if boundaries == 0:
        return Guide(NO_BOUNDARIES_TITLE, tuple(boundary_advice))
    return None
