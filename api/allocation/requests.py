"""A run request: what a planner may post, checked against the reference data and the database.

The request (kept on the run as ``scenario``) names a year, the households to consider and the
what-if changes (quota and capacity overrides, locks, bans, refusals, budgets, fairness floors).
:func:`validate_request` returns *every* problem at once, each ``msg`` a kk/ru/en text from the
catalogue (``allocation_service.request.*``). Capacity overrides may name any registered
capacity kind (:func:`capacity_kinds`, read when the request is checked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.params import ID_MAX
from api.models import (
    HouseholdRecord,
)
from matching.allocation.capacity_kinds import kinds
from matching.programme.geography import ReferenceData
from matching.text import Text, msg

CATEGORIES = ("resettler", "kandas")
FAIRNESS_KINDS = ("placement_rate", "average_score")
TIME_LIMIT_RANGE = (1.0, 600.0)
OPTIONS_RANGE = (1, 50)
YEAR_RANGE = (2017, 2100)
NOT_VALID = msg("allocation_service.request.not_valid")


def capacity_kinds() -> tuple[str, ...]:
    """The codes a capacity override may name: every registered kind, read at call time."""
    return tuple(k.code for k in kinds())


def _error(loc: list[str | int], key: str, type_: str, **values: object) -> dict[str, Any]:
    text: Text = msg(f"allocation_service.request.{key}", **values)
    return {"loc": ["body", *loc], "msg": text, "type": type_}


def resolve_scenario_dir(raw: str, root: Path) -> Path | None:
    """The folder ``raw`` names (relative to ``root`` or absolute), if it is a folder inside
    ``root``; None otherwise. A run must not read any folder of the server it likes."""
    base = root.resolve()
    path = Path(raw.strip())
    found = (path if path.is_absolute() else base / path).resolve()
    if found != base and base not in found.parents:
        return None
    return found if found.is_dir() else None


def validate_request(
    session: Session,
    reference: ReferenceData,
    request: dict[str, Any],
    *,
    scenario_root: Path | None = None,
) -> list[dict[str, Any]]:
    """Every problem of a run request (empty when it can run).

    Checks ranges (year, time limit, options per household), region codes, categories,
    localities and households named in locks, bans and refusals, quota and capacity values,
    and that a ``scenario_dir`` is a folder inside ``scenario_root`` (the request then holds
    the resolved path).
    """
    errors: list[dict[str, Any]] = []
    if request.get("scenario_dir"):
        found = (
            resolve_scenario_dir(request["scenario_dir"], scenario_root)
            if scenario_root is not None
            else None
        )
        if found is None:
            errors.append(
                _error(
                    ["scenario_dir"],
                    "scenario_dir",
                    "scenario_dir",
                    value=request["scenario_dir"],
                    root=str(scenario_root),
                )
            )
        else:
            request["scenario_dir"] = str(found)
    regions = {r.code for r in reference.regions}
    localities = {loc.id for loc in reference.all_localities}

    def check_range(name: str, lo: float, hi: float) -> None:
        value = request.get(name)
        if value is not None and not (lo <= value <= hi):
            errors.append(_error([name], "range", "range", name=name, lo=f"{lo:g}", hi=f"{hi:g}"))

    check_range("year", *YEAR_RANGE)
    check_range("time_limit", *TIME_LIMIT_RANGE)
    check_range("options_per_household", *OPTIONS_RANGE)
    for field in ("region_codes", "origin_region_codes"):
        for i, code in enumerate(request.get(field) or []):
            if code not in regions:
                errors.append(
                    _error([field, i], "unknown_region", "unknown_region", value=repr(code))
                )
    for i, cat in enumerate(request.get("categories") or []):
        if cat not in CATEGORIES:
            errors.append(
                _error(["categories", i], "unknown_category", "category", value=repr(cat))
            )
    for i, q in enumerate(request.get("quotas") or []):
        if q.get("region_code") not in regions:
            errors.append(
                _error(
                    ["quotas", i, "region_code"],
                    "unknown_region",
                    "unknown_region",
                    value=repr(q.get("region_code")),
                )
            )
        if q.get("category") not in CATEGORIES:
            errors.append(
                _error(
                    ["quotas", i, "category"],
                    "unknown_category",
                    "category",
                    value=repr(q.get("category")),
                )
            )
        for key in ("persons", "families"):
            value = q.get(key)
            if value is not None and value < 0:
                errors.append(
                    _error(["quotas", i, key], "negative_quota", "negative", field=key, value=value)
                )
    known_kinds = capacity_kinds()
    for i, c in enumerate(request.get("capacities") or []):
        if c.get("kind") not in known_kinds:
            errors.append(
                _error(
                    ["capacities", i, "kind"],
                    "unknown_capacity_kind",
                    "capacity_kind",
                    value=repr(c.get("kind")),
                    kinds=", ".join(known_kinds),
                )
            )
        if c.get("capacity") is not None and c["capacity"] < 0:
            errors.append(
                _error(
                    ["capacities", i, "capacity"],
                    "negative_capacity",
                    "negative",
                    value=c["capacity"],
                )
            )
    for i, b in enumerate(request.get("budgets") or []):
        if b.get("region_code") not in regions:
            errors.append(
                _error(
                    ["budgets", i, "region_code"],
                    "unknown_region",
                    "unknown_region",
                    value=repr(b.get("region_code")),
                )
            )
        if (b.get("budget_tenge") or 0) < 0:
            errors.append(_error(["budgets", i, "budget_tenge"], "negative_budget", "negative"))
    for i, f in enumerate(request.get("fairness") or []):
        if f.get("kind") not in FAIRNESS_KINDS:
            errors.append(
                _error(
                    ["fairness", i, "kind"],
                    "unknown_fairness_kind",
                    "fairness_kind",
                    value=repr(f.get("kind")),
                )
            )
        if not 0 <= (f.get("threshold") or 0) <= 1:
            errors.append(_error(["fairness", i, "threshold"], "threshold_range", "range"))
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
                    _error([field, i, key], f"unknown_{what}", f"unknown_{what}", value=repr(value))
                )
    if named:
        # Ids past the INTEGER column's range cannot exist (and PostgreSQL refuses to compare
        # them): they are reported as unknown households like any other missing id.
        wanted = sorted(h for h in named if 1 <= h <= ID_MAX)
        found: set[int] = set()
        for start in range(0, len(wanted), 5000):  # stay under the drivers' parameter limits
            chunk = wanted[start : start + 5000]
            found |= set(
                session.scalars(select(HouseholdRecord.id).where(HouseholdRecord.id.in_(chunk)))
            )
        for hid in sorted(set(named) - found):
            for loc in named[hid]:
                errors.append(_error(loc, "unknown_household", "unknown_household", value=hid))
    return errors
