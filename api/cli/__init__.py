"""The ``qonys`` command line: serve, migrate, seed (and the planners' tools)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.cli.allocate import allocate
from api.cli.backtest import backtest
from api.cli.common import describe, fail, region_code_of
from api.cli.imports import import_command

app = typer.Typer(
    name="qonys",
    help="Qonys — vacancy–applicant matching for Kazakhstan's relocation programme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.command()(allocate)
app.command("import")(import_command)
app.command()(backtest)


def _add_user_commands() -> None:
    from api.cli.retention import retention_app
    from api.cli.users import user_app

    app.add_typer(user_app, name="user")
    app.add_typer(retention_app, name="retention")


_add_user_commands()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from api.core import migrate
    from api.core.settings import get_settings

    url = get_settings().database_url
    try:
        migrate.upgrade(url, revision)
    except Exception as exc:  # a one-line message, never a traceback, for the operator
        raise fail(f"migration failed: {describe(exc)}") from exc
    typer.echo(f"database at {revision}: {_safe_url(url)}")


@db_app.command("check")
def db_check() -> None:
    """Exit non-zero when the models and the migrated database differ."""
    from api.core import migrate
    from api.core.db import make_engine
    from api.core.settings import get_settings

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
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.settings import get_settings
    from api.reference.service import SeedError, seed_reference

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    demo_report = None
    demo_users: dict[str, str] = {}
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            report = seed_reference(session, settings.data_dir)
        if demo:
            from api.demo.service import load_demo
            from matching.programme.geography import load_reference
            from taxonomy import load_taxonomy

            with session_scope(make_sessionmaker(engine)) as session:
                demo_report = load_demo(
                    session,
                    load_reference(settings.data_dir),
                    load_taxonomy(settings.data_dir / "taxonomy"),
                    with_tokens=settings.environment != "production",
                )
                if settings.environment != "production":
                    from api.web.users import ensure_demo_users

                    demo_users = ensure_demo_users(session)
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
    if demo_report is not None:
        if demo_report.created:
            typer.echo(
                f"demo programme loaded: {demo_report.households} households, "
                f"{demo_report.vacancies} vacancies, {demo_report.homes} homes"
            )
        else:
            typer.echo(f"demo programme already loaded ({demo_report.households} households)")
        for role, token in demo_report.tokens.items():
            typer.echo(f"  demo token ({role}): {token}")
        for username, password in demo_users.items():
            typer.echo(f"  demo page user {username}: password {password}")


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
def worker(
    poll: Annotated[float, typer.Option(help="Seconds between polls of the job table.")] = 1.0,
) -> None:
    """Run background jobs (allocation runs, imports) in the foreground until interrupted.

    SIGTERM or Ctrl-C: no new job is claimed; the current one may finish within
    QONYS_SHUTDOWN_GRACE_SECONDS, else it is handed back to the queue. Exit code 0.
    """
    import signal
    import threading

    from api.app import job_worker
    from api.core.db import make_engine, make_sessionmaker
    from api.core.job_worker import JobWorker
    from api.core.settings import get_settings
    from matching.programme.geography import load_reference
    from matching.programme.support import load_support_parameters

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=2)
    runner: JobWorker = job_worker(
        make_sessionmaker(engine),
        load_reference(settings.data_dir),
        load_support_parameters(settings.data_dir),
        settings=settings,
    )
    runner.poll_seconds = poll
    stopping = threading.Event()

    def _interrupt(signum: int, frame: object) -> None:
        stopping.set()

    # Containers stop with SIGTERM: finish like on Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    typer.echo(f"worker {runner.name} polling {_safe_url(settings.database_url)}")
    sys.stdout.flush()
    runner.start()
    try:
        while not stopping.wait(3600):
            pass
        typer.echo("stopping after the current job")
        sys.stdout.flush()
    finally:
        finished = runner.stop(timeout=settings.shutdown_grace_seconds)
        if not finished:
            typer.echo("the current job was handed back to the queue")
        engine.dispose()


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

    from api.core.settings import get_settings

    settings = get_settings()
    link = None
    if prepare:
        db_upgrade("head")
        seed(demo=True)
        if settings.environment != "production":
            from api.applicants.demo import demo_applicant_link

            link = demo_applicant_link(settings.database_url)
    host = host or settings.host
    port = port or settings.port
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"Qonys is starting: API docs at http://{shown}:{port}/docs")
    typer.echo(f"Pages at http://{shown}:{port}/app/ (demo users are printed above)")
    if link:
        typer.echo(f"  demo applicant link (household 1, opens once): http://{shown}:{port}{link}")
    sys.stdout.flush()
    if workers == 1:
        import signal

        # uvicorn shuts down gracefully on SIGTERM (the app's job worker finishes or hands
        # back its job), then raises the signal again: that second one ends with exit code 0.
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


token_app = typer.Typer(help="API tokens (shown once, stored as SHA-256).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, planner, centre or applicant.")],
    name: Annotated[str, typer.Option(help="Who or what holds the token.")],
    region: Annotated[str | None, typer.Option(help="Region code or name (centre tokens).")] = None,
    household: Annotated[int | None, typer.Option(help="Household id (applicant tokens).")] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Lifetime in days (default QONYS_TOKEN_LIFETIME_DAYS)."),
    ] = None,
) -> None:
    """Issue a token and print its secret once."""
    import datetime as dt

    from api.auth.service import issue_token
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.settings import get_settings

    settings = get_settings()
    region_code = region_code_of(region)
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            secret = issue_token(
                session,
                name=name,
                role=role,
                region_code=region_code,
                household_id=household,
                lifetime=dt.timedelta(days=days or settings.token_lifetime_days),
            )
    except ValueError as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        raise fail(f"token not created: {describe(exc)}") from exc
    finally:
        engine.dispose()
    typer.echo(secret)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id.")]) -> None:
    """Revoke a token; it stops working at once."""
    from api.auth.service import revoke_token
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.settings import get_settings
    from api.models import ApiTokenRecord

    engine = make_engine(get_settings().database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            if session.get(ApiTokenRecord, token_id) is None:
                raise fail(f"no token with id {token_id}")
            revoke_token(session, token_id)
    finally:
        engine.dispose()
    typer.echo(f"token {token_id} revoked")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
