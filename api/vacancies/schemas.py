"""Request and response bodies for employers and vacancies (typed; values checked by the domain)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import ExternalId, StrictBody, UtcDateTime


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
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None


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
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None
