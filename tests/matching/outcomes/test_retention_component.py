"""The scorer's retention component: off by default, the model's prediction when given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from matching.outcomes.cohort import with_retention
from matching.outcomes.retention import fit_retention
from matching.ranking import MatchIndex
from matching.scoring.components import OUTCOME_FEATURES
from matching.scoring.scorer import Scorer
from matching.scoring.weights import COMPONENTS, default_config, retention_weight
from matching.synthetic.programme import generate_programme
from tests.matching.outcomes.test_retention_model import simulated_history


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex.from_programme(generate_programme(120, seed=4))


def test_every_programme_version_has_it_off(tmp_path: Path) -> None:
    assert "retention" in COMPONENTS
    for version in ("enbek_2017_2021", "strong_regions_2022", "quota_2026", "not_listed"):
        assert retention_weight(version) == 0.0
    assert default_config(None, 2023).weight("retention") == 0.0
    custom = tmp_path / "w.toml"
    custom.write_text('[retention_weight]\nstrong_regions_2022 = 0.2\n', encoding="utf-8")
    assert retention_weight("strong_regions_2022", custom) == 0.2


def test_the_component_is_the_models_retention_and_counts_only_with_a_model(index: MatchIndex) -> None:
    assert index.households is not None
    options = index.options_for_households(top_per_household=5).drop("score")
    base = index.scorer.score_options(index.households, options, components=True)
    assert (base["c_retention"] == 0).all()
    weighted_only = Scorer(index.catalogue, index.space, index.config.with_weights(retention=0.3))
    same = weighted_only.score_options(index.households, options)
    assert np.allclose(same["score"].to_numpy(), base["score"].to_numpy())

    model = fit_retention(simulated_history(3000, 5))
    config = with_retention(index.config, model, 0.3)
    scored = Scorer(index.catalogue, index.space, config).score_options(
        index.households, options, components=True
    )
    ev = index.scorer.evaluate_frame(index.households, options)
    expected = model.predict_retention(
        {k: ev.features[k] for k in OUTCOME_FEATURES},
        options["region_code"].to_numpy().astype(object),
    )
    assert np.allclose(scored["c_retention"].to_numpy(), expected)
    assert not np.allclose(scored["score"].to_numpy(), base["score"].to_numpy())
    # The explained path says it in three languages.
    hh, opt = options.row(0, named=True)["household_id"], options.row(0, named=True)
    from matching.domain import Option

    result = Scorer(index.catalogue, index.space, config).explain_option(
        index.households, hh,
        Option(opt["locality_id"], opt["home_id"], opt["vacancy_id"], opt["second_vacancy_id"]),
    )  # fmt: skip
    reason = result.component("retention").reason
    assert "%" in reason.en and reason.kk != reason.en and reason.ru != reason.en
    assert pl.Series(scored["c_retention"]).is_between(0, 1).all()
