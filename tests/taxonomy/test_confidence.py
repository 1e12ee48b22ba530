from __future__ import annotations

import numpy as np
import pytest

from taxonomy.confidence import noisy_variants, shortlist_samples, synthetic_set
from taxonomy.load import default_taxonomy
from taxonomy.model import Alias, Taxonomy
from taxonomy.textnorm import comparison_key


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


def test_noisy_variants_are_reproducible_and_not_all_identical() -> None:
    alias = Alias("Q7212.01", "электрогазосварщик 5 разряда", "ru", "variant")
    first = noisy_variants(alias, 20, np.random.default_rng(3))
    assert first == noisy_variants(alias, 20, np.random.default_rng(3))
    assert len(first) == 20 and len(set(first)) > 1


def test_held_out_queries_never_meet_their_own_alias(tax: Taxonomy) -> None:
    data = synthetic_set(tax, seed=5, variants=1)
    indexed = set(data.index.keys)
    held_codes = set(data.occupation)
    # a held-out unit group has no alias left in the index: its queries have no right answer
    for code, gold in zip(data.occupation, data.gold, strict=True):
        if gold == "":
            continue
        assert tax.isco_of(code) == gold
    assert "" in data.gold and any(data.gold)
    index_iscos = set(data.index.iscos)
    assert all(g in index_iscos for g in data.gold if g)
    assert held_codes
    # most held-out keys are absent from the index (keys shared with kept aliases excepted)
    keys = [comparison_key(a.alias) for a in tax.occupation_aliases if a.code in held_codes]
    assert sum(k not in indexed for k in keys) > 0


def test_samples_label_pairs_by_unit_group(tax: Taxonomy) -> None:
    data = synthetic_set(tax, seed=7, variants=1, alias_share=0.1)
    x, y, query = shortlist_samples(data)
    assert x.shape[0] == y.shape[0] == query.shape[0] and x.shape[0] > 0
    assert np.isfinite(x).all()
    for q in np.unique(query[y]):
        assert data.gold[int(q)] != ""


# ---------------------------------------------------------------- labelled fit

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

from taxonomy.calibration import ABSTAIN_THRESHOLDS, CONFIDENCE, FEATURES  # noqa: E402
from taxonomy.confidence import calibrate, rates, title_features, top1  # noqa: E402
from taxonomy.normalizer import Normalizer  # noqa: E402

_EVAL = Path(__file__).resolve().parents[2] / "data" / "taxonomy" / "eval"


def _labelled(name: str, limit: int) -> tuple[list[str], list[str]]:
    with (_EVAL / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    return [r["text"] for r in rows], [r["isco"] for r in rows]


@pytest.fixture(scope="module")
def norm(tax: Taxonomy) -> Normalizer:
    return Normalizer(tax, threshold=0.0)


def test_model_uses_exactly_the_listed_features() -> None:
    assert set(CONFIDENCE) == {"bias", *FEATURES}
    assert all(0.0 < t < 1.0 for t in ABSTAIN_THRESHOLDS.values())


def test_confidence_is_a_probability_and_matches_the_normalizer(norm: Normalizer) -> None:
    texts, gold = _labelled("titles_calib.csv", 150)
    data = title_features(norm.index("occupation"), texts, gold)
    prob = norm.index("occupation").confidence(data.top, data.feats)
    assert np.isfinite(prob).all() and (prob >= 0).all() and (prob <= 1).all()
    score, isco = top1(data, CONFIDENCE)
    assert ((score >= 0) & (score <= 1)).all()
    for i in range(0, len(texts), 15):
        best = norm.normalize(texts[i]).best
        assert (best.isco if best else "") == isco[i]
        assert abs((best.score if best else 0.0) - score[i]) < 1e-6


def test_exact_alias_of_one_unit_group_is_confident(norm: Normalizer) -> None:
    result = Normalizer(norm.taxonomy).normalize("электрогазосварщик")
    assert not result.unknown and result.best is not None
    assert result.best.method == "exact" and result.best.score == 1.0 and result.best.isco == "7212"


def test_calibrate_is_deterministic(norm: Normalizer) -> None:
    sets = {"dev": _labelled("titles_dev.csv", 120), "calib": _labelled("titles_calib.csv", 250)}
    index = norm.index("occupation")
    first = calibrate(index, sets, target=0.05, folds=3)
    second = calibrate(index, sets, target=0.05, folds=3)
    assert first.weights == second.weights and first.threshold == second.threshold
    assert np.array_equal(first.oof_score, second.oof_score)
    assert set(first.part) == {"dev", "fix", "hold"}
    assert set(first.weights) == {"bias", *FEATURES}
    # the fix part is never scored out of fold: it is not part of fitting
    assert (first.oof_score[first.part == "fix"] == 0).all()
    m = first.part == "hold"
    r = rates(first.oof_score[m], first.oof_isco[m], first.data.gold[m], first.threshold)
    assert 0.0 <= r["wrong_confident"] <= 1.0 and 0.0 <= r["top1"] <= 1.0
