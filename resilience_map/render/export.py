"""Write a map scene to PDF, SVG or PNG: the sheet for ``export-image``, insets for briefings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

from resilience_map.maps.scene import MapScene
from resilience_map.render.print_layout import PrintResult, PrintSpec, paint_inset, paint_page

FORMATS = (".png", ".pdf", ".svg")
#: PDF coordinates are written at this resolution: sub-0.03 mm precision for paths.
PDF_DPI = 1200


class RenderError(RuntimeError):
    """The output could not be written; nothing was left at the target path."""


def ensure_gui_application() -> QGuiApplication:
    """Fonts need a QGuiApplication; without a display, Qt's offscreen platform does."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app  # type: ignore[return-value]


def export_map(scene: MapScene, out: Path, spec: PrintSpec | None = None) -> PrintResult:
    """Write the print sheet to ``out`` (.pdf, .svg or .png, by suffix), atomically."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"--out must end in {', '.join(FORMATS)} (got {out.name})")
    if not out.parent.is_dir():
        raise ValueError(f"the folder {out.parent} does not exist")
    ensure_gui_application()
    spec = spec or PrintSpec()
    width, height = spec.page_mm
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = _render(
            scene, tmp, suffix, width, height, spec.dpi, lambda p, k: paint_page(p, scene, spec, k)
        )
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def inset_pdf(
    scene: MapScene, width_mm: float, height_mm: float, *, legend: bool = True, label_pt: float = 5.5
) -> bytes:
    """A map of the given size as PDF bytes (vector, fonts embedded) to embed in a document."""
    ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _pdf_writer(buffer, width_mm, height_mm)
    _paint_on(
        writer,
        PDF_DPI / 25.4,
        lambda p, k: paint_inset(p, scene, width_mm, height_mm, k, legend=legend, label_pt=label_pt),
    )
    buffer.close()
    return bytes(buffer.data().data())


def inset_png(
    scene: MapScene, width_mm: float, height_mm: float, dpi: int = 150, *, legend: bool = True
) -> QImage:
    ensure_gui_application()
    image = _image(width_mm, height_mm, dpi)
    _paint_on(image, dpi / 25.4, lambda p, k: paint_inset(p, scene, width_mm, height_mm, k, legend=legend))
    return image


def _render(
    scene: MapScene, path: Path, suffix: str, width: float, height: float, dpi: int, paint
) -> PrintResult:
    if suffix == ".pdf":
        writer = _pdf_writer(str(path), width, height)
        writer.setTitle(scene.title)
        writer.setCreator("Resilience Map")
        return _paint_on(writer, PDF_DPI / 25.4, paint)
    if suffix == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setResolution(dpi)
        size = QSize(round(width / 25.4 * dpi), round(height / 25.4 * dpi))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(scene.title)
        generator.setDescription(scene.subtitle)
        return _paint_on(generator, dpi / 25.4, paint)
    image = _image(width, height, dpi)
    result = _paint_on(image, dpi / 25.4, paint)
    if not image.save(str(path), "PNG"):
        raise RenderError(f"could not write {path.name}")
    return result


def _image(width: float, height: float, dpi: int) -> QImage:
    image = QImage(round(width / 25.4 * dpi), round(height / 25.4 * dpi), QImage.Format.Format_RGB32)
    if image.isNull():
        raise RenderError(f"an image of {width:.0f} × {height:.0f} mm at {dpi} dpi is too large for memory")
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(0xFFFFFFFF)
    return image


def _pdf_writer(target, width: float, height: float) -> QPdfWriter:
    writer = QPdfWriter(target)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width, height), QPageSize.Unit.Millimeter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    return writer


def _paint_on(device, k: float, paint):
    painter = QPainter()
    if not painter.begin(device):
        raise RenderError("could not start drawing (is the output writable?)")
    try:
        return paint(painter, k)
    finally:
        painter.end()


__all__ = [
    "FORMATS",
    "RenderError",
    "export_map",
    "inset_pdf",
    "inset_png",
    "ensure_gui_application",
    "PrintSpec",
]
