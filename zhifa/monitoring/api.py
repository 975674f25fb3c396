from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from zhifa.core.api import DB, CurrentActor
from zhifa.monitoring import service
from zhifa.sensing.models import Event

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


@router.get("/leads")
def leads(
    session: DB,
    actor: CurrentActor,
    kind: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    since: datetime | None = Query(default=None, description="last event at or after (ISO 8601 with offset)"),
    until: datetime | None = Query(default=None, description="first event at or before"),
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=100, ge=1, le=1000),
) -> dict[str, Any]:
    """Leads, filtered by kind, unit, status and time; each with its rule, legal basis and routing."""
    return service.list_leads(
        session,
        kind=kind,
        unit=unit,
        status=status,
        since=since,
        until=until,
        page=page,
        per_page=per_page,
        with_events=True,
    )


@router.get("/events/stuck")
def stuck_events(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """Events a rule failed on: still pending, with their error and attempt count."""
    rows = session.scalars(
        select(Event).where(Event.status == "pending", Event.attempts > 0).order_by(Event.id).limit(500)
    )
    return [
        {
            "id": e.id,
            "device": e.device_code,
            "event_id": e.event_id,
            "type": e.type,
            "attempts": e.attempts,
            "last_error": e.last_error,
        }
        for e in rows
    ]
