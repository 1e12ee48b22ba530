"""Localities of the destination regions: settlement type, population and services."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from api.core.deps import LangDep, SessionDep
from api.core.lookups import UNKNOWN_LOCALITY
from api.core.pagination import PagingDep, region_scoped_page
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import Names, Page
from api.models import LocalityRecord
from api.reference.repository import page_localities
from matching.text import Lang, Text

router = APIRouter(prefix="/localities", tags=["reference"])

SettlementType = Literal["regional_centre", "city", "district_centre", "township", "village"]


class Services(BaseModel):
    school: bool
    kindergarten: bool
    clinic: bool
    hospital_km: float
    heating: str
    piped_water: bool
    bus_link: bool


class LocalityOut(BaseModel):
    id: str
    region_code: str
    district_id: str | None
    name: str
    names: Names
    settlement_type: str
    is_urban: bool
    population: int | None
    population_is_estimate: bool
    services: Services
    lat: float | None
    lon: float | None
    synthetic: bool
    estimated_fields: list[str]


def locality_out(loc: LocalityRecord, lang: Lang) -> LocalityOut:
    names = Names(kk=loc.name_kk, kk_latn=loc.name_kk_latn, ru=loc.name_ru, en=loc.name_en)
    return LocalityOut(
        id=loc.id,
        region_code=loc.region_code,
        district_id=loc.district_id,
        name=getattr(names, lang),
        names=names,
        settlement_type=loc.settlement_type,
        is_urban=loc.is_urban,
        population=loc.population,
        population_is_estimate=loc.population_is_estimate,
        services=Services(
            school=loc.school,
            kindergarten=loc.kindergarten,
            clinic=loc.clinic,
            hospital_km=loc.hospital_km,
            heating=loc.heating,
            piped_water=loc.piped_water,
            bus_link=loc.bus_link,
        ),
        lat=loc.lat,
        lon=loc.lon,
        synthetic=loc.synthetic,
        estimated_fields=[f for f in loc.estimated_fields.split(";") if f],
    )


PAGE_OUT_OF_RANGE = Text(
    kk="{page}-бет жоқ: барлығы {max_page} бет.",
    ru="Страницы {page} нет: всего страниц {max_page}.",
    en="Page {page} does not exist: there are {max_page} page(s).",
)


@router.get("", response_model=Page[LocalityOut], responses=problem_responses(404, 409, 422))
def read_localities(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    lang: LangDep,
    region: Annotated[
        str | None, Query(description="Region code, ISO code or name.", max_length=120)
    ] = None,
    type: Annotated[SettlementType | None, Query(description="Settlement type.")] = None,
    q: Annotated[
        str | None, Query(description="Part of the name, any language.", max_length=80)
    ] = None,
) -> Page[LocalityOut]:
    """Localities, filtered by region and settlement type, a page at a time."""
    return region_scoped_page(
        request,
        None,
        region,
        paging,
        partial(page_localities, session, settlement_type=type, q=q),
        LocalityOut,
        lambda r: locality_out(r, lang),
    )


@router.get("/{locality_id}", response_model=LocalityOut, responses=problem_responses(404))
def read_locality(
    session: SessionDep, lang: LangDep, locality_id: Annotated[str, Path(max_length=64)]
) -> LocalityOut:
    """One locality with its services."""
    loc = session.get(LocalityRecord, locality_id)
    if loc is None:
        raise ProblemException(
            404, UNKNOWN_LOCALITY.format(id=locality_id), type_="/problems/unknown-locality"
        )
    return locality_out(loc, lang)
