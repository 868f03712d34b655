"""Sources and licences an export must carry.

HOOK: the boundary credits function (which boundary provider and licence each
municipality's polygon comes from) is being written in ``resilience_map.io`` by the
boundaries work; until it lands, exports credit what the project itself records —
the boundary files named in the change history of each boundary import, and the
municipality registry. :func:`project_credits` is the one place to call it from.
"""

from __future__ import annotations

import re

from resilience_map.store import ProjectStore

REGISTRY_CREDIT = ("Municipality registry: Resilience Map data/municipalities.csv "
                   "(sources listed in data/README.md)")


def boundary_sources(store: ProjectStore) -> list[str]:
    """Names of the boundary files imported into the project (from its history)."""
    found: dict[str, None] = {}
    for entry in store.history(operation="boundary"):
        match = re.search(r", from (.+)$", entry.new_value or "")
        if match and match.group(1) != "undo":
            found.setdefault(match.group(1), None)
    return sorted(found)


def project_credits(store: ProjectStore) -> list[str]:
    """Lines naming the sources of the project's data, for every export."""
    lines = [REGISTRY_CREDIT]
    files = boundary_sources(store)
    if files:
        lines.append("Boundaries imported from: " + ", ".join(files)
                     + " (provider and licence per file: see the file's source notes)")
    return lines
