"""Occupation similarity: the taxonomy's matrix when available, an ISCO-hierarchy fallback.

The scorer needs ``similarity(codes_a, codes_b) -> ndarray`` in [0, 1]. It is injected so that
the matching library can run (and be tested) with any similarity; :class:`OccupationSpace`
caches the matrix over every code seen so that scoring gathers from it with integer indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from matching.scoring.skills import SkillFacts, SkillVocabulary

SimilarityFn = Callable[[Sequence[str], Sequence[str]], npt.NDArray[np.float64]]

# Similarity by the deepest shared ISCO-08 level (unit, minor, sub-major, major group).
# Values are a judgement, not a measurement: same unit group is a near-substitute; the same
# major group still shares general skills.
_ISCO_LEVEL_SIMILARITY = np.array([0.0, 0.15, 0.4, 0.7, 0.95], dtype=np.float64)


def isco_unit(code: str) -> str:
    """The 4-digit ISCO-08 unit group of a taxonomy code ("Q2330.01" → "2330")."""
    digits = code[1:] if code[:1] in ("Q", "q") else code
    return digits.split(".", 1)[0][:4]


def isco_prefix_similarity(
    codes_a: Sequence[str], codes_b: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Similarity from the deepest shared ISCO-08 level; identical codes score 1.

    Examples
    --------
    >>> isco_prefix_similarity(["2330", "7212"], ["2330", "2341"]).round(2).tolist()
    [[1.0, 0.4], [0.0, 0.0]]
    """
    units_a = [isco_unit(c) for c in codes_a]
    units_b = [isco_unit(c) for c in codes_b]
    depth = np.zeros((len(units_a), len(units_b)), dtype=np.int64)
    for level in range(1, 5):
        pa = np.array([u[:level] for u in units_a], dtype=object)
        pb = np.array([u[:level] for u in units_b], dtype=object)
        depth = np.where(pa[:, None] == pb[None, :], level, depth)
    sim = _ISCO_LEVEL_SIMILARITY[depth]
    same = np.array(codes_a, dtype=object)[:, None] == np.array(codes_b, dtype=object)[None, :]
    return np.where(same, 1.0, sim)


def default_similarity() -> SimilarityFn:
    """The taxonomy's ``similarity_matrix`` when that module is installed, else the fallback."""
    try:
        from taxonomy.similarity import similarity_matrix
    except ImportError:
        return isco_prefix_similarity
    fn: SimilarityFn = similarity_matrix
    return fn


class OccupationSpace:
    """Every occupation code seen so far, with their pairwise similarity cached.

    Codes get stable integer positions; the matrix grows when unseen codes arrive, so
    building it costs one similarity call per batch of new codes. The space also carries the
    skill vocabulary, so households and vacancies indexed with one space share skill ids.
    """

    def __init__(
        self,
        similarity: SimilarityFn | None = None,
        codes: Iterable[str] = (),
        *,
        skills: SkillVocabulary | SkillFacts | None = None,
    ) -> None:
        self.similarity: SimilarityFn = similarity or default_similarity()
        self.skills: SkillVocabulary = (
            skills if isinstance(skills, SkillVocabulary) else SkillVocabulary(skills)
        )
        self.codes: list[str] = []
        self._index: dict[str, int] = {}
        self.matrix: npt.NDArray[np.float64] = np.zeros((0, 0), dtype=np.float64)
        self.add(codes)

    def add(self, codes: Iterable[str]) -> None:
        """Register codes (duplicates and known codes are ignored)."""
        new = [c for c in dict.fromkeys(codes) if c not in self._index]
        if not new:
            return
        for code in new:
            self._index[code] = len(self.codes)
            self.codes.append(code)
        sim = np.asarray(self.similarity(self.codes, self.codes), dtype=np.float64)
        self.matrix = np.clip(sim, 0.0, 1.0)

    def index(self, codes: Iterable[str | None]) -> npt.NDArray[np.int64]:
        """Positions of ``codes`` (registering unseen ones); ``None`` gives -1."""
        codes = list(codes)
        self.add(c for c in codes if c is not None)
        return np.array([-1 if c is None else self._index[c] for c in codes], dtype=np.int64)

    def lookup(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Similarity for paired index arrays; -1 on either side gives 0."""
        ok = (a >= 0) & (b >= 0)
        out = np.zeros(np.broadcast(a, b).shape, dtype=np.float64)
        if self.matrix.size:
            out = np.where(ok, self.matrix[np.maximum(a, 0), np.maximum(b, 0)], 0.0)
        return out
