"""Enumerations shared by records, the store and the UI.

Values are stable strings because they are written into the project file and
must survive renames of the Python identifiers.
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A string enumeration whose ``str()`` is its stored value."""

    _value_: str

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """Words a practitioner reads in forms and legends."""
        return self.value.replace("_", " ").capitalize()


class Country(StrEnum):
    """The six countries the hub covers (ISO 3166-1 alpha-2, ``XK`` for Kosovo)."""

    AL = "AL"
    BA = "BA"
    XK = "XK"
    ME = "ME"
    MK = "MK"
    RS = "RS"

    @property
    def label(self) -> str:
        return COUNTRY_NAMES[self]


COUNTRY_NAMES = {
    Country.AL: "Albania",
    Country.BA: "Bosnia and Herzegovina",
    Country.XK: "Kosovo",
    Country.ME: "Montenegro",
    Country.MK: "North Macedonia",
    Country.RS: "Serbia",
}


class UnitKind(StrEnum):
    """What sort of local self-government unit a registry row is.

    ``city_municipality`` rows are sub-units (Belgrade's 17, Niš's 5, the 10
    municipalities inside the City of Skopje): they have a ``parent_id`` and
    boundaries matched to them dissolve into their city where the city itself
    has no boundary of its own.
    """

    MUNICIPALITY = "municipality"
    CITY = "city"
    CITY_MUNICIPALITY = "city_municipality"
    DISTRICT = "district"


class Polarity(StrEnum):
    """Whether a higher indicator value is better or worse for resilience."""

    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"


class StructureType(StrEnum):
    CAT = "community_action_team"
    LOCAL_PREVENTION_COUNCIL = "local_prevention_council"
    LOCAL_PUBLIC_SAFETY_COUNCIL = "local_public_safety_council"
    MUNICIPAL_COMMUNITY_SAFETY_COUNCIL = "municipal_community_safety_council"
    LOCAL_SAFETY_COUNCIL = "local_safety_council"
    MUNICIPAL_SAFETY_COUNCIL = "municipal_safety_council"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "Community Action Team (CAT)" if self is StructureType.CAT else super().label


class StructureStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DORMANT = "dormant"
    UNKNOWN = "unknown"


class ActivityType(StrEnum):
    WORKSHOP = "workshop"
    ROUNDTABLE = "roundtable"
    NATIONAL_EXCHANGE = "national_exchange"
    CITY_CONSULTATION = "city_consultation"
    TRAINING = "training"
    GRANT = "grant"
    LAUNCH = "launch"
    CONVENING = "convening"


class ParticipationRole(StrEnum):
    HOST = "host"
    PARTICIPANT = "participant"


class NoteCategory(StrEnum):
    NEED = "need"
    PRIORITY = "priority"
    OBSERVATION = "observation"


class MemberSector(StrEnum):
    LOCAL_GOVERNMENT = "local_government"
    EDUCATION = "education"
    SOCIAL_WORK = "social_work"
    HEALTH = "health"
    POLICE = "police"
    CIVIL_SOCIETY = "civil_society"
    RELIGIOUS_COMMUNITIES = "religious_communities"
    YOUTH = "youth"
    MEDIA = "media"
    BUSINESS = "business"
