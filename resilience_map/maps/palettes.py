"""ColorBrewer palettes (from branca) and the polarity rule for choropleths.

Rule: on every choropleth, darker means *more resilient*. For an indicator where
a higher value is worse (e.g. intergroup anxiety) the sequential palette is
reversed, and the legend says so.
"""

from __future__ import annotations

from branca.utilities import color_brewer

from resilience_map.domain.enums import Polarity

SEQUENTIAL = ("YlGnBu", "Blues", "Greens", "Purples", "YlOrRd", "OrRd", "BuPu", "GnBu", "PuBuGn")
DIVERGING = ("RdBu", "BrBG", "PiYG", "PRGn", "RdYlBu", "PuOr")
NO_DATA_COLOR = "#d9d9d9"


def palette_colors(name: str, k: int, reverse: bool = False) -> list[str]:
    """``k`` hex colours of a ColorBrewer palette, light to dark unless reversed."""
    if name not in SEQUENTIAL + DIVERGING:
        raise ValueError(f"unknown palette {name!r}")
    colors = [c.lower() for c in color_brewer(name, max(k, 3))][:k]  # ColorBrewer starts at 3
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
