"""The retention model: refuses thin data, is calibrated on held-out simulated outcomes,
recovers the simulator's direct effects, versions itself, and feeds the scorer."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from matching.outcomes.calibrate import calibrate
from matching.outcomes.effects import load_effects
from matching.outcomes.retention import (
    MIN_OUTCOMES,
    RetentionFitError,
    RetentionModel,
    TooFewOutcomes,
    evaluate_model,
    fit_retention,
)
from matching.outcomes.simulate import household_draws, simulate
from tests.matching.outcomes.test_outcome_simulator import random_placements

EFFECTS = load_effects()


def simulated_history(n: int, seed: int) -> pl.DataFrame:
    frame = random_placements(n, seed)
    cal = calibrate(frame, EFFECTS)
    out = simulate(frame, EFFECTS, cal, household_draws(seed, n))
    days = np.random.default_rng(seed).integers(0, 700, n)
    return out.with_columns(
        recorded_on=pl.Series([dt.date(2022, 1, 1) + dt.timedelta(days=int(d)) for d in days])
    )


@pytest.fixture(scope="module")
def fitted() -> tuple[RetentionModel, pl.DataFrame]:
    history = simulated_history(24_000, 1)
    return fit_retention(history), simulated_history(8_000, 2)


def test_fewer_outcomes_than_the_minimum_are_refused_in_three_languages() -> None:
    small = simulated_history(MIN_OUTCOMES - 1, 3)
    with pytest.raises(TooFewOutcomes) as info:
        fit_retention(small)
    assert str(MIN_OUTCOMES) in info.value.text.en and str(MIN_OUTCOMES - 1) in info.value.text.en
    assert info.value.text.kk != info.value.text.en and info.value.text.ru != info.value.text.en
    with pytest.raises(RetentionFitError, match="lacks the columns"):
        fit_retention(small.drop("recorded_on"), min_outcomes=10)
    with pytest.raises(RetentionFitError, match="both"):
        fit_retention(simulated_history(400, 4).with_columns(returned_12m=pl.lit(False)))


def test_calibrated_on_held_out_simulated_outcomes(fitted: tuple[RetentionModel, pl.DataFrame]) -> None:
    model, held_out = fitted
    ev = evaluate_model(model, held_out)
    assert ev["ece"] <= 0.05
    assert ev["auc"] >= 0.65
    rate = float(held_out["returned_12m"].mean())  # type: ignore[arg-type]
    assert ev["brier"] < rate * (1 - rate)  # better than the base rate alone
    assert model.metrics["ece"] <= 0.05


def test_it_recovers_the_signs_of_the_simulators_direct_effects(
    fitted: tuple[RetentionModel, pl.DataFrame],
) -> None:
    model, _ = fitted
    coef = model.effective_coefficients()
    direct = EFFECTS.of("return_12m")
    for feature in ("housing", "affordability", "settlement", "climate", "vulnerable"):
        assert np.sign(coef[feature]) == np.sign(direct[feature]), feature
    # Through employment, a better job fit lowers returns although it has no direct effect.
    assert coef["occupation"] < 0


def test_a_version_is_its_date_range_and_numbers_and_survives_json(
    fitted: tuple[RetentionModel, pl.DataFrame],
) -> None:
    model, held_out = fitted
    assert model.trained_from >= "2022-01-01" and model.trained_to <= "2023-12-31"
    assert model.version.startswith(f"{model.trained_from}_{model.trained_to}_")
    again = RetentionModel.from_json(model.to_json())
    assert again.version == model.version
    feats = {k: held_out[f"f_{k}"].to_numpy() for k in model.features}
    regions = held_out["region_code"].to_numpy().astype(object)
    assert np.allclose(again.predict_retention(feats, regions), model.predict_retention(feats, regions))
    assert set(model.to_dict()) >= {"version", "trained_from", "trained_to", "metrics", "folds"}
