"""Colours per municipality and the legend for one indicator, wave and classification.

Python decides every colour once; the page only applies them. A restyle is a
small dict ``{uuid: {"c": colour, "k": class, "v": value}}`` plus the legend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from resilience_map.domain.enums import Polarity
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.maps.classify import Classification, Scheme, classify_values
from resilience_map.maps.palettes import NO_DATA_COLOR, change_colors, choropleth_colors, polarity_note


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


@dataclass(frozen=True)
class ChoroplethStyle:
    styles: dict[str, dict] = field(default_factory=dict)
    legend: Legend | None = None
    classification: Classification | None = None

    def to_json(self) -> dict:
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


def values_for(values: Iterable[IndicatorValue] | ValueIndex, indicator_uuid: str, wave_uuid: str) -> dict[str, float]:
    """Municipality uuid → value of one indicator in one wave (whole-municipality values only)."""
    index = values if isinstance(values, Mapping) else index_values(values)
    return dict(index.get((indicator_uuid, wave_uuid), {}))


def previous_wave(waves: Sequence[StudyWave], wave_uuid: str) -> StudyWave | None:
    ordered = sorted(waves, key=lambda w: w.start_date)
    index = next((i for i, w in enumerate(ordered) if w.uuid == wave_uuid), 0)
    return ordered[index - 1] if index > 0 else None


def build_choropleth(settings: ChoroplethSettings, indicator: IndicatorDefinition,
                     waves: Sequence[StudyWave], values: Iterable[IndicatorValue] | ValueIndex,
                     unit_ids: Iterable[str], synthetic_label: str = "") -> ChoroplethStyle:
    """Classify and colour every drawn unit; units without a value get the no-data style.

    ``values`` may be the records or an :func:`index_values` index (faster for restyles).
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
    scheme, breaks = settings.scheme, settings.manual_breaks
    if settings.change and scheme is not Scheme.MANUAL and current:
        scheme, breaks = Scheme.MANUAL, symmetric_breaks(current.values(), settings.k)
    classification = classify_values(current, scheme, settings.k, breaks)
    colors = _colors(settings, classification.k, indicator.polarity)
    styles = {uid: {"c": colors[classification.class_of[uid]], "k": classification.class_of[uid],
                    "v": current[uid]} for uid in unit_ids if uid in current}
    legend = Legend(
        title=title, subtitle=subtitle, unit=indicator.unit,
        note=_note(settings.change, indicator.polarity),
        classes=tuple(LegendClass(colors[i], *classification.bounds(i), classification.counts[i])
                      for i in range(classification.k)),
        no_data_count=sum(uid not in current for uid in unit_ids),
        synthetic_label=synthetic_label,
    )
    return ChoroplethStyle(styles, legend, classification)


def symmetric_breaks(values: Iterable[float], k: int) -> tuple[float, ...]:
    """Upper class bounds of k equal classes from -m to +m, so colours keep their sign."""
    m = max(abs(v) for v in values) or 1.0
    step = 2 * m / k
    return tuple(round(-m + step * (i + 1), 6) for i in range(k))


def _colors(settings: ChoroplethSettings, k: int, polarity: Polarity) -> list[str]:
    if k == 0:
        return []
    if settings.change:
        return change_colors(settings.diverging_palette, k, polarity)
    return choropleth_colors(settings.palette, k, polarity)


def _note(change: bool, polarity: Polarity) -> str:
    if not change:
        return polarity_note(polarity)
    better = "an increase" if polarity is Polarity.HIGHER_IS_BETTER else "a decrease"
    return f"Blue = improvement ({better} is better for resilience); red = deterioration."
