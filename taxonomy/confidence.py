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

The abstain threshold is still chosen on ``titles_dev.csv`` (see
:mod:`taxonomy.calibration`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np

from taxonomy.calibration import FEATURES
from taxonomy.model import Alias, Taxonomy
from taxonomy.normalizer import _KindIndex
from taxonomy.textnorm import comparison_key
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
