"""Folding a whole batch of vehicle findings into leads at once.

The per-event path (``service.fold``) asks the database for fold candidates, routes each new lead
and counts earlier overloads with a query apiece: several milliseconds an event. Here one batch
needs three reads (open leads of the batch's subjects, their earlier overload leads, nothing
else), folds in memory in event order, routes the new leads with one vectorised call per matter,
and writes with one statement per table. The answer is the same as folding the events one by one
in the same order (tested against the per-event path); the caller runs it inside a savepoint and,
should anything fail, falls back to the per-event path so that one bad event cannot hold up the
rest.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, any_, bindparam, cast, func, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from zhifa.core import jsontext
from zhifa.core.clock import to_shanghai, utcnow
from zhifa.core.db import sqlite_time
from zhifa.jurisdiction.router import Router, RoutingError
from zhifa.monitoring import rules
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.sensing.models import PENDING, Device, Event
from zhifa.sensing.service import evidence_grade

#: Kinds whose findings bring earlier events as evidence (``service.Finding.evidence``).
EVIDENCE_KINDS = ("illegal_operation",)

#: Earlier overloads are looked up this far back (the repeat-overload window is 365 days by
#: default; one day more keeps the boundary inside the read).
OVERLOAD_LOOKBACK = timedelta(days=366)


@dataclass
class EventRow:
    """The columns of a claimed event the vehicle rules read (a plain row, not an ORM object)."""

    id: int
    device_code: str
    event_id: str
    type: str
    event_time: datetime
    plate: str | None
    plate_color: str | None
    mmsi: str | None
    lon: float | None
    lat: float | None
    payload: dict[str, Any]
    images: list[str] | None


@dataclass
class _LeadState:
    """A lead as the batch sees it: loaded (``id`` set) or created in this batch."""

    kind: str
    subject: str
    status: str
    first_event_time: datetime
    last_event_time: datetime
    count: int
    images: list[str]
    details: dict[str, Any]
    id: int | None = None
    permitted: bool = False
    serial: int = 0  # > 0: created in this batch (it has no id yet)
    new_row: dict[str, Any] | None = None  # the insert values of a lead created here
    dirty: bool = False
    events: list[tuple[int, datetime]] = field(default_factory=list)
    linked: set[int] = field(default_factory=set)  # the batch's events a loaded lead links already

    def has_event(self, event_id: int) -> bool:
        """Whether the event is the lead's evidence already: linked in the database before this
        batch (``linked``), or in this batch (``events``)."""
        return event_id in self.linked or any(e == event_id for e, _ in self.events)


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def one_of(session: Session, column: Any, values: list[Any], element: Any) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(CAST(:array AS type[]))``: one
    parameter, not one per value (the driver need not rewrite a statement of thousands of
    placeholders). The parameter goes untyped (``NullType``: no ``::VARCHAR`` before the cast),
    so the server reads it as the array type itself: the array is then a constant of the plan —
    its size known to the planner, and tested by hashing row by row. Cast from a ``VARCHAR``
    first, it was an expression the planner could not fold: estimated blind, and tested element
    by element; while the leads table's statistics were stale (a young table), the fold's look-up
    of a batch's subjects filtered every lead of that kind against every subject (39 ms a batch
    of 5,000 leads, against ≈ 1 ms)."""
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, pg_array_text(values), type_=NullType())
        return column == any_(cast(array, ARRAY(element)))
    # SQLite: the values as one JSON parameter (``json_each``), for the same reason.
    return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(values))))


def pg_array_text(values: list[Any]) -> str:
    """A PostgreSQL array literal (``{1,2}``, ``{"苏L12345","a\\"b"}``) of whole numbers or
    strings: one text parameter cast to the array type, built in one pass (the driver's own
    array adaptation costs microseconds a value). Strings are always quoted, so no value can
    read as ``NULL`` or break the literal."""
    if all(type(v) is int for v in values):  # ids, the commonest: one join (bools are not ints here)
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(v) is str for v in values):  # plates, subjects: one join unless one needs escaping
        joined = '","'.join(values)
        # The separators hold 2 quotes each: any other quote, or a backslash, is in a value.
        if "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):
            return '{"' + joined + '"}'
    parts = []
    for v in values:
        if isinstance(v, str):
            parts.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(v, int) and not isinstance(v, bool):
            parts.append(str(v))
        else:
            raise TypeError(f"array values must be whole numbers or strings, not {type(v).__name__}")
    return "{" + ",".join(parts) + "}"


def chunk_size(session: Session) -> int:
    return 20_000


def fold_batch(
    session: Session,
    router: Router,
    items: list[tuple[EventRow, list[Any]]],
    devices: dict[str, Device],
    cfg: rules.MonitoringConfig,
    rule_version: Any,
) -> tuple[int, int, list[int]]:
    """Fold ``items`` — (event, findings) in event-id order — into leads and mark the events done.
    Returns (findings folded, leads opened, ids of the events done). ``rule_version(kind)``
    gives the version string a new lead records."""
    from zhifa.monitoring.service import OPEN_STATUSES, Finding, evidence_images

    if not items:
        return 0, 0, []
    times = [ev.event_time for ev, _ in items]
    t_min, t_max = min(times), max(times)
    keys = {(f.kind, f.subject) for _, found in items for f in found}
    overload_subjects = sorted({f.subject for _, found in items for f in found if f.kind == "overload"})
    keys |= {("repeat_overload", s) for s in overload_subjects}
    subjects = sorted({s for _, s in keys})
    kinds = sorted({k for k, _ in keys})

    # Open leads that could take an event of this batch (first event within the dedup window).
    state: dict[tuple[str, str], list[_LeadState]] = {}
    cols = (
        Lead.id,
        Lead.kind,
        Lead.subject,
        Lead.status,
        Lead.first_event_time,
        Lead.last_event_time,
        Lead.count,
        Lead.images,
        Lead.details,
        Lead.permitted,
    )
    for chunk in _chunks(subjects, chunk_size(session)):
        for lid, kind, subject, status, first, last, count, images, details, permitted in session.execute(
            select(*cols).where(
                one_of(session, Lead.subject, chunk, String()),
                Lead.kind.in_(kinds),
                Lead.status.in_(OPEN_STATUSES),
                Lead.first_event_time >= t_min - cfg.dedup_window,
                Lead.first_event_time <= t_max,
            )
        ):
            if (kind, subject) in keys:
                state.setdefault((kind, subject), []).append(
                    _LeadState(
                        kind,
                        subject,
                        status,
                        first,
                        last,
                        count,
                        list(images or []),
                        dict(details or {}),
                        id=lid,
                        permitted=permitted,
                    )
                )
    for leads in state.values():
        leads.sort(key=lambda x: (x.first_event_time, x.id or 0))
    # A lead that opened with earlier events as its evidence (``Finding.evidence``) may already
    # link one of this batch's events: that event then changes nothing.
    with_evidence = {x.id: x for leads in state.values() for x in leads if x.kind in EVIDENCE_KINDS and x.id}
    if with_evidence:
        batch_ids = [ev.id for ev, _ in items]
        for lid, eid in session.execute(
            select(LeadEvent.lead_id, LeadEvent.event_id).where(
                one_of(session, LeadEvent.lead_id, sorted(with_evidence), BigInteger()),
                one_of(session, LeadEvent.event_id, batch_ids, BigInteger()),
            )
        ):
            with_evidence[lid].linked.add(eid)

    # Earlier overload violations (公路安全保护条例 第六十六条), as service._previous_overloads
    # counts them: one per overload lead, not permitted, not dismissed or merged.
    previous: dict[str, list[tuple[datetime, int | None, int]]] = {}
    for chunk in _chunks(overload_subjects, chunk_size(session)):
        for lid, subject, first in session.execute(
            select(Lead.id, Lead.subject, Lead.first_event_time).where(
                Lead.kind == "overload",
                one_of(session, Lead.subject, chunk, String()),
                Lead.permitted.is_(False),
                Lead.status.not_in(("dismissed", "merged")),
                Lead.first_event_time > t_min - OVERLOAD_LOOKBACK,
                Lead.first_event_time < t_max,
            )
        ):
            previous.setdefault(subject, []).append((first, lid, 0))

    grades: dict[tuple[str, date], tuple[bool, list[str]]] = {}
    created: list[_LeadState] = []
    serial = 0  # identifies leads created in this batch until they have ids

    def fold_one(ev: EventRow, f: Any, device: Device) -> _LeadState:
        nonlocal serial
        leads = state.setdefault((f.kind, f.subject), [])
        # The newest open lead whose first event is not after this one (service.fold's choice).
        i = bisect.bisect_right([x.first_event_time for x in leads], ev.event_time)
        if i and rules.folds(f.kind, leads[i - 1].first_event_time, leads[i - 1].status, ev.event_time, cfg):
            lead = leads[i - 1]
            if lead.has_event(ev.id):
                return lead  # already its evidence (linked when the lead opened)
            lead.count += 1
            lead.last_event_time = max(lead.last_event_time, ev.event_time)
            lead.images = [*lead.images, *[h for h in (ev.images or []) if h not in lead.images]]
            lead.details = lead.details | {"latest": f.details}
            lead.dirty = True
            lead.events.append((ev.id, ev.event_time))
            return lead
        day = to_shanghai(ev.event_time).date()
        if (device.code, day) not in grades:
            grades[(device.code, day)] = evidence_grade(device, day)
        usable, problems = grades[(device.code, day)]
        info = rules.RULES[f.kind]
        lead = _LeadState(
            f.kind,
            f.subject,
            "new",
            ev.event_time,
            ev.event_time,
            1 + len(f.evidence),
            evidence_images(ev.images, f.evidence),
            f.details | ({"evidence_problems": problems} if problems else {}),
            permitted=f.permitted,
        )
        lead.new_row = {
            "kind": f.kind,
            "subject": f.subject,
            "matter": f.matter,
            "status": "new",
            "severity": info.severity,
            "rule_version": rule_version(f.kind),
            "lon": f.lon,
            "lat": f.lat,
            "usable_as_evidence": usable,
            "permitted": f.permitted,
        }
        lead.events.append((ev.id, ev.event_time))
        lead.events += [(event_id, t) for event_id, t, _ in f.evidence]
        leads.insert(i, lead)
        created.append(lead)
        serial += 1
        lead.serial = serial
        if f.kind == "overload" and not f.permitted:
            previous.setdefault(f.subject, []).append((ev.event_time, None, serial))
        return lead

    raised = 0
    done: list[int] = []
    for ev, found in items:
        device = devices[ev.device_code]
        for f in found:
            lead = fold_one(ev, f, device)
            raised += 1
            if f.kind == "overload" and lead.count == 1 and not f.permitted and ev.plate is not None:
                own = lead.serial
                earlier = sorted(
                    t
                    for t, _lid, s in previous.get(f.subject, [])
                    if s != own and ev.event_time - OVERLOAD_LOOKBACK < t < ev.event_time
                )
                if rules.is_repeat_overload(earlier, ev.event_time, cfg):
                    rep = Finding(
                        "repeat_overload",
                        f.subject,
                        {"overloads_in_window": len(earlier) + 1, "overload_leads": len(earlier) + 1},
                        lon=ev.lon,
                        lat=ev.lat,
                    )
                    fold_one(ev, rep, device)
                    raised += 1
        done.append(ev.id)

    _route(router, created)
    _write(session, state, created)
    return raised, len(created), done


def _route(router: Router, created: list[_LeadState]) -> None:
    """Route the new leads: one vectorised call per matter (per lead only when that call fails,
    to give each its own reason)."""
    by_matter: dict[str, list[_LeadState]] = {}
    for lead in created:
        row = lead.new_row
        assert row is not None
        row |= {"unit_code": None, "routing_mode": None, "routing_reason": None}
        if row["lon"] is not None and row["lat"] is not None and row["matter"]:
            by_matter.setdefault(row["matter"], []).append(lead)
    for matter, leads in by_matter.items():
        lons = [lead.new_row["lon"] for lead in leads if lead.new_row]
        lats = [lead.new_row["lat"] for lead in leads if lead.new_row]
        try:
            answers: list[Any] = list(router.route_points(matter, lons, lats))
        except RoutingError:
            answers = []
            for lon, lat in zip(lons, lats, strict=True):
                try:
                    answers.append(router.route_points(matter, [lon], [lat])[0])
                except RoutingError as exc:
                    answers.append(f"未能路由：{exc}")
        for lead, answer in zip(leads, answers, strict=True):
            assert lead.new_row is not None
            if isinstance(answer, str):
                lead.new_row["routing_reason"] = answer
            else:
                lead.new_row |= {"unit_code": answer.unit, "routing_mode": answer.mode, "routing_reason": answer.reason}


def _write(session: Session, state: dict[tuple[str, str], list[_LeadState]], created: list[_LeadState]) -> None:
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        _copy_created_pg(session, created, now)
        created = []  # written, with their ids
    on_sqlite = session.get_bind().dialect.name == "sqlite"
    if created and on_sqlite:
        # The transaction holds SQLite's write lock (``BEGIN IMMEDIATE``): nobody else can insert
        # a lead meanwhile, so the new ids follow the largest as SQLite itself would number them.
        first = session.execute(select(func.coalesce(func.max(Lead.id), 0))).scalar_one() + 1
        rows = [{"id": first + i} | _lead_row(lead, now) for i, lead in enumerate(created)]
        sqlite_insert(session, Lead.__table__, rows)
        for lead, row in zip(created, rows, strict=True):
            lead.id = row["id"]
    elif created:
        rows = [_lead_row(lead, now) for lead in created]
        ids = session.execute(insert(Lead).returning(Lead.id, sort_by_parameter_order=True), rows).scalars().all()
        for lead, lid in zip(created, ids, strict=True):
            lead.id = lid
    changed = [
        {
            "id": lead.id,
            "count": lead.count,
            "last_event_time": lead.last_event_time,
            "images": lead.images,
            "details": lead.details,
            "updated_at": now,
        }
        for leads in state.values()
        for lead in leads
        if lead.dirty and lead.new_row is None
    ]
    if changed:
        session.execute(update(Lead), changed)
    links = [
        {"lead_id": lead.id, "event_id": eid, "event_time": t}
        for leads in state.values()
        for lead in leads
        for eid, t in lead.events
    ]
    if links and session.get_bind().dialect.name == "postgresql":
        raw: Any = session.connection().connection.driver_connection
        copy_links = "COPY monitoring_lead_event (lead_id, event_id, event_time) FROM STDIN"
        with raw.cursor() as cur, cur.copy(copy_links) as cp:
            for link in links:
                cp.write_row((link["lead_id"], link["event_id"], link["event_time"]))
    elif links:
        sqlite_insert(session, LeadEvent.__table__, links)


def sqlite_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """SQLite: insert ``rows`` (dicts with the same keys, every non-null column given) in one
    DB-API ``executemany`` on the session's connection, each value through its column type's own
    bind processor — the stored form of an ORM insert (tested equal), without the ORM's
    per-row bookkeeping (≈ 60 µs a lead before)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    cols = list(rows[0])
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
    values = [tuple(v if p is None else p(v) for p, v in zip(procs, row.values(), strict=True)) for row in rows]
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
    finally:
        cur.close()


def _lead_row(lead: _LeadState, now: datetime, as_json_text: bool = False) -> dict[str, Any]:
    """The insert values of a lead created in the batch (``as_json_text``: JSON columns as text,
    for ``COPY``)."""
    assert lead.new_row is not None
    encode = jsontext.dumps if as_json_text else (lambda v: v)
    return lead.new_row | {
        "first_event_time": lead.first_event_time,
        "last_event_time": lead.last_event_time,
        "count": lead.count,
        "images": encode(lead.images),
        "details": encode(lead.details),
        "created_at": now,
        "updated_at": now,
    }


def _copy_created_pg(session: Session, created: list[_LeadState], now: datetime) -> None:
    """PostgreSQL: the batch's new leads in one ``COPY``, their ids drawn from the table's
    sequence first (in creation order, as the insert would give them). An insert of many rows
    through SQLAlchemy becomes one statement of thousands of placeholders that the driver parses
    value by value."""
    if not created:
        return
    rows = [_lead_row(lead, now, as_json_text=True) for lead in created]
    cols = list(rows[0])
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('monitoring_lead', 'id')) FROM generate_series(1, %s)",
            (len(created),),
        )
        ids = [int(r[0]) for r in cur.fetchall()]
        with cur.copy(f"COPY monitoring_lead (id, {', '.join(cols)}) FROM STDIN") as cp:
            for lead, lid, row in zip(created, ids, rows, strict=True):
                lead.id = lid
                cp.write_row((lid, *(row[c] for c in cols)))


def mark_raised(session: Session, ids: list[int]) -> int:
    """Events already marked done (``service.claim`` with ``take_vehicles``) that raised a lead;
    returns how many were done."""
    n = 0
    for chunk in _chunks(ids, chunk_size(session)):
        result = session.execute(
            update(Event)
            .where(one_of(session, Event.id, chunk, BigInteger()), Event.status == literal_column("'done'"))
            .values(raised_lead=True),
            execution_options={"synchronize_session": False},
        )
        n += result.rowcount  # type: ignore[attr-defined]
    return n


def mark_done(session: Session, ids: list[int], raised_lead: bool) -> int:
    """Mark pending events done; returns how many were still pending (all of them, unless another
    worker got there first)."""
    now = utcnow()
    if ids and session.get_bind().dialect.name == "sqlite":
        # The batch's ids as one JSON parameter: one short statement, not one of thousands of
        # placeholders compiled per call (the worker's commonest write).
        marked = session.connection().exec_driver_sql(
            "UPDATE sensing_event SET status = 'done', processed_at = ?, raised_lead = ?, last_error = NULL"
            " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'",
            (sqlite_time(now), 1 if raised_lead else 0, json.dumps(ids)),
        )
        return int(marked.rowcount)
    n = 0
    for chunk in _chunks(ids, chunk_size(session)):
        result = session.execute(
            update(Event)
            .where(one_of(session, Event.id, chunk, BigInteger()), PENDING)
            .values(status="done", processed_at=now, raised_lead=raised_lead, last_error=None),
            execution_options={"synchronize_session": False},
        )
        n += result.rowcount  # type: ignore[attr-defined]
    return n
