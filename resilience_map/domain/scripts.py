"""Which language a piece of text is typeset in, so fonts pick the right letter forms (Qt-free).

Serbian and Macedonian Cyrillic share code points with Russian but some letters look
different (б upright; г, д, п, т, ш in italics). Fonts carry these forms behind the
OpenType ``locl`` feature of the SRB / MKD language systems, so every Cyrillic run must
be tagged with its language; the country of the municipality decides which.
"""

from __future__ import annotations

from resilience_map.domain.enums import Country

#: Letters only Macedonian uses (ѓ ќ ѕ and capitals).
_MACEDONIAN_ONLY = set("ѓќѕЃЌЅ")


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def cyrillic_language(text: str, country: Country | None = None) -> str:
    """BCP 47 language of a Cyrillic run: "mk" in North Macedonia, else "sr"; "" for Latin text.

    Bosnia and Herzegovina's, Montenegro's and Kosovo's Cyrillic names are Serbian forms.
    """
    if not has_cyrillic(text):
        return ""
    if country is Country.MK or any(ch in _MACEDONIAN_ONLY for ch in text):
        return "mk"
    return "sr"
