"""Leads from people: complaints and tips from the 12345 city hotline and the 12328 transport
hotline, and a patrol officer's own report.

Each becomes a lead like any sensor lead (routed by matter and location, triaged in the same
queue), with a report row holding the caller's contact (personal data: shown masked to roles
that need not see it, 个人信息保护法 第六条 — minimum necessary; unmasked reads are audited). The
hotline's reply deadline (working days, a local practice setting) is tracked by the SLA scanner
like a task's; when the loop closes the caller gets the result (SMS channel).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import can_see_pii, require
from zhifa.core.clock import SHANGHAI, utcnow
from zhifa.core.errors import BadRequest, Conflict, InvalidField, NotFound
from zhifa.dispatch import admin, notify, sla
from zhifa.dispatch.config import HOTLINES, SOURCE_ZH, SOURCES
from zhifa.dispatch.models import HotlineReport, Task, TaskFeedback
from zhifa.jurisdiction import service as jurisdiction
from zhifa.jurisdiction.router import RoutingError
from zhifa.legal.calendar import UnscheduledYear
from zhifa.legal.service import load_calendar
from zhifa.monitoring.models import Lead
from zhifa.org import service as org_service
from zhifa.org.matters import is_valid_matter_code
from zhifa.validation.masking import mask_name, mask_phone

_PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
LEAD_KIND = {"12345": "complaint", "12328": "complaint", "patrol": "patrol_report"}
SEVERITIES = ("high", "normal", "low")
READ_ROLES = ("duty_officer", "leader", "analyst")


def _clean_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = re.sub(r"[\s\-()]", "", value)
    if not _PHONE_RE.match(phone):
        raise InvalidField(
            "caller_phone", "5 to 20 digits (spaces, dashes and a leading + allowed)", "电话号码格式不正确"
        )
    return phone


def reply_steps(report: HotlineReport, remind_before_hours: int) -> list[sla.Step]:
    if report.reply_due is None:
        return []
    return sla.reply_plan(report.reply_due, timedelta(hours=remind_before_hours))


def reply_deadline(session: Session, received: datetime, days: int) -> tuple[datetime, str]:
    """The end of the ``days``-th working day after the call (the day of the call not counted),
    on the legal working-day calendar (holidays and make-up working days); when a year in the
    period has no schedule entered, weekdays only — said so in the basis, never silently."""
    cal = load_calendar(session)
    try:
        return sla.add_working_days(
            received, days, SHANGHAI, cal.is_working_day
        ), f"{days} working days (legal calendar)"
    except UnscheduledYear as exc:
        due = sla.add_working_days(received, days, SHANGHAI)
        years = ", ".join(str(y) for y in exc.years)
        return due, f"{days} working days, weekdays only: no holiday schedule entered for {years}"


def create_report(
    session: Session,
    actor: Actor,
    *,
    source: str,
    content: str,
    matter: str,
    at: str | None = None,
    crs: str | None = None,
    location_text: str | None = None,
    ticket_no: str | None = None,
    caller_name: str | None = None,
    caller_phone: str | None = None,
    received_at: datetime | None = None,
    severity: str = "normal",
) -> HotlineReport:
    if source not in SOURCES:
        raise InvalidField("source", f"one of {', '.join(SOURCES)}", "来源不正确")
    if source == "patrol":
        require(actor, "officer", "leader", "duty_officer")
    else:
        require(actor, "duty_officer")
    content = (content or "").strip()
    if not content or len(content) > 4000:
        raise InvalidField("content", "required, at most 4000 characters", "请填写反映内容（不超过4000字）")
    if severity not in SEVERITIES:
        raise InvalidField("severity", f"one of {', '.join(SEVERITIES)}", "紧急程度不正确")
    ticket_no = (ticket_no or "").strip() or None
    if source in HOTLINES and not ticket_no:
        raise InvalidField(
            "ticket_no", f"the {source} ticket number is required (the reply goes back on it)", "请填写热线工单号"
        )
    if ticket_no and session.scalar(
        select(HotlineReport.id).where(HotlineReport.source == source, HotlineReport.ticket_no == ticket_no)
    ):
        raise Conflict(f"{source} ticket {ticket_no} is entered already", f"{source} 工单 {ticket_no} 已登记")
    # Anonymous tips are allowed: without a phone the reply goes back on the hotline's ticket only.
    phone = _clean_phone(caller_phone)
    now = utcnow()
    received = received_at or now
    if received.tzinfo is None:
        raise InvalidField("received_at", "give a timezone offset", "时间须带时区")
    if received > now + timedelta(minutes=5):
        raise InvalidField("received_at", "lies in the future", "受理时间晚于当前时间")
    if not is_valid_matter_code(matter or ""):
        raise InvalidField("matter", f"malformed matter code {matter!r}", "事项编码不正确")
    router = jurisdiction.get_router(session)
    try:
        router.matter(matter)
    except RoutingError as exc:
        raise InvalidField("matter", str(exc), exc.message_zh) from exc
    unit = mode = reason = None
    lon = lat = None
    if at:
        try:
            answer = jurisdiction.route(session, matter, at, crs)
        except RoutingError as exc:
            raise InvalidField("at", str(exc), exc.message_zh) from exc
        unit, mode, reason = answer.unit, answer.mode, answer.reason
        where = answer.where()
        lon, lat = where.get("lon"), where.get("lat")
    else:
        reason = "未给出可定位的位置，须人工指定单位"
    if source == "patrol" and unit is None and actor.unit_code:
        unit, mode, reason = actor.unit_code, "reporter", "巡查队员所在单位（未给出可定位的位置）"
    lead = Lead(
        kind=LEAD_KIND[source],
        subject=f"{source}:{ticket_no or actor.username}"[:64],
        matter=matter,
        unit_code=unit,
        routing_mode=mode,
        routing_reason=reason,
        status="new",
        severity=severity,
        rule_version=f"{LEAD_KIND[source]}/{source}/1",
        first_event_time=received,
        last_event_time=received,
        count=1,
        lon=lon,
        lat=lat,
        details={"title": SOURCE_ZH[source], "source": source, "ticket_no": ticket_no, "location_text": location_text},
        images=[],
        usable_as_evidence=False,  # a person's report is a lead, never evidence by itself
        permitted=False,
        created_at=now,
        updated_at=now,
    )
    session.add(lead)
    session.flush()
    cfg = admin.current_config(session)
    reply_due = basis = None
    if source in HOTLINES:
        reply_due, basis = reply_deadline(session, received, cfg.hotline_reply_working_days[source])
    report = HotlineReport(
        lead_id=lead.id,
        source=source,
        ticket_no=ticket_no,
        caller_name=(caller_name or "").strip()[:64] or None,
        caller_phone=phone,
        content=content,
        location_text=(location_text or "").strip()[:200] or None,
        received_at=received,
        reported_by=actor.username,
        reply_due=reply_due,
        reply_due_basis=basis,
        sla_cursor=0,
    )
    report.next_reminder_at = sla.next_at(reply_steps(report, cfg.hotline_remind_before_hours), 0, frozenset({"reply"}))
    session.add(report)
    session.flush()
    audit.record(session, actor, "create", "lead", lead.id, None, {"kind": lead.kind, "unit": unit, "routing": reason})
    audit.record(session, actor, "create", "hotline_report", report.id, None, report_dict(report, pii=False))
    return report


def report_dict(r: HotlineReport, pii: bool) -> dict[str, Any]:
    name, phone = r.caller_name, r.caller_phone
    if not pii:
        name = mask_name(name) if name else None
        phone = mask_phone(phone) if phone else None
    return {
        "id": r.id,
        "lead": r.lead_id,
        "source": r.source,
        "source_zh": SOURCE_ZH[r.source],
        "ticket_no": r.ticket_no,
        "caller_name": name,
        "caller_phone": phone,
        "contact_masked": not pii,
        "content": r.content,
        "location_text": r.location_text,
        "received_at": r.received_at.isoformat(),
        "reported_by": r.reported_by,
        "reply_due": r.reply_due.isoformat() if r.reply_due else None,
        "reply_due_basis": r.reply_due_basis,
        "replied_at": r.replied_at.isoformat() if r.replied_at else None,
        "reply_text": r.reply_text,
        "reply_on_time": r.reply_on_time,
    }


def _visible(session: Session, actor: Actor, r: HotlineReport) -> bool:
    if r.reported_by == actor.username:
        return True
    if not actor.has(*READ_ROLES):
        return False
    scope = org_service.visible_units(session, actor)
    if scope is None:
        return True
    unit = session.scalar(select(Lead.unit_code).where(Lead.id == r.lead_id))
    return unit in scope


def get_report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    r = session.get(HotlineReport, report_id)
    if r is None or not _visible(session, actor, r):
        raise NotFound(f"no hotline report {report_id}", "来电记录不存在")
    pii = can_see_pii(actor)
    if pii and (r.caller_name or r.caller_phone):
        audit.record(session, actor, "read", "hotline_report", r.id, None, {"fields": ["caller_name", "caller_phone"]})
    return report_dict(r, pii)


def list_reports(session: Session, actor: Actor, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    require(actor, *READ_ROLES)
    q = select(HotlineReport).join(Lead, Lead.id == HotlineReport.lead_id)
    scope = org_service.visible_units(session, actor)
    if scope is not None:
        q = q.where(Lead.unit_code.in_(sorted(scope)))
    if open_only:
        q = q.where(HotlineReport.replied_at.is_(None), HotlineReport.reply_due.is_not(None))
    rows = list(session.scalars(q.order_by(HotlineReport.id.desc()).limit(limit)))
    pii = can_see_pii(actor)
    if pii and rows:
        audit.record(session, actor, "read", "hotline_report", "list", None, {"ids": [r.id for r in rows]})
    return [report_dict(r, pii) for r in rows]


def _send_reply(session: Session, actor: Actor, r: HotlineReport, text: str) -> None:
    now = utcnow()
    before = {"replied_at": None}
    r.replied_at, r.reply_text = now, text
    r.reply_on_time = sla.on_time(now, r.reply_due) if r.reply_due else None
    r.next_reminder_at = None
    if r.caller_phone:
        message = notify.Message(
            kind="reply",
            entity_type="hotline_report",
            entity_id=r.id,
            title=f"{SOURCE_ZH[r.source]}答复" + (f"（工单 {r.ticket_no}）" if r.ticket_no else ""),
            body=text,
            stage="reply",
            step="reply",
        )
        notify.emit(session, message, [notify.Target(f"caller:{r.id}", "sms", r.caller_phone)], now)
    audit.record(
        session,
        actor,
        "reply",
        "hotline_report",
        r.id,
        before,
        {"replied_at": now, "on_time": r.reply_on_time, "sms": bool(r.caller_phone)},
        note=text,
    )


def reply(session: Session, actor: Actor, report_id: int, text: str) -> dict[str, Any]:
    """The command center answers the caller (e.g. when the lead was dismissed, or an interim
    answer is due); once replied, the deadline stops."""
    require(actor, "duty_officer")
    r = session.get(HotlineReport, report_id, with_for_update=True, populate_existing=True)
    if r is None:
        raise NotFound(f"no hotline report {report_id}", "来电记录不存在")
    if r.replied_at is not None:
        raise Conflict(f"report {report_id} was answered at {r.replied_at.isoformat()}", "该来电已答复")
    text = (text or "").strip()
    if not text:
        raise BadRequest("the reply text is required", "请填写答复内容")
    _send_reply(session, actor, r, text[:1000])
    return report_dict(r, can_see_pii(actor))


def reply_when_closed(session: Session, actor: Actor, lead: Lead) -> None:
    """The loop closed: tell the caller the result (the outcome of the last feedback)."""
    r = session.scalar(select(HotlineReport).where(HotlineReport.lead_id == lead.id).with_for_update())
    if r is None or r.replied_at is not None or r.source not in HOTLINES:
        return
    from zhifa.dispatch.service import OUTCOME_ZH

    fb = session.scalar(
        select(TaskFeedback)
        .join(Task, Task.id == TaskFeedback.task_id)
        .where(Task.lead_id == lead.id, Task.state == "closed")
        .order_by(TaskFeedback.id.desc())
        .limit(1)
    )
    result = OUTCOME_ZH[fb.outcome] if fb is not None else "已办结"
    text = f"您反映的问题（工单 {r.ticket_no}）已办结，处理结果：{result}。感谢您的监督。"
    _send_reply(session, actor, r, text)
