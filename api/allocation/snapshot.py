"""A run's snapshot: the instance as solved and the request, as a zip of Parquet tables."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from matching.allocation import (
    AllocationInstance,
)
from matching.allocation.instance import LockConflict

_SNAPSHOT_TABLES = ("households", "options", "removed", "resources")


def snapshot_bytes(instance: AllocationInstance, request: dict[str, Any]) -> bytes:
    """A zip of Parquet tables: the instance as solved (with its usage triplets) and the request."""
    buffer = io.BytesIO()
    usage = instance.usage.tocoo()
    triplets = pl.DataFrame(
        {
            "option_row": usage.row.astype(np.int64),
            "resource_row": usage.col.astype(np.int64),
            "amount": usage.data.astype(np.int64),
        }
    )
    conflicts = pl.DataFrame(
        {
            "household_id": [c.household_id for c in instance.lock_conflicts],
            "reason": [c.reason for c in instance.lock_conflicts],
        },
        schema={"household_id": pl.Utf8, "reason": pl.Utf8},
    )
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in _SNAPSHOT_TABLES:
            part = io.BytesIO()
            getattr(instance, name).write_parquet(part)
            zf.writestr(f"{name}.parquet", part.getvalue())
        for name, frame in (("usage", triplets), ("lock_conflicts", conflicts)):
            part = io.BytesIO()
            frame.write_parquet(part)
            zf.writestr(f"{name}.parquet", part.getvalue())
        zf.writestr("request.json", json.dumps(request, ensure_ascii=False, indent=2, default=str))
    return buffer.getvalue()


def load_snapshot(data: bytes) -> tuple[AllocationInstance, dict[str, Any]]:
    """The instance and request stored by :func:`snapshot_bytes` (to re-run or audit a run)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        tables = {
            name: pl.read_parquet(io.BytesIO(zf.read(f"{name}.parquet")))
            for name in (*_SNAPSHOT_TABLES, "usage", "lock_conflicts")
        }
        request = json.loads(zf.read("request.json"))
    trip = tables["usage"]
    usage = sp.csr_matrix(
        (
            trip["amount"].to_numpy(),
            (trip["option_row"].to_numpy(), trip["resource_row"].to_numpy()),
        ),
        shape=(tables["options"].height, tables["resources"].height),
    )
    conflicts = tuple(LockConflict(h, r) for h, r in tables["lock_conflicts"].iter_rows())
    return (
        AllocationInstance(
            households=tables["households"],
            options=tables["options"],
            removed=tables["removed"],
            resources=tables["resources"],
            usage=usage,
            lock_conflicts=conflicts,
        ),
        request,
    )
