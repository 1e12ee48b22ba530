"""The state support package a household would receive in a destination locality."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator

from api.core.deps import LangDep, SessionDep
from api.core.lookups import UNKNOWN_LOCALITY
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import StrictBody
from api.models import LocalityRecord
from matching.programme.support import SupportPackage, estimate_support
from matching.text import Text

router = APIRouter(prefix="/support", tags=["support"])


class SupportRequest(StrictBody):
    household_size: Annotated[
        int, Field(ge=1, le=20, description="Persons moving, the applicant included.")
    ]
    year: Annotated[int, Field(ge=2017, le=2035)]
    locality_id: Annotated[
        str | None, Field(max_length=64, description="Destination locality (sets urban/rural).")
    ] = None
    is_urban: Annotated[
        bool | None, Field(description="Urban or rural scale, when no locality is given.")
    ] = None
    programme_version: Annotated[str | None, Field(max_length=40)] = None
    hired_members: Annotated[
        int, Field(ge=0, le=20, description="Members hired by an employer under the programme.")
    ] = 0
    employer_provides_housing: bool = False
    employment_permanent: bool = True
    home_price_tenge: Annotated[
        int | None, Field(ge=0, description="Price of a home bought with the housing certificate.")
    ] = None

    @model_validator(mode="after")
    def _place_given(self) -> SupportRequest:
        if self.locality_id is None and self.is_urban is None:
            raise ValueError("give locality_id or is_urban")
        if self.hired_members > self.household_size:
            raise ValueError("hired_members cannot exceed household_size")
        return self


class SupportLineOut(BaseModel):
    code: str
    label: str
    mci: float | None
    tenge: int
    basis: str
    paid_to: str


class SupportOut(BaseModel):
    year: int
    programme_version: str
    mci_tenge: int
    is_urban: bool
    household_size: int
    lines: list[SupportLineOut]
    total_household_tenge: int
    total_employer_tenge: int


def _package_out(pkg: SupportPackage, *, is_urban: bool, size: int, lang: str) -> SupportOut:
    return SupportOut(
        year=pkg.year,
        programme_version=pkg.programme_version,
        mci_tenge=int(pkg.mci_tenge),
        is_urban=is_urban,
        household_size=size,
        lines=[
            SupportLineOut(
                code=line.code,
                label=line.label.get(lang),
                mci=line.mci,
                tenge=int(line.tenge),
                basis=line.basis.get(lang),
                paid_to=line.paid_to,
            )
            for line in pkg.lines
        ],
        total_household_tenge=int(pkg.total_household_tenge),
        total_employer_tenge=int(pkg.total_employer_tenge),
    )


@router.post("/estimate", response_model=SupportOut, responses=problem_responses(404, 422))
def estimate(
    body: SupportRequest, session: SessionDep, lang: LangDep, request: Request
) -> SupportOut:
    """Itemized support in tenge for a household size, destination, year and programme version."""
    is_urban = body.is_urban
    if body.locality_id is not None:
        loc = session.get(LocalityRecord, body.locality_id)
        if loc is None:
            raise ProblemException(
                404,
                UNKNOWN_LOCALITY.format(id=body.locality_id),
                type_="/problems/unknown-locality",
                errors=[
                    {
                        "loc": ["body", "locality_id"],
                        "msg": "unknown locality",
                        "type": "unknown_locality",
                    }
                ],
            )
        is_urban = loc.is_urban
    assert is_urban is not None
    try:
        pkg = estimate_support(
            request.app.state.support_parameters,
            household_size=body.household_size,
            is_urban=is_urban,
            year=body.year,
            programme_version=body.programme_version,
            hired_members=body.hired_members,
            employer_provides_housing=body.employer_provides_housing,
            employment_permanent=body.employment_permanent,
            home_price_tenge=body.home_price_tenge,
        )
    except ValueError as exc:
        message = getattr(exc, "text", None)
        detail = message if isinstance(message, Text) else str(exc)
        raise ProblemException(
            422, detail, errors=[{"loc": ["body"], "msg": str(exc), "type": "unsupported"}]
        ) from exc
    return _package_out(pkg, is_urban=is_urban, size=body.household_size, lang=lang)
