"""Request-sized option frames look ids up in dictionaries, large ones through joins: the two
paths must resolve every id (and every unknown or missing one) to the same rows, and ranked
options must be explained from the evaluation that ranked them without changing a figure."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.ranking import MatchIndex
from matching.scoring.features import DICT_LOOKUP_MAX
from matching.scoring.weights import COMPONENTS, GATES
from matching.synthetic.programme import Programme, generate_programme


@lru_cache(maxsize=1)
def programme() -> Programme:
    return generate_programme(200, 1_500, seed=5)


@lru_cache(maxsize=1)
def index() -> MatchIndex:
    return MatchIndex.from_programme(programme())


def _options(seed: int, n: int) -> pl.DataFrame:
    """Random options, some with unknown ids and missing second jobs."""
    p = programme()
    rng = np.random.default_rng(seed)
    vac = p.vacancies["vacancy_id"].to_numpy()
    homes = p.homes["home_id"].to_numpy()
    locs = p.localities["locality_id"].to_numpy()
    hh = p.households["household_id"].to_numpy()

    def pick(values: np.ndarray, missing: float) -> list[str | None]:
        out: list[str | None] = [str(x) for x in rng.choice(values, n)]
        for i in np.flatnonzero(rng.random(n) < missing):
            out[i] = None if rng.random() < 0.5 else "no-such-id"
        return out

    return pl.DataFrame(
        {
            "household_id": [str(x) for x in rng.choice(hh, n)],
            "locality_id": pick(locs, 0.05),
            "home_id": pick(homes, 0.05),
            "vacancy_id": pick(vac, 0.05),
            "second_vacancy_id": pick(vac, 0.6),
        },
        schema=dict.fromkeys(
            ("household_id", "locality_id", "home_id", "vacancy_id", "second_vacancy_id"), pl.Utf8
        ),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_dictionary_and_join_lookups_agree(seed: int) -> None:
    idx = index()
    cat = idx.catalogue
    big = _options(seed, DICT_LOOKUP_MAX + 500)  # the join path
    for column, kind in (
        ("locality_id", "locality"),
        ("home_id", "home"),
        ("vacancy_id", "vacancy"),
        ("second_vacancy_id", "vacancy"),
    ):
        joined = cat.ids_to_rows(big[column], kind)
        chunks = [
            cat.ids_to_rows(big[column].slice(i, DICT_LOOKUP_MAX), kind)
            for i in range(0, big.height, DICT_LOOKUP_MAX)
        ]
        assert np.array_equal(joined, np.concatenate(chunks))
        assert (joined[big[column].is_null().to_numpy()] == -1).all()
    assert idx.households is not None
    whole = idx.scorer.score_options(idx.households, big, components=True)
    parts = pl.concat(
        [
            idx.scorer.score_options(idx.households, big.slice(i, DICT_LOOKUP_MAX), components=True)
            for i in range(0, big.height, DICT_LOOKUP_MAX)
        ]
    )
    assert whole.equals(parts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 199), st.integers(1, 30), st.integers(0, 30))
def test_ranked_breakdowns_equal_a_fresh_score(row: int, top: int, explain: int) -> None:
    idx = index()
    assert idx.households is not None
    household = idx.households.ids[row]
    ranked = idx.ranked_matches(household, top=top, explain=explain)
    assert ranked.frame.equals(idx.matches_for_household(household, top=top))
    assert len(ranked.explained) == min(explain, ranked.frame.height)
    for option, result in zip(ranked.frame.iter_rows(named=True), ranked.explained, strict=False):
        fresh = idx.explain(household, option["option_id"])
        # Same formulas; a batch and a single row may sum in another order (last bit only).
        assert result.total == option["score"]
        assert abs(result.total - fresh.total) < 1e-12
        assert [c.name for c in result.components] == list(COMPONENTS)
        assert [g.name for g in result.gates] == list(GATES)
        assert result.gates == fresh.gates
        for ours, theirs in zip(result.components, fresh.components, strict=True):
            assert abs(ours.value - theirs.value) < 1e-12
            assert abs(ours.weight - theirs.weight) < 1e-12
            assert ours.reason == theirs.reason
