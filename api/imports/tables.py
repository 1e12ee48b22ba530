"""Bulk import of one table: typed columns, row-level errors, idempotent upsert by external id.

One call reads every column of the file at once (polars), looks up the existing records of
the table in one query, validates each record through the same mappers as the REST routes,
and writes inserts and updates as bulk statements. Rows with errors are reported and left
out; good rows are kept. A record whose stored values equal the file's is counted as
unchanged and not written, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.imports.columns import COLUMNS
from api.imports.flat import import_flat
from api.imports.households import import_households
from api.imports.rows import Checkpoint, ImportReport, no_checkpoint, typed_frame
from api.taxonomy.service import OccupationResolver
from matching.programme.geography import ReferenceData


def import_table(
    session: Session,
    kind: str,
    frame: pl.DataFrame,
    *,
    reference: ReferenceData,
    occupations: Callable[[], OccupationResolver],
    region_scope: str | None = None,
    checkpoint: Checkpoint = no_checkpoint,
    actor: audit.Actor | None = None,
) -> ImportReport:
    """Import ``frame`` as ``kind``; the caller commits (or rolls back) the session.

    Parameters
    ----------
    kind : {"households", "employers", "vacancies", "homes", "capacities"}
    frame : polars.DataFrame
        The file as read by :func:`api.imports.readers.read_table`.
    occupations : callable
        Returns the occupation resolver (called only when a vacancy needs it).
    region_scope : str, optional
        A centre's region: rows of other regions are rejected.
    checkpoint : callable, optional
        Called with ``("validate", fraction)`` while rows are checked and ``("write", 1.0)``
        right before the first write; it may raise to stop the import (nothing written).
    actor : optional
        Who imports (None: the system); the batch is one audit row with its counts.

    Raises
    ------
    ImportFileError
        Required columns are missing or unknown ones present; nothing is written.
    """
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}")
    typed = typed_frame(kind, frame)
    if kind == "households":
        report = import_households(session, typed, reference, region_scope, checkpoint)
    else:
        report = import_flat(
            session, kind, typed, reference, occupations, region_scope, checkpoint
        )
    counts = {k: v for k, v in report.as_dict().items() if k != "errors"}
    audit.record(session, actor, "import", kind, after=counts, region_code=region_scope)
    return report
