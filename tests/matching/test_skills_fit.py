"""Members' skills and vacancies' required skills in the occupation fit."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import polars as pl
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain import Experience, Member, Option
from matching.ranking import MatchIndex
from matching.scoring import Catalogue, HouseholdFrame, OccupationSpace, Scorer, ScoringConfig
from matching.scoring.features import homes_frame, localities_frame, vacancies_frame
from matching.scoring.skills import SkillFacts, SkillVocabulary, skill_coverage
from matching.synthetic.programme import Programme, generate_programme
from taxonomy.load import default_taxonomy
from tests.matching.test_scoring import (
    make_home,
    make_household,
    make_locality,
    make_scorer,
    make_vacancy,
    prefix_similarity,
)

WELDER_JOB = make_vacancy(
    "v", "L", "7212", required_skills=("weld.naks.1", "lic.drive.C"), required_education="none"
)


def welder(skills: tuple[str, ...]) -> Member:
    return Member(
        "applicant", 36, "F", "married", "vocational", (Experience("7212", 6),), skills=skills
    )


def welder_scorer() -> Scorer:
    return make_scorer([WELDER_JOB], [make_home("d", "L")], [make_locality("L")])


def test_holding_the_required_skills_scores_higher_all_else_equal() -> None:
    s = welder_scorer()
    full = s.score(
        make_household(members=(welder(("weld.naks.1", "lic.drive.C")),)), Option("L", "d", "v")
    )
    half = s.score(make_household(members=(welder(("weld.naks.1",)),)), Option("L", "d", "v"))
    none = s.score(make_household(members=(welder(()),)), Option("L", "d", "v"))
    assert full.feasible and half.feasible and none.feasible
    assert full.component("occupation").value > half.component("occupation").value
    assert half.component("occupation").value > none.component("occupation").value
    assert full.total > half.total > none.total


def test_a_credential_covers_what_it_implies() -> None:
    # CE includes C (skills.csv implies, taken transitively: CE → C).
    s = welder_scorer()
    with_ce = s.score(
        make_household(members=(welder(("weld.naks.1", "lic.drive.CE")),)), Option("L", "d", "v")
    )
    with_c = s.score(
        make_household(members=(welder(("weld.naks.1", "lic.drive.C")),)), Option("L", "d", "v")
    )
    assert with_ce.component("occupation").value == with_c.component("occupation").value
    assert "missing" not in with_ce.component("occupation").reason.en


def test_the_reason_names_missing_skills_with_taxonomy_labels() -> None:
    tax = default_taxonomy()
    r = welder_scorer().score(
        make_household(members=(welder(("lic.drive.C",)),)), Option("L", "d", "v")
    )
    reason = r.component("occupation").reason
    for lang in ("kk", "ru", "en"):
        assert tax.label("weld.naks.1", lang) in reason.get(lang)
    # The licence is held: named as such, before what is missing.
    held, missing = reason.en.split("; holds: ", 1)[1].split("; missing: ")
    assert held == tax.label("lic.drive.C", "en") and missing == tax.label("weld.naks.1", "en")


def test_a_member_holding_every_required_skill_is_told_so() -> None:
    tax = default_taxonomy()
    r = welder_scorer().score(
        make_household(members=(welder(("weld.naks.1", "lic.drive.C")),)), Option("L", "d", "v")
    )
    reason = r.component("occupation").reason
    for lang in ("kk", "ru", "en"):
        assert tax.label("weld.naks.1", lang) in reason.get(lang)
        assert tax.label("lic.drive.C", lang) in reason.get(lang)
    assert "holds every required skill" in reason.en and "missing" not in reason.en


def test_without_the_taxonomy_codes_name_missing_skills_and_nothing_is_implied() -> None:
    space = OccupationSpace(prefix_similarity, skills=SkillFacts())
    cat = Catalogue.build(
        vacancies_frame([WELDER_JOB]),
        homes_frame([make_home("d", "L")]),
        localities_frame([make_locality("L")]),
        space=space,
    )
    s = Scorer(cat, space, ScoringConfig())
    hh = make_household(members=(welder(("lic.drive.CE",)),))
    reason = s.score(hh, Option("L", "d", "v")).component("occupation").reason
    # Without implications a CE licence does not cover the required C.
    for lang in ("kk", "ru", "en"):
        assert "weld.naks.1" in reason.get(lang) and "lic.drive.C" in reason.get(lang)


# ------------------------------------------------------------ generated programme with skills

SKILL_POOL = ("weld.naks.1", "lic.drive.C", "lic.drive.CE", "lang.kk.B2", "it.1c", "it.1c.trade")


@lru_cache(maxsize=1)
def programme() -> Programme:
    return generate_programme(200, 400, seed=5)


def _random_lists(rng: np.random.Generator, n: int, p_empty: float) -> list[list[str]]:
    out = []
    for _ in range(n):
        k = 0 if rng.random() < p_empty else int(rng.integers(1, 4))
        out.append([str(c) for c in rng.choice(SKILL_POOL, size=k, replace=False)])
    return out


def _scorer_and_frame(
    members: pl.DataFrame, vacancies: pl.DataFrame, space: OccupationSpace
) -> tuple[Scorer, HouseholdFrame]:
    p = programme()
    cat = Catalogue.build(vacancies, p.homes, p.localities, space=space, network=p.network)
    hf = HouseholdFrame.from_frames(p.households, members, p.experience, space=space)
    return Scorer(cat, space, ScoringConfig()), hf


def _options(seed: int, n: int) -> pl.DataFrame:
    p = programme()
    rng = np.random.default_rng(seed)
    vac = p.vacancies.sample(n, seed=seed, with_replacement=True)
    by_loc = p.homes.group_by("locality_id").agg(pl.col("home_id").first())
    local = dict(zip(by_loc["locality_id"].to_list(), by_loc["home_id"].to_list(), strict=True))
    hh = p.households["household_id"].to_list()
    return pl.DataFrame(
        {
            "household_id": [hh[i] for i in rng.integers(0, len(hh), n)],
            "locality_id": vac["locality_id"],
            "home_id": [local.get(lo) for lo in vac["locality_id"].to_list()],
            "vacancy_id": vac["vacancy_id"],
            "second_vacancy_id": [None] * n,
        },
        schema=dict.fromkeys(
            ("household_id", "locality_id", "home_id", "vacancy_id", "second_vacancy_id"), pl.Utf8
        ),
    )


def test_no_skills_anywhere_leaves_scores_unchanged() -> None:
    p = programme()
    options = _options(1, 400)
    # Frames from before skills existed (no columns), empty columns, and members holding
    # skills (generated or random) that no vacancy asks for must all score identically.
    old = _scorer_and_frame(
        p.members.drop("skills"),
        p.vacancies.drop("required_skills"),
        OccupationSpace(prefix_similarity),
    )
    none = pl.Series("required_skills", [[]] * p.vacancies.height, dtype=pl.List(pl.Utf8))
    none_required = p.vacancies.with_columns(none)
    none_held = p.members.with_columns(
        pl.Series("skills", [[]] * p.members.height, dtype=pl.List(pl.Utf8))
    )
    empty = _scorer_and_frame(none_held, none_required, OccupationSpace(prefix_similarity))
    generated = _scorer_and_frame(p.members, none_required, OccupationSpace(prefix_similarity))
    rng = np.random.default_rng(3)
    held = p.members.with_columns(
        pl.Series("skills", _random_lists(rng, p.members.height, 0.3), dtype=pl.List(pl.Utf8))
    )
    unused = _scorer_and_frame(held, none_required, OccupationSpace(prefix_similarity))
    assert p.members["skills"].list.len().sum() > 0, "the generator draws skills"
    base = old[0].score_options(old[1], options, components=True)
    for scorer, hf in (empty, generated, unused):
        other = scorer.score_options(hf, options, components=True)
        assert other["score"].to_list() == base["score"].to_list()
        assert other["c_occupation"].to_list() == base["c_occupation"].to_list()
    assert base["feasible"].sum() > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_vectorized_equals_one_by_one_and_coverage_equals_set_counting(seed: int) -> None:
    p = programme()
    rng = np.random.default_rng(seed)
    members = p.members.with_columns(
        pl.Series("skills", _random_lists(rng, p.members.height, 0.4), dtype=pl.List(pl.Utf8))
    )
    vacancies = p.vacancies.with_columns(
        pl.Series(
            "required_skills", _random_lists(rng, p.vacancies.height, 0.5), dtype=pl.List(pl.Utf8)
        )
    )
    space = OccupationSpace(prefix_similarity)
    scorer, hf = _scorer_and_frame(members, vacancies, space)
    options = _options(seed, 40)
    ev = scorer.evaluate_frame(hf, options)
    tax = default_taxonomy()

    def closure(code: str) -> set[str]:
        out, todo = {code}, [code]
        while todo:
            for nxt in tax.skill(todo.pop()).implies:
                if nxt not in out:
                    out.add(nxt)
                    todo.append(nxt)
        return out

    member_skills = {
        (h, no): set().union(*(closure(c) for c in skills))
        for h, no, skills in members.select("household_id", "member_no", "skills").iter_rows()
    }
    required = dict(vacancies.select("vacancy_id", "required_skills").iter_rows())
    for i, row in enumerate(options.iter_rows(named=True)):
        one = scorer.evaluate_frame(hf, options.slice(i, 1))
        assert abs(one.total[0] - ev.total[i]) < 1e-12
        assert abs(one.values["occupation"][0] - ev.values["occupation"][i]) < 1e-12
        need = set(required[row["vacancy_id"]])
        member = int(ev.primary_member[i])
        if ev.skill_row[i] >= 0 and need:
            have = member_skills[(row["household_id"], member)]
            assert ev.skill_coverage[i] == len(need & have) / len(need)
            missing = ev.skills.missing(int(ev.skill_row[i]), int(ev.vacancy_row[i]))
            assert set(missing) == need - have
        else:
            assert ev.skill_coverage[i] == 1.0


# ------------------------------------------------------------------------ coverage property


@st.composite
def sparse_pairs(draw: st.DrawFn) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 12))
    k_need = draw(st.integers(1, k))  # the vacancy side may know fewer ids (built earlier)
    rows_h = draw(st.integers(1, 6))
    rows_v = draw(st.integers(1, 6))
    have = draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k), min_size=rows_h,
                         max_size=rows_h))  # fmt: skip
    need = draw(st.lists(st.lists(st.booleans(), min_size=k_need, max_size=k_need),
                         min_size=rows_v, max_size=rows_v))  # fmt: skip
    n = draw(st.integers(0, 20))
    hr = draw(st.lists(st.integers(-1, rows_h - 1), min_size=n, max_size=n))
    vr = draw(st.lists(st.integers(-1, rows_v - 1), min_size=n, max_size=n))
    return (
        sp.csr_matrix(np.array(have, dtype=np.float64)),
        sp.csr_matrix(np.array(need, dtype=np.float64)),
        np.array(hr, dtype=np.int64),
        np.array(vr, dtype=np.int64),
    )


@settings(max_examples=200, deadline=None)
@given(sparse_pairs())
def test_coverage_is_a_share_in_unit_interval(
    case: tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray],
) -> None:
    have, need, hr, vr = case
    cov = skill_coverage(have, need, hr, vr)
    assert cov.shape == hr.shape
    assert ((cov >= 0.0) & (cov <= 1.0)).all()
    h = have.toarray().astype(bool)
    v = need.toarray().astype(bool)
    for j, (a, b) in enumerate(zip(hr, vr, strict=True)):
        if a < 0 or b < 0 or not v[b].any():
            assert cov[j] == 1.0
        else:
            assert cov[j] == (h[a, : v.shape[1]] & v[b]).sum() / v[b].sum()


def test_coverage_reads_rows_whose_ids_are_not_sorted() -> None:
    # Held skills {2, 0} and {1} written out of order; the vacancy needs {0, 1, 2}, then {1}.
    have = sp.csr_matrix((np.ones(3), np.array([2, 0, 1]), np.array([0, 2, 3])), shape=(2, 3))
    have.has_sorted_indices = False
    need = sp.csr_matrix(np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]))
    cov = skill_coverage(have, need, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]))
    assert cov.tolist() == [2 / 3, 1 / 3, 0.0, 1.0]


def test_vocabulary_ids_are_shared_and_stable() -> None:
    vocab = SkillVocabulary(SkillFacts(implies={"a": ("b",), "b": ("c",)}))
    m = vocab.matrix(pl.Series([["a"], None, ["c", "c"]], dtype=pl.List(pl.Utf8)), implied=True)
    assert vocab.codes[:3] == ["a", "b", "c"]
    assert m.toarray().tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    need = vocab.matrix(pl.Series([["a", "d"]], dtype=pl.List(pl.Utf8)), implied=False)
    assert vocab.codes == ["a", "b", "c", "d"]
    assert need.toarray().tolist() == [[1.0, 0.0, 0.0, 1.0]]


def test_profile_pruning_stays_exact_when_vacancies_require_skills() -> None:
    # Vacancies of one occupation, education and licence profile now differ by their
    # required skills; pruning must not drop the one a household's skills fit best.
    p = generate_programme(300, 900, seed=3)
    rng = np.random.default_rng(9)
    p = replace(
        p,
        members=p.members.with_columns(
            pl.Series("skills", _random_lists(rng, p.members.height, 0.3), dtype=pl.List(pl.Utf8))
        ),
        vacancies=p.vacancies.with_columns(
            pl.Series(
                "required_skills",
                _random_lists(rng, p.vacancies.height, 0.4),
                dtype=pl.List(pl.Utf8),
            )
        ),
    )
    kwargs = {"config": ScoringConfig(), "similarity": prefix_similarity}
    pruned = MatchIndex.from_programme(p, **kwargs)
    full = MatchIndex.from_programme(p, prune_profiles=False, **kwargs)
    assert pruned.households is not None
    ids = pruned.households.ids[:300]
    a = pruned.options_for_households(ids, top_per_household=10)
    b = full.options_for_households(ids, top_per_household=10)
    assert a.height > 0
    assert a["option_id"].to_list() == b["option_id"].to_list()
    assert a["score"].to_list() == b["score"].to_list()
