"""The database as the matching engine's frames (the schemas of ``matching.scoring.features``).

Rows are read with one query per table straight into polars, so building the catalogue of
100,000 vacancies costs one scan, not 100,000 ORM objects. Ids in the frames are the database
ids as strings (as in ``api.households.mappers``). Only what can still be offered is loaded: open
vacancies with posts left, open homes with units left, seats and accommodation-centre beds
left after committed decisions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.core.validation import age_on
from api.models import (
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    MoverNetworkRecord,
    VacancyRecord,
)
from matching.allocation.capacity_kinds import kinds
from matching.domain import licence_mask
from matching.programme.geography import ReferenceData
from matching.scoring.features import (
    EXPERIENCE_SCHEMA,
    HOME_SCHEMA,
    HOUSEHOLD_SCHEMA,
    LOCALITY_SCHEMA,
    MEMBER_SCHEMA,
    VACANCY_SCHEMA,
)

# Seats assumed where a locality has a kindergarten or school but no capacity row was
# loaded: the scorer needs a number; the allocator treats the capacity as unconstrained.
ASSUMED_SEATS = 30
ACTIVE_HOUSEHOLD_STATUSES = ("registered", "admitted")


def _json(value: Any) -> Any:
    # JSON columns come back decoded on both backends through the ORM, but as text from
    # some raw drivers; accept both.
    return json.loads(value) if isinstance(value, str) else value


def _rows(session: Session, stmt: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(stmt)]


def _licence_mask(licences: Iterable[str] | None) -> int:
    # Stored licences were validated on write; the domain owns the bit layout.
    return licence_mask(tuple(licences or ()))


def _codes(values: Iterable[Any] | None) -> list[str]:
    # Skill code lists as stored (JSON); null or empty means none.
    return [str(v) for v in values or () if v]


@dataclass(frozen=True)
class Catalogue:
    vacancies: pl.DataFrame
    homes: pl.DataFrame
    localities: pl.DataFrame
    network: pl.DataFrame
    home_units: pl.DataFrame  # home_id, units (left)
    # locality_id and the supply column of every kind reserving in the locality capacities
    # (kindergarten_seats, school_seats, centre_beds): what is left, null = unknown
    locality_caps: pl.DataFrame


def load_catalogue(
    session: Session, reference: ReferenceData, *, region_codes: Iterable[str] | None = None
) -> Catalogue:
    regions = set(region_codes) if region_codes is not None else None
    vac_stmt = select(
        VacancyRecord.id,
        VacancyRecord.employer_id,
        VacancyRecord.locality_id,
        VacancyRecord.region_code,
        VacancyRecord.occupation,
        VacancyRecord.wage_tenge,
        VacancyRecord.required_education,
        VacancyRecord.required_licences,
        (VacancyRecord.posts - VacancyRecord.posts_reserved).label("posts"),
        VacancyRecord.permanent,
        VacancyRecord.employer_housing,
        VacancyRecord.qualified,
        VacancyRecord.sector,
        VacancyRecord.required_skills,
    ).where(VacancyRecord.status == "open", VacancyRecord.posts > VacancyRecord.posts_reserved)
    home_stmt = select(
        HomeRecord.id,
        HomeRecord.locality_id,
        HomeRecord.region_code,
        HomeRecord.kind,
        HomeRecord.rooms,
        HomeRecord.capacity_persons,
        HomeRecord.rent_tenge,
        HomeRecord.price_tenge,
        HomeRecord.condition,
        HomeRecord.heating,
        HomeRecord.piped_water,
        HomeRecord.accessible,
        HomeRecord.employer_id,
        (HomeRecord.units - HomeRecord.units_reserved).label("units"),
    ).where(HomeRecord.status == "open", HomeRecord.units > HomeRecord.units_reserved)
    if regions is not None:
        vac_stmt = vac_stmt.where(VacancyRecord.region_code.in_(regions))
        home_stmt = home_stmt.where(HomeRecord.region_code.in_(regions))
    vac_rows = _rows(session, vac_stmt)
    vacancies = pl.DataFrame(
        {
            "vacancy_id": [str(r["id"]) for r in vac_rows],
            "employer_id": [str(r["employer_id"]) for r in vac_rows],
            "locality_id": [r["locality_id"] for r in vac_rows],
            "occupation": [r["occupation"] for r in vac_rows],
            "wage_tenge": [float(r["wage_tenge"]) for r in vac_rows],
            "required_education": [r["required_education"] for r in vac_rows],
            "required_licence_mask": [
                _licence_mask(_json(r["required_licences"])) for r in vac_rows
            ],
            "permanent": [bool(r["permanent"]) for r in vac_rows],
            "posts": [int(r["posts"]) for r in vac_rows],
            "employer_housing": [bool(r["employer_housing"]) for r in vac_rows],
            "qualified": [bool(r["qualified"]) for r in vac_rows],
            "sector": [r["sector"] for r in vac_rows],
            "required_skills": [_codes(_json(r["required_skills"])) for r in vac_rows],
        },
        schema=VACANCY_SCHEMA,
    )
    home_rows = _rows(session, home_stmt)
    homes = pl.DataFrame(
        {
            "home_id": [str(r["id"]) for r in home_rows],
            "locality_id": [r["locality_id"] for r in home_rows],
            "kind": [r["kind"] for r in home_rows],
            "rooms": [int(r["rooms"]) for r in home_rows],
            "capacity": [int(r["capacity_persons"]) for r in home_rows],
            "rent_tenge": [float(r["rent_tenge"] or 0) for r in home_rows],
            "price_tenge": [float(r["price_tenge"] or 0) for r in home_rows],
            "condition": [int(r["condition"]) for r in home_rows],
            "heating": [r["heating"] for r in home_rows],
            "piped_water": [bool(r["piped_water"]) for r in home_rows],
            "accessible": [bool(r["accessible"]) for r in home_rows],
            "employer_id": [
                None if r["employer_id"] is None else str(r["employer_id"]) for r in home_rows
            ],
        },
        schema=HOME_SCHEMA,
    )
    home_units = pl.DataFrame(
        {
            "home_id": [str(r["id"]) for r in home_rows],
            "units": [int(r["units"]) for r in home_rows],
        },
        schema={"home_id": pl.Utf8, "units": pl.Int64},
    )
    # Capacity left (capacity - reserved) in every column a registered kind reserves in the
    # locality capacities, keyed by that column; land plots are read for the scorer only.
    table = LocalityCapacityRecord.__table__
    left = {
        k.reservation.capacity: (k.supply.capacity[0], k.reservation.reserved)
        for k in kinds()
        if k.reservation and k.reservation.reserved and k.reservation.table == table.name
    }
    caps = {
        r["locality_id"]: r
        for r in _rows(
            session,
            select(
                LocalityCapacityRecord.locality_id,
                *((table.c[c] - table.c[rsv]).label(c) for c, (_, rsv) in left.items()),
                (
                    LocalityCapacityRecord.land_plots - LocalityCapacityRecord.land_plots_reserved
                ).label("land_plots"),
            ),
        )
    }
    version = reference.default_programme_version(dt.date.today().year).programme_version
    destinations = {r.code for r in reference.regions_with_role(version, "destination")}
    locs = [
        loc
        for loc in reference.all_localities
        if loc.region_code in destinations and (regions is None or loc.region_code in regions)
    ]
    rows: list[dict[str, Any]] = []
    cap_rows: list[dict[str, Any]] = []

    def seats(cap: dict[str, Any] | None, column: str, has: bool) -> int:
        if cap is not None and cap.get(column) is not None:
            return int(cap[column])
        return ASSUMED_SEATS if has else 0

    for loc in locs:
        cap = caps.get(loc.id)
        rows.append(
            {
                "locality_id": loc.id,
                "region_code": loc.region_code,
                "settlement_type": loc.settlement_type,
                "is_urban": loc.is_urban,
                "kindergarten_seats": seats(cap, "kindergarten_seats", loc.kindergarten),
                "school_seats": seats(cap, "school_seats", loc.school),
                "clinic": loc.clinic,
                "hospital_km": float(loc.hospital_km),
                "heating": loc.heating,
                "piped_water": loc.piped_water,
                "bus_link": loc.bus_link,
                "land_plots": int(cap["land_plots"]) if cap else 0,
                "accommodation_beds": seats(cap, "accommodation_beds", False),
            }
        )
        # The kinds' supply columns: null where the locality has no capacity row (unknown).
        cap_rows.append(
            {
                "locality_id": loc.id,
                **{
                    supply: None if cap is None else int(cap[c])
                    for c, (supply, _) in left.items()
                },
            }
        )
    localities = pl.DataFrame(rows, schema=LOCALITY_SCHEMA)
    locality_caps = pl.DataFrame(
        cap_rows,
        schema={"locality_id": pl.Utf8, **{s: pl.Int64 for s, _ in left.values()}},
    )
    net_rows = _rows(
        session,
        select(
            MoverNetworkRecord.origin_region_code,
            MoverNetworkRecord.locality_id,
            MoverNetworkRecord.movers,
        ),
    )
    network = pl.DataFrame(
        {
            "origin_region": [r["origin_region_code"] for r in net_rows],
            "locality_id": [r["locality_id"] for r in net_rows],
            "movers": [int(r["movers"]) for r in net_rows],
        },
        schema={"origin_region": pl.Utf8, "locality_id": pl.Utf8, "movers": pl.Int64},
    )
    return Catalogue(vacancies, homes, localities, network, home_units, locality_caps)


@dataclass(frozen=True)
class HouseholdFrames:
    households: pl.DataFrame
    members: pl.DataFrame
    experience: pl.DataFrame
    external_ids: dict[str, str]


def load_households(
    session: Session,
    *,
    ids: Iterable[int] | None = None,
    statuses: Iterable[str] | None = ACTIVE_HOUSEHOLD_STATUSES,
    region_codes: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    on: dt.date | None = None,
) -> HouseholdFrames:
    """Households (and members, experience) as frames; ages are computed on ``on`` (today)."""
    day = on or dt.date.today()
    stmt = select(HouseholdRecord)
    wanted = None if ids is None else sorted({int(i) for i in ids})
    if statuses is not None:
        stmt = stmt.where(HouseholdRecord.status.in_(list(statuses)))
    if region_codes is not None:
        stmt = stmt.where(HouseholdRecord.origin_region_code.in_(list(region_codes)))
    if categories is not None:
        stmt = stmt.where(HouseholdRecord.category.in_(list(categories)))
    if wanted is None:
        households = list(session.scalars(stmt.order_by(HouseholdRecord.id)))
    else:
        # Chunked: drivers limit the number of bound parameters in one statement.
        households = []
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            households += list(
                session.scalars(
                    stmt.where(HouseholdRecord.id.in_(chunk)).order_by(HouseholdRecord.id)
                )
            )
    hh_ids = [h.id for h in households]
    members: list[HouseholdMemberRecord] = []
    for start in range(0, len(hh_ids), 5000):
        chunk = hh_ids[start : start + 5000]
        members += list(
            session.scalars(
                select(HouseholdMemberRecord)
                .where(HouseholdMemberRecord.household_id.in_(chunk))
                .order_by(HouseholdMemberRecord.household_id, HouseholdMemberRecord.position)
            )
        )
    hh_rows = []
    for h in households:
        prefs = _json(h.preferences) or {}
        hh_rows.append(
            {
                "household_id": str(h.id),
                "iin": h.applicant_iin,
                "origin_region": h.origin_region_code,
                "origin_settlement": h.origin_settlement,
                "origin_heating": h.origin_heating,
                "category": h.category,
                "citizen": bool(h.citizen),
                "years_in_origin": float(h.years_in_origin),
                "pref_regions": list(prefs.get("regions") or []),
                "pref_settlement_types": list(prefs.get("settlement_types") or []),
                "pref_tenure": prefs.get("tenure") or "rent",
                "wants_land": bool(prefs.get("wants_land", False)),
                "business_intent": bool(prefs.get("business_intent", False)),
                "debt_tenge": float(h.debt_tenge),
                "documents_complete": bool(h.documents_complete),
                "application_date": h.application_date,
                "origin_wage_tenge": float(h.origin_wage_tenge or 0),
            }
        )
    m_rows = []
    e_rows = []
    for m in members:
        health = _json(m.health) or {}
        m_rows.append(
            {
                "household_id": str(m.household_id),
                "member_no": int(m.position),
                "relation": m.relation,
                "age": age_on(m.birth_date, day),
                "sex": m.sex,
                "marital_status": m.marital_status,
                "education": m.education,
                "employment_status": m.employment_status,
                "licence_mask": _licence_mask(_json(m.licences)),
                "needs_clinic": bool(health.get("clinic", False)),
                "needs_hospital": bool(health.get("hospital", False)),
                "needs_accessible": bool(health.get("accessible_home", False)),
                "skills": _codes(_json(m.skills)),
            }
        )
        for exp in _json(m.experience) or []:
            e_rows.append(
                {
                    "household_id": str(m.household_id),
                    "member_no": int(m.position),
                    "occupation": str(exp.get("occupation") or exp.get("code") or ""),
                    "years": float(exp.get("years") or 0.0),
                    "documented": bool(exp.get("documented", True)),
                }
            )
    return HouseholdFrames(
        pl.DataFrame(hh_rows, schema=HOUSEHOLD_SCHEMA),
        pl.DataFrame(m_rows, schema=MEMBER_SCHEMA),
        pl.DataFrame(e_rows, schema=EXPERIENCE_SCHEMA),
        {str(h.id): h.external_id for h in households},
    )
