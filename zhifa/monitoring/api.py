from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from zhifa.core.api import DB, CurrentActor
from zhifa.monitoring import access, admin, rules, service

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
    order: str = Query(default="asc", pattern="^(asc|desc)$", description="by id: oldest or newest first"),
) -> dict[str, Any]:
    """Leads, filtered by kind, unit, status and time; each with its rule, legal basis and routing.
    Only the leads of the caller's units (``monitoring.access``)."""
    return service.list_leads(
        session,
        scope=access.lead_scope(session, actor),
        kind=kind,
        unit=unit,
        status=status,
        since=since,
        until=until,
        page=page,
        per_page=per_page,
        with_events=True,
        newest_first=order == "desc",
    )


@router.get("/events/stuck")
def stuck_events(session: DB, actor: CurrentActor, response: Response) -> list[dict[str, Any]]:
    """Events a rule failed on: still pending, with their error and attempt count, oldest first,
    at most 500 (``service.stuck_events``). ``given_up``: failed ``MAX_ATTEMPTS`` times, so the
    worker no longer tries it and an administrator may queue it again (``POST
    /events/stuck/retry``); otherwise the worker is still retrying it. The events of the devices
    the caller's units own, as the live feed gives them (every device's for the detachment-wide
    roles and administrators: ``monitoring.access``). Headers: ``X-Total-Count``, how many such
    events there are; ``X-Truncated: true`` when that is more than the list holds."""
    items, total = service.stuck_events(session, access.lead_scope(session, actor))
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Truncated"] = "true" if total > len(items) else "false"
    return items


#: An event id as the database holds it (a 64-bit integer).
EventId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class RetryBody(BaseModel):
    ids: list[EventId]


@router.post("/events/stuck/retry")
def retry_stuck(body: RetryBody, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Queue again events a rule gave up on (administrators): ``{"ids": [...]}`` →
    ``{"queued": [...], "refused": [{"id", "reason"}]}``."""
    return service.retry_given_up(session, actor, body.ids)


@router.get("/leads/{lead_id}")
def lead(lead_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """One lead with its events, rule, legal basis and routing reason (404 outside the caller's units)."""
    return service.get_lead(session, lead_id, actor)


@router.get("/monitoring/config")
def config(session: DB, actor: CurrentActor) -> dict[str, Any]:
    """The rules' thresholds in force, their version, and each rule's version and legal basis."""
    cfg, version = admin.current_config(session)
    return {
        "version": version,
        "values": cfg.as_dict(),
        "rules": {
            k: {"version": r.version, "matter": r.matter, "legal_basis": r.legal_basis, "title": r.title_zh}
            for k, r in rules.RULES.items()
        },
    }


@router.put("/monitoring/config")
def update_config(body: dict[str, Any], session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Change thresholds (administrators; audited; leads raised afterwards record the new version)."""
    return admin.update_config(session, actor, body)


@router.get("/watchlist")
def watchlist(session: DB, actor: CurrentActor, all: bool = False) -> list[dict[str, Any]]:
    return admin.list_watch(session, active_only=not all)


@router.post("/watchlist", status_code=201)
def add_watch(body: dict[str, str], session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Watch a plate (with colour) or an MMSI; an invalid identifier is 422 naming the field."""
    return admin.watch_dict(admin.add_watch(session, actor, body))


@router.delete("/watchlist/{entry_id}")
def remove_watch(entry_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return admin.watch_dict(admin.deactivate_watch(session, actor, entry_id))
