"""Allocation runs from the database: the batch, the job that solves it, what is stored.

A run request (the JSON a planner posts, kept on the run as ``scenario``) names a year, the
households to consider and the what-if changes (quota and capacity overrides, locks, bans,
refusals, budgets, fairness floors). :func:`validate_request` checks all of it against the
reference data and the database and returns *every* problem; :func:`build_batch` turns a valid
request into an :class:`~matching.allocation.AllocationInstance`; :func:`run_allocation_job`
is the job handler that solves it and stores placements, summary and snapshot.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from api.allocation_report import fill_by, summary
from api.applicants.service import with_declines
from api.frames import ACTIVE_HOUSEHOLD_STATUSES, load_catalogue, load_households
from api.jobs import JobContext, JobFailed
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    HouseholdRecord,
    LocalityRecord,
    PlacementRecord,
    QuotaRecord,
)
from matching.allocation import (
    AllocationConfig,
    AllocationInstance,
    AllocationResult,
    FairnessRule,
    allocate,
    build_instance,
)
from matching.allocation import reasons as R
from matching.allocation.instance import LockConflict
from matching.allocation.whatif import Scenario, apply_scenario
from matching.ranking import MatchIndex
from matching.reference import ReferenceData
from matching.scoring.features import HouseholdFrame
from matching.scoring.similarity import OccupationSpace
from matching.scoring.weights import default_config
from matching.support import SupportParameters, relocation_and_rent_tenge
from matching.text import Text

CATEGORIES = ("resettler", "kandas")
FAIRNESS_KINDS = ("placement_rate", "average_score")
TIME_LIMIT_RANGE = (1.0, 600.0)
OPTIONS_RANGE = (1, 50)
YEAR_RANGE = (2017, 2100)
# Score breakdowns are stored for at most this many placed households of a run: enough for
# any commission sitting, bounded so a national batch does not write gigabytes of JSON.
MAX_EXPLAINED = 2000
CAPACITY_KINDS = tuple(k for k in R.RESOURCE_KINDS)

NOT_VALID = Text(
    kk="Бөлу сұрауында {n} қате бар.",
    ru="В запросе на распределение ошибок: {n}.",
    en="The allocation request has {n} problem(s).",
)
NO_HOUSEHOLDS = Text(
    kk="Сүзгілерге сәйкес келетін күтудегі отбасы жоқ.",
    ru="Нет ожидающих семей, подходящих под фильтры.",
    en="No waiting household matches the filters.",
)
RUN_GONE = Text(
    kk="Бөлу нұсқасы табылмады.",
    ru="Вариант распределения не найден.",
    en="The allocation run no longer exists.",
)


def _error(loc: list[str | int], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg, "type": type_}


def validate_request(
    session: Session, reference: ReferenceData, request: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every problem of a run request (empty when it can run).

    Checks ranges (year, time limit, options per household), region codes, categories,
    localities and households named in locks, bans and refusals, quota and capacity values.
    """
    errors: list[dict[str, Any]] = []
    regions = {r.code for r in reference.regions}
    localities = {loc.id for loc in reference.all_localities}

    def check_range(name: str, lo: float, hi: float) -> None:
        value = request.get(name)
        if value is not None and not (lo <= value <= hi):
            errors.append(_error([name], f"{name} must be between {lo:g} and {hi:g}", "range"))

    check_range("year", *YEAR_RANGE)
    check_range("time_limit", *TIME_LIMIT_RANGE)
    check_range("options_per_household", *OPTIONS_RANGE)
    for field in ("region_codes", "origin_region_codes"):
        for i, code in enumerate(request.get(field) or []):
            if code not in regions:
                errors.append(_error([field, i], f"unknown region {code!r}", "unknown_region"))
    for i, cat in enumerate(request.get("categories") or []):
        if cat not in CATEGORIES:
            errors.append(_error(["categories", i], f"unknown category {cat!r}", "category"))
    for i, q in enumerate(request.get("quotas") or []):
        if q.get("region_code") not in regions:
            errors.append(
                _error(
                    ["quotas", i, "region_code"],
                    f"unknown region {q.get('region_code')!r}",
                    "unknown_region",
                )
            )
        if q.get("category") not in CATEGORIES:
            errors.append(
                _error(
                    ["quotas", i, "category"], f"unknown category {q.get('category')!r}", "category"
                )
            )
        for key in ("persons", "families"):
            value = q.get(key)
            if value is not None and value < 0:
                errors.append(
                    _error(["quotas", i, key], f"quota {key} is negative: {value}", "negative")
                )
    for i, c in enumerate(request.get("capacities") or []):
        if c.get("kind") not in CAPACITY_KINDS:
            errors.append(
                _error(
                    ["capacities", i, "kind"],
                    f"unknown capacity kind {c.get('kind')!r}; one of {', '.join(CAPACITY_KINDS)}",
                    "capacity_kind",
                )
            )
        if c.get("capacity") is not None and c["capacity"] < 0:
            errors.append(
                _error(
                    ["capacities", i, "capacity"],
                    f"capacity is negative: {c['capacity']}",
                    "negative",
                )
            )
    for i, b in enumerate(request.get("budgets") or []):
        if b.get("region_code") not in regions:
            errors.append(
                _error(
                    ["budgets", i, "region_code"],
                    f"unknown region {b.get('region_code')!r}",
                    "unknown_region",
                )
            )
        if (b.get("budget_tenge") or 0) < 0:
            errors.append(_error(["budgets", i, "budget_tenge"], "budget is negative", "negative"))
    for i, f in enumerate(request.get("fairness") or []):
        if f.get("kind") not in FAIRNESS_KINDS:
            errors.append(
                _error(
                    ["fairness", i, "kind"],
                    f"unknown fairness kind {f.get('kind')!r}",
                    "fairness_kind",
                )
            )
        if not 0 <= (f.get("threshold") or 0) <= 1:
            errors.append(
                _error(["fairness", i, "threshold"], "threshold must be in [0, 1]", "range")
            )
    named: dict[int, list[list[str | int]]] = {}
    for i, h in enumerate(request.get("household_ids") or []):
        named.setdefault(int(h), []).append(["household_ids", i])
    for field, key in (
        ("locks", "locality_id"),
        ("bans", "locality_id"),
        ("refusals", "region_code"),
    ):
        for i, row in enumerate(request.get(field) or []):
            named.setdefault(int(row["household_id"]), []).append([field, i, "household_id"])
            value = row.get(key)
            known = regions if key == "region_code" else localities
            if value not in known:
                what = "region" if key == "region_code" else "locality"
                errors.append(
                    _error([field, i, key], f"unknown {what} {value!r}", f"unknown_{what}")
                )
    if named:
        wanted = sorted(named)
        found: set[int] = set()
        for start in range(0, len(wanted), 5000):  # stay under the drivers' parameter limits
            chunk = wanted[start : start + 5000]
            found |= set(
                session.scalars(select(HouseholdRecord.id).where(HouseholdRecord.id.in_(chunk)))
            )
        for hid in sorted(set(named) - found):
            for loc in named[hid]:
                errors.append(_error(loc, f"unknown household {hid}", "unknown_household"))
    return errors


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


def committed_usage(session: Session, year: int) -> pl.DataFrame:
    """Persons and families already committed per region and category for ``year``."""
    rows = session.execute(
        select(
            LocalityRecord.region_code,
            HouseholdRecord.category,
            func.coalesce(func.sum(DecisionRecord.persons), 0),
            func.count(DecisionRecord.id),
        )
        .join(AllocationRunRecord, AllocationRunRecord.id == DecisionRecord.run_id)
        .join(LocalityRecord, LocalityRecord.id == DecisionRecord.locality_id)
        .join(HouseholdRecord, HouseholdRecord.id == DecisionRecord.household_id)
        .where(AllocationRunRecord.year == year)
        .group_by(LocalityRecord.region_code, HouseholdRecord.category)
    ).all()
    return pl.DataFrame(
        [(r[0], r[1], int(r[2]), int(r[3])) for r in rows],
        schema={
            "region_code": pl.Utf8,
            "category": pl.Utf8,
            "used_persons": pl.Int64,
            "used_families": pl.Int64,
        },
        orient="row",
    )


def quotas_left(session: Session, year: int, overrides: list[dict[str, Any]]) -> pl.DataFrame:
    """Quotas of ``year`` (request overrides replace rows) minus what is already committed."""
    rows = session.execute(
        select(
            QuotaRecord.region_code, QuotaRecord.category, QuotaRecord.persons, QuotaRecord.families
        ).where(QuotaRecord.year == year)
    ).all()
    schema = {
        "region_code": pl.Utf8,
        "category": pl.Utf8,
        "persons": pl.Int64,
        "families": pl.Int64,
    }
    base = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    if overrides:
        over = pl.DataFrame(
            [(o["region_code"], o["category"], o["persons"], o.get("families")) for o in overrides],
            schema=schema,
            orient="row",
        )
        base = pl.concat(
            [base.join(over, on=["region_code", "category"], how="anti"), over], how="vertical"
        )
    used = committed_usage(session, year)
    return (
        base.join(used, on=["region_code", "category"], how="left")
        .with_columns(
            persons=(pl.col("persons") - pl.col("used_persons").fill_null(0)).clip(lower_bound=0),
            families=(pl.col("families") - pl.col("used_families").fill_null(0)).clip(
                lower_bound=0
            ),
        )
        .select("region_code", "category", "persons", "families")
    )


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


def build_batch(
    session: Session,
    reference: ReferenceData,
    request: dict[str, Any],
    *,
    support: SupportParameters | None = None,
    space: OccupationSpace | None = None,
) -> Batch:
    """The allocation instance of a (validated) run request, from the live tables."""
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
    config = default_config(None, year, reference=reference, support=support)
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
    instance = build_instance(
        _household_table(frames.households, request.get("refusals") or []),
        options,
        localities=localities,
        homes=cat.home_units,
        vacancies=cat.vacancies.select("vacancy_id", "posts"),
        quotas=quotas_left(session, year, request.get("quotas") or []),
        budgets=budgets,
        locks=_rules(request, "locks"),
        # An applicant's decline on the pages is a ban of that locality in every later batch.
        bans=with_declines(session, _rules(request, "bans"), frames.households["household_id"]),
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


# ---------------------------------------------------------------------------- snapshot

_SNAPSHOT_TABLES = ("households", "options", "removed", "resources")


def snapshot_bytes(instance: AllocationInstance, request: dict[str, Any]) -> bytes:
    """A zip of Parquet tables: the instance as solved (with its usage triplets) and the request."""
    buffer = io.BytesIO()
    usage = instance.usage.tocoo()
    triplets = pl.DataFrame(
        {
            "option_row": usage.row.astype(np.int64),
            "resource_row": usage.col.astype(np.int64),
            "amount": usage.data.astype(np.int64),
        }
    )
    conflicts = pl.DataFrame(
        {
            "household_id": [c.household_id for c in instance.lock_conflicts],
            "reason": [c.reason for c in instance.lock_conflicts],
        },
        schema={"household_id": pl.Utf8, "reason": pl.Utf8},
    )
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in _SNAPSHOT_TABLES:
            part = io.BytesIO()
            getattr(instance, name).write_parquet(part)
            zf.writestr(f"{name}.parquet", part.getvalue())
        for name, frame in (("usage", triplets), ("lock_conflicts", conflicts)):
            part = io.BytesIO()
            frame.write_parquet(part)
            zf.writestr(f"{name}.parquet", part.getvalue())
        zf.writestr("request.json", json.dumps(request, ensure_ascii=False, indent=2, default=str))
    return buffer.getvalue()


def load_snapshot(data: bytes) -> tuple[AllocationInstance, dict[str, Any]]:
    """The instance and request stored by :func:`snapshot_bytes` (to re-run or audit a run)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        tables = {
            name: pl.read_parquet(io.BytesIO(zf.read(f"{name}.parquet")))
            for name in (*_SNAPSHOT_TABLES, "usage", "lock_conflicts")
        }
        request = json.loads(zf.read("request.json"))
    trip = tables["usage"]
    usage = sp.csr_matrix(
        (
            trip["amount"].to_numpy(),
            (trip["option_row"].to_numpy(), trip["resource_row"].to_numpy()),
        ),
        shape=(tables["options"].height, tables["resources"].height),
    )
    conflicts = tuple(LockConflict(h, r) for h, r in tables["lock_conflicts"].iter_rows())
    return (
        AllocationInstance(
            households=tables["households"],
            options=tables["options"],
            removed=tables["removed"],
            resources=tables["resources"],
            usage=usage,
            lock_conflicts=conflicts,
        ),
        request,
    )


OPTION_KEY = ("household_id", "home_id", "vacancy_id", "second_vacancy_id")


def snapshot_charges(data: bytes | None, kind: str) -> pl.DataFrame:
    """What each option of a stored run consumes of the resources of ``kind``.

    One row per (option, resource) with a positive amount: the option's
    :data:`OPTION_KEY` (strings; no second vacancy is ``""``), the resource ``key`` and
    ``amount``, read from the usage triplets the optimizer solved with. Empty for a run
    without a snapshot or whose options consume nothing of ``kind`` (the options table is
    not read then).
    """
    schema = {**dict.fromkeys(OPTION_KEY, pl.Utf8), "key": pl.Utf8, "amount": pl.Int64}
    if not data:
        return pl.DataFrame(schema=schema)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        resources = pl.read_parquet(io.BytesIO(zf.read("resources.parquet")))
        rows = resources.with_row_index("resource_row").filter(pl.col("kind") == kind)
        if rows.height == 0:
            return pl.DataFrame(schema=schema)
        trip = pl.read_parquet(io.BytesIO(zf.read("usage.parquet"))).join(
            rows.select(pl.col("resource_row").cast(pl.Int64), pl.col("key").cast(pl.Utf8)),
            on="resource_row",
            how="inner",
        )
        trip = trip.filter(pl.col("amount") > 0)
        if trip.height == 0:
            return pl.DataFrame(schema=schema)
        options = pl.read_parquet(
            io.BytesIO(zf.read("options.parquet")), columns=list(OPTION_KEY)
        ).with_row_index("option_row")
    return trip.join(
        options.with_columns(pl.col("option_row").cast(pl.Int64)), on="option_row"
    ).select(
        *(pl.col(c).cast(pl.Utf8).fill_null("") for c in OPTION_KEY),
        pl.col("key").cast(pl.Utf8),
        pl.col("amount").cast(pl.Int64),
    )


# ---------------------------------------------------------------------------- storing results


def _breakdown(index: MatchIndex, household_id: str, option_id: str) -> list[dict[str, Any]]:
    result = index.explain(household_id, option_id)
    return [
        {
            "component": c.name,
            "value": round(float(c.value), 4),
            "weight": round(float(c.weight), 4),
            "reason": c.reason.as_dict(),
        }
        for c in result.components
    ]


def placement_rows(
    run_id: str, result: AllocationResult, index: MatchIndex | None
) -> list[dict[str, Any]]:
    """PlacementRecord rows: every household of the batch, placed or with its reason."""
    sizes = result.instance.households.select(
        "household_id", "persons", "children_0_5", "children_6_17"
    )
    placed = result.placements.join(sizes, on="household_id", how="left")
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(placed.iter_rows(named=True)):
        rows.append(
            {
                "run_id": run_id,
                "household_id": int(p["household_id"]),
                "placed": True,
                "locality_id": p["locality_id"],
                "region_code": p["region_code"],
                "home_id": int(p["home_id"]),
                "vacancy_id": int(p["vacancy_id"]),
                "second_vacancy_id": None
                if p["second_vacancy_id"] in (None, "")
                else int(p["second_vacancy_id"]),
                "score": float(p["score"]),
                "persons": int(p["persons"] or 0),
                "children_0_5": int(p["children_0_5"] or 0),
                "children_6_17": int(p["children_6_17"] or 0),
                "reason_code": None,
                "reason": None,
                "breakdown": _breakdown(index, p["household_id"], p["option_id"])
                if index is not None and i < MAX_EXPLAINED
                else None,
            }
        )
    unplaced = result.unplaced.join(sizes, on="household_id", how="left")
    for u in unplaced.iter_rows(named=True):
        rows.append(
            {
                "run_id": run_id,
                "household_id": int(u["household_id"]),
                "placed": False,
                "locality_id": None,
                "region_code": None,
                "home_id": None,
                "vacancy_id": None,
                "second_vacancy_id": None,
                "score": None,
                "persons": int(u["persons"] or 0),
                "children_0_5": int(u["children_0_5"] or 0),
                "children_6_17": int(u["children_6_17"] or 0),
                "reason_code": u["reason"],
                "reason": {"kk": u["text_kk"], "ru": u["text_ru"], "en": u["text_en"]},
                "breakdown": None,
            }
        )
    return rows


def run_summary(result: AllocationResult) -> dict[str, Any]:
    """The stored summary: allocation_report's summary plus the fill a comparison needs."""
    out = summary(result)
    out["fill"] = fill_by(
        result,
        (R.QUOTA_PERSONS, R.QUOTA_FAMILIES, R.BUDGET, R.LOCALITY_PERSONS, R.CENTRE_BEDS,
         R.KINDERGARTEN, R.SCHOOL),
    )  # fmt: skip
    out["gap"] = None if math.isnan(out["gap"]) else out["gap"]
    return out


def run_allocation_job(ctx: JobContext) -> dict[str, Any]:
    """Job handler ``allocation``: build the batch, solve it, store placements and snapshot."""
    run_id = str(ctx.params["run_id"])
    reference: ReferenceData = ctx.services["reference"]
    support: SupportParameters | None = ctx.services.get("support_parameters")
    space: OccupationSpace | None = ctx.services.get("occupation_space")
    ctx.progress("load", 0.01, "reading households and the catalogue", force=True)
    with ctx.sessions() as session:
        run = session.get(AllocationRunRecord, run_id)
        if run is None:
            raise JobFailed(RUN_GONE, status=404)
        request = dict(run.scenario or {})
        request.setdefault("year", run.year)
        try:
            batch = build_batch(session, reference, request, support=support, space=space)
        except EmptyBatch:
            raise JobFailed(NO_HOUSEHOLDS, status=422) from None
    if space is None:
        ctx.services["occupation_space"] = batch.index.space
    ctx.progress(
        "build",
        0.1,
        f"{batch.instance.n_households} households, {batch.instance.n_options} options",
        force=True,
    )

    def on_progress(phase: str, fraction: float, message: str) -> None:
        ctx.progress(phase, 0.1 + 0.8 * fraction, message)

    result = allocate(batch.instance, config_of(request, batch.movers), progress=on_progress)
    ctx.progress("store", 0.92, "storing placements and the snapshot", force=True)
    rows = placement_rows(run_id, result, batch.index)
    summ = run_summary(result)
    snap = snapshot_bytes(batch.instance, request)
    with ctx.sessions() as session:
        session.execute(delete(PlacementRecord).where(PlacementRecord.run_id == run_id))
        for start in range(0, len(rows), 2000):
            session.execute(insert(PlacementRecord), rows[start : start + 2000])
        session.execute(
            update(AllocationRunRecord)
            .where(AllocationRunRecord.id == run_id)
            .values(summary=summ, snapshot=snap)
        )
        session.commit()
    return {
        "run_id": run_id,
        "status": summ["status"],
        "objective": summ["objective"],
        "households_placed": summ["households_placed"],
        "finished": dt.datetime.now(dt.UTC).isoformat(),
    }
