"""A valid run request → the :class:`~matching.allocation.AllocationInstance` to solve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from api.allocation.usage import capacity_left, quotas_left
from api.applicants.service import with_declines
from api.matches.service import ACTIVE_HOUSEHOLD_STATUSES, load_catalogue, load_households
from api.retention import service as retention
from matching.allocation import (
    AllocationConfig,
    AllocationInstance,
    FairnessRule,
    build_instance,
)
from matching.allocation.capacity_kinds import kinds
from matching.allocation.whatif import Scenario, apply_scenario
from matching.programme.geography import ReferenceData
from matching.programme.support import SupportParameters, relocation_and_rent_tenge
from matching.ranking import MatchIndex
from matching.scoring.features import HouseholdFrame
from matching.scoring.similarity import OccupationSpace
from matching.scoring.weights import default_config
from matching.text import msg

NO_HOUSEHOLDS = msg("allocation_service.batch.no_households")


class EmptyBatch(ValueError):
    """No waiting household matches the request's filters."""


@dataclass(frozen=True)
class Batch:
    """A batch ready to solve, with what the job needs to store its results."""

    instance: AllocationInstance
    movers: pl.DataFrame
    index: MatchIndex
    external_ids: dict[str, str]
    options: pl.DataFrame


def _household_table(
    frames_households: pl.DataFrame, refusals: list[dict[str, Any]]
) -> pl.DataFrame:
    refused = (
        pl.DataFrame(
            {
                "household_id": [str(r["household_id"]) for r in refusals],
                "region": [str(r["region_code"]) for r in refusals],
            }
        )
        .group_by("household_id")
        .agg(pl.col("region").alias("refused_regions"))
        if refusals
        else pl.DataFrame(schema={"household_id": pl.Utf8, "refused_regions": pl.List(pl.Utf8)})
    )
    return (
        frames_households.select(
            "household_id",
            "category",
            "origin_region",
            # Days since 1970: smaller is earlier, as build_instance expects.
            pl.col("application_date").cast(pl.Int64).alias("application_day"),
            pl.col("category").alias("group"),
        )
        .join(refused, on="household_id", how="left")
        .with_columns(pl.col("refused_regions").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))))
    )


def _rules(request: dict[str, Any], household_key: str) -> pl.DataFrame | None:
    rows = request.get(household_key) or []
    if not rows:
        return None
    return pl.DataFrame(
        {
            "household_id": [str(r["household_id"]) for r in rows],
            "locality_id": [str(r["locality_id"]) for r in rows],
        }
    )


def _other_supply(
    session: Session, built: dict[str, pl.DataFrame], region_codes: list[str] | None
) -> dict[str, pl.DataFrame]:
    """Supply tables of registered kinds the catalogue does not build, read as capacity left
    in their reservation tables (kinds sharing a table are joined on its key)."""
    out: dict[str, pl.DataFrame] = {}
    for kind in kinds():
        if kind.supply.table in built:
            continue
        left = capacity_left(session, kind, region_codes)
        if left is None or kind.reservation is None:
            continue
        name, keys = kind.supply.table, list(kind.reservation.key)
        if name in out:
            left = out[name].join(
                left.select(*keys, kind.supply.capacity[0]), on=keys, how="full", coalesce=True
            )
        out[name] = left
    return out


def build_batch(
    session: Session,
    reference: ReferenceData,
    request: dict[str, Any],
    *,
    support: SupportParameters | None = None,
    space: OccupationSpace | None = None,
    retention_weights: Path | None = None,
) -> Batch:
    """The allocation instance of a (validated) run request, from the live tables.

    Options are scored as the matches are: with the active retention model where the
    programme version's weight (``retention_weights``) is above 0.
    """
    year = int(request["year"])
    frames = load_households(
        session,
        ids=request.get("household_ids") or None,
        statuses=ACTIVE_HOUSEHOLD_STATUSES,
        region_codes=request.get("origin_region_codes") or None,
        categories=request.get("categories") or None,
    )
    if frames.households.height == 0:
        raise EmptyBatch(NO_HOUSEHOLDS.en)
    cat = load_catalogue(session, reference, region_codes=request.get("region_codes") or None)
    # Region roles, rent bands and the certificate of the batch's year and programme version.
    config = retention.with_active_model(
        session, default_config(None, year, reference=reference, support=support), retention_weights
    )
    index = MatchIndex(
        cat.vacancies, cat.homes, cat.localities, network=cat.network, config=config, space=space
    )
    index.set_households(
        HouseholdFrame.from_frames(
            frames.households, frames.members, frames.experience, space=index.space
        )
    )
    k = int(request.get("options_per_household") or 10)
    options = index.options_for_households(top_per_household=k)
    budgets = None
    if request.get("budgets") and support is not None:
        urban = options.join(
            cat.localities.select("locality_id", "is_urban"), on="locality_id", how="left"
        )["is_urban"].fill_null(False)
        tenge = relocation_and_rent_tenge(
            support, options["persons"].to_numpy().clip(1), urban.to_numpy(), year
        )
        options = options.with_columns(support_tenge=pl.Series(tenge, dtype=pl.Int64))
        budgets = pl.DataFrame(
            {
                "region_code": [b["region_code"] for b in request["budgets"]],
                "budget_tenge": [int(b["budget_tenge"]) for b in request["budgets"]],
            }
        )
    localities = cat.localities.select("locality_id", "region_code", "settlement_type").join(
        cat.locality_caps, on="locality_id", how="left"
    )
    # The supply tables by the names the capacity kinds read them under.
    supply: dict[str, pl.DataFrame] = {
        "localities": localities,
        "homes": cat.home_units,
        "vacancies": cat.vacancies.select("vacancy_id", "posts"),
        "quotas": quotas_left(session, year, request.get("quotas") or []),
    }
    if budgets is not None:
        supply["budgets"] = budgets
    supply.update(_other_supply(session, supply, request.get("region_codes") or None))
    instance = build_instance(
        _household_table(frames.households, request.get("refusals") or []),
        options,
        localities=localities,
        locks=_rules(request, "locks"),
        # An applicant's decline on the pages is a ban of that locality in every later batch.
        bans=with_declines(session, _rules(request, "bans"), frames.households["household_id"]),
        tables=supply,
    )
    overrides = {
        (c["kind"], str(c["key"])): int(c["capacity"]) for c in request.get("capacities") or []
    }
    if overrides:
        instance = apply_scenario(instance, Scenario(name="request", capacities=overrides))
    return Batch(instance, cat.network, index, frames.external_ids, options)


def config_of(request: dict[str, Any], movers: pl.DataFrame | None) -> AllocationConfig:
    return AllocationConfig(
        time_limit=float(request.get("time_limit") or 30.0),
        deterministic=bool(request.get("deterministic", True)),
        seed=int(request.get("seed") or 0),
        fairness=tuple(
            FairnessRule(f["group"], f["kind"], float(f["threshold"]))
            for f in request.get("fairness") or []
        ),
        earlier_movers=movers,
    )
