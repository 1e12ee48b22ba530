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
