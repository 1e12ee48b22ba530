"""Between stored rows, client input and matching.domain objects.

``*_to_domain`` turn ORM records into the frozen domain objects the matching engine works on
(domain ids are the database ids as strings). ``validate_*`` take client input (a request
body or an import row, as a plain dict with the DTO's field names), check it by building the
domain object, and return the column values to store. A rule that fails raises
:class:`FieldError` naming the offending field, so the REST routes and the importer report
the same reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from api.problems import ProblemException
from matching.domain import (
    DomainValidationError,
    Employer,
    Experience,
    HealthNeeds,
    Home,
    Household,
    LocalityCapacity,
    Member,
    Preferences,
    Vacancy,
)
from matching.iin import InvalidIINError, parse_iin
from matching.programme.geography import (
    AmbiguousRegionError,
    ReferenceData,
    UnknownLocalityError,
    UnknownRegionError,
)
from matching.text import Text

T = TypeVar("T")
Path = tuple[str | int, ...]

HOUSEHOLD_STATUSES = ("registered", "admitted", "placed", "moved", "withdrawn", "returned")
OPEN_CLOSED = ("open", "closed")


class FieldError(ValueError):
    """Input that cannot be stored; ``path`` names the field (``("members", 0, "iin")``)."""

    def __init__(self, path: Path, text: Text, *, candidates: Sequence[str] = ()) -> None:
        super().__init__(text.en)
        self.path = path
        self.text = text
        self.candidates = tuple(candidates)

    def as_problem(self, *, status: int = 422) -> ProblemException:
        """A 422 problem whose ``errors`` name the field (and list candidates, if any)."""
        loc: list[str | int] = ["body", *self.path]
        errors = [
            {"loc": loc, "msg": f"candidate {c}", "type": "ambiguous"} for c in self.candidates
        ] or [{"loc": loc, "msg": self.text.en, "type": "value_error"}]
        return ProblemException(status, self.text, type_="/problems/invalid-field", errors=errors)

    @property
    def field(self) -> str:
        """The path as one string: ``members[0].iin``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out


def _text(kk: str, ru: str, en: str) -> Text:
    return Text(kk=kk, ru=ru, en=en)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _domain(factory: Callable[[], T], prefix: Path, keywords: Sequence[tuple[str, str]]) -> T:
    """Build a domain object; a DomainValidationError becomes a FieldError.

    The domain's English message names the offending value ("wage cannot be negative"); the
    first keyword it contains picks the field, so ``keywords`` list longer phrases first.
    """
    try:
        return factory()
    except DomainValidationError as exc:
        message = exc.text.en.lower()
        for keyword, field in keywords:
            if keyword in message:
                raise FieldError((*prefix, field), exc.text) from None
        raise FieldError(prefix or ("body",), exc.text) from None


def _given(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """``data[key]`` unless missing or None (0 and False are values, not "missing")."""
    value = data.get(key)
    return default if value is None else value


def _choice(value: Any, allowed: Sequence[str], path: Path) -> str:
    if value not in allowed:
        raise FieldError(
            path,
            _text(
                f"{value!r} рұқсат етілмеген мән ({', '.join(allowed)})",
                f"недопустимое значение {value!r} ({', '.join(allowed)})",
                f"{value!r} is not one of {', '.join(allowed)}",
            ),
        )
    return str(value)


def resolve_region(reference: ReferenceData, key: str, path: Path) -> str:
    """Region code for a code, ISO code or name; unknown or ambiguous names are errors."""
    try:
        return reference.region(key).code
    except UnknownRegionError as exc:
        raise FieldError(path, exc.text) from None
    except AmbiguousRegionError as exc:
        raise FieldError(
            path, exc.text, candidates=[f"{r.code}: {r.name_en}" for r in exc.candidates]
        ) from None


def resolve_locality(reference: ReferenceData, locality_id: str, path: Path) -> str:
    """Region code of an existing locality."""
    try:
        return reference.locality(locality_id).region_code
    except UnknownLocalityError as exc:
        raise FieldError(path, exc.text) from None


# Households -------------------------------------------------------------------------------

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

_NO_APPLICANT_IIN = _text(
    "өтініш берушінің ЖСН-ы көрсетілмеген",
    "не указан ИИН заявителя",
    "the applicant's IIN is missing",
)
_IIN_BIRTH = _text(
    "туған күні ЖСН-дағы күнмен ({iin_date}) сәйкес емес",
    "дата рождения не совпадает с датой в ИИН ({iin_date})",
    "the birth date differs from the one in the IIN ({iin_date})",
)
_IIN_SEX = _text(
    "жынысы ЖСН-дағы жыныспен ({iin_sex}) сәйкес емес",
    "пол не совпадает с полом в ИИН ({iin_sex})",
    "the sex differs from the one in the IIN ({iin_sex})",
)
_IIN_TWICE = _text(
    "бұл ЖСН отбасында екі рет кездеседі",
    "этот ИИН встречается в семье дважды",
    "this IIN appears twice in the household",
)


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
    member = _domain(lambda: _member_from_values(values, on), path, _MEMBER_KEYWORDS)
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
    preferences = _domain(
        lambda: _preferences_from_values(prefs), ("preferences",), _PREFERENCE_KEYWORDS
    )
    applicant_iin = next((v["iin"] for v in member_values if v["relation"] == "applicant"), None)
    applicants = [i for i, v in enumerate(member_values) if v["relation"] == "applicant"]
    if len(applicants) == 1 and applicant_iin is None:
        raise FieldError(("members", applicants[0], "iin"), _NO_APPLICANT_IIN)
    status = _choice(data.get("status") or "registered", HOUSEHOLD_STATUSES, ("status",))
    household = {
        "external_id": str(data["external_id"]),
        "applicant_iin": applicant_iin or "",
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
    domain = _domain(
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


# Employers, vacancies, homes, capacities -----------------------------------------------------

_VACANCY_KEYWORDS = (
    ("required education", "required_education"),
    ("licence", "required_licences"),
    ("wage", "wage_tenge"),
    ("posts", "posts"),
)
_HOME_KEYWORDS = (
    ("home kind", "kind"),
    ("heating", "heating"),
    ("condition", "condition"),
    ("at least one person", "capacity_persons"),
    ("rent", "rent_tenge"),
    ("price", "price_tenge"),
)
_CAPACITY_KEYWORDS = (
    ("kindergarten", "kindergarten_seats"),
    ("school", "school_seats"),
    ("land", "land_plots"),
    ("accommodation", "accommodation_beds"),
)
_NEED_REGION = _text(
    "өңір немесе елді мекен көрсетілуі керек",
    "нужно указать регион или населённый пункт",
    "a region or a locality is required",
)
_NEGATIVE = _text(
    "теріс бола алмайды ({value})",
    "не может быть отрицательным ({value})",
    "cannot be negative ({value})",
)
_RESERVED_ABOVE = _text(
    "брондалғаннан ({reserved}) аз бола алмайды",
    "не может быть меньше уже зарезервированного ({reserved})",
    "cannot be below what is already reserved ({reserved})",
)


def validate_employer(data: Mapping[str, Any], reference: ReferenceData) -> dict[str, Any]:
    """Columns of an employer; its region comes from the locality when one is given."""
    locality_id = data.get("locality_id") or None
    if locality_id is not None:
        region_code = resolve_locality(reference, locality_id, ("locality_id",))
        if data.get("region"):
            given = resolve_region(reference, str(data["region"]), ("region",))
            if given != region_code:
                raise FieldError(
                    ("region",),
                    _text(
                        f"елді мекен {region_code} өңірінде",
                        f"населённый пункт находится в регионе {region_code}",
                        f"the locality lies in region {region_code}",
                    ),
                )
    elif data.get("region"):
        region_code = resolve_region(reference, str(data["region"]), ("region",))
    else:
        raise FieldError(("region",), _NEED_REGION)
    values = {
        "external_id": str(data["external_id"]),
        "name": str(data["name"]),
        "bin": data.get("bin") or None,
        "region_code": region_code,
        "locality_id": locality_id,
        "sector": data.get("sector") or None,
    }
    return values


def validate_vacancy(
    data: Mapping[str, Any],
    reference: ReferenceData,
    *,
    employer_id: int,
    occupation: str,
    isco: str,
    occupation_score: float | None,
) -> dict[str, Any]:
    """Columns of a vacancy whose employer and occupation are already resolved."""
    region_code = resolve_locality(reference, str(data["locality_id"]), ("locality_id",))
    values: dict[str, Any] = {
        "external_id": str(data["external_id"]),
        "employer_id": employer_id,
        "locality_id": str(data["locality_id"]),
        "region_code": region_code,
        "title": str(data["title"]),
        "occupation": occupation,
        "isco": isco,
        "occupation_score": occupation_score,
        "sector": data.get("sector") or "other",
        "required_education": data.get("required_education") or "secondary",
        "required_licences": sorted(set(data.get("required_licences") or [])),
        "required_skills": list(data.get("required_skills") or []),
        "min_experience_years": float(data.get("min_experience_years") or 0.0),
        "wage_tenge": int(data["wage_tenge"]),
        "permanent": bool(data.get("permanent", True)),
        "posts": int(_given(data, "posts", 1)),
        "employer_housing": bool(data.get("employer_housing", False)),
        "qualified": bool(data.get("qualified", True)),
        "status": _choice(data.get("status") or "open", OPEN_CLOSED, ("status",)),
    }
    if values["min_experience_years"] < 0:
        raise FieldError(
            ("min_experience_years",), _NEGATIVE.format(value=values["min_experience_years"])
        )
    _domain(lambda: _vacancy_from_values(values, "0"), (), _VACANCY_KEYWORDS)
    return values


def _vacancy_from_values(values: Mapping[str, Any], vacancy_id: str) -> Vacancy:
    return Vacancy(
        vacancy_id=vacancy_id,
        employer_id=str(values["employer_id"]),
        locality_id=values["locality_id"],
        occupation=values["occupation"],
        wage_tenge=float(values["wage_tenge"]),
        required_education=values["required_education"],
        required_licences=frozenset(values["required_licences"] or ()),
        required_skills=tuple(values["required_skills"] or ()),
        permanent=values["permanent"],
        posts=values["posts"],
        employer_housing=values["employer_housing"],
        qualified=values["qualified"],
        sector=values["sector"],
    )


def validate_home(
    data: Mapping[str, Any], reference: ReferenceData, *, employer_id: int | None
) -> dict[str, Any]:
    """Columns of a home."""
    region_code = resolve_locality(reference, str(data["locality_id"]), ("locality_id",))
    values: dict[str, Any] = {
        "external_id": str(data["external_id"]),
        "locality_id": str(data["locality_id"]),
        "region_code": region_code,
        "kind": data["kind"],
        "rooms": int(data["rooms"]),
        "capacity_persons": int(data["capacity_persons"]),
        "rent_tenge": None if data.get("rent_tenge") is None else int(data["rent_tenge"]),
        "price_tenge": None if data.get("price_tenge") is None else int(data["price_tenge"]),
        "condition": int(_given(data, "condition", 3)),
        "heating": data.get("heating") or "central",
        "piped_water": bool(data.get("piped_water", True)),
        "accessible": bool(data.get("accessible", False)),
        "employer_id": employer_id,
        "units": int(_given(data, "units", 1)),
        "status": _choice(data.get("status") or "open", OPEN_CLOSED, ("status",)),
    }
    if values["units"] < 1:
        raise FieldError(("units",), _text("кемінде 1", "не меньше 1", "must be at least 1"))
    _domain(lambda: _home_from_values(values, "0"), (), _HOME_KEYWORDS)
    return values


def _home_from_values(values: Mapping[str, Any], home_id: str) -> Home:
    return Home(
        home_id=home_id,
        locality_id=values["locality_id"],
        kind=values["kind"],
        rooms=values["rooms"],
        capacity=values["capacity_persons"],
        rent_tenge=float(values["rent_tenge"] or 0),
        price_tenge=float(values["price_tenge"] or 0),
        condition=values["condition"],
        heating=values["heating"],
        piped_water=values["piped_water"],
        accessible=values["accessible"],
        employer_id=None if values["employer_id"] is None else str(values["employer_id"]),
    )


def validate_capacity(
    locality_id: str,
    data: Mapping[str, Any],
    reference: ReferenceData,
    *,
    reserved: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Columns of a locality's capacity; seats may not drop below what is reserved."""
    resolve_locality(reference, locality_id, ("locality_id",))
    values: dict[str, Any] = {
        "locality_id": locality_id,
        "kindergarten_seats": int(data.get("kindergarten_seats") or 0),
        "school_seats": int(data.get("school_seats") or 0),
        "land_plots": int(data.get("land_plots") or 0),
        "accommodation_beds": int(data.get("accommodation_beds") or 0),
    }
    _domain(
        lambda: _capacity_from_values(values, locality_id, reference),
        (),
        _CAPACITY_KEYWORDS,
    )
    for seats, taken in (
        ("kindergarten_seats", "kindergarten_reserved"),
        ("school_seats", "school_reserved"),
        ("land_plots", "land_plots_reserved"),
        ("accommodation_beds", "accommodation_beds_reserved"),
    ):
        held = int((reserved or {}).get(taken, 0))
        if values[seats] < held:
            raise FieldError((seats,), _RESERVED_ABOVE.format(reserved=held))
    return values


def _capacity_from_values(
    values: Mapping[str, Any], locality_id: str, reference: ReferenceData
) -> LocalityCapacity:
    loc = reference.locality(locality_id)
    return LocalityCapacity(
        locality_id=locality_id,
        region_code=loc.region_code,
        settlement_type=loc.settlement_type,
        is_urban=loc.is_urban,
        kindergarten_seats=values["kindergarten_seats"],
        school_seats=values["school_seats"],
        clinic=loc.clinic,
        hospital_km=loc.hospital_km,
        heating=loc.heating,
        piped_water=loc.piped_water,
        bus_link=loc.bus_link,
        land_plots=values["land_plots"],
        accommodation_beds=values["accommodation_beds"],
    )


def employer_to_domain(record: EmployerRecord) -> Employer:
    """The domain employer; ``locality_id`` is empty when the employer has none on file."""
    return Employer(
        employer_id=str(record.id),
        name=record.name,
        locality_id=record.locality_id or "",
        sector=record.sector or "other",
    )


def vacancy_to_domain(record: VacancyRecord) -> Vacancy:
    """The domain vacancy; ``posts`` counts only the posts not yet reserved."""
    values = {c: getattr(record, c) for c in _VACANCY_COLUMNS}
    values["posts"] = max(1, record.posts - record.posts_reserved)
    return _vacancy_from_values(values, str(record.id))


def home_to_domain(record: HomeRecord) -> Home:
    values = {c: getattr(record, c) for c in _HOME_COLUMNS}
    return _home_from_values(values, str(record.id))


def capacity_to_domain(
    record: LocalityCapacityRecord, reference: ReferenceData
) -> LocalityCapacity:
    """The domain capacity (seats still free) joined with the locality's reference services."""
    values = {
        "kindergarten_seats": max(0, record.kindergarten_seats - record.kindergarten_reserved),
        "school_seats": max(0, record.school_seats - record.school_reserved),
        "land_plots": max(0, record.land_plots - record.land_plots_reserved),
        "accommodation_beds": max(
            0, record.accommodation_beds - (record.accommodation_beds_reserved or 0)
        ),
    }
    return _capacity_from_values(values, record.locality_id, reference)


_VACANCY_COLUMNS = (
    "employer_id", "locality_id", "occupation", "wage_tenge", "required_education",
    "required_licences", "required_skills", "permanent", "posts", "employer_housing",
    "qualified", "sector",
)  # fmt: skip
_HOME_COLUMNS = (
    "locality_id", "kind", "rooms", "capacity_persons", "rent_tenge", "price_tenge",
    "condition", "heating", "piped_water", "accessible", "employer_id",
)  # fmt: skip
