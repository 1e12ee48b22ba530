"""An applicant's suggested localities, assembled for reading on a phone.

``suggestions_for(request, session, principal, household_id, lang, top=5)`` ranks with the very service behind
``GET /households/{id}/localities`` (same index, same explanations, same support
calculator) and adds what a household asks before moving: the itemized support package,
rent after the rent subsidy, services, distances to the district and regional centres and
how far north of home the place is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.orm import Session

from api.auth.service import Principal
from api.matches.service import OptionOut, VacancyRef, locality_answer, match_service
from api.models import HouseholdRecord
from api.models.applicants import ApplicantDecisionRecord
from matching.programme.geography import Locality, ReferenceData, UnknownLocalityError
from matching.programme.support import SupportPackage, SupportParameters
from matching.text import Lang

# A component at or above this value is a reason the place suits the household.
STRONG = 0.6


@dataclass(frozen=True)
class Place:
    name: str
    km: int


@dataclass(frozen=True)
class SupportItem:
    code: str
    label: str
    tenge: int
    basis: str
    paid_to: str


@dataclass
class Suggestion:
    rank: int
    option: OptionOut
    locality: Locality
    region_name: str
    reasons: list[str]
    cautions: list[str]
    jobs: list[VacancyRef]
    support: list[SupportItem]
    support_household_tenge: int
    support_employer_tenge: int
    rent_subsidy_monthly: int | None
    rent_subsidy_months: int | None
    district_centre: Place | None
    regional_centre: Place | None
    north_of_home_km: int | None
    decision: ApplicantDecisionRecord | None = field(default=None)

    @property
    def locality_id(self) -> str:
        return self.locality.id

    @property
    def rent_after_subsidy(self) -> int | None:
        rent = self.option.home.rent_tenge
        if rent is None or self.rent_subsidy_monthly is None:
            return None
        return max(0, rent - self.rent_subsidy_monthly)


def km_between(a: Locality, b: Locality) -> int:
    """Great-circle distance (roads are longer; the page says "in a straight line")."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * 6371.0 * math.asin(math.sqrt(h)))


def regional_centre(reference: ReferenceData, region_code: str) -> Locality | None:
    found = reference.localities(region_code, "regional_centre")
    return found[0] if found else None


def region_anchor(reference: ReferenceData, region_code: str) -> Locality | None:
    """Where a region "is": its centre, or for the cities of republican significance (no
    separate centre locality) their largest locality."""
    centre = regional_centre(reference, region_code)
    if centre is not None:
        return centre
    places = reference.localities(region_code)
    return max(places, key=lambda loc: loc.population) if places else None


def _district_centre(reference: ReferenceData, loc: Locality) -> Locality | None:
    if loc.district_id is None:
        return None
    try:
        return reference.locality(reference.district(loc.district_id).centre_locality_id)
    except UnknownLocalityError:
        return None


def _place(loc: Locality, other: Locality | None, lang: Lang) -> Place | None:
    if other is None or other.id == loc.id:
        return None
    return Place(other.name(lang), km_between(loc, other))


def _support(
    params: SupportParameters, pkg: SupportPackage, is_urban: bool, persons: int, lang: Lang
) -> tuple[list[SupportItem], int | None, int | None]:
    items = [
        SupportItem(
            line.code, line.label.get(lang), int(line.tenge), line.basis.get(lang), line.paid_to
        )
        for line in pkg.lines
    ]
    rent = next((line for line in pkg.lines if line.code == "rent_subsidy"), None)
    months = params.measure(
        pkg.programme_version, "rent_subsidy_months", pkg.year, is_urban, persons
    )
    if rent is None or months is None or int(months.value) <= 0:
        return items, None, None
    n = int(months.value)
    return items, round(rent.tenge / n), n


def suggestions_for(
    request: Request,
    session: Session,
    principal: Principal,
    household_id: int,
    lang: Lang,
    top: int = 5,
) -> tuple[HouseholdRecord, list[Suggestion]]:
    """The household and its ``top`` best localities, each with everything the page shows."""
    svc = match_service(request)
    found = locality_answer(svc, session, principal, household_id, lang, top=top, explain=top)
    record, household, index, ranked = found.record, found.household, found.index, found.ranked
    reference, options = svc.reference, found.options
    origin_centre = region_anchor(reference, record.origin_region_code)
    persons = len(household.members)
    out: list[Suggestion] = []
    for option, result in zip(options, ranked.explained, strict=False):
        loc = reference.locality(option.locality.id)
        # The strongest contributions first; a component that does not apply (weight 0) says
        # nothing about this place. Weak ones are worth knowing, not reasons it suits.
        parts = sorted(
            (c for c in result.components if c.weight > 0),
            key=lambda c: c.value * c.weight,
            reverse=True,
        )
        strong = [c.reason.get(lang) for c in parts if c.value >= STRONG]
        weak = [c.reason.get(lang) for c in parts if c.value < STRONG]
        pkg = index.support_for_option(household, option.option_id, support=svc.support)
        items, monthly, months = _support(svc.support, pkg, loc.is_urban, persons, lang)
        out.append(
            Suggestion(
                rank=option.rank,
                option=option,
                locality=loc,
                region_name=option.locality.region,
                reasons=strong,
                cautions=weak,
                jobs=[option.vacancy] + ([option.second_vacancy] if option.second_vacancy else []),
                support=items,
                support_household_tenge=int(pkg.total_household_tenge),
                support_employer_tenge=int(pkg.total_employer_tenge),
                rent_subsidy_monthly=monthly,
                rent_subsidy_months=months,
                district_centre=_place(loc, _district_centre(reference, loc), lang),
                regional_centre=_place(loc, regional_centre(reference, loc.region_code), lang),
                north_of_home_km=round((loc.lat - origin_centre.lat) * 111.2)
                if origin_centre is not None
                else None,
            )
        )
    return record, out
