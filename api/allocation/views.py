"""What the planner pages show of a run, worked out from the stored summary and placements.

Nothing here decides anything: the figures are the run's (``runs.run_out`` and
``runs.placements_page``, the API's own); this module picks, names and words them for a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.allocation.charts import Bar
from matching.allocation import reasons as R
from matching.programme.geography import ReferenceData
from matching.text import Lang, Text

T = Callable[..., str]
TOP_LOCALITIES = 12
REGION_KINDS = ("quota_persons",)
LOCALITY_KIND = "locality_persons"


def num(value: float | int | None, digits: int = 0) -> str:
    """A figure for people: thin-space thousands, no trailing noise; '—' when unknown."""
    if not isinstance(value, int | float):  # None, or a row missing on one side
        return "—"
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,}"
    return text.replace(",", "\u202f")


def name_of(thing: Any, lang: Lang) -> str:
    return str(getattr(thing, f"name_{lang}"))


def region_name(reference: ReferenceData, code: str, lang: Lang) -> str:
    try:
        return name_of(reference.region(code), lang)
    except (KeyError, ValueError):
        return code


def locality_name(reference: ReferenceData, locality_id: str, lang: Lang) -> str:
    try:
        return name_of(reference.locality(locality_id), lang)
    except (KeyError, ValueError):
        return locality_id


@dataclass(frozen=True)
class FillRow:
    label: str
    used: int
    capacity: int | None
    pct: int | None


def _figure(t: T, used: int, capacity: int | None) -> str:
    if not capacity:
        return t("planner.fill.figure_open", used=num(used))
    if used >= capacity:
        return t("planner.fill.figure_full", used=num(used), capacity=num(capacity))
    return t(
        "planner.fill.figure",
        used=num(used),
        capacity=num(capacity),
        pct=round(100 * used / capacity),
    )


def _bars(rows: list[FillRow], t: T) -> list[Bar]:
    return [Bar(r.label, r.used, r.capacity, _figure(t, r.used, r.capacity)) for r in rows]


def _pct(used: int, capacity: int | None) -> int | None:
    return round(100 * used / capacity) if capacity else None


def region_fill(
    summary: dict[str, Any], reference: ReferenceData, lang: Lang, t: T
) -> tuple[list[Bar], list[dict[str, Any]]]:
    """Persons placed against the quota per region (categories summed for the chart; the table
    keeps each category's row)."""
    per_region: dict[str, list[int]] = {}
    table = []
    for row in summary.get("fill") or []:
        if row["kind"] not in REGION_KINDS:
            continue
        region, _, category = str(row["key"]).partition("/")
        used, cap = int(row["used"] or 0), int(row["capacity"] or 0)
        total = per_region.setdefault(region, [0, 0])
        total[0] += used
        total[1] += cap
        table.append(
            {
                "region": region_name(reference, region, lang),
                "category": t(f"planner.category.{category}")
                if category in ("resettler", "kandas")
                else category,
                "used": used,
                "capacity": cap,
                "pct": _pct(used, cap),
            }
        )
    rows = [
        FillRow(region_name(reference, code, lang), used, cap or None, _pct(used, cap))
        for code, (used, cap) in sorted(per_region.items(), key=lambda kv: -kv[1][0])
    ]
    table.sort(key=lambda r: (r["region"], r["category"]))
    return _bars(rows, t), table


def locality_fill(
    summary: dict[str, Any],
    placed_persons: dict[str, int],
    reference: ReferenceData,
    lang: Lang,
    t: T,
) -> tuple[list[Bar], list[dict[str, Any]]]:
    """Persons placed per locality against its persons limit when the run had one (else the
    bars compare localities with each other); the chart shows the busiest ones."""
    limits: dict[str, int | None] = {}
    seats: dict[str, dict[str, str]] = {}
    for row in summary.get("fill") or []:
        key = str(row["key"])
        if row["kind"] == LOCALITY_KIND:
            limits[key] = None if row["capacity"] is None else int(row["capacity"])
            placed_persons.setdefault(key, int(row["used"] or 0))
        elif row["kind"] in ("school", "kindergarten") and row["capacity"] is not None:
            seats.setdefault(key, {})[row["kind"]] = f"{num(row['used'])} / {num(row['capacity'])}"
    rows = []
    for key, used in placed_persons.items():
        cap = limits.get(key)
        try:
            region = region_name(reference, reference.locality(key).region_code, lang)
        except (KeyError, ValueError):
            region = ""
        rows.append(
            {
                "locality": locality_name(reference, key, lang),
                "region": region,
                "used": used,
                "capacity": cap,
                "pct": _pct(used, cap),
                "school": seats.get(key, {}).get("school", "—"),
                "kindergarten": seats.get(key, {}).get("kindergarten", "—"),
            }
        )
    rows.sort(key=lambda r: (-r["used"], r["locality"]))
    top = [FillRow(r["locality"], r["used"], r["capacity"], r["pct"]) for r in rows if r["used"]]
    return _bars(top[:TOP_LOCALITIES], t), rows


def reason_words(code: str, lang: Lang, t: T) -> str:
    """An unplaced reason code in words (used when no placement rows carry the text)."""
    if code in (R.NO_OPTIONS, R.ALL_REFUSED, R.ALL_BANNED, R.OBJECTIVE_TRADEOFF):
        return R.unplaced_text(code).get(lang)
    try:
        return t("planner.reason.resource", kind=t(f"planner.reason.{code}"))
    except KeyError:
        return t("planner.unplaced.other", code=code)


def reason_counts(summary: dict[str, Any], lang: Lang, t: T) -> list[tuple[str, int]]:
    """(reason in words, households), most frequent first, from the run's reason codes."""
    counts = summary.get("unplaced_reasons") or {}
    return sorted(
        ((reason_words(code, lang, t), int(n)) for code, n in counts.items()), key=lambda x: -x[1]
    )


def refusal_figures(run_request: dict[str, Any], summary: dict[str, Any]) -> dict[str, int]:
    removed = summary.get("removed_reasons") or {}
    unplaced = summary.get("unplaced_reasons") or {}
    return {
        "request": len(run_request.get("refusals") or []),
        "removed": int(removed.get(R.REFUSED_REGION, 0))
        + int(removed.get(R.REFUSED_SETTLEMENT, 0)),
        "banned": int(removed.get(R.BANNED, 0)) + int(removed.get(R.LOCKED_ELSEWHERE, 0)),
        "unplaced": int(unplaced.get(R.ALL_REFUSED, 0)),
    }


def groups(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Outcome groups of the run (women, youth, …); category groups for scenario runs."""
    found = summary.get("outcome_groups")
    if found:
        return list(found)
    return [
        {**row, "group": row.get("group")}
        for row in summary.get("category_groups") or []
        if row.get("group") in ("resettler", "kandas")
    ]


def conflict_words(
    errors: list[dict[str, Any]], reference: ReferenceData, lang: Lang, t: T
) -> list[str]:
    """The commit's 409 problems, one sentence each, in the page language (each problem
    carries its own kk/ru/en text, naming the row and what it needed and had left)."""
    out = []
    for err in errors:
        text = err.get("msg")
        if isinstance(text, Text):
            out.append(text.get(lang))
        elif isinstance(text, dict):
            out.append(str(text.get(lang) or text.get("en") or ""))
        else:
            out.append(str(text or ""))
    return out


CONFLICT_LINES = 10  # per kind: a commit over a stale run can clash on hundreds of rows


def conflict_groups(
    errors: list[dict[str, Any]], reference: ReferenceData, lang: Lang, t: T
) -> list[dict[str, Any]]:
    """The 409's problems grouped by kind: a heading with the count, the first lines, the rest
    counted (a planner needs what changed, not five hundred lines)."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for err in errors:
        loc = list(err.get("loc") or [])
        kinds.setdefault(str(loc[0]) if loc else "", []).append(err)
    groups = []
    for kind, found in kinds.items():
        if kind == "household":
            title = t("planner.conflict.group_household", n=len(found))
        else:
            try:
                what = t(f"planner.reason.{kind}")
            except KeyError:
                what = kind
            title = t("planner.conflict.group", what=what[:1].upper() + what[1:], n=len(found))
        lines = conflict_words(found[:CONFLICT_LINES], reference, lang, t)
        more = len(found) - len(lines)
        groups.append({"title": title, "lines": lines, "more": more})
    return groups
