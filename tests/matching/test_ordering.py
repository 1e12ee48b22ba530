"""lex_order gives np.lexsort's permutation, ties included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ordering import lex_order


@st.composite
def key_sets(draw: st.DrawFn) -> list[np.ndarray]:
    n = draw(st.integers(0, 60))
    keys = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["small int", "wide int", "float", "bool"]))
        if kind == "small int":
            values = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
            keys.append(np.array(values, dtype=np.int64))
        elif kind == "wide int":
            values = draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n))
            keys.append(np.array(values, dtype=np.int64))
        elif kind == "float":
            # Few distinct values (ties), both zeros, negatives.
            pool = st.sampled_from([0.0, -0.0, 0.25, -1.5, 1e-12, 0.9600317542988154])
            keys.append(np.array(draw(st.lists(pool, min_size=n, max_size=n)), dtype=np.float64))
        else:
            keys.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool))
    return keys


@settings(max_examples=400, deadline=None)
@given(key_sets())
def test_the_same_permutation_as_lexsort(keys: list[np.ndarray]) -> None:
    assert lex_order(keys).tolist() == np.lexsort(keys).tolist()


def test_keys_too_wide_for_one_integer_fall_back() -> None:
    rng = np.random.default_rng(0)
    keys = [rng.integers(-(2**40), 2**40, 500) for _ in range(3)]
    assert lex_order(keys).tolist() == np.lexsort(keys).tolist()
