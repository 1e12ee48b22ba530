"""Two runs side by side for the compare page: the API's comparison, labelled and formatted.

Figures come from :func:`api.allocation.runs.compare_runs` (``GET …/compare/…``); this module
only names the rows (regions, localities, kinds) and keeps the rows that differ.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.allocation import runs, views
from api.web.templates import translate
from matching.programme.geography import ReferenceData
from matching.text import Lang
from matching.text.catalogue import catalogue


def _percent(value: float | None) -> str:
    return views.num(None if value is None else 100 * value, 2) + " %"


def compare_context(
    session: Session, reference: ReferenceData, a: str, b: str, lang: Lang
) -> dict[str, Any]:
    """The API's comparison with labels, formatted figures and only the rows that differ."""

    def t(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    found = runs.compare_runs(session, a, b)
    figures = []
    for key in ("objective", "best_bound", "gap", "households_placed", "persons_placed",
                "fairness_cost"):  # fmt: skip
        va, vb = found["a"].get(key), found["b"].get(key)
        gap = key == "gap"
        shown = _percent if gap else views.num
        delta = None if va is None or vb is None else vb - va
        figures.append(
            {
                "label": t(f"planner.compare.{key}"),
                "a": shown(va),
                "b": shown(vb),
                "delta": "" if delta is None else (("+" if delta > 0 else "") + shown(delta)),
                "differs": va != vb,
            }
        )
    fill = []
    for row in found["fill"]:
        # A row only one run has (a region the other left out) used nothing there: what
        # differs is what is used, or a limit both runs had but set differently (a what-if).
        used_differs = (row.get("used_a") or 0) != (row.get("used_b") or 0)
        both = "capacity_a" in row and "capacity_b" in row
        if not used_differs and not (both and row["capacity_a"] != row["capacity_b"]):
            continue
        fill.append({**row, "label": _resource_label(row, reference, lang, t)})

    def name(loc: str | None) -> str:
        if loc is None:
            return str(t("planner.compare.unplaced"))
        return views.locality_name(reference, loc, lang)

    moves = [
        {"household_id": m["household_id"], "a": name(m["locality_a"]), "b": name(m["locality_b"])}
        for m in found["moves"][:200]
    ]
    return {**found, "figures": figures, "fill_rows": fill, "move_rows": moves}


def _resource_label(row: dict[str, Any], reference: ReferenceData, lang: Lang, t: Any) -> str:
    kind, key = str(row["kind"]), str(row["key"])
    if kind.startswith("quota_") or kind == "budget":
        region, _, category = key.partition("/")
        label = views.region_name(reference, region, lang)
        if category in ("resettler", "kandas"):
            label += ", " + t(f"planner.category.{category}")
    else:
        label = views.locality_name(reference, key, lang)
    return (
        f"{t('planner.kind.' + kind) if 'planner.kind.' + kind in catalogue() else kind}: {label}"
    )
