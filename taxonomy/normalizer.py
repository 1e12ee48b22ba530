"""Map free-text occupation titles and skill names onto taxonomy codes.

How a text is scored
--------------------
Every alias of the taxonomy (titles, feminine forms, abbreviations, misspellings,
variants, colloquial names, ISCO unit-group titles) and every query is reduced to a
comparison key by :func:`taxonomy.textnorm.comparison_key`: noise stripped,
abbreviations expanded, scripts folded, endings stripped, words sorted.

1. **exact** — the key (or the key with its spaces removed) is an alias key.
2. Otherwise the key is compared with all alias keys by cosine similarity of
   character n-gram TF-IDF vectors (one sparse matrix product); the best
   ``_SHORTLIST`` alias keys are re-scored with rapidfuzz (``fuzz.ratio``, for
   typos) and by word coverage (share of the alias's words present in the query and
   the other way round, from a sparse word-incidence product); the similarities are
   blended with :data:`WEIGHTS`.
   The method is **fuzzy** when the edit-distance score decides, else **ngram**.

An alias key shared by occupations of several ISCO unit groups is ambiguous; its
score is divided by the number of groups.  A result whose best score is below the
calibrated threshold (:mod:`taxonomy.calibration`) is returned as unknown.

The batch form dedupes texts and keys, then runs the same steps chunk by chunk as
matrix operations (sparse products, ``argpartition``, ``rapidfuzz.process.cpdist``),
so there is no Python loop over (text, alias) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.process import cdist, cpdist
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from taxonomy.calibration import (
    ABSTAIN_THRESHOLDS,
    CONFIDENCE,
    SKILL_ABSTAIN_THRESHOLD,
)
from taxonomy.model import Alias, Taxonomy
from taxonomy.textnorm import Kind, compact_key, comparison_key, script_class

__all__ = ["Candidate", "Method", "NormalizeResult", "Normalizer"]

Method = Literal["exact", "fuzzy", "ngram"]

# How many alias keys the n-gram stage hands to rapidfuzz for each query.
_SHORTLIST = 24
# Blend of the similarities (weights sum to 1); chosen on titles_dev.csv.
# cosine: character n-gram TF-IDF; ratio: rapidfuzz edit similarity of the keys;
# alias/query coverage: share of the alias's / the query's words found in the other.
WEIGHTS: dict[str, float] = {"cosine": 0.4, "ratio": 0.3, "alias_cov": 0.15, "query_cov": 0.15}
_CHUNK = 1024
_SOFTMAX_SCALE = 10.0
# Weights of the extra text in a unit group's word profile, against 1 per alias key:
# a minor-group title word describes several unit groups, a description word is one
# of many in a long definition.
_MINOR_TITLE_WEIGHT = 0.5
_DESCRIPTION_WEIGHT = 0.3
# How many unit groups, best by word profile, put their own title key into each
# query's shortlist.
_PROFILE_INJECT = 3
# Factor on a skill candidate whose grade marks differ from the query's.
_MARK_MISMATCH = 0.3
# Words of at least this many letters that no alias uses are corrected to the
# nearest alias word when rapidfuzz's ratio is at least the cutoff.
_MIN_CORRECTABLE = 5
_CORRECTION_CUTOFF = 85
# Most suggestions (distinct unit groups) returned with an abstention.
_SUGGESTIONS = 3
_KIND_PRIORITY = {
    "title": 0,
    "feminine": 1,
    "variant": 2,
    "abbreviation": 3,
    "colloquial": 4,
    "misspelling": 5,
    "group": 6,
}


@dataclass(frozen=True)
class Candidate:
    """One ranked answer: a taxonomy code with its ISCO unit group and score in [0, 1]."""

    code: str
    isco: str
    label: str
    score: float
    method: Method


@dataclass(frozen=True)
class NormalizeResult:
    """Ranked candidates for one text, or ``unknown=True`` with no candidates.

    When the normalizer abstains (``unknown``), ``suggestions`` still holds its best
    guesses, at most three, each in a different ISCO unit group, best first, so a
    clerk can pick one; they are below ``threshold`` and must not be used
    unattended.  ``threshold`` is the abstain threshold that applied to this text
    (it depends on the text's script for occupations).
    """

    text: str
    kind: Kind
    candidates: tuple[Candidate, ...]
    unknown: bool
    suggestions: tuple[Candidate, ...] = ()
    threshold: float = 0.0

    @property
    def best(self) -> Candidate | None:
        """The top candidate, or ``None`` when the text is unknown."""
        return self.candidates[0] if self.candidates else None


@dataclass
class _Scored:
    """Per-query best keys from the shortlist stage (arrays are n_queries × width)."""

    key_idx: np.ndarray  # int64, alias-key index, -1 for empty slots
    score: np.ndarray  # float64 in [0, 1], already divided by ambiguity
    fuzzy: np.ndarray  # bool, rapidfuzz decided the score
    exact: np.ndarray  # bool per query


def _is_mark(token: str) -> bool:
    return token.startswith("#") and token not in ("#category", "#grade", "#group")


class _KindIndex:
    """Indexes over the alias keys of one kind (occupation or skill), built once."""

    def __init__(self, taxonomy: Taxonomy, kind: Kind) -> None:
        self.kind = kind
        aliases: list[Alias] = list(
            taxonomy.occupation_aliases if kind == "occupation" else taxonomy.skill_aliases
        )
        if kind == "occupation":
            for group in taxonomy.groups.values():
                if group.level == 4:
                    aliases += [
                        Alias(group.code, t, lang, "group")
                        for lang, t in (
                            ("en", group.title_en),
                            ("ru", group.title_ru),
                            ("kk", group.title_kk),
                        )
                        if t
                    ]
        codes: list[str] = []
        code_pos: dict[str, int] = {}
        by_key: dict[str, list[tuple[int, int, str]]] = {}
        for alias in aliases:
            key = comparison_key(alias.alias, kind)
            if not key:
                continue
            if alias.code not in code_pos:
                code_pos[alias.code] = len(codes)
                codes.append(alias.code)
            rank = _KIND_PRIORITY.get(alias.kind, 5)
            by_key.setdefault(key, []).append((rank, code_pos[alias.code], alias.lang))

        self.codes = codes
        if kind == "occupation":
            self.iscos = [taxonomy.isco_of(c) for c in codes]
        else:
            self.iscos = ["" for _ in codes]
        self.labels = {
            lang: [taxonomy.label(c, lang) for c in codes] for lang in ("kk", "kk_latn", "ru", "en")
        }
        self.keys = list(by_key)
        # Codes of each key, best alias kind first (CSR layout), and the number of
        # distinct ISCO groups among them: the ambiguity divisor.
        indptr = [0]
        members: list[int] = []
        ambiguity = np.ones(len(self.keys), dtype=np.float64)
        for i, key in enumerate(self.keys):
            ranked = sorted(by_key[key])
            ordered = list(dict.fromkeys(code for _, code, _ in ranked))
            members += ordered
            indptr.append(len(members))
            if kind == "occupation":
                ambiguity[i] = len({self.iscos[c] for c in ordered})
            else:
                ambiguity[i] = len(ordered)
        self.key_indptr = np.asarray(indptr, dtype=np.int64)
        self.key_codes = np.asarray(members, dtype=np.int64)
        self.key_primary = self.key_codes[self.key_indptr[:-1]]
        self.key_ambiguity = ambiguity
        isco_ids = {isco: i for i, isco in enumerate(sorted(set(self.iscos)))}
        code_isco = np.asarray([isco_ids[i] for i in self.iscos], dtype=np.int64)
        self.key_primary_isco = (
            code_isco[self.key_primary] if len(self.keys) else np.zeros(0, dtype=np.int64)
        )
        self.exact: dict[str, int] = {}
        for i, key in enumerate(self.keys):
            self.exact.setdefault(key, i)
        for i, key in enumerate(self.keys):
            self.exact.setdefault(compact_key(key), i)

        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32
        )
        matrix = self.vectorizer.fit_transform(self.keys)
        self.key_matrix_t = sparse.csr_matrix(matrix.T)
        self._vocabulary: dict[str, int] = self.vectorizer.vocabulary_
        self._idf = self.vectorizer.idf_.astype(np.float32)
        self._analyzer = self.vectorizer.build_analyzer()
        self.keys_array = np.asarray(self.keys, dtype=object)
        self.token_vocab: dict[str, int] = {}
        tok_rows: list[int] = []
        tok_cols: list[int] = []
        for i, key in enumerate(self.keys):
            for tok in key.split():
                tok_rows.append(i)
                tok_cols.append(self.token_vocab.setdefault(tok, len(self.token_vocab)))
        n_vocab = max(len(self.token_vocab), 1)
        incidence = sparse.csr_matrix(
            (np.ones(len(tok_rows), dtype=np.float64), (tok_rows, tok_cols)),
            shape=(len(self.keys), n_vocab),
        )
        # Word weights: generic words ("специалист", "рабочий") shared by many
        # aliases say little, so coverage counts them less.
        df = np.asarray(incidence.sum(axis=0)).ravel()
        self.token_idf = np.log((1.0 + len(self.keys)) / (1.0 + df)) + 1.0
        self.unknown_idf = float(np.log(1.0 + len(self.keys)) + 1.0)
        weighted = incidence.multiply(self.token_idf[None, :]).tocsr()
        self.key_tokens_t = sparse.csr_matrix(weighted.T)
        self.key_mass = np.asarray(weighted.sum(axis=1), dtype=np.float64).ravel()
        self.vocab_tokens = np.asarray(list(self.token_vocab), dtype=object)
        # Grade marks ("#c" for licence C, "#iii" for group III) must agree exactly:
        # licence B is not licence C however similar the texts are.
        mark_cols = np.asarray(
            [j for t, j in self.token_vocab.items() if _is_mark(t)], dtype=np.int64
        )
        self.mark_cols = mark_cols
        marks = incidence[:, mark_cols] if mark_cols.size else None
        self.key_marks_t = sparse.csr_matrix(marks.T) if marks is not None else None
        self.key_n_marks = (
            np.asarray(marks.sum(axis=1)).ravel() if marks is not None else np.zeros(len(self.keys))
        )
        self.isco_list = sorted(set(self.iscos))
        self.code_isco = code_isco
        if kind == "occupation":
            self._build_profiles(taxonomy)

    # ------------------------------------------------------------ group profiles
    def _build_profiles(self, taxonomy: Taxonomy) -> None:
        """Word profiles of the ISCO unit groups, for titles of occupations no alias names.

        A title of an unknown occupation rarely looks like one alias, but its words
        usually belong to one unit group ("машинист бульдозера": other machine
        operators of 8342 say машинист, other earthmoving aliases say бульдозер).  Each
        unit group gets a TF-IDF vector over the words of every alias key of its
        occupations and its own title, plus, with less weight, the titles of its minor
        group (the 3-digit level says what the 4-digit groups share) and, when an ESCO
        release was imported, the ISCO-08 description of the group.  Head words are
        the words that name an occupation alone (a one-word alias key: "машинист",
        "operator", "слесарь"); a title's head-word profile score is kept apart from
        the one over all its words, so the model can weigh the occupation word and its
        qualifiers differently.
        """
        groups = self.isco_list
        pos = {g: i for i, g in enumerate(groups)}
        counts: dict[tuple[int, str], float] = {}
        heads: set[str] = set()
        for i, key in enumerate(self.keys):
            words = key.split()
            if len(words) == 1:
                heads.add(words[0])
            members = self.key_codes[self.key_indptr[i] : self.key_indptr[i + 1]]
            for g in {int(self.code_isco[c]) for c in members}:
                for tok in words:
                    counts[(g, tok)] = counts.get((g, tok), 0.0) + 1.0
        extra: list[tuple[int, str, float]] = []
        for group in taxonomy.groups.values():
            if group.level == 3:
                children = [pos[g] for g in groups if g[:3] == group.code]
                for title in (group.title_en, group.title_ru, group.title_kk):
                    for tok in set(comparison_key(title).split()) if title else ():
                        extra += [(g, tok, _MINOR_TITLE_WEIGHT) for g in children]
            elif group.level == 4 and group.description_en and group.code in pos:
                for tok in set(comparison_key(group.description_en).split()):
                    extra.append((pos[group.code], tok, _DESCRIPTION_WEIGHT))
        for g, tok, w in extra:
            counts[(g, tok)] = counts.get((g, tok), 0.0) + w
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for (g, tok), c in counts.items():
            rows.append(g)
            cols.append(vocab.setdefault(tok, len(vocab)))
            vals.append(np.log1p(c))
        n_vocab = max(len(vocab), 1)
        matrix = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(groups), n_vocab)
        )
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=n_vocab)
        self.profile_idf = np.log((1.0 + len(groups)) / (1.0 + df)) + 1.0
        matrix = sparse.csr_matrix(matrix.multiply(self.profile_idf[None, :]))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = sparse.csr_matrix(sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix)
        self.profile_t = sparse.csr_matrix(matrix.T)
        self.profile_vocab = vocab
        self.profile_head = np.zeros(n_vocab, dtype=bool)
        for tok in heads:
            if tok in vocab:
                self.profile_head[vocab[tok]] = True
        # Keys of each unit group's own titles (up to three languages), so the best
        # groups by profile always reach the shortlist.
        title_keys = np.full((len(groups), 3), -1, dtype=np.int64)
        for group in taxonomy.groups.values():
            if group.level == 4 and group.code in pos:
                found = [
                    self.exact[k]
                    for t in (group.title_en, group.title_ru, group.title_kk)
                    if t and (k := comparison_key(t)) in self.exact
                ]
                for j, k_idx in enumerate(dict.fromkeys(found)):
                    title_keys[pos[group.code], j] = k_idx
        self.group_title_keys = title_keys

    def profile_scores(self, corrected: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of each query with every unit-group profile: all words, head words only.

        Returns two ``(n_queries, n_groups)`` arrays in the order of ``isco_list``.
        """
        rows: list[int] = []
        cols: list[int] = []
        vocab = self.profile_vocab
        for i, key in enumerate(corrected):
            for tok in set(key.split()):
                j = vocab.get(tok)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        c = np.asarray(cols, dtype=np.int64)
        r = np.asarray(rows, dtype=np.int64)
        shape = (len(corrected), len(vocab) or 1)
        out = []
        for keep in (np.ones(c.size, dtype=bool), self.profile_head[c] if c.size else c.astype(bool)):
            vals = self.profile_idf[c[keep]]
            q = sparse.csr_matrix((vals, (r[keep], c[keep])), shape=shape)
            norm = np.sqrt(np.asarray(q.multiply(q).sum(axis=1)).ravel())
            scores = (q @ self.profile_t).toarray() / np.maximum(norm, 1e-12)[:, None]
            out.append(scores)
        return out[0], out[1]

    # ---------------------------------------------------------------- scoring
    def _vectorize(self, keys: Sequence[str]) -> sparse.csr_matrix:
        # Same weighting as TfidfVectorizer.transform (sublinear tf, idf, l2) without
        # its per-call validation overhead, which dominates single-title latency.
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        vocab = self._vocabulary
        for key in keys:
            counts: dict[int, int] = {}
            for gram in self._analyzer(key):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts))))
            vals = vals * self._idf[cols]
            norm = float(np.sqrt(np.dot(vals, vals)))
            if norm > 0:
                vals = vals / norm
            indices += cols.tolist()
            data += vals.tolist()
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(keys), len(self._vocabulary)),
        )

    def _token_matrix(
        self, keys: Sequence[str]
    ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """Binary word incidence of query keys, each query's word weight mass, the
        part of that mass carried by words no alias uses, and the number of words."""
        rows: list[int] = []
        cols: list[int] = []
        mass = np.zeros(len(keys), dtype=np.float64)
        unknown = np.zeros(len(keys), dtype=np.float64)
        n_words = np.zeros(len(keys), dtype=np.float64)
        for i, key in enumerate(keys):
            for tok in key.split():
                n_words[i] += 1.0
                j = self.token_vocab.get(tok)
                if j is None:
                    mass[i] += self.unknown_idf
                    unknown[i] += self.unknown_idf
                else:
                    mass[i] += self.token_idf[j]
                    rows.append(i)
                    cols.append(j)
        matrix = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)),
            shape=(len(keys), self.key_tokens_t.shape[0]),
        )
        mass = np.maximum(mass, 1e-9)
        return matrix, mass, unknown / mass, n_words

    def _correct(self, keys: Sequence[str], mask: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Correct words unknown to the aliases; confidence is the worst word similarity."""
        unknown = sorted(
            {
                tok
                for k, m in zip(keys, mask, strict=True)
                if m
                for tok in k.split()
                if len(tok) >= _MIN_CORRECTABLE and tok not in self.token_vocab
            }
        )
        fix: dict[str, tuple[str, float]] = {}
        if unknown and self.vocab_tokens.size:
            for start in range(0, len(unknown), _CHUNK):
                part = unknown[start : start + _CHUNK]
                sim = cdist(
                    part,
                    self.vocab_tokens,
                    scorer=fuzz.ratio,
                    score_cutoff=_CORRECTION_CUTOFF,
                    dtype=np.uint8,
                    workers=-1,
                )
                best = sim.argmax(axis=1)
                best_sim = sim[np.arange(len(part)), best]
                for tok, j, value in zip(part, best, best_sim, strict=True):
                    if value >= _CORRECTION_CUTOFF:
                        fix[tok] = (str(self.vocab_tokens[j]), float(value) / 100.0)
        corrected: list[str] = []
        confidence = np.ones(len(keys), dtype=np.float64)
        for i, key in enumerate(keys):
            if not mask[i] or not fix:
                corrected.append(key)
                continue
            words = []
            for tok in key.split():
                new, value = fix.get(tok, (tok, 1.0))
                words.append(new)
                confidence[i] = min(confidence[i], value)
            corrected.append(" ".join(sorted(set(words))))
        return corrected, confidence

    def shortlist_features(
        self,
        keys: Sequence[str],
        corrected: Sequence[str],
        corrected_hit: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Shortlisted alias keys per query and the similarity features of each pair.

        ``corrected_hit`` is ``(key index or -1, correction similarity)`` per query:
        the alias key the query becomes once its unknown words are corrected.  That
        key always enters the shortlist and is marked by the ``corrected_hit``
        feature (the similarity of the worst corrected word), so the model, not a
        fixed rule, decides how far a corrected hit is trusted: an unknown word is
        as often a different occupation's word as a typo.

        Returns the ``(n, shortlist)`` alias-key indices and, for each feature name
        (see :data:`taxonomy.calibration.FEATURES`), an ``(n, shortlist)`` float array.
        """
        short = min(_SHORTLIST, len(self.keys))
        cos = (self._vectorize(keys) @ self.key_matrix_t).toarray()
        profiled = self.kind == "occupation"
        if profiled:
            prof, prof_head = self.profile_scores(corrected)
            rank_by = cos.copy()
            n_inject = min(_PROFILE_INJECT, prof.shape[1])
            best_groups = np.argpartition(-prof, n_inject - 1, axis=1)[:, :n_inject]
            # The best title key of each of the best groups by profile enters the
            # shortlist whatever its n-gram similarity (cosine is at most 1).
            cand = self.group_title_keys[best_groups]  # n × inject × 3
            safe = np.maximum(cand, 0)
            cand_cos = np.where(cand >= 0, np.take_along_axis(
                cos, safe.reshape(len(keys), -1), axis=1
            ).reshape(cand.shape), -1.0)
            pick = np.take_along_axis(cand, cand_cos.argmax(axis=2)[:, :, None], axis=2)[:, :, 0]
            rows_idx = np.repeat(np.arange(len(keys)), n_inject)
            ok = pick.ravel() >= 0
            rank_by[rows_idx[ok], pick.ravel()[ok]] += 2.0
        else:
            rank_by = cos
        if corrected_hit is not None:
            hit_rows = np.flatnonzero(corrected_hit[0] >= 0)
            if hit_rows.size:
                if rank_by is cos:
                    rank_by = cos.copy()
                rank_by[hit_rows, corrected_hit[0][hit_rows]] += 4.0
        if short < cos.shape[1]:
            top = np.argpartition(-rank_by, short - 1, axis=1)[:, :short]
        else:
            top = np.broadcast_to(np.arange(cos.shape[1]), (len(keys), cos.shape[1]))
        top_cos = np.take_along_axis(cos, top, axis=1).astype(np.float64)
        queries = np.repeat(np.asarray(keys, dtype=object), short)
        choices = self.keys_array[top.ravel()]
        ratio = cpdist(queries, choices, scorer=fuzz.ratio, workers=-1).reshape(top.shape)
        ratio = ratio.astype(np.float64) / 100.0
        tok_matrix, query_mass, unknown_share, n_words = self._token_matrix(corrected)
        shared = np.take_along_axis((tok_matrix @ self.key_tokens_t).toarray(), top, axis=1)
        alias_cov = np.minimum(shared / self.key_mass[top], 1.0)
        query_cov = np.minimum(shared / query_mass[:, None], 1.0)
        blended = (
            WEIGHTS["cosine"] * top_cos
            + WEIGHTS["ratio"] * ratio
            + WEIGHTS["alias_cov"] * alias_cov
            + WEIGHTS["query_cov"] * query_cov
        ) / self.key_ambiguity[top]
        top_isco = self.key_primary_isco[top]
        best = blended.max(axis=1, keepdims=True)
        if self.key_marks_t is not None:
            q_marks = tok_matrix[:, self.mark_cols]
            shared_marks = np.take_along_axis((q_marks @ self.key_marks_t).toarray(), top, axis=1)
            n_q = np.asarray(q_marks.sum(axis=1)).ravel()[:, None]
            agree = (shared_marks == n_q) & (shared_marks == self.key_n_marks[top])
        else:
            agree = np.ones(top.shape, dtype=bool)
        # Share of the shortlist's evidence (softmax of the blend) that falls on the
        # pair's unit group: several aliases of one group agreeing is surer, and a
        # close runner-up from another group makes the answer a guess.
        weight = np.exp(_SOFTMAX_SCALE * (blended - best))
        same = top_isco[:, :, None] == top_isco[:, None, :]
        group_share = (same * weight[:, None, :]).sum(axis=2) / weight.sum(axis=1, keepdims=True)
        # Margin of the pair's unit group over the best other group in the shortlist
        # (by blend); a lone group in the shortlist gets its own best blend.
        own_best = np.where(same, blended[:, None, :], -np.inf).max(axis=2)
        other = np.where(~same, blended[:, None, :], -np.inf).max(axis=2)
        group_margin = own_best - np.where(np.isfinite(other), other, 0.0)
        gaps = {}
        for name, value in (("alias_cov", alias_cov), ("query_cov", query_cov)):
            own = np.where(same, value[:, None, :], -np.inf).max(axis=2)
            rival = np.where(~same, value[:, None, :], -np.inf).max(axis=2)
            gaps[name] = own - np.where(np.isfinite(rival), rival, 0.0)
        feats = {
            "marks_agree": agree.astype(np.float64),
            "blended": blended,
            "isco": top_isco.astype(np.float64),
            "cosine": top_cos,
            "ratio": ratio,
            "alias_cov": alias_cov,
            "query_cov": query_cov,
            "group_share": group_share,
            "behind": blended - best,
            "group_margin": group_margin,
            "alias_cov_gap": gaps["alias_cov"],
            "query_cov_gap": gaps["query_cov"],
            "unknown_share": np.broadcast_to(unknown_share[:, None], top.shape),
            "log_words": np.broadcast_to(np.log1p(n_words)[:, None], top.shape),
        }
        if corrected_hit is not None:
            feats["corrected_hit"] = np.where(
                top == corrected_hit[0][:, None], corrected_hit[1][:, None], 0.0
            )
        else:
            feats["corrected_hit"] = np.zeros(top.shape)
        if profiled:
            # Word-profile evidence for the pair's unit group: its score, the score over
            # head words only, and its margin over the best other group of all groups.
            pair_prof = np.take_along_axis(prof, top_isco, axis=1)
            two = -np.partition(-prof, 1, axis=1)[:, :2] if prof.shape[1] > 1 else np.hstack(
                [prof, np.zeros_like(prof)]
            )
            is_best = pair_prof >= two[:, :1]
            feats["profile"] = pair_prof
            feats["profile_head"] = np.take_along_axis(prof_head, top_isco, axis=1)
            feats["profile_gap"] = pair_prof - np.where(is_best, two[:, 1:2], two[:, :1])
        else:
            zeros = np.zeros(top.shape)
            feats.update(profile=zeros, profile_head=zeros, profile_gap=zeros)
        return top, feats

    def confidence(
        self,
        top: np.ndarray,
        feats: dict[str, np.ndarray],
        weights: dict[str, float] | None = None,
    ) -> np.ndarray:
        """Confidence of each shortlisted pair (occupations): the logistic model.

        ``weights`` defaults to :data:`taxonomy.calibration.CONFIDENCE` (the
        features are its keys other than ``bias``).  The model judges unit groups;
        inside a group the blend orders the aliases: each alias gets its group's
        confidence (read at the group's best alias) scaled by its blend relative
        to that alias, and an alias key shared by several groups is divided by
        their number.
        """
        w = CONFIDENCE if weights is None else weights
        logit = np.full(top.shape, w["bias"], dtype=np.float64)
        for name, value in w.items():
            if name != "bias":
                logit += value * feats[name]
        prob = 1.0 / (1.0 + np.exp(-logit)) / self.key_ambiguity[top]
        same = feats["isco"][:, :, None] == feats["isco"][:, None, :]
        blend = np.maximum(feats["blended"], 1e-9)
        leader = np.where(same, blend[:, None, :], -1.0).argmax(axis=2)
        out: np.ndarray = np.take_along_axis(prob, leader, axis=1) * (
            blend / np.take_along_axis(blend, leader, axis=1)
        )
        return out

    def score(self, keys: Sequence[str], width: int, *, exact_lookup: bool = True) -> _Scored:
        """Score unique query keys against all alias keys, chunk by chunk."""
        n = len(keys)
        key_idx = np.full((n, width), -1, dtype=np.int64)
        score = np.zeros((n, width), dtype=np.float64)
        fuzzy = np.zeros((n, width), dtype=bool)
        exact = np.zeros(n, dtype=bool)
        if n == 0 or not self.keys:
            return _Scored(key_idx, score, fuzzy, exact)

        hits = np.fromiter(
            (
                self.exact.get(k, self.exact.get(compact_key(k), -1)) if k and exact_lookup else -1
                for k in keys
            ),
            dtype=np.int64,
            count=n,
        )
        exact = hits >= 0
        key_idx[exact, 0] = hits[exact]
        score[exact, 0] = 1.0 / self.key_ambiguity[hits[exact]]

        # Misspelt words: replace words unknown to the aliases by their nearest alias
        # word; a corrected key that is an alias key joins the shortlist (it is not
        # answered outright: see ``shortlist_features``).
        corrected, confidence = self._correct(keys, ~exact)
        fixed_hit = np.fromiter(
            (
                self.exact.get(k, -1) if c < 1.0 and exact_lookup else -1
                for k, c in zip(corrected, confidence, strict=True)
            ),
            dtype=np.int64,
            count=n,
        )
        fixed_hit[exact] = -1
        todo = np.flatnonzero(~exact & np.fromiter((bool(k) for k in keys), dtype=bool, count=n))
        for start in range(0, todo.size, _CHUNK):
            rows = todo[start : start + _CHUNK]
            top, feats = self.shortlist_features(
                [keys[i] for i in rows],
                [corrected[i] for i in rows],
                (fixed_hit[rows], confidence[rows]),
            )
            if self.kind == "occupation":
                prob = self.confidence(top, feats)
            else:
                # No labelled skill texts to fit a model on: the blend itself,
                # with disagreeing grades pushed far down.
                prob = np.clip(feats["blended"], 0.0, 1.0) * np.where(
                    feats["marks_agree"] > 0, 1.0, _MARK_MISMATCH
                )
                # A typo-corrected skill name that is an alias scores the
                # similarity of its worst corrected word, as before.
                prob = np.maximum(prob, feats["corrected_hit"] / self.key_ambiguity[top])
            # Best `width` keys per query, ties broken by key index for determinism.
            order = np.lexsort((top, -prob), axis=1)[:, :width]
            key_idx[rows, : order.shape[1]] = np.take_along_axis(top, order, axis=1)
            score[rows, : order.shape[1]] = np.take_along_axis(prob, order, axis=1)
            fuzzy[rows, : order.shape[1]] = np.take_along_axis(
                (WEIGHTS["ratio"] * feats["ratio"] > WEIGHTS["cosine"] * feats["cosine"])
                | (feats["corrected_hit"] > 0),
                order,
                axis=1,
            )
        return _Scored(key_idx, score, fuzzy, exact)


class Normalizer:
    """Normalize occupation titles and skill names against one taxonomy.

    Indexes (exact key dictionary, TF-IDF character n-gram matrix, alias key array
    for rapidfuzz) are built once per kind, on first use.

    Parameters
    ----------
    taxonomy : Taxonomy
        The taxonomy whose aliases are matched.
    threshold : float, optional
        Best occupation scores below it make the result unknown, whatever the
        script (default: the calibrated per-script
        :data:`taxonomy.calibration.ABSTAIN_THRESHOLDS`).
    skill_threshold : float, optional
        The same for skills (default:
        :data:`taxonomy.calibration.SKILL_ABSTAIN_THRESHOLD`, an estimate).

    Examples
    --------
    >>> from taxonomy.load import default_taxonomy
    >>> norm = Normalizer(default_taxonomy())
    >>> norm.normalize("Требуется электрогазосварщик, стаж 3 года").best.isco
    '7212'
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        threshold: float | None = None,
        skill_threshold: float | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.thresholds: dict[str, float] = (
            dict(ABSTAIN_THRESHOLDS) if threshold is None else dict.fromkeys(ABSTAIN_THRESHOLDS, threshold)
        )
        self.skill_threshold = (
            SKILL_ABSTAIN_THRESHOLD if skill_threshold is None else skill_threshold
        )
        self._indexes: dict[str, _KindIndex] = {}

    def with_extra_aliases(
        self, occupation: Iterable[Alias] = (), skill: Iterable[Alias] = ()
    ) -> Normalizer:
        """A normalizer over this taxonomy plus ``occupation`` and ``skill`` aliases.

        For aliases learnt after the tables were loaded (a service's approved clerk
        corrections): the taxonomy is copied with the aliases appended (an alias whose
        code it does not know is dropped, as :func:`taxonomy.load.load_taxonomy` drops
        table rows), and the new normalizer builds its indexes on first use.  The index
        of a kind that gets no new alias is shared with this normalizer, so adding
        occupation aliases does not rebuild the skill index.  Thresholds are kept.
        ``self`` is not changed: callers swap the new one in when it is ready.

        Examples
        --------
        >>> from taxonomy.load import default_taxonomy
        >>> base = Normalizer(default_taxonomy())
        >>> learnt = base.with_extra_aliases([Alias("Q7212.01", "сварной-универсал", "ru", "variant")])
        >>> learnt.normalize("сварной-универсал").best.code
        'Q7212.01'
        """
        tax = self.taxonomy
        occ = tuple(a for a in occupation if a.alias.strip() and a.code in tax.occupations)
        skl = tuple(a for a in skill if a.alias.strip() and a.code in tax.skills)
        extended = replace(
            tax,
            occupation_aliases=tax.occupation_aliases + occ,
            skill_aliases=tax.skill_aliases + skl,
        )
        out = Normalizer(extended)
        out.thresholds = dict(self.thresholds)
        out.skill_threshold = self.skill_threshold
        for kind, added in (("occupation", occ), ("skill", skl)):
            if not added and kind in self._indexes:
                out._indexes[kind] = self._indexes[kind]
        return out

    def threshold_for(self, text: str, kind: Kind = "occupation") -> float:
        """The abstain threshold that applies to ``text`` (by script, for occupations)."""
        if kind != "occupation":
            return self.skill_threshold
        return self.thresholds[script_class(text)]

    def index(self, kind: Kind) -> _KindIndex:
        """Return (building on first use) the alias index of ``kind``."""
        if kind not in ("occupation", "skill"):
            raise ValueError(f"kind must be 'occupation' or 'skill', not {kind!r}")
        if kind not in self._indexes:
            self._indexes[kind] = _KindIndex(self.taxonomy, kind)
        return self._indexes[kind]

    def normalize(
        self, text: str, kind: Kind = "occupation", top_k: int = 3, lang: str = "ru"
    ) -> NormalizeResult:
        """Map one text onto ranked taxonomy codes, or report it unknown.

        Parameters
        ----------
        text : str
            A vacancy title, CV line or skill name in Kazakh (Cyrillic or Latin),
            Russian or English.
        kind : {"occupation", "skill"}
            What ``text`` names.
        top_k : int
            Most candidates returned.
        lang : {"kk", "kk_latn", "ru", "en"}
            Language of the candidate labels.

        Returns
        -------
        NormalizeResult
            Candidates with distinct codes, best first, scores in [0, 1]; empty and
            ``unknown=True`` when the best score is below the threshold.
        """
        index = self.index(kind)
        key = comparison_key(text, kind)
        threshold = self.threshold_for(text, kind)
        scored = index.score([key], _SHORTLIST)
        if scored.key_idx[0, 0] < 0:
            return NormalizeResult(text, kind, (), True, (), threshold)
        labels = index.labels.get(lang) or index.labels["ru"]
        best: dict[int, tuple[float, Method]] = {}
        exact = bool(scored.exact[0])
        for slot in range(scored.key_idx.shape[1]):
            k = int(scored.key_idx[0, slot])
            if k < 0:
                break
            method: Method = "exact" if exact else ("fuzzy" if scored.fuzzy[0, slot] else "ngram")
            s = float(scored.score[0, slot])
            for code in index.key_codes[index.key_indptr[k] : index.key_indptr[k + 1]]:
                if int(code) not in best:
                    best[int(code)] = (s, method)
        if len(best) < max(top_k, _SUGGESTIONS):
            # An exact hit names its own codes; near neighbours fill the other slots.
            near = index.score([key], _SHORTLIST, exact_lookup=False)
            for slot in range(near.key_idx.shape[1]):
                k = int(near.key_idx[0, slot])
                if k < 0:
                    break
                s = min(float(near.score[0, slot]), float(scored.score[0, 0]))
                method = "fuzzy" if near.fuzzy[0, slot] else "ngram"
                for code in index.key_codes[index.key_indptr[k] : index.key_indptr[k + 1]]:
                    best.setdefault(int(code), (s, method))
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if scored.score[0, 0] < threshold:
            # Abstain, but keep the best guess of each of the best unit groups: a
            # clerk picks among groups, not among near-identical aliases of one.
            per_group: dict[str, tuple[int, tuple[float, Method]]] = {}
            for c, sm in ranked:
                # Skills have no unit group: each skill is its own.
                per_group.setdefault(index.iscos[c] or index.codes[c], (c, sm))
            suggestions = tuple(
                Candidate(index.codes[c], index.iscos[c], labels[c], round(sm[0], 6), sm[1])
                for c, sm in list(per_group.values())[:_SUGGESTIONS]
            )
            return NormalizeResult(text, kind, (), True, suggestions, threshold)
        candidates = tuple(
            Candidate(index.codes[c], index.iscos[c], labels[c], round(sm[0], 6), sm[1])
            for c, sm in ranked[:top_k]
        )
        return NormalizeResult(text, kind, candidates, False, (), threshold)

    def normalize_batch(
        self, texts: pl.Series, kind: Kind = "occupation", lang: str = "ru"
    ) -> pl.DataFrame:
        """Normalize a column of texts; best candidate per text, vectorized.

        Texts are deduped, then their comparison keys are deduped, and the unique
        keys are scored in chunks with sparse matrix products and
        ``rapidfuzz.process.cpdist``.

        Parameters
        ----------
        texts : polars.Series
            Texts (nulls are treated as empty text).
        kind : {"occupation", "skill"}
            What the texts name.
        lang : {"kk", "kk_latn", "ru", "en"}
            Language of the labels.

        Returns
        -------
        polars.DataFrame
            One row per input text, in input order, with columns ``text``, ``code``,
            ``isco``, ``label`` (empty strings when unknown), ``score`` (Float64)
            and ``method`` (``exact``, ``fuzzy``, ``ngram`` or empty).
        """
        index = self.index(kind)
        col = texts.cast(pl.Utf8).fill_null("")
        uniq = col.unique(maintain_order=True)
        uniq_texts: list[str] = uniq.to_list()
        text_keys = [comparison_key(t, kind) for t in uniq_texts]
        key_list = list(dict.fromkeys(text_keys))
        key_pos = {k: i for i, k in enumerate(key_list)}
        scored = index.score(key_list, 1)

        # The threshold depends on each text's script; a key shared by texts of
        # two scripts takes the threshold of its first text (rare: scripts fold
        # to one key only for transliterated spellings).
        first_text: dict[str, str] = {}
        for t, k in zip(uniq_texts, text_keys, strict=True):
            first_text.setdefault(k, t)
        key_threshold = np.fromiter(
            (self.threshold_for(first_text[k], kind) for k in key_list),
            dtype=np.float64,
            count=len(key_list),
        )
        k_idx = scored.key_idx[:, 0]
        ok = (k_idx >= 0) & (scored.score[:, 0] >= key_threshold)
        code_idx = np.where(ok, index.key_primary[np.maximum(k_idx, 0)], -1)
        codes = np.asarray([*index.codes, ""], dtype=object)[code_idx]
        iscos = np.asarray([*index.iscos, ""], dtype=object)[code_idx]
        labels_src = index.labels.get(lang) or index.labels["ru"]
        labels = np.asarray([*labels_src, ""], dtype=object)[code_idx]
        method = np.where(
            ~ok, "", np.where(scored.exact, "exact", np.where(scored.fuzzy[:, 0], "fuzzy", "ngram"))
        )
        score = np.where(ok, np.round(scored.score[:, 0], 6), 0.0)
        per_key = pl.DataFrame(
            {
                "code": codes.tolist(),
                "isco": iscos.tolist(),
                "label": labels.tolist(),
                "score": score,
                "method": method.tolist(),
            },
            schema={
                "code": pl.Utf8,
                "isco": pl.Utf8,
                "label": pl.Utf8,
                "score": pl.Float64,
                "method": pl.Utf8,
            },
        )
        per_text = per_key[[key_pos[k] for k in text_keys]].with_columns(
            pl.Series("text", uniq_texts, dtype=pl.Utf8)
        )
        return (
            pl.DataFrame({"text": col})
            .join(per_text, on="text", how="left", maintain_order="left")
            .select("text", "code", "isco", "label", "score", "method")
        )
