"""Sources and licences an export must carry: the registry, and the providers and
licences of the boundary polygons it shows (as the project records them)."""

from __future__ import annotations

from collections.abc import Sequence

from resilience_map.store import ProjectStore
from resilience_map.store.credits import CreditInUse, boundary_credits, credit_lines

REGISTRY_CREDIT = ("Municipality registry: Resilience Map data/municipalities.csv "
                   "(sources listed in data/README.md)")


def project_credits(store: ProjectStore, in_use: Sequence[CreditInUse] | None = None) -> list[str]:
    """Lines naming the sources of the project's data, for every export (``in_use``: the
    boundary credits when the caller has read them already)."""
    return [REGISTRY_CREDIT, *credit_lines(boundary_credits(store) if in_use is None else in_use)]
