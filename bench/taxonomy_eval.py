"""Accuracy of the title normalizer on the labelled titles and on ESCO labels.

Usage::

    python bench/taxonomy_eval.py              # evaluate, print, update the docs
    python bench/taxonomy_eval.py --calibrate  # fit the confidence model and the
                                               # per-script thresholds on dev,
                                               # calib-hold and the unseen folds
    python bench/taxonomy_eval.py --unseen     # the same fit; write the out-of-fold
                                               # seen/unseen table to the docs
    python bench/taxonomy_eval.py --failures   # also list eval failures

``--esco DIR`` (default ``../shared/esco``) is the ESCO release read at run time for
the ESCO rows and folds; ``--folds N`` (default 5) the number of
leave-occupations-out folds (``taxonomy/unseen.py``).

Metrics (per language and overall):

* top-1 / top-3: share of classifiable titles (gold ISCO unit group given) whose
  best / any of the best three candidates is in the gold unit group; an
  abstention counts as a miss;
* abstain: share of all titles the normalizer declined to answer;
* wrong-confident: share of all titles answered with a wrong unit group, or
  answered although the gold says the text is not a classifiable occupation.

Calibration rows: ``titles_dev.csv`` and the two parts of ``titles_calib.csv``
("fix": failures read to correct tables; "hold": only fitted on).  In the plain run
they are scored with the constants of :mod:`taxonomy.calibration`, which were fitted
on dev, calib-hold and the unseen folds, so those two rows are in-sample;
``--calibrate``/``--unseen`` print their out-of-fold figures.

The ESCO part (needs ``../shared/esco``) normalizes ESCO alternative labels and
checks the ISCO unit group of their occupation.  Labels are split by a stable
hash: one label in five (``crc32(label) % 5 == 0``) is held out; the held-out
labels are evaluated WITHOUT the ESCO import and WITH it, where the import
indexes every preferred label and only the other four fifths of alternative
labels.
"""

from __future__ import annotations

import argparse
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from taxonomy.calibration import TARGET_WRONG_CONFIDENT  # noqa: E402
from taxonomy.confidence import (  # noqa: E402
    FitSet,
    UnseenCalibration,
    calib_part,
    calibrate_folds,
    fit_set,
    group_block,
)
from taxonomy.esco import EscoOccupation, extend_with_esco, load_esco  # noqa: E402
from taxonomy.load import load_taxonomy  # noqa: E402
from taxonomy.model import Taxonomy  # noqa: E402
from taxonomy.normalizer import Normalizer  # noqa: E402
from taxonomy.unseen import esco_folds, own_folds  # noqa: E402

EVAL_DIR = ROOT / "data" / "taxonomy" / "eval"
ESCO_DIR = ROOT.parent / "shared" / "esco"
DOC = ROOT / "docs" / "benchmarks" / "taxonomy.md"
BEGIN, END = "<!-- taxonomy-eval:begin -->", "<!-- taxonomy-eval:end -->"
UNSEEN_BEGIN, UNSEEN_END = "<!-- taxonomy-unseen:begin -->", "<!-- taxonomy-unseen:end -->"


@dataclass
class Scored:
    """Best score, ISCO of the top-3 candidates and gold for each labelled text."""

    gold: list[str]
    lang: list[str]
    score: np.ndarray
    top: list[list[str]]
    text: list[str]


def score_titles(norm: Normalizer, frame: pl.DataFrame) -> Scored:
    """Normalize every title with the threshold off, keeping scores for sweeping."""
    scores, tops = [], []
    for text in frame["text"].to_list():
        result = norm.normalize(text, top_k=3)
        scores.append(result.candidates[0].score if result.candidates else 0.0)
        tops.append([c.isco for c in result.candidates])
    return Scored(
        gold=[g or "" for g in frame["isco"].to_list()],
        lang=frame["lang"].to_list(),
        score=np.asarray(scores),
        top=tops,
        text=frame["text"].to_list(),
    )


def metrics(
    s: Scored, threshold: float | np.ndarray, mask: np.ndarray | None = None
) -> dict[str, float]:
    """Top-1, top-3, minor-group top-1, abstain and wrong-confident rates.

    ``threshold`` is one number or one per title (the per-script thresholds).
    """
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(s.gold))
    limit = np.broadcast_to(np.asarray(threshold, dtype=np.float64), s.score.shape)[idx]
    answered = s.score[idx] >= limit
    gold = [s.gold[i] for i in idx]
    first = [s.top[i][0] if s.top[i] else "" for i in idx]
    classifiable = np.array([g != "" for g in gold], dtype=bool)
    top1 = np.array(
        [a and f == g for a, f, g in zip(answered, first, gold, strict=True)], dtype=bool
    )
    top3 = (
        np.array(
            [a and g in s.top[i] for a, g, i in zip(answered, gold, idx, strict=True)], dtype=bool
        )
        & classifiable
    )
    minor = np.array(
        [a and g != "" and f[:3] == g[:3] for a, f, g in zip(answered, first, gold, strict=True)],
        dtype=bool,
    )
    wrong = answered & ~top1
    n_cls = max(int(classifiable.sum()), 1)
    any_top1 = (
        np.array([f == g for f, g in zip(first, gold, strict=True)], dtype=bool) & classifiable
    )
    offered = (
        np.array([g in s.top[i][:3] for g, i in zip(gold, idx, strict=True)], dtype=bool)
        & classifiable
    )
    any_minor = np.array(
        [g != "" and f[:3] == g[:3] for f, g in zip(first, gold, strict=True)], dtype=bool
    )
    return {
        "n": float(len(idx)),
        "top1_open": float(any_top1.sum() / n_cls),
        "top1": float(top1[classifiable].sum() / n_cls) if len(idx) else 0.0,
        "top3": float(top3.sum() / n_cls),
        "offered": float(offered.sum() / n_cls),
        "minor_open": float(any_minor.sum() / n_cls),
        "minor": float(minor.sum() / n_cls),
        "abstain": float((~answered).mean()) if len(idx) else 0.0,
        "wrong_confident": float(wrong.mean()) if len(idx) else 0.0,
    }


def labelled(frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Texts and gold unit groups ("" for non-occupations) of a labelled frame."""
    return frame["text"].to_list(), [g or "" for g in frame["isco"].to_list()]


# ----------------------------------------------------------------------------
# Seen and unseen occupations: the fit of the constants and the unseen figures


def fit_sets(
    base: Taxonomy,
    dev: pl.DataFrame,
    calib: pl.DataFrame,
    esco_dir: Path | None,
    folds: int,
) -> list[FitSet]:
    """The labelled seen titles and the leave-occupations-out folds, features computed.

    Seen: ``titles_dev.csv`` and ``titles_calib.csv`` against the full index (the
    calibration set's "fix" part is scored but never fitted on); blocks by gold unit
    group.  Unseen: one set per fold of the own occupations, and of the ESCO
    occupations when ``esco_dir`` holds a release; each against its fold's index.
    """
    texts, gold = labelled(dev)
    c_texts, c_gold = labelled(calib)
    all_texts, all_gold = [*texts, *c_texts], [*gold, *c_gold]
    fit = np.asarray([True] * len(texts) + [calib_part(t) != "fix" for t in c_texts])
    index = Normalizer(base).index("occupation")
    sets = [
        fit_set(
            "seen", index, all_texts, all_gold,
            [*dev["lang"].to_list(), *calib["lang"].to_list()],
            group_block(all_texts, all_gold, folds), fit,
        )
    ]  # fmt: skip
    kinds = [("own", own_folds(base, folds))]
    if esco_dir is not None and (esco_dir / "occupations_en.csv").exists():
        kinds.append(("esco", esco_folds(base, load_esco(esco_dir), folds)))
    for name, fold_list in kinds:
        for fold in fold_list:
            fold_index = Normalizer(fold.taxonomy).index("occupation")
            sets.append(
                fit_set(
                    f"{name}:{fold.number}", fold_index, fold.texts, fold.gold, fold.lang,
                    [fold.number] * len(fold.texts),
                )
            )  # fmt: skip
    return sets


def fold_rows(result: UnseenCalibration) -> list[tuple[str, dict[str, float]]]:
    """Out-of-fold figures per kind (seen, own unseen, ESCO unseen) and language.

    Every title is scored with weights fitted without its block and judged against
    the threshold chosen without its block (``UnseenCalibration.oof_threshold``).
    """
    rows = []
    names = {
        "seen": "seen: dev + calib hold",
        "own": "unseen own occupations",
        "esco": "unseen ESCO occupations",
    }
    for kind, title in names.items():
        parts = [(i, s) for i, s in enumerate(result.sets) if s.name.split(":")[0] == kind]
        if not parts:
            continue
        scored = Scored(
            gold=[str(g) for _, s in parts for g in s.data.gold],
            lang=[str(x) for _, s in parts for x in s.lang],
            score=np.concatenate([result.oof_score[i] for i, _ in parts]),
            top=[t for i, _ in parts for t in result.oof_top[i]],
            text=["" for _, s in parts for _ in s.data.gold],
        )
        limit = np.concatenate([result.oof_threshold[i] for i, _ in parts])
        fit = np.concatenate([s.fit for _, s in parts])
        langs = np.asarray(scored.lang)
        for lang in ("ru", "kk", "kk_latn", "en"):
            m = fit & (langs == lang)
            if m.any():
                rows.append((f"{title}, {lang}", metrics(scored, limit, m)))
    return rows


def run_folds(
    args: argparse.Namespace, base: Taxonomy, dev: pl.DataFrame, calib: pl.DataFrame
) -> None:
    """Fit on seen + unseen folds; print the constants and the out-of-fold table."""
    esco_dir = Path(args.esco) if args.esco else None
    sets = fit_sets(base, dev, calib, esco_dir, args.folds)
    result = calibrate_folds(sets, folds=args.folds, target=TARGET_WRONG_CONFIDENT)
    print("CONFIDENCE =", {k: round(v, 3) for k, v in result.weights.items()})
    print("ABSTAIN_THRESHOLDS =", result.thresholds)
    print("per-block thresholds (chosen without the block):", result.block_thresholds)
    rows = fold_rows(result)
    text = table(rows)
    print(text)
    if args.unseen and not args.no_doc:
        write_doc(
            "## Seen and unseen occupations (`bench/taxonomy_eval.py --unseen`)\n\n"
            f"Leave-occupations-out, {args.folds} folds (`taxonomy/unseen.py`): own occupations "
            "by `crc32(code)`, ESCO occupations by `crc32(conceptUri)`; a fold's occupations are "
            "removed with every alias (ESCO: the other folds' occupations are imported with all "
            "their labels), and their labels plus one one-typo variant of each (one per distinct "
            "comparison key) are normalized; gold is the ISCO unit group. *Seen* is "
            "`titles_dev.csv` + the hold part of `titles_calib.csv` against the full tables, in "
            "blocks by gold unit group. Every row is out of fold: a block is scored with "
            "confidence weights fitted on the other blocks and judged by per-script thresholds "
            "chosen, by an inner loop, on the other blocks only. *minor* is the 3-digit group "
            "of the answer. *Top-3 offered*: the gold group among the three best distinct groups, "
            "answered or suggested with an abstention. Top-3 of exact alias hits counts the "
            "hit's group only (a lower bound). `titles_eval.csv` is not used here.\n\n"
            f"Shipped constants (fitted on all blocks): thresholds {result.thresholds}.\n\n" + text,
            UNSEEN_BEGIN,
            UNSEEN_END,
        )


def esco_split(label: str) -> bool:
    """True when ``label`` is held out of the ESCO index (one in five, stable)."""
    return zlib.crc32(label.encode("utf-8")) % 5 == 0


def esco_rows(base: Taxonomy, esco_dir: Path) -> list[tuple[str, dict[str, float]]]:
    """Accuracy on held-out ESCO alternative labels without and with the import."""
    if not (esco_dir / "occupations_en.csv").exists():
        return []
    release = load_esco(esco_dir)
    held = [
        (label, occ.isco)
        for occ in release.occupations
        for label in occ.alt_labels
        if esco_split(label)
    ]
    frame = pl.DataFrame(
        {"text": [t for t, _ in held], "isco": [g for _, g in held], "lang": ["en"] * len(held)}
    )

    def keep(occ: EscoOccupation, label: str) -> bool:
        return not esco_split(label)

    rows = []
    for name, tax in (
        ("ESCO held-out labels, without import", base),
        ("ESCO held-out labels, with import", extend_with_esco(base, release, use_alt_label=keep)),
    ):
        norm = Normalizer(tax, threshold=0.0)
        scored = score_batch_top1(norm, frame)
        limit = thresholds_of(Normalizer(tax), scored.text)
        rows.append((name, metrics(scored, limit)))
    return rows


def thresholds_of(norm: Normalizer, texts: list[str]) -> np.ndarray:
    """The calibrated abstain threshold of each text (by script)."""
    return np.asarray([norm.threshold_for(t) for t in texts], dtype=np.float64)


def score_batch_top1(norm: Normalizer, frame: pl.DataFrame) -> Scored:
    """Score a large frame with the batch path (top-1 only; top-3 equals top-1)."""
    out = norm.normalize_batch(frame["text"], lang="en")
    isco = out["isco"].to_list()
    return Scored(
        gold=frame["isco"].to_list(),
        lang=frame["lang"].to_list(),
        score=out["score"].to_numpy(),
        top=[[i] if i else [] for i in isco],
        text=frame["text"].to_list(),
    )


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    """Markdown table of metric rows."""
    lines = [
        "| set | n | top-1 never abstaining | top-1 | top-3 | top-3 offered | minor top-1 never "
        "abstaining | minor top-1 | abstain | wrong-confident |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in rows:
        lines.append(
            f"| {name} | {int(m['n'])} | {m['top1_open']:.1%} | {m['top1']:.1%} | "
            f"{'—' if np.isnan(m['top3']) else format(m['top3'], '.1%')} | {m['offered']:.1%} | "
            f"{m['minor_open']:.1%} | {m['minor']:.1%} | "
            f"{m['abstain']:.1%} | {m['wrong_confident']:.1%} |"
        )
    return "\n".join(lines)


def write_doc(section: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace one of this script's sections of docs/benchmarks/taxonomy.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Taxonomy benchmarks\n"
    block = f"{begin}\n{section}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the evaluation (or the calibration / the unseen folds) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calibrate", action="store_true",
        help="fit the confidence model and thresholds on seen + unseen folds (never eval)",
    )  # fmt: skip
    parser.add_argument(
        "--unseen", action="store_true",
        help="the same fit, and write the out-of-fold seen/unseen table to the docs",
    )  # fmt: skip
    parser.add_argument("--folds", type=int, default=5, help="leave-occupations-out folds")
    parser.add_argument("--esco", default=str(ESCO_DIR), help="folder of an ESCO CSV release")
    parser.add_argument("--failures", action="store_true", help="list eval failures")
    parser.add_argument("--no-doc", action="store_true", help="do not update the docs")
    args = parser.parse_args()

    tax = load_taxonomy()
    dev = pl.read_csv(EVAL_DIR / "titles_dev.csv", infer_schema_length=0)
    calib = pl.read_csv(EVAL_DIR / "titles_calib.csv", infer_schema_length=0)
    if args.calibrate or args.unseen:
        run_folds(args, tax, dev, calib)
        return

    norm = Normalizer(tax, threshold=0.0)
    calibrated = Normalizer(tax)
    dev_scored = score_titles(norm, dev)
    evalset = pl.read_csv(EVAL_DIR / "titles_eval.csv", infer_schema_length=0)
    ev = score_titles(norm, evalset)
    ev_t = thresholds_of(calibrated, ev.text)
    langs = np.array(ev.lang)
    rows = [
        (f"eval {lang}", metrics(ev, ev_t, langs == lang)) for lang in ("ru", "kk", "kk_latn", "en")
    ]
    rows.append(("eval ru+kk+kk_latn", metrics(ev, ev_t, langs != "en")))
    rows.append(("eval all", metrics(ev, ev_t)))
    rows.append(
        ("dev all (fitted on)", metrics(dev_scored, thresholds_of(calibrated, dev_scored.text)))
    )
    cal = score_titles(norm, calib)
    cal_t = thresholds_of(calibrated, cal.text)
    part = np.array([calib_part(t) for t in calib["text"].to_list()])
    cal_lang = np.array(cal.lang)
    for name, mask in (
        ("calib fix (tables corrected on it)", part == "fix"),
        ("calib hold (fitted on)", part == "hold"),
        ("calib hold ru+kk+kk_latn", (part == "hold") & (cal_lang != "en")),
    ):
        rows.append((name, metrics(cal, cal_t, mask)))
    for lang in ("ru", "kk", "kk_latn", "en"):
        rows.append((f"calib all {lang}", metrics(cal, cal_t, cal_lang == lang)))
    noise = np.array(evalset["noise"].to_list())
    noise_rows = [(f"eval noise={k}", metrics(ev, ev_t, noise == k)) for k in sorted(set(noise))]
    esco = esco_rows(tax, Path(args.esco))

    result = table(rows + noise_rows + esco)
    print(f"abstain thresholds {calibrated.thresholds} (taxonomy.calibration)")
    print(result)
    if args.failures:
        for i in range(len(ev.gold)):
            answered = ev.score[i] >= ev_t[i]
            first = ev.top[i][0] if ev.top[i] else ""
            if (answered and first != ev.gold[i]) or (not answered and ev.gold[i]):
                print(
                    f"{ev.lang[i]:7} gold={ev.gold[i] or '-':4} got={first if answered else 'abstain':7}"
                    f" s={ev.score[i]:.2f} top={ev.top[i]} | {ev.text[i]}"
                )
    if not args.no_doc:
        write_doc(
            "## Title normalizer accuracy (`bench/taxonomy_eval.py`)\n\n"
            f"Abstain thresholds by script {calibrated.thresholds}, fitted with "
            "`--calibrate` on `titles_dev.csv`, the hold part of `titles_calib.csv` and the "
            "leave-occupations-out folds only (wrong-but-confident at most "
            f"{TARGET_WRONG_CONFIDENT:.1%} out of fold in every set and language); dev and "
            "calib hold are in-sample here (the seen/unseen section below has their "
            "out-of-fold figures). Top-1/top-3 count an abstention as a miss and are over "
            "titles with a gold unit group; *never abstaining* is the best candidate's "
            "accuracy with the threshold off; *top-3 offered* counts the gold group among the "
            "three best candidates whether answered or only suggested with an abstention "
            "(alias order, so a lower bound of the distinct-group suggestions); *minor* is "
            "the 3-digit group; abstain and "
            "wrong-confident are over all titles. ESCO rows: alternative labels held out by "
            "`crc32(label) % 5 == 0`; *with import* indexes all preferred labels and the "
            "other alternative labels.\n\n" + result
        )


if __name__ == "__main__":
    main()
