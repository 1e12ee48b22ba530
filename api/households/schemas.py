"""Request and response bodies for households, employers, vacancies, homes and capacities.

Input bodies carry only what a client may set; every value rule that the domain knows
(vocabularies, non-negative money, IIN check digit, one applicant per household) is checked
by building the matching.domain object, so fields here are typed but not range-checked.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.core.problems import ProblemException
from api.core.schemas import Pagination, StrictBody
from matching.text import Text

PAGE_OUT_OF_RANGE = Text(
    kk="{page}-бет жоқ: барлығы {max_page} бет.",
    ru="Страницы {page} нет: всего страниц {max_page}.",
    en="Page {page} does not exist: there are {max_page} page(s).",
)


def pagination(total: int, page: int, limit: int) -> Pagination:
    """Paging facts for a list; a page past the end is a 422 problem."""
    max_page = max(1, -(-total // limit))
    if page > max_page:
        raise ProblemException(
            422,
            PAGE_OUT_OF_RANGE.format(page=page, max_page=max_page),
            errors=[
                {
                    "loc": ["query", "page"],
                    "msg": f"page must be between 1 and {max_page}",
                    "type": "out_of_range",
                }
            ],
        )
    return Pagination(total_count=total, page=page, limit=limit, max_page=max_page)


ExternalId = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")


class ExperienceIn(StrictBody):
    occupation: str = Field(max_length=40, description="Taxonomy code or ISCO-08 unit group.")
    years: float = 0.0
    documented: bool = True
    title: str | None = Field(default=None, max_length=300)


class LanguageIn(StrictBody):
    lang: str = Field(max_length=8, examples=["kk"])
    level: str = Field(max_length=16, examples=["native"])


class HealthIn(StrictBody):
    clinic: bool = False
    hospital: bool = False
    accessible_home: bool = False


class MemberIn(StrictBody):
    iin: str | None = Field(default=None, max_length=12, examples=["900101300126"])
    relation: str = Field(max_length=12, examples=["applicant"])
    birth_date: dt.date
    sex: str = Field(max_length=1, examples=["M"])
    marital_status: str = Field(default="single", max_length=12)
    education: str = Field(default="secondary", max_length=12)
    employment_status: str = Field(default="jobseeker", max_length=16)
    experience: list[ExperienceIn] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=100)
    licences: list[str] = Field(default_factory=list, max_length=10)
    languages: list[LanguageIn] = Field(default_factory=list, max_length=10)
    health: HealthIn = Field(default_factory=HealthIn)


class PreferencesIn(StrictBody):
    regions: list[str] = Field(
        default_factory=list, max_length=20, description="Region codes, ISO codes or names."
    )
    settlement_types: list[str] = Field(default_factory=list, max_length=5)
    tenure: str = Field(default="rent", max_length=10)
    wants_land: bool = False
    business_intent: bool = False


class HouseholdIn(StrictBody):
    external_id: str = ExternalId
    category: str = Field(default="resettler", max_length=12)
    origin_region: str = Field(max_length=120, description="Region code, ISO code or name.")
    origin_settlement: str = Field(max_length=20, examples=["village"])
    origin_heating: str = Field(default="gas", max_length=10)
    origin_wage_tenge: int = 0
    years_in_origin: float = 0.0
    citizen: bool = True
    application_date: dt.date
    documents_complete: bool = False
    debt_tenge: int = 0
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)
    status: str = Field(default="registered", max_length=16)
    members: list[MemberIn] = Field(max_length=30)


class HouseholdPatch(StrictBody):
    """Fields to change; ``members``, when given, replaces the whole list."""

    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    category: str | None = Field(default=None, max_length=12)
    origin_region: str | None = Field(default=None, max_length=120)
    origin_settlement: str | None = Field(default=None, max_length=20)
    origin_heating: str | None = Field(default=None, max_length=10)
    origin_wage_tenge: int | None = None
    years_in_origin: float | None = None
    citizen: bool | None = None
    application_date: dt.date | None = None
    documents_complete: bool | None = None
    debt_tenge: int | None = None
    preferences: PreferencesIn | None = None
    status: str | None = Field(default=None, max_length=16)
    members: list[MemberIn] | None = Field(default=None, max_length=30)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    iin: str | None
    relation: str
    birth_date: dt.date
    sex: str
    marital_status: str
    education: str
    employment_status: str
    experience: list[ExperienceIn]
    skills: list[str]
    licences: list[str]
    languages: list[LanguageIn]
    health: HealthIn


class HouseholdSummary(BaseModel):
    id: int
    external_id: str
    applicant_iin: str
    category: str
    origin_region_code: str
    origin_settlement: str
    application_date: dt.date
    documents_complete: bool
    status: str
    persons: int
    updated_at: dt.datetime | None


class HouseholdOut(BaseModel):
    id: int
    external_id: str
    applicant_iin: str
    category: str
    origin_region_code: str
    origin_settlement: str
    origin_heating: str
    origin_wage_tenge: int
    years_in_origin: float
    citizen: bool
    application_date: dt.date
    documents_complete: bool
    debt_tenge: int
    preferences: PreferencesIn
    status: str
    members: list[MemberOut]
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class EmployerIn(StrictBody):
    external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=300)
    bin: str | None = Field(
        default=None, pattern=r"^\d{12}$", description="Business identification number."
    )
    region: str | None = Field(
        default=None, max_length=120, description="Needed when no locality is given."
    )
    locality_id: str | None = Field(default=None, max_length=64)
    sector: str | None = Field(default=None, max_length=40)


class EmployerPatch(StrictBody):
    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    bin: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str | None = Field(default=None, max_length=120)
    locality_id: str | None = Field(default=None, max_length=64)
    sector: str | None = Field(default=None, max_length=40)


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    name: str
    bin: str | None
    region_code: str
    locality_id: str | None
    sector: str | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class VacancyIn(StrictBody):
    external_id: str = ExternalId
    employer_external_id: str = Field(min_length=1, max_length=64)
    locality_id: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=300)
    occupation: str | None = Field(
        default=None,
        max_length=40,
        description="Taxonomy code or ISCO-08 unit group; normalized from the title when absent.",
    )
    wage_tenge: int
    sector: str = Field(default="other", max_length=40)
    required_education: str = Field(default="secondary", max_length=12)
    required_licences: list[str] = Field(default_factory=list, max_length=10)
    required_skills: list[str] = Field(default_factory=list, max_length=100)
    min_experience_years: float = 0.0
    permanent: bool = True
    posts: int = 1
    employer_housing: bool = False
    qualified: bool = True
    status: str = Field(default="open", max_length=8)


class VacancyPatch(StrictBody):
    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    employer_external_id: str | None = Field(default=None, min_length=1, max_length=64)
    locality_id: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    occupation: str | None = Field(default=None, max_length=40)
    wage_tenge: int | None = None
    sector: str | None = Field(default=None, max_length=40)
    required_education: str | None = Field(default=None, max_length=12)
    required_licences: list[str] | None = Field(default=None, max_length=10)
    required_skills: list[str] | None = Field(default=None, max_length=100)
    min_experience_years: float | None = None
    permanent: bool | None = None
    posts: int | None = None
    employer_housing: bool | None = None
    qualified: bool | None = None
    status: str | None = Field(default=None, max_length=8)


class VacancyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    employer_id: int
    locality_id: str
    region_code: str
    title: str
    occupation: str
    isco: str
    occupation_score: float | None = Field(
        description="Normalizer confidence when the code came from the title; null when given."
    )
    sector: str
    required_education: str
    required_licences: list[str]
    required_skills: list[str]
    min_experience_years: float
    wage_tenge: int
    permanent: bool
    posts: int
    posts_reserved: int
    employer_housing: bool
    qualified: bool
    status: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class HomeIn(StrictBody):
    external_id: str = ExternalId
    locality_id: str = Field(max_length=64)
    kind: str = Field(max_length=20, examples=["rental"])
    rooms: int
    capacity_persons: int
    rent_tenge: int | None = None
    price_tenge: int | None = None
    condition: int = 3
    heating: str = Field(default="central", max_length=10)
    piped_water: bool = True
    accessible: bool = False
    employer_external_id: str | None = Field(default=None, max_length=64)
    units: int = 1
    status: str = Field(default="open", max_length=8)


class HomePatch(StrictBody):
    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    locality_id: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=20)
    rooms: int | None = None
    capacity_persons: int | None = None
    rent_tenge: int | None = None
    price_tenge: int | None = None
    condition: int | None = None
    heating: str | None = Field(default=None, max_length=10)
    piped_water: bool | None = None
    accessible: bool | None = None
    employer_external_id: str | None = Field(default=None, max_length=64)
    units: int | None = None
    status: str | None = Field(default=None, max_length=8)


class HomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    locality_id: str
    region_code: str
    kind: str
    rooms: int
    capacity_persons: int
    rent_tenge: int | None
    price_tenge: int | None
    condition: int
    heating: str
    piped_water: bool
    accessible: bool
    employer_id: int | None
    units: int
    units_reserved: int
    status: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class CapacityIn(StrictBody):
    kindergarten_seats: int = 0
    school_seats: int = 0
    land_plots: int = 0
    accommodation_beds: int = 0


class CapacityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    locality_id: str
    kindergarten_seats: int
    school_seats: int
    land_plots: int
    accommodation_beds: int
    kindergarten_reserved: int
    school_reserved: int
    land_plots_reserved: int
    accommodation_beds_reserved: int
    updated_at: dt.datetime | None


class ImportErrorOut(BaseModel):
    row: int = Field(description="1-based data row (the header row is not counted).")
    external_id: str | None
    field: str | None
    message: str


class ImportReportOut(BaseModel):
    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ImportErrorOut]


class TokenIn(StrictBody):
    name: str = Field(min_length=1, max_length=120)
    role: str = Field(max_length=16, examples=["centre"])
    region: str | None = Field(default=None, max_length=120)
    household_id: int | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    region_code: str | None
    household_id: int | None
    created_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown once, only its digest is stored.")
