"""The ``qonys`` command line: serve, migrate, seed (and the planners' tools)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(
    name="qonys",
    help="Qonys — vacancy–applicant matching for Kazakhstan's relocation programme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


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


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from api import migrate
    from api.settings import get_settings

    url = get_settings().database_url
    try:
        migrate.upgrade(url, revision)
    except Exception as exc:  # a one-line message, never a traceback, for the operator
        raise fail(f"migration failed: {describe(exc)}") from exc
    typer.echo(f"database at {revision}: {_safe_url(url)}")


@db_app.command("check")
def db_check() -> None:
    """Exit non-zero when the models and the migrated database differ."""
    from api import migrate
    from api.db import make_engine
    from api.settings import get_settings

    engine = make_engine(get_settings().database_url, pool_size=1)
    try:
        diff = migrate.schema_drift(engine)
    finally:
        engine.dispose()
    if diff:
        raise fail(f"models and migrations differ: {diff}")
    typer.echo("models and migrations agree")


@app.command()
def seed(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load a small synthetic programme.")
    ] = False,
) -> None:
    """Load the reference data (regions, localities, programme roles) into the database."""
    from api.db import make_engine, make_sessionmaker, session_scope
    from api.seed import SeedError, seed_reference
    from api.settings import get_settings

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            report = seed_reference(session, settings.data_dir)
    except SeedError as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        raise fail(f"seeding failed: {describe(exc)}") from exc
    finally:
        engine.dispose()
    typer.echo(
        f"reference data loaded: {report.regions} regions, {report.districts} districts, "
        f"{report.localities} localities, {report.programme_roles} programme roles, {report.quotas} quotas"
    )
    if demo:
        typer.echo("demo programme: not available in this build", err=True)


@app.command()
def normalize(
    file: Annotated[str, typer.Argument(help="CSV file with a header row.")],
    column: Annotated[str, typer.Option("--column", "-c", help="Column holding the texts.")],
    kind: Annotated[str, typer.Option(help="occupation or skill.")] = "occupation",
    esco: Annotated[
        str | None,
        typer.Option("--esco", help="Folder of an ESCO CSV release to extend the taxonomy."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Label language: kk, kk_latn, ru or en.")] = "ru",
) -> None:
    """Normalize a CSV column of titles; writes text,code,isco,label,score,method to stdout."""
    from pathlib import Path

    import polars as pl

    from taxonomy import Normalizer, load_taxonomy

    if kind not in ("occupation", "skill"):
        raise fail(f"--kind must be occupation or skill, not {kind!r}", 2)
    if lang not in ("kk", "kk_latn", "ru", "en"):
        raise fail(f"--lang must be kk, kk_latn, ru or en, not {lang!r}", 2)
    path = Path(file)
    if not path.is_file():
        raise fail(f"cannot read {file}: no such file")
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except Exception as exc:
        raise fail(f"cannot read {file} as CSV: {describe(exc)}") from exc
    if column not in frame.columns:
        raise fail(f"{file} has no column {column!r}; columns: {', '.join(frame.columns)}")
    esco_dir = Path(esco) if esco else None
    if esco_dir is not None and not (esco_dir / "occupations_en.csv").is_file():
        raise fail(f"{esco} is not an ESCO CSV release (occupations_en.csv missing)")
    try:
        normalizer = Normalizer(load_taxonomy(esco_dir=esco_dir))
    except Exception as exc:
        raise fail(f"cannot load the taxonomy: {describe(exc)}") from exc
    result = normalizer.normalize_batch(frame[column], kind=kind, lang=lang)  # type: ignore[arg-type]
    out = result.select("text", "code", "isco", "label", "score", "method")
    sys.stdout.write(out.write_csv())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    prepare: Annotated[
        bool, typer.Option("--prepare", help="Migrate and load reference + demo data first.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.settings import get_settings

    settings = get_settings()
    if prepare:
        db_upgrade("head")
        seed(demo=True)
    host = host or settings.host
    port = port or settings.port
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"Qonys is starting: API docs at http://{shown}:{port}/docs")
    sys.stdout.flush()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
