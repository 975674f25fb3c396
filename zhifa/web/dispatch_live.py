"""The dispatch live stream (``GET /web/dispatch/stream``, Server-Sent Events): what changes on the
command-center wall, the task page and the officer's phone, without a reload.

Like the monitoring feed (``zhifa.web.live``) it polls the database every ``POLL_S`` seconds, each
poll in a short session of its own, with cursors on ids (never on times: ids are what commits
leave in order, and a missing id is looked for again for ``GAP_WAIT_S`` seconds, since on
PostgreSQL a lower id can commit after a higher one):

* ``leads`` — ``monitoring_lead.id``: a new lead (the wall's queue and map);
* ``triage`` — ``dispatch_lead_triage.id``: a lead confirmed, dismissed, merged, dispatched,
  closed or reopened (it leaves or re-enters the queue);
* ``transitions`` — ``dispatch_task_transition.id``: a task dispatched or moved;
* ``assigns`` — ``audit_log.id``: officers assigned to a task (the assignment writes no row with
  an id of its own; its audit row is written in the same transaction, so it is as reliable);
* ``notes`` — ``dispatch_notification.id``: in-app reminders and escalations addressed to the user.

Messages (JSON ``data``): ``lead`` and ``task`` carry the compact rows of ``zhifa.web.wall``
(``LEAD_COLUMNS`` / ``TASK_COLUMNS`` as keys); ``notification`` the API's notification; ``kpi`` the
KPI tiles when they changed (checked every ``KPI_EVERY_S`` and after every change); ``clock`` the
server's time (``now``, ``now_ms``): the page counts SLA deadlines down against the server's
clock, not the browser's, and the clock message comes again at once when the server's clock
jumps (a test's frozen clock advanced) and otherwise every ``CLOCK_EVERY_S``.

Scope is the API's: leads and the KPIs go to the wall's roles for their units; tasks as
``GET /api/v1/tasks`` shows them (a field officer: the tasks he is assigned to); notifications as
``GET /api/v1/notifications``. The SSE ``id`` of a poll's last message is the cursor as text,
``<leads>-<triage>-<transitions>-<assigns>-<notes>``; a reconnecting browser sends it back
(``Last-Event-ID``) and the stream resumes there. The wall's snapshot carries the same token.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor, AuditLog
from zhifa.core.clock import utcnow
from zhifa.core.db import read_session
from zhifa.dispatch import notify, service
from zhifa.dispatch.models import LeadTriage, Notification, Task, TaskTransition
from zhifa.monitoring.models import Lead
from zhifa.org.service import visible_units
from zhifa.web import wall

POLL_S = 0.5
#: Rows read per cursor and poll; more wait for the next poll.
BATCH = 500
GAP_WAIT_S = 5.0
GAPS_MAX = 1000
KPI_EVERY_S = 3.0
CLOCK_EVERY_S = 15.0
#: A server clock this far from where the last clock message plus the time since would put it
#: has jumped: tell the page at once.
CLOCK_JUMP_S = 1.0

Message = tuple[str, dict[str, Any]]
_TOKEN = re.compile(r"^(\d{1,18})-(\d{1,18})-(\d{1,18})-(\d{1,18})-(\d{1,18})$")
CURSORS = ("leads", "triage", "transitions", "assigns", "notes")


@dataclass
class Ids:
    """An id cursor: the highest id read, and ids below it not seen yet (looked for again until
    their time is up)."""

    top: int = 0
    gaps: dict[int, float] = field(default_factory=dict)

    def where(self, column: Any) -> Any:
        cond = column > self.top
        if self.gaps:
            cond = or_(cond, column.in_(list(self.gaps)))
        return cond

    def saw(self, ids: list[int], now: float) -> None:
        for i in ids:
            self.gaps.pop(i, None)
        fresh = [i for i in ids if i > self.top]
        if not fresh:
            return
        top = max(fresh)
        if top - self.top <= GAPS_MAX:  # a larger jump: rows deleted or another database, nothing to wait for
            seen = set(fresh)
            for i in range(self.top + 1, top):
                if i not in seen and i not in self.gaps:
                    self.gaps[i] = now + GAP_WAIT_S
            while len(self.gaps) > GAPS_MAX:
                self.gaps.pop(next(iter(self.gaps)))
        self.top = top

    def expire(self, now: float) -> None:
        for i in [i for i, until in self.gaps.items() if until <= now]:
            self.gaps.pop(i)


@dataclass
class Viewer:
    """Who the stream is for, and what they may see (re-read at each re-authentication)."""

    actor: Actor
    scope: set[str] | None
    #: The wall's roles: the lead queue and the KPIs.
    wall: bool
    #: A field officer without a supervising role: only the tasks he is assigned to.
    field_only: bool


def viewer_for(session: Session, actor: Actor) -> Viewer:
    return Viewer(
        actor=actor,
        scope=visible_units(session, actor),
        wall=actor.has(*wall.WALL_ROLES),
        field_only=service.field_only(actor),
    )


@dataclass
class Cursor:
    leads: Ids = field(default_factory=Ids)
    triage: Ids = field(default_factory=Ids)
    transitions: Ids = field(default_factory=Ids)
    assigns: Ids = field(default_factory=Ids)
    notes: Ids = field(default_factory=Ids)
    kpi: dict[str, Any] | None = None
    kpi_checked: float = 0.0
    #: The server time last sent, and when (monotonic).
    clock_sent: datetime | None = None
    clock_sent_at: float = 0.0

    def token(self) -> str:
        return "-".join(str(getattr(self, name).top) for name in CURSORS)


def parse_token(value: str | None) -> tuple[int, ...] | None:
    m = _TOKEN.match((value or "").strip())
    return tuple(int(g) for g in m.groups()) if m else None


def _maxima(session: Session) -> tuple[int, ...]:
    return (
        session.scalar(select(func.max(Lead.id))) or 0,
        session.scalar(select(func.max(LeadTriage.id))) or 0,
        session.scalar(select(func.max(TaskTransition.id))) or 0,
        session.scalar(select(func.max(AuditLog.id))) or 0,
        session.scalar(select(func.max(Notification.id))) or 0,
    )


def cursor_token(session: Session) -> str:
    """The stream position now (the wall's snapshot is read after it)."""
    return "-".join(str(v) for v in _maxima(session))


def start(
    session: Session, viewer: Viewer, last_event_id: str | None, now: float | None = None
) -> tuple[Cursor, list[Message]]:
    """The cursor of a new connection: after ``last_event_id`` (a snapshot's cursor or the last
    message's id) when it is valid here, else now. The first messages: the server's clock, and
    the KPIs for the wall."""
    now = time.monotonic() if now is None else now
    top = _maxima(session)
    resume = parse_token(last_event_id)
    if resume is None or any(r > t for r, t in zip(resume, top, strict=True)):
        resume = top  # nothing to resume, or a token from another database: start now
    cursor = Cursor()
    for name, value in zip(CURSORS, resume, strict=True):
        setattr(cursor, name, Ids(top=value))
    out = [_clock(cursor, now)]
    if viewer.wall:
        out += _kpi(session, viewer, cursor, now, force=True)
    return cursor, out


# --------------------------------------------------------------------------- one poll


def _ids(session: Session, ids: Ids, q: Any, column: Any, now: float) -> list[Any]:
    rows = list(session.execute(q.where(ids.where(column)).order_by(column).limit(BATCH)).all())
    ids.saw([r[0] for r in rows], now)
    return rows


def _clock(cursor: Cursor, now: float) -> Message:
    server = utcnow()
    cursor.clock_sent, cursor.clock_sent_at = server, now
    return ("clock", {"now": server.isoformat(), "now_ms": wall.ms(server)})


def _clock_due(cursor: Cursor, now: float) -> bool:
    if cursor.clock_sent is None or now - cursor.clock_sent_at >= CLOCK_EVERY_S:
        return True
    expected = cursor.clock_sent.timestamp() + (now - cursor.clock_sent_at)
    return abs(utcnow().timestamp() - expected) > CLOCK_JUMP_S


def _kpi(session: Session, viewer: Viewer, cursor: Cursor, now: float, force: bool = False) -> list[Message]:
    if not force and now - cursor.kpi_checked < KPI_EVERY_S:
        return []
    cursor.kpi_checked = now
    figures = wall.kpis(session, viewer.scope, utcnow())
    if figures == cursor.kpi:
        return []
    cursor.kpi = figures
    return [("kpi", figures)]


def _visible_tasks(session: Session, viewer: Viewer, task_ids: set[int]) -> Any:
    q = select(Task.id).where(Task.id.in_(sorted(task_ids)))
    if viewer.field_only:
        return service.scoped(session, viewer.actor, q)
    if viewer.scope is not None:
        q = q.where(Task.unit_code.in_(sorted(viewer.scope)))
    return q


def poll(session: Session, viewer: Viewer, cursor: Cursor, now: float | None = None) -> list[Message]:
    """What changed since the cursor (and advance it)."""
    now = time.monotonic() if now is None else now
    for name in CURSORS:
        getattr(cursor, name).expire(now)
    out: list[Message] = []

    if viewer.wall:
        lead_ids = {r[0] for r in _ids(session, cursor.leads, select(Lead.id), Lead.id, now)}
        lead_ids |= {
            r[1] for r in _ids(session, cursor.triage, select(LeadTriage.id, LeadTriage.lead_id), LeadTriage.id, now)
        }
        out += [("lead", row) for row in wall.lead_rows(session, sorted(lead_ids), viewer.scope)]

    task_ids = {
        r[1]
        for r in _ids(
            session, cursor.transitions, select(TaskTransition.id, TaskTransition.task_id), TaskTransition.id, now
        )
    }
    # Every audit row moves the cursor (so that its gaps are real gaps); assignments name a task.
    for _, entity_type, action, entity_id in _ids(
        session,
        cursor.assigns,
        select(AuditLog.id, AuditLog.entity_type, AuditLog.action, AuditLog.entity_id),
        AuditLog.id,
        now,
    ):
        if entity_type == "task" and action == "assign" and entity_id.isdigit():
            task_ids.add(int(entity_id))
    if task_ids:
        out += [("task", row) for row in wall.task_rows(session, _visible_tasks(session, viewer, task_ids))]

    # Who a notification is addressed to is decided in one place, the dispatch notifications.
    q = select(Notification).where(Notification.channel == "inapp")
    audience = notify.audience_filter(session, viewer.actor)
    if audience is not None:
        q = q.where(audience)
    cond = cursor.notes.where(Notification.id)
    # Rows addressed to others also move the cursor: read their ids, send only the user's.
    all_ids = [
        r[0] for r in session.execute(select(Notification.id).where(cond).order_by(Notification.id).limit(BATCH))
    ]
    if all_ids:
        mine = session.scalars(q.where(Notification.id.in_(all_ids)).order_by(Notification.id))
        out += [("notification", notify.notification_dict(n, pii=False)) for n in mine]
    cursor.notes.saw(all_ids, now)

    if viewer.wall:
        out += _kpi(session, viewer, cursor, now, force=bool(out))
    if _clock_due(cursor, now):
        out.append(_clock(cursor, now))
    return out


def start_in(engine: Engine, viewer: Viewer, last_event_id: str | None) -> tuple[Cursor, list[Message]]:
    with read_session(engine) as session:
        return start(session, viewer, last_event_id)


def poll_in(engine: Engine, viewer: Viewer, cursor: Cursor) -> list[Message]:
    """One poll in a short session of its own: no transaction is held between polls."""
    with read_session(engine) as session:
        return poll(session, viewer, cursor)


def viewer_in(engine: Engine, actor: Actor) -> Viewer:
    with read_session(engine) as session:
        return viewer_for(session, actor)
