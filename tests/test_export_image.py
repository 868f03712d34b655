"""Map snapshots: real pixels of the drawn map, at 1x and 2x, from the CLI and the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from tests_helpers import run_cli, wait_until_drawn

from resilience_map.maps.choropleth import ChoroplethSettings, build_choropleth
from resilience_map.session import ProjectSession
from resilience_map.ui.map.content import MapContent
from resilience_map.ui.map.snapshot import FOOTER_HEIGHT, TITLE_HEIGHT, is_blank

BACKGROUND = QColor("#eef3f7")  # .leaflet-container background in map.css
FILL_OPACITY = 0.8


def blended(hex_colour: str) -> tuple[int, int, int]:
    c = QColor(hex_colour)
    return tuple(round(FILL_OPACITY * a + (1 - FILL_OPACITY) * b)
                 for a, b in ((c.red(), BACKGROUND.red()), (c.green(), BACKGROUND.green()), (c.blue(), BACKGROUND.blue())))


def colour_share(image: QImage, rgb: tuple[int, int, int], tolerance: int = 4, step: int = 3) -> float:
    hits = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            p = QColor(image.pixel(x, y))
            total += 1
            hits += all(abs(a - b) <= tolerance for a, b in zip((p.red(), p.green(), p.blue()), rgb))
    return hits / total


def legend_colours(project: Path, code: str) -> list[str]:
    with ProjectSession.opened(project, read_only=True) as session:
        content = MapContent.of(session)
    ind = content.find_indicator(code)
    wave = content.waves[-1]
    style = build_choropleth(ChoroplethSettings(ind.uuid, wave.uuid), ind, content.waves, content.values,
                             [u.uuid for u in content.units])
    return [c.color for c in style.legend.classes]


def test_cli_snapshot_contains_the_drawn_choropleth(demo_bounded: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    result = run_cli("export-image", demo_bounded, "--indicator", "BRAVE14", "--out", out)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800 + TITLE_HEIGHT + FOOTER_HEIGHT)
    assert not is_blank(image)
    shares = [colour_share(image, blended(c)) for c in legend_colours(demo_bounded, "BRAVE14")]
    assert all(s > 0.005 for s in shares), shares  # every class colour is really painted
    assert sum(shares) > 0.05  # the region fills a tall, narrow part of the frame


def test_cli_snapshot_at_double_density(demo_bounded: Path, tmp_path: Path) -> None:
    out = tmp_path / "map2x.png"
    result = run_cli("export-image", demo_bounded, "--indicator", "SCORE_TRUST", "--scale", "2",
                     "--width", "600", "--height", "400", "--out", out)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 2 * (400 + TITLE_HEIGHT + FOOTER_HEIGHT))
    assert not is_blank(image)


@pytest.mark.parametrize("args, words", [
    (("--indicator", "NOPE"), ("no indicator", "BRAVE14")),
    (("--indicator", "BRAVE14", "--wave", "1999"), ("no study wave",)),
])
def test_cli_snapshot_bad_arguments(demo_project: Path, tmp_path: Path, args, words) -> None:
    out = tmp_path / "x.png"
    result = run_cli("export-image", demo_project, *args, "--out", out)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert all(w in result.stderr for w in words) and not out.exists()


def test_cli_snapshot_into_missing_folder(demo_project: Path, tmp_path: Path) -> None:
    result = run_cli("export-image", demo_project, "--indicator", "BRAVE14", "--out", tmp_path / "no" / "x.png")
    assert result.returncode != 0 and "does not exist" in result.stderr


def test_window_exports_current_view(window, qtbot, demo_bounded: Path, tmp_path: Path) -> None:
    window.open_project(demo_bounded)
    wait_until_drawn(qtbot, window)
    out = window.export_image(tmp_path / "view.png", scale=1)
    assert out is not None and out.exists()
    image = QImage(str(out))
    assert image.width() == window.map_view.width() and not is_blank(image)
    whole = window.export_image(tmp_path / "region.png", scale=2, whole_region=True)
    assert QImage(str(whole)).width() == 2 * window.map_view.width()
