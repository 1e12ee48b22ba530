"""The CLI's JSON report groups fill by each capacity kind's scope, not by a list of names."""

from __future__ import annotations

import polars as pl

from api.allocation.report import report
from matching.allocation import AllocationConfig, allocate, build_instance
from matching.allocation.capacity_kinds import CapacityKind, kinds
from tests.matching.allocation.test_capacity_kinds import CLINIC, _batch, clinic_kind

__all__ = ["clinic_kind"]  # the fixture, used by name below


def test_a_registered_kind_shows_in_the_fill_of_its_scope(clinic_kind: CapacityKind) -> None:
    households, options = _batch()
    clinics = pl.DataFrame({"locality_id": ["L1"], "region_code": ["39"], "places": [3]})
    quotas = pl.DataFrame(
        {"region_code": ["39"], "category": ["general"], "persons": [10], "families": [5]}
    )
    inst = build_instance(households, options, tables={"clinics": clinics, "quotas": quotas})
    full = report(allocate(inst, AllocationConfig(deterministic=True, time_limit=5)))
    locality_kinds = {row["kind"] for row in full["fill_localities"]}
    region_kinds = {row["kind"] for row in full["fill_regions"]}
    assert CLINIC in locality_kinds and CLINIC not in region_kinds
    assert region_kinds and region_kinds <= {k.code for k in kinds() if k.scope == "region"}
    assert not (locality_kinds | region_kinds) & {k.code for k in kinds() if k.scope == "item"}
