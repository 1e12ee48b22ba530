"""Request and response bodies for households and their members.

Input bodies carry only what a client may set; every value rule that the domain knows
(vocabularies, non-negative money, IIN check digit, one applicant per household) is checked
by building the matching.domain object, so fields here are typed but not range-checked.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import ExternalId, StrictBody, UtcDateTime


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
    applicant_name: str = Field(default="", max_length=200, description="Applicant's full name.")
    phone: str | None = Field(
        default=None,
        max_length=20,
        description="Contact phone (+7 and 10 digits).",
        examples=["+77012345678"],
    )
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
    applicant_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
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
    applicant_name: str
    phone: str | None
    category: str
    origin_region_code: str
    origin_settlement: str
    application_date: dt.date
    documents_complete: bool
    status: str
    persons: int
    updated_at: UtcDateTime | None


class HouseholdOut(BaseModel):
    id: int
    external_id: str
    applicant_iin: str
    applicant_name: str
    phone: str | None
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
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None
