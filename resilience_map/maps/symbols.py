"""How point symbols look, said once for every renderer (Qt-free).

Structure symbols: one shape and colour per structure type; the status changes the
fill (filled = active, hollow = planned, faded = dormant, half = unknown). Activity
markers: one letter and colour per activity type. Colours are ColorBrewer Dark2 /
Paired, which stay distinct from the sequential choropleth palettes.
"""

from __future__ import annotations

from resilience_map.domain.enums import ActivityType, StructureStatus, StructureType

STRUCTURE_SHAPES: dict[StructureType, str] = {
    StructureType.CAT: "circle",
    StructureType.LOCAL_PREVENTION_COUNCIL: "square",
    StructureType.LOCAL_PUBLIC_SAFETY_COUNCIL: "diamond",
    StructureType.MUNICIPAL_COMMUNITY_SAFETY_COUNCIL: "triangle",
    StructureType.LOCAL_SAFETY_COUNCIL: "hexagon",
    StructureType.MUNICIPAL_SAFETY_COUNCIL: "pentagon",
    StructureType.OTHER: "circle",
}
STRUCTURE_COLORS: dict[StructureType, str] = {
    StructureType.CAT: "#d95f02",
    StructureType.LOCAL_PREVENTION_COUNCIL: "#1b9e77",
    StructureType.LOCAL_PUBLIC_SAFETY_COUNCIL: "#7570b3",
    StructureType.MUNICIPAL_COMMUNITY_SAFETY_COUNCIL: "#e7298a",
    StructureType.LOCAL_SAFETY_COUNCIL: "#66a61e",
    StructureType.MUNICIPAL_SAFETY_COUNCIL: "#e6ab02",
    StructureType.OTHER: "#666666",
}
#: Fill opacity per status; "planned" is drawn hollow (white fill).
STATUS_FILL_OPACITY: dict[StructureStatus, float] = {
    StructureStatus.ACTIVE: 1.0,
    StructureStatus.PLANNED: 0.0,
    StructureStatus.DORMANT: 0.35,
    StructureStatus.UNKNOWN: 0.6,
}
ACTIVITY_LETTERS: dict[ActivityType, str] = {
    ActivityType.WORKSHOP: "W",
    ActivityType.ROUNDTABLE: "R",
    ActivityType.NATIONAL_EXCHANGE: "X",
    ActivityType.CITY_CONSULTATION: "C",
    ActivityType.TRAINING: "T",
    ActivityType.GRANT: "G",
    ActivityType.LAUNCH: "L",
    ActivityType.CONVENING: "M",
}
ACTIVITY_COLORS: dict[ActivityType, str] = {
    ActivityType.WORKSHOP: "#1f78b4",
    ActivityType.ROUNDTABLE: "#33a02c",
    ActivityType.NATIONAL_EXCHANGE: "#6a3d9a",
    ActivityType.CITY_CONSULTATION: "#e31a1c",
    ActivityType.TRAINING: "#ff7f00",
    ActivityType.GRANT: "#b15928",
    ActivityType.LAUNCH: "#000000",
    ActivityType.CONVENING: "#a6761d",
}
SCN_COLOR = "#f1b600"
SCN_SHAPE = "star"
HIGHLIGHT_COLOR = "#c51b8a"
BORDER_COLOR = "#222222"
MUNICIPAL_BORDER_COLOR = "#ffffff"
CONTEXT_FILL = "#eeeeee"  # neighbours on a locator map
