"""ColorBrewer palettes and the polarity rule for choropleths.

Rule: on every choropleth, darker means *more resilient*. For an indicator where
a higher value is worse (e.g. intergroup anxiety) the sequential palette is
reversed, and the legend says so.

The palette colours are ColorBrewer's (Cynthia Brewer, Apache 2.0 licence) as the
installed ``branca`` package ships them in its ``_schemes.json``. The file is read
directly: importing branca would load jinja2 and its colormap module on the way to
the first choropleth (about 0.1 s at start-up) for one table of colours.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from resilience_map.domain.enums import Polarity

SEQUENTIAL = ("YlGnBu", "Blues", "Greens", "Purples", "YlOrRd", "OrRd", "BuPu", "GnBu", "PuBuGn")
DIVERGING = ("RdBu", "BrBG", "PiYG", "PRGn", "RdYlBu", "PuOr")
NO_DATA_COLOR = "#d9d9d9"
#: ColorBrewer's longest series: 9 colours for sequential palettes, 11 for diverging ones.
LONGEST = {**{name: 9 for name in SEQUENTIAL}, **{name: 11 for name in DIVERGING}}


@cache
def _schemes() -> dict[str, list[str]]:
    spec = importlib.util.find_spec("branca")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "_schemes.json"
        if path.is_file():
            schemes: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
            return schemes
    from branca.utilities import color_brewer  # a branca without the file: ask it (slower)

    return {f"{name}_{n:02d}": color_brewer(name, n) for name in LONGEST for n in range(3, LONGEST[name] + 1)}


def brewer(name: str, n: int) -> list[str]:
    """The ColorBrewer series of ``n`` colours (3 ≤ n ≤ the palette's longest), lower case."""
    if name not in LONGEST:
        raise ValueError(f"unknown palette {name!r}")
    return [c.lower() for c in _schemes()[f"{name}_{n:02d}"]]


def palette_colors(name: str, k: int, reverse: bool = False) -> list[str]:
    """``k`` hex colours of a ColorBrewer palette, light to dark unless reversed."""
    if name not in LONGEST:
        raise ValueError(f"unknown palette {name!r}")
    if k > LONGEST[name]:
        colors = interpolate(brewer(name, LONGEST[name]), k)
    else:
        colors = brewer(name, max(k, 3))[:k]  # ColorBrewer starts at 3
    return colors[::-1] if reverse else colors


def choropleth_colors(name: str, k: int, polarity: Polarity) -> list[str]:
    """Colours per class (class 0 = lowest values), so that darker = more resilient."""
    return palette_colors(name, k, reverse=polarity is Polarity.HIGHER_IS_WORSE)


def polarity_note(polarity: Polarity) -> str:
    if polarity is Polarity.HIGHER_IS_WORSE:
        return "Higher values are worse for resilience: the colours are reversed, darker = more resilient."
    return "Higher values are better for resilience: darker = more resilient."


def change_colors(name: str, k: int, polarity: Polarity) -> list[str]:
    """Diverging colours for 'change since previous wave' (class 0 = largest decrease).

    ColorBrewer diverging palettes run red→blue; for a higher-is-better indicator an
    increase is an improvement and is shown in the blue/green half.
    """
    if name not in DIVERGING:
        raise ValueError(f"{name!r} is not a diverging palette")
    return palette_colors(name, k, reverse=polarity is Polarity.HIGHER_IS_WORSE)


def signed_class_colors(name: str, classes: Sequence[tuple[float, float]], polarity: Polarity) -> list[str]:
    """Diverging colours for classes of changes, chosen by which side of "no change" each lies.

    Classes come from any classification (quantiles, natural breaks, manual), so they
    need not be symmetric around zero. Decreases take the half of the palette left of
    its middle, increases the right half, a class spanning zero the neutral middle.
    Both halves use one scale (a palette of 2 × the longer side's classes), so the same
    shade means the same rank of change on either side, and the shorter side keeps the
    lighter shades next to the middle, as ColorBrewer advises for unequal sides.
    """
    if name not in DIVERGING:
        raise ValueError(f"{name!r} is not a diverging palette")
    sides = [_side(lower, upper) for lower, upper in classes]
    falling, rising, neutral = sides.count(-1), sides.count(1), int(0 in sides)
    half = max(falling, rising)
    size = 2 * half + neutral
    if size == 0:
        return []
    if size >= 3:
        stops = palette_colors(name, size)
    else:  # one or two classes: the middle (neutral) or the two ends of the 3-colour series
        three = brewer(name, 3)
        stops = [three[1]] if size == 1 else [three[0], three[2]]
    if polarity is Polarity.HIGHER_IS_WORSE:
        stops = stops[::-1]  # a decrease is the improvement: it takes the blue/green half
    colors = []
    for i, side in enumerate(sides):
        if side == 0:
            colors.append(stops[half])
        elif side < 0:
            rank = sum(1 for s in sides[i:] if s < 0)  # 1 = the decrease nearest to zero
            colors.append(stops[half - rank])
        else:
            rank = sum(1 for s in sides[:i + 1] if s > 0)  # 1 = the increase nearest to zero
            colors.append(stops[half + neutral + rank - 1])
    return colors


def _side(lower: float, upper: float) -> int:
    """-1: a class of decreases (it may end at no change), +1: of increases, 0: spans zero."""
    if upper < 0 or (upper == 0 and lower < 0):
        return -1
    if lower > 0 or (lower == 0 and upper > 0):
        return 1
    return 0


def interpolate(stops: Sequence[str], n: int) -> list[str]:
    """``n`` colours evenly spaced along the piecewise-linear path through ``stops`` (RGB)."""
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in stops]
    out = []
    for j in range(n):
        t = j * (len(rgb) - 1) / max(n - 1, 1)
        i = min(int(t), len(rgb) - 2)
        f = t - i
        pairs = zip(rgb[i], rgb[i + 1], strict=True)
        out.append("#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in pairs))
    return out
