"""The web UI's live feed: new sensor events, whether they raised a lead once processed, and new
leads, for the event ticker (``GET /web/events/stream``, Server-Sent Events, see ``pages.py``).

The stream polls the database every ``POLL_S`` seconds, each poll in a short session of its own,
so no transaction stays open between polls. What has been sent is a :class:`Cursor`:

* ``event`` / ``lead`` — the highest ``sensing_event`` / ``monitoring_lead`` id sent;
* ``pending`` — events sent while still pending: each poll asks whether they are processed now
  and sends ``processed`` (with the leads they raised or folded into) once they are;
* ``gaps`` — ids below the cursor not seen yet. On PostgreSQL an id is taken at insert but
  becomes visible at commit, so a slower transaction can commit a lower id after a higher one
  was sent; a missing id is looked for again for ``GAP_WAIT_S`` seconds (then given up: ids are
  also skipped by rolled-back inserts).

The SSE ``id`` of the last message of each poll is the cursor as text, ``<event>-<lead>-<lowest
pending>``: the browser sends it back as ``Last-Event-ID`` when it reconnects, and the stream
resumes there (messages of a poll that was cut off are sent again; the page drops duplicates by
event and lead id).

Messages (JSON ``data``):

* ``sensing``: ``{id, device, device_name, device_kind, type, time, plate, plate_color, mmsi,
  status (pending|done|failed), raised_lead (bool, null while pending), leads: [{id, kind}]}``
* ``processed``: ``{id, status, raised_lead, leads}`` for an event sent while pending
* ``lead``: ``{id, kind, subject, unit, unit_name, severity, status, first_event_time,
  last_event_time, count, permitted, usable_as_evidence}`` for a lead created after the cursor
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from zhifa.core.db import read_session
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.monitoring.service import MAX_ATTEMPTS
from zhifa.org.models import Unit
from zhifa.sensing.models import Device, Event

POLL_S = 0.5
#: Events sent on a fresh connection, so that the ticker does not start empty.
BACKLOG = 20
BACKLOG_MAX = 100
#: Rows read per table and poll; more wait for the next poll.
BATCH = 200
#: Events followed until processed; beyond this the oldest are no longer followed.
PENDING_MAX = 500
GAP_WAIT_S = 5.0
GAPS_MAX = 1000

Message = tuple[str, dict[str, Any]]
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})-(\d{1,18})$")


@dataclass
class Cursor:
    event: int = 0
    lead: int = 0
    pending: dict[int, None] = field(default_factory=dict)  # an ordered set
    event_gaps: dict[int, float] = field(default_factory=dict)  # id → give up at (monotonic)
    lead_gaps: dict[int, float] = field(default_factory=dict)

    def token(self) -> str:
        return f"{self.event}-{self.lead}-{min(self.pending) if self.pending else 0}"

    def follow(self, event_id: int) -> None:
        self.pending[event_id] = None
        while len(self.pending) > PENDING_MAX:
            self.pending.pop(next(iter(self.pending)))


def parse_token(value: str | None) -> tuple[int, int, int] | None:
    """``<event>-<lead>-<lowest pending>`` → the three ids; anything else → None (a fresh start)."""
    m = _CURSOR.match((value or "").strip())
    if not m:
        return None
    return int(m[1]), int(m[2]), int(m[3])


# --------------------------------------------------------------------------- messages


def _leads_of(session: Session, event_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    ids = list(event_ids)
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    rows = session.execute(
        select(LeadEvent.event_id, Lead.id, Lead.kind, Lead.unit_code)
        .join(Lead, Lead.id == LeadEvent.lead_id)
        .where(LeadEvent.event_id.in_(ids))
        .order_by(Lead.id)
    )
    for event_id, lead_id, kind, unit in rows:
        # The lead's unit: the feed passes each viewer only the leads they may see.
        out.setdefault(event_id, []).append({"id": lead_id, "kind": kind, "unit": unit})
    return out


def _devices_of(session: Session, events: list[Event]) -> dict[str, Device]:
    codes = {e.device_code for e in events}
    return {d.code: d for d in session.scalars(select(Device).where(Device.code.in_(codes)))}


def _unit(devices: dict[str, Device], ev: Event) -> str | None:
    """The unit owning the event's device: who may see the event (``pages._in_scope``)."""
    device = devices.get(ev.device_code)
    return device.unit_code if device else None


def _state(ev: Event) -> str:
    if ev.status == "done":
        return "done"
    return "failed" if ev.attempts >= MAX_ATTEMPTS else "pending"


def _event_messages(session: Session, cursor: Cursor, events: list[Event]) -> list[Message]:
    if not events:
        return []
    devices = _devices_of(session, events)
    leads = _leads_of(session, [e.id for e in events if e.status == "done"])
    out: list[Message] = []
    for ev in events:
        state = _state(ev)
        device = devices.get(ev.device_code)
        out.append(
            (
                "sensing",
                {
                    "id": ev.id,
                    "device": ev.device_code,
                    "device_name": device.name if device else None,
                    "device_kind": device.kind if device else None,
                    "unit": _unit(devices, ev),
                    "event_id": ev.event_id,
                    "type": ev.type,
                    "time": ev.event_time.isoformat(),
                    "plate": ev.plate,
                    "plate_color": ev.plate_color,
                    "mmsi": ev.mmsi,
                    "status": state,
                    "raised_lead": ev.raised_lead if state == "done" else None,
                    "leads": leads.get(ev.id, []),
                },
            )
        )
        if state == "pending":
            cursor.follow(ev.id)
    return out


def _lead_messages(session: Session, leads: list[Lead]) -> list[Message]:
    if not leads:
        return []
    codes = {x.unit_code for x in leads if x.unit_code}
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes)))}
    return [
        (
            "lead",
            {
                "id": x.id,
                "kind": x.kind,
                "subject": x.subject,
                "unit": x.unit_code,
                "unit_name": names.get(x.unit_code or ""),
                "severity": x.severity,
                "status": x.status,
                "first_event_time": x.first_event_time.isoformat(),
                "last_event_time": x.last_event_time.isoformat(),
                "count": x.count,
                "permitted": x.permitted,
                "usable_as_evidence": x.usable_as_evidence,
            },
        )
        for x in leads
    ]


def _processed_messages(session: Session, cursor: Cursor) -> list[Message]:
    if not cursor.pending:
        return []
    events = list(session.scalars(select(Event).where(Event.id.in_(list(cursor.pending)))))
    settled = [e for e in events if _state(e) != "pending"]
    found = {e.id for e in events}
    for missing in [i for i in cursor.pending if i not in found]:  # deleted: stop following
        cursor.pending.pop(missing)
    if not settled:
        return []
    leads = _leads_of(session, [e.id for e in settled if e.status == "done"])
    devices = _devices_of(session, settled)
    out: list[Message] = []
    for ev in sorted(settled, key=lambda e: e.id):
        cursor.pending.pop(ev.id, None)
        state = _state(ev)
        out.append(
            (
                "processed",
                {
                    "id": ev.id,
                    "unit": _unit(devices, ev),  # the device's, as in its "sensing" message
                    "status": state,
                    "raised_lead": ev.raised_lead if state == "done" else False,
                    "leads": leads.get(ev.id, []),
                },
            )
        )
    return out


def _note_gaps(gaps: dict[int, float], after: int, ids: list[int], now: float) -> None:
    """Ids between ``after`` and the highest id read that were not read: look again later."""
    if not ids:
        return
    top = max(ids)
    if top - after > GAPS_MAX:  # a jump (rows deleted, another database): nothing to wait for
        return
    seen = set(ids)
    for i in range(after + 1, top):
        if i not in seen and i not in gaps:
            gaps[i] = now + GAP_WAIT_S
            if len(gaps) > GAPS_MAX:
                gaps.pop(next(iter(gaps)))


def _expire(gaps: dict[int, float], now: float) -> None:
    for i in [i for i, until in gaps.items() if until <= now]:
        gaps.pop(i)


# --------------------------------------------------------------------------- start and poll


def start(
    session: Session, last_event_id: str | None, backlog: int = BACKLOG, units: set[str] | None = None
) -> tuple[Cursor, list[Message]]:
    """The cursor of a new connection and what to send first. With a valid ``Last-Event-ID`` the
    stream resumes after it (and reports events that were processed meanwhile); without one it
    starts now, with the last ``backlog`` events — of the devices owned by ``units`` when given
    (the viewer's scope: the stream would drop the others, and the ticker start empty)."""
    max_event = session.scalar(select(func.max(Event.id))) or 0
    max_lead = session.scalar(select(func.max(Lead.id))) or 0
    resume = parse_token(last_event_id)
    if resume is not None and resume[0] <= max_event and resume[1] <= max_lead:
        event, lead, lowest = resume
        cursor = Cursor(event=event, lead=lead)
        if lowest:
            # Events that were pending when the connection dropped: processed since, or still to follow.
            for ev in session.scalars(
                select(Event).where(Event.id >= lowest, Event.id <= event).order_by(Event.id).limit(PENDING_MAX)
            ):
                if _state(ev) == "pending":
                    cursor.follow(ev.id)
                else:
                    cursor.pending[ev.id] = None  # reported below, then dropped
        return cursor, _processed_messages(session, cursor)
    # A fresh start (or a cursor from another database: it is ahead of what exists).
    cursor = Cursor(event=max_event, lead=max_lead)
    n = max(0, min(backlog, BACKLOG_MAX))
    query = select(Event).order_by(Event.id.desc()).limit(n)
    if units is not None:
        query = query.where(Event.device_code.in_(select(Device.code).where(Device.unit_code.in_(sorted(units)))))
    recent = list(session.scalars(query)) if n else []
    return cursor, _event_messages(session, cursor, sorted(recent, key=lambda e: e.id))


def poll(session: Session, cursor: Cursor, now: float | None = None) -> list[Message]:
    """What happened since the cursor (and advance it)."""
    now = time.monotonic() if now is None else now
    _expire(cursor.event_gaps, now)
    _expire(cursor.lead_gaps, now)

    cond = Event.id > cursor.event
    if cursor.event_gaps:
        cond = or_(cond, Event.id.in_(list(cursor.event_gaps)))
    events = list(session.scalars(select(Event).where(cond).order_by(Event.id).limit(BATCH)))
    fresh = [e.id for e in events if e.id > cursor.event]
    for e in events:
        cursor.event_gaps.pop(e.id, None)
    _note_gaps(cursor.event_gaps, cursor.event, fresh, now)
    if fresh:
        cursor.event = max(fresh)
    out = _event_messages(session, cursor, events)

    lcond = Lead.id > cursor.lead
    if cursor.lead_gaps:
        lcond = or_(lcond, Lead.id.in_(list(cursor.lead_gaps)))
    leads = list(session.scalars(select(Lead).where(lcond).order_by(Lead.id).limit(BATCH)))
    lfresh = [x.id for x in leads if x.id > cursor.lead]
    for x in leads:
        cursor.lead_gaps.pop(x.id, None)
    _note_gaps(cursor.lead_gaps, cursor.lead, lfresh, now)
    if lfresh:
        cursor.lead = max(lfresh)
    out += _lead_messages(session, leads)

    out += _processed_messages(session, cursor)
    return out


def start_in(engine: Engine, last_event_id: str | None, backlog: int) -> tuple[Cursor, list[Message]]:
    with read_session(engine) as session:
        return start(session, last_event_id, backlog)


def poll_in(engine: Engine, cursor: Cursor) -> list[Message]:
    """One poll in a short session of its own: no transaction is held between polls."""
    with read_session(engine) as session:
        return poll(session, cursor)
