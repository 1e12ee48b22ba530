"""Lookups that answer with a problem when the thing asked for does not exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.models import RegionRecord
from api.problems import ProblemException
from api.repositories import find_region
from matching.text import Text

UNKNOWN_REGION = Text(
    kk="«{key}» деген облыс немесе қала табылмады.",
    ru="Регион «{key}» не найден.",
    en="No region or city matches '{key}'.",
)
AMBIGUOUS_REGION = Text(
    kk="«{key}» бірнеше бірлікке сәйкес келеді: {options}. Кодты көрсетіңіз.",
    ru="«{key}» соответствует нескольким единицам: {options}. Укажите код.",
    en="'{key}' matches several units: {options}. Give the code.",
)


def region_or_problem(session: Session, key: str, *, loc: list[str | int]) -> RegionRecord:
    """The region ``key`` names; 404 when nothing matches, 409 listing candidates when several do."""
    found = find_region(session, key)
    if found.region is not None:
        return found.region
    if not found.candidates:
        raise ProblemException(
            404,
            UNKNOWN_REGION.format(key=key),
            type_="/problems/unknown-region",
            errors=[{"loc": loc, "msg": "unknown region", "type": "unknown_region"}],
        )
    options = ", ".join(f"{r.code} ({r.name_en})" for r in found.candidates)
    raise ProblemException(
        409,
        AMBIGUOUS_REGION.format(key=key, options=options),
        type_="/problems/ambiguous-region",
        errors=[
            {"loc": loc, "msg": f"candidate {r.code}: {r.name_en}", "type": "ambiguous_region"}
            for r in found.candidates
        ],
    )
