"""Name normalisation for the Western Balkans (Qt-free).

The same municipality is written in Serbian Cyrillic and Latin, Macedonian
Cyrillic and its English transliteration, Albanian with and without the
definite ending, with or without "Municipality of"/"Општина"/"Bashkia".
Boundary files and search boxes use whichever form their author had at hand,
so matching and search compare *keys*: folded, script-independent forms.

- :func:`fold` gives one canonical ASCII form (``Приштина`` = ``Priština`` =
  ``pristina``).
- :func:`name_keys` adds the variants that are still unambiguous names of the
  same place (generic words stripped, ``đ`` as ``dj`` and ``d``).
- :func:`loose_keys` gives the looser variants (Albanian skeleton, English
  ``ch/sh/zh`` digraphs, English compass words) that matching uses only as a
  second tier, because they can merge names that differ.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# Serbian + Macedonian Cyrillic (plus the common Russian/Bulgarian letters, so
# names copied from other gazetteers still fold to something readable).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "ѓ": "gj",
    "е": "e", "ж": "ž", "з": "z", "ѕ": "dz", "и": "i", "ј": "j", "к": "k",
    "ќ": "kj", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f",
    "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š", "ѐ": "e", "ѝ": "i",
    "й": "j", "щ": "št", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju",
    "я": "ja", "ё": "jo", "є": "je", "і": "i", "ї": "ji",
}

# Letters NFKD does not decompose into a base letter + accent.
_LATIN_SPECIAL = {
    "đ": "dj", "ð": "dj", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe",
    "ł": "l", "ı": "i", "þ": "th",
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)
_LATIN_SPECIAL_TABLE = str.maketrans(_LATIN_SPECIAL)

# Generic words around a name, already folded. Longest first so that
# "gradska opstina" is removed before "opstina".
_PREFIXES = (
    "gradska opstina", "gradska opcina", "city municipality of", "municipality of",
    "city of", "town of", "urban municipality of", "bashkia e", "bashkia",
    "komuna e", "komuna", "opstina", "opcina", "obshtina", "grad", "city", "town",
    "municipality", "bashkise", "rrethi i",
)
_SUFFIXES = (
    "municipality", "city municipality", "opstina", "opcina", "district",
    "distrikt", "city", "municipio", "bashkia", "komuna", "urban municipality",
)

# English compass words in names such as "Doboj East", "North Mitrovica".
_COMPASS = {
    "east": ("istok", "istocni", "istocno"),
    "west": ("zapad", "zapadni"),
    "north": ("sjever", "sever", "severna", "sjeverna", "veriut"),
    "south": ("jug", "juzni"),
}

_QUALIFIER = re.compile(r"^(?P<base>.*?)\s*\((?P<qual>[^()]*)\)\s*$")


def fold(text: str | None) -> str:
    """Lowercase, transliterate Cyrillic, drop accents, collapse punctuation.

    Used wherever two spellings of one name must compare equal; the result is
    plain ``[a-z0-9 ]``. Names repeat (every search, table row and import row folds the
    same few thousand), so results are remembered.
    """
    if not text:
        return ""
    return _fold(str(text))


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    latin = text.casefold().translate(_CYRILLIC_TABLE).translate(_LATIN_SPECIAL_TABLE)
    decomposed = unicodedata.normalize("NFKD", latin)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", ascii_only).strip()


def split_qualifier(text: str | None) -> tuple[str, str | None]:
    """Split ``"Trnovo (RS)"`` into ``("Trnovo", "RS")``.

    A trailing parenthesis usually names the entity or region, which selects
    between same-named units but is not part of the name itself.
    """
    if not text:
        return "", None
    found = _QUALIFIER.match(str(text).strip())
    if not found or not found.group("base"):
        return str(text).strip(), None
    return found.group("base"), found.group("qual").strip() or None


def _is_municipality_typo(word: str) -> bool:
    """True for misspellings such as "minicipality", "municiplaity"."""
    from rapidfuzz.distance import DamerauLevenshtein

    return DamerauLevenshtein.distance(word, "municipality") <= 2


def _strip_generic(key: str) -> str:
    """Remove one generic prefix and one generic suffix, if a name remains."""
    words = key.split(" ")
    if len(words) > 2 and words[1] == "of" and _is_municipality_typo(words[0]):
        key = " ".join(words[2:])
    for prefix in _PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            key = key[len(prefix) + 1:]
            break
    for suffix in _SUFFIXES:
        if key.endswith(" " + suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix) - 1]
            break
    return key


def name_keys(text: str | None) -> set[str]:
    """The exact match keys of one name.

    The folded form, the form without generic words ("Општина", "Municipality
    of", "District"…), and ``đ`` spelt ``d`` as well as ``dj``. Any
    parenthesised qualifier is left out (see :func:`split_qualifier`).
    """
    base, _ = split_qualifier(text)
    keys: set[str] = set()
    for variant in {base, base.replace("đ", "d").replace("Đ", "D")}:
        folded = fold(variant)
        if folded:
            keys.add(folded)
            keys.add(_strip_generic(folded))
    return {k for k in keys if k}


def albanian_skeleton(text: str | None) -> str:
    """Albanian name without ``ë`` and without a final definite ending.

    ``Prishtinë``/``Prishtina``, ``Durrës``/``Durrësi``, ``Shkodër``/``Shkodra``,
    ``Lushnje``/``Lushnja`` all give the same skeleton; loose on purpose, so it
    is only a second-tier key.
    """
    base, _ = split_qualifier(text)
    key = _strip_generic(fold(base.replace("ë", "").replace("Ë", "")))
    words = key.split(" ")
    if words and len(words[-1]) > 3 and words[-1][-1] in "aeiu":
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _digraph_form(key: str) -> str:
    """English transliteration digraphs reduced: ``chashka`` → ``caska``.

    Macedonian names in English (OSM) use ch/sh/zh for č/š/ž; fold() of the
    Cyrillic gives c/s/z, so both sides meet here.
    """
    return key.replace("ch", "c").replace("sh", "s").replace("zh", "z")


def _compass_forms(key: str) -> set[str]:
    """``doboj east`` → ``doboj istok`` and friends."""
    words = key.split(" ")
    forms: set[str] = set()
    for i, word in enumerate(words):
        for local in _COMPASS.get(word, ()):
            rest = words[:i] + words[i + 1:]
            forms.add(" ".join(rest + [local]))
            forms.add(" ".join([local] + rest))
    return forms


def loose_keys(text: str | None) -> set[str]:
    """Second-tier keys: Albanian skeleton, digraphs, compass words.

    Each exact key is also included in reduced form, so a loose key of one
    spelling meets the loose key of the other.
    """
    keys: set[str] = set()
    skeleton = albanian_skeleton(text)
    if skeleton:
        keys.update({skeleton, _digraph_form(skeleton)})
    for key in name_keys(text):
        keys.add(_digraph_form(key))
        keys.update(_compass_forms(key))
    return {k for k in keys if k}


def search_matches(query: str, names: Iterable[str]) -> bool:
    """Search-box test: is the folded query a substring of any folded name form?

    Typing ``prist``, ``Прише`` or ``Prišt`` all find "Prishtinë"; an empty
    query matches everything.
    """
    return forms_match(fold(query), search_forms(names))


def search_forms(names: Iterable[str]) -> tuple[str, ...]:
    """The folded forms :func:`search_matches` compares a query with, for one set of names.

    Search boxes filter hundreds of units on every keystroke: computing these once
    per unit (not once per keystroke) keeps a keystroke well under a frame.
    """
    forms: dict[str, None] = {}
    for name in names:
        folded = fold(name)
        forms[folded] = None
        forms[_digraph_form(folded)] = None
    return tuple(f for f in forms if f)


def forms_match(needle: str, forms: Iterable[str]) -> bool:
    """Whether a folded query is part of any of :func:`search_forms`' forms (empty: yes)."""
    if not needle:
        return True
    simple = needle.replace("sh", "s").replace("ch", "c")
    return any(needle in form or simple in form for form in forms)
