"""Map snapshots as PNG: what the map shows, with title, legend, source, date and demo badge.

A hidden MapView of the output's size renders the same data and view (at 2× a
zoom factor of 2 gives double pixel density over the same extent). We grab it
only after the page reports that the requested view has been drawn, then check
that the image is not blank: Chromium views are known to grab empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from resilience_map.maps import protocol as p
from resilience_map.ui.map.view import MapView

TITLE_HEIGHT, FOOTER_HEIGHT = 46, 28


class SnapshotError(RuntimeError):
    """The map could not be drawn for export (timeout or a blank image)."""


@dataclass(frozen=True)
class SnapshotSpec:
    title: str
    subtitle: str
    source: str
    synthetic_label: str = ""
    size: QSize = QSize(1200, 800)  # map area in CSS pixels
    scale: int = 1  # 1 or 2: pixel density
    bounds: tuple[float, float, float, float] | None = None  # None = the whole region


def render_map(messages: Sequence[p.ToPage], spec: SnapshotSpec, timeout_ms: int = 30000) -> QImage:
    """Draw the map off screen from ``messages`` and return the grabbed image (map area only)."""
    view = MapView()
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(spec.size * spec.scale)
    view.setZoomFactor(spec.scale)
    view.show()
    try:
        for message in (*messages, p.ShowArea(spec.bounds), p.PrepareSnapshot("export")):
            view.send(message)
        _wait_for(view, timeout_ms)
        image = view.grab().toImage()
    finally:
        view.close()
        view.deleteLater()
        # delete page, profile and view now, in that order
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if is_blank(image):
        raise SnapshotError("The map came out blank; nothing was saved.")
    return image


def _wait_for(view: MapView, timeout_ms: int) -> None:
    loop = QEventLoop()
    done: list[bool] = []
    def drawn(_token: str) -> None:
        done.append(True)
        QTimer.singleShot(250, loop.quit)  # one more frame reaches the widget before the grab
    view.snapshot_ready.connect(drawn)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not done:
        raise SnapshotError(f"The map was not drawn within {timeout_ms / 1000:.0f} s; nothing was saved.")


def is_blank(image: QImage, samples: int = 400) -> bool:
    """True when a grid of sampled pixels holds (almost) a single colour."""
    if image.isNull() or image.width() < 2 or image.height() < 2:
        return True
    colours = set()
    step = max(1, int((image.width() * image.height() / samples) ** 0.5))
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours) < 4


def compose(map_image: QImage, spec: SnapshotSpec, on: date | None = None) -> QImage:
    """Title above, source and date below, demo badge (if any) in the title bar."""
    s = spec.scale
    width, height = map_image.width(), map_image.height() + (TITLE_HEIGHT + FOOTER_HEIGHT) * s
    out = QImage(width, height, QImage.Format.Format_ARGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.drawImage(0, TITLE_HEIGHT * s, map_image)
    painter.setPen(QColor("#222222"))
    painter.setFont(_font(15 * s, bold=True))
    painter.drawText(QRect(10 * s, 2 * s, width - 20 * s, 24 * s), Qt.AlignmentFlag.AlignVCenter, spec.title)
    painter.setFont(_font(11 * s))
    painter.setPen(QColor("#555555"))
    painter.drawText(QRect(10 * s, 24 * s, width - 20 * s, 20 * s), Qt.AlignmentFlag.AlignVCenter,
                     spec.subtitle)
    if spec.synthetic_label:
        painter.setFont(_font(12 * s, bold=True))
        painter.setPen(QColor("#8a1c00"))
        painter.drawText(QRect(0, 0, width - 10 * s, TITLE_HEIGHT * s),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, spec.synthetic_label)
    painter.setFont(_font(10 * s))
    painter.setPen(QColor("#444444"))
    footer = f"{spec.source} · Exported {(on or date.today()).isoformat()} with Resilience Map"
    painter.drawText(QRect(10 * s, height - FOOTER_HEIGHT * s, width - 20 * s, FOOTER_HEIGHT * s),
                     Qt.AlignmentFlag.AlignVCenter, footer)
    painter.end()
    return out


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def save_png(image: QImage, path: Path) -> None:
    """Write atomically: a failed save never leaves a half-written file at ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; Qt wants str
        tmp.unlink(missing_ok=True)
        raise SnapshotError(f"Could not write {path}.")
    tmp.replace(path)
