"""Lookups that answer with a problem when the thing asked for does not exist."""

from __future__ import annotations

import datetime as dt

from fastapi import Request

from api.core.problems import ProblemException
from matching.programme.geography import (
    AmbiguousRegionError,
    ReferenceData,
    Region,
    UnknownProgrammeVersionError,
    UnknownRegionError,
)
from matching.text import Text

UNKNOWN_LOCALITY = Text(
    kk="«{id}» елді мекені табылмады.",
    ru="Населённый пункт «{id}» не найден.",
    en="Locality '{id}' was not found.",
)


def reference_of(request: Request) -> ReferenceData:
    reference: ReferenceData = request.app.state.reference
    return reference


def region_or_problem(reference: ReferenceData, key: str, *, loc: list[str | int]) -> Region:
    """The region ``key`` names; 404 when nothing matches, 409 listing candidates when several do."""
    try:
        return reference.region(key)
    except UnknownRegionError as exc:
        raise ProblemException(
            404,
            exc.text,
            type_="/problems/unknown-region",
            errors=[{"loc": loc, "msg": "unknown region", "type": "unknown_region"}],
        ) from exc
    except AmbiguousRegionError as exc:
        raise ProblemException(
            409,
            exc.text,
            type_="/problems/ambiguous-region",
            errors=[
                {"loc": loc, "msg": f"candidate {r.code}: {r.name_en}", "type": "ambiguous_region"}
                for r in exc.candidates
            ],
        ) from exc


def regions_with_role_or_problem(
    reference: ReferenceData, programme_version: str | None, role: str | None
) -> set[str]:
    """Codes of the regions with ``role`` (or any role) in a programme version.

    Without a version, the documented default for the current year is used — the same rule
    the matching engine follows (``ReferenceData.default_programme_version``).
    """
    try:
        version = (
            programme_version
            or reference.default_programme_version(dt.date.today().year).programme_version
        )
        roles = ("origin", "destination") if role is None else (role,)
        return {r.code for one in roles for r in reference.regions_with_role(version, one)}  # type: ignore[arg-type]
    except UnknownProgrammeVersionError as exc:
        raise ProblemException(
            404,
            exc.text,
            type_="/problems/unknown-programme-version",
            errors=[
                {
                    "loc": ["query", "programme_version"],
                    "msg": "unknown programme version",
                    "type": "unknown",
                }
            ],
        ) from exc
