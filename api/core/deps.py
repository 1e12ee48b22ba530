"""Request-scoped dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.core.i18n import get_lang
from api.core.settings import Settings
from matching.text import Lang


def get_session(request: Request) -> Iterator[Session]:
    # Routes commit explicitly before returning; this only closes, rolling back on error.
    factory = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
LangDep = Annotated[Lang, Depends(get_lang)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
