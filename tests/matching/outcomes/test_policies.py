"""The back-test's optimizer policies: the fairness-floor policy always has a plan, keeps its
floors and never places below the status quo it starts from."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from matching.allocation.baselines import status_quo_baseline
from matching.allocation.model import problem_from_instance
from matching.outcomes.cohort import Cohort, CohortSettings, build_cohort
from matching.outcomes.policies import NO_PLAN, PolicySettings, floors_of, run_policies
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters


@pytest.fixture(scope="module", params=[1, 2])
def cohort(request: pytest.FixtureRequest) -> Cohort:
    from api.backtest.service import published_quotas
    from api.core.settings import REPO_ROOT

    data = REPO_ROOT / "data"
    return build_cohort(
        int(request.param), CohortSettings(households=400),
        published_quotas=published_quotas(data, load_reference(data)),
        support=load_support_parameters(),
    )  # fmt: skip


def _objective(cohort: Cohort, placed: pl.DataFrame) -> int:
    opts = cohort.instance.options.select("option_id", "weight")
    return int(placed.select("option_id").join(opts, on="option_id")["weight"].sum())


def test_the_floor_policy_keeps_its_floors_and_the_status_quo(cohort: Cohort) -> None:
    runs = run_policies(cohort, PolicySettings(time_limit=5.0))
    floors = runs["optimizer_floors"]
    assert floors.status not in NO_PLAN
    inst = cohort.instance
    x_sq = status_quo_baseline(inst, problem_from_instance(inst), cohort.network)
    rules = floors_of(cohort, x_sq)
    assert rules  # precondition: the cohort has protected groups
    placed = set(floors.placed["household_id"].to_list())
    for rule in rules:
        ids = cohort.households.filter(pl.col("group") == rule.group)["household_id"].to_list()
        rate = float(np.mean([h in placed for h in ids]))
        assert rate >= rule.threshold, rule
    assert floors.placed["household_id"].n_unique() == floors.placed.height
    assert _objective(cohort, floors.placed) >= _objective(cohort, runs["status_quo"].placed)
