"""Leave-occupations-out splits, the fit on them, and answers for unseen occupations."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from taxonomy.calibration import ABSTAIN_THRESHOLDS, CONFIDENCE, FEATURES, SCRIPT_CLASSES
from taxonomy.confidence import FitSet, calibrate_folds, fit_pooled, fit_set
from taxonomy.esco import load_esco
from taxonomy.load import default_taxonomy
from taxonomy.model import Taxonomy
from taxonomy.normalizer import Normalizer
from taxonomy.textnorm import comparison_key, russian_lemma, script_class
from taxonomy.unseen import esco_folds, fold_of, one_typo, own_folds, without_occupations

ESCO_DIR = Path(__file__).resolve().parents[3] / "shared" / "esco"
ESCO_DIRS = [ESCO_DIR, Path("/work/shared/esco")]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


@pytest.fixture(scope="module")
def folds(tax: Taxonomy) -> list:
    return own_folds(tax, 5)


# ------------------------------------------------------------------ the splits


def test_every_own_occupation_is_held_out_exactly_once(tax: Taxonomy, folds: list) -> None:
    held = [c for f in folds for c in f.held]
    own = {c for c, o in tax.occupations.items() if o.source == "qonys"}
    assert sorted(held) == sorted(own)
    assert all(fold_of(c, 5) == f.number for f in folds for c in f.held)
    # the folds are deterministic
    assert [f.texts for f in own_folds(tax, 5)] == [f.texts for f in folds]


def test_no_held_out_occupation_leaks_into_its_fold_tables(tax: Taxonomy, folds: list) -> None:
    for fold in folds:
        assert not set(fold.taxonomy.occupations) & fold.held
        assert not {a.code for a in fold.taxonomy.occupation_aliases} & fold.held
        assert not set(fold.taxonomy.occupation_skills) & fold.held
        index = Normalizer(fold.taxonomy).index("occupation") if fold.number == 0 else None
        if index is not None:
            assert not set(index.codes) & fold.held
        # every query is a label of a held-out occupation, gold is its unit group
        assert set(fold.occupation) <= fold.held
        assert all(tax.isco_of(o) == g for o, g in zip(fold.occupation, fold.gold, strict=True))
        assert any(fold.typo) and not all(fold.typo)


def test_a_held_out_key_is_indexed_only_through_a_kept_alias(tax: Taxonomy, folds: list) -> None:
    fold = folds[1]
    kept_keys = {comparison_key(a.alias) for a in fold.taxonomy.occupation_aliases}
    group_keys = {
        comparison_key(t)
        for g in tax.groups.values()
        if g.level == 4
        for t in (g.title_en, g.title_ru, g.title_kk)
    }
    index = Normalizer(fold.taxonomy).index("occupation")
    assert set(index.keys) <= (kept_keys | group_keys) - {""}


def test_without_occupations_leaves_the_original_untouched(tax: Taxonomy) -> None:
    code = "Q7212.01" if "Q7212.01" in tax.occupations else next(iter(tax.occupations))
    smaller = without_occupations(tax, [code])
    assert code in tax.occupations and code not in smaller.occupations
    assert len(smaller.occupation_aliases) < len(tax.occupation_aliases)


@pytest.mark.skipif(not any((d / "occupations_en.csv").exists() for d in ESCO_DIRS), reason="no ESCO sample")
def test_esco_folds_import_only_the_other_folds(tax: Taxonomy) -> None:
    esco_dir = next(d for d in ESCO_DIRS if (d / "occupations_en.csv").exists())
    release = load_esco(esco_dir)
    small = replace(release, occupations=release.occupations[:200])
    fs = esco_folds(tax, small, 4)
    assert sorted(u for f in fs for u in f.held) == sorted(o.uri for o in small.occupations)
    for f in fs:
        uris = {o.concept_uri for o in f.taxonomy.occupations.values() if o.source == "esco"}
        assert not uris & f.held
        assert len(uris) == len(small.occupations) - len(f.held)
    # descriptions of the ISCO groups come with the import
    assert any(g.description_en for g in fs[0].taxonomy.groups.values())
    assert not any(g.description_en for g in tax.groups.values())


def test_one_typo_is_deterministic_and_one_edit() -> None:
    assert one_typo("оператор котельной") == one_typo("оператор котельной")
    assert one_typo("cat") == "cat"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("абвгдежзиклмнопрстabcdefgh", min_size=1, max_size=12), min_size=1, max_size=4))
def test_one_typo_changes_at_most_two_letters_of_one_word(words: list[str]) -> None:
    text = " ".join(words)
    typo = one_typo(text)
    assert len(typo.split()) == len(text.split())
    assert Levenshtein.distance(text, typo) <= 2
    if max(len(w) for w in words) >= 5:
        assert typo != text


# ------------------------------------------------------------ fit without leaks


def _small_sets(tax: Taxonomy, folds: list, per_fold: int = 120) -> list[FitSet]:
    sets = []
    for f in folds[:3]:
        index = Normalizer(f.taxonomy).index("occupation")
        n = min(per_fold, len(f.texts))
        sets.append(fit_set(f"own:{f.number}", index, f.texts[:n], f.gold[:n], f.lang[:n], [f.number] * n))
    return sets


def test_a_block_never_feeds_the_weights_or_thresholds_that_score_it(
    tax: Taxonomy, folds: list
) -> None:
    sets = _small_sets(tax, own_folds(tax, 3))
    first = calibrate_folds(sets, folds=3, target=0.05)
    # Scramble block 0's gold answers: everything fitted without block 0 must stay,
    # everything fitted with it must change.
    s0 = sets[0]
    scrambled = replace(s0.data, gold=np.roll(s0.data.gold, 7))
    changed = [replace(s0, data=scrambled), *sets[1:]]
    second = calibrate_folds(changed, folds=3, target=0.05)
    assert first.block_weights[0] == second.block_weights[0]
    assert first.block_thresholds[0] == second.block_thresholds[0]
    assert np.array_equal(first.oof_score[0], second.oof_score[0])
    assert first.weights != second.weights
    assert first.block_weights[1] != second.block_weights[1]
    assert set(first.thresholds) == set(SCRIPT_CLASSES)
    assert all(0.0 < t <= 1.0 for t in first.thresholds.values())


def test_pooled_fit_is_deterministic(tax: Taxonomy, folds: list) -> None:
    sets = _small_sets(tax, folds, per_fold=60)
    assert fit_pooled(sets, {0, 1, 2}) == fit_pooled(sets, {0, 1, 2})
    assert set(fit_pooled(sets, {0, 1})) == {"bias", *FEATURES}


def test_shipped_constants_cover_the_features_and_scripts() -> None:
    assert set(CONFIDENCE) == {"bias", *FEATURES}
    assert set(ABSTAIN_THRESHOLDS) == set(SCRIPT_CLASSES)
    assert all(0.0 < t < 1.0 for t in ABSTAIN_THRESHOLDS.values())


# ------------------------------------------------------- abstain with candidates


@pytest.fixture(scope="module")
def strict(tax: Taxonomy) -> Normalizer:
    # Above every score: each text abstains, so the suggestions can be looked at.
    return Normalizer(tax, threshold=1.01)


def test_abstention_keeps_three_suggestions_of_distinct_groups(strict: Normalizer) -> None:
    result = strict.normalize("машинист экскаватора")
    assert result.unknown and result.candidates == () and result.best is None
    assert 1 <= len(result.suggestions) <= 3
    groups = [c.isco for c in result.suggestions]
    assert len(set(groups)) == len(groups)
    assert groups[0] == "8342"
    assert [c.score for c in result.suggestions] == sorted((c.score for c in result.suggestions), reverse=True)
    assert result.threshold == 1.01


def test_answered_results_carry_no_suggestions(tax: Taxonomy) -> None:
    result = Normalizer(tax).normalize("электрогазосварщик")
    assert not result.unknown and result.suggestions == ()
    assert result.threshold == ABSTAIN_THRESHOLDS["ru"]


def test_thresholds_follow_the_script(tax: Taxonomy) -> None:
    norm = Normalizer(tax)
    assert script_class("мұғалім") == "kk" and script_class("учитель") == "ru"
    assert script_class("mugalim") == "latin"
    assert norm.threshold_for("мұғалім") == ABSTAIN_THRESHOLDS["kk"]
    assert norm.threshold_for("учитель") == ABSTAIN_THRESHOLDS["ru"]
    assert norm.threshold_for("teacher") == ABSTAIN_THRESHOLDS["latin"]
    assert norm.threshold_for("теacher", "skill") == norm.skill_threshold


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="абвгдеклмнопрстушқәіaeioukltrs -.", min_size=0, max_size=30),
    st.sampled_from([0.0, 0.5, 1.01]),
)
def test_result_invariants(tax: Taxonomy, text: str, threshold: float) -> None:
    norm = _norms(tax, threshold)
    result = norm.normalize(text, top_k=3)
    assert result.unknown == (len(result.candidates) == 0)
    assert len(result.candidates) <= 3 and len(result.suggestions) <= 3
    assert len({c.code for c in result.candidates}) == len(result.candidates)
    assert len({c.isco for c in result.suggestions}) == len(result.suggestions)
    assert not (result.candidates and result.suggestions)
    for c in (*result.candidates, *result.suggestions):
        assert 0.0 <= c.score <= 1.0
    for c in result.suggestions:
        assert c.score < result.threshold


_NORMS: dict[float, Normalizer] = {}


def _norms(tax: Taxonomy, threshold: float) -> Normalizer:
    if threshold not in _NORMS:
        _NORMS[threshold] = Normalizer(tax, threshold=threshold)
    return _NORMS[threshold]


# ------------------------------------------------ morphology and word profiles


def test_russian_inflections_meet_their_dictionary_form() -> None:
    assert russian_lemma("машиниста") == "машинист"
    assert russian_lemma("слесарей") == "слесарь"
    assert comparison_key("машиниста экскаватора") == comparison_key("машинист экскаватор")
    assert comparison_key("специалистов по кадрам") == comparison_key("специалист по кадрам")


def test_kazakh_without_kazakh_letters_is_not_read_as_russian() -> None:
    # "аула" is also a Russian form of "аул"; in "аула сыпырушы" it is Kazakh.
    assert comparison_key("аула сыпырушы") == comparison_key("aula sypyrushy")


def test_unknown_russian_words_are_left_to_the_stemmer() -> None:
    assert russian_lemma("сваршик") == "сваршик"


def test_word_profiles_back_off_to_the_unit_group(tax: Taxonomy) -> None:
    # Without every excavator-driver occupation, the words of a title naming the
    # machine still point at the earthmoving-plant group 8342 among the best three.
    drop = [c for c, o in tax.occupations.items() if "экскават" in o.title_ru.lower()]
    assert drop
    index = Normalizer(without_occupations(tax, drop)).index("occupation")
    prof, head = index.profile_scores([comparison_key("машинист экскаватора")])
    groups = np.asarray(index.isco_list)
    assert "8342" in set(groups[np.argsort(-prof[0])[:3]])
    assert prof.min() >= 0.0 and prof.max() <= 1.0 + 1e-9 and head.max() <= 1.0 + 1e-9


@pytest.mark.parametrize(
    ("text", "code", "without_profiles"),
    [("кассир", "Q5230.01", "4211"), ("пилот гражданской авиации", "Q3153.01", "7232")],
)
def test_profile_features_pick_the_group_of_an_unseen_occupation(
    tax: Taxonomy, monkeypatch: pytest.MonkeyPatch, text: str, code: str, without_profiles: str
) -> None:
    import taxonomy.normalizer as normalizer

    isco = tax.occupations[code].isco
    norm = Normalizer(without_occupations(tax, [code]), threshold=0.0)
    best = norm.normalize(text).best
    assert best is not None and best.isco == isco
    for name in ("profile", "profile_head", "profile_gap"):
        monkeypatch.setitem(normalizer.CONFIDENCE, name, 0.0)
    plain = norm.normalize(text).best
    assert plain is not None and plain.isco == without_profiles


def test_head_words_are_one_word_occupation_names(tax: Taxonomy) -> None:
    index = Normalizer(tax).index("occupation")
    vocab = index.profile_vocab
    head = comparison_key("слесарь")
    qualifier = comparison_key("экскаватора")
    assert index.profile_head[vocab[head]]
    assert qualifier in vocab and not index.profile_head[vocab[qualifier]]
