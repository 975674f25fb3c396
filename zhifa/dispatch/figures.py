"""Closed-loop figures (结果问效) per unit and period, and false positives per rule.

Definitions (docs/dispatch.md, "Figures"), for tasks dispatched in ``[since, until)``:

* ``leads``: leads routed to the unit, raised in the period;
* ``dispatched``: tasks dispatched to the unit;
* ``accept_on_time_rate``: tasks accepted by their accept due time, over tasks whose acceptance is
  decided — accepted, or not accepted and past the due time (a task cancelled before it was
  accepted is not counted); the same for ``arrive_on_time_rate`` (on scene) and
  ``feedback_on_time_rate`` (handled with feedback). First round only: a returned task's rework is
  counted in ``returned_rate``, not again here;
* ``returned_rate``: tasks returned at least once, over tasks handled;
* ``mean_handling_min``: mean minutes from dispatch to the first feedback, over tasks handled.

Rates are ``None`` when nothing is decided yet (never 0 % or 100 % by default).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import utcnow
from zhifa.core.errors import BadRequest
from zhifa.dispatch.models import LeadTriage, OffsiteCase, Task, TaskFeedback
from zhifa.monitoring.models import Lead
from zhifa.org import service as org_service
from zhifa.org.models import Unit

READ_ROLES = ("analyst", "duty_officer", "leader")


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _stage(rows: list[Any], done: str, due: str, flag: str, now: datetime) -> tuple[int, int]:
    decided = on_time = 0
    for t in rows:
        if getattr(t, done) is not None:
            decided += 1
            on_time += bool(getattr(t, flag))
        elif t.state != "cancelled" and getattr(t, due) < now:
            decided += 1
    return on_time, decided


def _unit_figures(rows: list[Any], leads: int, now: datetime) -> dict[str, Any]:
    acc = _stage(rows, "accepted_at", "accept_due", "accepted_on_time", now)
    arr = _stage(rows, "arrived_at", "arrive_due", "arrived_on_time", now)
    fb = _stage(rows, "handled_at", "feedback_due", "feedback_on_time", now)
    handled = [t for t in rows if t.handled_at is not None]
    minutes = [(t.handled_at - t.dispatched_at).total_seconds() / 60 for t in handled]
    return {
        "leads": leads,
        "dispatched": len(rows),
        "closed": sum(t.state == "closed" for t in rows),
        "cancelled": sum(t.state == "cancelled" for t in rows),
        "accept_on_time": acc[0],
        "accept_decided": acc[1],
        "accept_on_time_rate": _rate(*acc),
        "arrive_on_time": arr[0],
        "arrive_decided": arr[1],
        "arrive_on_time_rate": _rate(*arr),
        "feedback_on_time": fb[0],
        "feedback_decided": fb[1],
        "feedback_on_time_rate": _rate(*fb),
        "handled": len(handled),
        "returned": sum(t.returned_count > 0 for t in handled),
        "returned_rate": _rate(sum(t.returned_count > 0 for t in handled), len(handled)),
        "mean_handling_min": round(sum(minutes) / len(minutes), 1) if minutes else None,
    }


def figures(
    session: Session,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
    unit: str | None = None,
) -> dict[str, Any]:
    require(actor, *READ_ROLES)
    now = utcnow()
    until = until or now
    since = since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise BadRequest("since/until need a timezone offset", "时间须带时区")
    if since >= until:
        raise BadRequest("since must be before until", "起始时间须早于截止时间")
    scope = org_service.visible_units(session, actor)
    if unit:
        wanted = org_service.descendants(session, unit)
        scope = wanted if scope is None else scope & wanted
    tq = select(Task).where(Task.dispatched_at >= since, Task.dispatched_at < until)
    lq = select(Lead.unit_code, func.count()).where(Lead.created_at >= since, Lead.created_at < until)
    if scope is not None:
        tq = tq.where(Task.unit_code.in_(sorted(scope)))
        lq = lq.where(Lead.unit_code.in_(sorted(scope)))
    by_unit: dict[str, list[Any]] = defaultdict(list)
    tasks = list(session.scalars(tq))
    for t in tasks:
        by_unit[t.unit_code].append(t)
    leads = {code: n for code, n in session.execute(lq.group_by(Lead.unit_code)) if code is not None}
    names = {c: n for c, n in session.execute(select(Unit.code, Unit.name))}
    units = sorted(set(by_unit) | set(leads))
    rows = [{"unit": u, "unit_name": names.get(u)} | _unit_figures(by_unit[u], leads.get(u, 0), now) for u in units]
    total = _unit_figures(tasks, sum(leads.values()), now)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "units": rows,
        "total": total,
        "offsite": offsite_figures(session, since, until, scope),
    }


def offsite_figures(session: Session, since: datetime, until: datetime, scope: set[str] | None) -> dict[str, Any]:
    """Off-site cases opened in the period by state, and the share of hand-overs to the case
    procedure whose evidence came off-site: parties who came in on an off-site notice, over those
    plus tasks whose feedback opened a case."""
    q = select(OffsiteCase.state, func.count()).where(OffsiteCase.created_at >= since, OffsiteCase.created_at < until)
    if scope is not None:
        q = q.where(OffsiteCase.unit_code.in_(sorted(scope)))
    states = dict(session.execute(q.group_by(OffsiteCase.state)).all())
    appeared_q = select(func.count()).where(
        OffsiteCase.appeared_at >= since, OffsiteCase.appeared_at < until, OffsiteCase.state == "appeared"
    )
    opened_q = (
        select(func.count(func.distinct(TaskFeedback.task_id)))
        .join(Task, Task.id == TaskFeedback.task_id)
        .where(
            TaskFeedback.outcome == "case_opened", TaskFeedback.submitted_at >= since, TaskFeedback.submitted_at < until
        )
    )
    if scope is not None:
        appeared_q = appeared_q.where(OffsiteCase.unit_code.in_(sorted(scope)))
        opened_q = opened_q.where(Task.unit_code.in_(sorted(scope)))
    appeared = session.scalar(appeared_q.select_from(OffsiteCase)) or 0
    on_site = session.scalar(opened_q) or 0
    return {
        "cases": sum(states.values()),
        "by_state": states,
        "handed_over_offsite": appeared,
        "handed_over_on_site": on_site,
        "offsite_share": _rate(appeared, appeared + on_site),
    }


def false_positives(
    session: Session, actor: Actor, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """Per rule (lead kind): of the leads raised in the period, how many were dismissed as false
    positives (a rule to tune when the share is high), and by rule version."""
    require(actor, *READ_ROLES)
    until = until or utcnow()
    since = since or until - timedelta(days=30)
    raised = dict(
        session.execute(
            select(Lead.kind, func.count()).where(Lead.created_at >= since, Lead.created_at < until).group_by(Lead.kind)
        ).all()
    )
    dismissed: dict[str, dict[str, int]] = defaultdict(lambda: {"false_positive": 0, "no_action": 0})
    for kind, fp, n in session.execute(
        select(LeadTriage.rule_kind, LeadTriage.false_positive, func.count())
        .join(Lead, Lead.id == LeadTriage.lead_id)
        .where(LeadTriage.action == "dismiss", Lead.created_at >= since, Lead.created_at < until)
        .group_by(LeadTriage.rule_kind, LeadTriage.false_positive)
    ):
        dismissed[kind]["false_positive" if fp else "no_action"] += n
    by_version: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, version, n in session.execute(
        select(LeadTriage.rule_kind, LeadTriage.rule_version, func.count())
        .join(Lead, Lead.id == LeadTriage.lead_id)
        .where(
            LeadTriage.action == "dismiss",
            LeadTriage.false_positive.is_(True),
            Lead.created_at >= since,
            Lead.created_at < until,
        )
        .group_by(LeadTriage.rule_kind, LeadTriage.rule_version)
    ):
        by_version[kind][version] = n
    kinds = sorted(set(raised) | set(dismissed))
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "rules": [
            {
                "kind": k,
                "raised": raised.get(k, 0),
                "dismissed_false_positive": dismissed[k]["false_positive"],
                "dismissed_no_action": dismissed[k]["no_action"],
                "false_positive_rate": _rate(dismissed[k]["false_positive"], raised.get(k, 0)),
                "false_positive_by_version": by_version.get(k, {}),
            }
            for k in kinds
        ],
    }
