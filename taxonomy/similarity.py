"""Similarity between occupations from the ISCO-08 hierarchy and shared skills.

``sim(a, b) = h + (1 - h) * SKILL_WEIGHT * jaccard`` where

* ``h`` comes from the ISCO-08 hierarchy: the depth of the shared code prefix
  (``HIERARCHY_BY_DEPTH``: 0 digits -> 0, major group -> 0.15, sub-major -> 0.4,
  minor -> 0.6, unit group -> 0.85).  ISCO splits several fields into a
  professional sub-major group (major 2) and its associate-professional
  counterpart (major 3), e.g. 22 health professionals and 32 health associate
  professionals; such counterparts count as a shared sub-major group, so a doctor
  (2211) and a nurse (3221) are related.
* ``jaccard`` is the Jaccard index of the two skill sets (an occupation's own
  skills from ``occupation_skills.csv`` plus those listed for its unit group).

Identical codes score 1.  The score is symmetric and lies in [0, 1].

Codes may be Qonys occupation codes (``Q2330.01``), ESCO-imported codes
(``esco:2330.1``) or 4-digit ISCO unit groups (``2330``).  ESCO skill links are
not used: they live in a different skill vocabulary from the Qonys skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

from taxonomy.model import Taxonomy

__all__ = [
    "HIERARCHY_BY_DEPTH",
    "SKILL_WEIGHT",
    "OccupationSimilarity",
    "occupation_similarity",
    "similarity_matrix",
    "similarity_model",
]

#: Hierarchy score by the number of leading ISCO digits two codes share.
HIERARCHY_BY_DEPTH = np.array([0.0, 0.15, 0.4, 0.6, 0.85], dtype=np.float32)
#: How much of the remaining gap a full skill overlap closes.
SKILL_WEIGHT = np.float32(0.5)
# Professional sub-major groups and their associate-professional counterparts.
_COUNTERPARTS = {("21", "31"), ("22", "32"), ("24", "33"), ("25", "35"), ("26", "34")}


class OccupationSimilarity:
    """Precomputed ISCO digits and skill incidence for every code of a taxonomy.

    Parameters
    ----------
    taxonomy : Taxonomy
        Occupations, unit groups and occupation skills.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        codes = list(taxonomy.occupations) + [
            g.code for g in taxonomy.groups.values() if g.level == 4
        ]
        self.position = {code: i for i, code in enumerate(codes)}
        iscos = [taxonomy.isco_of(code) for code in codes]
        self.digits = np.array([[int(ch) for ch in isco] for isco in iscos], dtype=np.int8)
        sub_major = np.array([int(isco[:2]) for isco in iscos], dtype=np.int16)
        # Counterpart sub-major groups are given one shared "field" id.
        field = sub_major.copy()
        for prof, assoc in _COUNTERPARTS:
            field[sub_major == int(assoc)] = int(prof)
        self.field = field

        skill_pos: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, code in enumerate(codes):
            for skill in taxonomy.skills_of(code):
                if skill.startswith("esco:"):
                    continue
                rows.append(i)
                cols.append(skill_pos.setdefault(skill, len(skill_pos)))
        self.skills = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(codes), max(len(skill_pos), 1)),
        )
        self.n_skills = np.asarray(self.skills.sum(axis=1), dtype=np.float32).ravel()

    def indices(self, codes: Sequence[str]) -> np.ndarray:
        """Row indices of ``codes`` (``KeyError`` naming the first unknown code)."""
        try:
            return np.fromiter((self.position[c] for c in codes), dtype=np.int64, count=len(codes))
        except KeyError as exc:
            raise KeyError(f"unknown occupation code {exc.args[0]!r}") from None

    def block(self, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        """Similarity of rows ``ia`` × rows ``ib`` (vectorized, float32)."""
        equal = self.digits[ia][:, None, :] == self.digits[ib][None, :, :]
        depth = np.cumprod(equal, axis=2, dtype=np.int8).sum(axis=2)
        hierarchy = HIERARCHY_BY_DEPTH[depth]
        related = self.field[ia][:, None] == self.field[ib][None, :]
        hierarchy = np.maximum(hierarchy, np.where(related, HIERARCHY_BY_DEPTH[2], 0.0))

        inter = (self.skills[ia] @ self.skills[ib].T).toarray()
        union = self.n_skills[ia][:, None] + self.n_skills[ib][None, :] - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        sim = hierarchy + (1.0 - hierarchy) * SKILL_WEIGHT * jaccard
        sim[ia[:, None] == ib[None, :]] = 1.0
        return np.clip(sim, 0.0, 1.0).astype(np.float32)

    def matrix(self, codes_a: Sequence[str], codes_b: Sequence[str]) -> np.ndarray:
        """Similarity matrix ``len(codes_a)`` × ``len(codes_b)``; see :func:`similarity_matrix`."""
        ia = self.indices(codes_a)
        ib = self.indices(codes_b)
        # Thousands of vacancies share far fewer occupations: score the unique
        # codes once, then expand by indexing.
        ua, inv_a = np.unique(ia, return_inverse=True)
        ub, inv_b = np.unique(ib, return_inverse=True)
        return self.block(ua, ub)[np.ix_(inv_a, inv_b)]


@lru_cache(maxsize=4)
def similarity_model(taxonomy: Taxonomy) -> OccupationSimilarity:
    """Return the (cached) precomputed similarity model of ``taxonomy``."""
    return OccupationSimilarity(taxonomy)


def _model(taxonomy: Taxonomy | None) -> OccupationSimilarity:
    if taxonomy is None:
        from taxonomy.load import default_taxonomy

        taxonomy = default_taxonomy()
    return similarity_model(taxonomy)


def occupation_similarity(a: str, b: str, taxonomy: Taxonomy | None = None) -> float:
    """Similarity in [0, 1] of two occupations.

    Parameters
    ----------
    a, b : str
        Qonys occupation codes, ESCO-imported codes or 4-digit ISCO unit groups.
    taxonomy : Taxonomy, optional
        Default: :func:`taxonomy.load.default_taxonomy`.

    Returns
    -------
    float
        1 for identical codes; see the module docstring for the formula.

    Examples
    --------
    >>> occupation_similarity("2330", "2330")
    1.0
    >>> occupation_similarity("7212", "2330") < 0.15
    True
    """
    return float(_model(taxonomy).matrix([a], [b])[0, 0])


def similarity_matrix(
    codes_a: Sequence[str], codes_b: Sequence[str], taxonomy: Taxonomy | None = None
) -> np.ndarray:
    """Pairwise occupation similarities, vectorized.

    Parameters
    ----------
    codes_a, codes_b : sequence of str
        Occupation codes (any accepted form, repeats allowed).
    taxonomy : Taxonomy, optional
        Default: :func:`taxonomy.load.default_taxonomy`.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``(len(codes_a), len(codes_b))``.

    Examples
    --------
    >>> similarity_matrix(["2330", "7212"], ["2330"]).shape
    (2, 1)
    """
    return _model(taxonomy).matrix(codes_a, codes_b)
