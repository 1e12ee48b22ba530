from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
import pytest

from matching.domain import Option
from matching.ranking import OPTION_FRAME_COLUMNS, MatchIndex
from matching.scoring import ScoringConfig
from matching.synthetic.programme import Programme, generate_programme


def prefix_similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Small test similarity: shared leading ISCO digits / 4."""
    pa = np.array([[x[:k] for k in range(1, 5)] for x in a], dtype=object)
    pb = np.array([[y[:k] for k in range(1, 5)] for y in b], dtype=object)
    return (pa[:, None, :] == pb[None, :, :]).sum(axis=2) / 4.0


@lru_cache(maxsize=1)
def programme() -> Programme:
    return generate_programme(400, 1200, seed=3)


def make_index(**kwargs: Any) -> MatchIndex:
    return MatchIndex.from_programme(
        programme(), config=ScoringConfig(), similarity=prefix_similarity, **kwargs
    )


@lru_cache(maxsize=1)
def shared_index() -> MatchIndex:
    return make_index()


def households_with_options(index: MatchIndex, k: int = 25) -> list[str]:
    assert index.households is not None
    out = []
    for h in index.households.ids:
        if index.matches_for_household(h, top=1).height:
            out.append(h)
        if len(out) == k:
            break
    return out


class TestMatchesForHousehold:
    def test_options_are_feasible_sorted_and_never_split(self) -> None:
        index = shared_index()
        vac = programme().vacancies.select("vacancy_id", pl.col("locality_id").alias("v_loc"))
        homes = programme().homes.select("home_id", pl.col("locality_id").alias("h_loc"))
        for h in households_with_options(index):
            m = index.matches_for_household(h, top=15)
            assert list(m.columns) == list(OPTION_FRAME_COLUMNS)
            assert 0 < m.height <= 15
            scores = m["score"].to_numpy()
            assert (np.diff(scores) <= 1e-15).all()
            assert ((scores > 0) & (scores <= 1)).all()
            joined = m.join(vac, on="vacancy_id").join(homes, on="home_id")
            assert (joined["v_loc"] == joined["locality_id"]).all()
            assert (joined["h_loc"] == joined["locality_id"]).all()
            second = m.filter(pl.col("second_vacancy_id").is_not_null())
            if second.height:
                s = second.join(vac, left_on="second_vacancy_id", right_on="vacancy_id")
                assert (s["v_loc"] == s["locality_id"]).all()
                assert (second["second_vacancy_id"] != second["vacancy_id"]).all()

    def test_index_scores_equal_explained_scores(self) -> None:
        index = shared_index()
        for h in households_with_options(index, 10):
            m = index.matches_for_household(h, top=5)
            for row in m.iter_rows(named=True):
                result = index.explain(h, row["option_id"])
                assert result.feasible
                assert abs(result.total - row["score"]) < 1e-12

    def test_best_option_equals_brute_force_without_truncation(self) -> None:
        wide = make_index(homes_per_locality=10_000, vacancies_per_locality=10_000)
        hf = wide.households
        assert hf is not None
        p = programme()
        vac = p.vacancies.filter(pl.col("qualified")).select("vacancy_id", "locality_id")
        pairs = vac.join(p.homes.select("home_id", "locality_id"), on="locality_id")
        checked = 0
        for h in households_with_options(wide, 40):
            if hf.seekers[hf.row_of[h]] >= 2:
                continue  # second jobs are chosen greedily; compare single-earner households
            options = pairs.with_columns(pl.lit(h).alias("household_id"),
                                         pl.lit(None, dtype=pl.Utf8).alias("second_vacancy_id"))  # fmt: skip
            brute = wide.scorer.score_options(hf, options)["score"].max()
            best = wide.matches_for_household(h, top=1)["score"][0]
            assert best == pytest.approx(brute, abs=1e-12)
            checked += 1
        assert checked >= 5

    def test_domain_household_query_matches_id_query(self) -> None:
        index = shared_index()
        h = households_with_options(index, 1)[0]
        obj = next(x for x in programme().household_objects(limit=400) if x.household_id == h)
        by_id = index.matches_for_household(h, top=10)
        by_obj = index.matches_for_household(obj, top=10)
        assert by_id["option_id"].to_list() == by_obj["option_id"].to_list()


class TestLocalities:
    def test_best_option_per_locality_with_support(self) -> None:
        index = shared_index()
        h = households_with_options(index, 1)[0]
        loc = index.localities_for_household(h, top=5)
        assert loc["locality_id"].n_unique() == loc.height
        assert (loc["support_tenge"] > 0).all()
        all_options = index.matches_for_household(h, top=100_000)
        best = all_options.group_by("locality_id").agg(pl.col("score").max())
        merged = loc.join(best, on="locality_id", suffix="_best")
        assert (merged["score"] == merged["score_best"]).all()
        assert loc["score"][0] == all_options["score"].max()


class TestVacancyQueries:
    def test_candidates_are_feasible_and_sorted(self) -> None:
        index = shared_index()
        p = programme()
        qualified = p.vacancies.filter(pl.col("qualified"))["vacancy_id"].to_list()[:30]
        found = 0
        for v in qualified:
            c = index.candidates_for_vacancy(v, top=10)
            assert c.height <= 10
            assert (c["vacancy_id"] == v).all()
            assert (np.diff(c["score"].to_numpy()) <= 1e-15).all()
            for row in c.head(2).iter_rows(named=True):
                r = index.explain(
                    row["household_id"], Option(row["locality_id"], row["home_id"], v)
                )
                assert r.feasible and abs(r.total - row["score"]) < 1e-12
            found += c.height
        assert found > 0

    def test_unskilled_vacancy_has_no_candidates(self) -> None:
        index = shared_index()
        unskilled = programme().vacancies.filter(~pl.col("qualified"))["vacancy_id"][0]
        assert index.candidates_for_vacancy(unskilled).height == 0


class TestAvailability:
    def test_taken_vacancy_and_home_disappear_and_come_back(self) -> None:
        index = make_index()
        h = households_with_options(index, 1)[0]
        first = index.matches_for_household(h, top=50)
        v, d = first["vacancy_id"][0], first["home_id"][0]
        index.take(vacancy_ids=[v], home_ids=[d])
        after = index.matches_for_household(h, top=50)
        assert v not in after["vacancy_id"].to_list()
        assert d not in after["home_id"].to_list()
        index.release(vacancy_ids=[v], home_ids=[d])
        assert (
            index.matches_for_household(h, top=50)["option_id"].to_list()
            == first["option_id"].to_list()
        )


def test_allocator_feed_has_the_agreed_columns() -> None:
    index = shared_index()
    assert index.households is not None
    ids = index.households.ids[:40]
    feed = index.options_for_households(ids, top_per_household=5)
    assert list(feed.columns) == list(OPTION_FRAME_COLUMNS)
    assert feed["option_id"].n_unique() == feed.height
    assert set(feed["household_id"].to_list()) <= set(ids)
    assert feed["score"].is_between(0.0, 1.0).all()
    assert (feed.group_by("household_id").len()["len"] <= 5).all()


def test_batched_feed_equals_per_household_queries() -> None:
    index = shared_index()
    assert index.households is not None
    ids = index.households.ids[:120]
    feed = index.options_for_households(ids, top_per_household=7, batch_size=32)
    single = pl.concat([index.matches_for_household(h, top=7) for h in ids])
    assert feed["option_id"].to_list() == single["option_id"].to_list()
    assert feed["score"].to_list() == single["score"].to_list()


def test_profile_pruning_does_not_change_results() -> None:
    pruned = shared_index()
    full = make_index(prune_profiles=False)
    assert pruned.households is not None
    ids = pruned.households.ids[:150]
    a = pruned.options_for_households(ids, top_per_household=10)
    b = full.options_for_households(ids, top_per_household=10)
    assert a["option_id"].to_list() == b["option_id"].to_list()
    assert a["score"].to_list() == b["score"].to_list()


def test_support_for_an_option_is_itemized() -> None:
    index = shared_index()
    h = households_with_options(index, 1)[0]
    best = index.matches_for_household(h, top=1)
    package = index.support_for_option(h, best["option_id"][0])
    relocation = package.line("relocation_subsidy")
    assert relocation is not None and relocation.tenge > 0
    assert package.total_household_tenge >= relocation.tenge
    located = index.localities_for_household(h, top=1)
    # The locality list's support is relocation plus rent, the same two lines.
    rent = package.line("rent_subsidy")
    assert located["support_tenge"][0] == relocation.tenge + (rent.tenge if rent else 0)


def test_empty_programmes_give_empty_frames_with_the_columns() -> None:
    for n_households, n_vacancies in ((0, 0), (20, 0)):
        index = MatchIndex.from_programme(
            generate_programme(n_households, n_vacancies, seed=1), similarity=prefix_similarity
        )
        feed = index.options_for_households()
        assert feed.height == 0
        assert list(feed.columns) == list(OPTION_FRAME_COLUMNS)
