"""Print maps from the native renderer: vector PDF/SVG, PNG at 300 dpi, layout, CLI (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests_helpers import pdf_pages_text, poppler, run_cli, sha256

from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene import Layer, SceneStyle, build_scene, parse_layers, settings_for

BADGE = "Demo data – not study results"


@pytest.fixture(scope="module")
def bounded_data(demo_bounded_template: Path) -> ProjectData:
    return ProjectData.open(demo_bounded_template)


def test_scene_uses_the_window_classification_and_print_layers(bounded_data: ProjectData) -> None:
    from resilience_map.maps.choropleth import build_choropleth

    settings = settings_for(bounded_data, indicator="BRAVE14")
    scene = build_scene(bounded_data, SceneStyle(settings))
    ind = bounded_data.indicator("BRAVE14")
    window = build_choropleth(
        settings,
        ind,
        bounded_data.waves,
        bounded_data.values,
        [a.uuid for a in scene.areas] + [s.uuid for s in scene.seats],
    )
    assert {a.uuid: a.fill for a in scene.areas if not a.no_data} == {
        uid: s["c"] for uid, s in window.styles.items() if uid in {a.uuid for a in scene.areas}
    }
    legend = scene.legend[0]
    assert [i.color for i in legend.items if not i.dashed] == [c.color for c in window.legend.classes]
    assert sum(i.count for i in legend.items if not i.dashed) == sum(c.count for c in window.legend.classes)
    assert not scene.symbols  # structure symbols only when asked for: Albania's colours stay visible
    assert scene.borders and scene.synthetic_label == BADGE and scene.credits


def test_layers_and_name_forms(bounded_data: ProjectData) -> None:
    assert parse_layers("municipalities, SCN") == {Layer.MUNICIPALITIES, Layer.SCN}
    with pytest.raises(ValueError, match="unknown layer 'roads'.*known layers"):
        parse_layers("municipalities,roads")
    style = SceneStyle(None, parse_layers("municipalities,coverage,scn,labels"), name_form="local")
    scene = build_scene(bounded_data, style)
    assert {s.layer for s in scene.symbols} == {Layer.COVERAGE, Layer.SCN}
    labels = {lb.text: lb.lang for lb in scene.labels}
    assert labels["Куманово"] == "mk" and labels["Нови Сад"] == "sr" and labels["Tiranë"] == ""


def test_projection_keeps_distances_true_across_the_region() -> None:
    from pyproj import Geod

    from resilience_map.maps.projection import MapProjection

    projection = MapProjection((15.7, 39.6, 23.1, 46.2))
    (x1, x2), (y1, y2) = projection.points([19.0, 22.5], [45.8, 40.0])
    _, _, metres = Geod(ellps="GRS80").inv(19.0, 45.8, 22.5, 40.0)
    assert abs(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 / metres - 1) < 0.002


def test_png_at_300_dpi_has_the_legend_colours_and_keeps_the_legend_off_north_macedonia(
    qapp, bounded_data: ProjectData, tmp_path: Path
) -> None:
    from dataclasses import replace

    from PySide6.QtGui import QColor, QImage

    from resilience_map.render.export import export_map
    from resilience_map.render.print_layout import PrintSpec

    scene = build_scene(bounded_data, SceneStyle(settings_for(bounded_data)))
    result = export_map(scene, tmp_path / "map.png", PrintSpec(dpi=300))
    bare = export_map(replace(scene, legend=()), tmp_path / "bare.png", PrintSpec(dpi=300))
    image, without = QImage(str(tmp_path / "map.png")), QImage(str(tmp_path / "bare.png"))
    assert (image.width(), image.height()) == (2480, 3508)
    k = 300 / 25.4
    lx0, ly0, lx1, ly1 = (round(v * k) for v in result.legend)
    legend_rgb = {QColor(image.pixel(x, y)).name() for y in range(ly0, ly1, 2) for x in range(lx0, lx1, 2)}
    map_rgb = {QColor(without.pixel(x, y)).name() for y in range(0, 3508, 7) for x in range(0, 2480, 7)}
    for item in scene.legend[0].items:
        assert item.color in legend_rgb, f"legend swatch {item.color} not painted"
        assert item.color in map_rgb, f"class colour {item.color} not on the map"
    mx0, my0, mx1, my1 = (round(v * k) for v in result.geometry.country_boxes["MK"])
    assert not (lx0 < mx1 and lx1 > mx0 and ly0 < my1 and ly1 > my0)
    assert bare.geometry.country_boxes["MK"] == result.geometry.country_boxes["MK"]
    changed = sum(
        image.pixel(x, y) != without.pixel(x, y) for y in range(my0, my1, 3) for x in range(mx0, mx1, 3)
    )
    assert changed == 0, "legend pixels over North Macedonia"


def test_vector_pdf_holds_paths_and_text_with_embedded_fonts(
    qapp, bounded_data: ProjectData, tmp_path: Path
) -> None:
    import pypdf

    from resilience_map.render.print_map import PrintSpec, export_print_map

    out = tmp_path / "map.pdf"
    export_print_map(
        bounded_data,
        out,
        settings_for(bounded_data, indicator="SCORE_TRUST"),
        PrintSpec("A3", True),
        layers=parse_layers("municipalities,borders,labels,scn"),
        name_form="local",
    )
    page = pypdf.PdfReader(out).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 420  # A3 landscape
    assert not page.images, "the map must be vector paths, not an image"
    content = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"\b[lc]\n", content)) > 5000 and content.count(" f") + content.count("f*") > 5
    text = pdf_pages_text(out)[0]
    for words in (
        "Trust in institutions",
        "Demo wave 2023",
        "Quantiles",
        "Куманово",
        "Exported",
        "Boundaries:",
    ):
        assert words in text
    assert text.count(BADGE) == 1  # the demo badge once
    fonts = poppler("pdffonts", out).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded


def test_svg_is_vector_with_text(qapp, bounded_data: ProjectData, tmp_path: Path) -> None:
    from resilience_map.render.print_map import PrintSpec, export_print_map

    out = tmp_path / "map.svg"
    export_print_map(bounded_data, out, settings_for(bounded_data), PrintSpec(), country="MK")
    svg = out.read_text(encoding="utf-8")
    assert svg.count("<path") > 20 and "<image" not in svg
    assert ">BRAVE-14 resilience score</text>" in svg and "Kumanovo</text>" in svg


def test_serbian_letter_forms_in_map_labels(qapp) -> None:
    """б in a Serbian label uses the font's Serbian glyph; the text layer still says б."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter

    from resilience_map.render import fonts
    from resilience_map.render.export import ensure_gui_application

    ensure_gui_application()
    assert fonts.localised_substitutions("sr") == {"б": "uniF6C5"}
    images = []
    for lang in ("", "sr"):
        image = QImage(120, 60, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFFFF)
        p = QPainter(image)
        p.setFont(fonts.font(30, lang=lang))
        p.drawText(QPointF(10, 45), "б")
        p.end()
        images.append(image)
    assert images[0] != images[1]


def test_cli_defaults_to_first_indicator_and_latest_wave(demo_bounded: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.pdf"
    result = run_cli(
        "export-image", demo_bounded, "--out", out, "--layers", "municipalities,borders,coverage"
    )
    assert result.returncode == 0, result.stderr
    text = pdf_pages_text(out)[0]
    assert "BRAVE-14 resilience score" in text and "Demo wave 2023" in text
    assert "Prevention structures" in text and text.count(BADGE) == 1


@pytest.mark.parametrize(
    "args, words",
    [
        (("--indicator", "NOPE"), ("no indicator", "BRAVE14")),
        (("--wave", "1999"), ("no study wave",)),
        (("--layers", "municipalities,roads"), ("unknown layer", "coverage")),
        (("--dpi", "5000"), ("--dpi",)),
        (("--classes", "12"), ("classes",)),
    ],
)
def test_cli_bad_arguments_change_nothing(demo_project: Path, tmp_path: Path, args, words) -> None:
    before = sha256(demo_project)
    out = tmp_path / "x.png"
    result = run_cli("export-image", demo_project, *args, "--out", out)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert all(w in result.stderr for w in words), result.stderr
    assert not out.exists() and not list(tmp_path.glob(".x*")) and sha256(demo_project) == before


def test_cli_refuses_unknown_format_and_missing_folder(demo_project: Path, tmp_path: Path) -> None:
    result = run_cli("export-image", demo_project, "--out", tmp_path / "map.jpg")
    assert result.returncode != 0 and ".png, .pdf or .svg" in result.stderr
    result = run_cli("export-image", demo_project, "--out", tmp_path / "no" / "x.png")
    assert result.returncode != 0 and "does not exist" in result.stderr


def test_export_suggests_pictures_or_documents(monkeypatch, tmp_path: Path) -> None:
    from resilience_map.render.print_map import suggested_path

    pictures, documents = tmp_path / "Pictures", tmp_path / "Documents"
    pictures.mkdir()
    documents.mkdir()
    monkeypatch.setattr("platformdirs.user_pictures_path", lambda: pictures)
    monkeypatch.setattr("platformdirs.user_documents_path", lambda: documents)
    assert suggested_path("BRAVE-14: Demo wave 2023", ".PNG") == pictures / "BRAVE-14- Demo wave 2023.png"
    assert suggested_path("Čair briefing", ".pdf", kind="briefing") == documents / "Čair briefing.pdf"


def test_bold_serbian_labels_keep_their_forms(qapp) -> None:
    from PySide6.QtGui import QFontInfo

    from resilience_map.render import fonts
    from resilience_map.render.export import ensure_gui_application

    ensure_gui_application()
    bold = fonts.font(12, bold=True, lang="sr")
    assert QFontInfo(bold).family() == fonts.family_for("sr") != fonts.base_family()
    assert QFontInfo(bold).bold()


def test_serbian_labels_extract_as_typed(qapp, bounded_data: ProjectData, tmp_path: Path) -> None:
    from resilience_map.maps.scene import unit_extent
    from resilience_map.render.export import inset_pdf

    unit = bounded_data.municipality("Srbobran")
    style = SceneStyle(
        None,
        parse_layers("municipalities,labels"),
        name_form="local",
        highlight=frozenset({unit.uuid}),
        extent=unit_extent(bounded_data, [unit.uuid], 0.5),
    )
    out = tmp_path / "srbobran.pdf"
    out.write_bytes(inset_pdf(build_scene(bounded_data, style), 80, 60))
    assert "Србобран" in pdf_pages_text(out)[0]  # drawn with the Serbian б, extracted as б
    assert "DejaVuSansSR" in poppler("pdffonts", out)


def test_footer_names_each_boundary_source_once(bounded_data: ProjectData) -> None:
    from datetime import date

    from resilience_map.render.print_layout import footer_text

    scene = build_scene(bounded_data, SceneStyle(settings_for(bounded_data)))
    text = footer_text(scene, date(2026, 12, 1))
    assert "Boundaries: Boundaries" not in text and "OpenStreetMap" in text
    assert text.count("Boundaries: ") == len(scene.credits) == len(set(scene.credits)) >= 5
