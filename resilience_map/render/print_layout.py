"""Print layouts: a sheet (A4/A3, portrait/landscape) and insets for briefings, in page mm.

The sheet: title, subtitle, the demo badge once (in the title bar), the map frame, legend
and scale bar where they cover the least of the region (beside the map when no place inside
is free), the source line with boundary credits and data sources, and the export date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from resilience_map import __version__
from resilience_map.maps.projection import least_covered
from resilience_map.maps.scene import MapScene
from resilience_map.render import fonts
from resilience_map.render.legend import (
    LegendBox,
    measure_legend,
    paint_legend,
    paint_scale_bar,
    scale_bar_size,
)
from resilience_map.render.map_painter import PRINT_TOLERANCE_MM, Box, MapGeometry, paint_map, place_map

PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MARGIN = 10.0
#: Map covered by the legend that is still acceptable before it moves beside the map.
MAX_LEGEND_COVER = 0.01
BADGE_COLOR = "#8a1c00"
#: Briefing maps are small and many: a coarser outline keeps a country briefing light.
INSET_TOLERANCE_MM = 0.12


@dataclass(frozen=True)
class PrintSpec:
    paper: str = "A4"
    landscape: bool = False
    dpi: int = 300
    export_date: date | None = None

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"unknown paper size {self.paper!r} (choose {', '.join(PAPERS)})")
        if not 36 <= self.dpi <= 1200:
            raise ValueError("choose a resolution between 36 and 1200 dpi")

    @property
    def page_mm(self) -> tuple[float, float]:
        w, h = PAPERS[self.paper]
        return (h, w) if self.landscape else (w, h)


@dataclass(frozen=True)
class PrintResult:
    """Where things landed (page mm): for tests and for callers that annotate the output."""

    page: tuple[float, float]
    frame: Box
    legend: Box | None
    scale_bar: Box | None
    geometry: MapGeometry
    labels: tuple[Box, ...]


def paint_page(p: QPainter, scene: MapScene, spec: PrintSpec, k: float) -> PrintResult:
    """The whole sheet for ``export-image``."""
    width, height = spec.page_mm
    p.fillRect(QRectF(0, 0, width * k, height * k), QColor("white"))
    header = _paint_header(p, scene, width, k)
    footer_h = _paint_footer(p, scene, width, height, k, spec.export_date or date.today())
    frame = (MARGIN, MARGIN + header + 2.0, width - MARGIN, height - MARGIN - footer_h - 2.0)
    result = _paint_framed_map(p, scene, frame, k, side_legend=spec.landscape)
    p.setPen(QPen(QColor("#777777"), 0.2 * k))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(frame[0] * k, frame[1] * k, (frame[2] - frame[0]) * k, (frame[3] - frame[1]) * k))
    return PrintResult(
        (width, height), frame, result.legend, result.scale_bar, result.geometry, result.labels
    )


def paint_inset(
    p: QPainter,
    scene: MapScene,
    width: float,
    height: float,
    k: float,
    *,
    legend: bool = True,
    label_pt: float = 5.5,
) -> PrintResult:
    """A map filling ``width`` × ``height`` mm (briefing locator and overview maps)."""
    p.fillRect(QRectF(0, 0, width * k, height * k), QColor("white"))
    frame = (0.6, 0.6, width - 0.6, height - 0.6)
    shown = scene if legend else _without_legend(scene)
    result = _paint_framed_map(
        p,
        shown,
        frame,
        k,
        side_legend=width > height * 1.25,
        label_pt=label_pt,
        tolerance_mm=INSET_TOLERANCE_MM,
    )
    p.setPen(QPen(QColor("#999999"), 0.2 * k))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(frame[0] * k, frame[1] * k, (frame[2] - frame[0]) * k, (frame[3] - frame[1]) * k))
    return result


def _without_legend(scene: MapScene) -> MapScene:
    from dataclasses import replace

    return replace(scene, legend=())


def _paint_framed_map(
    p: QPainter,
    scene: MapScene,
    frame: Box,
    k: float,
    *,
    side_legend: bool,
    label_pt: float = 5.5,
    tolerance_mm: float = PRINT_TOLERANCE_MM,
) -> PrintResult:
    box = measure_legend(p, scene, k)
    geo = place_map(scene, frame, tolerance_mm)
    legend_at: Box | None = None
    if box is not None:
        legend_at, covered = _best_spot(geo, box.width, box.height, frame, [])
        if covered > MAX_LEGEND_COVER:  # no free place inside: the legend goes beside the map
            frame, legend_at = _beside(frame, box, side_legend)
            geo = place_map(scene, frame, tolerance_mm)
    bar_w, bar_h = scale_bar_size(min(40.0, (frame[2] - frame[0]) / 3))
    bar_at, _ = _best_spot(geo, bar_w, bar_h, frame, [legend_at] if legend_at else [], corners_only=True)
    labels = paint_map(p, scene, geo, k, label_pt=label_pt, reserved=[b for b in (legend_at, bar_at) if b])
    if box is not None and legend_at is not None:
        paint_legend(p, box, legend_at[0], legend_at[1], k)
    paint_scale_bar(p, geo, bar_at[0], bar_at[1], k, max_mm=min(40.0, (frame[2] - frame[0]) / 3))
    return PrintResult((frame[2], frame[3]), frame, legend_at, bar_at, geo, tuple(labels))


def _best_spot(
    geo: MapGeometry, w: float, h: float, frame: Box, taken: list[Box], corners_only: bool = False
) -> tuple[Box, float]:
    """The inset box of size w × h over the least of the drawn map (then off country extents)."""
    inset = 2.0
    x0, y0, x1, y1 = frame[0] + inset, frame[1] + inset, frame[2] - inset, frame[3] - inset
    xs = [x0, x1 - w] if corners_only else [x0, (x0 + x1 - w) / 2, x1 - w]
    ys = [y1 - h, y0] if corners_only else [y1 - h, y0, (y0 + y1 - h) / 2]
    candidates = [
        (x, y, x + w, y + h)
        for y in ys
        for x in xs
        if not any(x < t[2] and x + w > t[0] and y < t[3] and y + h > t[1] for t in taken)
    ]
    if not candidates:
        candidates = [(x0, y1 - h, x0 + w, y1)]
    index, covered = least_covered(candidates, geo.obstacles, list(geo.country_boxes.values()))
    return candidates[index], covered


def _beside(frame: Box, box: LegendBox, side: bool) -> tuple[Box, Box]:
    x0, y0, x1, y1 = frame
    if side:
        return (x0, y0, x1 - box.width - 3.0, y1), (x1 - box.width, y0, x1, y0 + box.height)
    return (x0, y0, x1, y1 - box.height - 3.0), (x0, y1 - box.height, x0 + box.width, y1)


def _paint_header(p: QPainter, scene: MapScene, width: float, k: float) -> float:
    """Title, subtitle and (once) the demo badge; returns the header's height in mm."""
    badge_w = 0.0
    if scene.synthetic_label:
        badge_font = fonts.font(8.0, bold=True)
        fm = QFontMetricsF(badge_font, p.device())
        badge_w = fm.horizontalAdvance(scene.synthetic_label) / k + 4.0
        bh = fm.height() / k + 2.0
        rect = QRectF((width - MARGIN - badge_w) * k, MARGIN * k, badge_w * k, bh * k)
        p.setPen(QPen(QColor(BADGE_COLOR), 0.4 * k))
        p.setBrush(QColor("#fff1ec"))
        p.drawRect(rect)
        p.setFont(badge_font)
        p.setPen(QColor(BADGE_COLOR))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, scene.synthetic_label)
    room = (width - 2 * MARGIN - badge_w - 4.0) * k
    y = MARGIN
    for text, size, bold, colour in (
        (scene.title, 15.0, True, "#222222"),
        (scene.subtitle, 9.0, False, "#555555"),
    ):
        if not text:
            continue
        font = fonts.font(size, bold=bold)
        fm = QFontMetricsF(font, p.device())
        p.setFont(font)
        p.setPen(QColor(colour))
        p.drawText(
            QPointF(MARGIN * k, y * k + fm.ascent()), fm.elidedText(text, Qt.TextElideMode.ElideRight, room)
        )
        y += fm.height() / k + 0.8
    return y - MARGIN


def footer_text(scene: MapScene, on: date) -> str:
    parts = []
    if scene.credits:
        parts.append("; ".join(scene.credits) + ".")  # each line says "Boundaries: …"
    parts += [s + "." for s in scene.sources]
    parts.append(f"Exported {on.isoformat()} with Resilience Map {__version__}.")
    return " ".join(parts)


def _paint_footer(p: QPainter, scene: MapScene, width: float, height: float, k: float, on: date) -> float:
    font = fonts.font(6.2)
    p.setFont(font)
    p.setPen(QColor("#444444"))
    rect = QRectF(MARGIN * k, 0, (width - 2 * MARGIN) * k, 100 * k)
    flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
    needed = p.boundingRect(rect, flags, footer_text(scene, on)).height() / k
    rect = QRectF(MARGIN * k, (height - MARGIN - needed) * k, (width - 2 * MARGIN) * k, needed * k + 1)
    p.drawText(rect, flags, footer_text(scene, on))
    return needed
