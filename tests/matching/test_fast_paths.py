"""Shortcuts of the one-household ranking give what the general formulas give: the fit per job
profile, gathered, equals the fit computed pair by pair (bit for bit), evaluations built on it
are the same, and households failing a gate no option changes are rightly skipped."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.ranking import MatchIndex
from matching.scoring import ScoringConfig
from matching.scoring.components import (
    Evaluation,
    could_be_feasible,
    evaluate,
    slot_fit_with_coverage,
)
from matching.synthetic.programme import Programme, generate_programme
from tests.matching.test_scoring import prefix_similarity


@lru_cache(maxsize=1)
def programme() -> Programme:
    return generate_programme(300, 3000, seed=5)


@lru_cache(maxsize=1)
def index() -> MatchIndex:
    return MatchIndex.from_programme(
        programme(), config=ScoringConfig(), similarity=prefix_similarity
    )


def chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def test_the_catalogue_has_fewer_profiles_than_vacancies() -> None:
    cat = index().catalogue
    assert 0 < cat.n_profiles < len(cat.v_occ) // 2
    assert cat.v_skills.nnz and cat.p_skills.nnz  # required skills are exercised
    # Every vacancy has its profile's occupation, education, licences and skill count.
    assert np.array_equal(cat.p_occ[cat.v_profile], cat.v_occ)
    assert np.array_equal(cat.p_edu[cat.v_profile], cat.v_edu)
    assert np.array_equal(cat.p_lic[cat.v_profile], cat.v_lic)
    assert np.array_equal(np.diff(cat.p_skills.indptr)[cat.v_profile], np.diff(cat.v_skills.indptr))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 299), st.integers(0, 2**31 - 1))
def test_profile_fit_equals_the_pairwise_fit(row: int, seed: int) -> None:
    idx = index()
    assert idx.households is not None
    cat, hf = idx.catalogue, idx.households
    rng = np.random.default_rng(seed)
    n = 3 * cat.n_profiles
    vrow = rng.integers(-1, len(cat.v_occ), n)  # -1: no vacancy
    hrow = np.full(n, row, dtype=np.int64)
    gathered = slot_fit_with_coverage(hf, cat, idx.space, hrow, vrow, idx.config)
    # Pieces shorter than the profile count are computed pair by pair.
    size = cat.n_profiles // 2
    for part in chunks(n, size):
        direct = slot_fit_with_coverage(hf, cat, idx.space, hrow[part], vrow[part], idx.config)
        for ours, theirs in zip(gathered, direct, strict=True):
            assert np.array_equal(ours[part], theirs)


def assert_same_evaluation(a: Evaluation, b: Evaluation, part: slice) -> None:
    for name in ("gates", "values", "weights", "features"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.keys() == y.keys()
        for k in x:
            assert np.array_equal(x[k][part], y[k]), (name, k)
    for name in (
        "feasible", "total", "primary_slot", "primary_member", "second_member", "similarity",
        "second_similarity", "net_rent", "own_share", "rent_subsidy", "network_movers",
        "wage_ratio", "skill_coverage", "skill_row", "vacancy_row",
    ):  # fmt: skip
        assert np.array_equal(getattr(a, name)[part], getattr(b, name)), name


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 299), st.integers(0, 2**31 - 1))
def test_options_of_one_household_evaluate_the_same_whole_or_in_pieces(row: int, seed: int) -> None:
    idx = index()
    assert idx.households is not None
    cat, hf = idx.catalogue, idx.households
    rng = np.random.default_rng(seed)
    n = 3 * cat.n_profiles  # whole: the profile path; pieces: pair by pair
    v = rng.integers(0, len(cat.v_occ), n)
    lrow = cat.v_loc[v]
    # Homes of the vacancy's locality where there are any (feasible options), else anywhere.
    by_loc = idx.candidates.homes_by_locality
    starts, ends = by_loc.ptr[lrow], by_loc.ptr[lrow + 1]
    local = by_loc.rows[np.minimum(starts + rng.integers(0, 3, n), np.maximum(ends - 1, 0))]
    home = np.where(ends > starts, local, rng.integers(0, len(cat.h_kind), n))
    v2 = np.where(rng.random(n) < 0.4, rng.integers(0, len(cat.v_occ), n), -1)
    h = np.full(n, row, dtype=np.int64)
    whole = evaluate(hf, cat, idx.space, idx.config, h, lrow, home, v, v2)
    for part in chunks(n, cat.n_profiles // 2):
        piece = evaluate(
            hf, cat, idx.space, idx.config, h[part], lrow[part], home[part], v[part], v2[part]
        )
        assert_same_evaluation(whole, piece, part)


def test_best_localities_are_the_first_option_of_each_locality_in_the_ranking() -> None:
    # The ranking orders by score, then vacancy id (as text); localities keep the first
    # option of each locality in that order (for exactly equal scores: the one the ranked
    # matches list first).
    idx = index()
    assert idx.households is not None
    for h in idx.households.ids[:60]:
        every = idx.matches_for_household(h, top=100_000).with_row_index("_pos")
        expected = (
            every.sort(["score", "vacancy_id", "_pos"], descending=[True, False, False])
            .unique("locality_id", keep="first", maintain_order=True)
            .head(8)
        )
        found = idx.ranked_localities(h, top=8, explain=3)
        assert found.frame["option_id"].to_list() == expected["option_id"].to_list()
        assert found.frame["score"].to_list() == expected["score"].to_list()
        assert found.rows.score.tolist() == expected["score"].to_list()
        assert len(found.explained) == min(3, found.frame.height)
        for result, option in zip(found.explained, found.frame.iter_rows(named=True), strict=False):
            assert result.total == option["score"]
        settlement = idx.catalogue.localities.select("locality_id", "settlement_type")
        joined = found.frame.join(settlement, on="locality_id", suffix="_expected")
        assert (joined["settlement_type"] == joined["settlement_type_expected"]).all()
        assert found.frame.columns[-2:] == ["settlement_type", "support_tenge"]
        assert found.frame.schema["support_tenge"] == pl.Int64


def test_households_failing_a_gate_no_option_changes_are_not_ranked_at_all() -> None:
    idx = index()
    assert idx.households is not None
    cat, hf = idx.catalogue, idx.households
    rows = np.arange(len(hf), dtype=np.int64)
    passes = could_be_feasible(hf, rows, idx.config)
    assert 0 < passes.sum() < len(hf)  # both kinds in the programme
    rng = np.random.default_rng(3)
    for row in np.flatnonzero(~passes)[:20]:
        # No option at all could be feasible: any option evaluated fails.
        n = 200
        v = rng.integers(0, len(cat.v_occ), n)
        home = rng.integers(0, len(cat.h_kind), n)
        h = np.full(n, row, dtype=np.int64)
        ev = evaluate(hf, cat, idx.space, idx.config, h, cat.v_loc[v], home, v, np.full(n, -1))
        assert not ev.feasible.any()
        assert idx.ranked_matches(hf.ids[row], top=20).frame.height == 0
