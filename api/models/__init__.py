"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from api.models.auth import ApiTokenRecord
from api.models.base import Base
from api.models.programme import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from api.models.reference import (
    DistrictRecord,
    LocalityRecord,
    ProgrammeRoleRecord,
    ProgrammeVersionRecord,
    RegionRecord,
)

__all__ = [
    "ApiTokenRecord",
    "Base",
    "EmployerRecord",
    "HomeRecord",
    "HouseholdMemberRecord",
    "HouseholdRecord",
    "LocalityCapacityRecord",
    "VacancyRecord",
    "DistrictRecord",
    "LocalityRecord",
    "ProgrammeRoleRecord",
    "ProgrammeVersionRecord",
    "RegionRecord",
]
