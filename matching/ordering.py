"""Sort orders over several keys, as :func:`numpy.lexsort` gives them, computed faster.

``np.lexsort`` sorts once per key; on the few thousand candidate options of a ranked request
that cost about 0.4 ms per call, several calls per request. :func:`lex_order` turns the keys
into one integer key (each key replaced by its rank among its own values, then combined in
mixed radix) and sorts that once, stably: the same permutation, ties included. When the
combined key would not fit in 63 bits it falls back to ``np.lexsort``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

_LIMIT = 2**62


def _ranks(key: npt.NDArray[np.generic]) -> tuple[IntArray, int]:
    """Each value's rank among the key's values (equal values, equal rank) and how many
    ranks there are."""
    if key.dtype.kind in "iub":
        k = key.astype(np.int64, copy=False)
        low = int(k.min())
        return k - low, int(k.max()) - low + 1
    values, inverse = np.unique(key, return_inverse=True)
    return inverse.ravel().astype(np.int64, copy=False), len(values)


def lex_order(keys: Sequence[npt.ArrayLike]) -> IntArray:
    """``np.lexsort(keys)``: the permutation sorting by the last key, then the one before …;
    rows equal in every key keep their order."""
    arrays = [np.asarray(k) for k in keys]
    n = len(arrays[0]) if arrays else 0
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    combined = np.zeros(n, dtype=np.int64)
    scale = 1
    for key in arrays:  # the first key varies fastest, as in np.lexsort
        ranks, count = _ranks(key)
        if scale * count >= _LIMIT:
            return np.lexsort(arrays).astype(np.int64)
        combined += ranks * scale
        scale *= count
    return np.argsort(combined, kind="stable").astype(np.int64, copy=False)
