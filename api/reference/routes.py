"""First-level administrative units and their roles in the programme."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from api.core.deps import LangDep, SessionDep
from api.core.lookups import reference_of, region_or_problem, regions_with_role_or_problem
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import Names
from api.models import RegionRecord
from api.reference.repository import regions_by_code, roles_of
from matching.text import Lang, Text

router = APIRouter(prefix="/regions", tags=["reference"])

UNKNOWN_REGION_IN_DB = Text(
    kk="{code} өңірі дерекқорға жүктелмеген (qonys seed).",
    ru="Регион {code} не загружен в базу (qonys seed).",
    en="Region {code} is not loaded into the database (run qonys seed).",
)


class RoleOut(BaseModel):
    programme_version: str
    role: str
    year_from: int | None
    year_to: int | None
    is_default: bool
    claim: str
    source: str


class RegionOut(BaseModel):
    code: str
    iso: str
    iso_legacy: str | None
    kato: str
    kind: str
    name: str
    names: Names
    centre: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    population: int | None
    population_is_estimate: bool


class RegionDetail(RegionOut):
    roles: list[RoleOut]


def region_out(region: RegionRecord, lang: Lang) -> dict[str, object]:
    names = Names(
        kk=region.name_kk, kk_latn=region.name_kk_latn, ru=region.name_ru, en=region.name_en
    )
    centre = {"kk": region.centre_kk, "ru": region.centre_ru, "en": region.centre_en}[lang]
    return {
        "code": region.code,
        "iso": region.iso,
        "iso_legacy": region.iso_legacy,
        "kato": region.kato,
        "kind": region.kind,
        "name": getattr(names, lang),
        "names": names,
        "centre": centre,
        "valid_from": region.valid_from,
        "valid_to": region.valid_to,
        "population": region.population,
        "population_is_estimate": region.population_is_estimate,
    }


@router.get("", response_model=list[RegionOut], responses=problem_responses(404))
def read_regions(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    role: Annotated[
        Literal["origin", "destination"] | None, Query(description="Only regions with this role.")
    ] = None,
    programme_version: Annotated[
        str | None,
        Query(description="Programme version (default: the documented default for this year)."),
    ] = None,
) -> list[dict[str, object]]:
    """All 20 first-level units (17 regions and Astana, Almaty, Shymkent)."""
    codes = None
    if role is not None or programme_version is not None:
        codes = regions_with_role_or_problem(reference_of(request), programme_version, role)
    return [region_out(r, lang) for r in regions_by_code(session, codes)]


@router.get("/{code}", response_model=RegionDetail, responses=problem_responses(404, 409))
def read_region(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    code: Annotated[
        str,
        Path(description="Code (59, KZ-59, KATO, legacy ISO) or a name or alias.", max_length=120),
    ],
) -> dict[str, object]:
    """One region, found by code, name or alias; ambiguous names are refused with the candidates."""
    found = region_or_problem(reference_of(request), code, loc=["path", "code"])
    region = session.get(RegionRecord, found.code)
    if region is None:  # reference files and database out of step: reseed
        raise ProblemException(404, UNKNOWN_REGION_IN_DB.format(code=found.code))
    out = region_out(region, lang)
    out["roles"] = [
        RoleOut.model_validate(role, from_attributes=True)
        for role in roles_of(session, region.code)
    ]
    return out
