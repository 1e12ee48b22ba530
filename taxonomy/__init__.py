"""Qonys skills and occupations taxonomy (kk/ru/en) with a title normalizer.

Public entry points: :func:`load_taxonomy` / :func:`default_taxonomy` to read the
tables, :class:`Normalizer` to map free text onto codes,
:func:`occupation_similarity` / :func:`similarity_matrix` to compare occupations,
and :func:`load_esco` / :func:`extend_with_esco` to import an ESCO release.
"""

from __future__ import annotations

from taxonomy.esco import EscoRelease, extend_with_esco, load_esco
from taxonomy.load import default_taxonomy, load_taxonomy
from taxonomy.model import Alias, IscoGroup, Occupation, Skill, Taxonomy
from taxonomy.normalizer import Candidate, Normalizer, NormalizeResult
from taxonomy.similarity import occupation_similarity, similarity_matrix
from taxonomy.textnorm import comparison_key

__all__ = [
    "Alias",
    "Candidate",
    "EscoRelease",
    "IscoGroup",
    "NormalizeResult",
    "Normalizer",
    "Occupation",
    "Skill",
    "Taxonomy",
    "comparison_key",
    "default_taxonomy",
    "extend_with_esco",
    "load_esco",
    "load_taxonomy",
    "occupation_similarity",
    "similarity_matrix",
]
