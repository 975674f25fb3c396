"""Web pages of 指挥调度 (command and dispatch), and the two endpoints they need beyond the
dispatch API: the wall's snapshot and the dispatch live stream.

* ``/wall`` — the command-center wall: map of devices, leads, tasks and officers; the queue of
  new leads with countdowns; the dispatch dialog; the KPI tiles; live over SSE.
* ``/m/tasks``, ``/m/tasks/{id}`` — the officer's phone view: his tasks; accept, en route, on
  scene (with the phone's position), feedback with photos from the phone's camera.
* ``/tasks/{id}`` — one task: its timeline, officers, feedback; assignment (unit leader),
  review and cancellation (command center).
* ``/figures`` — closed-loop figures per unit and period, table and chart.
* ``/plans`` — response plans (预案): list, create, edit (steps as a sub-form), activate/retire,
  version history (administrators read it from the audit log).
* ``/sla`` — the SLA ladders (task kind × priority) and the dispatch settings with their sources.

Every action is a call of the dispatch API from the page, with the user's session: who may do
what is decided there, once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from zhifa.cases import procedure
from zhifa.core.api import DB, CurrentActor, token_from
from zhifa.core.audit import Actor
from zhifa.core.auth import resolve_actor
from zhifa.core.clock import utcnow
from zhifa.core.db import read_session
from zhifa.core.errors import Unauthorized, ZhifaError
from zhifa.dispatch import figures, planning, service, sla, transitions
from zhifa.dispatch.config import DispatchConfig
from zhifa.web import dispatch_live, pages, wall
from zhifa.web.i18n import N_, lang_of, translate

router = APIRouter()
log = logging.getLogger(__name__)

#: The phone view: field officers, and the leaders and duty officers who act in the field too.
PHONE_ROLES = ("officer", "leader", "duty_officer")

#: Labels of the dispatch states and codes. The Chinese column of each catalogue entry is the
#: dispatch module's own Chinese name (a test keeps them equal).
TASK_STATE_LABELS = {
    "dispatched": N_("Dispatched (task)"),
    "accepted": N_("Accepted"),
    "en_route": N_("En route"),
    "on_scene": N_("On scene"),
    "handled": N_("Handled"),
    "closed": N_("Closed"),
    "returned": N_("Returned for rework"),
    "cancelled": N_("Cancelled"),
}
TASK_KIND_LABELS = {
    "inspection": N_("Inspection task"),
    "enforcement": N_("Enforcement task"),
    "complaint": N_("Complaint handling"),
}
PRIORITY_LABELS = {
    "urgent": N_("Urgent"),
    "high": N_("High priority"),
    "normal": N_("Ordinary"),
    "low": N_("Low priority"),
}
STAGE_LABELS = {"accept": N_("Accept"), "arrive": N_("Arrive"), "feedback": N_("Feedback")}
OUTCOME_LABELS = {
    "violation_confirmed": N_("Violation confirmed"),
    "not_found": N_("No violation found"),
    "case_opened": N_("Case opened"),
    "referred": N_("Referred"),
}


def _labels(lang: str) -> dict[str, dict[str, str]]:
    def tr(table: dict[str, str]) -> dict[str, str]:
        return {code: translate(key, lang) for code, key in table.items()}

    return {
        "state": tr(TASK_STATE_LABELS),
        "kind": tr(TASK_KIND_LABELS),
        "priority": tr(PRIORITY_LABELS),
        "stage": tr(STAGE_LABELS),
        "outcome": tr(OUTCOME_LABELS),
    }


def _dispatch_page(request: Request, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every dispatch page's script needs: labels, lead kinds, the transition table."""
    lang = lang_of(request)
    kinds = pages.lead_kind_titles(lang)
    return {
        "labels": _labels(lang),
        "kinds": list(kinds.items()),
        "states": list(transitions.TASK_STATES),
        "open_states": list(transitions.OPEN_TASK_STATES),
        "transitions": [
            {"from": t.source, "to": t.target, "by": t.by, "reason": t.reason_required, "via": t.via}
            for t in transitions.TASK_TRANSITIONS
        ],
        "task_kinds": list(sla.TASK_KINDS),
        "priorities": list(sla.PRIORITIES),
        "outcomes": list(service.OUTCOMES),
        "outcomes_needing_evidence": list(service.OUTCOMES_NEEDING_EVIDENCE),
        # The server's time when the page was made: deadlines count down against it.
        "now_ms": wall.ms(utcnow()),
    } | (extra or {})


def _field_only(request: Request, session: Any) -> bool:
    user = pages._page_user(request, session)
    return user is not None and service.field_only(user.actor())


# --------------------------------------------------------------------------- pages


@router.get("/wall", include_in_schema=False)
def wall_page(request: Request, session: DB) -> Response:
    if _field_only(request, session):
        return RedirectResponse("/m/tasks", status_code=303)  # a field officer's screen is his phone view
    return pages._page(
        request, session, "wall.html", "dispatch-wall", N_("Command wall"), _dispatch_page(request), wall.WALL_ROLES
    )


@router.get("/m", include_in_schema=False)
def phone_index() -> RedirectResponse:
    return RedirectResponse("/m/tasks", status_code=303)


@router.get("/m/tasks", include_in_schema=False)
def phone_tasks(request: Request, session: DB) -> Response:
    page = _dispatch_page(request, {"task_id": None})
    return pages._page(request, session, "mobile_tasks.html", "dispatch-mine", N_("My tasks"), page, PHONE_ROLES)


@router.get("/m/tasks/{task_id}", include_in_schema=False)
def phone_task(task_id: str, request: Request, session: DB) -> Response:
    if not task_id.isdigit() or len(task_id) > 18:
        return RedirectResponse("/m/tasks", status_code=303)
    page = _dispatch_page(request, {"task_id": int(task_id)})
    return pages._page(request, session, "mobile_tasks.html", "dispatch-mine", N_("My tasks"), page, PHONE_ROLES)


@router.get("/tasks/{task_id}", include_in_schema=False)
def task_page(task_id: str, request: Request, session: DB) -> Response:
    if not task_id.isdigit() or len(task_id) > 18:
        return RedirectResponse("/wall", status_code=303)
    page = _dispatch_page(
        request, {"task_id": int(task_id), "case_file_roles": list(procedure.STEP_BY_ACTION["file"].roles)}
    )
    return pages._page(request, session, "task.html", "dispatch-task", N_("Task"), page)


@router.get("/figures", include_in_schema=False)
def figures_page(request: Request, session: DB) -> Response:
    page = _dispatch_page(request)
    return pages._page(
        request, session, "figures.html", "dispatch-figures", N_("Closed-loop figures"), page, figures.READ_ROLES
    )


#: Who opens the plans and SLA pages: the command center and the brigade leaders read them. Who may
#: change what is the API's decision (plans: ``planning.PLAN_ROLES``; ladders and settings: admin);
#: the pages only hide the controls the user's roles cannot use.
CONFIG_READ_ROLES = ("duty_officer", "leader")
SLA_EDIT_ROLES = ("admin",)

#: Labels of the dispatch settings (``dispatch.config.DispatchConfig``; a test keeps them complete).
SETTING_LABELS = {
    "offsite_notice_days": N_("Off-site notice: days to come in"),
    "hotline_reply_working_days": N_("Hotline reply: working days"),
    "hotline_remind_before_hours": N_("Hotline reply: remind hours before"),
    "position_max_age_min": N_("Officer position: max age (minutes)"),
    "webhook_url": N_("Webhook URL"),
    "webhook_timeout_s": N_("Webhook timeout (seconds)"),
    "webhook_max_attempts": N_("Webhook: max attempts"),
    "triage_target_min": N_("Triage target (minutes) by severity"),
}


def _setting_types() -> dict[str, str]:
    """Each setting's value type, ``int``, ``float``, ``str`` or ``dict`` (of whole numbers), as the
    settings form draws its inputs."""
    out = {}
    for name, f in DispatchConfig.__dataclass_fields__.items():
        kind = str(f.type)
        out[name] = "dict" if kind.startswith("dict") else kind
    return out


@router.get("/plans", include_in_schema=False)
def plans_page(request: Request, session: DB) -> Response:
    page = _dispatch_page(request, {"plan_roles": list(planning.PLAN_ROLES)})
    return pages._page(request, session, "plans.html", "dispatch-plans", N_("Response plans"), page, CONFIG_READ_ROLES)


@router.get("/sla", include_in_schema=False)
def sla_page(request: Request, session: DB) -> Response:
    lang = lang_of(request)
    page = _dispatch_page(
        request,
        {
            "edit_roles": list(SLA_EDIT_ROLES),
            "setting_labels": {k: translate(v, lang) for k, v in SETTING_LABELS.items()},
            "setting_types": _setting_types(),
        },
    )
    return pages._page(
        request, session, "sla.html", "dispatch-sla", N_("SLA ladders and settings"), page, CONFIG_READ_ROLES
    )


# --------------------------------------------------------------------------- the wall's snapshot


@router.get("/api/v1/wall/snapshot", tags=["web"])
def wall_snapshot(session: DB, actor: CurrentActor) -> Response:
    """Everything the command-center wall draws first, for the user's units: the lead queue (new
    and confirmed), open tasks and those awaiting review, devices, officers' recent positions
    (dispatching roles; audited), the user's latest notifications, the KPI tiles, the server's
    time and the live stream's cursor. Lists are ``{columns, rows}``, times epoch milliseconds
    (``docs/web.md``). Duty officers and leaders (403 for others)."""
    cursor = dispatch_live.cursor_token(session)  # before the reads: the stream resumes there
    body = wall.snapshot(session, actor, cursor)
    # Tens of thousands of rows: serialised directly, not through FastAPI's generic encoder.
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), media_type="application/json"
    )


# --------------------------------------------------------------------------- the live stream (SSE)

_open_streams = 0


def _sse(messages: list[dispatch_live.Message], cursor: dispatch_live.Cursor) -> list[ServerSentEvent]:
    out = [ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name) for name, data in messages]
    if out:
        out[-1].id = cursor.token()
    return out


def _reauth(engine: Any, token: str) -> Actor | None:
    with read_session(engine) as session:
        try:
            return resolve_actor(session, token)
        except ZhifaError:
            return None


async def _stream(
    request: Request,
    engine: Any,
    token: str,
    viewer: dispatch_live.Viewer,
    cursor: dispatch_live.Cursor,
    first: list[dispatch_live.Message],
) -> AsyncIterator[ServerSentEvent]:
    global _open_streams
    _open_streams += 1
    try:
        checked = time.monotonic()
        yield ServerSentEvent(comment="zhifa dispatch", retry=3000)
        for message in _sse(first, cursor):
            yield message
        while not await request.is_disconnected():
            if time.monotonic() - checked > pages.STREAM_REAUTH_S:
                actor = await anyio.to_thread.run_sync(_reauth, engine, token)
                if actor is None:
                    yield ServerSentEvent(data=json.dumps({"reason": "unauthorized"}), event="end")
                    return
                viewer = await anyio.to_thread.run_sync(dispatch_live.viewer_in, engine, actor)  # roles may change
                checked = time.monotonic()
            try:
                messages = await anyio.to_thread.run_sync(dispatch_live.poll_in, engine, viewer, cursor)
            except Exception:  # the database is away for a moment: keep the stream, try again
                log.exception("dispatch stream poll failed")
                await anyio.sleep(dispatch_live.POLL_S * 4)
                continue
            for message in _sse(messages, cursor):
                yield message
            await anyio.sleep(dispatch_live.POLL_S)
    finally:
        _open_streams -= 1


@router.get("/web/dispatch/stream", include_in_schema=False)
def dispatch_stream(
    request: Request, session: DB, cursor: str | None = Query(default=None, max_length=120)
) -> Response:
    """Server-Sent Events of ``zhifa.web.dispatch_live``: new leads and their triage, task
    transitions and assignments, the user's notifications, the KPI tiles and the server's clock.
    Resumes after ``Last-Event-ID`` or ``cursor`` (the wall's snapshot gives one)."""
    token = token_from(request)
    if not token:
        raise Unauthorized("authentication required: log in or send 'Authorization: Bearer <token>'", "请先登录")
    actor = resolve_actor(session, token)
    viewer = dispatch_live.viewer_for(session, actor)
    resume = request.headers.get("last-event-id") or cursor
    start, first = dispatch_live.start(session, viewer, resume)
    return EventSourceResponse(_stream(request, pages._engine(request), token, viewer, start, first), ping=15)


@router.get("/web/dispatch/status", include_in_schema=False)
def dispatch_stream_status(actor: CurrentActor) -> dict[str, Any]:
    """How many dispatch streams this server process is serving, and how often they poll."""
    return {"open_streams": _open_streams, "poll_s": dispatch_live.POLL_S}
