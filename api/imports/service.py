"""Bulk import and export: what other features and the entry points use of this package.

Over HTTP an import is a job (:mod:`api.imports.jobs`): the upload is stored and queued, the
route answers 202 with the job's address. :func:`import_table` imports one frame on a
session (the job's handler and the benchmarks use it).
"""

from __future__ import annotations

from api.imports.columns import KINDS, MEMBER_COLUMNS, cast_column
from api.imports.jobs import (
    IMPORT_JOB,
    enqueue_import,
    errors_csv,
    file_digest,
    run_import_job,
)
from api.imports.readers import ImportFileError, read_table, read_upload, unreadable_file
from api.imports.rows import ImportReport, RowError, check_columns
from api.imports.tables import import_table

# What other features use of this one (they import nothing else from it).
__all__ = [
    "IMPORT_JOB",
    "KINDS",
    "MEMBER_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "cast_column",
    "check_columns",
    "enqueue_import",
    "errors_csv",
    "file_digest",
    "import_table",
    "read_table",
    "read_upload",
    "run_import_job",
    "unreadable_file",
]

