"""A run request: what a planner may post, checked against the reference data and the database.

The request (kept on the run as ``scenario``) names a year, the households to consider and the
what-if changes (quota and capacity overrides, locks, bans, refusals, budgets, fairness floors).
:func:`validate_request` returns *every* problem at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import (
    HouseholdRecord,
)
from matching.allocation import reasons as R
from matching.programme.geography import ReferenceData
from matching.text import Text

CATEGORIES = ("resettler", "kandas")
FAIRNESS_KINDS = ("placement_rate", "average_score")
TIME_LIMIT_RANGE = (1.0, 600.0)
OPTIONS_RANGE = (1, 50)
YEAR_RANGE = (2017, 2100)
CAPACITY_KINDS = tuple(k for k in R.RESOURCE_KINDS)


NOT_VALID = Text(
    kk="Бөлу сұрауында {n} қате бар.",
    ru="В запросе на распределение ошибок: {n}.",
    en="The allocation request has {n} problem(s).",
)


def _error(loc: list[str | int], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg, "type": type_}


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
                    f"no scenario folder {request['scenario_dir']!r} inside {scenario_root}",
                    "scenario_dir",
                )
            )
        else:
            request["scenario_dir"] = str(found)
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
