"""Response bodies of ranked matches, localities and candidates (with their reasons)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Reason(BaseModel):
    name: str
    value: float = Field(ge=0, le=1)
    weight: float
    reason: str


class Gate(BaseModel):
    name: str
    passed: bool
    reason: str


class LocalityRef(BaseModel):
    id: str
    name: str
    region_code: str
    region: str
    settlement_type: str


class VacancyRef(BaseModel):
    id: int
    external_id: str
    title: str
    employer: str
    wage_tenge: int
    permanent: bool
    employer_housing: bool


class HomeRef(BaseModel):
    id: int
    external_id: str
    kind: str
    rooms: int
    capacity_persons: int
    rent_tenge: int | None
    price_tenge: int | None
    condition: int


class OptionOut(BaseModel):
    rank: int
    option_id: str
    score: float = Field(ge=0, le=1)
    locality: LocalityRef
    home: HomeRef
    vacancy: VacancyRef
    second_vacancy: VacancyRef | None
    support_tenge: int | None = None
    components: list[Reason] | None = None
    gates: list[Gate] | None = None


class MatchesOut(BaseModel):
    household_id: int
    options: list[OptionOut]


class CandidateOut(BaseModel):
    rank: int
    household_id: int
    external_id: str
    origin_region_code: str
    persons: int
    option_id: str
    score: float = Field(ge=0, le=1)
    locality: LocalityRef
    home: HomeRef
    components: list[Reason] | None = None


class CandidatesOut(BaseModel):
    vacancy_id: int
    candidates: list[CandidateOut]
