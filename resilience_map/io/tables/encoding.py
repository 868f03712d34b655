"""Which encoding a text table was saved in.

Tables from the region come as UTF-8 (with or without the BOM Excel adds), as
Windows code pages (1250 for Latin-script Bosnian/Croatian/Serbian/Albanian,
1251 for Cyrillic) or as their ISO-8859 cousins (-2, -5). Bytes of one decode
"successfully" as another, so success proves nothing: each candidate's text is
scored by the letters the region's languages use (č ć š ž đ ë ç, Serbian and
Macedonian Cyrillic) against letters they do not use and control characters.
charset-normalizer's ranking breaks ties. The user can always override the choice
(the wizard shows the decoded preview; the CLI has ``--encoding``).
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from resilience_map.io.tables.errors import TableError

#: Codec name → the name users see (and may type).
ENCODINGS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1250": "Windows-1250",
    "cp1251": "Windows-1251", "iso8859-2": "ISO-8859-2", "iso8859-5": "ISO-8859-5",
    "utf-16": "UTF-16",
}
_SINGLE_BYTE = ("cp1250", "cp1251", "iso8859-2", "iso8859-5")
_REGIONAL = set("čćšžđČĆŠŽĐëËçÇ") | set(
    "абвгдђѓежзѕијклљмнњопрстћќуфхцчџшАБВГДЂЃЕЖЗЅИЈКЛЉМНЊОПРСТЋЌУФХЦЧЏШ")
_SAMPLE_BYTES = 256 * 1024


@dataclass(frozen=True)
class DetectedEncoding:
    codec: str
    #: Other candidates that decoded without error, best first (for the wizard's list).
    alternatives: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return ENCODINGS.get(self.codec, self.codec)


def codec_for(name: str) -> str:
    """A user's spelling ("windows-1251", "UTF-8 with BOM", "latin2") → our codec name."""
    wanted = name.strip().lower().replace("_", "-")
    for codec, label in ENCODINGS.items():
        if wanted in (codec, label.lower()):
            return codec
    try:
        info = codecs.lookup(wanted)
    except LookupError:
        choices = ", ".join(ENCODINGS.values())
        raise TableError(f"unknown encoding {name!r}; choose one of {choices}") from None
    aliases = {"windows-1250": "cp1250", "windows-1251": "cp1251", "iso8859-2": "iso8859-2",
               "iso8859-5": "iso8859-5", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}
    return aliases.get(info.name, info.name)


def detect_encoding(data: bytes) -> DetectedEncoding:
    """The encoding of a text table's bytes (see the module docstring)."""
    if data.startswith(codecs.BOM_UTF8):
        return DetectedEncoding("utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DetectedEncoding("utf-16")
    sample = data[:_SAMPLE_BYTES]
    try:
        sample.decode("utf-8")
        return DetectedEncoding("utf-8")
    except UnicodeDecodeError as error:
        cut_at_end = len(data) > len(sample) and error.start >= len(sample) - 4
        if cut_at_end:  # only a character split by the sample's end
            return DetectedEncoding("utf-8")
    scores = {codec: _plausibility(sample.decode(codec, errors="replace"))
              for codec in _SINGLE_BYTE}
    ranking = _normalizer_ranking(sample)
    ordered = sorted(_SINGLE_BYTE, key=lambda c: (-scores[c], ranking.get(c, 99)))
    return DetectedEncoding(ordered[0], tuple(ordered[1:]))


def _plausibility(text: str) -> int:
    """Letters the region writes with, minus letters and controls it never uses."""
    score = 0
    for ch in text:
        if ch < "\x80":
            continue
        if ch in _REGIONAL:
            score += 1
        elif unicodedata.category(ch) in ("Cc", "Co", "Cn") or ch == "\ufffd":
            score -= 5
        else:
            score -= 2
    return score


def _normalizer_ranking(sample: bytes) -> dict[str, int]:
    from charset_normalizer import from_bytes

    names = {"cp1250": "cp1250", "cp1251": "cp1251", "iso8859_2": "iso8859-2",
             "iso8859_5": "iso8859-5"}
    results = from_bytes(sample, cp_isolation=list(names))
    return {names.get(m.encoding, m.encoding): i for i, m in enumerate(results)}


def decode(data: bytes, codec: str, file_name: str) -> str:
    """Strict decoding; a byte the encoding cannot hold is reported with its row."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        row = data[:error.start].count(b"\n") + 1
        label = ENCODINGS.get(codec, codec)
        raise TableError(f"{file_name} is not valid {label}: byte 0x{data[error.start]:02X} in "
                         f"row {row} cannot be read; choose the file's encoding "
                         f"(e.g. Windows-1250 or Windows-1251)", row=row) from None
