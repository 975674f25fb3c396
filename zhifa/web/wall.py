"""The command-center wall's data (指挥调度 大屏): one compact snapshot for the first render, the KPI
tiles, and the compact lead and task rows the live stream (``zhifa.web.dispatch_live``) sends
afterwards. Read only: every change goes through the dispatch API.

The snapshot is built for 10,000+ open leads and tasks: it reads plain columns (no ORM objects)
and sends each list as ``{"columns": [...], "rows": [[...], ...]}`` with times as epoch
milliseconds (UTC), so that the answer stays small and the browser parses it quickly.

Scope: the user's units (``org.service.visible_units``) as everywhere else: a brigade leader
sees the leads and tasks of his unit and the units below it, the command center everything.
Officers' positions are 行踪轨迹, sensitive personal information (个人信息保护法 第二十八条): they
are shown to the roles that dispatch (duty officers, and leaders for their units), and every
read is audited, as ``dispatch.planning.suggest`` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import BigInteger, and_, case, cast, extract, func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import to_shanghai, utcnow
from zhifa.dispatch import admin, notify, sla, transitions
from zhifa.dispatch.models import HotlineReport, OfficerPosition, Task, TaskOfficer
from zhifa.dispatch.planning import BUSY_STATES
from zhifa.dispatch.service import overdue_filter
from zhifa.monitoring.models import Lead
from zhifa.org.models import Officer, Unit
from zhifa.org.service import visible_units
from zhifa.sensing.models import Device

#: Who may open the wall: the command center and the brigade leaders (administrators have all roles).
WALL_ROLES = ("duty_officer", "leader")
#: Lead statuses waiting at the duty desk (the dispatch queue's).
QUEUE_STATUSES = ("new", "confirmed")
#: Task states shown on the wall: still the unit's work, or handled and waiting for the review.
WALL_TASK_STATES = (*transitions.OPEN_TASK_STATES, "handled")
#: At most this many rows per list in a snapshot (the answer says when it was cut).
SNAPSHOT_MAX = 50_000
T = TypeVar("T")

LEAD_COLUMNS = (
    "id",
    "kind",
    "subject",
    "unit",
    "severity",
    "status",
    "lon",
    "lat",
    "created_ms",
    "count",
    "hotline",
    "reply_due_ms",
)
TASK_COLUMNS = (
    "id",
    "lead",
    "kind",
    "priority",
    "state",
    "unit",
    "title",
    "lon",
    "lat",
    "dispatched_ms",
    "next_stage",
    "next_due_ms",
    "returned",
    "override",
)
DEVICE_COLUMNS = ("code", "name", "kind", "status", "lon", "lat")
OFFICER_COLUMNS = ("code", "name", "unit", "lon", "lat", "at_ms", "busy")


def ms(value: datetime | None) -> int | None:
    """A timestamp as epoch milliseconds (what the browser's ``Date`` takes)."""
    return round(value.timestamp() * 1000) if value is not None else None


def next_due(state: str, accept: T, arrive: T, feedback: T) -> tuple[str | None, T | None]:
    """The first stage still to be met and its due time. Due times rise along the stages
    (``sla.Ladder`` enforces accept ≤ arrive ≤ feedback), so the task is overdue exactly when
    this one has passed. A handled task waits for the center's review (no due time)."""
    pending = sla.pending_stages(state)
    for stage, due in (("accept", accept), ("arrive", arrive), ("feedback", feedback)):
        if stage in pending:
            return stage, due
    return ("review" if state == "handled" else None), None


# --------------------------------------------------------------------------- rows


def epoch_ms(column: Any) -> Any:
    """A timestamp column as epoch milliseconds, computed by the database: tens of thousands of
    rows need no datetime objects. (SQLite gives whole seconds, PostgreSQL milliseconds.)"""
    return cast(extract("epoch", column) * 1000, BigInteger)


def _lead_query() -> Any:
    return select(
        Lead.id,
        Lead.kind,
        Lead.subject,
        Lead.unit_code,
        Lead.severity,
        Lead.status,
        Lead.lon,
        Lead.lat,
        epoch_ms(Lead.created_at),
        Lead.count,
        HotlineReport.source,
        # A hotline reply deadline counts down only until the caller is answered.
        case((HotlineReport.replied_at.is_(None), epoch_ms(HotlineReport.reply_due)), else_=None),
    ).outerjoin(HotlineReport, HotlineReport.lead_id == Lead.id)


def _task_query() -> Any:
    return select(
        Task.id,
        Task.lead_id,
        Task.kind,
        Task.priority,
        Task.state,
        Task.unit_code,
        Task.title,
        Task.lon,
        Task.lat,
        epoch_ms(Task.dispatched_at),
        epoch_ms(Task.accept_due),
        epoch_ms(Task.arrive_due),
        epoch_ms(Task.feedback_due),
        Task.returned_count,
        Task.override_reason.is_not(None),
    )


def _task_row(r: Any) -> list[Any]:
    tid, lead, kind, priority, state, unit, title, lon, lat, dispatched, accept, arrive, feedback, returned, over = r
    stage, due = next_due(state, accept, arrive, feedback)
    return [tid, lead, kind, priority, state, unit, title, lon, lat, dispatched, stage, due, returned, bool(over)]


def _rows(session: Session, q: Any) -> Any:
    # Core rows (plain tuples), not the ORM's result machinery: the snapshot reads tens of thousands.
    return session.connection().execute(q)


def as_dicts(columns: tuple[str, ...], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def lead_rows(session: Session, ids: list[int], scope: set[str] | None) -> list[dict[str, Any]]:
    """Compact rows of these leads, those in scope only (for the live stream)."""
    if not ids:
        return []
    q = _lead_query().where(Lead.id.in_(ids))
    if scope is not None:
        q = q.where(Lead.unit_code.in_(sorted(scope)))
    return as_dicts(LEAD_COLUMNS, [list(r) for r in _rows(session, q.order_by(Lead.id))])


def task_rows(session: Session, q: Any) -> list[dict[str, Any]]:
    """Compact rows of the tasks a ``select(Task.id)``-shaped filter query names (already scoped)."""
    rows = _rows(session, _task_query().where(Task.id.in_(q)).order_by(Task.id))
    return as_dicts(TASK_COLUMNS, [_task_row(r) for r in rows])


# --------------------------------------------------------------------------- KPIs


def day_start(now: datetime) -> datetime:
    """Midnight in Asia/Shanghai of ``now``'s day (the wall counts "today" as the city does)."""
    local = to_shanghai(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def kpis(session: Session, scope: set[str] | None, now: datetime) -> dict[str, Any]:
    """The KPI tiles, for the units in scope:

    * ``leads_today`` — leads raised since midnight (Beijing time);
    * ``queue`` — leads waiting at the duty desk (new or confirmed);
    * ``dispatched_today`` — tasks dispatched since midnight;
    * ``overdue`` — open tasks past the due time of a stage still to be met (now);
    * ``closed_today`` — tasks closed (review accepted) since midnight;
    * ``within_sla`` / ``within_sla_share`` — of those, the ones accepted, on scene and handled each
      by its due time (first round, as the figures count); the share is null when none closed.
    """
    start = day_start(now)
    lead_scope = Lead.unit_code.in_(sorted(scope)) if scope is not None else None
    task_scope = Task.unit_code.in_(sorted(scope)) if scope is not None else None

    def count(model: Any, *conds: Any) -> int:
        q = select(func.count()).select_from(model)
        for c in conds:
            if c is not None:
                q = q.where(c)
        return int(session.scalar(q) or 0)

    on_time = and_(Task.accepted_on_time.is_(True), Task.arrived_on_time.is_(True), Task.feedback_on_time.is_(True))
    closed_row = session.execute(
        select(func.count(), func.coalesce(func.sum(case((on_time, 1), else_=0)), 0))
        .select_from(Task)
        .where(Task.closed_at >= start, *([task_scope] if task_scope is not None else []))
    ).one()
    closed, within = int(closed_row[0]), int(closed_row[1])
    return {
        "day": start.date().isoformat(),
        "leads_today": count(Lead, Lead.created_at >= start, lead_scope),
        "queue": count(Lead, Lead.status.in_(QUEUE_STATUSES), lead_scope),
        "dispatched_today": count(Task, Task.dispatched_at >= start, task_scope),
        "overdue": count(Task, overdue_filter(now), task_scope),
        "closed_today": closed,
        "within_sla": within,
        "within_sla_share": round(within / closed, 4) if closed else None,
    }


# --------------------------------------------------------------------------- the snapshot


def can_see_positions(actor: Actor) -> bool:
    """Officers' positions go to the roles that dispatch (as ``planning.suggest``)."""
    return actor.has("duty_officer", "leader")


def officer_positions(session: Session, actor: Actor, scope: set[str] | None, now: datetime) -> list[list[Any]]:
    """The latest position of each officer in scope, no older than the suggestions use
    (``position_max_age_min``), with whether the officer is busy on a task. Audited."""
    cfg = admin.current_config(session)
    since = now - timedelta(minutes=cfg.position_max_age_min)
    latest = select(OfficerPosition.officer_code, func.max(OfficerPosition.at).label("at")).where(
        OfficerPosition.at >= since, OfficerPosition.at <= now
    )
    if scope is not None:
        latest = latest.where(
            OfficerPosition.officer_code.in_(select(Officer.code).where(Officer.unit_code.in_(sorted(scope))))
        )
    sub = latest.group_by(OfficerPosition.officer_code).subquery()
    rows = session.execute(
        select(Officer.code, Officer.name, Officer.unit_code, OfficerPosition.lon, OfficerPosition.lat, sub.c.at)
        .join(sub, sub.c.officer_code == Officer.code)
        .join(
            OfficerPosition,
            (OfficerPosition.officer_code == sub.c.officer_code) & (OfficerPosition.at == sub.c.at),
        )
        .order_by(Officer.code)
    ).all()
    busy = set(
        session.scalars(
            select(TaskOfficer.officer_code)
            .join(Task, Task.id == TaskOfficer.task_id)
            .where(Task.state.in_(BUSY_STATES))
        )
    )
    out, seen = [], set()
    for code, name, unit, lon, lat, at in rows:
        if code in seen:  # two reports at the same instant: one marker
            continue
        seen.add(code)
        out.append([code, name, unit, lon, lat, ms(at), code in busy])
    audit.record(
        session, actor, "read", "officer_position", "wall", None, {"officers": [r[0] for r in out], "scope": "wall"}
    )
    return out


def snapshot(session: Session, actor: Actor, cursor: str) -> dict[str, Any]:
    """Everything the wall draws first. ``cursor`` is the live stream's position taken before
    these reads (``dispatch_live.cursor_token``): the page opens the stream there, so nothing that
    happens after the snapshot is missed (what happens during it may come twice; the page keys
    rows by id)."""
    require(actor, *WALL_ROLES)
    now = utcnow()
    scope = visible_units(session, actor)

    rank = case({"high": 0, "low": 2}, value=Lead.severity, else_=1)
    lq = _lead_query().where(Lead.status.in_(QUEUE_STATUSES))
    tq = _task_query().where(Task.state.in_(WALL_TASK_STATES))
    if scope is not None:
        lq = lq.where(Lead.unit_code.in_(sorted(scope)))
        tq = tq.where(Task.unit_code.in_(sorted(scope)))
    leads = [list(r) for r in _rows(session, lq.order_by(rank, Lead.created_at, Lead.id).limit(SNAPSHOT_MAX + 1))]
    tasks = [_task_row(r) for r in _rows(session, tq.order_by(Task.id).limit(SNAPSHOT_MAX + 1))]
    devices = [
        list(r)
        for r in session.execute(
            select(Device.code, Device.name, Device.kind, Device.status, Device.lon, Device.lat).order_by(Device.code)
        )
    ]
    units = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    officers = officer_positions(session, actor, scope, now) if can_see_positions(actor) else None
    return {
        "now": now.isoformat(),
        "now_ms": ms(now),
        "cursor": cursor,
        "scope": sorted(scope) if scope is not None else None,
        "can_dispatch": actor.has("duty_officer"),
        "triage_target_min": admin.current_config(session).triage_target_min,
        "units": units,
        "leads": {"columns": LEAD_COLUMNS, "rows": leads[:SNAPSHOT_MAX], "truncated": len(leads) > SNAPSHOT_MAX},
        "tasks": {"columns": TASK_COLUMNS, "rows": tasks[:SNAPSHOT_MAX], "truncated": len(tasks) > SNAPSHOT_MAX},
        "devices": {"columns": DEVICE_COLUMNS, "rows": devices},
        "officers": {"columns": OFFICER_COLUMNS, "rows": officers} if officers is not None else None,
        "notifications": notify.list_for(session, actor, limit=30),
        "kpis": kpis(session, scope, now),
    }
