"""The capacity-kind registry: shipped kinds are complete, and a kind added in one place
(here a toy "clinic places" kind registered by this test alone) flows through build, solve
and the reasons."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest

from matching.allocation import AllocationConfig, allocate, build_instance
from matching.allocation import reasons as R
from matching.allocation.capacity_kinds import (
    CapacityKind,
    Reservation,
    Supply,
    Use,
    capacity_kind,
    kinds,
    register,
    unregister,
)
from matching.text import LANGS, Text
from matching.text.catalogue import catalogue

CLINIC = "clinic_places"


@pytest.fixture
def clinic_kind() -> Iterator[CapacityKind]:
    kind = register(
        CapacityKind(
            CLINIC,
            Supply("clinics", pl.col("locality_id"), ("places",)),
            (Use(pl.col("locality_id"), pl.col("clinic_visits")),),
            shortage=Text(
                kk="{label}: емханада орын жоқ",
                ru="{label}: в поликлинике нет мест",
                en="{label}: no clinic places left",
            ),
            reservation=Reservation(
                "clinics", ("locality_id",), "places", "places_reserved", ("locality_id",),
                "clinic_visits",
            ),  # fmt: skip
        )
    )
    yield kind
    unregister(CLINIC)


def _batch() -> tuple[pl.DataFrame, pl.DataFrame]:
    households = pl.DataFrame({"household_id": ["H1", "H2"]})
    options = pl.DataFrame(
        {
            "household_id": ["H1", "H2"],
            "option_id": ["O1", "O2"],
            "locality_id": ["L1", "L1"],
            "region_code": ["39", "39"],
            "home_id": ["h1", "h2"],
            "vacancy_id": ["v1", "v2"],
            "second_vacancy_id": [None, None],
            "score": [0.9, 0.8],
            "persons": [2, 2],
            "children_0_5": [0, 0],
            "children_6_17": [0, 0],
            "clinic_visits": [2, 2],
        },
        schema_overrides={"second_vacancy_id": pl.Utf8},
    )
    return households, options


def test_every_shipped_kind_is_registered_with_a_complete_shortage_text() -> None:
    codes = [k.code for k in kinds()]
    assert set(R.RESOURCE_KINDS) <= set(codes)
    for code in R.RESOURCE_KINDS:
        kind = capacity_kind(code)
        assert isinstance(kind.shortage, str) and kind.shortage in catalogue()
        text = kind.shortage_text("X")
        assert all(text.get(lang).startswith("X: ") for lang in LANGS)
    # Shortages are named quotas first, as the reasons always did.
    order = sorted(R.RESOURCE_KINDS, key=lambda c: capacity_kind(c).precedence)
    assert order == list(R.RESOURCE_KINDS)


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(capacity_kind(R.HOME))
    with pytest.raises(KeyError, match="no capacity kind"):
        capacity_kind("heating_season_beds")


def test_a_toy_kind_flows_through_build_solve_and_reasons(clinic_kind: CapacityKind) -> None:
    households, options = _batch()
    clinics = pl.DataFrame({"locality_id": ["L1"], "region_code": ["39"], "places": [3]})

    inst = build_instance(households, options, tables={"clinics": clinics})
    row = inst.resources.filter(pl.col("kind") == CLINIC)
    assert row.select("key", "capacity", "region_code").rows() == [("L1", 3, "39")]
    assert inst.usage.toarray()[:, inst.resources["kind"].to_list().index(CLINIC)].tolist() == [2, 2]

    res = allocate(inst, AllocationConfig(deterministic=True, time_limit=5))
    assert res.placements["household_id"].to_list() == ["H1"]  # the better fit takes the places
    out = res.unplaced.row(0, named=True)
    assert (out["household_id"], out["reason"], out["resource_key"]) == ("H2", CLINIC, "L1")
    assert out["text_en"] == "L1: no clinic places left"
    assert out["text_kk"] == "L1: емханада орын жоқ"
    # The commit's side is data for the service to apply: which column, by which amount.
    assert clinic_kind.reservation is not None
    assert clinic_kind.reservation.reserved == "places_reserved"


def test_a_kind_states_a_known_scope() -> None:
    home = capacity_kind(R.HOME)
    assert (home.scope, capacity_kind(R.QUOTA_PERSONS).scope) == ("item", "region")
    with pytest.raises(ValueError, match="scope"):
        CapacityKind("x", home.supply, home.uses, home.shortage, scope="district")


def test_without_its_supply_table_the_toy_kind_does_not_constrain(
    clinic_kind: CapacityKind,
) -> None:
    households, options = _batch()
    inst = build_instance(households, options)
    assert CLINIC not in inst.resources["kind"].to_list()
    res = allocate(inst, AllocationConfig(deterministic=True, time_limit=5))
    assert sorted(res.placements["household_id"].to_list()) == ["H1", "H2"]
