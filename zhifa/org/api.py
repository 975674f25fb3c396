from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from zhifa.core.api import DB, CurrentActor
from zhifa.core.auth import can_see_pii
from zhifa.org import service
from zhifa.org.models import UNIT_KIND_ZH, Officer

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
    from zhifa.validation.masking import mask_id_number, mask_phone

    page, per_page = max(page, 1), min(max(per_page, 1), 500)
    q = select(Officer)
    if unit:
        q = q.where(Officer.unit_code.in_(service.descendants(session, unit)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    pii = can_see_pii(actor)
    items = []
    for o in session.scalars(q.order_by(Officer.code).offset((page - 1) * per_page).limit(per_page)):
        snap = service.officer_snapshot(o)
        if not pii:
            snap["phone"] = mask_phone(o.phone) if o.phone else None
            snap["id_number"] = mask_id_number(o.id_number) if o.id_number else None
        items.append(snap)
    return {"total": total, "page": page, "per_page": per_page, "items": items}


@router.get("/duties")
def duties(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.duty_snapshot(d) for d in service.list_duties(session)]
