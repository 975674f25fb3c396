"""Dispatch services: triage of leads (confirm, dismiss, merge, dispatch), tasks (transitions,
assignment of officers, feedback, review) and reading them.

Every change validates, authorises, writes its row(s) and its audit row in the caller's
transaction, and never commits. A task row being changed is locked (``FOR UPDATE`` on PostgreSQL),
so a user's transition and the SLA scanner never interleave on one task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import today_shanghai, utcnow
from zhifa.core.errors import BadRequest, Conflict, Forbidden, InvalidField, NotFound
from zhifa.dispatch import admin, sla, transitions
from zhifa.dispatch.models import (
    LeadTriage,
    OfficerPosition,
    OffsiteCase,
    ResponsePlan,
    Task,
    TaskEvidence,
    TaskFeedback,
    TaskOfficer,
    TaskTransition,
)
from zhifa.dispatch.plans import PlanStep, parse_plan
from zhifa.monitoring import access as lead_access
from zhifa.monitoring import rules as monitoring_rules
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.org import service as org_service
from zhifa.org.models import Officer, Unit
from zhifa.sensing.models import Evidence

#: Roles that triage leads and dispatch: the command center.
TRIAGE_ROLES = ("duty_officer",)
OUTCOMES = ("violation_confirmed", "not_found", "case_opened", "referred")
OUTCOME_ZH = {
    "violation_confirmed": "确认违法",
    "not_found": "未发现违法",
    "case_opened": "已立案",
    "referred": "已移送",
}
#: Outcomes that rest on what the officers found: they need the record of it (行政处罚法 第四十七条:
#: 全过程记录), at least one photo or body-camera video.
OUTCOMES_NEEDING_EVIDENCE = ("violation_confirmed", "case_opened")
SEVERITY_PRIORITY = {"high": "high", "normal": "normal", "low": "low"}
#: Roles that see every task of their scope; an officer with none of them sees only his own tasks.
SUPERVISING_ROLES = ("leader", "duty_officer", "analyst", "legal_reviewer")


class OfficersRequired(Conflict):
    """The task cannot get under way without (enough) assigned officers."""

    code = "officers_required"


# --------------------------------------------------------------------------- leads


def get_lead_for_update(session: Session, lead_id: int, actor: Actor | None = None) -> Lead:
    """The lead, locked; with ``actor``, 404 outside the leads they see (``monitoring.access``)."""
    # populate_existing: read the locked row as it is now, not a copy loaded earlier in the session.
    lead = session.get(Lead, lead_id, with_for_update=True, populate_existing=True)
    if lead is None:
        raise NotFound(f"no lead {lead_id}", f"线索 {lead_id} 不存在")
    if actor is not None:
        lead_access.check(session, actor, lead_id, lead.unit_code)
    return lead


def lead_transition(
    session: Session,
    actor: Actor,
    lead: Lead,
    target: str,
    action: str,
    reason: str | None = None,
    *,
    false_positive: bool | None = None,
    merged_into: int | None = None,
) -> LeadTriage:
    """Move a lead along the lead table, with its triage row and audit row."""
    t = transitions.check_lead(lead.status, target, action)
    reason = (reason or "").strip() or None
    if t.reason_required and not reason:
        raise InvalidField("reason", f"a reason is required to {action} a lead", f"{action}线索须说明理由")
    before = lead.status
    row = LeadTriage(
        lead_id=lead.id,
        action=action,
        from_status=before,
        to_status=target,
        reason=reason,
        false_positive=false_positive,
        rule_kind=lead.kind,
        rule_version=lead.rule_version,
        merged_into=merged_into,
        actor=actor.username,
        at=utcnow(),
    )
    session.add(row)
    lead.status = target
    after: dict[str, Any] = {"status": target}
    if false_positive is not None:
        after["false_positive"] = false_positive
    if merged_into is not None:
        after["merged_into"] = merged_into
    audit.record(session, actor, action, "lead", lead.id, {"status": before}, after, note=reason)
    return row


def confirm_lead(session: Session, actor: Actor, lead_id: int, note: str | None = None) -> Lead:
    require(actor, *TRIAGE_ROLES)
    lead = get_lead_for_update(session, lead_id, actor)
    lead_transition(session, actor, lead, "confirmed", "confirm", note)
    return lead


def dismiss_lead(session: Session, actor: Actor, lead_id: int, reason: str, false_positive: bool = True) -> Lead:
    """Dismiss with a reason. ``false_positive``: the rule was wrong (counted per rule, so the
    rules can be tuned); otherwise the lead was right but needs no action."""
    require(actor, *TRIAGE_ROLES)
    lead = get_lead_for_update(session, lead_id, actor)
    lead_transition(session, actor, lead, "dismissed", "dismiss", reason, false_positive=false_positive)
    return lead


def merge_lead(session: Session, actor: Actor, lead_id: int, into_id: int, reason: str) -> Lead:
    """Fold a duplicate into another open lead: its events, count and images move to the target."""
    require(actor, *TRIAGE_ROLES)
    if lead_id == into_id:
        raise InvalidField("into", "a lead cannot be merged into itself", "线索不能合并到自身")
    # Lock both in id order, so two merges of the same pair in opposite directions cannot deadlock.
    locked = {i: get_lead_for_update(session, i, actor) for i in sorted((lead_id, into_id))}
    dup, target = locked[lead_id], locked[into_id]
    if target.status not in ("new", "confirmed", "dispatched"):
        raise Conflict(
            f"lead {into_id} is {target.status}: merge only into an open lead (new, confirmed, dispatched)",
            "只能合并到未办结的线索",
        )
    lead_transition(session, actor, dup, "merged", "merge", reason, merged_into=target.id)
    held = set(session.scalars(select(LeadEvent.event_id).where(LeadEvent.lead_id == target.id)))
    moved = 0
    for le in list(session.scalars(select(LeadEvent).where(LeadEvent.lead_id == dup.id))):
        if le.event_id in held:
            session.delete(le)
        else:
            session.add(LeadEvent(lead_id=target.id, event_id=le.event_id, event_time=le.event_time))
            session.delete(le)
            moved += 1
    before = {"count": target.count, "merged": target.details.get("merged", [])}
    target.count += moved
    target.first_event_time = min(target.first_event_time, dup.first_event_time)
    target.last_event_time = max(target.last_event_time, dup.last_event_time)
    target.images = [*target.images, *[h for h in dup.images if h not in target.images]]
    target.details = target.details | {"merged": [*target.details.get("merged", []), dup.id]}
    dup.details = dup.details | {"merged_into": target.id}
    audit.record(
        session,
        actor,
        "absorb",
        "lead",
        target.id,
        before,
        {"count": target.count, "merged": target.details["merged"], "events_moved": moved},
        note=f"lead {dup.id} merged in: {reason}",
    )
    return dup


def lead_title(lead: Lead) -> str:
    info = monitoring_rules.RULES.get(lead.kind)
    what = info.title_zh if info else str(lead.details.get("title") or lead.kind)
    return f"{what}：{lead.subject}"[:200]


def dispatch_lead(
    session: Session,
    actor: Actor,
    lead_id: int,
    *,
    unit: str | None = None,
    override_reason: str | None = None,
    kind: str = "inspection",
    priority: str | None = None,
    title: str | None = None,
    instructions: str | None = None,
    plan_id: int | None = None,
) -> list[Task]:
    """Dispatch tasks for a lead: to the unit routing named, or to ``unit`` with a reason (an
    override, audited); one task, or one per step of a response plan."""
    require(actor, *TRIAGE_ROLES)
    lead = get_lead_for_update(session, lead_id, actor)
    transitions.check_lead(lead.status, "dispatched", "dispatch")
    open_offsite = session.scalar(
        select(OffsiteCase.id).where(
            OffsiteCase.lead_id == lead.id, OffsiteCase.state.not_in(transitions.OFFSITE_FINAL_STATES)
        )
    )
    if open_offsite is not None:
        raise Conflict(
            f"lead {lead.id} is being handled off-site (case {open_offsite}); finish or cancel that first",
            "该线索正在非现场执法流程中",
        )
    routed = lead.unit_code
    override_reason = (override_reason or "").strip() or None
    target = unit or routed
    if target is None:
        raise InvalidField(
            "unit",
            f"routing named no unit for this lead ({lead.routing_reason or 'no location or matter'}); "
            "choose one, with a reason",
            "该线索未能路由到单位，请指定单位并说明理由",
        )
    org_service.get_unit(session, target)
    if target != routed and not override_reason:
        raise InvalidField(
            "override_reason",
            f"routing named {routed or 'no unit'}; dispatching to {target} needs a reason",
            f"系统指定单位为 {routed or '无'}，改派 {target} 须说明理由",
        )
    if priority is None:
        priority = SEVERITY_PRIORITY.get(lead.severity, "normal")
    plan_name = None
    if plan_id is not None:
        row = session.get(ResponsePlan, plan_id)
        if row is None or not row.active:
            raise NotFound(f"no active response plan {plan_id}", "预案不存在或已停用")
        steps = list(parse_plan(_plan_values(row), row.id).steps)
        plan_name = row.name
    else:
        steps = [PlanStep(kind, "routed", 0, title or "", instructions or "")]
    tasks = []
    for i, step in enumerate(steps, start=1):
        if step.unit == "routed":
            step_unit, step_routed, step_reason = target, routed, lead.routing_reason
            step_override = override_reason if target != routed else None
        else:
            # The plan names this unit (e.g. the weigh station's brigade): not an override.
            org_service.get_unit(session, step.unit)
            step_unit, step_routed, step_override = step.unit, step.unit, None
            step_reason = f"预案“{plan_name}”第{i}项指定 {step.unit}"
        tasks.append(
            create_task(
                session,
                actor,
                lead=lead,
                kind=step.task_kind,
                priority=priority,
                unit=step_unit,
                routed_unit=step_routed,
                routing_reason=step_reason,
                override_reason=step_override,
                title=step.title or title or lead_title(lead),
                instructions=step.instructions or instructions,
                lon=lead.lon,
                lat=lead.lat,
                plan_id=plan_id,
            )
        )
    lead_transition(session, actor, lead, "dispatched", "dispatch", f"tasks {', '.join(str(t.id) for t in tasks)}")
    return tasks


def _plan_values(row: ResponsePlan) -> dict[str, Any]:
    """A stored plan as ``parse_plan`` reads it: the API form without its bookkeeping."""
    from zhifa.dispatch.planning import plan_dict

    return {k: v for k, v in plan_dict(row).items() if k not in ("id", "version", "updated_by", "updated_at")}


# --------------------------------------------------------------------------- tasks


def steps_for(task: Task) -> list[sla.Step]:
    """The SLA steps of the task's current round (from its stored ladder and due times)."""
    ladder = sla.Ladder.from_dict(task.sla)
    return sla.plan(ladder, {"accept": task.accept_due, "arrive": task.arrive_due, "feedback": task.feedback_due})


def reschedule(task: Task) -> None:
    task.next_reminder_at = sla.next_at(steps_for(task), task.sla_cursor, sla.pending_stages(task.state))


def create_task(
    session: Session,
    actor: Actor,
    *,
    lead: Lead | None,
    kind: str,
    priority: str,
    unit: str,
    routed_unit: str | None,
    routing_reason: str | None,
    override_reason: str | None,
    title: str,
    instructions: str | None,
    lon: float | None,
    lat: float | None,
    plan_id: int | None = None,
) -> Task:
    if kind not in sla.TASK_KINDS:
        raise InvalidField("kind", f"one of {', '.join(sla.TASK_KINDS)}", "指令类型不正确")
    if priority not in sla.PRIORITIES:
        raise InvalidField("priority", f"one of {', '.join(sla.PRIORITIES)}", "优先级不正确")
    ladder = admin.ladder_for(session, kind, priority)
    now = utcnow()
    dues = sla.due_times(ladder, now)
    task = Task(
        lead_id=lead.id if lead is not None else None,
        kind=kind,
        priority=priority,
        state="dispatched",
        unit_code=unit,
        routed_unit_code=routed_unit,
        routing_reason=routing_reason,
        override_reason=override_reason,
        plan_id=plan_id,
        title=title[:200],
        instructions=instructions,
        lon=lon,
        lat=lat,
        created_by=actor.username,
        dispatched_at=now,
        accept_due=dues["accept"],
        arrive_due=dues["arrive"],
        feedback_due=dues["feedback"],
        sla=ladder.as_dict(),
        sla_round=0,
        sla_cursor=0,
        returned_count=0,
        created_at=now,
        updated_at=now,
    )
    reschedule(task)
    session.add(task)
    session.flush()
    _transition_row(session, task, None, "dispatched", actor, override_reason, None, None, now)
    audit.record(
        session,
        actor,
        "dispatch",
        "task",
        task.id,
        None,
        task_snapshot(task),
        note=f"override: routed to {routed_unit}, dispatched to {unit}: {override_reason}" if override_reason else None,
    )
    return task


def task_snapshot(task: Task) -> dict[str, Any]:
    return {
        "lead": task.lead_id,
        "kind": task.kind,
        "priority": task.priority,
        "state": task.state,
        "unit": task.unit_code,
        "routed_unit": task.routed_unit_code,
        "override_reason": task.override_reason,
        "accept_due": task.accept_due,
        "arrive_due": task.arrive_due,
        "feedback_due": task.feedback_due,
        "sla": task.sla,
        "round": task.sla_round,
    }


def get_task_for_update(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id, with_for_update=True, populate_existing=True)
    if task is None:
        raise NotFound(f"no task {task_id}", f"指令 {task_id} 不存在")
    return task


def _transition_row(
    session: Session,
    task: Task,
    source: str | None,
    target: str,
    actor: Actor,
    reason: str | None,
    lon: float | None,
    lat: float | None,
    at: datetime,
) -> TaskTransition:
    seq = (session.scalar(select(func.max(TaskTransition.seq)).where(TaskTransition.task_id == task.id)) or 0) + 1
    row = TaskTransition(
        task_id=task.id,
        seq=seq,
        from_state=source,
        to_state=target,
        at=at,
        actor=actor.username,
        reason=reason,
        lon=lon,
        lat=lat,
    )
    session.add(row)
    return row


def assigned_codes(session: Session, task_id: int) -> list[str]:
    return sorted(session.scalars(select(TaskOfficer.officer_code).where(TaskOfficer.task_id == task_id)))


def _leads_unit(session: Session, actor: Actor, unit_code: str) -> bool:
    if actor.has("admin"):
        return True
    if "leader" not in actor.roles:
        return False
    scope = org_service.visible_units(session, actor)
    return scope is None or unit_code in scope


def authorise(session: Session, actor: Actor, task: Task, party: str) -> None:
    if party == "center":
        require(actor, *TRIAGE_ROLES)
        return
    if _leads_unit(session, actor, task.unit_code) or actor.username in assigned_codes(session, task.id):
        return
    raise Forbidden(
        f"only the leader of {task.unit_code} or an officer assigned to task {task.id} may do this",
        "只有该单位负责人或承办队员可以操作",
    )


def _check_officers(session: Session, task: Task) -> None:
    n = len(assigned_codes(session, task.id))
    need = 2 if task.kind == "enforcement" else 1
    if n < need:
        raise OfficersRequired(
            f"task {task.id} has {n} officer(s) assigned; a {task.kind} task needs at least {need} "
            "(行政处罚法 第四十二条: no fewer than two officers for enforcement)",
            f"请先指派执法人员（{'执法查处不少于两人' if need == 2 else '至少一人'}）",
        )


def transition_task(
    session: Session,
    actor: Actor,
    task_id: int,
    target: str,
    reason: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    *,
    via: str | None = None,
) -> Task:
    """Move a task along the table. Refused with 409 when the table does not allow it from the
    current state; the transition row records who, when, from, to, why and where."""
    task = get_task_for_update(session, task_id)
    source = task.state
    t = transitions.check(source, target)
    if t.via is not None and via != t.via:
        raise transitions.IllegalTransition(
            f"a task goes to {target!r} only with its feedback: POST /api/v1/tasks/{task.id}/feedback",
            "请通过“反馈”提交处置结果",
            current=source,
            requested=target,
        )
    authorise(session, actor, task, t.by)
    reason = (reason or "").strip() or None
    if t.reason_required and not reason:
        raise InvalidField("reason", f"a reason is required to go to {target!r}", "该操作须说明理由")
    _check_position(lon, lat)
    if target == "en_route":
        _check_officers(session, task)
    now = utcnow()
    before = task_snapshot(task)
    task.state = target
    if target == "accepted" and task.accepted_at is None:
        task.accepted_at, task.accepted_on_time = now, sla.on_time(now, task.accept_due)
    elif target == "on_scene" and task.arrived_at is None:
        task.arrived_at, task.arrived_on_time = now, sla.on_time(now, task.arrive_due)
    elif target == "handled" and task.handled_at is None:
        task.handled_at, task.feedback_on_time = now, sla.on_time(now, task.feedback_due)
    elif target == "closed":
        task.closed_at = now
    elif target == "returned":
        # A new round: the unit accepts, arrives and reports again, with due times from now.
        dues = sla.due_times(sla.Ladder.from_dict(task.sla), now)
        task.accept_due, task.arrive_due, task.feedback_due = dues["accept"], dues["arrive"], dues["feedback"]
        task.sla_round += 1
        task.sla_cursor = 0
        task.returned_count += 1
    reschedule(task)
    task.updated_at = now
    _transition_row(session, task, source, target, actor, reason, lon, lat, now)
    if lon is not None and lat is not None:
        _position_from_transition(session, actor, lon, lat, now)
    audit.record(session, actor, "transition", "task", task.id, before, task_snapshot(task), note=reason)
    session.flush()
    if target in transitions.FINAL_TASK_STATES and task.lead_id is not None:
        settle_lead(session, actor, task.lead_id)
    return task


def _check_position(lon: float | None, lat: float | None) -> None:
    if (lon is None) != (lat is None):
        raise InvalidField("lon", "give both lon and lat, or neither", "经纬度须同时提供")
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidField("lon", "lon must be -180..180 and lat -90..90 (WGS-84)", "经纬度超出范围")


def _position_from_transition(session: Session, actor: Actor, lon: float, lat: float, now: datetime) -> None:
    if session.scalar(select(Officer.id).where(Officer.code == actor.username)) is None:
        return
    session.add(
        OfficerPosition(
            officer_code=actor.username, at=now, lon=lon, lat=lat, accuracy_m=None, source="transition", received_at=now
        )
    )


def settle_lead(session: Session, actor: Actor, lead_id: int) -> None:
    """When a lead's last task ends: closed if any task was closed (the loop is closed, the caller
    gets the result), back to the queue as confirmed if every task was cancelled."""
    from zhifa.dispatch import hotline

    lead = get_lead_for_update(session, lead_id)
    if lead.status != "dispatched":
        return
    states = list(session.scalars(select(Task.state).where(Task.lead_id == lead_id)))
    if not states or any(s not in transitions.FINAL_TASK_STATES for s in states):
        return
    if "closed" in states:
        lead_transition(session, actor, lead, "closed", "close", "all tasks finished")
        hotline.reply_when_closed(session, actor, lead)
    else:
        lead_transition(session, actor, lead, "confirmed", "reopen", "all tasks cancelled")


def assign_officers(session: Session, actor: Actor, task_id: int, codes: list[str]) -> Task:
    """The unit leader names the officers. Each must belong to the task's unit (or a unit below
    it) and hold an enforcement certificate valid today (行政处罚法 第四十二条 — 具有行政执法资格;
    第五十五条 — officers show it when investigating or inspecting); an enforcement task needs at
    least two (第四十二条: 执法人员不得少于两人)."""
    task = get_task_for_update(session, task_id)
    if not _leads_unit(session, actor, task.unit_code):
        raise Forbidden(f"only the leader of {task.unit_code} assigns its officers", "只有单位负责人可以指派队员")
    if task.state not in ("dispatched", "accepted", "returned"):
        raise Conflict(
            f"task {task.id} is {task.state}: officers are assigned before the task is under way",
            "指令已在办理中，不能再更换队员",
        )
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        raise InvalidField("officers", "name at least one officer", "请至少指派一名队员")
    if task.kind == "enforcement" and len(wanted) < 2:
        raise InvalidField(
            "officers",
            "an enforcement task needs at least two officers (行政处罚法 第四十二条)",
            "执法查处指令须指派不少于两名执法人员（行政处罚法第四十二条）",
        )
    scope = org_service.descendants(session, task.unit_code)
    today = today_shanghai()
    officers = {o.code: o for o in session.scalars(select(Officer).where(Officer.code.in_(wanted)))}
    problems = []
    for code in wanted:
        o = officers.get(code)
        if o is None:
            problems.append(f"{code}: no such officer")
        elif o.unit_code not in scope:
            problems.append(f"{code}: belongs to {o.unit_code}, not to {task.unit_code}")
        elif not o.cert_no or o.cert_expiry is None:
            problems.append(f"{code}: holds no enforcement certificate")
        elif o.cert_expiry < today:
            problems.append(f"{code}: enforcement certificate {o.cert_no} expired on {o.cert_expiry.isoformat()}")
    if problems:
        raise InvalidField("officers", "; ".join(problems), "；".join(problems))
    before = assigned_codes(session, task.id)
    for row in list(session.scalars(select(TaskOfficer).where(TaskOfficer.task_id == task.id))):
        session.delete(row)
    session.flush()
    now = utcnow()
    for code in wanted:
        o = officers[code]
        assert o.cert_no is not None and o.cert_expiry is not None
        session.add(
            TaskOfficer(
                task_id=task.id,
                officer_code=code,
                cert_no=o.cert_no,
                cert_expiry=o.cert_expiry,
                assigned_by=actor.username,
                assigned_at=now,
            )
        )
    session.flush()
    audit.record(session, actor, "assign", "task", task.id, {"officers": before}, {"officers": sorted(wanted)})
    return task


def submit_feedback(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    outcome: str,
    notes: str,
    photos: list[str] | None = None,
    videos: list[str] | None = None,
    case_ref: str | None = None,
    referred_to: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> TaskFeedback:
    """The result of an on-scene task; moves it to ``handled``. Photos and body-camera videos are
    named by their SHA-256 in the evidence store (POST /api/v1/evidence first) and linked to the task."""
    task = get_task_for_update(session, task_id)
    t = transitions.check(task.state, "handled")
    authorise(session, actor, task, t.by)
    if outcome not in OUTCOMES:
        raise InvalidField("outcome", f"one of {', '.join(OUTCOMES)}", "处置结果不正确")
    notes = (notes or "").strip()
    if not notes:
        raise InvalidField("notes", "describe what was found and done", "请填写处置情况")
    case_ref = (case_ref or "").strip() or None
    referred_to = (referred_to or "").strip() or None
    if outcome == "case_opened" and not case_ref:
        raise InvalidField("case_ref", "the case opened (number) is required for outcome case_opened", "请填写立案编号")
    if outcome == "referred" and not referred_to:
        raise InvalidField("referred_to", "to whom the matter was referred is required", "请填写移送单位")
    files = [(h.strip().lower(), "photo") for h in photos or []] + [(h.strip().lower(), "video") for h in videos or []]
    if outcome in OUTCOMES_NEEDING_EVIDENCE and not files:
        raise InvalidField(
            "photos",
            f"outcome {outcome} needs at least one photo or body-camera video (行政处罚法 第四十七条: 全过程记录)",
            "确认违法或立案须附现场照片或执法记录仪视频",
        )
    stored = {e.sha256: e for e in session.scalars(select(Evidence).where(Evidence.sha256.in_([h for h, _ in files])))}
    for digest, kind in files:
        e = stored.get(digest)
        field = "photos" if kind == "photo" else "videos"
        if e is None:
            raise InvalidField(
                field,
                f"no evidence {digest} in the store: upload it first (POST /api/v1/evidence)",
                "证据文件不存在，请先上传",
            )
        expected = "image/" if kind == "photo" else "video/"
        if not e.content_type.startswith(expected):
            raise InvalidField(field, f"{digest} is {e.content_type}, not a {kind}", f"文件类型不符：{e.content_type}")
    _check_position(lon, lat)
    now = utcnow()
    fb = TaskFeedback(
        task_id=task.id,
        round=task.sla_round,
        outcome=outcome,
        notes=notes,
        case_ref=case_ref,
        referred_to=referred_to,
        submitted_by=actor.username,
        submitted_at=now,
        lon=lon,
        lat=lat,
    )
    session.add(fb)
    session.flush()
    linked = set(session.scalars(select(TaskEvidence.sha256).where(TaskEvidence.task_id == task.id)))
    for digest, kind in dict.fromkeys(files):
        if digest in linked:
            continue
        linked.add(digest)
        session.add(
            TaskEvidence(
                task_id=task.id,
                sha256=digest,
                kind=kind,
                feedback_id=fb.id,
                case_ref=case_ref,
                added_by=actor.username,
                added_at=now,
            )
        )
    audit.record(
        session,
        actor,
        "feedback",
        "task",
        task.id,
        None,
        {
            "outcome": outcome,
            "round": fb.round,
            "case_ref": case_ref,
            "referred_to": referred_to,
            "photos": [h for h, k in files if k == "photo"],
            "videos": [h for h, k in files if k == "video"],
        },
        note=notes,
    )
    transition_task(session, actor, task.id, "handled", f"feedback: {outcome}", lon, lat, via="feedback")
    return fb


# --------------------------------------------------------------------------- reading


def field_only(actor: Actor) -> bool:
    """A field officer (no supervising role) sees only the tasks he is assigned to."""
    return not actor.has(*SUPERVISING_ROLES)


def scoped(session: Session, actor: Actor, q: Any) -> Any:
    if field_only(actor):
        mine = select(TaskOfficer.task_id).where(TaskOfficer.officer_code == actor.username)
        return q.where(Task.id.in_(mine))
    scope = org_service.visible_units(session, actor)
    if scope is not None:
        q = q.where(Task.unit_code.in_(sorted(scope)))
    return q


def overdue_stages(task: Task, now: datetime) -> list[str]:
    dues = {"accept": task.accept_due, "arrive": task.arrive_due, "feedback": task.feedback_due}
    return [s for s in sla.STAGES if s in sla.pending_stages(task.state) and dues[s] < now]


def overdue_filter(now: datetime) -> Any:
    def pending(stage: str) -> list[str]:
        return [s for s in transitions.TASK_STATES if stage in sla.pending_stages(s)]

    return or_(
        and_(Task.state.in_(pending("accept")), Task.accept_due < now),
        and_(Task.state.in_(pending("arrive")), Task.arrive_due < now),
        and_(Task.state.in_(pending("feedback")), Task.feedback_due < now),
    )


def task_dict(task: Task, now: datetime, unit_names: dict[str, str] | None = None) -> dict[str, Any]:
    def iso(v: datetime | None) -> str | None:
        return v.isoformat() if v else None

    return {
        "id": task.id,
        "lead": task.lead_id,
        "kind": task.kind,
        "kind_zh": sla.TASK_KIND_ZH.get(task.kind, task.kind),
        "priority": task.priority,
        "state": task.state,
        "state_zh": transitions.TASK_STATE_ZH[task.state],
        "allowed": transitions.allowed_from(task.state),
        "unit": task.unit_code,
        "unit_name": (unit_names or {}).get(task.unit_code),
        "routed_unit": task.routed_unit_code,
        "routing_reason": task.routing_reason,
        "override_reason": task.override_reason,
        "plan": task.plan_id,
        "title": task.title,
        "instructions": task.instructions,
        "lon": task.lon,
        "lat": task.lat,
        "dispatched_at": iso(task.dispatched_at),
        "accepted_at": iso(task.accepted_at),
        "arrived_at": iso(task.arrived_at),
        "handled_at": iso(task.handled_at),
        "closed_at": iso(task.closed_at),
        "accept_due": iso(task.accept_due),
        "arrive_due": iso(task.arrive_due),
        "feedback_due": iso(task.feedback_due),
        "on_time": {
            "accept": task.accepted_on_time,
            "arrive": task.arrived_on_time,
            "feedback": task.feedback_on_time,
        },
        "overdue": overdue_stages(task, now),
        "round": task.sla_round,
        "returned_count": task.returned_count,
        "next_reminder_at": iso(task.next_reminder_at),
        "sla": task.sla,
    }


def _unit_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Unit.code, Unit.name)).all()}


def list_tasks(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    unit: str | None = None,
    lead: int | None = None,
    overdue: bool | None = None,
    page: int = 1,
    per_page: int = 100,
) -> dict[str, Any]:
    now = utcnow()
    q = scoped(session, actor, select(Task))
    if state:
        if state not in transitions.TASK_STATES:
            raise BadRequest(f"unknown state {state!r}", "未知的指令状态")
        q = q.where(Task.state == state)
    if unit:
        q = q.where(Task.unit_code.in_(sorted(org_service.descendants(session, unit))))
    if lead is not None:
        q = q.where(Task.lead_id == lead)
    if overdue is not None:
        cond = overdue_filter(now)
        q = q.where(cond if overdue else ~cond)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    names = _unit_names(session)
    rows = session.scalars(q.order_by(Task.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return {"total": total, "page": page, "per_page": per_page, "items": [task_dict(t, now, names) for t in rows]}


def get_task(session: Session, actor: Actor, task_id: int) -> dict[str, Any]:
    task = session.scalar(scoped(session, actor, select(Task).where(Task.id == task_id)))
    if task is None:
        raise NotFound(f"no task {task_id} (or not yours to see)", f"指令 {task_id} 不存在")
    out = task_dict(task, utcnow(), _unit_names(session))
    out["transitions"] = [
        {
            "seq": r.seq,
            "from": r.from_state,
            "to": r.to_state,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "reason": r.reason,
            "lon": r.lon,
            "lat": r.lat,
        }
        for r in session.scalars(
            select(TaskTransition).where(TaskTransition.task_id == task.id).order_by(TaskTransition.seq)
        )
    ]
    officers = session.execute(
        select(TaskOfficer, Officer.name)
        .join(Officer, Officer.code == TaskOfficer.officer_code)
        .where(TaskOfficer.task_id == task.id)
        .order_by(TaskOfficer.officer_code)
    ).all()
    out["officers"] = [
        {
            "code": a.officer_code,
            "name": name,
            "cert_no": a.cert_no,
            "cert_expiry": a.cert_expiry.isoformat(),
            "assigned_by": a.assigned_by,
            "assigned_at": a.assigned_at.isoformat(),
        }
        for a, name in officers
    ]
    evidence = list(session.scalars(select(TaskEvidence).where(TaskEvidence.task_id == task.id)))
    out["feedback"] = [
        {
            "id": f.id,
            "round": f.round,
            "outcome": f.outcome,
            "outcome_zh": OUTCOME_ZH[f.outcome],
            "notes": f.notes,
            "case_ref": f.case_ref,
            "referred_to": f.referred_to,
            "submitted_by": f.submitted_by,
            "submitted_at": f.submitted_at.isoformat(),
            "photos": [e.sha256 for e in evidence if e.feedback_id == f.id and e.kind == "photo"],
            "videos": [e.sha256 for e in evidence if e.feedback_id == f.id and e.kind == "video"],
        }
        for f in session.scalars(select(TaskFeedback).where(TaskFeedback.task_id == task.id).order_by(TaskFeedback.id))
    ]
    out["evidence"] = [{"sha256": e.sha256, "kind": e.kind, "case_ref": e.case_ref} for e in evidence]
    return out


def queue(session: Session, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """The duty desk's queue: new and confirmed leads, most severe first, oldest first within."""
    from zhifa.dispatch.models import HotlineReport
    from zhifa.monitoring.service import lead_dict

    require(actor, *TRIAGE_ROLES, "leader", "analyst")
    rank = case({"high": 0, "low": 2}, value=Lead.severity, else_=1)
    q = select(Lead).where(Lead.status.in_(("new", "confirmed")))
    scope = org_service.visible_units(session, actor)
    if scope is not None:
        q = q.where(Lead.unit_code.in_(sorted(scope)))
    leads = list(session.scalars(q.order_by(rank, Lead.created_at, Lead.id).limit(limit)))
    hotline = {
        r.lead_id: r.source
        for r in session.scalars(select(HotlineReport).where(HotlineReport.lead_id.in_([x.id for x in leads])))
    }
    names = _unit_names(session)
    return [lead_dict(x, names) | {"hotline": hotline.get(x.id)} for x in leads]
