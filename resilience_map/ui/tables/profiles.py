"""Named mapping profiles: the column mapping of a file layout that comes back every wave.

Saved as the JSON the command line reads with ``--mapping``, in the user's data folder
(``mapping-profiles/``), one file per name; any profile file elsewhere can be opened too.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from resilience_map.io.tables import ColumnMapping
from resilience_map.ui.shell.settings import data_home


def profile_folder() -> Path:
    return data_home() / "mapping-profiles"


def saved_profiles() -> list[tuple[str, Path]]:
    """(name, file) of every saved profile, by name."""
    found = []
    for path in sorted(profile_folder().glob("*.json")):
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("name") or path.stem
        except (OSError, ValueError, AttributeError):
            continue  # a broken file is not offered; opening it by hand says why
        found.append((str(name), path))
    return sorted(found, key=lambda item: item[0].lower())


def save_profile(mapping: ColumnMapping, name: str) -> Path:
    """Write ``mapping`` as the profile ``name`` (replacing one of that name); returns the file."""
    folder = profile_folder()
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^\w-]+", "-", name.strip(), flags=re.UNICODE).strip("-").lower() or "profile"
    path = folder / f"{slug}.json"
    replace(mapping, name=name.strip()).save(path)
    return path
