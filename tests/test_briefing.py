"""Consultation briefings (issue 12): content, scripts, restricted notes, fonts, hostile text, CLI."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tests_helpers import pdf_pages_text, poppler, run_cli, sha256

from resilience_map.documents.typst_source import literal, text
from resilience_map.domain.enums import MemberSector, NoteCategory, StructureStatus, StructureType
from resilience_map.domain.records import MunicipalityNote, PreventionStructure
from resilience_map.maps.project_data import ProjectData
from resilience_map.store import ProjectStore

BADGE = "Demo data – not study results"
HOSTILE = '#set page(fill: red) *bold* _x_ $a^2$ <lab> @ref ] } " \\ #panic("boom") `raw`'
SECRET = "Secret: the mayor's office asked us not to circulate this"


@pytest.fixture(scope="module")
def briefed_project(demo_bounded_template: Path, tmp_path_factory) -> Path:
    """The bounded demo with Čair's notes (one restricted, one hostile) and a hostile alternative name."""

    path = Path(tmp_path_factory.mktemp("briefing")) / "demo.gpkg"
    path.write_bytes(demo_bounded_template.read_bytes())
    with ProjectStore.open(path) as store:
        cair = store.municipality_by_registry_id("mk-cair")
        store.update(replace(cair, alt_names=(*cair.alt_names, HOSTILE)), "test")
        store.add_many(
            [
                MunicipalityNote(
                    municipality_uuid=cair.uuid,
                    category=NoteCategory.NEED,
                    text=HOSTILE,
                    noted_on=date(2024, 3, 1),
                ),
                MunicipalityNote(
                    municipality_uuid=cair.uuid,
                    category=NoteCategory.OBSERVATION,
                    text=SECRET,
                    restricted=True,
                ),
            ],
            "test",
        )
        store.add(  # the demo cites no page for a CAT in Čair; the test brings its own
            PreventionStructure(municipality_uuid=cair.uuid, structure_type=StructureType.CAT,
                                status=StructureStatus.ACTIVE, member_sectors=(MemberSector.EDUCATION,)),
            "test",
        )
    return path


def test_text_enters_typst_as_literal_strings() -> None:
    assert literal('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert text("Чаир", None).startswith('#text(lang: "sr"')
    from resilience_map.domain.enums import Country

    assert text("Куманово", Country.MK).startswith('#text(lang: "mk"')
    assert text("*x*") == '#"*x*"'


def test_names_in_any_script_find_one_municipality(briefed_project: Path) -> None:
    data = ProjectData.open(briefed_project)
    assert {data.municipality(n).registry_id for n in ("Чаир", "Çair", "cair", "mk-cair")} == {"mk-cair"}
    with pytest.raises(ValueError, match="several municipalities"):
        data.municipality("Novi")


def test_municipality_briefing_content(briefed_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "cair.pdf"
    before = sha256(briefed_project)
    result = run_cli("briefing", briefed_project, "--municipality", "Чаир", "--out", out)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(out)
    whole = "\n".join(pages)
    assert "Čair" in whole and "Чаир" in whole and "Çair" in whole  # both scripts, every form
    data = ProjectData.open(briefed_project)
    for ind in data.indicators:
        assert ind.name in whole, ind.name
    assert "Community Action Team" in whole and "(CAT)" in whole  # the cell wraps before "(CAT)"
    assert "Higher values are worse" in whole
    flat = " ".join(whole.split())
    assert "17–20 Sep 2018 SCN city consultations" in flat  # the activity Čair took part in
    assert "member of the Strong Cities Network since" in flat
    assert all(BADGE in page for page in pages), "demo badge missing on a page"
    assert "Contents" in pages[0] and f"Page 1 of {len(pages)}" in pages[0]
    assert SECRET not in whole and "Restricted" not in whole.replace("Restricted notes", "")
    assert " ".join(HOSTILE.split()) in flat  # printed literally, as a name and as a note
    assert sha256(briefed_project) == before


def test_restricted_notes_only_when_asked_and_marked_on_their_pages(
    briefed_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cair-restricted.pdf"
    result = run_cli(
        "briefing", briefed_project, "--municipality", "Cair", "--out", out, "--include-restricted"
    )
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(out)
    showing = [p for p in pages if "Secret: the mayor" in p]
    assert showing and all("Restricted" in p.split("\n", 2)[0] + p.split("\n", 2)[1] for p in showing)
    assert not any("Restricted" in p.splitlines()[0] for p in pages if p not in showing)


def test_fonts_are_embedded_and_cover_the_region(briefed_project: Path, tmp_path: Path, qapp) -> None:
    from resilience_map.render.briefing_pdf import write_municipality_briefing

    out = tmp_path / "kumanovo.pdf"
    write_municipality_briefing(ProjectData.open(briefed_project), "Kumanovo", out)
    fonts = poppler("pdffonts", out).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    from fontTools.ttLib import TTFont

    from resilience_map.assets import font_folder

    cmap = TTFont(str(font_folder() / "DejaVuSans.ttf")).getBestCmap()
    assert all(ord(ch) in cmap for ch in "ëçčćšžđČĆŠŽĐђћџљњѓќѕјЂЋЏЉЊЃЌЅЈ")


def test_serbian_and_macedonian_forms_are_typeset() -> None:
    """Typst picks the font's Serbian б for a run tagged sr (what `text()` does for Cyrillic)."""
    import tempfile

    import typst

    from resilience_map.assets import font_folder

    renders = []
    for lang in ("ru", "sr", "mk"):
        with tempfile.TemporaryDirectory() as folder:
            main = Path(folder) / "t.typ"
            main.write_text(
                f'#set page(width: 2cm, height: 2cm)\n#text(font: "DejaVu Sans", size: 30pt, '
                f'lang: "{lang}")[б]',
                encoding="utf-8",
            )
            renders.append(
                typst.compile(
                    str(main), format="png", ppi=72, font_paths=[str(font_folder())], ignore_system_fonts=True
                )
            )
    assert renders[0] != renders[1] and renders[1] == renders[2]


def test_country_briefing_has_overview_coverage_and_every_unit(briefed_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "me.pdf"
    result = run_cli("briefing", briefed_project, "--country", "me", "--out", out)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(out)
    whole = "\n".join(pages)
    data = ProjectData.open(briefed_project)
    units = [u for u in data.units if u.country.value == "ME"]
    for u in units:
        assert u.name_latin in whole, u.name_latin
    assert "Montenegro: overview" in whole and "Coverage by prevention-structure type" in whole
    assert "Indicator maps" in whole and "of 25 municipalities" in whole
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, 1))
    assert all(BADGE in p for p in pages)


def test_activity_briefing_covers_its_participants(briefed_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sarajevo.pdf"
    result = run_cli("briefing", briefed_project, "--activity", "inaugural workshop", "--out", out)
    assert result.returncode == 0, result.stderr
    whole = "\n".join(pdf_pages_text(out))
    data = ProjectData.open(briefed_project)
    activity = data.activity("inaugural workshop")
    assert activity.title in whole
    for p in activity.participants:
        assert data.by_uuid[p.municipality_uuid].name_latin in whole


@pytest.mark.parametrize(
    "args, words",
    [
        (("--municipality", "Atlantis"), ("no municipality named",)),
        (("--municipality", "Novi"), ("several municipalities",)),
        (("--country", "FR"), ("unknown country",)),
        (("--activity", "no such thing"), ("no hub activity",)),
    ],
)
def test_briefing_bad_input(demo_project: Path, tmp_path: Path, args, words) -> None:
    before = sha256(demo_project)
    out = tmp_path / "b.pdf"
    result = run_cli("briefing", demo_project, *args, "--out", out)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and all(w in result.stderr for w in words), (
        result.stderr
    )
    assert not out.exists() and sha256(demo_project) == before


def test_briefing_needs_a_pdf_name(demo_project: Path, tmp_path: Path) -> None:
    result = run_cli("briefing", demo_project, "--country", "MK", "--out", tmp_path / "b.docx")
    assert result.returncode != 0 and ".pdf" in result.stderr
