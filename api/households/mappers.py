"""Households and members: between stored rows, client input and matching.domain objects.

``household_to_domain`` turns an ORM record into the frozen domain household (domain ids are
the database ids as strings); ``validate_household`` checks client input and returns the
columns to store (see :mod:`api.core.validation`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.core.validation import (
    FieldError,
    Path,
    age_on,
    build_domain,
    choice,
    resolve_region,
    trilingual,
)
from api.models import HouseholdRecord
from matching.domain import Experience, HealthNeeds, Household, Member, Preferences
from matching.iin import InvalidIINError, parse_iin
from matching.programme.geography import ReferenceData

HOUSEHOLD_STATUSES = ("registered", "admitted", "placed", "moved", "withdrawn", "returned")


_MEMBER_KEYWORDS = (
    ("employment status", "employment_status"),
    ("marital status", "marital_status"),
    ("language level", "languages"),
    ("years of experience", "experience"),
    ("occupation", "experience"),
    ("relation", "relation"),
    ("education", "education"),
    ("licence", "licences"),
    ("age", "birth_date"),
    ("sex", "sex"),
)
_HOUSEHOLD_KEYWORDS = (
    ("origin settlement", "origin_settlement"),
    ("origin heating", "origin_heating"),
    ("origin wage", "origin_wage_tenge"),
    ("years in origin", "years_in_origin"),
    ("category", "category"),
    ("debt", "debt_tenge"),
    ("applicant", "members"),
    ("members", "members"),
    ("iin", "members"),
)
_PREFERENCE_KEYWORDS = (("settlement type", "settlement_types"), ("tenure", "tenure"))

_NO_APPLICANT_IIN = trilingual(
    "өтініш берушінің ЖСН-ы көрсетілмеген",
    "не указан ИИН заявителя",
    "the applicant's IIN is missing",
)
_IIN_BIRTH = trilingual(
    "туған күні ЖСН-дағы күнмен ({iin_date}) сәйкес емес",
    "дата рождения не совпадает с датой в ИИН ({iin_date})",
    "the birth date differs from the one in the IIN ({iin_date})",
)
_IIN_SEX = trilingual(
    "жынысы ЖСН-дағы жыныспен ({iin_sex}) сәйкес емес",
    "пол не совпадает с полом в ИИН ({iin_sex})",
    "the sex differs from the one in the IIN ({iin_sex})",
)
_IIN_TWICE = trilingual(
    "бұл ЖСН отбасында екі рет кездеседі",
    "этот ИИН встречается в семье дважды",
    "this IIN appears twice in the household",
)


_BAD_PHONE = trilingual(
    "телефон нөмірі +7 және 10 цифр болуы керек (мысалы, +7 701 234 56 78)",
    "номер телефона: +7 и 10 цифр (например, +7 701 234 56 78)",
    "the phone number must be +7 and 10 digits (for example +7 701 234 56 78)",
)


def phone_digits(text: str) -> str:
    """The digits of a phone number as typed (spaces, brackets and dashes dropped)."""
    return "".join(ch for ch in text if ch.isdigit())


def normal_phone(text: str | None, path: Path = ("phone",)) -> str | None:
    """``+7XXXXXXXXXX`` for a Kazakhstan number typed as +7…, 8… or 10 digits; None if empty."""
    raw = (text or "").strip()
    if not raw:
        return None
    digits = phone_digits(raw)
    if len(digits) == 10:
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]  # the old domestic prefix 8 is the same line as +7
    if len(digits) != 11 or digits[0] != "7" or any(ch not in "0123456789 +()-" for ch in raw):
        raise FieldError(path, _BAD_PHONE)
    return "+" + digits


def name_key(name: str) -> str:
    """The form a name is searched by: case-folded, single spaces, ё as е."""
    return " ".join(name.casefold().replace("ё", "е").split())


@dataclass(frozen=True)
class HouseholdValues:
    """Validated household columns, member rows (in order) and the domain object."""

    household: dict[str, Any]
    members: list[dict[str, Any]]
    domain: Household


def _member(data: Mapping[str, Any], index: int, on: dt.date) -> tuple[Member, dict[str, Any]]:
    path: Path = ("members", index)
    iin = (data.get("iin") or "").strip() or None
    birth: dt.date = data["birth_date"]
    sex = data["sex"]
    if iin is not None:
        try:
            info = parse_iin(iin)
        except InvalidIINError as exc:
            raise FieldError((*path, "iin"), exc.text) from None
        if info.birth_date != birth:
            raise FieldError(
                (*path, "birth_date"), _IIN_BIRTH.format(iin_date=info.birth_date.isoformat())
            )
        if info.sex != sex:
            raise FieldError((*path, "sex"), _IIN_SEX.format(iin_sex=info.sex))
    experience = [dict(e) for e in data.get("experience") or []]
    languages = [[str(lang["lang"]), str(lang["level"])] for lang in data.get("languages") or []]
    health = {k: bool(v) for k, v in dict(data.get("health") or {}).items()}
    values = {
        "position": index,
        "iin": iin,
        "relation": data["relation"],
        "birth_date": birth,
        "sex": sex,
        "marital_status": data.get("marital_status") or "single",
        "education": data.get("education") or "secondary",
        "employment_status": data.get("employment_status") or "jobseeker",
        "experience": [{k: v for k, v in e.items() if v is not None} for e in experience],
        "skills": list(data.get("skills") or []),
        "licences": list(data.get("licences") or []),
        "languages": languages,
        "health": health,
    }
    member = build_domain(lambda: _member_from_values(values, on), path, _MEMBER_KEYWORDS)
    return member, values


def _member_from_values(values: Mapping[str, Any], on: dt.date) -> Member:
    return Member(
        relation=values["relation"],
        age=age_on(values["birth_date"], on),
        sex=values["sex"],
        marital_status=values["marital_status"],
        education=values["education"],
        experience=tuple(
            Experience(
                str(e["occupation"]), float(e.get("years", 0.0)), bool(e.get("documented", True))
            )
            for e in values["experience"]
        ),
        skills=tuple(values["skills"]),
        licences=frozenset(values["licences"]),
        languages=tuple((lang, level) for lang, level in values["languages"]),
        employment_status=values["employment_status"],
        health=HealthNeeds(**values["health"]),
    )


def _preferences_from_values(values: Mapping[str, Any]) -> Preferences:
    return Preferences(
        regions=tuple(values.get("regions") or ()),
        settlement_types=tuple(values.get("settlement_types") or ()),
        tenure=values.get("tenure") or "rent",
        wants_land=bool(values.get("wants_land", False)),
        business_intent=bool(values.get("business_intent", False)),
    )


def validate_household(data: Mapping[str, Any], reference: ReferenceData) -> HouseholdValues:
    """Check a household (request body or grouped import rows) and return what to store."""
    application_date: dt.date = data["application_date"]
    region_code = resolve_region(reference, str(data["origin_region"]), ("origin_region",))
    members: list[Member] = []
    member_values: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("members") or []):
        member, values = _member(raw, index, application_date)
        if values["iin"] is not None:
            if values["iin"] in seen:
                raise FieldError(("members", index, "iin"), _IIN_TWICE)
            seen.add(values["iin"])
        members.append(member)
        member_values.append(values)
    raw_prefs = dict(data.get("preferences") or {})
    prefs = {
        "regions": [
            resolve_region(reference, str(key), ("preferences", "regions", i))
            for i, key in enumerate(raw_prefs.get("regions") or [])
        ],
        "settlement_types": list(raw_prefs.get("settlement_types") or []),
        "tenure": raw_prefs.get("tenure") or "rent",
        "wants_land": bool(raw_prefs.get("wants_land", False)),
        "business_intent": bool(raw_prefs.get("business_intent", False)),
    }
    preferences = build_domain(
        lambda: _preferences_from_values(prefs), ("preferences",), _PREFERENCE_KEYWORDS
    )
    applicant_iin = next((v["iin"] for v in member_values if v["relation"] == "applicant"), None)
    applicants = [i for i, v in enumerate(member_values) if v["relation"] == "applicant"]
    if len(applicants) == 1 and applicant_iin is None:
        raise FieldError(("members", applicants[0], "iin"), _NO_APPLICANT_IIN)
    status = choice(data.get("status") or "registered", HOUSEHOLD_STATUSES, ("status",))
    applicant_name = " ".join(str(data.get("applicant_name") or "").split())
    household = {
        "external_id": str(data["external_id"]),
        "applicant_iin": applicant_iin or "",
        "applicant_name": applicant_name,
        "name_key": name_key(applicant_name),
        "phone": normal_phone(data.get("phone")),
        "category": data.get("category") or "resettler",
        "origin_region_code": region_code,
        "origin_settlement": data["origin_settlement"],
        "origin_heating": data.get("origin_heating") or "gas",
        "origin_wage_tenge": int(data.get("origin_wage_tenge") or 0),
        "years_in_origin": float(data.get("years_in_origin") or 0.0),
        "citizen": bool(data.get("citizen", True)),
        "application_date": application_date,
        "documents_complete": bool(data.get("documents_complete", False)),
        "debt_tenge": int(data.get("debt_tenge") or 0),
        "preferences": prefs,
        "status": status,
    }
    domain = build_domain(
        lambda: Household(
            household_id=household["external_id"],
            iin=applicant_iin or "",
            members=tuple(members),
            origin_region=region_code,
            origin_settlement=household["origin_settlement"],
            origin_heating=household["origin_heating"],
            category=household["category"],
            citizen=household["citizen"],
            years_in_origin=household["years_in_origin"],
            preferences=preferences,
            debt_tenge=household["debt_tenge"],
            documents_complete=household["documents_complete"],
            application_date=application_date,
            origin_wage_tenge=household["origin_wage_tenge"],
        ),
        (),
        _HOUSEHOLD_KEYWORDS,
    )
    return HouseholdValues(household, member_values, domain)


def household_to_domain(record: HouseholdRecord, *, as_of: dt.date | None = None) -> Household:
    """The domain household of a stored one (members must be loaded).

    Ages are counted on ``as_of`` (default: today), the day the matching is done for.
    """
    day = as_of or dt.date.today()
    members = tuple(
        _member_from_values(
            {
                "relation": m.relation,
                "birth_date": m.birth_date,
                "sex": m.sex,
                "marital_status": m.marital_status,
                "education": m.education,
                "employment_status": m.employment_status,
                "experience": m.experience or [],
                "skills": m.skills or [],
                "licences": m.licences or [],
                "languages": m.languages or [],
                "health": m.health or {},
            },
            day,
        )
        for m in record.members
    )
    prefs = record.preferences or {}
    return Household(
        household_id=str(record.id),
        iin=record.applicant_iin,
        members=members,
        origin_region=record.origin_region_code,
        origin_settlement=record.origin_settlement,  # type: ignore[arg-type]
        origin_heating=record.origin_heating,  # type: ignore[arg-type]
        category=record.category,  # type: ignore[arg-type]
        citizen=record.citizen,
        years_in_origin=record.years_in_origin,
        preferences=_preferences_from_values(prefs),
        debt_tenge=float(record.debt_tenge),
        documents_complete=record.documents_complete,
        application_date=record.application_date,
        origin_wage_tenge=float(record.origin_wage_tenge),
    )
