"""Reason codes for allocation outcomes, and their kk/ru/en texts from the catalogue.

Each unplaced household, removed option and planner conflict carries a stable code (for
machines and the database) and a :class:`~matching.text.Text` (for people), read from
``matching/text/messages/allocation.toml``. The texts of exhausted resources belong to their
capacity kind (:mod:`matching.allocation.capacity_kinds`).
"""

from __future__ import annotations

from matching.text import Text, msg

# Resource kinds shipped with the library; each is declared in
# matching.allocation.capacity_kinds, whose registry also holds kinds registered later.
QUOTA_PERSONS = "quota_persons"
QUOTA_FAMILIES = "quota_families"
LOCALITY_PERSONS = "locality_persons"
HOME = "home"
CENTRE_BEDS = "centre_beds"
KINDERGARTEN = "kindergarten"
SCHOOL = "school"
VACANCY = "vacancy"
BUDGET = "budget"

RESOURCE_KINDS: tuple[str, ...] = (
    QUOTA_PERSONS,
    QUOTA_FAMILIES,
    LOCALITY_PERSONS,
    HOME,
    CENTRE_BEDS,
    KINDERGARTEN,
    SCHOOL,
    VACANCY,
    BUDGET,
)

# Why an option was removed before solving (allocation.removal.*).
REFUSED_REGION = "refused_region"
REFUSED_SETTLEMENT = "refused_settlement_type"
BANNED = "planner_ban"
LOCKED_ELSEWHERE = "locked_elsewhere"

# Why a household stayed unplaced when no single resource explains it (allocation.unplaced.*).
NO_OPTIONS = "no_feasible_options"
ALL_REFUSED = "refused_all_feasible"
ALL_BANNED = "all_options_banned"
OBJECTIVE_TRADEOFF = "objective_tradeoff"

# Planner-constraint conflicts in infeasible batches (allocation.conflict.*).
LOCK = "lock"
FAIRNESS = "fairness"
PLANNER_CONSTRAINTS: tuple[str, ...] = (LOCK, FAIRNESS)


def removal_text(code: str) -> Text:
    """Why an option was removed before solving."""
    return msg(f"allocation.removal.{code}")


def unplaced_text(code: str) -> Text:
    """Why a household stayed unplaced, for the codes that name no resource."""
    return msg(f"allocation.unplaced.{code}")


def planner_conflict_text(code: str, label: str) -> Text:
    """The text naming a planner constraint (lock, fairness rule) in a conflicting set."""
    return msg(f"allocation.conflict.{code}", label=label)
