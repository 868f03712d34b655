"""What a map scene is: its layers, the user's style, and the shapes, symbols, labels and legend
it holds (plain frozen data, Qt-free). :mod:`resilience_map.maps.scene` builds one; renderers draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from resilience_map.domain.enums import Country, StrEnum
from resilience_map.maps.choropleth import ChoroplethSettings
from resilience_map.maps.project_data import ProjectData

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


class Layer(StrEnum):
    """Layers a map can show; the same names as the window's layer panel (plus borders)."""

    MUNICIPALITIES = "municipalities"
    BORDERS = "borders"
    COVERAGE = "coverage"
    SCN = "scn"
    ACTIVITIES = "activities"
    LABELS = "labels"


#: Print default: the choropleth stays readable (structure symbols cover Albania's colours).
PRINT_LAYERS = frozenset({Layer.MUNICIPALITIES, Layer.BORDERS, Layer.LABELS})
NAME_FORMS = ("latin", "local", "en")


def parse_layers(text: str) -> frozenset[Layer]:
    """``"municipalities,borders,scn"`` → layers; an unknown name is an error listing the known."""
    names = [n.strip().lower() for n in text.replace(";", ",").split(",") if n.strip()]
    known = ", ".join(layer.value for layer in Layer)
    for name in names:
        if name not in {layer.value for layer in Layer}:
            raise ValueError(f"unknown layer {name!r} (known layers: {known})")
    if not names:
        raise ValueError(f"name at least one layer (known layers: {known})")
    return frozenset(Layer(n) for n in names)


def settings_for(
    data: ProjectData,
    *,
    indicator: str | None = None,
    wave: str | None = None,
    scheme: str = "quantiles",
    classes: int = 5,
    palette: str = "YlGnBu",
    change: bool = False,
) -> ChoroplethSettings:
    """Choropleth settings from what a user typed; the first indicator and latest wave by default."""
    from resilience_map.maps.classify import MAX_CLASSES, MIN_CLASSES, Scheme
    from resilience_map.maps.palettes import SEQUENTIAL

    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise ValueError(f"choose between {MIN_CLASSES} and {MAX_CLASSES} classes (got {classes})")
    if palette not in SEQUENTIAL:
        raise ValueError(f"unknown palette {palette!r} (choose one of {', '.join(SEQUENTIAL)})")
    found_indicator, found_wave = data.indicator(indicator), data.wave(wave)
    return ChoroplethSettings(
        found_indicator.uuid,
        found_wave.uuid,
        scheme=Scheme(scheme),
        k=classes,
        palette=palette,
        change=change,
    )


@dataclass(frozen=True)
class SceneStyle:
    """What the user chose: choropleth (None: plain locator map), layers, names, emphasis."""

    choropleth: ChoroplethSettings | None = None
    layers: frozenset[Layer] = PRINT_LAYERS
    name_form: str = "latin"
    #: Units drawn emphasised (the municipality of a briefing, an activity's participants).
    highlight: frozenset[str] = frozenset()
    #: Area to show (lon/lat); None = everything drawn.
    extent: Bounds | None = None
    #: Only these units get labels (None = every drawn unit, by priority).
    labelled: frozenset[str] | None = None
    #: One country in colour, the others in a neutral grey without labels (country maps).
    country: Country | None = None
    title: str | None = None


@dataclass(frozen=True)
class Area:
    uuid: str
    geometry: BaseGeometry
    fill: str
    no_data: bool = False
    highlighted: bool = False


@dataclass(frozen=True)
class Seat:
    """A unit without a polygon, drawn as a circle at its seat."""

    uuid: str
    lon: float
    lat: float
    fill: str
    no_data: bool = False
    highlighted: bool = False


@dataclass(frozen=True)
class PointSymbol:
    """A structure, SCN or activity symbol; ``slot``/``slots`` spread symbols sharing a place."""

    layer: Layer
    uuid: str
    lon: float
    lat: float
    shape: str
    fill: str
    fill_opacity: float = 1.0
    letter: str = ""
    title: str = ""
    slot: int = 0
    slots: int = 1


@dataclass(frozen=True)
class Label:
    uuid: str
    text: str
    lon: float
    lat: float
    priority: int  # 0 = placed first
    lang: str = ""  # BCP 47, set for Cyrillic runs (sr / mk letter forms)
    emphasis: bool = False
    major: bool = False  # a city: labelled even where its polygon is small on paper


@dataclass(frozen=True)
class LegendItem:
    text: str
    color: str
    count: int | None = None
    shape: str = "box"  # box | circle | square | diamond | triangle | hexagon | pentagon | star | letter
    letter: str = ""
    dashed: bool = False
    fill_opacity: float = 1.0


@dataclass(frozen=True)
class LegendSection:
    title: str
    items: tuple[LegendItem, ...]
    note: str = ""


@dataclass(frozen=True)
class MapScene:
    title: str
    subtitle: str
    areas: tuple[Area, ...]
    seats: tuple[Seat, ...]
    #: Cities drawn as outlines above their member municipalities.
    outlines: tuple[BaseGeometry, ...]
    #: Country outlines (lines), drawn above municipal borders.
    borders: tuple[BaseGeometry, ...]
    symbols: tuple[PointSymbol, ...]
    labels: tuple[Label, ...]
    legend: tuple[LegendSection, ...]
    extent: Bounds
    synthetic_label: str = ""
    credits: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    layers: frozenset[Layer] = field(default_factory=lambda: PRINT_LAYERS)
    #: Lon/lat bounds of each drawn country, for layout decisions (keep the legend off them).
    country_extents: dict[str, Bounds] = field(default_factory=dict)
