"""Words tables use for our fields and enumerations, in English and the region's languages.

Compared folded (:func:`resilience_map.domain.names.fold`), so Cyrillic and Latin,
with or without diacritics, meet: "Општина", "Opština", "opstina" are one key.
Survey tools prefix question names with their group ("grp_location/municipality");
the part after the last "/" or "." is what counts.
"""

from __future__ import annotations

from resilience_map.domain.enums import (
    MemberSector,
    NoteCategory,
    Polarity,
    StructureStatus,
    StructureType,
)
from resilience_map.domain.names import fold

#: Field → header words. Fields shared by every target come first.
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "municipality": ("municipality", "municipality name", "municipality_name", "lsg", "city",
                     "local self government", "opstina", "opcina", "op\u0161tina", "општина",
                     "komuna", "bashkia", "bashkia e", "grad", "opstina grad", "naziv opstine",
                     "emri i komunes", "emri i bashkise", "unit", "place", "mesto", "mjesto"),
    "code": ("code", "municipality code", "registry id", "registry_id", "iso", "iso code",
             "sifra", "шифра", "kod", "код", "kodi", "maticni broj", "матични број", "id opstine"),
    "country": ("country", "drzava", "држава", "shteti", "zemlja", "земја", "country code"),
    "indicator": ("indicator", "indicator code", "indikator", "индикатор", "tregues",
                  "treguesi", "pokazatelj", "показател", "показатељ", "variable", "measure"),
    "wave": ("wave", "study wave", "survey wave", "round", "survey round", "talas", "талас",
             "runda", "рунда", "vala", "бран", "krug", "круг", "survey", "istrazivanje"),
    "value": ("value", "score", "vrijednost", "vrednost", "вредност", "vrednost indikatora",
              "vlera", "vlere", "rezultat", "резултат", "result", "mean", "average"),
    "neighbourhood": ("neighbourhood", "neighborhood", "naselje", "населба", "насеље",
                      "mjesna zajednica", "mesna zajednica", "lagja", "lagjja"),
    "indicator_name": ("indicator name", "naziv indikatora", "emri i treguesit"),
    "unit": ("unit", "jedinica", "njesia", "единица"),
    "scale_min": ("scale min", "scale_min", "min", "minimum", "scale minimum"),
    "scale_max": ("scale max", "scale_max", "max", "maximum", "scale maximum"),
    "polarity": ("polarity", "direction", "higher is"),
    "dimension": ("dimension", "dimenzija", "dimensioni", "димензија"),
    "framework": ("framework", "instrument"),
    "wave_start": ("wave start", "start date", "wave_start", "fieldwork start", "pocetak"),
    "wave_end": ("wave end", "end date", "wave_end", "fieldwork end", "kraj"),
    "structure_type": ("structure type", "structure", "type", "vrsta", "тип", "tip", "lloji",
                       "vrsta tijela", "body type"),
    "name": ("name", "structure name", "naziv", "назив", "emri", "ime"),
    "status": ("status", "статус", "statusi", "stanje"),
    "established": ("established", "date established", "founded", "osnovan", "osnovano",
                    "formiran", "формиран", "основан", "themeluar", "data e themelimit",
                    "datum osnivanja"),
    "legal_basis": ("legal basis", "pravni osnov", "правен основ", "baza ligjore", "decision"),
    "member_sectors": ("member sectors", "sectors", "sektori", "сектори", "members from"),
    "member_count": ("member count", "members", "number of members", "broj clanova",
                     "број членови", "број чланова", "numri i anetareve"),
    "referral_role": ("referral role", "referrals", "upucivanje", "referim"),
    "action_plan": ("action plan", "akcioni plan", "акциски план", "plan veprimi"),
    "dedicated_budget": ("dedicated budget", "budget", "budzet", "буџет", "buxhet"),
    "notes": ("notes", "remarks", "napomene", "забелешки", "shenime", "comment", "comments"),
    "category": ("category", "kategorija", "категорија", "kategoria", "kind"),
    "text": ("text", "note", "need", "observation", "napomena", "белешка", "shenim",
             "potreba", "nevoja", "description", "opis"),
    "noted_on": ("noted on", "date", "datum", "датум", "data"),
    "restricted": ("restricted", "confidential", "povjerljivo", "poverljivo", "konfidenciale"),
}

#: Fields of each import target ("municipality" and "code"/"country" identify the unit).
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "indicator_values": ("municipality", "code", "country", "indicator", "wave", "value",
                         "neighbourhood", "indicator_name", "unit", "scale_min", "scale_max",
                         "polarity", "dimension", "framework", "wave_start", "wave_end"),
    "prevention_structures": ("municipality", "code", "country", "structure_type", "name",
                              "status", "established", "legal_basis", "member_sectors",
                              "member_count", "referral_role", "action_plan",
                              "dedicated_budget", "notes"),
    "municipality_notes": ("municipality", "code", "country", "category", "text", "noted_on",
                           "restricted"),
}

_ENUM_WORDS: dict[type, dict[str, tuple[str, ...]]] = {
    StructureType: {
        "community_action_team": ("cat", "community action team", "tim za akciju u zajednici",
                                  "тим за акција во заедницата"),
        "local_prevention_council": ("lpc", "local prevention council",
                                     "локален совет за превенција", "lokalni savet za prevenciju"),
        "local_public_safety_council": ("lpsc", "keshilli vendor per siguri publike",
                                        "local public safety council"),
        "municipal_community_safety_council": ("mcsc", "keshilli komunal per siguri ne bashkesi"),
        "local_safety_council": ("lsc", "lokalni savjet za bezbjednost", "savjet za bezbjednost"),
        "municipal_safety_council": ("msc", "opstinski savet za bezbednost", "savet za bezbednost"),
    },
    StructureStatus: {
        "active": ("aktivan", "aktivno", "активен", "активан", "aktiv", "funksional"),
        "planned": ("planiran", "planirano", "планиран", "planifikuar", "in preparation"),
        "dormant": ("neaktivan", "inactive", "неактивен", "joaktiv"),
    },
    NoteCategory: {
        "need": ("potreba", "потреба", "nevoje", "nevoja"),
        "priority": ("prioritet", "приоритет", "perparesi"),
        "observation": ("zapazanje", "opazanje", "забелешка", "vezhgim"),
    },
    Polarity: {
        "higher_is_better": ("higher is better", "positive", "+", "better", "higher better"),
        "higher_is_worse": ("higher is worse", "negative", "-", "worse", "higher worse"),
    },
    MemberSector: {},
}


def header_key(header: str) -> str:
    """A header as compared: the part after a survey group prefix, folded."""
    text = str(header).replace("\\", "/")
    for sep in ("/", "::"):
        text = text.rsplit(sep, 1)[-1]
    return fold(text)


_FIELD_INDEX: dict[str, str] = {}
for _field, _words in FIELD_WORDS.items():
    for _word in (_field, *_words):
        _FIELD_INDEX.setdefault(fold(_word), _field)


def field_for_header(header: str) -> str | None:
    """The field a header names, if any."""
    return _FIELD_INDEX.get(header_key(header))


def enum_value(enum_type: type, text: object) -> object:
    """An enumeration member from its value, label or a regional word; ValueError if none."""
    key = fold(str(text))
    for member in enum_type:  # type: ignore[attr-defined]
        words = (member.value, member.label, *_ENUM_WORDS.get(enum_type, {}).get(member.value, ()))
        if key and key in {fold(w) for w in words} or str(text).strip() in words:
            return member
    choices = ", ".join(m.value for m in enum_type)  # type: ignore[attr-defined]
    raise ValueError(f"{str(text).strip()!r} is not one of: {choices}")
