"""Speed of the title normalizer: batch throughput, latency, autocomplete, memory.

Usage::

    python bench/taxonomy_speed.py [--n 100000] [--no-doc]

Workload: titles generated from the taxonomy's own aliases with eval-like noise
(case, punctuation, typos, vacancy words, salary and experience phrases, Kazakh
Latin spelling, word order).  Titles are drawn from a pool of ``n * 0.3`` distinct
noisy titles with Zipf-like frequencies, as on a job board where the same
headline is posted many times; the duplicate rate is printed.

The baseline is a plain rapidfuzz approach: ``process.extractOne`` per title over
all alias strings with ``WRatio`` (timed on a sample and extrapolated).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from taxonomy.load import load_taxonomy  # noqa: E402
from taxonomy.normalizer import Normalizer  # noqa: E402
from taxonomy.textnorm import comparison_key, fold_token, stem_token  # noqa: E402
from taxonomy.translit import kk_cyr_to_lat  # noqa: E402

DOC = ROOT / "docs" / "benchmarks" / "taxonomy.md"
BEGIN, END = "<!-- taxonomy-speed:begin -->", "<!-- taxonomy-speed:end -->"
PREFIXES = ["Требуется ", "Срочно требуется ", "Вакансия: ", "", "", "", "Ищу работу: "]
SUFFIXES = [
    "",
    "",
    ", стаж 3 года",
    ", з/п 250 000 тг",
    " в СОШ №2",
    " г. Костанай",
    " вахта",
    " қажет",
    ", опыт от 1 года",
]
LETTERS = "абвгдеклмнопрстуaeiou"


def typo(text: str, rng: np.random.Generator) -> str:
    """Delete, double or swap one letter."""
    if len(text) < 4:
        return text
    i = int(rng.integers(1, len(text) - 1))
    op = int(rng.integers(0, 3))
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def noisy_titles(aliases: list[tuple[str, str]], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct-ish noisy titles built from (alias, lang) pairs."""
    out = []
    for k in rng.integers(0, len(aliases), size=n):
        text, lang = aliases[int(k)]
        r = rng.random(6)
        if lang == "kk" and r[0] < 0.3:
            text = kk_cyr_to_lat(text)
        if r[1] < 0.25:
            text = typo(text, rng)
        if r[2] < 0.15:
            words = text.split()
            text = " ".join(words[::-1])
        if r[3] < 0.5:
            text = text.upper() if r[3] < 0.1 else text.capitalize()
        text = PREFIXES[int(rng.integers(len(PREFIXES)))] + text
        text = text + SUFFIXES[int(rng.integers(len(SUFFIXES)))]
        if r[4] < 0.05:
            text = "".join(LETTERS[int(i)] for i in rng.integers(0, len(LETTERS), size=9))
        out.append(text)
    return out


def workload(aliases: list[tuple[str, str]], n: int, seed: int = 1) -> list[str]:
    """``n`` titles drawn with Zipf-like frequencies from a pool of ``0.3 n`` noisy titles."""
    rng = np.random.default_rng(seed)
    pool = noisy_titles(aliases, max(int(n * 0.3), 1), rng)
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.6
    picks = rng.choice(len(pool), size=n, p=weights / weights.sum())
    return [pool[int(i)] for i in picks]


def clear_caches() -> None:
    """Forget memoized keys so timings include text normalization."""
    comparison_key.cache_clear()
    fold_token.cache_clear()
    stem_token.cache_clear()


def percentile_ms(samples: list[float], q: float) -> float:
    """The q-th percentile of durations in seconds, as milliseconds."""
    return float(np.percentile(np.asarray(samples), q) * 1000.0)


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
    """Run the speed benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="titles in the batch")
    parser.add_argument("--baseline-sample", type=int, default=1000)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    tax = load_taxonomy()
    load_s = time.perf_counter() - t0
    norm = Normalizer(tax)
    t0 = time.perf_counter()
    norm.index("occupation")
    build_s = time.perf_counter() - t0

    aliases = [(a.alias, a.lang) for a in tax.occupation_aliases]
    titles = workload(aliases, args.n)
    unique_share = len(set(titles)) / len(titles)

    clear_caches()
    t0 = time.perf_counter()
    batch = norm.normalize_batch(pl.Series(titles))
    batch_s = time.perf_counter() - t0
    answered = float((batch["code"] != "").mean() or 0.0)

    clear_caches()
    rng = np.random.default_rng(2)
    singles = noisy_titles(aliases, 2000, rng)
    single_times = []
    for text in singles:
        t = time.perf_counter()
        norm.normalize(text)
        single_times.append(time.perf_counter() - t)

    prefixes = []
    for text, _ in (aliases[int(i)] for i in rng.integers(0, len(aliases), size=2000)):
        cut = int(rng.integers(2, max(len(text), 3)))
        prefixes.append(text[:cut])
    tax.search_occupations("а")  # builds the prefix index once
    search_times = []
    for prefix in prefixes:
        t = time.perf_counter()
        tax.search_occupations(prefix, limit=10)
        search_times.append(time.perf_counter() - t)

    choices = [a for a, _ in aliases]
    sample = titles[: args.baseline_sample]
    t0 = time.perf_counter()
    for text in sample:
        process.extractOne(text, choices, scorer=fuzz.WRatio)
    baseline_rate = len(sample) / (time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    rate = len(titles) / batch_s
    lines = [
        "| figure | value |",
        "|---|---:|",
        f"| taxonomy load | {load_s * 1000:.0f} ms |",
        f"| occupation index build ({len(norm.index('occupation').keys)} alias keys) | {build_s * 1000:.0f} ms |",
        f"| batch titles | {len(titles):,} ({unique_share:.0%} distinct) |",
        f"| batch time | {batch_s:.2f} s |",
        f"| batch throughput | {rate:,.0f} titles/s |",
        f"| batch answered (not unknown) | {answered:.1%} |",
        f"| single title p50 / p99 | {percentile_ms(single_times, 50):.2f} / {percentile_ms(single_times, 99):.2f} ms |",
        f"| autocomplete p50 / p95 | {percentile_ms(search_times, 50):.2f} / {percentile_ms(search_times, 95):.2f} ms |",
        f"| baseline extractOne + WRatio over {len(choices):,} aliases | {baseline_rate:,.0f} titles/s |",
        f"| batch speed-up over baseline | {rate / baseline_rate:,.0f}x |",
        f"| peak memory (ru_maxrss) | {peak_mb:.0f} MB |",
    ]
    result = "\n".join(lines)
    print(result)
    if not args.no_doc:
        write_doc(
            "## Normalizer speed (`bench/taxonomy_speed.py`)\n\n"
            f"Machine: {_cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the "
            "end of the run (other jobs shared the cores; figures vary with load). Batch titles are drawn with Zipf-like "
            "frequencies from a pool of distinct noisy titles (30 % of the batch size) "
            "generated from the aliases with eval-like noise; caches are cleared before the "
            "batch and before the single-title run (2,000 fresh noisy titles). The "
            "baseline is timed on the first "
            f"{len(sample):,} batch titles and extrapolated.\n\n" + result
        )


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
