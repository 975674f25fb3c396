from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from zhifa.catalog import service
from zhifa.core.api import DB, CurrentActor

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


@router.get("/items")
def items(
    session: DB,
    actor: CurrentActor,
    kind: str | None = Query(default=None, pattern="^(inspection|penalty|coercive)$"),
    q: str | None = Query(default=None, max_length=100),
) -> list[dict[str, Any]]:
    """The enforcement item catalogue (权责清单) with legal basis and discretion tiers."""
    return service.list_items(session, kind=kind, q=q)
