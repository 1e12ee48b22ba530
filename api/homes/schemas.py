"""Request and response bodies for homes and locality capacities (typed; values checked by the domain)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import ExternalId, StrictBody, UtcDateTime


class HomeIn(StrictBody):
    external_id: str = ExternalId
    locality_id: str = Field(max_length=64)
    kind: str = Field(max_length=20, examples=["rental"])
    rooms: int
    capacity_persons: int
    rent_tenge: int | None = None
    price_tenge: int | None = None
    condition: int = 3
    heating: str = Field(default="central", max_length=10)
    piped_water: bool = True
    accessible: bool = False
    employer_external_id: str | None = Field(default=None, max_length=64)
    units: int = 1
    status: str = Field(default="open", max_length=8)


class HomePatch(StrictBody):
    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    locality_id: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=20)
    rooms: int | None = None
    capacity_persons: int | None = None
    rent_tenge: int | None = None
    price_tenge: int | None = None
    condition: int | None = None
    heating: str | None = Field(default=None, max_length=10)
    piped_water: bool | None = None
    accessible: bool | None = None
    employer_external_id: str | None = Field(default=None, max_length=64)
    units: int | None = None
    status: str | None = Field(default=None, max_length=8)


class HomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    locality_id: str
    region_code: str
    kind: str
    rooms: int
    capacity_persons: int
    rent_tenge: int | None
    price_tenge: int | None
    condition: int
    heating: str
    piped_water: bool
    accessible: bool
    employer_id: int | None
    units: int
    units_reserved: int
    status: str
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None


class CapacityIn(StrictBody):
    kindergarten_seats: int = 0
    school_seats: int = 0
    land_plots: int = 0
    accommodation_beds: int = 0


class CapacityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    locality_id: str
    kindergarten_seats: int
    school_seats: int
    land_plots: int
    accommodation_beds: int
    kindergarten_reserved: int
    school_reserved: int
    land_plots_reserved: int
    accommodation_beds_reserved: int
    updated_at: UtcDateTime | None
