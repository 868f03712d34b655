"""The legend box and the scale bar, measured before they are placed (page mm, device px = mm × k)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from resilience_map.maps.scene import LegendItem, MapScene
from resilience_map.render import fonts
from resilience_map.render.map_painter import MapGeometry, paint_symbol

TITLE_PT, ITEM_PT, NOTE_PT = 6.8, 6.2, 5.6
PAD, SWATCH_W, SWATCH_H, GAP = 2.0, 4.2, 2.8, 1.2


@dataclass
class LegendBox:
    """A measured legend: rows of (kind, payload, height) that paint at any position."""

    width: float
    height: float
    rows: list[tuple[str, object, float]] = field(default_factory=list)


def _wrap(fm: QFontMetricsF, text: str, width_px: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and fm.horizontalAdvance(trial) > width_px:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def measure_legend(p: QPainter, scene: MapScene, k: float, max_width: float = 62.0) -> LegendBox | None:
    if not scene.legend:
        return None
    dev = p.device()
    title_fm = QFontMetricsF(fonts.font(TITLE_PT, bold=True), dev)
    item_fm = QFontMetricsF(fonts.font(ITEM_PT), dev)
    note_fm = QFontMetricsF(fonts.font(NOTE_PT), dev)
    text_w = max_width - 2 * PAD - SWATCH_W - GAP
    rows: list[tuple[str, object, float]] = []
    widest = 0.0
    for i, section in enumerate(scene.legend):
        if i:
            rows.append(("gap", None, 1.4))
        for line in _wrap(title_fm, section.title, (max_width - 2 * PAD) * k):
            rows.append(("title", line, title_fm.height() / k))
            widest = max(widest, title_fm.horizontalAdvance(line) / k)
        for item in section.items:
            text = item.text + (f"  ({item.count:,})" if item.count is not None else "")
            lines = _wrap(item_fm, text, text_w * k)
            height = max(SWATCH_H + 0.8, len(lines) * item_fm.height() / k)
            rows.append(("item", (item, lines), height))
            widest = max(widest, SWATCH_W + GAP + max(item_fm.horizontalAdvance(ln) for ln in lines) / k)
        if section.note:
            for line in _wrap(note_fm, section.note, (max_width - 2 * PAD) * k):
                rows.append(("note", line, note_fm.height() / k))
                widest = max(widest, note_fm.horizontalAdvance(line) / k)
    height = sum(h for _, _, h in rows) + 2 * PAD
    return LegendBox(min(max_width, widest + 2 * PAD), height, rows)


def paint_legend(p: QPainter, box: LegendBox, x: float, y: float, k: float) -> None:
    p.save()
    p.setPen(QPen(QColor("#9a9a9a"), 0.15 * k))
    p.setBrush(QColor(255, 255, 255, 240))
    p.drawRect(QRectF(x * k, y * k, box.width * k, box.height * k))
    cy = y + PAD
    fonts_by_kind = {
        "title": fonts.font(TITLE_PT, bold=True),
        "item": fonts.font(ITEM_PT),
        "note": fonts.font(NOTE_PT),
    }
    for kind, payload, height in box.rows:
        if kind in ("title", "note"):
            p.setFont(fonts_by_kind[kind])
            p.setPen(QColor("#222222" if kind == "title" else "#555555"))
            fm = QFontMetricsF(fonts_by_kind[kind], p.device())
            p.drawText(QPointF((x + PAD) * k, cy * k + fm.ascent()), str(payload))
        elif kind == "item":
            item, lines = payload  # type: ignore[misc]
            _swatch(p, item, x + PAD, cy + 0.4, k)
            p.setFont(fonts_by_kind["item"])
            p.setPen(QColor("#222222"))
            fm = QFontMetricsF(fonts_by_kind["item"], p.device())
            for i, line in enumerate(lines):
                p.drawText(
                    QPointF((x + PAD + SWATCH_W + GAP) * k, cy * k + i * fm.height() + fm.ascent()), line
                )
        cy += height
    p.restore()


def _swatch(p: QPainter, item: LegendItem, x: float, y: float, k: float) -> None:
    if item.shape == "box":
        style = Qt.PenStyle.DashLine if item.dashed else Qt.PenStyle.SolidLine
        p.setPen(QPen(QColor("#8c8c8c" if item.dashed else "#666666"), 0.12 * k, style))
        p.setBrush(QColor(item.color))
        p.drawRect(QRectF(x * k, y * k, SWATCH_W * k, SWATCH_H * k))
        return
    shape = "circle" if item.shape == "letter" else item.shape
    paint_symbol(
        p,
        shape,
        item.color,
        (x + SWATCH_W / 2) * k,
        (y + SWATCH_H / 2) * k,
        1.3 * k,
        item.fill_opacity,
        item.letter,
        k,
    )


# --- scale bar ------------------------------------------------------------------------------
def scale_bar_length(geo: MapGeometry, max_mm: float) -> tuple[float, str]:
    """A round length (1, 2 or 5 × 10ⁿ m) no longer than ``max_mm`` on paper: (mm, label)."""
    metres = max_mm / geo.transform.scale
    exponent = math.floor(math.log10(metres))
    nice = max(m * 10**exponent for m in (1, 2, 5) if m * 10**exponent <= metres)
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    return nice * geo.transform.scale, label


def scale_bar_size(max_mm: float = 40.0) -> tuple[float, float]:
    return max_mm + 8.0, 6.5


def paint_scale_bar(
    p: QPainter, geo: MapGeometry, x: float, y: float, k: float, max_mm: float = 40.0
) -> None:
    """Alternating black/white bar in four parts with 0 and the length written under it."""
    length, label = scale_bar_length(geo, max_mm)
    p.save()
    w, h = scale_bar_size(max_mm)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 215))
    p.drawRect(QRectF(x * k, y * k, (length + 8.0) * k, h * k))
    bx, by = x + 2.0, y + 1.2
    p.setPen(QPen(QColor("#222222"), 0.12 * k))
    for i in range(4):
        p.setBrush(QColor("#222222" if i % 2 == 0 else "#ffffff"))
        p.drawRect(QRectF((bx + i * length / 4) * k, by * k, length / 4 * k, 1.2 * k))
    font = fonts.font(5.6)
    p.setFont(font)
    fm = QFontMetricsF(font, p.device())
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(bx * k - fm.horizontalAdvance("0") / 2, (by + 1.6) * k + fm.ascent()), "0")
    p.drawText(
        QPointF((bx + length) * k - fm.horizontalAdvance(label) / 2, (by + 1.6) * k + fm.ascent()), label
    )
    p.restore()
