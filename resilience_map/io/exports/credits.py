"""Sources and licences an export must carry: the registry, and the providers and
licences of the boundary polygons it shows (as the project records them)."""

from __future__ import annotations

from resilience_map.store import ProjectStore
from resilience_map.store.credits import boundary_credits

REGISTRY_CREDIT = ("Municipality registry: Resilience Map data/municipalities.csv "
                   "(sources listed in data/README.md)")


def project_credits(store: ProjectStore) -> list[str]:
    """Lines naming the sources of the project's data, for every export."""
    return [REGISTRY_CREDIT, *(credit.text() for credit in boundary_credits(store))]
