"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from api.models.base import Base
from api.models.reference import (
    DistrictRecord,
    LocalityRecord,
    ProgrammeRoleRecord,
    ProgrammeVersionRecord,
    RegionAliasRecord,
    RegionRecord,
)

__all__ = [
    "Base",
    "DistrictRecord",
    "LocalityRecord",
    "ProgrammeRoleRecord",
    "ProgrammeVersionRecord",
    "RegionAliasRecord",
    "RegionRecord",
]
