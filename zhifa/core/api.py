"""HTTP plumbing shared by every domain's ``api.py``: the database session per request, the
authenticated actor (session cookie for the web, bearer token for API clients), role checks and
error rendering. The request owns the unit of work: it commits once, after the route returns."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.core.auth import require, resolve_actor
from zhifa.core.db import get_engine, session_factory
from zhifa.core.errors import Unauthorized, ZhifaError

SESSION_COOKIE = "zhifa_session"


def get_session(request: Request) -> Iterator[Session]:
    engine = getattr(request.app.state, "engine", None) or get_engine()
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so that a client never reads its own
# write back as missing (FastAPI otherwise runs the code after `yield` once the response is out).
DB = Annotated[Session, Depends(get_session, scope="function")]


@contextmanager
def session_in_thread(request: Request) -> Iterator[Session]:
    """The request's session — ``get_session``, or the one a test installed in its place — opened,
    committed and closed in the calling thread: for routes that do all their database work in one
    worker thread (``run_in_threadpool``). As a dependency a generator's set-up and its tear-down
    each take a trip through the thread pool of their own: two of the three an ingestion request
    made, each about as costly as storing a small post (docs/performance.md)."""
    dependency = request.app.dependency_overrides.get(get_session, get_session)
    args = (request,) if inspect.signature(dependency).parameters else ()
    with contextmanager(dependency)(*args) as session:
        yield session


T = TypeVar("T")


def in_session(work: Callable[..., T], request: Request, *args: Any) -> T:
    """``work(request, session, *args)`` with the request's session opened and closed in this
    worker thread (``session_in_thread``); for ``run_in_threadpool(in_session, work, request, …)``:
    one trip through the thread pool a request, not three."""
    with session_in_thread(request) as session:
        return work(request, session, *args)


def token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def current_actor(request: Request, session: DB) -> Actor:
    token = token_from(request)
    if not token:
        raise Unauthorized("authentication required: log in or send 'Authorization: Bearer <token>'", "请先登录")
    actor = resolve_actor(session, token)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role(*roles: str) -> Any:
    """Dependency factory: the actor, if they have one of the roles (admin has all)."""

    def dep(actor: CurrentActor) -> Actor:
        require(actor, *roles)
        return actor

    return dep


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ZhifaError)
    async def _domain_error(request: Request, exc: ZhifaError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(status_code=exc.status, content={"error": exc.as_dict()}, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")]
            problems.append({"field": ".".join(loc) or None, "reason": e.get("msg", "invalid")})
        first = problems[0] if problems else {"field": None, "reason": "invalid request"}
        return JSONResponse(
            status_code=422,
            content={
                "error": {
                    "code": "invalid_field",
                    "message": f"{first['field']}: {first['reason']}" if first["field"] else first["reason"],
                    "message_zh": "请求参数不正确",
                    "field": first["field"],
                    "problems": problems,
                }
            },
        )
