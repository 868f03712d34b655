"""Side panel describing the selected municipality (all text HTML-escaped)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from resilience_map.maps.activities import date_label
from resilience_map.ui.map_controller import ProjectSnapshot


class DetailsPanel(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self.setOpenLinks(False)
        self.show_municipality(None, ProjectSnapshot())

    def show_municipality(self, uuid: str | None, snap: ProjectSnapshot) -> None:
        unit = next((u for u in snap.units if u.uuid == uuid), None)
        if unit is None:
            self.setHtml("<p style='color:#666'>Click a municipality on the map or in the table.</p>")
            return
        e = escape
        parts = [f"<h3>{e(unit.name_latin)}</h3>",
                 f"<p>{e(' · '.join(n for n in unit.all_names() if n != unit.name_latin))}</p>",
                 f"<p><b>{e(unit.country.label)}</b>{(' — ' + e(unit.region)) if unit.region else ''}<br>"
                 f"{e(unit.kind.label)}"]
        if unit.population is not None:
            parts.append(f"<br>Population {unit.population:,} ({unit.population_year} census)")
        if unit.scn_member_since:
            parts.append(f"<br>Strong Cities Network member since {unit.scn_member_since:%B %Y}")
        parts.append("</p>")
        parts += self._indicators(unit.uuid, snap) + self._structures(unit.uuid, snap) + self._activities(unit.uuid, snap)
        self.setHtml("".join(parts))

    @staticmethod
    def _indicators(uuid: str, snap: ProjectSnapshot) -> list[str]:
        values = {(v.indicator_uuid, v.wave_uuid): v for v in snap.values if v.municipality_uuid == uuid and not v.neighbourhood}
        if not values:
            return []
        waves = sorted(snap.waves, key=lambda w: w.start_date)
        head = "".join(f"<th>{escape(w.name)}</th>" for w in waves)
        rows = []
        for ind in snap.indicators:
            cells = "".join(f"<td align='right'>{values[(ind.uuid, w.uuid)].value:g}</td>" if (ind.uuid, w.uuid) in values
                            else "<td></td>" for w in waves)
            rows.append(f"<tr><td>{escape(ind.name)}</td>{cells}</tr>")
        note = f"<p style='color:#8a1c00'><b>{escape(snap.synthetic_label)}</b></p>" if snap.synthetic_label else ""
        return [f"<h4>Indicators</h4>{note}<table cellspacing=2><tr><th></th>{head}</tr>{''.join(rows)}</table>"]

    @staticmethod
    def _structures(uuid: str, snap: ProjectSnapshot) -> list[str]:
        items = [s for s in snap.structures if s.municipality_uuid == uuid]
        if not items:
            return ["<h4>Prevention structures</h4><p>None recorded.</p>"]
        lis = "".join(f"<li>{escape(s.structure_type.label)} — {escape(s.status.label)}"
                      f"{(', since ' + s.established.strftime('%B %Y')) if s.established else ''}"
                      f"{('<br><small>' + escape(s.notes) + '</small>') if s.notes else ''}</li>" for s in items)
        return [f"<h4>Prevention structures</h4><ul>{lis}</ul>"]

    @staticmethod
    def _activities(uuid: str, snap: ProjectSnapshot) -> list[str]:
        items = sorted((a for a in snap.activities if any(p.municipality_uuid == uuid for p in a.participants)),
                       key=lambda a: a.start_date, reverse=True)
        if not items:
            return []
        lis = "".join(f"<li>{escape(date_label(a))}: {escape(a.title)}</li>" for a in items)
        return [f"<h4>Hub activities</h4><ul>{lis}</ul>"]
