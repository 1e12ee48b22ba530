"""Request-scoped dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.core.i18n import get_lang
from api.core.settings import Settings
from matching.text import Lang


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Routes commit explicitly before returning; this only closes,
    rolling back on error.

    async: making a session touches no connection, so it is made on the event loop (a sync
    dependency costs a worker-thread round trip to enter and another to leave). Closing
    returns the connection to the pool (a database round trip): that runs in a worker
    thread, unless the session never used one.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_discard, session)
        raise
    if session.in_transaction():
        await run_in_threadpool(session.close)
    else:
        session.close()


def _discard(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
LangDep = Annotated[Lang, Depends(get_lang)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
