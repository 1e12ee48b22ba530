"""Training data and fitting for the normalizer's confidence model.

The confidence model (:data:`taxonomy.calibration.CONFIDENCE`) judges whether the
unit group of a shortlisted alias is the right one for a query.  Labelled titles
are few, so the model is fitted on synthetic queries made from the alias tables:

1. **Split by occupation.**  A share of the ISCO unit groups is held out whole
   (their queries have no right answer in the index, as for a title the taxonomy
   does not know), and of the other occupations a share of alias keys is held
   out.  The index is built from the kept aliases only, so a query never meets its
   own alias and the model learns from unseen wordings, not from look-ups.
2. **Noise.**  Each held-out alias is written a few ways as people write titles:
   typos, cut words with a dot, vacancy headline words, salary and experience,
   shuffled words, a dropped word, Kazakh Cyrillic written in Latin letters.
3. **Fit.**  Every shortlisted alias of every non-exact query is one sample,
   labelled 1 when its unit group is the query's.  A logistic regression over
   :data:`taxonomy.calibration.FEATURES` gives the weights.

This synthetic fit was measured and not adopted.  The constants in use come from
:func:`calibrate` (below): the same pair model fitted on labelled titles, ``titles_dev.csv``
and the "hold" part of ``titles_calib.csv`` (:func:`calib_part`), with the threshold
chosen from grouped out-of-fold figures (see :mod:`taxonomy.calibration`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np

from taxonomy.calibration import FEATURES, SCRIPT_CLASSES
from taxonomy.model import Alias, Taxonomy
from taxonomy.normalizer import _KindIndex
from taxonomy.textnorm import compact_key, comparison_key, script_class
from taxonomy.translit import kk_cyr_to_lat

__all__ = ["SyntheticSet", "fit_confidence", "noisy_variants", "synthetic_set"]

_PREFIXES = (
    "Требуется ", "Срочно требуется ", "Нужен ", "Вакансия: ", "Керек ", "Қажет ",
    "Hiring ", "Ищу работу ",
)  # fmt: skip
_SUFFIXES = (
    ", з/п 250 000 тг", ", стаж от 3 лет", " в г. Костанай", ", вахта", " (опыт 2 года)",
    ", жалақы 200000 тг", " Петропавл", ", полный день",
)  # fmt: skip
_LETTERS = "абвгдежзиклмнопрстуфхцчшыэя"


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    op = int(rng.integers(4))
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + _LETTERS[int(rng.integers(len(_LETTERS)))] + word[i + 1 :]


def _noise_once(text: str, lang: str, rng: np.random.Generator) -> str:
    words = text.split()
    op = int(rng.integers(7))
    if op == 0 and words:
        j = int(rng.integers(len(words)))
        words[j] = _typo(words[j], rng)
    elif op == 1 and words:
        long = [j for j, w in enumerate(words) if len(w) >= 7]
        if long:
            j = long[int(rng.integers(len(long)))]
            words[j] = words[j][: int(rng.integers(3, 6))] + "."
    elif op == 2:
        return _PREFIXES[int(rng.integers(len(_PREFIXES)))] + text
    elif op == 3:
        return text + _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
    elif op == 4 and len(words) > 1:
        rng.shuffle(words)
    elif op == 5 and len(words) > 2:
        words.pop(int(rng.integers(len(words))))
    elif op == 6 and lang == "kk":
        return kk_cyr_to_lat(text)
    return " ".join(words)


def noisy_variants(alias: Alias, n: int, rng: np.random.Generator) -> list[str]:
    """Write ``alias`` ``n`` ways with one or two kinds of noise each.

    Parameters
    ----------
    alias : Alias
        An occupation alias.
    n : int
        How many variants.
    rng : numpy.random.Generator
        Source of randomness (pass a seeded one for reproducible data).

    Returns
    -------
    list of str
        The noisy texts (may repeat when the alias is short).
    """
    out = []
    for _ in range(n):
        text = alias.alias
        for _ in range(int(rng.integers(1, 3))):
            text = _noise_once(text, alias.lang, rng)
        out.append(text)
    return out


@dataclass(frozen=True)
class SyntheticSet:
    """Noisy queries with their gold unit group and the index they are scored against."""

    texts: list[str]
    gold: list[str]
    occupation: list[str]
    index: _KindIndex


def _held(key: str, salt: str, share: float) -> bool:
    return zlib.crc32(f"{salt}:{key}".encode()) % 1000 < share * 1000


def synthetic_set(
    taxonomy: Taxonomy,
    *,
    seed: int = 0,
    group_share: float = 0.1,
    alias_share: float = 0.3,
    variants: int = 2,
) -> SyntheticSet:
    """Hold out aliases by occupation, index the rest and write noisy queries.

    Parameters
    ----------
    taxonomy : Taxonomy
        The full taxonomy.
    seed : int
        Seed of the split and of the noise.
    group_share : float
        Share of ISCO unit groups held out whole (queries without a right answer).
    alias_share : float
        Share of the remaining alias keys held out.
    variants : int
        Noisy variants per held-out alias.

    Returns
    -------
    SyntheticSet
        Queries, gold unit groups ("" for held-out groups) and the reduced index.
    """
    rng = np.random.default_rng(seed)
    salt = str(seed)
    kept: list[Alias] = []
    held: list[tuple[Alias, str]] = []
    for alias in taxonomy.occupation_aliases:
        isco = taxonomy.isco_of(alias.code)
        if _held(isco, salt + "g", group_share):
            held.append((alias, ""))
        elif _held(comparison_key(alias.alias), salt, alias_share):
            held.append((alias, isco))
        else:
            kept.append(alias)
    # Occupations left without any alias would be held-out groups in disguise.
    kept_codes = {a.code for a in kept}
    held = [(a, g if (not g or a.code in kept_codes) else "") for a, g in held]
    index = _KindIndex(replace(taxonomy, occupation_aliases=tuple(kept)), "occupation")
    texts: list[str] = []
    gold: list[str] = []
    occupation: list[str] = []
    for alias, isco in held:
        for text in noisy_variants(alias, variants, rng):
            texts.append(text)
            gold.append(isco)
            occupation.append(alias.code)
    return SyntheticSet(texts, gold, occupation, index)


def shortlist_samples(
    data: SyntheticSet, features: tuple[str, ...] = FEATURES
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels and query numbers of every shortlisted pair.

    Queries that are exact or typo-corrected alias hits are left out: the model
    never scores them.
    """
    index = data.index
    keys = [comparison_key(t) for t in data.texts]
    scored = index.score(keys, 1)
    todo = [i for i, k in enumerate(keys) if k and not scored.exact[i] and not scored.fuzzy[i, 0]]
    rows = [keys[i] for i in todo]
    corrected, _ = index._correct(rows, np.ones(len(rows), dtype=bool))
    top, feats = index.shortlist_features(rows, corrected)
    x = np.stack([feats[name].ravel() for name in features], axis=1)
    iscos = np.asarray(index.iscos, dtype=object)[index.key_primary[top]]
    gold = np.asarray([data.gold[i] for i in todo], dtype=object)
    y = (iscos == gold[:, None]).ravel()
    query = np.repeat(np.asarray(todo, dtype=np.int64), top.shape[1])
    return x, y, query


def fit_confidence(
    taxonomy: Taxonomy, *, seed: int = 0, features: tuple[str, ...] = FEATURES
) -> dict[str, float]:
    """Fit the logistic confidence model on synthetic noisy aliases.

    Parameters
    ----------
    taxonomy : Taxonomy
        The taxonomy whose aliases make the training data.
    seed : int
        Seed of the split and the noise.
    features : tuple of str
        Feature names (see ``_KindIndex.shortlist_features``).

    Returns
    -------
    dict
        ``bias`` and one weight per feature, as :data:`taxonomy.calibration.CONFIDENCE`.
    """
    from sklearn.linear_model import LogisticRegression

    x, y, _ = shortlist_samples(synthetic_set(taxonomy, seed=seed), features)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    weights = {"bias": float(model.intercept_[0])}
    weights.update({name: float(w) for name, w in zip(features, model.coef_[0], strict=True)})
    return weights


# --------------------------------------------------------------------------
# Fitting on labelled titles (dev + the held part of the calibration set)

#: Calibration titles whose ``crc32(text) % 10`` is below this form the "fix" part
#: (about 40 %, whose failures may be read to correct the tables); the rest is
#: the "hold" part, used only to fit and validate the confidence model.
CALIB_FIX_BUCKETS = 4


def calib_part(text: str) -> str:
    """``"fix"`` or ``"hold"``: the deterministic part of a calibration title."""
    return "fix" if zlib.crc32(text.encode("utf-8")) % 10 < CALIB_FIX_BUCKETS else "hold"


@dataclass(frozen=True)
class TitleFeatures:
    """What the top-1 answer of each labelled title depends on, computed once.

    Exact and typo-corrected alias hits do not depend on the confidence model:
    their score and unit group are fixed (``decided``).  The other titles are
    scored from their shortlist (``rows`` into the title list, ``top`` alias
    keys, ``feats`` per pair) with any set of weights.
    """

    gold: np.ndarray
    decided: np.ndarray
    decided_score: np.ndarray
    decided_isco: np.ndarray
    rows: np.ndarray
    top: np.ndarray
    feats: dict[str, np.ndarray]
    pair_isco: np.ndarray
    index: _KindIndex


def title_features(index: _KindIndex, texts: list[str], gold: list[str]) -> TitleFeatures:
    """Shortlists and pair features of labelled titles (vectorized, one pass).

    Parameters
    ----------
    index : _KindIndex
        The occupation index (``Normalizer.index("occupation")``).
    texts : list of str
        The titles.
    gold : list of str
        Gold ISCO unit groups, ``""`` for texts that are not a classifiable occupation.
    """
    keys = [comparison_key(t) for t in texts]
    iscos = np.asarray([*index.iscos, ""], dtype=object)
    hits = np.asarray(
        [index.exact.get(k, index.exact.get(compact_key(k), -1)) if k else -1 for k in keys],
        dtype=np.int64,
    )
    exact = hits >= 0
    corrected, conf = index._correct(keys, ~exact)
    fixed_hits = np.asarray(
        [index.exact.get(c, -1) if (v < 1.0 and not e) else -1 for c, v, e in zip(corrected, conf, exact, strict=True)],
        dtype=np.int64,
    )
    empty = np.asarray([not k for k in keys], dtype=bool)
    # Only exact hits are decided without the model (as in ``_KindIndex.score``).
    decided = exact | empty
    safe = np.maximum(hits, 0)
    decided_score = np.where(exact, 1.0, 0.0) / np.where(exact, index.key_ambiguity[safe], 1.0)
    decided_isco = np.where(exact, iscos[np.where(exact, index.key_primary[safe], -1)], "")
    rows = np.flatnonzero(~decided)
    top, feats = index.shortlist_features(
        [keys[i] for i in rows],
        [corrected[i] for i in rows],
        (fixed_hits[rows], np.asarray(conf)[rows]),
    )
    pair_isco = np.asarray(index.iscos, dtype=object)[index.key_primary[top]]
    return TitleFeatures(
        gold=np.asarray(gold, dtype=object),
        decided=decided,
        decided_score=decided_score,
        decided_isco=decided_isco,
        rows=rows,
        top=top,
        feats=feats,
        pair_isco=pair_isco,
        index=index,
    )


def top1(data: TitleFeatures, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Best score and its unit group for every title under ``weights`` (vectorized).

    The same ordering as the normalizer: highest confidence first, ties by alias
    key index.
    """
    score = data.decided_score.astype(np.float64).copy()
    isco = data.decided_isco.astype(object).copy()
    if data.rows.size:
        prob = data.index.confidence(data.top, data.feats, weights)
        best = np.lexsort((data.top, -prob), axis=1)[:, 0]
        take = np.arange(len(data.rows))
        score[data.rows] = prob[take, best]
        isco[data.rows] = data.pair_isco[take, best]
    return score, isco


def fit_weights(
    data: TitleFeatures,
    mask: np.ndarray,
    features: tuple[str, ...] = FEATURES,
    *,
    c: float = 1.0,
) -> dict[str, float]:
    """Fit the logistic confidence model on the shortlists of the titles in ``mask``.

    Every shortlisted alias of a title that is not an exact or corrected hit is one
    sample, labelled 1 when the alias's unit group is the gold one (titles with an
    empty gold give only negatives).
    """
    from sklearn.linear_model import LogisticRegression

    chosen = mask[data.rows]
    x = np.stack([data.feats[name][chosen].ravel() for name in features], axis=1)
    y = (data.pair_isco[chosen] == data.gold[data.rows[chosen]][:, None]).ravel()
    model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    weights = {"bias": float(model.intercept_[0])}
    weights.update({name: float(w) for name, w in zip(features, model.coef_[0], strict=True)})
    return weights


def title_groups(texts: list[str], gold: list[str]) -> np.ndarray:
    """Cross-validation groups: the gold unit group, or the key of a non-occupation.

    Grouping by unit group keeps every wording of one occupation on the same side
    of a split, so variants of a title never leak from training into validation.
    """
    return np.asarray(
        [g if g else "-" + comparison_key(t) for t, g in zip(texts, gold, strict=True)], dtype=object
    )


def cross_validated_top1(
    data: TitleFeatures,
    mask: np.ndarray,
    groups: np.ndarray,
    features: tuple[str, ...] = FEATURES,
    *,
    folds: int = 5,
    c: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold best score and unit group for the titles in ``mask``.

    ``GroupKFold`` over ``groups`` (deterministic); each title is scored with
    weights fitted on the other folds.  Titles outside ``mask`` get score 0.
    """
    from sklearn.model_selection import GroupKFold

    score = np.zeros(len(data.gold), dtype=np.float64)
    isco = np.full(len(data.gold), "", dtype=object)
    idx = np.flatnonzero(mask)
    for train, test in GroupKFold(n_splits=folds).split(idx, groups=groups[idx]):
        train_mask = np.zeros(len(data.gold), dtype=bool)
        train_mask[idx[train]] = True
        s, i = top1(data, fit_weights(data, train_mask, features, c=c))
        score[idx[test]] = s[idx[test]]
        isco[idx[test]] = i[idx[test]]
    return score, isco


def rates(
    score: np.ndarray, isco: np.ndarray, gold: np.ndarray, threshold: float
) -> dict[str, float]:
    """Top-1 (over titles with a gold group), abstain and wrong-confident (over all)."""
    answered = score >= threshold
    right = answered & (isco == gold) & (gold != "")
    classifiable = gold != ""
    n = max(len(gold), 1)
    return {
        "n": float(len(gold)),
        "top1_open": float(((isco == gold) & classifiable).sum() / max(classifiable.sum(), 1)),
        "top1": float(right.sum() / max(classifiable.sum(), 1)),
        "abstain": float((~answered).sum() / n),
        "wrong_confident": float((answered & ~right).sum() / n),
    }


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`: weights, threshold and the figures behind them."""

    weights: dict[str, float]
    threshold: float
    oof_score: np.ndarray
    oof_isco: np.ndarray
    data: TitleFeatures
    part: np.ndarray


def calibrate(
    index: _KindIndex,
    sets: dict[str, tuple[list[str], list[str]]],
    *,
    features: tuple[str, ...] = FEATURES,
    target: float,
    folds: int = 5,
) -> Calibration:
    """Fit the confidence model and choose the abstain threshold, reproducibly.

    Parameters
    ----------
    index : _KindIndex
        The occupation index.
    sets : dict
        ``{"dev": (texts, gold), "calib": (texts, gold)}``: the dev titles and the
        calibration titles (their "fix" part is left out of fitting and choosing,
        see :func:`calib_part`).
    features : tuple of str
        Feature names of the model.
    target : float
        Largest wrong-but-confident rate allowed for the chosen threshold, measured
        out of fold and averaged over the dev titles and the held calibration
        titles (each set weighs the same, whatever its size).
    folds : int
        Folds of the grouped cross-validation.

    Returns
    -------
    Calibration
        Weights fitted on all dev and held calibration titles, the threshold, and
        the out-of-fold scores (``part`` is ``dev``, ``fix`` or ``hold`` per title).
    """
    texts = [*sets["dev"][0], *sets["calib"][0]]
    gold = [*sets["dev"][1], *sets["calib"][1]]
    part = np.asarray(
        ["dev"] * len(sets["dev"][0]) + [calib_part(t) for t in sets["calib"][0]], dtype=object
    )
    data = title_features(index, texts, gold)
    fit = part != "fix"
    score, isco = cross_validated_top1(data, fit, title_groups(texts, gold), features, folds=folds)
    dev, hold = part == "dev", part == "hold"
    threshold = 1.0
    for t in np.round(np.arange(0.05, 1.0001, 0.005), 3):
        wrong = [rates(score[m], isco[m], data.gold[m], float(t))["wrong_confident"] for m in (dev, hold)]
        if float(np.mean(wrong)) <= target:
            threshold = float(t)
            break
    weights = fit_weights(data, fit, features)
    return Calibration(weights, threshold, score, isco, data, part)


# --------------------------------------------------------------------------
# Fitting on seen and unseen occupations (leave-occupations-out folds)

@dataclass(frozen=True)
class FitSet:
    """Labelled titles scored against one index, for fitting and choosing thresholds.

    ``block[i]`` is the outer fold of title *i* (the leave-occupations-out fold for
    unseen sets, a hash of the gold unit group for seen sets), ``lang[i]`` its
    language and ``script[i]`` its :func:`script_class`.  ``fit`` marks the titles
    that may be fitted on (all but the calibration set's "fix" part).
    """

    name: str
    data: TitleFeatures
    lang: np.ndarray
    script: np.ndarray
    block: np.ndarray
    fit: np.ndarray


def fit_set(
    name: str,
    index: _KindIndex,
    texts: list[str],
    gold: list[str],
    lang: list[str],
    block: list[int] | np.ndarray,
    fit: np.ndarray | None = None,
) -> FitSet:
    """Build a :class:`FitSet` (shortlists and features computed once)."""
    data = title_features(index, texts, gold)
    return FitSet(
        name,
        data,
        np.asarray(lang, dtype=object),
        np.asarray([script_class(t) for t in texts], dtype=object),
        np.asarray(block, dtype=np.int64),
        np.ones(len(texts), dtype=bool) if fit is None else fit,
    )


def group_block(texts: list[str], gold: list[str], folds: int) -> np.ndarray:
    """Outer fold of seen titles: ``crc32`` of the gold unit group (wordings of one
    group stay together, as in :func:`title_groups`)."""
    return np.asarray(
        [zlib.crc32(g.encode("utf-8")) % folds for g in title_groups(texts, gold)], dtype=np.int64
    )


def fit_pooled(
    sets: list[FitSet],
    blocks: set[int],
    features: tuple[str, ...] = FEATURES,
    *,
    c: float = 1.0,
) -> dict[str, float]:
    """Fit the pair model on the titles of ``blocks`` in every set, each kind weighing the same.

    A set's kind is its name up to ``:`` (``seen``, ``own:3`` -> ``own``, ``esco:1``
    -> ``esco``).  Unseen sets hold tens of thousands of titles, the seen ones a few
    hundred: without weights the model would learn the unseen case only, so each
    kind gets the same total weight, shared equally by its pairs.
    """
    from sklearn.linear_model import LogisticRegression

    kind_pairs: dict[str, int] = {}
    for s in sets:
        chosen = (s.fit & np.isin(s.block, sorted(blocks)))[s.data.rows]
        kind = s.name.split(":")[0]
        kind_pairs[kind] = kind_pairs.get(kind, 0) + int(chosen.sum()) * s.data.top.shape[1]
    xs, ys, ws = [], [], []
    for s in sets:
        chosen_titles = s.fit & np.isin(s.block, sorted(blocks))
        chosen = chosen_titles[s.data.rows]
        if not chosen.any():
            continue
        x = np.stack([s.data.feats[name][chosen].ravel() for name in features], axis=1)
        y = (s.data.pair_isco[chosen] == s.data.gold[s.data.rows[chosen]][:, None]).ravel()
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / kind_pairs[s.name.split(":")[0]]))
    x_all = np.concatenate(xs)
    y_all = np.concatenate(ys)
    w_all = np.concatenate(ws)
    model = LogisticRegression(C=c, max_iter=5000).fit(x_all, y_all, sample_weight=w_all * len(y_all))
    weights = {"bias": float(model.intercept_[0])}
    weights.update({name: float(w) for name, w in zip(features, model.coef_[0], strict=True)})
    return weights


def topk(data: TitleFeatures, weights: dict[str, float], k: int = 3) -> tuple[np.ndarray, list[list[str]]]:
    """Best score and the best ``k`` distinct unit groups of every title under ``weights``.

    For exact and corrected hits only the hit's group is known here (their
    shortlist is not computed), so their top-k is that one group: a lower bound of
    the normalizer's top-k.
    """
    score, isco = top1(data, weights)
    groups: list[list[str]] = [[str(i)] if i else [] for i in isco]
    if data.rows.size:
        prob = data.index.confidence(data.top, data.feats, weights)
        order = np.lexsort((data.top, -prob), axis=1)
        ranked = np.take_along_axis(data.pair_isco, order, axis=1)
        for j, row in enumerate(data.rows):
            groups[row] = list(dict.fromkeys(str(g) for g in ranked[j]))[:k]
    return score, groups


def choose_thresholds(
    scored: list[tuple[FitSet, np.ndarray, np.ndarray, np.ndarray]],
    target: float,
    *,
    step: float = 0.005,
) -> dict[str, float]:
    """Smallest per-script thresholds with wrong-but-confident ≤ ``target`` everywhere.

    ``scored`` holds ``(set, mask, score, isco)``: the titles in ``mask`` with their
    (out-of-fold) best score and unit group.  The constraint holds for every set and
    every language in it.  Start low and raise, one ``step`` at a time, the threshold
    of the script class that gives the most wrong-confident titles in the worst
    (set, language) until none is above ``target`` (at 1.0 only exact alias hits are
    answered, so the loop ends).
    """
    thresholds = dict.fromkeys(SCRIPT_CLASSES, 0.05)
    cells = []
    for s, mask, score, isco in scored:
        for lang in sorted(set(s.lang[mask])):
            m = mask & (s.lang == lang)
            if m.any():
                cells.append((s.script[m], score[m], isco[m], s.data.gold[m]))
    while True:
        worst, worst_rate = None, target
        for script, score, isco, gold in cells:
            t = np.asarray([thresholds[c] for c in script])
            wrong = (score >= t) & ~((isco == gold) & (gold != ""))
            rate = float(wrong.mean())
            if rate > worst_rate:
                counts = {c: int((wrong & (script == c)).sum()) for c in SCRIPT_CLASSES}
                raisable = {c: n for c, n in counts.items() if n and thresholds[c] < 1.0}
                if raisable:
                    worst, worst_rate = max(raisable, key=lambda c: raisable[c]), rate
        if worst is None:
            return {c: round(v, 3) for c, v in thresholds.items()}
        thresholds[worst] = min(1.0, thresholds[worst] + step)


@dataclass(frozen=True)
class UnseenCalibration:
    """Result of :func:`calibrate_folds`.

    ``weights``/``thresholds``: fitted on every block (the constants to ship).
    ``oof``: per set, the out-of-fold best score, top-3 unit groups, and the
    per-title threshold chosen without the title's block (``threshold[i]``): the
    figures to report.
    """

    weights: dict[str, float]
    thresholds: dict[str, float]
    sets: list[FitSet]
    oof_score: list[np.ndarray]
    oof_top: list[list[list[str]]]
    oof_threshold: list[np.ndarray]
    block_weights: dict[int, dict[str, float]]
    block_thresholds: dict[int, dict[str, float]]


def _oof(
    sets: list[FitSet], blocks: list[int], features: tuple[str, ...]
) -> tuple[list[np.ndarray], list[np.ndarray], list[list[list[str]]], dict[int, dict[str, float]]]:
    """Score each block with weights fitted on the other blocks."""
    score = [np.zeros(len(s.data.gold)) for s in sets]
    isco = [np.full(len(s.data.gold), "", dtype=object) for s in sets]
    tops: list[list[list[str]]] = [[[] for _ in s.data.gold] for s in sets]
    per_block = {}
    for b in blocks:
        w = fit_pooled(sets, set(blocks) - {b}, features)
        per_block[b] = w
        for i, s in enumerate(sets):
            m = s.block == b
            if not m.any():
                continue
            sc, top = topk(s.data, w)
            score[i][m] = sc[m]
            isco[i][m] = np.asarray([t[0] if t else "" for t in top], dtype=object)[m]
            for j in np.flatnonzero(m):
                tops[i][j] = top[j]
    return score, isco, tops, per_block


def calibrate_folds(
    sets: list[FitSet],
    *,
    folds: int,
    target: float,
    features: tuple[str, ...] = FEATURES,
) -> UnseenCalibration:
    """Fit the confidence model and per-script thresholds on seen and unseen titles.

    Outer loop: each block is scored with weights fitted on the other blocks.  Its
    reported threshold comes from an inner loop over the other blocks only (each
    scored by weights fitted without it and without the outer block), so no block
    feeds a weight or a threshold used to score it.  The shipped constants are the
    weights fitted on every block and the thresholds chosen on the outer
    out-of-fold scores.
    """
    blocks = list(range(folds))
    score, isco, tops, per_block = _oof(sets, blocks, features)
    block_thresholds: dict[int, dict[str, float]] = {}
    for b in blocks:
        inner = [x for x in blocks if x != b]
        inner_scored = []
        inner_score = [np.zeros(len(s.data.gold)) for s in sets]
        inner_isco = [np.full(len(s.data.gold), "", dtype=object) for s in sets]
        for j in inner:
            w = fit_pooled(sets, set(inner) - {j}, features)
            for i, s in enumerate(sets):
                m = s.block == j
                if m.any():
                    sc, ic = top1(s.data, w)
                    inner_score[i][m] = sc[m]
                    inner_isco[i][m] = ic[m]
        for i, s in enumerate(sets):
            mask = s.fit & (s.block != b)
            inner_scored.append((s, mask, inner_score[i], inner_isco[i]))
        block_thresholds[b] = choose_thresholds(inner_scored, target)
    oof_threshold = [
        np.asarray([block_thresholds[int(b)][c] for b, c in zip(s.block, s.script, strict=True)])
        for s in sets
    ]
    final_thresholds = choose_thresholds(
        [(s, s.fit, score[i], isco[i]) for i, s in enumerate(sets)], target
    )
    weights = fit_pooled(sets, set(blocks), features)
    return UnseenCalibration(
        weights, final_thresholds, sets, score, tops, oof_threshold, per_block, block_thresholds
    )
