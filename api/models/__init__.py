"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from api.models.allocation import (
    AllocationRunRecord,
    DecisionRecord,
    MoverNetworkRecord,
    PlacementRecord,
    QuotaRecord,
)
from api.models.auth import ApiTokenRecord
from api.models.base import Base
from api.models.jobs import ImportFileRecord, JobRecord
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
    "AllocationRunRecord",
    "DecisionRecord",
    "ImportFileRecord",
    "JobRecord",
    "MoverNetworkRecord",
    "PlacementRecord",
    "QuotaRecord",
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

# The page tables (staff users, sessions, applicant links, consents, decisions) and the
# clerks' corrections of normalized titles, the audit log, the recorded outcomes and the
# fitted retention models.
from api.models import applicants as _applicant_models  # noqa: F401
from api.models import audit as _audit_models  # noqa: F401
from api.models import outcomes as _outcome_models  # noqa: F401
from api.models import retention as _retention_models  # noqa: F401
from api.models import taxonomy as _taxonomy_models  # noqa: F401
from api.models import web as _web_models  # noqa: F401
