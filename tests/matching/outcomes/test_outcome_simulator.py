"""The outcome simulator: effects file, calibration, determinism, the status quo's figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.outcomes.backtest import HISTORY_SEED_BASE, SeedPlacements, _place, _with_groups
from matching.outcomes.calibrate import calibrate, expected_rates
from matching.outcomes.cohort import GROUPS, CohortSettings
from matching.outcomes.effects import DEFAULT_EFFECTS_FILE, load_effects, parse_effects
from matching.outcomes.policies import PolicySettings
from matching.outcomes.simulate import (
    Intercepts,
    Predictors,
    household_draws,
    probabilities,
    simulate,
)
from matching.programme.geography import load_reference
from matching.scoring.components import OUTCOME_FEATURES

EFFECTS = load_effects()
REGIONS = ("39", "55", "59", "63", "10")


def random_placements(n: int, seed: int) -> pl.DataFrame:
    """Placements with uniform features, as the calibration and the model see them."""
    rng = np.random.default_rng(seed)
    frame = {f"f_{k}": rng.random(n) for k in OUTCOME_FEATURES}
    frame["f_vulnerable"] = (rng.random(n) < 0.2).astype(float)
    return pl.DataFrame(
        {
            **frame,
            "region_code": rng.choice(REGIONS, n),
            "youth": rng.random(n) < 0.3,
            "women": rng.random(n) < 0.5,
            "household_id": [f"H{i}" for i in range(n)],
        }
    )


def test_every_effect_is_named_with_a_source_and_only_assumptions_scale() -> None:
    assert DEFAULT_EFFECTS_FILE.name == "outcome_effects.toml"
    assert EFFECTS.effects and all(e.source.strip() for e in EFFECTS.effects)
    assert any(e.assumed for e in EFFECTS.effects) and any(not e.assumed for e in EFFECTS.effects)
    doubled = EFFECTS.scaled(2.0)
    for a, b in zip(EFFECTS.effects, doubled.effects, strict=True):
        assert b.value == (2 * a.value if a.assumed else a.value), a.name
    assert EFFECTS.target("return_12m") == pytest.approx(0.083)
    assert EFFECTS.region_targets("return_12m") == {"39": pytest.approx(0.113), "59": pytest.approx(0.073)}


def test_an_effect_without_a_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="source"):
        parse_effects({"effects": {"return_12m": {"housing": {"value": -1.0}}}})
    text = DEFAULT_EFFECTS_FILE.read_text(encoding="utf-8").replace(
        'housing = { value = -1.0, source = "assumption",', "housing = { value = -0.5, source = \"assumption\","
    )
    (tmp_path / "e.toml").write_text(text, encoding="utf-8")
    assert load_effects(tmp_path / "e.toml").of("return_12m")["housing"] == -0.5


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.sampled_from([0.5, 1.0, 2.0]))
def test_calibration_reproduces_every_overall_target_exactly(seed: int, scale: float) -> None:
    frame = random_placements(600, seed)
    effects = EFFECTS.scaled(scale)
    rates = expected_rates(frame, effects, calibrate(frame, effects))
    assert rates["return_12m"] == pytest.approx(0.083, abs=1e-6)
    assert rates["job_education_match"] == pytest.approx(0.678, abs=1e-6)
    assert rates["employment_12m"] == pytest.approx(0.53, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    feature=st.sampled_from(["housing", "affordability", "settlement", "network", "climate", "family_services"]),
)
def test_a_better_fit_never_raises_the_expected_return(seed: int, feature: str) -> None:
    frame = random_placements(200, seed)
    cal = calibrate(frame, EFFECTS)
    better = frame.with_columns(pl.min_horizontal(pl.col(f"f_{feature}") + 0.3, pl.lit(1.0)).alias(f"f_{feature}"))
    p0 = probabilities(Predictors.of(frame, EFFECTS), cal, EFFECTS)["return"]
    p1 = probabilities(Predictors.of(better, EFFECTS), cal, EFFECTS)["return"]
    assert (p1 <= p0 + 1e-12).all()
    assert (p1 < p0).any()


def test_the_same_seed_gives_the_same_outcomes_and_another_seed_others() -> None:
    frame = random_placements(500, 3)
    cal = calibrate(frame, EFFECTS)
    a = simulate(frame, EFFECTS, cal, household_draws(7, frame.height))
    b = simulate(frame, EFFECTS, cal, household_draws(7, frame.height))
    c = simulate(frame, EFFECTS, cal, household_draws(8, frame.height))
    assert a.equals(b)
    assert not a["returned_12m"].equals(c["returned_12m"])
    # A household that returned is not employed after its return month.
    gone = a.filter(pl.col("returned_12m"))
    assert not gone["employed_12m"].any()
    assert gone.filter(pl.col("return_month") <= 3)["employed_3m"].sum() == 0
    employed = a.filter(pl.col("employed_3m"))
    assert employed["employed_6m"].all() or employed.filter(~pl.col("employed_6m"))["returned_12m"].all()


@pytest.fixture(scope="module")
def status_quo() -> tuple[list[SeedPlacements], list[SeedPlacements]]:
    """Status-quo placements of 2 calibration and 3 held-out cohorts of 400 households."""
    import polars as pl

    from api.backtest.service import published_quotas
    from api.core.settings import REPO_ROOT

    data = REPO_ROOT / "data"
    quotas = published_quotas(data, load_reference(data))
    cohort = CohortSettings(households=400)
    policy = PolicySettings()
    history = [_place(HISTORY_SEED_BASE + i, cohort, policy, quotas, None, True) for i in range(2)]
    held = [_place(1 + i, cohort, policy, quotas, None, True) for i in range(3)]
    del pl
    return history, held


def test_the_status_quo_reproduces_the_programme_figures_on_new_seeds(
    status_quo: tuple[list[SeedPlacements], list[SeedPlacements]],
) -> None:
    history, held = status_quo
    train = pl.concat([_with_groups(sp.placed["status_quo"], sp.households) for sp in history])
    cal = calibrate(train, EFFECTS)
    returned, placed, matched, employed = 0, 0, 0, 0
    for sp in held:
        frame = _with_groups(sp.placed["status_quo"], sp.households)
        assert set(GROUPS) <= set(frame.columns)
        for draw in range(20):  # many draws of each cohort: the figure, not one draw's luck
            out = simulate(frame, EFFECTS, cal, household_draws(1000 * sp.seed + draw, sp.households.height)[frame["_row"].to_numpy()])
            returned += int(out["returned_12m"].sum())
            placed += out.height
            matched += int(out["job_education_match"].sum())
            employed += int(out["employed_12m"].sum())
    assert placed > 0
    assert returned / placed == pytest.approx(0.083, abs=0.010)
    assert matched / employed == pytest.approx(0.678, abs=0.03)


def test_intercepts_fall_back_to_the_other_regions() -> None:
    cal = Intercepts(0.0, {"39": 1.0, "*": -1.0}, {})
    got = cal.per_row(cal.match, np.array(["39", "11"], dtype=object))
    assert got.tolist() == [1.0, -1.0]
