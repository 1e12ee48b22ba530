"""``qonys user``: staff users of the web pages."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.cli.common import describe, fail, region_code_of
from api.web.users import create_user

user_app = typer.Typer(help="Staff users of the web pages.", no_args_is_help=True)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, planner or centre.")],
    region: Annotated[str | None, typer.Option(help="Region code or name (centre users).")] = None,
) -> None:
    """Create a user; the password is asked for (or read from one line of standard input)."""
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.settings import get_settings

    settings = get_settings()
    region_code = region_code_of(region)
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            create_user(session, username, password, role=role, region_code=region_code)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        raise fail(f"user not created: {describe(exc)}") from exc
    finally:
        engine.dispose()
    typer.echo(f"user {username} created ({role}{' ' + region_code if region_code else ''})")
