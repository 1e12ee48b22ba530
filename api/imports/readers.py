"""Reading an uploaded table (CSV, Parquet or Excel) into a polars frame."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import polars as pl

from api.core.problems import ProblemException
from matching.text import Text

FORMATS = ("csv", "parquet", "xlsx")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong columns); nothing is written."""

    def __init__(self, text: Text, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(text.en)
        self.text = text
        self.missing = missing


UNREADABLE = Text(
    kk="Файлды {fmt} ретінде оқу мүмкін болмады: {reason}",
    ru="Не удалось прочитать файл как {fmt}: {reason}",
    en="The file could not be read as {fmt}: {reason}",
)
EMPTY = Text(kk="Файлда жолдар жоқ.", ru="В файле нет строк.", en="The file has no rows.")


def detect_format(content: bytes, filename: str | None) -> str:
    """``parquet``, ``xlsx`` or ``csv``, from the file's magic bytes, then its name."""
    if content[:4] == b"PAR1":
        return "parquet"
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix in ("parquet", "pq"):
        return "parquet"
    if suffix in ("xlsx", "xlsm", "xls"):
        return "xlsx"
    return "csv"


def read_table(content: bytes, filename: str | None = None) -> pl.DataFrame:
    """Read the uploaded bytes; CSV cells are kept as text and typed column by column later.

    Raises
    ------
    ImportFileError
        The bytes are not a table in the detected format, or the table has no rows.
    """
    fmt = detect_format(content, filename)
    try:
        if fmt == "parquet":
            frame = pl.read_parquet(io.BytesIO(content))
        elif fmt == "xlsx":
            frame = pl.read_excel(io.BytesIO(content), engine="calamine")
        else:
            text = content.decode("utf-8-sig")
            if "\x00" in text:
                raise ValueError("binary content (NUL bytes)")
            frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except ImportFileError:
        raise
    except Exception as exc:  # polars, calamine and the decoder raise many different types
        reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:200]
        raise ImportFileError(UNREADABLE.format(fmt=fmt, reason=reason)) from exc
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    if frame.height == 0:
        raise ImportFileError(EMPTY)
    return frame


def unreadable_file(exc: ImportFileError) -> ProblemException:
    """The 422 problem of a file that cannot be imported, naming each missing column."""
    errors = [
        {"loc": ["body", "file", column], "msg": "missing column", "type": "missing"}
        for column in exc.missing
    ]
    return ProblemException(
        422, exc.text, type_="/problems/unreadable-file", errors=errors or None
    )


UPLOAD_TOO_LARGE = Text(
    kk="Файл тым үлкен (ең көбі {mb} МБ).",
    ru="Файл слишком большой (не больше {mb} МБ).",
    en="The file is too large (at most {mb} MB).",
)


def read_upload(file: BinaryIO, max_bytes: int) -> bytes:
    """The uploaded file's bytes, or the 413 problem when it holds more than ``max_bytes``."""
    content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ProblemException(413, UPLOAD_TOO_LARGE.format(mb=max_bytes // 2**20))
    return content
