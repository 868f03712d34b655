"""Writing Typst source safely, and compiling it with the bundled fonts (Qt-free).

Every piece of text that comes from a project (names, notes, titles) enters the source as a
Typst *string literal* (``#"…"``), never as markup: ``*``, ``_``, ``#``, ``$``, ``<``,
``@`` or ``]`` in a note are printed as they are and can never run code. Cyrillic runs
carry their language so the font shows Serbian or Macedonian letter forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from resilience_map.assets import FONT_FAMILY, font_folder
from resilience_map.domain.enums import Country
from resilience_map.domain.scripts import cyrillic_language


def literal(text: object) -> str:
    """A Typst string literal holding ``text`` exactly (quotes and escapes included)."""
    out = []
    for ch in str(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def text(value: object, country: Country | None = None) -> str:
    """Markup that prints ``value`` literally; a Cyrillic run is tagged sr or mk."""
    s = str(value)
    lang = cyrillic_language(s, country)
    if lang:
        return f'#text(lang: "{lang}", {literal(s)})'
    return f"#{literal(s)}"


def code_text(value: object, country: Country | None = None) -> str:
    """The same as :func:`text`, for use inside Typst code (arrays, function arguments)."""
    s = str(value)
    lang = cyrillic_language(s, country)
    return f'text(lang: "{lang}", {literal(s)})' if lang else f"[#{literal(s)}]"


def table(columns: Iterable[str], rows: Iterable[Iterable[str]], widths: str = "auto") -> str:
    """A table whose cells are already-safe markup (built with :func:`text`)."""
    header = list(columns)
    cells = [f"[*{h}*]" for h in header]
    for row in rows:
        cells += [f"[{cell}]" for cell in row]
    return (
        f"#table(columns: {widths if widths != 'auto' else len(header)}, "
        f"stroke: 0.4pt + luma(190), inset: 3.5pt, fill: (x, y) => if y == 0 {{ luma(235) }},\n  "
        + ",\n  ".join(cells)
        + ")\n"
    )


def compile_pdf(
    source: str, root: Path, out: Path | None = None, extra_files: Mapping[str, bytes] | None = None
) -> bytes:
    """Compile ``source`` (files it reads live under ``root``) to PDF bytes, fonts embedded.

    Only the bundled DejaVu Sans and Typst's own fonts are used (system fonts are ignored),
    so a briefing looks the same on every laptop.
    """
    import typst

    for name, data in (extra_files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    main = root / "briefing.typ"
    main.write_text(source, encoding="utf-8")
    try:
        pdf = typst.compile(
            str(main), root=str(root), font_paths=[str(font_folder())], ignore_system_fonts=True, format="pdf"
        )
    except typst.TypstError as exc:  # our source is generated: this is a bug, say where
        raise RuntimeError(f"the briefing could not be typeset: {exc}") from exc
    if out is not None:
        out.write_bytes(pdf)
    return pdf


DOCUMENT_FONT = FONT_FAMILY
