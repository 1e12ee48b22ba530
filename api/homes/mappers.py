"""Homes and locality capacities: between stored rows, client input and matching.domain objects."""

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
    trilingual,
)
from api.models import HomeRecord, LocalityCapacityRecord
from matching.domain import Home, LocalityCapacity
from matching.programme.geography import ReferenceData

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
_RESERVED_ABOVE = trilingual(
    "брондалғаннан ({reserved}) аз бола алмайды",
    "не может быть меньше уже зарезервированного ({reserved})",
    "cannot be below what is already reserved ({reserved})",
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
        "condition": int(given(data, "condition", 3)),
        "heating": data.get("heating") or "central",
        "piped_water": bool(data.get("piped_water", True)),
        "accessible": bool(data.get("accessible", False)),
        "employer_id": employer_id,
        "units": int(given(data, "units", 1)),
        "status": choice(data.get("status") or "open", OPEN_CLOSED, ("status",)),
    }
    if values["units"] < 1:
        raise FieldError(("units",), trilingual("кемінде 1", "не меньше 1", "must be at least 1"))
    build_domain(lambda: _home_from_values(values, "0"), (), _HOME_KEYWORDS)
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
    build_domain(
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


_HOME_COLUMNS = (
    "locality_id", "kind", "rooms", "capacity_persons", "rent_tenge", "price_tenge",
    "condition", "heating", "piped_water", "accessible", "employer_id",
)  # fmt: skip
