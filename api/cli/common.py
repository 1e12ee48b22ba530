"""What every command shares: one clear error line and a short description of a failure."""

from __future__ import annotations

import typer


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line to standard error and leave with a non-zero code."""
    line = " ".join(message.split())
    typer.echo(f"qonys: error: {line}", err=True)
    return typer.Exit(code)


def describe(exc: BaseException) -> str:
    """The first line of what went wrong, without driver boilerplate."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else inner.__class__.__name__


def region_code_of(region: str | None) -> str | None:
    """The code of a region given by code or name (None stays None); a clear error otherwise."""
    from api.core.settings import get_settings
    from matching.programme.geography import ReferenceLookupError, load_reference

    if region is None:
        return None
    try:
        return load_reference(get_settings().data_dir).region(region).code
    except ReferenceLookupError as exc:
        raise fail(str(exc)) from exc
