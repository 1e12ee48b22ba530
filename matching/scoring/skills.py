"""Skills and credentials in the occupation fit: codes as integer ids, implied credentials,
and the share of a vacancy's required skills a member holds.

Skill codes (``weld.naks.1``, ``lang.kk.B2``, ``lic.drive.CE``) are mapped to integer ids once
per frame build and kept as ``scipy.sparse`` CSR matrices (rows × skill ids), so coverage for
millions of (member, vacancy) pairs is a row-wise sparse product, not a Python loop.

A credential implies others (a CE licence includes C, C1, BE, B; ``implies`` in
data/taxonomy/skills.csv lists only direct implications). Members' skills are expanded with
the transitive closure; vacancies' required skills are kept as written. The implications and
labels come from the taxonomy when it can be loaded; without it no implication applies and
missing skills are named by their codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from matching.text import Text

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SkillFacts:
    """What the scorer knows about skill codes: direct implications and display labels."""

    implies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    labels: Mapping[str, Text] = field(default_factory=dict)


def taxonomy_skill_facts() -> SkillFacts:
    """Implications and kk/ru/en labels from the repository's taxonomy; empty if unavailable."""
    try:
        from taxonomy.load import default_taxonomy

        tax = default_taxonomy()
    except (ImportError, OSError, ValueError, KeyError):
        # Without the taxonomy no implication applies and codes stand in for labels.
        return SkillFacts()
    return SkillFacts(
        implies={code: s.implies for code, s in tax.skills.items()},
        labels={
            code: Text.each(partial(tax.label, code))
            for code in tax.skills
        },
    )


class SkillVocabulary:
    """Every skill code seen so far, with stable integer ids shared by households and vacancies.

    Parameters
    ----------
    facts
        Implications and labels, or a function producing them. ``None`` loads them from the
        taxonomy the first time a skill code is seen (programmes without skills never load it).
    """

    def __init__(self, facts: SkillFacts | Callable[[], SkillFacts] | None = None) -> None:
        self._facts_source: SkillFacts | Callable[[], SkillFacts] = (
            facts if facts is not None else taxonomy_skill_facts
        )
        self._facts: SkillFacts | None = facts if isinstance(facts, SkillFacts) else None
        self.codes: list[str] = []
        self._index: dict[str, int] = {}
        self._closure: dict[str, tuple[str, ...]] = {}

    @property
    def facts(self) -> SkillFacts:
        if self._facts is None:
            source = self._facts_source
            self._facts = source if isinstance(source, SkillFacts) else source()
        return self._facts

    def __len__(self) -> int:
        return len(self.codes)

    def index(self, codes: Iterable[str]) -> IntArray:
        """Ids of ``codes``, registering unseen ones."""
        out = []
        for code in codes:
            i = self._index.get(code)
            if i is None:
                i = self._index[code] = len(self.codes)
                self.codes.append(code)
            out.append(i)
        return np.array(out, dtype=np.int64)

    def closure(self, code: str) -> tuple[str, ...]:
        """``code`` and every code it implies, directly or through others."""
        known = self._closure.get(code)
        if known is not None:
            return known
        implies = self.facts.implies
        seen = {code: None}
        stack = [code]
        while stack:
            for nxt in implies.get(stack.pop(), ()):
                if nxt not in seen:
                    seen[nxt] = None
                    stack.append(nxt)
        out = self._closure[code] = tuple(seen)
        return out

    def label(self, code: str) -> Text:
        """Display label of a skill code; the code itself when the taxonomy does not know it."""
        return self.facts.labels.get(code) or Text.each(lambda _: code)

    def matrix(self, lists: pl.Series, *, implied: bool) -> sp.csr_matrix:
        """Rows × skill ids (1.0 where held) for a list-of-codes column.

        Parameters
        ----------
        lists
            One list of skill codes per row (null = none).
        implied
            Add every skill the codes imply (members' credentials) or keep them as written
            (vacancies' requirements).
        """
        n = len(lists)
        pairs = (
            pl.DataFrame({"_r": np.arange(n, dtype=np.int64), "code": lists})
            .explode("code")
            .drop_nulls("code")
        )
        if pairs.height == 0:
            return sp.csr_matrix((n, len(self.codes)), dtype=np.float64)
        unique = pairs["code"].unique(maintain_order=True).to_list()
        if implied:
            expanded = [(c, d) for c in unique for d in self.closure(c)]
            mapping = pl.DataFrame(
                {"code": [c for c, _ in expanded], "held": [d for _, d in expanded]},
                schema={"code": pl.Utf8, "held": pl.Utf8},
            )
        else:
            mapping = pl.DataFrame(
                {"code": unique, "held": unique}, schema={"code": pl.Utf8, "held": pl.Utf8}
            )
        held = mapping["held"].unique(maintain_order=True).to_list()
        ids = pl.DataFrame(
            {"held": held, "_id": self.index(held)}, schema={"held": pl.Utf8, "_id": pl.Int64}
        )
        joined = pairs.join(mapping, on="code").join(ids, on="held").unique(["_r", "_id"])
        rows = joined["_r"].to_numpy()
        cols = joined["_id"].to_numpy()
        return sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, len(self.codes))
        )


def skill_coverage(
    have: sp.csr_matrix, need: sp.csr_matrix, have_rows: IntArray, need_rows: IntArray
) -> FloatArray:
    """Share of each pair's required skills that are held, vectorized over pairs.

    Parameters
    ----------
    have
        Held skills, rows × skill ids (binary).
    need
        Required skills, rows × skill ids (binary).
    have_rows, need_rows
        One pair per entry; ``-1`` on either side (no member, no vacancy) gives 1.0.

    Returns
    -------
    numpy.ndarray
        Coverage in [0, 1]; 1.0 when nothing is required.
    """
    have_rows = np.asarray(have_rows, dtype=np.int64)
    need_rows = np.asarray(need_rows, dtype=np.int64)
    out = np.ones(have_rows.shape, dtype=np.float64)
    if need.nnz == 0 or out.size == 0:
        return out
    n_req = np.diff(need.indptr).astype(np.int64)
    req = np.where(need_rows >= 0, n_req[np.maximum(need_rows, 0)], 0)
    sel = np.flatnonzero((have_rows >= 0) & (req > 0))
    if sel.size == 0:
        return out
    held = _held(have, need, have_rows[sel], need_rows[sel], req[sel])
    out[sel] = np.clip(held / req[sel], 0.0, 1.0)
    return out


def _held(
    have: sp.csr_matrix, need: sp.csr_matrix, have_rows: IntArray, need_rows: IntArray,
    req: IntArray,
) -> FloatArray:  # fmt: skip
    """Row-wise sum of ``have[have_rows] ⊙ need[need_rows]`` (for binary matrices: how many
    required skills are held), by looking each required skill up in the held ones.

    Slicing both matrices by the pairs' rows (scipy fancy indexing) cost more than the
    scoring around it for a request's few thousand pairs; here every required skill of a pair
    is one binary search in the held (row, skill) keys, which are sorted because CSR rows are.
    """
    held = np.zeros(len(need_rows), dtype=np.float64)
    if have.nnz == 0:
        return held
    if not have.has_sorted_indices:
        have = have.sorted_indices()
    owner = np.repeat(np.arange(len(need_rows), dtype=np.int64), req)
    first = np.cumsum(req) - req
    pos = np.repeat(need.indptr[need_rows].astype(np.int64), req) + (
        np.arange(len(owner), dtype=np.int64) - np.repeat(first, req)
    )
    k = int(max(have.shape[1], need.shape[1])) + 1
    lengths = np.diff(have.indptr).astype(np.int64)
    keys = np.repeat(np.arange(have.shape[0], dtype=np.int64), lengths) * k + have.indices
    wanted = have_rows[owner] * k + need.indices[pos].astype(np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[at] == wanted
    weight = np.where(found, have.data[at] * need.data[pos], 0.0)
    return held + np.bincount(owner, weights=weight, minlength=len(need_rows))


@dataclass(frozen=True)
class SkillContext:
    """The matrices an evaluation used, kept to name the missing skills of one option."""

    have: sp.csr_matrix  # household earner slots × skill ids (row = household row · slots + slot)
    need: sp.csr_matrix  # vacancies × skill ids
    vocabulary: SkillVocabulary

    def held(self, have_row: int, need_row: int) -> list[str]:
        """Codes a vacancy requires that the slot holds (vacancy order of ids)."""
        if need_row < 0 or need_row >= self.need.shape[0] or have_row < 0:
            return []
        held = self._have(have_row).intersection(self._need(need_row))
        return [self.vocabulary.codes[i] for i in sorted(held)]

    def missing(self, have_row: int, need_row: int) -> list[str]:
        """Codes a vacancy requires that the slot does not hold (vacancy order of ids)."""
        if need_row < 0 or need_row >= self.need.shape[0]:
            return []
        need = set(self._need(need_row))
        if have_row >= 0:
            need -= self._have(have_row)
        return [self.vocabulary.codes[i] for i in sorted(need)]

    # An option's few skill ids as Python sets: cheaper than numpy set operations on them.
    def _need(self, row: int) -> list[int]:
        return self.need.indices[self.need.indptr[row] : self.need.indptr[row + 1]].tolist()

    def _have(self, row: int) -> set[int]:
        return set(self.have.indices[self.have.indptr[row] : self.have.indptr[row + 1]].tolist())
