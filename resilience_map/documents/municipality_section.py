"""One municipality's section of a briefing, as Typst source (Qt-free).

Everything from the project goes through :func:`typst_source.text`, so names and notes
print literally. Restricted notes carry a ``<restricted>`` marker that the page header
looks for, so every page showing one says "Restricted".
"""

from __future__ import annotations

from resilience_map.documents.briefing_facts import BriefingFacts, IndicatorRow, polarity_words, yes_no
from resilience_map.documents.typst_source import code_text, table, text
from resilience_map.domain.records import IndicatorDefinition, Municipality
from resilience_map.maps.activities import date_label

CHART_W, CHART_H = 58.0, 24.0  # mm
UNIT_COLOUR, COUNTRY_COLOUR, REGION_COLOUR = 'rgb("#253494")', 'rgb("#d95f02")', "luma(110)"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def municipality_section(facts: BriefingFacts, unit: Municipality, locator: str | None) -> str:
    """Typst for one unit: names, facts + locator map, indicators, structures, activities, notes."""
    c = unit.country
    local = f" · {text(unit.name_local, c)}" if unit.name_local != unit.name_latin else ""
    parts = [f"= {text(unit.name_latin, c)}{local}\n"]
    parts.append(_names_and_facts(facts, unit, locator))
    parts.append(_indicators(facts, unit))
    parts.append(_structures(facts, unit))
    parts.append(_activities(facts, unit))
    parts.append(_notes(facts, unit))
    return "\n".join(parts)


def _names_and_facts(facts: BriefingFacts, unit: Municipality, locator: str | None) -> str:
    c = unit.country
    names = [
        ("Official local form", text(unit.name_local, c)),
        ("Latin script", text(unit.name_latin, c)),
        ("English", text(unit.name_en, c)),
    ]
    others = [n for n in unit.alt_names if n not in (unit.name_local, unit.name_latin, unit.name_en)]
    if others:
        names.append(("Also written", ", ".join(text(n, c) for n in others)))
    population = (
        f"{unit.population:,} (census {unit.population_year})"
        if unit.population is not None
        else "not recorded in the project"
    )
    parents = facts.parents(unit)
    seat = text(unit.seat_name) if unit.seat_name else "not recorded"
    scn = (
        f"member of the Strong Cities Network since {unit.scn_member_since:%B %Y}"
        if unit.scn_member_since
        else "not a member of the Strong Cities Network"
    )
    rows = names + [
        ("Country", text(c.label)),
        ("Kind of unit", text(unit.kind.label)),
        ("Parent units", ", ".join(text(p) for p in parents) if parents else "none"),
        ("Seat", seat),
        ("Population", text(population)),
        ("Codes", ", ".join(text(f"{k} {v}") for k, v in unit.codes.items()) or "none recorded"),
        ("SCN membership", text(scn)),
    ]
    facts_table = table(["", ""], [[f"*{k}*", v] for k, v in rows], widths="(32mm, 1fr)")
    if locator is None:
        return "== Names and facts\n" + facts_table
    return (
        "== Names and facts\n#grid(columns: (1fr, 72mm), gutter: 5mm,\n[" + facts_table + "],\n"
        f'[#figure(image("{locator}", width: 72mm), caption: [Location: highlighted among its '
        "neighbours; thick lines are country borders])])\n"
    )


def _indicators(facts: BriefingFacts, unit: Municipality) -> str:
    data = facts.data
    if not data.indicators:
        return "== Indicators\nThis project has no indicators.\n"
    out = [
        "== Indicators\n",
        "Each indicator across the study waves, with the median of the unit's country and of the whole "
        f"region. In the charts: #text(fill: {UNIT_COLOUR})[*●* this municipality], "
        f"#text(fill: {COUNTRY_COLOUR})[*- -* country median], "
        f"#text(fill: {REGION_COLOUR})[*···* regional median].\n",
    ]
    for ind in data.indicators:
        rows = facts.indicator_rows(unit, ind)
        body = table(
            ["Wave", "Value", "Country median", "Regional median"],
            [
                [text(r.wave.name), number(r.value), number(r.country_median), number(r.regional_median)]
                for r in rows
            ],
            widths="(1fr, auto, auto, auto)",
        )
        about = (
            f"{text(ind.dimension or ind.framework)}. Scale {number(ind.scale_min)}–{number(ind.scale_max)} "
            f"{text(ind.unit)}. {text(polarity_words(ind.polarity))}"
        )
        out.append(
            f"=== {text(ind.name)} ({text(ind.code)})\n#block(breakable: false)[{about}\n"
            f"#grid(columns: (1fr, {CHART_W}mm), gutter: 4mm, [{body}], [{_chart(ind, rows)}])]\n"
        )
    return "\n".join(out)


def _chart(ind: IndicatorDefinition, rows: list[IndicatorRow]) -> str:
    """A small line chart drawn by Typst itself (vector, no image): unit vs medians per wave."""
    left, bottom, top = 9.0, 5.0, 2.0
    plot_w, plot_h = CHART_W - left - 3.0, CHART_H - bottom - top
    span = (ind.scale_max - ind.scale_min) or 1.0
    n = max(len(rows), 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * (i + 0.5) / n)
        y = top + plot_h * (1 - (value - ind.scale_min) / span)
        return x, y

    items = [
        f"place(line(start: ({left}mm, {top}mm), end: ({left}mm, {top + plot_h}mm), "
        "stroke: 0.4pt + luma(150)))",
        f"place(line(start: ({left}mm, {top + plot_h}mm), end: ({left + plot_w}mm, {top + plot_h}mm), "
        "stroke: 0.4pt + luma(150)))",
    ]
    for value, dy in ((ind.scale_max, top), (ind.scale_min, top + plot_h)):
        items.append(
            f"place(dx: 0mm, dy: {dy - 1.3}mm, box(width: {left - 1}mm, align(right, "
            f'text(5.5pt, fill: luma(90), "{number(value)}"))))'
        )
    series = [
        ("regional_median", REGION_COLOUR, '(paint: luma(110), thickness: 0.7pt, dash: "dotted")'),
        ("country_median", COUNTRY_COLOUR, f'(paint: {COUNTRY_COLOUR}, thickness: 0.7pt, dash: "dashed")'),
        ("value", UNIT_COLOUR, f"(paint: {UNIT_COLOUR}, thickness: 1pt)"),
    ]
    for attr, colour, stroke in series:
        points = [(i, getattr(r, attr)) for i, r in enumerate(rows) if getattr(r, attr) is not None]
        for (i, a), (j, b) in zip(points, points[1:], strict=False):
            (x1, y1), (x2, y2) = xy(i, a), xy(j, b)
            items.append(
                f"place(line(start: ({x1:.2f}mm, {y1:.2f}mm), end: ({x2:.2f}mm, {y2:.2f}mm), "
                f"stroke: {stroke}))"
            )
        for i, v in points:
            x, y = xy(i, v)
            r = 0.9 if attr == "value" else 0.6
            items.append(
                f"place(dx: {x - r:.2f}mm, dy: {y - r:.2f}mm, "
                f"circle(radius: {r}mm, fill: {colour}, stroke: none))"
            )
    for i, row in enumerate(rows):
        x, _ = xy(i, ind.scale_min)
        items.append(
            f"place(dx: {x - 12:.2f}mm, dy: {top + plot_h + 0.8}mm, box(width: 24mm, align(center, "
            f"text(5.2pt, fill: luma(80), {code_text(row.wave.name)}))))"
        )
    return f"#box(width: {CHART_W}mm, height: {CHART_H}mm, {{\n  " + "\n  ".join(items) + "\n})"


def _structures(facts: BriefingFacts, unit: Municipality) -> str:
    structures = facts.structures(unit)
    if not structures:
        return "== Prevention structures\nNo prevention structure is recorded for this municipality.\n"
    rows = []
    for s in structures:
        name = text(s.structure_type.label) + (f" — {text(s.name)}" if s.name else "")
        sectors = ", ".join(m.label for m in s.member_sectors) or "not recorded"
        members = f" ({s.member_count} members)" if s.member_count is not None else ""
        rows.append(
            [
                name,
                text(s.status.label),
                text(s.established.isoformat() if s.established else "not recorded"),
                text(sectors + members),
                yes_no(s.referral_role),
                yes_no(s.action_plan),
                yes_no(s.dedicated_budget),
            ]
        )
    details = [
        f"- {text(s.structure_type.label)}: "
        + "; ".join(
            p
            for p in (
                text(f"legal basis: {s.legal_basis}") if s.legal_basis else "",
                text(s.notes) if s.notes else "",
            )
            if p
        )
        for s in structures
        if s.legal_basis or s.notes
    ]
    return (
        "== Prevention structures\n"
        + table(
            ["Type", "Status", "Established", "Member sectors", "Referral role", "Action plan", "Budget"],
            rows,
            widths="(1.6fr, auto, auto, 1.4fr, auto, auto, auto)",
        )
        + ("\n#text(7.5pt)[\n" + "\n".join(details) + "\n]\n" if details else "")
    )


def _activities(facts: BriefingFacts, unit: Municipality) -> str:
    acts = facts.activities(unit)
    if not acts:
        return (
            "== Hub activities\nThe project records no hub activity hosted or joined by this municipality.\n"
        )
    rows = [
        [
            text(date_label(a)),
            text(a.title),
            text(a.activity_type.label),
            text(role),
            text(a.host_place or "–"),
            text(", ".join(a.partners) or "–"),
        ]
        for a, role in acts
    ]
    return "== Hub activities (newest first)\n" + table(
        ["Date", "Activity", "Type", "Role", "Host", "Partners"],
        rows,
        widths="(auto, 2fr, auto, auto, auto, 1.2fr)",
    )


def _notes(facts: BriefingFacts, unit: Municipality) -> str:
    notes = facts.notes(unit)
    withheld = "" if facts.include_restricted else " Restricted notes are not included in this briefing."
    if not notes:
        return f"== Needs, priorities and observations\nNone recorded.{withheld}\n"
    out = [
        f"== Needs, priorities and observations\n{withheld.strip()}\n"
        if withheld
        else "== Needs, priorities and observations\n"
    ]
    for category in ("need", "priority", "observation"):
        mine = [n for n in notes if n.category.value == category]
        if not mine:
            continue
        out.append(f"#block(sticky: true)[*{mine[0].category.label}s*]\n")
        for n in mine:
            when = f" ({n.noted_on.isoformat()})" if n.noted_on else ""
            mark = (
                (
                    '#box(fill: rgb("#b00020"), inset: (x: 2pt, y: 1pt), '
                    'text(white, weight: "bold", 7pt)[Restricted]) '
                    '#metadata("restricted") <restricted> '
                )
                if n.restricted
                else ""
            )
            out.append(f"- {mark}{text(n.text, unit.country)}{text(when) if when else ''}")
    return "\n".join(out) + "\n"
