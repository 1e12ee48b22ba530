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
