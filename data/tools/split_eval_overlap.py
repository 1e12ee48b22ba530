"""Move labelled titles that coincide with an alias out of the evaluation and calibration sets.

The evaluation titles and the alias tables were written independently, but common phrasings
("школьная медсестра") occur in both. A held-out title that equals an alias form would measure
lookup, not normalization, so such rows go to ``eval/overlap_with_aliases.csv`` (kept for a
separate, clearly labelled figure). Official titles are exempt: people write them verbatim.
The same applies to the calibration titles (``titles_calib.csv``): a calibration title equal to
an alias form would teach the confidence model nothing about unseen wordings.
Run from the repository root after the alias tables change:

    .venv/bin/python data/tools/split_eval_overlap.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from taxonomy.textnorm import comparison_key

DATA = Path(__file__).resolve().parents[1] / "taxonomy"
FIELDS = ["text", "lang", "isco", "source_kind", "noise"]
#: Labelled sets checked against the alias tables, in ``data/taxonomy/eval/``.
LABELLED = ("titles_dev.csv", "titles_eval.csv", "titles_calib.csv")


def rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file under ``data/taxonomy`` as dictionaries."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(name: str, data: list[dict[str, str]], fields: list[str]) -> None:
    """Write rows to a CSV file under ``data/taxonomy``."""
    with (DATA / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)


def official_keys() -> set[str]:
    """Comparison keys of the official titles (occupations.csv and isco08.csv)."""
    return {
        comparison_key(row[col])
        for name, cols in (
            ("occupations.csv", ("title_en", "title_ru", "title_ru_f", "title_kk")),
            ("isco08.csv", ("title_en", "title_ru", "title_kk")),
        )
        for row in rows(name)
        for col in cols
        if row.get(col)
    }


def alias_keys() -> set[str]:
    """Comparison keys of the extra (non-official) occupation aliases."""
    return {comparison_key(r["alias"]) for r in rows("occupation_aliases.csv")} - official_keys() - {""}


def main() -> None:
    """Move every labelled row whose key is an extra alias key to the overlap file."""
    extra = alias_keys()
    overlap_path = DATA / "eval" / "overlap_with_aliases.csv"
    overlap = rows("eval/overlap_with_aliases.csv") if overlap_path.exists() else []
    for name in LABELLED:
        if not (DATA / "eval" / name).exists():
            continue
        kept, moved = [], []
        for row in rows(f"eval/{name}"):
            (moved if comparison_key(row["text"]) in extra else kept).append(row)
        write(f"eval/{name}", kept, FIELDS)
        overlap += [{**r, "from_set": name.removesuffix(".csv")} for r in moved]
        print(f"{name}: kept {len(kept)}, moved {len(moved)}")
    write("eval/overlap_with_aliases.csv", overlap, [*FIELDS, "from_set"])


if __name__ == "__main__":
    main()
