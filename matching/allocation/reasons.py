"""Reason codes for allocation outcomes, and their kk/ru/en texts from the catalogue.

Each unplaced household, removed option and planner conflict carries a stable code (for
machines and the database) and a :class:`~matching.text.Text` (for people), read from
``matching/text/messages/allocation.toml``. The texts of exhausted resources belong to their
capacity kind (:mod:`matching.allocation.capacity_kinds`).
"""

from __future__ import annotations

from matching.text import Text, msg
from matching.text.catalogue import catalogue

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

# Why a household with options had no option that fits on its own: the first row its best
# option cannot fit even in an empty batch (allocation.zero_capacity.*, exceeds_capacity.*).
ZERO_CAPACITY = "zero_capacity"
EXCEEDS_CAPACITY = "exceeds_capacity"

# The summary's split of the unplaced households (``category`` of the unplaced table).
NO_FEASIBLE_OPTION = "no_feasible_option"
LOST_TO_OTHERS = "lost_to_others"
REFUSED = "refused"
TRADEOFF = "tradeoff"
CATEGORIES: tuple[str, ...] = (NO_FEASIBLE_OPTION, LOST_TO_OTHERS, REFUSED, TRADEOFF)

# Planner-constraint conflicts in infeasible batches (allocation.conflict.*).
LOCK = "lock"
FAIRNESS = "fairness"
PLANNER_CONSTRAINTS: tuple[str, ...] = (LOCK, FAIRNESS)
# What a self-contradicting lock breaks (allocation.conflict.lock_*).
LOCK_NO_OPTION = "no_option"
LOCK_CANNOT_FIT = "cannot_fit"


def removal_text(code: str) -> Text:
    """Why an option was removed before solving."""
    return msg(f"allocation.removal.{code}")


def unplaced_text(code: str) -> Text:
    """Why a household stayed unplaced, for the codes that name no resource."""
    return msg(f"allocation.unplaced.{code}")


def planner_conflict_text(code: str, label: str) -> Text:
    """The text naming a planner constraint (lock, fairness rule) in a conflicting set."""
    return msg(f"allocation.conflict.{code}", label=label)


def _kind_text(prefix: str, kind: str) -> Text:
    """``allocation.<prefix>.<kind>``, or the kind-neutral text for kinds registered outside
    the package (their catalogue entries are optional)."""
    key = f"allocation.{prefix}.{kind}"
    return catalogue()[key] if key in catalogue() else msg(f"allocation.{prefix}.default")


def capacity_text(kind: str, label: str, need: int, capacity: int) -> Text:
    """Why an option cannot fit a row even in an empty batch: the row has no capacity
    (named as such, not as "full"), or the household alone needs more than all of it."""
    if capacity <= 0:
        return _kind_text(ZERO_CAPACITY, kind).format(label=label)
    return _kind_text(EXCEEDS_CAPACITY, kind).format(label=label, need=need, capacity=capacity)


def lock_conflict_text(label: str, cause: str, key: str = "", why: Text | None = None) -> Text:
    """A lock that breaks one of its own household's constraints: ``cause`` is a removal
    code (refused region or settlement type, ban), :data:`LOCK_NO_OPTION`, or
    :data:`LOCK_CANNOT_FIT` with ``why`` the row's :func:`capacity_text`."""
    if cause == LOCK_CANNOT_FIT and why is not None:
        return msg("allocation.conflict.lock_cannot_fit", label=label, why=why)
    if cause in (REFUSED_REGION, REFUSED_SETTLEMENT, BANNED):
        return msg(f"allocation.conflict.lock_{cause}", label=label, target=key)
    return msg("allocation.conflict.lock_no_option", label=label)


def summary_text(category: str, count: int) -> Text:
    """One line of the run summary's split of the unplaced households."""
    return msg(f"allocation.summary.{category}", count=count)
