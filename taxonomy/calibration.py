"""Calibrated constants of the normalizer.

The confidence model and the abstain thresholds are fitted with
``python bench/taxonomy_eval.py --calibrate --esco DIR``
(:func:`taxonomy.confidence.calibrate_folds`), never on ``titles_eval.csv``, on:

* **seen** titles: ``data/taxonomy/eval/titles_dev.csv`` and the "hold" part
  (``crc32(text) % 10 >= 4``) of ``titles_calib.csv``, against the full tables (the
  "fix" part, whose failures were read to correct tables, is left out);
* **unseen** titles: the leave-occupations-out folds of :mod:`taxonomy.unseen` --
  the labels (and one-typo variants) of the project's own occupations held out
  whole from the alias tables, and of ESCO occupations held out of the import.

**Model.**  Every shortlisted alias of a title that is not an exact alias hit is one
sample, labelled 1 when the alias's unit group is the gold one (titles that are not a
classifiable occupation give only negatives); a logistic regression over
:data:`FEATURES` gives :data:`CONFIDENCE`.  Seen, own-unseen and ESCO-unseen samples
weigh the same in total.

**Thresholds.**  One per script class (:func:`taxonomy.textnorm.script_class`: Kazakh
letters, other Cyrillic, Latin), because a title's script is visible while its
language is not.  Titles fall into 5 blocks (the unseen folds; seen titles by a hash
of their gold unit group).  Out-of-fold scores come from weights fitted without the
block; :data:`ABSTAIN_THRESHOLDS` are the smallest thresholds whose out-of-fold
wrong-but-confident rate (answered with a wrong unit group, or answered when the gold
says "not an occupation") is at most :data:`TARGET_WRONG_CONFIDENT` in every set
(seen, own unseen, ESCO unseen) and every language.  The published out-of-fold figures
use, for each block, thresholds chosen by an inner loop without that block.

An exact hit of an alias key of a single unit group scores 1.0 and is always answered.
"""

from __future__ import annotations

__all__ = [
    "ABSTAIN_THRESHOLDS",
    "CONFIDENCE",
    "FEATURES",
    "SCRIPT_CLASSES",
    "SKILL_ABSTAIN_THRESHOLD",
    "TARGET_WRONG_CONFIDENT",
]

#: Features of a (query, alias) pair the confidence model uses (computed in
#: ``_KindIndex.shortlist_features``): n-gram cosine, rapidfuzz ratio, share of the
#: alias's / the query's word weight the other explains, how far the pair's blend is
#: behind the query's best, the share of the shortlist's softmax evidence on the pair's
#: unit group, the blend margin of the pair's group over the best other group, the
#: same margins for the two coverages, the share of the query's word weight carried by
#: words no alias uses, log(1 + number of query words), the word-profile cosine of the
#: pair's unit group with the query (all words; head words only; margin over the best
#: other group) and the similarity of a typo-corrected alias hit (0 for other pairs).
FEATURES: tuple[str, ...] = (
    "cosine", "ratio", "alias_cov", "query_cov", "behind", "group_share", "group_margin",
    "alias_cov_gap", "query_cov_gap", "unknown_share", "log_words",
    "profile", "profile_head", "profile_gap", "corrected_hit",
)  # fmt: skip

#: Wrong-but-confident rate (out of fold, in every set and language) the thresholds
#: are chosen for: one point under the 5 % goal.
TARGET_WRONG_CONFIDENT = 0.04
#: Logistic confidence model over FEATURES (see the module docstring).  The score of a
#: non-exact candidate is sigmoid(bias + sum(weight * feature)) / ambiguity.
CONFIDENCE: dict[str, float] = {
    "bias": -3.673,
    "cosine": -0.204,
    "ratio": 0.185,
    "alias_cov": 0.117,
    "query_cov": -1.037,
    "behind": 1.185,
    "group_share": 4.805,
    "group_margin": 0.373,
    "alias_cov_gap": 0.95,
    "query_cov_gap": -0.294,
    "unknown_share": -0.263,
    "log_words": 0.553,
    "profile": 2.22,
    "profile_head": 1.831,
    "profile_gap": 1.799,
    "corrected_hit": -0.278,
}
#: Script classes with their own abstain threshold (``taxonomy.textnorm.script_class``).
SCRIPT_CLASSES: tuple[str, ...] = ("kk", "ru", "latin")
#: Chosen by the rule above (figures: docs/benchmarks/taxonomy.md, seen and unseen
#: section).  Until the unseen folds were added (one threshold 0.635, fitted on seen
#: titles only) held-out occupations were answered wrongly about as often as rightly.
ABSTAIN_THRESHOLDS: dict[str, float] = {"kk": 0.82, "ru": 0.895, "latin": 0.855}
#: Skill names have no labelled set yet: this threshold on the blended similarity
#: is an ESTIMATE (chosen by inspecting a handful of hand-written skill names).
SKILL_ABSTAIN_THRESHOLD = 0.7
