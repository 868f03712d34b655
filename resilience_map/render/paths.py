"""Where outputs are suggested to go: the user's Pictures or Documents folder.

Kept apart from the renderer so the window can suggest a file without loading it.
"""

from __future__ import annotations

import re
from pathlib import Path


def suggested_path(name: str, suffix: str, kind: str = "map") -> Path:
    """Where File → Export map… and "Briefing…" suggest saving: the user's Pictures folder for
    map images, Documents for PDFs and briefings (never the folder the app was started from)."""
    from platformdirs import user_documents_path, user_pictures_path

    picture = kind == "map" and suffix.lower() in (".png", ".svg")
    folder = user_pictures_path() if picture else user_documents_path()
    if not folder.is_dir():
        folder = Path.home()
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", name).strip(" .-") or "resilience-map"
    return folder / f"{stem}{suffix.lower()}"
