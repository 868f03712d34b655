"""QGIS reference render: the same municipalities at A4 @ 300 dpi with a graduated renderer.

Run by bench_print.py with Debian's Python (/usr/bin/python3, which has python3-qgis):

    /usr/bin/python3 benchmarks/qgis_reference.py LAYER.gpkg OUT_DIR [--dpi 300] [--repeat 3]

The layer is written by bench_print.py at run time (our project's polygons with the
chosen indicator's values in a "value" column). Prints one JSON line of timings (seconds)
or {"skip": reason} when QGIS is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("layer")
    parser.add_argument("out_dir")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        from qgis.core import QgsApplication
    except ImportError as exc:
        print(
            json.dumps(
                {"skip": f"QGIS is not installed for {sys.executable} ({exc}); apt-get install python3-qgis"}
            )
        )
        return 0
    app = QgsApplication([], False)
    app.initQgis()
    init_s = time.perf_counter() - started
    layer, load_s = load_layer(args.layer)
    png = [
        render_png(layer, os.path.join(args.out_dir, f"qgis-{i}.png"), args.dpi) for i in range(args.repeat)
    ]
    pdf = [
        render_pdf(layer, os.path.join(args.out_dir, f"qgis-{i}.pdf"), args.dpi) for i in range(args.repeat)
    ]
    print(
        json.dumps(
            {
                "init_s": init_s,
                "load_s": load_s,
                "png_s": png,
                "pdf_s": pdf,
                "features": layer.featureCount(),
                "qgis": app.applicationVersion() if hasattr(app, "applicationVersion") else "",
            }
        )
    )
    app.exitQgis()
    return 0


def load_layer(path: str):
    from qgis.core import (
        QgsClassificationQuantile,
        QgsFillSymbol,
        QgsGradientColorRamp,
        QgsGraduatedSymbolRenderer,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtGui import QColor

    t = time.perf_counter()
    layer = QgsVectorLayer(path, "municipalities", "ogr")
    if not layer.isValid():
        raise SystemExit(f"QGIS could not read {path}")
    symbol = QgsFillSymbol.createSimple({"outline_color": "white", "outline_width": "0.12"})
    renderer = QgsGraduatedSymbolRenderer("value")
    renderer.setSourceSymbol(symbol)
    renderer.setClassificationMethod(QgsClassificationQuantile())
    renderer.setSourceColorRamp(QgsGradientColorRamp(QColor("#ffffcc"), QColor("#253494")))
    renderer.updateClasses(layer, 5)
    layer.setRenderer(renderer)
    return layer, time.perf_counter() - t


def render_png(layer, out: str, dpi: int) -> float:
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    t = time.perf_counter()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setBackgroundColor(QColor("white"))
    settings.setOutputSize(QSize(round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)))
    settings.setOutputDpi(dpi)
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(out, "PNG")
    return time.perf_counter() - t


def render_pdf(layer, out: str, dpi: int) -> float:
    from qgis.core import (
        QgsLayoutExporter,
        QgsLayoutItemMap,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsPrintLayout,
        QgsProject,
        QgsUnitTypes,
    )

    t = time.perf_counter()
    project = QgsProject.instance()
    project.addMapLayer(layer, False)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()  # one A4 page
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", page.Portrait)
    item = QgsLayoutItemMap(layout)
    item.attemptMove(QgsLayoutPoint(10, 10, QgsUnitTypes.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(190, 277, QgsUnitTypes.LayoutMillimeters))
    item.setLayers([layer])
    item.setExtent(layer.extent())
    layout.addLayoutItem(item)
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    result = QgsLayoutExporter(layout).exportToPdf(out, settings)
    if result != QgsLayoutExporter.Success:
        raise SystemExit(f"QGIS PDF export failed ({result})")
    return time.perf_counter() - t


if __name__ == "__main__":
    raise SystemExit(main())
