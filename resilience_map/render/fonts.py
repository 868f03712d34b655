"""Fonts for the renderer: DejaVu Sans from an installed package, with Serbian/Macedonian forms.

Qt shapes text with HarfBuzz but gives it the process's locale as the language, never a
per-run one, so Qt alone would draw Russian letter forms in Serbian and Macedonian names.
For those runs we register a *localised instance* of the font: a copy whose character map
points each letter at the glyph the SRB/MKD ``locl`` feature would choose (DejaVu Sans:
б → its Serbian form). The alternate glyph is reachable only through that letter, so a
PDF's text layer still maps it back to б and copy-paste stays right.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import cache
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

from resilience_map.assets import FONT_FAMILY, FONT_FILES, font_folder

#: OpenType language-system tags per BCP 47 language of a Cyrillic run.
_LANGSYS = {"sr": "SRB ", "mk": "MKD "}
_VERSION = 2


@cache
def base_family() -> str:
    """Register the bundled DejaVu Sans faces once and return the family name to use."""
    folder = font_folder()
    families = set()
    for name in FONT_FILES.values():
        font_id = QFontDatabase.addApplicationFont(str(folder / name))
        if font_id < 0:
            raise RuntimeError(f"Qt could not load the font {folder / name}")
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    return FONT_FAMILY if FONT_FAMILY in families else sorted(families)[0]


@cache
def family_for(lang: str) -> str:
    """Family to draw a run in ``lang`` with (the base family unless the font localises it)."""
    base = base_family()
    if lang not in _LANGSYS:
        return base
    families: list[str] = []
    for face in ("regular", "bold"):  # one family, two weights: bold labels keep the forms too
        data = _localised_font(lang, face)
        if data is None:
            return base
        font_id = QFontDatabase.addApplicationFontFromData(data)
        families += QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return families[0] if families else base


def font(size_pt: float, bold: bool = False, lang: str = "") -> QFont:
    f = QFont(family_for(lang))
    f.setPointSizeF(size_pt)
    f.setBold(bold)
    f.setKerning(True)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # print: exact outlines
    return f


def localised_substitutions(lang: str) -> dict[str, str]:
    """Character → glyph name the font's ``locl`` feature uses for ``lang`` (empty if none)."""
    from fontTools.ttLib import TTFont

    tag = _LANGSYS.get(lang)
    if tag is None:
        return {}
    ttf = TTFont(str(font_folder() / FONT_FILES["regular"]), lazy=True)
    return _substitutions(ttf, tag)


def _substitutions(ttf, tag: str) -> dict[str, str]:
    """Single substitutions of ``locl`` under script ``cyrl`` and language system ``tag``."""
    if "GSUB" not in ttf:
        return {}
    gsub = ttf["GSUB"].table
    cmap = ttf.getBestCmap()
    by_glyph = {g: chr(c) for c, g in cmap.items()}
    out: dict[str, str] = {}
    for script in gsub.ScriptList.ScriptRecord:
        if script.ScriptTag != "cyrl":
            continue
        for langsys in script.Script.LangSysRecord:
            if langsys.LangSysTag != tag:
                continue
            for index in langsys.LangSys.FeatureIndex:
                record = gsub.FeatureList.FeatureRecord[index]
                if record.FeatureTag != "locl":
                    continue
                for lookup_index in record.Feature.LookupListIndex:
                    for sub in gsub.LookupList.Lookup[lookup_index].SubTable:
                        sub = getattr(sub, "ExtSubTable", sub)
                        for src, dst in getattr(sub, "mapping", {}).items():
                            if src in by_glyph:
                                out[by_glyph[src]] = dst
    return out


def _localised_font(lang: str, face: str = "regular") -> bytes | None:
    """The localised instance of one face, built once and kept in the user's cache."""
    path = font_folder() / FONT_FILES[face]
    key = hashlib.sha1(
        f"{_VERSION}:{lang}:{face}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode()
    ).hexdigest()
    cached = _cache_folder() / f"dejavu-{lang}-{face}-{key[:16]}.ttf"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools.ttLib import TTFont

    ttf = TTFont(str(path))
    subs = _substitutions(ttf, _LANGSYS[lang])
    if not subs:
        return None
    glyph_of = {ch: glyph for ch, glyph in subs.items()}
    for table in ttf["cmap"].tables:
        if not table.isUnicode():
            continue
        for code, glyph in list(table.cmap.items()):
            if glyph in glyph_of.values() and chr(code) not in glyph_of:
                del table.cmap[code]  # the alternate is reached only through its letter
        for ch, glyph in glyph_of.items():
            if ord(ch) in table.cmap:
                table.cmap[ord(ch)] = glyph
    family = f"{FONT_FAMILY} {lang.upper()}"
    style = "Bold" if face == "bold" else "Regular"
    for record in ttf["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID in (4, 18):
            record.string = f"{family} {style}" if face == "bold" else family
        elif record.nameID == 6:
            record.string = family.replace(" ", "") + f"-{style}"
    buffer = io.BytesIO()
    ttf.save(buffer)
    data = buffer.getvalue()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
    except OSError:
        pass
    return data


def _cache_folder() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("ResilienceMap", "StrongCitiesNetwork") / "fonts"
