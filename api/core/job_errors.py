"""A finished job's stored error as the API shows it (runs, imports, back-tests)."""

from __future__ import annotations

from typing import Any


def error_in(error: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """A finished job's stored error as the API shows it: status, detail in ``lang``, errors."""
    if not error:
        return None
    detail = error.get("detail") or {}
    return {
        "status": int(error.get("status", 500)),
        "detail": str(detail.get(lang) if isinstance(detail, dict) else detail),
        "errors": error.get("errors") or [],
    }
