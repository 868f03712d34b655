"""Consultation briefings as PDF: one municipality, a country, or an activity's participants.

The document engine is Typst (the ``typst`` wheel): one wheel on every OS, fonts embedded
and subset, correct text extraction, per-run languages for Serbian/Macedonian letter forms,
page numbers, a table of contents and headers that know what is on their page — and a
country briefing of 81 municipalities typesets in seconds. Maps are made by the caller's
``map_maker`` (the native renderer in ``resilience_map.render``) as vector PDF and embedded
as they are, so this package stays free of Qt.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from resilience_map import __version__
from resilience_map.documents.briefing_facts import REGISTRY_SOURCES, BriefingFacts
from resilience_map.documents.municipality_section import municipality_section
from resilience_map.documents.typst_source import DOCUMENT_FONT, compile_pdf, literal, table, text
from resilience_map.domain.enums import Country
from resilience_map.domain.records import HubActivity, Municipality
from resilience_map.maps.activities import date_label
from resilience_map.maps.coverage import coverage_by_country
from resilience_map.maps.project_data import ProjectData
from resilience_map.maps.scene import Layer, MapScene, SceneStyle, build_scene, settings_for, unit_extent

#: (scene, width mm, height mm) → a one-page vector PDF of that map.
MapMaker = Callable[[MapScene, float, float], bytes]
#: (steps done, steps in all, what comes next): one step per municipality, one for typesetting.
#: A country briefing takes tens of seconds; the window shows this while it waits.
Progress = Callable[[int, int, str], None]
LOCATOR_LAYERS = frozenset({Layer.MUNICIPALITIES, Layer.BORDERS, Layer.LABELS})


@dataclass(frozen=True)
class Briefing:
    """What was written, for the caller to report."""

    path: Path
    municipalities: int


#: What a briefing is about: one municipality, a country's municipalities, an activity's participants.
Subject = Municipality | Country | HubActivity
#: The overview a briefing opens with, given the dict its maps are written into (None: straight to the units).
Intro = Callable[[dict[str, bytes]], str] | None


def write_briefing(
    data: ProjectData,
    subject: Subject,
    out: Path,
    map_maker: MapMaker,
    *,
    include_restricted: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """Write the briefing about ``subject`` to ``out`` (a PDF, replaced only when complete).

    Every kind of briefing is the same document — a preamble, an optional overview, a section
    per municipality, the sources — so one function writes them; the subject decides the title,
    the municipalities and the overview.
    """
    facts = BriefingFacts(data, include_restricted)
    title, units, intro = _contents(facts, subject, map_maker)
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise ValueError(f"a briefing is a PDF: --out must end in .pdf (got {out.name})")
    if not out.parent.is_dir():
        raise ValueError(f"the folder {out.parent} does not exist")
    _typeset(facts, title, units, intro, out, map_maker, today or date.today(), progress)
    return Briefing(out, len(units))


def _contents(facts: BriefingFacts, subject: Subject, map_maker: MapMaker) -> tuple[str, list[Municipality], Intro]:
    """The title, the municipalities and the overview of the briefing about ``subject``."""
    data = facts.data
    if isinstance(subject, Municipality):
        return f"Consultation briefing: {subject.name_latin}", [subject], None
    if isinstance(subject, Country):
        country, units = subject, facts.units_of(subject)
        if not units:
            raise ValueError(f"this project has no municipalities in {country.label}")
        return (f"Consultation briefing: {country.label}", units,
                lambda files: _country_overview(facts, country, units, map_maker, files))
    activity = subject
    units = [data.by_uuid[p.municipality_uuid] for p in activity.participants if p.municipality_uuid in data.by_uuid]
    if not units:
        raise ValueError(f"the activity {activity.title!r} has no participating municipalities in this project")
    return (f"Briefing: {activity.title}", units,
            lambda files: _activity_overview(data, activity, units, map_maker, files))


# --- assembly --------------------------------------------------------------------------------
def _typeset(
    facts: BriefingFacts,
    title: str,
    units: list[Municipality],
    intro: Intro,
    out: Path,
    map_maker: MapMaker,
    today: date,
    progress: Progress | None,
) -> None:
    data = facts.data
    synthetic = data.synthetic_label if facts.any_synthetic(units) else ""
    with tempfile.TemporaryDirectory(prefix="resilience-map-briefing-") as folder:
        files: dict[str, bytes] = {}
        steps = len(units) + 1
        if intro and progress is not None:
            progress(0, steps, "overview maps")
        body = [intro(files)] if intro else []
        for i, unit in enumerate(units):
            if progress is not None:
                progress(i, steps, unit.name_latin)
            locator = _locator(data, unit, map_maker, files, f"maps/locator-{i}.pdf")
            body.append(municipality_section(facts, unit, locator))
        body.append(_sources(data, units, facts.include_restricted))
        if progress is not None:
            progress(len(units), steps, "typesetting")
        source = _preamble(title, synthetic, today, many=len(units) > 1) + "\n".join(body)
        tmp = out.with_name(f".{out.name}.part")
        try:
            compile_pdf(source, Path(folder), tmp, files)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)


def _preamble(title: str, synthetic: str, today: date, many: bool) -> str:
    badge = (
        (
            f'box(fill: rgb("#fff1ec"), stroke: 0.6pt + rgb("#8a1c00"), inset: (x: 4pt, y: 2pt), '
            f'text(fill: rgb("#8a1c00"), weight: "bold", {literal(synthetic)}))'
        )
        if synthetic
        else "none"
    )
    page_break = "pagebreak(weak: true); " if many else ""  # each municipality of many on a page of its own
    return f"""#set document(title: {literal(title)}, author: "Resilience Map")
#set text(font: "{DOCUMENT_FONT}", size: 8.5pt, lang: "en")
#set par(justify: false, leading: 0.55em)
#let badge = {badge}
#set page(paper: "a4", margin: (x: 15mm, top: 21mm, bottom: 16mm),
  header: context {{
    set text(7pt, fill: luma(80))
    let restricted = query(<restricted>).any(m => m.location().page() == here().page())
    grid(columns: (1fr, auto, auto), gutter: 4pt, align: horizon,
      [{text(title)} · generated {today.isoformat()}],
      if restricted {{
        box(fill: rgb("#b00020"), inset: (x: 4pt, y: 2pt), text(white, weight: "bold")[Restricted])
      }},
      badge)
  }},
  footer: context {{
    set text(7pt, fill: luma(80))
    [Resilience Map {__version__} #h(1fr) Page #counter(page).display("1 of 1", both: true)]
  }})
#show heading.where(level: 1): it => {{ {page_break}block(above: 14pt, below: 8pt, text(14pt, it)) }}
#show heading.where(level: 2): it => block(above: 12pt, below: 5pt, text(10.5pt, it))
#show heading.where(level: 3): it => block(above: 8pt, below: 3pt, text(9pt, it))
#block(text(18pt, weight: "bold", {literal(title)}))
Generated {today.isoformat()} with Resilience Map {__version__}.
Every table and map in this document comes from the project file;
the sources and licences are listed at the end.
#if badge != none [
  #block(above: 6pt)[#badge Values marked by this label are invented for demonstration:
  they are not study results.]
]
#block(above: 10pt, text(12pt, weight: "bold")[Contents])
#outline(title: none, depth: {1 if many else 2})
"""


def _locator(
    data: ProjectData, unit: Municipality, map_maker: MapMaker, files: dict[str, bytes], name: str
) -> str | None:
    """The unit highlighted among its neighbours, with country borders (None without geometry)."""
    try:
        extent = unit_extent(data, [unit.uuid], margin=0.9)
    except ValueError:
        return None
    scene = build_scene(
        data, SceneStyle(None, LOCATOR_LAYERS, highlight=frozenset({unit.uuid}), extent=extent)
    )
    files[name] = map_maker(scene, 72.0, 62.0)
    return name


def _country_overview(
    facts: BriefingFacts,
    country: Country,
    units: list[Municipality],
    map_maker: MapMaker,
    files: dict[str, bytes],
) -> str:
    data = facts.data
    extent = unit_extent(data, [u.uuid for u in units], margin=0.04)
    out = [f"= {text(country.label)}: overview\n", "== Coverage by prevention-structure type\n"]
    types = sorted(
        {s.structure_type for s in data.structures if data.by_uuid.get(s.municipality_uuid) in units},
        key=lambda t: t.label,
    )
    rows = []
    for t in types:
        cov = next(c for c in coverage_by_country(data.units, data.structures, {t}) if c.country is country)
        share = f"{100 * cov.covered / cov.total:.0f}%" if cov.total else "–"
        pop = (
            (
                f"{100 * cov.population_covered / cov.population_known:.0f}% of population"
                + (
                    f" (of the {cov.units_with_population} units with a census figure)"
                    if cov.units_with_population < cov.total
                    else ""
                )
            )
            if cov.units_with_population
            else "population unknown"
        )
        rows.append(
            [text(t.label), text(f"{cov.covered} of {cov.total} municipalities ({share})"), text(pop)]
        )
    out.append(
        table(["Structure type", "Municipalities", "Population"], rows, widths="(1.3fr, 1fr, 1.4fr)")
        if rows
        else "No prevention structure is recorded in this country.\n"
    )
    out.append("\n== Indicator maps\n")
    for i, ind in enumerate(data.indicators):
        scene = build_scene(
            data,
            SceneStyle(
                settings_for(data, indicator=ind.code),
                LOCATOR_LAYERS,
                extent=extent,
                title=ind.name,
                country=country,
            ),
        )
        name = f"maps/overview-{i}.pdf"
        files[name] = map_maker(scene, 180.0, 105.0)
        out.append(
            f"#block(breakable: false)[=== {text(ind.name)} ({text(scene.subtitle)})\n"
            f'#image("{name}", width: 180mm)]\n'
        )
    return "\n".join(out)


def _activity_overview(
    data: ProjectData,
    activity: HubActivity,
    units: list[Municipality],
    map_maker: MapMaker,
    files: dict[str, bytes],
) -> str:
    rows = [
        ("Type", activity.activity_type.label),
        ("Dates", date_label(activity)),
        ("Host", activity.host_place or "–"),
        ("Participants", f"{activity.participant_count:,}" if activity.participant_count else "not recorded"),
        ("Topics", ", ".join(activity.topics) or "–"),
        ("Partners", ", ".join(activity.partners) or "–"),
        ("Outcomes", activity.outcomes or "–"),
        ("Source", activity.source or "–"),
    ]
    out = [
        f"= {text(activity.title)}\n",
        table(["", ""], [[f"*{k}*", text(v)] for k, v in rows], widths="(30mm, 1fr)"),
        "\n== Participating municipalities\n",
        ", ".join(text(f"{u.name_latin} ({u.country.label})") for u in units) + "\n",
    ]
    try:
        extent = unit_extent(data, [u.uuid for u in units], margin=0.25)
        scene = build_scene(
            data,
            SceneStyle(
                None,
                LOCATOR_LAYERS,
                highlight=frozenset(u.uuid for u in units),
                extent=extent,
                labelled=frozenset(u.uuid for u in units),
            ),
        )
        files["maps/activity.pdf"] = map_maker(scene, 180.0, 130.0)
        out.append('#image("maps/activity.pdf", width: 180mm)\n')
    except ValueError:
        pass
    return "\n".join(out)


def _sources(data: ProjectData, units: list[Municipality], include_restricted: bool) -> str:
    lines = [f"Project file: {data.title}." if data.title else ""]
    for w in data.waves_in_order:
        lines.append(
            f"Study wave {w.name}: {w.conducted_by or 'who ran it is not recorded'}"
            + (f" — {data.synthetic_label or 'synthetic values'}" if w.synthetic else "")
            + "."
        )
    lines += [f"{c}." for c in data.boundary_credits] or [  # each says "Boundaries: …"
        "Boundaries: none imported (seats only)."
    ]
    ids = {u.uuid for u in units}
    acts = sorted(
        {
            a.source
            for a in data.activities
            if a.source and any(p.municipality_uuid in ids for p in a.participants)
        }
    )
    lines += [f"Hub activity: {s}" for s in acts]
    lines += list(REGISTRY_SOURCES)
    lines.append(
        "Restricted notes are included and marked on every page where they appear."
        if include_restricted
        else "Restricted notes are not included."
    )
    return "= Sources and licences\n" + "\n".join(f"- {text(line)}" for line in lines if line) + "\n"
