"""A small synthetic programme in the database, so a newcomer sees real-looking matches at once.

Everything comes from ``matching.synthetic.programme.generate_programme`` (documented distributions,
fixed seed) and is marked by ``DEMO-`` external ids; loading it twice changes nothing. Members'
skills and vacancies' required skills are the generator's taxonomy codes, drawn from the
occupations' links, so the demo's ranked matches show which required skills a member lacks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from api.auth.service import hash_token, issue_token
from api.households.service import name_key
from api.models import (
    ApiTokenRecord,
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    MoverNetworkRecord,
    VacancyRecord,
)
from matching.domain import LICENCES
from matching.programme.geography import ReferenceData
from matching.synthetic.programme import generate_programme
from taxonomy import Taxonomy

PREFIX = "DEMO-"
DEMO_SEED = 2026

SECTOR_RU = {
    "education": "Школа",
    "health": "Больница",
    "agriculture": "Агрофирма",
    "industry": "Завод",
    "construction": "Стройтрест",
    "transport": "Автопарк",
    "municipal": "Коммунальное хозяйство",
    "trade": "Торговый дом",
    "services": "Сервисная компания",
    "state": "Акимат",
    "mining": "Горнодобывающее предприятие",
    "energy": "Энергокомпания",
}

# Tokens with known values, for trying the API locally; never created in production.
DEMO_TOKENS = {
    "admin": "demo-admin-token",
    "planner": "demo-planner-token",
    "centre": "demo-centre-61-token",
    "applicant": "demo-applicant-token",
}


@dataclass(frozen=True)
class DemoReport:
    created: bool
    households: int
    vacancies: int
    homes: int
    tokens: dict[str, str]


# Made-up names and phones, so the centre pages' search and lists look like a real register.
_SURNAMES = ("Ахметов", "Серикбаев", "Нурланов", "Жумабеков", "Касымов", "Омаров", "Тулегенов",
             "Искаков", "Сейтказиев", "Абдрахманов", "Мусин", "Оспанов", "Бекмуханбетов")  # fmt: skip
_MEN = ("Ерлан", "Нурлан", "Бауыржан", "Асхат", "Дархан", "Ержан", "Талгат", "Марат", "Айдос")
_WOMEN = ("Айгерим", "Гульнара", "Динара", "Жанар", "Асель", "Мадина", "Сауле", "Айгуль", "Алия")


def _demo_contact(iin: str, index: int) -> dict[str, str]:
    """A name that agrees with the IIN's sex (7th digit odd: male), and a mobile number."""
    male = int(iin[6]) % 2 == 1
    surname = _SURNAMES[index % len(_SURNAMES)] + ("" if male else "а")
    first = (_MEN if male else _WOMEN)[(index // len(_SURNAMES)) % len(_MEN)]
    name = f"{surname} {first}"
    return {"applicant_name": name, "name_key": name_key(name), "phone": f"+7701{iin[-7:]}"}


def _licences(mask: int) -> list[str]:
    return [lic for i, lic in enumerate(LICENCES) if mask & (1 << i)]


def _title(taxonomy: Taxonomy, occupation: str) -> tuple[str, str]:
    """A readable vacancy title for an occupation or ISCO unit-group code, and its ISCO group."""
    if occupation in taxonomy.occupations:
        occ = taxonomy.occupation(occupation)
        return occ.title_ru, occ.isco
    isco = occupation[:4]
    named = sorted(
        c for c, o in taxonomy.occupations.items() if o.isco == isco and c.startswith("Q")
    )
    if named:
        return taxonomy.occupation(named[0]).title_ru, isco
    return taxonomy.label(isco, "ru") if isco in taxonomy.groups else occupation, isco


def load_demo(
    session: Session,
    reference: ReferenceData,
    taxonomy: Taxonomy,
    *,
    households: int = 300,
    vacancies: int | None = None,
    seed: int = DEMO_SEED,
    with_tokens: bool = True,
) -> DemoReport:
    existing = session.scalar(
        select(func.count())
        .select_from(HouseholdRecord)
        .where(HouseholdRecord.external_id.like(f"{PREFIX}%"))
    )
    if existing:
        tokens = dict(DEMO_TOKENS) if with_tokens else {}
        return DemoReport(False, int(existing or 0), 0, 0, tokens)
    prog = generate_programme(
        households, vacancies, seed=seed, reference=reference, taxonomy=taxonomy
    )
    region_of = {loc.id: loc.region_code for loc in reference.all_localities}

    emp_rows = [
        {
            "external_id": PREFIX + r["employer_id"],
            "name": f"{SECTOR_RU.get(r['sector'], 'Предприятие')} «{reference.locality(r['locality_id']).name_ru}-{r['employer_id'][-3:]}»",
            "region_code": region_of[r["locality_id"]],
            "locality_id": r["locality_id"],
            "sector": r["sector"],
        }
        for r in prog.employers.iter_rows(named=True)
    ]
    session.execute(insert(EmployerRecord), emp_rows)
    emp_id = dict(
        session.execute(
            select(EmployerRecord.external_id, EmployerRecord.id).where(
                EmployerRecord.external_id.like(f"{PREFIX}%")
            )
        ).all()
    )

    vac_rows = []
    for r in prog.vacancies.iter_rows(named=True):
        title, isco = _title(taxonomy, r["occupation"])
        vac_rows.append(
            {
                "external_id": PREFIX + r["vacancy_id"],
                "employer_id": emp_id[PREFIX + r["employer_id"]],
                "locality_id": r["locality_id"],
                "region_code": region_of[r["locality_id"]],
                "title": title,
                "occupation": r["occupation"],
                "isco": isco,
                "occupation_score": 1.0,
                "sector": r["sector"],
                "required_education": r["required_education"],
                "required_licences": _licences(int(r["required_licence_mask"])),
                "required_skills": list(r["required_skills"] or []),
                "min_experience_years": 0.0,
                "wage_tenge": int(r["wage_tenge"]),
                "permanent": bool(r["permanent"]),
                "posts": int(r["posts"]),
                "posts_reserved": 0,
                "employer_housing": bool(r["employer_housing"]),
                "qualified": bool(r["qualified"]),
                "status": "open",
            }
        )
    session.execute(insert(VacancyRecord), vac_rows)

    home_rows = [
        {
            "external_id": PREFIX + r["home_id"],
            "locality_id": r["locality_id"],
            "region_code": region_of[r["locality_id"]],
            "kind": r["kind"],
            "rooms": int(r["rooms"]),
            "capacity_persons": int(r["capacity"]),
            "rent_tenge": int(r["rent_tenge"]) or None,
            "price_tenge": int(r["price_tenge"]) or None,
            "condition": int(r["condition"]),
            "heating": r["heating"],
            "piped_water": bool(r["piped_water"]),
            "accessible": bool(r["accessible"]),
            "employer_id": emp_id.get(PREFIX + r["employer_id"]) if r["employer_id"] else None,
            "units": 1,
            "units_reserved": 0,
            "status": "open",
        }
        for r in prog.homes.iter_rows(named=True)
    ]
    session.execute(insert(HomeRecord), home_rows)

    known_caps = set(session.scalars(select(LocalityCapacityRecord.locality_id)))
    cap_rows = [
        {
            "locality_id": r["locality_id"],
            "kindergarten_seats": int(r["kindergarten_seats"]),
            "school_seats": int(r["school_seats"]),
            "land_plots": int(r["land_plots"]),
            "accommodation_beds": int(r["accommodation_beds"]),
        }
        for r in prog.localities.iter_rows(named=True)
        if r["locality_id"] not in known_caps
    ]
    if cap_rows:
        session.execute(insert(LocalityCapacityRecord), cap_rows)

    known_net = set(
        session.execute(
            select(MoverNetworkRecord.origin_region_code, MoverNetworkRecord.locality_id)
        ).all()
    )
    net_rows = [
        {
            "origin_region_code": r["origin_region"],
            "locality_id": r["locality_id"],
            "movers": int(r["movers"]),
            "source": "synthetic demo",
        }
        for r in prog.network.iter_rows(named=True)
        if (r["origin_region"], r["locality_id"]) not in known_net and r["locality_id"] in region_of
    ]
    if net_rows:
        session.execute(insert(MoverNetworkRecord), net_rows)

    _insert_households(session, prog.households, prog.members, prog.experience)
    session.flush()

    tokens: dict[str, str] = {}
    if with_tokens:
        tokens = _demo_tokens(session)
    return DemoReport(True, prog.households.height, len(vac_rows), len(home_rows), tokens)


def _insert_households(
    session: Session,
    households: pl.DataFrame,
    members: pl.DataFrame,
    experience: pl.DataFrame,
) -> None:
    hh_rows = [
        {
            "external_id": PREFIX + r["household_id"],
            "applicant_iin": r["iin"],
            **_demo_contact(r["iin"], i),
            "category": r["category"],
            "origin_region_code": r["origin_region"],
            "origin_settlement": r["origin_settlement"],
            "origin_heating": r["origin_heating"],
            "origin_wage_tenge": int(r["origin_wage_tenge"]),
            "years_in_origin": float(r["years_in_origin"]),
            "citizen": bool(r["citizen"]),
            "application_date": r["application_date"],
            "documents_complete": bool(r["documents_complete"]),
            "debt_tenge": int(r["debt_tenge"]),
            "preferences": {
                "regions": list(r["pref_regions"] or []),
                "settlement_types": list(r["pref_settlement_types"] or []),
                "tenure": r["pref_tenure"],
                "wants_land": bool(r["wants_land"]),
                "business_intent": bool(r["business_intent"]),
            },
            "status": "registered",
        }
        for i, r in enumerate(households.iter_rows(named=True))
    ]
    session.execute(insert(HouseholdRecord), hh_rows)
    hh_id = dict(
        session.execute(
            select(HouseholdRecord.external_id, HouseholdRecord.id).where(
                HouseholdRecord.external_id.like(f"{PREFIX}%")
            )
        ).all()
    )
    iin_of = dict(zip(households["household_id"], households["iin"], strict=True))
    applied = dict(zip(households["household_id"], households["application_date"], strict=True))
    exp: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in experience.iter_rows(named=True):
        exp.setdefault((r["household_id"], int(r["member_no"])), []).append(
            {
                "occupation": r["occupation"],
                "years": float(r["years"]),
                "documented": bool(r["documented"]),
            }
        )
    from matching.iin import parse_iin

    m_rows = []
    for r in members.iter_rows(named=True):
        key = (r["household_id"], int(r["member_no"]))
        is_applicant = r["relation"] == "applicant"
        # The applicant's birth date is the one in their IIN; the others are born so that
        # they had their generated age on the application date.
        app: dt.date = applied[r["household_id"]]
        birth = (
            parse_iin(iin_of[r["household_id"]]).birth_date
            if is_applicant
            else dt.date(app.year - int(r["age"]) - 1, app.month, min(app.day, 28))
            + dt.timedelta(days=1)
        )
        m_rows.append(
            {
                "household_id": hh_id[PREFIX + r["household_id"]],
                "position": int(r["member_no"]),
                "iin": iin_of[r["household_id"]] if is_applicant else None,
                "relation": r["relation"],
                "birth_date": birth,
                "sex": r["sex"],
                "marital_status": r["marital_status"],
                "education": r["education"],
                "employment_status": r["employment_status"],
                "citizen": True,
                "experience": exp.get(key, []),
                "skills": list(r["skills"] or []),
                "licences": _licences(int(r["licence_mask"])),
                "languages": [["kk", "native"], ["ru", "fluent"]],
                "health": {
                    "clinic": bool(r["needs_clinic"]),
                    "hospital": bool(r["needs_hospital"]),
                    "accessible_home": bool(r["needs_accessible"]),
                },
            }
        )
    session.execute(insert(HouseholdMemberRecord), m_rows)


def _demo_tokens(session: Session) -> dict[str, str]:
    known = set(session.scalars(select(ApiTokenRecord.token_hash)))
    first = session.scalar(
        select(HouseholdRecord.id)
        .where(HouseholdRecord.external_id.like(f"{PREFIX}%"))
        .order_by(HouseholdRecord.id)
    )
    specs: dict[str, dict[str, Any]] = {
        "admin": {"role": "admin"},
        "planner": {"role": "planner"},
        "centre": {"role": "centre", "region_code": "61"},
        "applicant": {"role": "applicant", "household_id": first},
    }
    for name, spec in specs.items():
        if hash_token(DEMO_TOKENS[name]) not in known:
            issue_token(session, name=f"demo {name}", token=DEMO_TOKENS[name], **spec)
    return dict(DEMO_TOKENS)
