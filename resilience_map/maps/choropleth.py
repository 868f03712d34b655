"""Colours per municipality and the legend for one indicator, wave and classification.

Python decides every colour once; the page only applies them. A restyle is a
small dict ``{uuid: {"c": colour, "k": class, "v": value}}`` plus the legend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from resilience_map.domain.enums import Polarity
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.maps.classify import (
    Classification,
    ClassificationError,
    Scheme,
    classify_values,
    classify_with_bins,
    manual_bins,
    symmetric_breaks,
    symmetric_extent,
)
from resilience_map.maps.palettes import NO_DATA_COLOR, choropleth_colors, polarity_note, signed_class_colors


@dataclass(frozen=True)
class ChoroplethSettings:
    """What the user picked in the layer panel."""

    indicator_uuid: str
    wave_uuid: str
    scheme: Scheme = Scheme.QUANTILES
    k: int = 5
    palette: str = "YlGnBu"
    diverging_palette: str = "RdBu"
    manual_breaks: tuple[float, ...] = ()
    change: bool = False  # show change since the previous wave


@dataclass(frozen=True)
class LegendClass:
    color: str
    lower: float
    upper: float
    count: int
    #: What the legend prints for the range ("30 – 40", "≤ 30", "−2.5 to −1"): empty
    #: classes and open-ended first classes are labelled by their true range.
    label: str = ""


@dataclass(frozen=True)
class Legend:
    title: str
    subtitle: str
    unit: str
    note: str
    classes: tuple[LegendClass, ...]
    no_data_count: int
    no_data_color: str = NO_DATA_COLOR
    synthetic_label: str = ""
    #: How the classes were made, e.g. "Quantiles, 5 classes".
    method: str = ""


@dataclass(frozen=True)
class ChoroplethStyle:
    styles: dict[str, dict[str, Any]] = field(default_factory=dict)
    legend: Legend | None = None
    classification: Classification | None = None

    def to_json(self) -> dict[str, Any]:
        return {"styles": self.styles, "legend": asdict(self.legend) if self.legend else None}


ValueIndex = Mapping[tuple[str, str], Mapping[str, float]]


def index_values(values: Iterable[IndicatorValue]) -> dict[tuple[str, str], dict[str, float]]:
    """(indicator, wave) → {municipality: value}, whole-municipality values only.

    Built once per project load, so a restyle looks values up instead of scanning them all.
    """
    index: dict[tuple[str, str], dict[str, float]] = {}
    for v in values:
        if not v.neighbourhood:
            index.setdefault((v.indicator_uuid, v.wave_uuid), {})[v.municipality_uuid] = v.value
    return index


def values_for(values: Iterable[IndicatorValue] | ValueIndex, indicator_uuid: str,
               wave_uuid: str) -> dict[str, float]:
    """Municipality uuid → value of one indicator in one wave (whole-municipality values only)."""
    index = values if isinstance(values, Mapping) else index_values(values)
    return dict(index.get((indicator_uuid, wave_uuid), {}))


def previous_wave(waves: Sequence[StudyWave], wave_uuid: str) -> StudyWave | None:
    ordered = sorted(waves, key=lambda w: w.start_date)
    index = next((i for i, w in enumerate(ordered) if w.uuid == wave_uuid), 0)
    return ordered[index - 1] if index > 0 else None


def shown_keys(settings: ChoroplethSettings, waves: Sequence[StudyWave]) -> set[tuple[str, str]]:
    """The (indicator, wave) pairs whose values the map shows: a change of any other value
    leaves the map as it is."""
    keys = {(settings.indicator_uuid, settings.wave_uuid)}
    before = previous_wave(waves, settings.wave_uuid) if settings.change else None
    if before is not None:
        keys.add((settings.indicator_uuid, before.uuid))
    return keys


def build_choropleth(settings: ChoroplethSettings, indicator: IndicatorDefinition,
                     waves: Sequence[StudyWave], values: Iterable[IndicatorValue] | ValueIndex,
                     unit_ids: Iterable[str], synthetic_label: str = "") -> ChoroplethStyle:
    """Classify and colour every drawn unit; units without a value get the no-data style.

    ``values`` may be the records or an :func:`index_values` index (faster for restyles).
    Raises ValueError (a :class:`ClassificationError` for classes) with a sentence for
    the user when the choice cannot be drawn.
    """
    values = values if isinstance(values, Mapping) else index_values(values)
    wave = next(w for w in waves if w.uuid == settings.wave_uuid)
    current = values_for(values, indicator.uuid, wave.uuid)
    title, subtitle = indicator.name, wave.name
    if settings.change:
        before = previous_wave(waves, wave.uuid)
        if before is None:
            raise ValueError(f"{wave.name} is the first wave: there is no earlier wave to compare with")
        earlier = values_for(values, indicator.uuid, before.uuid)
        current = {uid: round(v - earlier[uid], 6) for uid, v in current.items() if uid in earlier}
        title, subtitle = f"Change in {indicator.name}", f"{before.name} → {wave.name}"
    unit_ids = list(unit_ids)
    # classes and their counts describe what the map shows: units drawn with a value
    current = {uid: current[uid] for uid in unit_ids if uid in current}
    classification = _classify(current, settings)
    ranges = [classification.bounds(i) for i in range(classification.k)]
    if settings.change:
        colors = signed_class_colors(settings.diverging_palette, ranges, indicator.polarity)
    else:
        colors = choropleth_colors(settings.palette, classification.k, indicator.polarity) if ranges else []
    styles = {uid: {"c": colors[classification.class_of[uid]], "k": classification.class_of[uid],
                    "v": current[uid]} for uid in unit_ids if uid in current}
    labels = class_labels(classification, signed=settings.change)
    legend = Legend(
        title=title, subtitle=subtitle, unit=indicator.unit,
        note=_note(settings.change, indicator.polarity),
        classes=tuple(LegendClass(colors[i], *ranges[i], classification.counts[i], labels[i])
                      for i in range(classification.k)),
        no_data_count=sum(uid not in current for uid in unit_ids),
        synthetic_label=synthetic_label,
        method=describe_method(settings, classification.k),
    )
    return ChoroplethStyle(styles, legend, classification)


def _classify(current: dict[str, float], settings: ChoroplethSettings) -> Classification:
    """The chosen scheme and class count, for values and for changes alike.

    For changes, equal intervals are laid symmetrically around "no change" (−m … +m), so
    equal steps of decline and improvement get classes of the same width.
    """
    if settings.change and settings.scheme is Scheme.EQUAL_INTERVAL and current:
        keys = list(current)
        data = np.fromiter(current.values(), dtype=float, count=len(keys))
        if not 3 <= settings.k <= 9:
            raise ClassificationError("Choose between 3 and 9 classes.")
        return classify_with_bins(keys, data, symmetric_breaks(data, settings.k), Scheme.EQUAL_INTERVAL,
                                  lower=-symmetric_extent(data))
    if settings.scheme is Scheme.MANUAL and not current:
        manual_bins(settings.manual_breaks, np.empty(0))  # still say what is wrong with the breaks
    return classify_values(current, settings.scheme, settings.k, settings.manual_breaks)


def describe_method(settings: ChoroplethSettings, k: int) -> str:
    """E.g. "Quantiles, 5 classes"; says when fewer classes than asked were possible."""
    name = settings.scheme.label
    if settings.change and settings.scheme is Scheme.EQUAL_INTERVAL:
        name = "Equal intervals symmetric around no change"
    text = f"{name}, {k} class{'es' if k != 1 else ''}"
    if settings.scheme is not Scheme.MANUAL and 0 < k < settings.k:
        text += f" (too few distinct values for {settings.k})"
    return text


def class_labels(classification: Classification, signed: bool = False) -> list[str]:
    """Range text per class, true for empty classes too.

    Class 0 holds everything up to its upper bound; when no value lies below that bound
    (manual breaks above the data) it is labelled "≤ upper" rather than with a made-up
    lower bound.
    """
    labels = []
    for i in range(classification.k):
        lower, upper = classification.bounds(i)
        if i == 0 and lower == upper:  # one value, or nothing below the first manual break
            top = format_number(upper, signed)
            labels.append(f"≤ {top}" if classification.counts[0] == 0 else top)
        else:
            joiner = " to " if lower < 0 or upper < 0 else " – "
            labels.append(f"{format_number(lower, signed)}{joiner}{format_number(upper, signed)}")
    return labels


def format_number(value: float, signed: bool = False) -> str:
    """Like the page's numbers: 0 decimals from 100, 1 from 10, else 2; trailing zeros dropped."""
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    text = f"{magnitude:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("0", ""):
        return "0"
    sign = "−" if value < 0 else "+" if signed else ""
    return sign + text


def _note(change: bool, polarity: Polarity) -> str:
    if not change:
        return polarity_note(polarity)
    better = "an increase" if polarity is Polarity.HIGHER_IS_BETTER else "a decrease"
    return f"Blue = improvement ({better} is better for resilience); red = deterioration."
