"""What a destination locality can take this round: kindergarten and school seats, plots, beds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import insert, update

from api.audit import service as audit
from api.auth.service import Principal, require_roles
from api.core.deps import SessionDep
from api.core.lookups import UNKNOWN_LOCALITY, reference_of
from api.core.problems import ProblemException, problem_responses
from api.core.validation import FieldError, resolve_locality
from api.homes.mappers import validate_capacity
from api.homes.repository import capacity_of
from api.homes.schemas import CapacityIn, CapacityOut
from api.models import LocalityCapacityRecord
from matching.text import Text

router = APIRouter(prefix="/localities", tags=["capacities"])

STAFF = require_roles("admin", "planner", "centre")

NO_CAPACITY = Text(
    kk="«{id}» елді мекенінің сыйымдылығы әлі енгізілмеген.",
    ru="Ёмкость населённого пункта «{id}» ещё не задана.",
    en="No capacity has been recorded for locality '{id}' yet.",
)


def _region(request: Request, locality_id: str) -> str:
    try:
        return resolve_locality(reference_of(request), locality_id, ("locality_id",))
    except FieldError:
        raise ProblemException(
            404, UNKNOWN_LOCALITY.format(id=locality_id), type_="/problems/unknown-locality"
        ) from None


@router.put(
    "/{locality_id}/capacity",
    response_model=CapacityOut,
    responses=problem_responses(401, 403, 404, 422),
)
def put_capacity(
    request: Request,
    session: SessionDep,
    body: CapacityIn,
    locality_id: Annotated[str, Path(max_length=64)],
    principal: Principal = STAFF,
) -> CapacityOut:
    """Set the seats, plots and beds a locality offers (reservations are kept)."""
    region_code = _region(request, locality_id)
    principal.ensure_region(region_code)
    current = capacity_of(session, locality_id)
    before = None if current is None else CapacityOut.model_validate(current)
    reserved = (
        {
            "kindergarten_reserved": current.kindergarten_reserved,
            "school_reserved": current.school_reserved,
            "land_plots_reserved": current.land_plots_reserved,
            "accommodation_beds_reserved": current.accommodation_beds_reserved,
        }
        if current
        else None
    )
    try:
        values = validate_capacity(
            locality_id, body.model_dump(), reference_of(request), reserved=reserved
        )
    except FieldError as exc:
        raise exc.as_problem() from None
    if current is None:
        session.execute(insert(LocalityCapacityRecord).values(**values))
    else:
        session.execute(
            update(LocalityCapacityRecord)
            .where(LocalityCapacityRecord.locality_id == locality_id)
            .values(**values)
        )
    audit.record(
        session, principal, "put", "capacity", locality_id, before=before,
        after=CapacityOut.model_validate(capacity_of(session, locality_id)),
        region_code=region_code,
    )  # fmt: skip
    session.commit()
    session.expunge_all()
    record = capacity_of(session, locality_id)
    assert record is not None
    return CapacityOut.model_validate(record)


@router.get(
    "/{locality_id}/capacity",
    response_model=CapacityOut,
    responses=problem_responses(401, 403, 404),
)
def get_capacity(
    request: Request,
    session: SessionDep,
    locality_id: Annotated[str, Path(max_length=64)],
    principal: Principal = STAFF,
) -> CapacityOut:
    """The capacity recorded for a locality, with what is already reserved."""
    principal.ensure_region(_region(request, locality_id))
    record = capacity_of(session, locality_id)
    if record is None:
        raise ProblemException(
            404, NO_CAPACITY.format(id=locality_id), type_="/problems/no-capacity"
        )
    return CapacityOut.model_validate(record)
