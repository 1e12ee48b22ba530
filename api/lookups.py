"""Lookups that answer with a problem when the thing asked for does not exist."""

from __future__ import annotations

from fastapi import Request

from api.problems import ProblemException
from matching.reference import AmbiguousRegionError, ReferenceData, Region, UnknownRegionError


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
