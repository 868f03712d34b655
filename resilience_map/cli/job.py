"""The window's print maps and briefings, each run in a process of its own.

Not a command for users (those are ``export-image`` and ``briefing``): the window starts
``python -m resilience_map.cli.job REQUEST`` for File → Export map… and Briefing…. A
country briefing takes tens of seconds — typesetting alone holds the interpreter for
seconds — so in the window's process it would freeze the window or could not be
stopped. Here it reads the project file itself (read-only, as the command line does),
and Cancel is ending the process.

``REQUEST`` is one JSON object (see :func:`run`). Progress, the result and a failure
are written to stdout as one JSON object per line:

    {"progress": [3, 82], "text": "Čair"}
    {"done": "/tmp/…/Briefing Čair.pdf", "summary": "Briefing (1 municipality)"}
    {"error": "This project has no municipalities in Kosovo."}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from resilience_map.cli import EXIT_ERROR, describe_error, prepare_headless_qt


def say(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def run(request: dict[str, Any]) -> str:
    """Do one job; returns what was written, in a few words.

    ``{"kind": "map", "project", "out", "settings": {ChoroplethSettings fields} | null,
    "paper", "landscape", "dpi", "layers": [names], "name_form", "country": XX | null}``

    ``{"kind": "briefing", "target": "municipality" | "country" | "activity", "key": registry
    id | country code | activity id, "project", "out", "include_restricted"}``
    """
    from resilience_map.maps.project_data import ProjectData

    data = ProjectData.open(Path(request["project"]))
    prepare_headless_qt()
    kind = request.get("kind")
    if kind == "map":
        return _map(data, request)
    if kind == "briefing":
        return _briefing(data, request)
    raise ValueError(f"unknown job {kind!r}")


def _map(data: Any, request: dict[str, Any]) -> str:
    from resilience_map.maps.choropleth import ChoroplethSettings
    from resilience_map.maps.classify import Scheme
    from resilience_map.maps.scene import parse_layers
    from resilience_map.render.print_map import PrintSpec, export_print_map

    fields = request.get("settings")
    settings = None
    if fields:
        settings = ChoroplethSettings(**{**fields, "scheme": Scheme(fields["scheme"]),
                                         "manual_breaks": tuple(fields.get("manual_breaks", ()))})
    export_print_map(data, Path(request["out"]), settings,
                     PrintSpec(request.get("paper", "A4"), bool(request.get("landscape")),
                               int(request.get("dpi", 300))),
                     layers=parse_layers(",".join(request["layers"])),
                     name_form=request.get("name_form", "latin"), country=request.get("country"))
    return "Map"


def _briefing(data: Any, request: dict[str, Any]) -> str:
    from resilience_map.render import briefing_pdf

    writers = {"municipality": briefing_pdf.write_municipality_briefing,
               "country": briefing_pdf.write_country_briefing,
               "activity": briefing_pdf.write_activity_briefing}
    write = writers[request["target"]]
    result = write(data, request["key"], Path(request["out"]),
                   include_restricted=bool(request.get("include_restricted")),
                   progress=lambda done, steps, text: say(progress=[done, steps], text=text))
    units = "municipality" if result.municipalities == 1 else "municipalities"
    return f"Briefing ({result.municipalities} {units})"


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        request = json.loads(argv[0])
        summary = run(request)
    except Exception as exc:  # the window shows it as one sentence
        say(error=sentence(describe_error(exc)))
        return EXIT_ERROR
    say(done=str(request["out"]), summary=summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
