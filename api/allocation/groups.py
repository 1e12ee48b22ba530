"""Outcomes by group of a run: how women-headed, young, divorced or widowed, village-origin
and each category's households fared (placed share, mean fit score), for the planners.

Computed when the run is stored, from its placement rows and the households' applicant
member, so the figures describe the batch as it was solved. The groups overlap (a young
widow from a village counts in three); "all" is the whole batch for comparison.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import HouseholdMemberRecord, HouseholdRecord

# Kazakhstan's youth policy law counts people aged 14 to 35 as young; the programme's youth
# bonus looks at the applicant.
YOUTH_MAX_AGE = 35
GROUPS = ("all", "women", "youth", "divorced_widowed", "village", "resettler", "kandas")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def outcome_groups(
    session: Session, rows: list[dict[str, Any]], *, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """One row per group with households, placed, placement_rate and mean_score (placed)."""
    on = on or dt.date.today()
    ids = [int(r["household_id"]) for r in rows]
    facts: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), 5000):  # stay under the drivers' parameter limits
        chunk = ids[start : start + 5000]
        found = session.execute(
            select(
                HouseholdRecord.id,
                HouseholdRecord.category,
                HouseholdRecord.origin_settlement,
                HouseholdMemberRecord.sex,
                HouseholdMemberRecord.birth_date,
                HouseholdMemberRecord.marital_status,
            )
            .join(HouseholdMemberRecord, HouseholdMemberRecord.household_id == HouseholdRecord.id)
            .where(HouseholdRecord.id.in_(chunk), HouseholdMemberRecord.relation == "applicant")
        )
        for hid, category, origin, sex, birth, marital in found:
            marks = facts[int(hid)]
            marks.add(str(category))
            if sex == "F":
                marks.add("women")
            if _age(birth, on) < YOUTH_MAX_AGE:
                marks.add("youth")
            if marital in ("divorced", "widowed"):
                marks.add("divorced_widowed")
            if origin == "village":
                marks.add("village")
    tally: dict[str, list[float]] = {g: [0, 0, 0.0] for g in GROUPS}
    for r in rows:
        for group in ("all", *facts.get(int(r["household_id"]), ())):
            if group not in tally:
                continue
            entry = tally[group]
            entry[0] += 1
            if r["placed"]:
                entry[1] += 1
                entry[2] += float(r["score"] or 0.0)
    return [
        {
            "group": group,
            "households": int(n),
            "placed": int(placed),
            "placement_rate": round(placed / n, 4) if n else None,
            "mean_score": round(score / placed, 4) if placed else None,
        }
        for group, (n, placed, score) in tally.items()
        if n
    ]
