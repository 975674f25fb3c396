"""Dispatch API: triage, hotline, tasks, plans and positions, off-site cases, figures,
notifications, SLA policies and settings. Thin: parse, call the service, return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from zhifa.core.api import DB, CurrentActor
from zhifa.core.auth import require
from zhifa.core.clock import utcnow
from zhifa.core.errors import BadRequest
from zhifa.dispatch import admin, figures, hotline, notify, offsite, planning, schemas, service
from zhifa.dispatch.models import LeadTriage
from zhifa.monitoring.service import get_lead

router = APIRouter(prefix="/api/v1", tags=["dispatch"])


# --------------------------------------------------------------------------- triage


@router.get("/dispatch/queue")
def queue(session: DB, actor: CurrentActor, limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """New and confirmed leads, most severe first, oldest first within a severity."""
    return service.queue(session, actor, limit)


@router.post("/leads/{lead_id}/confirm")
def confirm(lead_id: int, body: schemas.Note, session: DB, actor: CurrentActor) -> dict[str, Any]:
    service.confirm_lead(session, actor, lead_id, body.note)
    return get_lead(session, lead_id, actor)


@router.post("/leads/{lead_id}/dismiss")
def dismiss(lead_id: int, body: schemas.Dismiss, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Dismiss with a reason; ``false_positive`` (default true) counts against the rule."""
    service.dismiss_lead(session, actor, lead_id, body.reason, body.false_positive)
    return get_lead(session, lead_id, actor)


@router.post("/leads/{lead_id}/merge")
def merge(lead_id: int, body: schemas.Merge, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Merge this duplicate into lead ``into`` (its events move there)."""
    service.merge_lead(session, actor, lead_id, body.into, body.reason)
    return get_lead(session, body.into, actor)


@router.post("/leads/{lead_id}/dispatch", status_code=201)
def dispatch(lead_id: int, body: schemas.Dispatch, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Dispatch to the routed unit, or to ``unit`` with ``override_reason``; one task, or one per
    step of ``plan_id``."""
    tasks = service.dispatch_lead(
        session,
        actor,
        lead_id,
        unit=body.unit,
        override_reason=body.override_reason,
        kind=body.kind,
        priority=body.priority,
        title=body.title,
        instructions=body.instructions,
        plan_id=body.plan_id,
    )
    now = utcnow()
    return {"lead": lead_id, "tasks": [service.task_dict(t, now) for t in tasks]}


@router.get("/leads/{lead_id}/dispatch-preview")
def dispatch_preview(
    lead_id: int,
    session: DB,
    actor: CurrentActor,
    priority: str | None = Query(default=None, pattern="^(urgent|high|normal|low)$"),
) -> dict[str, Any]:
    """The dispatch dialog: routed unit and reason, the matching plan, nearest available officers."""
    return planning.preview(session, actor, lead_id, priority)


@router.post("/leads/{lead_id}/offsite", status_code=201)
def to_offsite(lead_id: int, body: schemas.Offsite, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Turn a weigh-in-motion or camera lead into an off-site enforcement case."""
    case = offsite.start(session, actor, lead_id, body.reason)
    return offsite.case_dict(session, case, pii=False)


@router.get("/leads/{lead_id}/triage")
def triage_history(lead_id: int, session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """Every status change dispatch made to the lead: who, when, from, to, why."""
    rows = session.scalars(select(LeadTriage).where(LeadTriage.lead_id == lead_id).order_by(LeadTriage.id))
    return [
        {
            "action": r.action,
            "from": r.from_status,
            "to": r.to_status,
            "reason": r.reason,
            "false_positive": r.false_positive,
            "merged_into": r.merged_into,
            "rule_kind": r.rule_kind,
            "rule_version": r.rule_version,
            "actor": r.actor,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- hotline


@router.post("/hotline", status_code=201)
def hotline_create(body: schemas.Hotline, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """A complaint or tip (12345, 12328) or a patrol officer's report; becomes a routed lead."""
    r = hotline.create_report(session, actor, **body.model_dump())
    return hotline.get_report(session, actor, r.id)


@router.get("/hotline")
def hotline_list(session: DB, actor: CurrentActor, open: bool = False) -> list[dict[str, Any]]:
    """Reports (``open``: not yet answered, with a reply deadline); contact masked unless PII role."""
    return hotline.list_reports(session, actor, open_only=open)


@router.get("/hotline/{report_id}")
def hotline_get(report_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return hotline.get_report(session, actor, report_id)


@router.post("/hotline/{report_id}/reply")
def hotline_reply(report_id: int, body: schemas.Reply, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return hotline.reply(session, actor, report_id, body.text)


# --------------------------------------------------------------------------- tasks


@router.get("/tasks")
def tasks(
    session: DB,
    actor: CurrentActor,
    state: str | None = None,
    unit: str | None = None,
    lead: int | None = None,
    overdue: bool | None = None,
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=100, ge=1, le=500),
) -> dict[str, Any]:
    """Tasks in the actor's scope (a field officer: his own), newest first."""
    return service.list_tasks(
        session, actor, state=state, unit=unit, lead=lead, overdue=overdue, page=page, per_page=per_page
    )


@router.get("/tasks/{task_id}")
def task(task_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """A task with its transitions, officers, feedback and evidence."""
    return service.get_task(session, actor, task_id)


@router.post("/tasks/{task_id}/transition")
def transition(task_id: int, body: schemas.TransitionBody, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Move the task (``to``: accepted, en_route, on_scene, closed, returned, cancelled); 409 when
    the transition table does not allow it from the current state."""
    service.transition_task(session, actor, task_id, body.to, body.reason, body.lon, body.lat)
    return service.get_task(session, actor, task_id)


@router.post("/tasks/{task_id}/assign")
def assign(task_id: int, body: schemas.Assign, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """The unit leader names the officers (valid certificates; two for enforcement)."""
    service.assign_officers(session, actor, task_id, body.officers)
    return service.get_task(session, actor, task_id)


@router.post("/tasks/{task_id}/feedback")
def feedback(task_id: int, body: schemas.Feedback, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """The result on scene (photos/videos by SHA-256); the task becomes ``handled``."""
    service.submit_feedback(session, actor, task_id, **body.model_dump())
    return service.get_task(session, actor, task_id)


@router.get("/tasks/{task_id}/suggestions")
def task_suggestions(
    task_id: int, session: DB, actor: CurrentActor, limit: int = Query(default=5, ge=1, le=50)
) -> dict[str, Any]:
    """The nearest available officers of the task's unit, with their distance to the task."""
    t = service.get_task(session, actor, task_id)
    if t["lon"] is None or t["lat"] is None:
        raise BadRequest(f"task {task_id} has no location", "指令没有位置")
    return planning.suggest(session, actor, t["unit"], t["lon"], t["lat"], limit)


# --------------------------------------------------------------------------- plans and positions


@router.get("/plans")
def plans(session: DB, actor: CurrentActor, active: bool = False) -> list[dict[str, Any]]:
    return planning.list_plans(session, active_only=active)


@router.post("/plans", status_code=201)
def plan_create(body: schemas.PlanBody, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return planning.create_plan(session, actor, body.model_dump())


@router.patch("/plans/{plan_id}")
def plan_update(plan_id: int, body: schemas.PlanPatch, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Change a plan (only the fields given; ``active: false`` retires it); audited, versioned."""
    return planning.update_plan(session, actor, plan_id, body.model_dump(exclude_unset=True))


@router.post("/officers/{code}/position", status_code=201)
def position(code: str, body: schemas.Position, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """An officer's phone reports its position (WGS-84 or ``crs: gcj02``)."""
    return planning.report_position(
        session, actor, code, body.lon, body.lat, crs=body.crs, at=body.at, accuracy_m=body.accuracy_m
    )


@router.get("/dispatch/suggestions")
def suggestions(
    session: DB,
    actor: CurrentActor,
    unit: str,
    lon: float,
    lat: float,
    limit: int = Query(default=5, ge=1, le=50),
) -> dict[str, Any]:
    return planning.suggest(session, actor, unit, lon, lat, limit)


# --------------------------------------------------------------------------- off-site


@router.get("/offsite/lookup")
def offsite_lookup(session: DB, code: str = Query(max_length=16), plate: str = Query(max_length=16)) -> dict[str, Any]:
    """The party's look-up of a notice (no login): look-up code and plate number."""
    return offsite.lookup(session, code, plate)


@router.get("/offsite")
def offsite_list(session: DB, actor: CurrentActor, state: str | None = None) -> list[dict[str, Any]]:
    return offsite.list_cases(session, actor, state)


@router.get("/offsite/{case_id}")
def offsite_get(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return offsite.get_case(session, actor, case_id)


@router.post("/offsite/{case_id}/reviews")
def offsite_review(case_id: int, body: schemas.Review, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """One reviewer's verdict on the device record; two distinct reviewers make it usable."""
    case = offsite.review(session, actor, case_id, body.verdict, body.notes)
    return offsite.case_dict(session, case, pii=False)


@router.post("/offsite/{case_id}/notice")
def offsite_notice(case_id: int, body: schemas.Notice, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Notify the registered owner (SMS with look-up code, or post); the deadline starts."""
    case = offsite.issue_notice(session, actor, case_id, **body.model_dump())
    return offsite.case_dict(session, case, pii=False)


@router.post("/offsite/{case_id}/appearance")
def offsite_appearance(case_id: int, body: schemas.Appearance, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """The party came in: hand-over to the case procedure; the lead closes."""
    case = offsite.record_appearance(session, actor, case_id, body.note)
    return offsite.case_dict(session, case, pii=False)


@router.post("/offsite/{case_id}/cancel")
def offsite_cancel(case_id: int, body: schemas.Cancel, session: DB, actor: CurrentActor) -> dict[str, Any]:
    case = offsite.cancel(session, actor, case_id, body.reason)
    return offsite.case_dict(session, case, pii=False)


# --------------------------------------------------------------------------- figures


@router.get("/dispatch/figures")
def dispatch_figures(
    session: DB,
    actor: CurrentActor,
    since: datetime | None = Query(default=None, description="ISO 8601 with offset; default 30 days before until"),
    until: datetime | None = Query(default=None, description="ISO 8601 with offset; default now"),
    unit: str | None = None,
) -> dict[str, Any]:
    """Closed-loop figures per unit: leads, dispatched, on-time acceptance/arrival/feedback,
    returned rate, mean handling time; and the off-site share."""
    return figures.figures(session, actor, since, until, unit)


@router.get("/dispatch/false-positives")
def false_positives(
    session: DB, actor: CurrentActor, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """Per rule: leads raised in the period and those dismissed as false positives."""
    return figures.false_positives(session, actor, since, until)


# --------------------------------------------------------------------------- notifications


@router.get("/notifications")
def notifications(
    session: DB,
    actor: CurrentActor,
    unread: bool = False,
    after_id: int = Query(default=0, ge=0),
    channel: str = Query(default="inapp", pattern="^(inapp|webhook|sms)$"),
    limit: int = Query(default=100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """The actor's in-app reminders and escalations, newest first (``after_id`` to poll);
    ``channel=webhook|sms``: delivery state, for administrators."""
    return notify.list_for(session, actor, channel=channel, unread=unread, after_id=after_id, limit=limit)


@router.post("/notifications/{notification_id}/read")
def notification_read(notification_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return notify.mark_read(session, actor, notification_id)


# --------------------------------------------------------------------------- configuration


@router.get("/sla-policies")
def sla_policies(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """The SLA ladder per task kind and priority (minutes)."""
    return admin.list_policies(session)


@router.put("/sla-policies/{task_kind}/{priority}")
def sla_policy_put(
    task_kind: str, priority: str, body: schemas.SlaPolicyBody, session: DB, actor: CurrentActor
) -> dict[str, Any]:
    """Set a ladder (administrators; audited). Tasks already dispatched keep theirs."""
    return admin.put_policy(session, actor, task_kind, priority, body.model_dump())


@router.get("/dispatch/settings")
def settings(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    require(actor, "admin", "duty_officer")
    return admin.settings_rows(session)


@router.patch("/dispatch/settings")
def settings_update(body: dict[str, Any], session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Change settings (administrators; validated as a whole; audited with before and after)."""
    return admin.update_settings(session, actor, body)
