"""Reading the reference CSV files of ``data/``: the folder, rows, and typed cells."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Literal

NameLang = Literal["kk", "kk_latn", "ru", "en"]
NAME_LANGS: tuple[NameLang, ...] = ("kk", "kk_latn", "ru", "en")

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def localized_name(obj: object, lang: str) -> str:
    """``obj.name_<lang>``; languages other than :data:`NAME_LANGS` give Russian."""
    key = lang if lang in NAME_LANGS else "ru"
    return str(getattr(obj, f"name_{key}"))


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a UTF-8 CSV file as dictionaries."""
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def parse_bool(value: str, column: str) -> bool:
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueError(f"column {column}: expected true or false, got {value!r}")


def opt_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def opt_date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None



def parse_choice(value: str, allowed: Iterable[str], column: str) -> str:
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"column {column}: expected one of {options}, got {value!r}")
    return value

