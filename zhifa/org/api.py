from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from zhifa.core.api import DB, CurrentActor
from zhifa.org import service
from zhifa.org.models import UNIT_KIND_ZH

router = APIRouter(prefix="/api/v1", tags=["organisation"])


@router.get("/units")
def units(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.unit_snapshot(u) | {"kind_zh": UNIT_KIND_ZH[u.kind]} for u in service.list_units(session)]


@router.get("/units/tree")
def unit_tree(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.unit_tree(session)


@router.get("/units/operational-share")
def operational_share(session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.operational_share(session)


@router.get("/units/{code}")
def unit(code: str, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.unit_snapshot(service.get_unit(session, code))


@router.get("/officers")
def officers(
    session: DB, actor: CurrentActor, unit: str | None = None, page: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """Officers, scoped to the actor's unit unless their role spans the detachment."""
    return service.list_officers(session, actor, unit, max(page, 1), min(max(per_page, 1), 500))


@router.get("/duties")
def duties(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.duty_snapshot(d) for d in service.list_duties(session)]
