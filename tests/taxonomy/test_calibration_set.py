"""The calibration titles (``titles_calib.csv``) are a sound, independent labelled set."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from taxonomy.confidence import calib_part
from taxonomy.textnorm import comparison_key

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "data" / "taxonomy" / "eval"
sys.path.insert(0, str(ROOT / "data" / "tools"))

from split_eval_overlap import FIELDS, alias_keys  # noqa: E402


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CALIB = _rows(EVAL / "titles_calib.csv")


def test_header_and_values() -> None:
    with (EVAL / "titles_calib.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(FIELDS)
    units = {
        r["code"] for r in _rows(ROOT / "data" / "taxonomy" / "isco08.csv") if r["level"] == "4"
    }
    for row in CALIB:
        assert row["text"] == row["text"].strip() and row["text"], row
        assert row["lang"] in {"ru", "kk", "kk_latn", "en"}, row
        assert row["source_kind"] in {"vacancy", "cv"}, row
        assert row["noise"] in {
            "none", "typo", "abbreviation", "mixed_script", "word_order", "informal_latin", "several",
        }, row  # fmt: skip
        assert row["isco"] == "" or (
            re.fullmatch(r"\d{4}", row["isco"]) and row["isco"] in units
        ), row


def test_size_and_language_mix() -> None:
    langs = Counter(row["lang"] for row in CALIB)
    assert len(CALIB) >= 700
    assert (
        langs["ru"] >= 300 and langs["kk"] >= 250 and langs["kk_latn"] >= 80 and langs["en"] >= 80
    )
    empty = sum(1 for row in CALIB if not row["isco"])
    assert 20 <= empty <= 0.1 * len(CALIB)
    assert len({row["isco"] for row in CALIB if row["isco"]}) >= 100


def test_no_title_repeats_an_alias_a_dev_or_eval_title_or_itself() -> None:
    keys = [comparison_key(row["text"]) for row in CALIB]
    assert all(keys)
    assert len(set(keys)) == len(keys), [k for k, n in Counter(keys).items() if n > 1]
    assert not set(keys) & alias_keys()
    for name in ("titles_dev.csv", "titles_eval.csv"):
        other = {comparison_key(row["text"]) for row in _rows(EVAL / name)}
        assert not set(keys) & other, name


def test_fix_hold_split_is_deterministic_and_about_40_60() -> None:
    parts = [calib_part(row["text"]) for row in CALIB]
    assert parts == [calib_part(row["text"]) for row in CALIB]
    assert set(parts) == {"fix", "hold"}
    assert 0.3 <= parts.count("fix") / len(parts) <= 0.5
    assert calib_part("Электрогазосварщик") == calib_part("Электрогазосварщик")
