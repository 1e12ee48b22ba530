"""The request's session dependency (the app's own, which the other API tests replace)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from api.core.db import make_sessionmaker
from api.core.deps import get_session


def request_for(engine: Engine) -> Any:
    return SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(sessionmaker=make_sessionmaker(engine)))
    )


@pytest.fixture
def seen(engine: Engine) -> Iterator[list[str]]:
    """Pool events as they happen: 'out' when a connection is taken, 'in' when it is back."""
    events: list[str] = []

    def out(*_: Any) -> None:
        events.append("out")

    def back(*_: Any) -> None:
        events.append("in")

    event.listen(engine, "checkout", out)
    event.listen(engine, "checkin", back)
    yield events
    event.remove(engine, "checkout", out)
    event.remove(engine, "checkin", back)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on its own loop in its own thread: a loop another test left running in
    this thread (browser and fuzz clients run one) would make ``asyncio.run`` refuse."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def use(engine: Engine, work: Any) -> Any:
    deps = get_session(request_for(engine))
    session = await deps.__anext__()
    try:
        result = work(session)
    except BaseException as exc:
        with pytest.raises(type(exc)):
            await deps.athrow(exc)
        return session
    with pytest.raises(StopAsyncIteration):
        await deps.__anext__()
    return result, session


def test_the_connection_goes_back_after_the_request(engine: Engine, seen: list[str]) -> None:
    value, session = run(use(engine, lambda s: s.execute(text("SELECT 1")).scalar()))
    assert value == 1
    assert seen == ["out", "in"]
    assert not session.in_transaction()


def test_a_session_that_read_nothing_takes_no_connection(engine: Engine, seen: list[str]) -> None:
    _, session = run(use(engine, lambda s: None))
    assert seen == [] and not session.in_transaction()


def test_an_error_rolls_back_and_returns_the_connection(engine: Engine, seen: list[str]) -> None:

    def fail(session: Any) -> None:
        session.execute(text("SELECT 1"))
        raise RuntimeError("the route failed")

    session = run(use(engine, fail))
    assert seen == ["out", "in"]
    assert not session.in_transaction()
