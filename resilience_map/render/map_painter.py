"""Paint a :class:`~resilience_map.maps.scene.MapScene` with QPainter, as vectors.

Coordinates are page millimetres (y down) scaled to device pixels by ``k``; polygons
become QPainterPaths (paths in PDF/SVG, never an image), text is drawn as text. Works on
any paint device: QPdfWriter, QSvgGenerator, QImage.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

from resilience_map.maps.projection import FrameTransform, MapProjection
from resilience_map.maps.scene import Layer, MapScene, PointSymbol
from resilience_map.maps.symbols import BORDER_COLOR, HIGHLIGHT_COLOR, MUNICIPAL_BORDER_COLOR
from resilience_map.render import fonts

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page mm
#: Simplify to this much of the paper (mm): below what a printer or eye resolves.
PRINT_TOLERANCE_MM = 0.06
_DEG_METRES = 111_320.0


@dataclass(frozen=True)
class MapGeometry:
    """Where the map landed on the page, for the legend placement and tests."""

    frame: Box
    transform: FrameTransform
    projection: MapProjection
    #: Drawn polygons in page mm (what the legend must not cover).
    page_shapes: np.ndarray
    #: Everything the legend should not cover: the polygons and the seat circles.
    obstacles: np.ndarray
    #: Each country's extent in page mm.
    country_boxes: dict[str, Box]

    def to_page(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.projection.points(np.array([lon]), np.array([lat]))
        return self.transform.point(float(x[0]), float(y[0]))


def place_map(scene: MapScene, frame: Box, tolerance_mm: float = PRINT_TOLERANCE_MM) -> MapGeometry:
    """Project the scene's geometry and fit its extent into ``frame`` (page mm)."""
    projection = MapProjection(scene.extent)
    transform = FrameTransform.fit(projection.projected_extent(), frame)
    tolerance_deg = tolerance_mm / transform.scale / _DEG_METRES
    geoms = [a.geometry for a in scene.areas]
    simplified = _simplified(geoms, tolerance_deg) if geoms else []
    page = transform.apply(projection.geometries(simplified)) if geoms else np.asarray([], dtype=object)
    if len(page):  # what lies outside the frame is never written into a PDF or SVG
        page = shapely.clip_by_rect(page, frame[0] - 1, frame[1] - 1, frame[2] + 1, frame[3] + 1)
    boxes = {}
    for country, (x0, y0, x1, y1) in scene.country_extents.items():
        corners = projection.geometries([shapely.box(x0, y0, x1, y1).segmentize(0.25)])
        bx0, by0, bx1, by1 = shapely.total_bounds(transform.apply(corners))
        boxes[country] = (float(bx0), float(by0), float(bx1), float(by1))
    seats = np.asarray([shapely.Point(0, 0)] * 0, dtype=object)
    if scene.seats:
        sx, sy = projection.points(
            np.array([s.lon for s in scene.seats]), np.array([s.lat for s in scene.seats])
        )
        px, py = sx * transform.scale + transform.offset_x, transform.offset_y - sy * transform.scale
        seats = shapely.buffer(shapely.points(px, py), 1.2, quad_segs=2)
    return MapGeometry(frame, transform, projection, page, np.concatenate([page, seats]), boxes)


def _simplified(geoms: list, tolerance: float) -> np.ndarray:
    """Douglas-Peucker without topology checks (5× faster; drawing needs no valid polygons);
    a unit too small to survive keeps its full outline."""
    original = np.asarray(geoms, dtype=object)
    out = shapely.simplify(original, tolerance, preserve_topology=False)
    empty = shapely.is_empty(out)
    out[empty] = original[empty]
    return out


def paint_map(
    p: QPainter,
    scene: MapScene,
    geo: MapGeometry,
    k: float,
    *,
    label_pt: float = 5.5,
    reserved: Sequence[Box] = (),
) -> list[Box]:
    """Draw areas, outlines, borders, seats, symbols and labels; return the label boxes."""
    x0, y0, x1, y1 = geo.frame
    p.save()
    p.setClipRect(QRectF(x0 * k, y0 * k, (x1 - x0) * k, (y1 - y0) * k))
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    if Layer.MUNICIPALITIES in scene.layers:
        _paint_areas(p, scene, geo, k)
    _paint_lines(p, scene.outlines, geo, k, QPen(QColor("#333333"), 0.3 * k, Qt.PenStyle.DashLine))
    _paint_lines(p, scene.borders, geo, k, _pen(BORDER_COLOR, 0.45 * k))
    if Layer.MUNICIPALITIES in scene.layers:
        _paint_seats(p, scene, geo, k)
    taken = list(reserved)
    _paint_symbols(p, scene, geo, k, taken)
    labels = _paint_labels(p, scene, geo, k, label_pt, taken)
    p.restore()
    return labels


def _pen(color: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(color), width, style)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def _path(geoms, k: float) -> QPainterPath:
    """One QPainterPath of many polygons or lines (page mm → device pixels), built in one go.

    Qt's binary QPainterPath format is written with numpy and read back through
    QDataStream: creating a QPointF per vertex would cost more than the drawing.
    """
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    polygonal = shapely.get_type_id(parts) == 3
    lines = np.concatenate([shapely.get_rings(parts[polygonal]), parts[~polygonal]])
    coords, index = shapely.get_coordinates(lines, return_index=True)
    path = QPainterPath()
    if len(coords) == 0:
        return path
    elements = np.empty(len(coords), dtype=_ELEMENT)
    elements["type"] = 1  # LineTo
    elements["type"][np.r_[0, np.flatnonzero(np.diff(index)) + 1]] = 0  # MoveTo starts each ring
    elements["x"] = coords[:, 0] * k
    elements["y"] = coords[:, 1] * k
    data = struct.pack(">i", len(elements)) + elements.tobytes() + struct.pack(">ii", 0, 0)
    QDataStream(QByteArray(data)) >> path  # fill rule 0 = odd-even: holes stay holes
    return path


def _paint_areas(p: QPainter, scene: MapScene, geo: MapGeometry, k: float) -> None:
    """Vector output: one path per colour (a handful of paths for hundreds of units). Raster
    output: one path per unit, filled, then outlined with a one-pixel line — Qt's raster
    engine fills small paths and draws thin lines far faster than it strokes one huge path."""
    border = _pen(MUNICIPAL_BORDER_COLOR, 0.12 * k)
    no_data = _pen("#8c8c8c", 0.15 * k, Qt.PenStyle.DashLine)
    if isinstance(p.device(), QImage):
        for pen in (border, no_data):
            if pen.widthF() < 2.0:
                pen.setWidthF(1.0)
                pen.setCosmetic(True)
        p.setPen(Qt.PenStyle.NoPen)
        paths = [_path([shape], k) for shape in geo.page_shapes]
        for area, path in zip(scene.areas, paths, strict=False):
            p.setBrush(QColor(area.fill))
            p.drawPath(path)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for area, path in zip(scene.areas, paths, strict=False):
            p.setPen(no_data if area.no_data else border)
            p.drawPath(path)
    else:
        groups: dict[tuple[str, bool], list] = {}
        for area, shape in zip(scene.areas, geo.page_shapes, strict=False):
            groups.setdefault((area.fill, area.no_data), []).append(shape)
        for (fill, is_missing), shapes in groups.items():
            p.setPen(no_data if is_missing else border)
            p.setBrush(QColor(fill))
            p.drawPath(_path(shapes, k))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for area, shape in zip(scene.areas, geo.page_shapes, strict=False):  # never hidden by a neighbour
        if area.highlighted:
            p.setPen(_pen("#000000" if area.fill == HIGHLIGHT_COLOR else HIGHLIGHT_COLOR, 0.5 * k))
            p.drawPath(_path([shape], k))


def _paint_lines(p: QPainter, geoms, geo: MapGeometry, k: float, pen: QPen) -> None:
    if not geoms:
        return
    tolerance = PRINT_TOLERANCE_MM / geo.transform.scale / _DEG_METRES
    simplified = shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=False)
    page = geo.transform.apply(geo.projection.geometries(simplified))
    page = [shape.boundary if shape.geom_type in ("Polygon", "MultiPolygon") else shape for shape in page]
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for part in shapely.get_parts(np.asarray(page, dtype=object)):  # small paths stroke faster
        p.drawPath(_path([part], k))


def _paint_seats(p: QPainter, scene: MapScene, geo: MapGeometry, k: float) -> None:
    r = 1.1 * k
    for seat in scene.seats:
        x, y = geo.to_page(seat.lon, seat.lat)
        p.setPen(
            _pen(
                HIGHLIGHT_COLOR if seat.highlighted else "#555555",
                (0.5 if seat.highlighted else 0.15) * k,
                Qt.PenStyle.DashLine if seat.no_data else Qt.PenStyle.SolidLine,
            )
        )
        p.setBrush(QColor(seat.fill))
        p.drawEllipse(QPointF(x * k, y * k), r, r)


def symbol_path(shape: str, cx: float, cy: float, r: float) -> QPainterPath:
    """The outline of a symbol shape centred on (cx, cy) with radius r (device pixels)."""
    path = QPainterPath()
    if shape == "circle":
        path.addEllipse(QPointF(cx, cy), r, r)
        return path
    if shape == "square":
        path.addRect(QRectF(cx - 0.8 * r, cy - 0.8 * r, 1.6 * r, 1.6 * r))
        return path
    corners = {
        "diamond": (4, 0.0),
        "triangle": (3, -math.pi / 2),
        "hexagon": (6, 0.0),
        "pentagon": (5, -math.pi / 2),
        "star": (10, -math.pi / 2),
    }[shape]
    n, rot = corners
    pts = []
    for i in range(n):
        a = rot + 2 * math.pi * i / n
        rr = r * (0.45 if shape == "star" and i % 2 else 1.0)
        pts.append(QPointF(cx + rr * math.cos(a), cy + rr * math.sin(a)))
    path.addPolygon(QPolygonF(pts))
    path.closeSubpath()
    return path


def paint_symbol(
    p: QPainter,
    symbol_shape: str,
    fill: str,
    cx: float,
    cy: float,
    r: float,
    fill_opacity: float = 1.0,
    letter: str = "",
    k: float = 1.0,
) -> None:
    """One symbol (also used by the legend): shape, fill by status, optional letter."""
    colour = QColor(fill)
    if fill_opacity == 0.0:
        colour = QColor("#ffffff")
    else:
        colour.setAlphaF(fill_opacity)
    p.setPen(_pen("#333333" if not letter else "#ffffff", 0.14 * k))
    p.setBrush(QBrush(colour))
    p.drawPath(symbol_path(symbol_shape, cx, cy, r))
    if letter:
        p.setPen(QColor("#ffffff"))
        p.setFont(fonts.font(r / k * 2.0 * 72 / 25.4 * 0.75, bold=True))
        p.drawText(QRectF(cx - r, cy - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, letter)


def _paint_symbols(p: QPainter, scene: MapScene, geo: MapGeometry, k: float, taken: list[Box]) -> None:
    size = 1.1  # radius in mm
    for s in scene.symbols:
        x, y = geo.to_page(s.lon, s.lat)
        dx, dy = _offset(s, size)
        cx, cy = x + dx, y + dy
        paint_symbol(p, s.shape, s.fill, cx * k, cy * k, size * k, s.fill_opacity, s.letter, k)
        taken.append((cx - size, cy - size, cx + size, cy + size))


def _offset(s: PointSymbol, size: float) -> tuple[float, float]:
    """Symbols sharing a place: structures in a row under the anchor, SCN above, activities on a ring."""
    if s.layer is Layer.COVERAGE:
        return (s.slot - (s.slots - 1) / 2) * 2.3 * size, 1.8 * size
    if s.layer is Layer.SCN:
        return 0.0, -1.9 * size
    if s.slots > 1:
        radius = 1.6 * size + 0.2 * s.slots
        angle = 2 * math.pi * s.slot / s.slots - math.pi / 2
        return radius * math.cos(angle), radius * math.sin(angle)
    return 0.0, 0.0


def _free_spot(ax: float, ay: float, w: float, h: float, pad: float, frame: Box, taken: list[Box]):
    """On the anchor, else just above or below it (where a unit's symbols sit on the anchor)."""
    fx0, fy0, fx1, fy1 = frame
    gap = 0.8
    for dy in (0.0, -(h / 2 + 1.9), h / 2 + 2.6):
        x, y = ax, ay + dy
        box = (x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad)
        if box[0] < fx0 or box[1] < fy0 or box[2] > fx1 or box[3] > fy1:
            continue
        if not any(
            box[0] - gap < t[2] and box[2] + gap > t[0] and box[1] - gap < t[3] and box[3] + gap > t[1]
            for t in taken
        ):
            return x, y, box
    return None


def _paint_labels(
    p: QPainter, scene: MapScene, geo: MapGeometry, k: float, label_pt: float, taken: list[Box]
) -> list[Box]:
    """Greedy decluttering by priority: a label that would touch a placed one, or that is much
    wider than its own unit on paper (except cities and emphasised units), is left out."""
    placed: list[Box] = []
    widths = dict(
        zip(
            (a.uuid for a in scene.areas),
            np.ptp(shapely.bounds(geo.page_shapes)[:, [0, 2]], axis=1),
            strict=False,
        )
    )
    metrics: dict[tuple[str, bool], QFontMetricsF] = {}
    pad = 0.35
    for label in sorted(scene.labels, key=lambda lb: lb.priority):
        font = fonts.font(label_pt * (1.15 if label.emphasis else 1.0), bold=label.emphasis, lang=label.lang)
        fm = metrics.setdefault((label.lang, label.emphasis), QFontMetricsF(font, p.device()))
        w = fm.horizontalAdvance(label.text) / k
        h = fm.height() / k
        if not (label.emphasis or label.major) and widths.get(label.uuid, w) < 0.6 * w:
            continue
        ax, ay = geo.to_page(label.lon, label.lat)
        spot = _free_spot(ax, ay, w, h, pad, geo.frame, taken + placed)
        if spot is None:
            continue
        x, y, box = spot
        placed.append(box)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 170))
        p.drawRoundedRect(
            QRectF(box[0] * k, box[1] * k, (box[2] - box[0]) * k, (box[3] - box[1]) * k), 0.6 * k, 0.6 * k
        )
        p.setFont(font)
        p.setPen(QColor("#111111"))
        p.drawText(QPointF((x - w / 2) * k, (y - h / 2) * k + fm.ascent()), label.text)
    return placed
