"""``qonys retention``: fit the retention model from recorded outcomes, list, activate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from api.cli.common import describe, fail

retention_app = typer.Typer(
    help="Retention models fitted on recorded outcomes (the score's retention component).",
    no_args_is_help=True,
)
LangOption = Annotated[str, typer.Option("--lang", help="Language of the messages: kk, ru or en.")]
LANGS = ("kk", "ru", "en")


@contextmanager
def _session(lang: str) -> Iterator[Session]:
    """A session on the configured database; a refused request is one line in ``lang``."""
    from api.core.db import make_engine, make_sessionmaker
    from api.core.problems import ProblemException
    from api.core.settings import get_settings

    if lang not in LANGS:
        raise fail(f"--lang must be kk, ru or en, not {lang!r}", 2)
    engine = make_engine(get_settings().database_url, pool_size=1)
    session = make_sessionmaker(engine)()
    try:
        yield session
    except ProblemException as exc:
        session.rollback()
        detail = exc.detail
        raise fail(
            detail if isinstance(detail, str) else detail.get(lang) if detail else ""
        ) from exc
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a one-line message, never a traceback, for the operator
        session.rollback()
        raise fail(describe(exc)) from exc
    finally:
        session.close()
        engine.dispose()


@retention_app.command("fit")
def retention_fit(lang: LangOption = "en") -> None:
    """Fit a version on the recorded outcomes and store it (not active). Refused, with how
    many outcomes are usable and how many are needed, below the minimum."""
    from api.retention import service
    from matching.text import msg

    with _session(lang) as session:
        record, created = service.fit(session, None)
        typer.echo(service.fitted_text(record).get(lang))
    if not created:
        typer.echo(msg("outcomes.retention.already_stored", version=record.version).get(lang))


@retention_app.command("list")
def retention_list(lang: LangOption = "en") -> None:
    """Fitted versions, newest first; the active one is marked with *."""
    from api.retention import service
    from matching.text import msg

    with _session(lang) as session:
        records = service.all_models(session)
        if not records:
            typer.echo(msg("outcomes.retention.none_fitted").get(lang))
        for record in records:
            mark = "*" if record.active else " "
            typer.echo(f"{mark} {service.fitted_text(record).get(lang)}")


@retention_app.command("activate")
def retention_activate(
    version: Annotated[
        str, typer.Argument(help="The version to use (see `qonys retention list`).")
    ],
    lang: LangOption = "en",
) -> None:
    """Make VERSION the score's retention model (it counts where the programme version's
    retention weight is above 0); the API's match index rebuilds."""
    from api.retention import service
    from matching.text import msg

    with _session(lang) as session:
        service.activate(session, None, version)
    typer.echo(msg("outcomes.retention.activated", version=version).get(lang))


@retention_app.command("deactivate")
def retention_deactivate(lang: LangOption = "en") -> None:
    """Switch the active retention model off (the retention component is off again)."""
    from api.retention import service
    from matching.text import msg

    with _session(lang) as session:
        service.activate(session, None, None)
    typer.echo(msg("outcomes.retention.deactivated").get(lang))
