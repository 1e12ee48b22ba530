"""The labelled titles stay independent of the alias tables.

Alias tables must not be filled from the evaluation or calibration titles, or the
reported accuracy would measure memory rather than normalization.  The check
compares comparison keys (the normalizer's own normalization): no dev/eval title
may reduce to the key of an extra alias from ``occupation_aliases.csv`` unless an
official title (``occupations.csv`` or ``isco08.csv``) reduces to the same key —
official titles are the classification itself, which people do write verbatim.
"""

from __future__ import annotations

import csv
from pathlib import Path

from taxonomy.textnorm import comparison_key

DATA = Path(__file__).resolve().parents[2] / "data" / "taxonomy"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_eval_and_dev_titles_are_not_aliases() -> None:
    official = {
        comparison_key(row[col])
        for name, cols in (
            ("occupations.csv", ("title_en", "title_ru", "title_ru_f", "title_kk")),
            ("isco08.csv", ("title_en", "title_ru", "title_kk")),
        )
        for row in _rows(name)
        for col in cols
        if row.get(col)
    }
    alias_keys: dict[str, str] = {}
    for row in _rows("occupation_aliases.csv"):
        key = comparison_key(row["alias"])
        if key and key not in official:
            alias_keys.setdefault(key, row["alias"])
    leaks = [
        f"{name}: {row['text']!r} ~ alias {alias_keys[key]!r}"
        for name in ("eval/titles_dev.csv", "eval/titles_eval.csv", "eval/titles_calib.csv")
        for row in _rows(name)
        if (key := comparison_key(row["text"])) in alias_keys
    ]
    assert not leaks, f"{len(leaks)} labelled titles equal an alias form:\n" + "\n".join(leaks[:40])
