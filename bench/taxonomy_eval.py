"""Accuracy of the title normalizer on the labelled titles and on ESCO labels.

Usage::

    python bench/taxonomy_eval.py              # evaluate, print, update the docs
    python bench/taxonomy_eval.py --calibrate  # fit the confidence model and threshold
                                               # on dev + calib-hold (never eval)
    python bench/taxonomy_eval.py --failures   # also list eval failures

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
on dev and calib-hold, so those two rows are in-sample; ``--calibrate`` prints their
out-of-fold figures.

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
from taxonomy.confidence import calib_part, calibrate, rates, top1  # noqa: E402
from taxonomy.esco import EscoOccupation, extend_with_esco, load_esco  # noqa: E402
from taxonomy.load import load_taxonomy  # noqa: E402
from taxonomy.normalizer import Normalizer  # noqa: E402

EVAL_DIR = ROOT / "data" / "taxonomy" / "eval"
ESCO_DIR = ROOT.parent / "shared" / "esco"
DOC = ROOT / "docs" / "benchmarks" / "taxonomy.md"
BEGIN, END = "<!-- taxonomy-eval:begin -->", "<!-- taxonomy-eval:end -->"


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


def metrics(s: Scored, threshold: float, mask: np.ndarray | None = None) -> dict[str, float]:
    """Top-1, top-3, abstain and wrong-confident rates at ``threshold``."""
    idx = np.flatnonzero(mask) if mask is not None else np.arange(len(s.gold))
    answered = s.score[idx] >= threshold
    gold = [s.gold[i] for i in idx]
    first = [s.top[i][0] if s.top[i] else "" for i in idx]
    classifiable = np.array([g != "" for g in gold])
    top1 = np.array([a and f == g for a, f, g in zip(answered, first, gold, strict=True)])
    top3 = np.array(
        [a and g in s.top[i] for a, g, i in zip(answered, gold, idx, strict=True)]
    ) & classifiable
    wrong = answered & ~top1
    n_cls = max(int(classifiable.sum()), 1)
    any_top1 = np.array([f == g for f, g in zip(first, gold, strict=True)]) & classifiable
    return {
        "n": float(len(idx)),
        "top1_open": float(any_top1.sum() / n_cls),
        "top1": float(top1[classifiable].sum() / n_cls),
        "top3": float(top3.sum() / n_cls),
        "abstain": float((~answered).mean()) if len(idx) else 0.0,
        "wrong_confident": float(wrong.mean()) if len(idx) else 0.0,
    }


def labelled(frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Texts and gold unit groups ("" for non-occupations) of a labelled frame."""
    return frame["text"].to_list(), [g or "" for g in frame["isco"].to_list()]


def run_calibration(norm: Normalizer, dev: pl.DataFrame, calib: pl.DataFrame) -> None:
    """Fit the confidence model and choose the threshold; print constants and figures."""
    result = calibrate(
        norm.index("occupation"),
        {"dev": labelled(dev), "calib": labelled(calib)},
        target=TARGET_WRONG_CONFIDENT,
    )
    print("CONFIDENCE =", {k: round(v, 3) for k, v in result.weights.items()})
    print(f"ABSTAIN_THRESHOLD = {result.threshold}")
    data, t = result.data, result.threshold
    final_score, final_isco = top1(data, result.weights)
    rows = []
    for name, part, score, isco in (
        ("dev, out of fold", "dev", result.oof_score, result.oof_isco),
        ("calib hold, out of fold", "hold", result.oof_score, result.oof_isco),
        ("calib fix, final weights", "fix", final_score, final_isco),
    ):
        m = result.part == part
        r = rates(score[m], isco[m], data.gold[m], t)
        r["top3"] = float("nan")
        rows.append((name, r))
    print(table(rows))


def esco_split(label: str) -> bool:
    """True when ``label`` is held out of the ESCO index (one in five, stable)."""
    return zlib.crc32(label.encode("utf-8")) % 5 == 0


def esco_rows(threshold: float) -> list[tuple[str, dict[str, float]]]:
    """Accuracy on held-out ESCO alternative labels without and with the import."""
    if not (ESCO_DIR / "occupations_en.csv").exists():
        return []
    release = load_esco(ESCO_DIR)
    held = [(label, occ.isco) for occ in release.occupations for label in occ.alt_labels if esco_split(label)]
    frame = pl.DataFrame(
        {"text": [t for t, _ in held], "isco": [g for _, g in held], "lang": ["en"] * len(held)}
    )
    base = load_taxonomy()

    def keep(occ: EscoOccupation, label: str) -> bool:
        return not esco_split(label)

    rows = []
    for name, tax in (
        ("ESCO held-out labels, without import", base),
        ("ESCO held-out labels, with import", extend_with_esco(base, release, use_alt_label=keep)),
    ):
        norm = Normalizer(tax, threshold=0.0)
        scored = score_batch_top1(norm, frame)
        rows.append((name, metrics(scored, threshold)))
    return rows


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
        "| set | n | top-1 never abstaining | top-1 | top-3 | abstain | wrong-confident |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in rows:
        lines.append(
            f"| {name} | {int(m['n'])} | {m['top1_open']:.1%} | {m['top1']:.1%} | "
            f"{'—' if np.isnan(m['top3']) else format(m['top3'], '.1%')} | "
            f"{m['abstain']:.1%} | {m['wrong_confident']:.1%} |"
        )
    return "\n".join(lines)


def write_doc(section: str) -> None:
    """Replace this script's section of docs/benchmarks/taxonomy.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Taxonomy benchmarks\n"
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the evaluation (or the calibration) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="choose the threshold on dev")
    parser.add_argument("--failures", action="store_true", help="list eval failures")
    parser.add_argument("--no-doc", action="store_true", help="do not update the docs")
    args = parser.parse_args()

    tax = load_taxonomy()
    norm = Normalizer(tax, threshold=0.0)
    threshold = Normalizer(tax).threshold
    dev = pl.read_csv(EVAL_DIR / "titles_dev.csv", infer_schema_length=0)
    dev_scored = score_titles(norm, dev)

    calib = pl.read_csv(EVAL_DIR / "titles_calib.csv", infer_schema_length=0)
    if args.calibrate:
        run_calibration(norm, dev, calib)
        return

    evalset = pl.read_csv(EVAL_DIR / "titles_eval.csv", infer_schema_length=0)
    ev = score_titles(norm, evalset)
    langs = np.array(ev.lang)
    rows = [(f"eval {lang}", metrics(ev, threshold, langs == lang)) for lang in ("ru", "kk", "kk_latn", "en")]
    rows.append(("eval ru+kk+kk_latn", metrics(ev, threshold, langs != "en")))
    rows.append(("eval all", metrics(ev, threshold)))
    rows.append(("dev all (calibration, fitted on)", metrics(dev_scored, threshold)))
    cal = score_titles(norm, calib)
    part = np.array([calib_part(t) for t in calib["text"].to_list()])
    cal_lang = np.array(cal.lang)
    for name, mask in (
        ("calib fix (tables corrected on it)", part == "fix"),
        ("calib hold (fitted on)", part == "hold"),
        ("calib hold ru+kk+kk_latn", (part == "hold") & (cal_lang != "en")),
    ):
        rows.append((name, metrics(cal, threshold, mask)))
    for lang in ("ru", "kk", "kk_latn", "en"):
        rows.append((f"calib all {lang}", metrics(cal, threshold, cal_lang == lang)))
    noise = np.array(evalset["noise"].to_list())
    noise_rows = [(f"eval noise={k}", metrics(ev, threshold, noise == k)) for k in sorted(set(noise))]
    esco = esco_rows(threshold)

    result = table(rows + noise_rows + esco)
    print(f"abstain threshold {threshold:.3f} (taxonomy.calibration)")
    print(result)
    if args.failures:
        for i in range(len(ev.gold)):
            answered = ev.score[i] >= threshold
            first = ev.top[i][0] if ev.top[i] else ""
            if (answered and first != ev.gold[i]) or (not answered and ev.gold[i]):
                print(f"{ev.lang[i]:7} gold={ev.gold[i] or '-':4} got={first if answered else 'abstain':7}"
                      f" s={ev.score[i]:.2f} top={ev.top[i]} | {ev.text[i]}")
    if not args.no_doc:
        write_doc(
            "## Title normalizer accuracy (`bench/taxonomy_eval.py`)\n\n"
            f"Abstain threshold {threshold:.3f}, calibrated on `titles_dev.csv` and the hold "
            "part of `titles_calib.csv` only (smallest threshold whose out-of-fold "
            f"wrong-but-confident rate, averaged over the two, is at most {TARGET_WRONG_CONFIDENT:.1%}); "
            "the calibration rows are scored with the fitted constants, so dev and calib hold "
            "are in-sample here (`--calibrate` prints their out-of-fold figures). Top-1/top-3 count an abstention as a miss and are over titles "
            "with a gold unit group; *top-1 never abstaining* is the best candidate's accuracy "
            "with the threshold off; abstain and wrong-confident are over all titles. "
            "ESCO rows: alternative labels held out by `crc32(label) % 5 == 0`; *with import* "
            "indexes all preferred labels and the other alternative labels.\n\n" + result
        )


if __name__ == "__main__":
    main()
