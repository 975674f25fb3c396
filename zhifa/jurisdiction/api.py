from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from zhifa.core.api import DB, CurrentActor
from zhifa.core.errors import BadRequest
from zhifa.jurisdiction import service
from zhifa.jurisdiction.router import RoutingError
from zhifa.jurisdiction.schemas import RouteAnswer, RouteError
from zhifa.org.matters import BASE_MATTERS

router = APIRouter(prefix="/api/v1", tags=["jurisdiction"])


class RouteIn(BaseModel):
    matter: str = Field(min_length=1, max_length=64, examples=["road.overload"])
    at: str | None = Field(default=None, max_length=200, examples=["G312 K1183+500", "119.45,32.2"])
    lon: float | None = None
    lat: float | None = None
    crs: str | None = Field(default=None, examples=["wgs84", "gcj02"])


class BatchIn(BaseModel):
    items: list[RouteIn] = Field(max_length=100_000)


ANSWER_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": RouteAnswer, "description": "the responsible unit and why"},
    400: {"model": RouteError, "description": "unknown matter or malformed location"},
}


def _route(session: DB, matter: str, at: str, crs: str | None) -> JSONResponse:
    try:
        # Returned as a response, not a dict: it is plain JSON already, and skipping FastAPI's
        # generic encoder keeps one routing well under the 5 ms goal.
        return JSONResponse(service.route(session, matter, at, crs).as_dict())
    except RoutingError as exc:
        raise BadRequest(str(exc), exc.message_zh) from exc


@router.get("/route", response_model=None, responses=ANSWER_DOC)
def route_get(
    session: DB,
    actor: CurrentActor,
    matter: str = Query(min_length=1, max_length=64),
    at: str = Query(min_length=1, max_length=200),
    crs: str | None = None,
) -> JSONResponse:
    """Who owns this? One matter at one location."""
    return _route(session, matter, at, crs)


@router.post("/route", response_model=None, responses=ANSWER_DOC)
def route_post(body: RouteIn, session: DB, actor: CurrentActor) -> JSONResponse:
    at = body.at if body.at else (f"{body.lon},{body.lat}" if body.lon is not None and body.lat is not None else "")
    return _route(session, body.matter, at, body.crs)


@router.post("/route/batch")
def route_batch(body: BatchIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    results = service.route_batch(session, [i.model_dump() for i in body.items])
    return {"count": len(results), "results": results}


@router.get("/matters")
def matters(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    r = service.get_router(session)
    out = []
    for code in r.known_matters():
        m = r.matter(code)
        out.append(
            {
                "code": code,
                "mode": m.mode,
                "line": m.line,
                "title": m.title_zh,
                "base": code in BASE_MATTERS,
                "duty": m.duty.code if m.duty else None,
            }
        )
    return out


@router.get("/jurisdiction")
def jurisdiction(session: DB, actor: CurrentActor, edition: int | None = None) -> dict[str, Any]:
    return service.feature_collection(session, edition)


@router.get("/jurisdiction/editions")
def editions(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "created_at": e.created_at.isoformat(),
            "created_by": e.created_by,
            "source": e.source,
            "features": e.feature_count,
            "sha256": e.sha256,
        }
        for e in service.list_editions(session)
    ]
