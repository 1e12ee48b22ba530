"""The allocation instance: options as columns of a sparse options × resources matrix.

Every capacity in a batch (regional quota, locality cap, home units, centre beds, school and
kindergarten seats, vacancy posts, subsidy budget) is one *resource row* with an integer
capacity; an option (locality + home + vacancy, optionally a second vacancy) consumes integer
amounts of resource rows. A household takes at most one of its options (exactly one when a
planner locked it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
import scipy.sparse as sp

# Objective coefficients are integers: a fit score in [0, 1] times this scale, times the
# household's priority weight.
SCORE_SCALE = 1000


@dataclass(frozen=True)
class PriorityWeights:
    """Relative bonuses on a household's fit score in the objective.

    The weight of a household is ``1 + vulnerable + large_family + youth + early * e`` where
    ``e`` in [0, 1] is 1 for the earliest application in the batch and 0 for the latest. The
    defaults are policy estimates, to be set by the programme's planners.
    """

    vulnerable: float = 0.15
    large_family: float = 0.05
    youth: float = 0.05
    early_application: float = 0.10
    large_family_persons: int = 5


@dataclass(frozen=True)
class LockConflict:
    """A planner lock that no remaining option can satisfy (refused or banned)."""

    household_id: str
    reason: str


@dataclass(frozen=True)
class AllocationInstance:
    """A batch ready for the solvers.

    Attributes
    ----------
    households
        One row per household: ``household_id, persons, children_0_5, children_6_17,
        category, origin_region, application_day, priority, must_place, group``.
    options
        The options left after refusals, bans and locks, in variable order:
        ``option_id, household_id, hh, locality_id, region_code, home_id, vacancy_id,
        second_vacancy_id, score, weight, support_tenge``; ``hh`` indexes ``households``
        and ``weight`` is the integer objective coefficient.
    removed
        Options removed before solving with their reason code:
        ``option_id, household_id, locality_id, region_code, reason``.
    resources
        One row per capacity: ``kind, key, label, capacity, region_code``.
    usage
        ``len(options) × len(resources)`` integer CSR matrix of consumption.
    lock_conflicts
        Locks left without any option.
    """

    households: pl.DataFrame
    options: pl.DataFrame
    removed: pl.DataFrame
    resources: pl.DataFrame
    usage: sp.csr_matrix
    lock_conflicts: tuple[LockConflict, ...] = field(default_factory=tuple)

    @property
    def n_households(self) -> int:
        return self.households.height

    @property
    def n_options(self) -> int:
        return self.options.height

    @property
    def opt_hh(self) -> np.ndarray:
        """Household index of every option (int64)."""
        return self.options["hh"].to_numpy().astype(np.int64)

    @property
    def weight(self) -> np.ndarray:
        """Integer objective coefficient of every option (int64)."""
        return self.options["weight"].to_numpy().astype(np.int64)

    @property
    def capacity(self) -> np.ndarray:
        """Capacity of every resource row (int64)."""
        return self.resources["capacity"].to_numpy().astype(np.int64)

    @property
    def must_place(self) -> np.ndarray:
        """Whether each household is locked (must be placed), as bool."""
        return self.households["must_place"].to_numpy().astype(bool)

    def household_incidence(self) -> sp.csr_matrix:
        """``n_households × n_options`` 0/1 matrix: which options belong to which household."""
        n = self.n_options
        return sp.csr_matrix(
            (np.ones(n, dtype=np.int64), (self.opt_hh, np.arange(n))),
            shape=(self.n_households, n),
        )
