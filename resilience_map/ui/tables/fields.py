"""How the wizard names import targets and fields (the core's names are for files)."""

from __future__ import annotations

from resilience_map.io.tables.mapping import INDICATOR_PREFIX

TARGET_LABELS = {
    "indicator_values": "Indicator values (study results)",
    "prevention_structures": "Prevention structures (CATs, safety councils)",
    "municipality_notes": "Municipality notes (needs, priorities, observations)",
}

FIELD_LABELS = {
    "municipality": "Municipality (name)",
    "code": "Municipality code",
    "country": "Country",
    "indicator": "Indicator (code or name)",
    "wave": "Study wave",
    "value": "Value",
    "neighbourhood": "Neighbourhood",
    "indicator_name": "Indicator name (for new indicators)",
    "unit": "Indicator unit (for new indicators)",
    "scale_min": "Scale minimum (for new indicators)",
    "scale_max": "Scale maximum (for new indicators)",
    "polarity": "Higher is better/worse (for new indicators)",
    "dimension": "Indicator dimension (for new indicators)",
    "framework": "Indicator framework (for new indicators)",
    "wave_start": "Wave start date (for a new wave)",
    "wave_end": "Wave end date (for a new wave)",
    "structure_type": "Structure type",
    "name": "Structure name",
    "status": "Status",
    "established": "Date established",
    "legal_basis": "Legal basis",
    "member_sectors": "Member sectors",
    "member_count": "Number of members",
    "referral_role": "Referral role (yes/no)",
    "action_plan": "Action plan (yes/no)",
    "dedicated_budget": "Dedicated budget (yes/no)",
    "notes": "Notes",
    "category": "Note category",
    "text": "Note text",
    "noted_on": "Noted on (date)",
    "restricted": "Restricted (yes/no)",
}

NOT_IMPORTED = "— not imported —"


def field_label(name: str, indicator_names: dict[str, str] | None = None) -> str:
    """"Value", or "Indicator BRAVE14 – Resilience to violent extremism" for a wide column."""
    if name.startswith(INDICATOR_PREFIX):
        code = name[len(INDICATOR_PREFIX):]
        known = (indicator_names or {}).get(code)
        return f"Indicator {code} – {known}" if known else f"New indicator {code}"
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
