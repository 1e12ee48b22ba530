"""Employers and vacancies: between stored rows, client input and matching.domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.core.validation import (
    OPEN_CLOSED,
    FieldError,
    build_domain,
    choice,
    given,
    resolve_locality,
    resolve_region,
    trilingual,
)
from api.models import EmployerRecord, VacancyRecord
from matching.domain import Employer, Vacancy
from matching.programme.geography import ReferenceData

_VACANCY_KEYWORDS = (
    ("required education", "required_education"),
    ("licence", "required_licences"),
    ("wage", "wage_tenge"),
    ("posts", "posts"),
)
_NEED_REGION = trilingual(
    "өңір немесе елді мекен көрсетілуі керек",
    "нужно указать регион или населённый пункт",
    "a region or a locality is required",
)
_NEGATIVE = trilingual(
    "теріс бола алмайды ({value})",
    "не может быть отрицательным ({value})",
    "cannot be negative ({value})",
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
                    trilingual(
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
        "posts": int(given(data, "posts", 1)),
        "employer_housing": bool(data.get("employer_housing", False)),
        "qualified": bool(data.get("qualified", True)),
        "status": choice(data.get("status") or "open", OPEN_CLOSED, ("status",)),
    }
    if values["min_experience_years"] < 0:
        raise FieldError(
            ("min_experience_years",), _NEGATIVE.format(value=values["min_experience_years"])
        )
    build_domain(lambda: _vacancy_from_values(values, "0"), (), _VACANCY_KEYWORDS)
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


_VACANCY_COLUMNS = (
    "employer_id", "locality_id", "occupation", "wage_tenge", "required_education",
    "required_licences", "required_skills", "permanent", "posts", "employer_housing",
    "qualified", "sector",
)  # fmt: skip
