"""Classes of the choropleth without mapclassify, the change view, legends and the map's guide (no Qt)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import mapclassify
import numpy as np
import pytest

from resilience_map.domain.enums import Polarity
from resilience_map.domain.records import IndicatorDefinition, IndicatorValue, StudyWave
from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth, shown_keys
from resilience_map.maps.classify import ClassificationError, Scheme, classify_values
from resilience_map.maps.guide import guide_for
from resilience_map.maps.palettes import brewer, signed_class_colors

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("data", [
    RNG.normal(40, 9, 495), RNG.integers(0, 11, 300).astype(float),
    np.r_[np.full(50, 3.0), RNG.uniform(0, 9, 60)], RNG.exponential(5, 120),
], ids=["normal", "integer-scale", "many-ties", "skewed"])
@pytest.mark.parametrize("k", [3, 5, 9])
def test_natural_breaks_are_as_good_as_mapclassify(data: np.ndarray, k: int) -> None:
    """Fisher-Jenks is an optimum: ours must reach mapclassify's (float32) total deviation."""
    values = {f"u{i}": float(v) for i, v in enumerate(data)}
    ours = classify_values(values, Scheme.NATURAL_BREAKS, k)
    theirs = mapclassify.FisherJenks(data, k=min(k, len(np.unique(data))))

    def deviation(bins) -> float:
        classes = np.searchsorted(np.asarray(bins), data, side="left")
        return float(sum(((data[classes == c] - data[classes == c].mean()) ** 2).sum()
                         for c in np.unique(classes)))
    assert deviation(ours.bins) <= deviation(theirs.bins) + 1e-6
    assert sum(ours.counts) == len(data) and ours.bins[-1] == data.max()


@pytest.mark.parametrize("data", [RNG.normal(40, 9, 495), RNG.integers(0, 11, 300).astype(float)])
def test_quantiles_and_equal_intervals_match_mapclassify(data: np.ndarray) -> None:
    values = {f"u{i}": float(v) for i, v in enumerate(data)}
    for scheme, reference in ((Scheme.QUANTILES, mapclassify.Quantiles),
                              (Scheme.EQUAL_INTERVAL, mapclassify.EqualInterval)):
        ours = classify_values(values, scheme, 5)
        theirs = reference(data, k=5)
        assert ours.bins == pytest.approx(tuple(theirs.bins)), scheme
        assert ours.counts == tuple(int(c) for c in theirs.counts), scheme


def test_app_start_path_does_not_import_mapclassify_scipy_or_branca() -> None:
    code = ("import sys; from resilience_map.maps.choropleth import build_choropleth; "
            "from resilience_map.maps.classify import classify_values, Scheme; "
            "from resilience_map.maps.palettes import brewer; "
            "classify_values({'a': 1.0, 'b': 2.0, 'c': 5.0}, Scheme.NATURAL_BREAKS, 3); brewer('YlGnBu', 5); "
            "print([m for m in ('mapclassify', 'scipy', 'sklearn', 'pandas', 'branca', 'folium') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent)
    assert out.stdout.strip() == "[]"


def test_the_map_feature_starts_without_the_gis_stack() -> None:
    """The window and its map (guidance, credits, borders included) import no geopandas, pandas,
    GDAL or PROJ until a file is read or an outline computed: ~130 MiB and a second saved; print
    maps and briefings are made in a process of their own (no typst in the window)."""
    code = ("import sys; import resilience_map.ui.map, resilience_map.maps.map_data; "
            "import resilience_map.ui.main_window; "  # the window with its print and briefing dialogs
            "print([m for m in ('geopandas', 'pandas', 'pyogrio', 'pyproj', 'mapclassify', 'scipy', 'typst') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent)
    assert out.stdout.strip() == "[]"


def test_colours_are_colorbrewer() -> None:
    from branca.utilities import color_brewer

    assert brewer("YlGnBu", 5) == [c.lower() for c in color_brewer("YlGnBu", 5)]
    assert brewer("RdBu", 11) == [c.lower() for c in color_brewer("RdBu", 11)]


# --- manual breaks say why ----------------------------------------------------------------------

@pytest.mark.parametrize("breaks, words", [
    ((), "at least one class break"),
    ((30.0, 40.0, 30.0), "30 is given twice"),
    ((float("nan"),), "not a finite number"),
    (tuple(range(10, 100, 10)), "at most 9"),
])
def test_invalid_manual_breaks_say_why(breaks, words) -> None:
    with pytest.raises(ClassificationError, match=words):
        classify_values({"a": 1.0, "b": 50.0, "c": 99.0}, Scheme.MANUAL, manual_breaks=breaks)


def test_empty_classes_are_labelled_by_their_true_range() -> None:
    ind, waves, values = _project([(20, 25)] * 3 + [(50, 52)] * 3)
    style = build_choropleth(ChoroplethSettings(ind.uuid, waves[1].uuid, scheme=Scheme.MANUAL,
                                                manual_breaks=(10, 30, 40, 60)), ind, waves, values, _ids(6))
    rows = [(c.label, c.count) for c in style.legend.classes]
    assert rows == [("≤ 10", 0), ("10 – 30", 3), ("30 – 40", 0), ("40 – 60", 3)]


# --- the change view ----------------------------------------------------------------------------

def _project(pairs, polarity=Polarity.HIGHER_IS_BETTER):
    ind = IndicatorDefinition(code="x", name="Trust", scale_min=0, scale_max=100, unit="score",
                              polarity=polarity)
    w1 = StudyWave(name="W1", start_date=date(2020, 1, 1))
    w2 = StudyWave(name="W2", start_date=date(2023, 1, 1))
    values = [IndicatorValue(municipality_uuid=f"u{i}", indicator_uuid=ind.uuid, wave_uuid=w.uuid, value=v)
              for i, (a, b) in enumerate(pairs) for w, v in ((w1, a), (w2, b))]
    return ind, [w1, w2], values


def _ids(n: int) -> list[str]:
    return [f"u{i}" for i in range(n)]


CHANGES = [(50, 50 + d) for d in (-9, -7, -4, -3, -1, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 9, 11, 12, 20)]


@pytest.mark.parametrize("scheme", [Scheme.QUANTILES, Scheme.NATURAL_BREAKS, Scheme.EQUAL_INTERVAL])
@pytest.mark.parametrize("k", [4, 6])
def test_change_view_honours_scheme_and_class_count(scheme: Scheme, k: int) -> None:
    ind, waves, values = _project(CHANGES)
    settings = ChoroplethSettings(ind.uuid, waves[1].uuid, scheme=scheme, k=k, change=True)
    style = build_choropleth(settings, ind, waves, values, _ids(len(CHANGES)))
    assert len(style.legend.classes) == k and sum(c.count for c in style.legend.classes) == len(CHANGES)
    changes = np.array([b - a for a, b in CHANGES], dtype=float)
    if scheme is Scheme.QUANTILES:
        expected = mapclassify.Quantiles(changes, k=k).bins
        assert [c.upper for c in style.legend.classes] == pytest.approx(list(expected))
    if scheme is Scheme.EQUAL_INTERVAL:  # symmetric around no change, so equal steps match in both directions
        classes = style.legend.classes
        assert classes[0].lower == pytest.approx(-20) and classes[-1].upper == pytest.approx(20)
        assert "symmetric around no change" in style.legend.method
    assert style.legend.method.endswith(f"{k} classes")


def test_change_colours_keep_their_sign_for_uneven_classes() -> None:
    """Classes of decreases are red, of increases blue, a class spanning zero neutral, whatever
    the classification; with a reversed polarity a decrease is the improvement (blue)."""
    ind, waves, values = _project(CHANGES)
    for scheme in (Scheme.QUANTILES, Scheme.NATURAL_BREAKS):
        style = build_choropleth(ChoroplethSettings(ind.uuid, waves[1].uuid, scheme=scheme, k=5, change=True),
                                 ind, waves, values, _ids(len(CHANGES)))
        # a class ending at "no change" holds declines (and no change): it counts as a decline
        sides = [(c.upper < 0 or (c.upper == 0 and c.lower < 0),
                  c.lower > 0 or (c.lower == 0 and c.upper > 0), _redness(c.color))
                 for c in style.legend.classes]
        assert sides[0][0] and sides[-1][1], sides  # the data has both declines and rises
        for falling, rising, redness in sides:
            assert (redness > 20) if falling else (redness < -20) if rising else abs(redness) <= 20, sides
        worse_ind = _project(CHANGES, Polarity.HIGHER_IS_WORSE)[0]
        worse_settings = ChoroplethSettings(worse_ind.uuid, waves[1].uuid, scheme=scheme, k=5, change=True)
        worse = build_choropleth(worse_settings,
                                 worse_ind, waves, [dataclasses.replace(v, indicator_uuid=worse_ind.uuid)
                                                    for v in values], _ids(len(CHANGES)))
        assert _redness(worse.legend.classes[0].color) < -20 and _redness(worse.legend.classes[-1].color) > 20


def _redness(colour: str) -> int:
    r, b = int(colour[1:3], 16), int(colour[5:7], 16)
    return r - b


def test_signed_colours_take_the_middle_for_a_class_spanning_zero() -> None:
    rdbu5 = brewer("RdBu", 5)
    colours = signed_class_colors("RdBu", [(-5, -2), (-2, 1), (1, 3), (3, 6)], Polarity.HIGHER_IS_BETTER)
    assert colours[1] == rdbu5[2] and colours[0] == rdbu5[1] and colours[2:] == rdbu5[3:]


def test_change_view_of_the_first_wave_says_why() -> None:
    ind, waves, values = _project(CHANGES)
    with pytest.raises(ValueError, match="first wave"):
        build_choropleth(ChoroplethSettings(ind.uuid, waves[0].uuid, change=True), ind, waves, values,
                         _ids(3))


def test_shown_keys_include_the_previous_wave_only_in_the_change_view() -> None:
    ind, waves, _values = _project(CHANGES)
    plain = ChoroplethSettings(ind.uuid, waves[1].uuid)
    assert shown_keys(plain, waves) == {(ind.uuid, waves[1].uuid)}
    change = ChoroplethSettings(ind.uuid, waves[1].uuid, change=True)
    assert shown_keys(change, waves) == {(ind.uuid, waves[1].uuid), (ind.uuid, waves[0].uuid)}


def test_legend_travels_as_json() -> None:
    ind, waves, values = _project(CHANGES)
    settings = ChoroplethSettings(ind.uuid, waves[1].uuid, change=True)
    style = build_choropleth(settings, ind, waves, values, _ids(20))
    legend = json.loads(json.dumps(style.to_json(), allow_nan=False))["legend"]
    assert [c["label"] for c in legend["classes"]][0].startswith("−")


# --- the guide on an empty map ------------------------------------------------------------------

def test_guide_says_where_boundaries_come_from_and_what_to_do_next() -> None:
    from resilience_map.io.attribution import import_guidance_lines

    advice = import_guidance_lines(0, 495)
    no_boundaries = guide_for(units=495, boundaries=0, boundary_advice=advice)
    assert no_boundaries.lines == advice  # only the boundary advice: study data is the window's card
    text = " ".join(no_boundaries.lines)
    assert "File → Import boundaries…" in text and "geoBoundaries" in text and "OpenStreetMap" in text
    assert no_boundaries.lines[0].startswith("No municipality has a boundary yet")  # always shown
    assert guide_for(units=495, boundaries=490) is None
