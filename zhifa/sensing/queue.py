"""The rule workers' queue: tickets naming stored events that no worker has processed yet.

The transaction that stores a batch of events also writes one ticket with their ids (ship
passages get a ticket of their own, held until the AIS stream's watermark has moved past the
latest of them). A worker claims tickets, processes their events, and in the transaction that
writes its leads and marks the events done it takes the tickets off the queue and puts the events
still pending (deferred behind another worker's subject, or failed fewer than ``MAX_ATTEMPTS``
times) back in one ticket, in the first ticket's place. Exactly once follows as before: a worker
killed mid-batch rolls back, and its tickets are there for the next one.

* PostgreSQL: tickets are claimed ``FOR UPDATE SKIP LOCKED`` — one row lock a ticket, not one an
  event — and no index holds the event's ``status``: marking an event done then changes no
  indexed column, and with the table's fill factor at 50 (migration 0013) it is a HOT update,
  written beside the old row version with no new index entry. Measured alone on this machine
  (claim and mark done, 100,000 events): 48–53 µs an event through the old partial queue index
  ``WHERE status = 'pending'`` with a row lock an event, 9.5 µs this way.
* SQLite: a worker reads tickets without a lock and, when it takes the write lock, deletes them
  on condition that they are still there; a ticket another worker deleted first means the batch
  is theirs (rolled back, nothing written).

The event's own ``status`` stays the truth that readers use (live feed, stuck events, archive,
retention); the ticket only says where the work is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zhifa.core.clock import utcnow
from zhifa.core.db import sqlite_time

#: Tickets read in one round trip on SQLite (a worker reads rounds until it holds ``batch``
#: events). PostgreSQL claims one a round: ``FOR UPDATE`` locks every row a query returns, so a
#: larger round would lock tickets the worker then leaves unused and the other workers skip.
_CLAIM_ROUND = 16
#: At most this many tickets a claim (small tickets: a device posting a few events at a time).
_CLAIM_MAX = 64


@dataclass(frozen=True)
class Ticket:
    id: int
    ids: list[int]


def _raw(session: Session) -> tuple[Any, bool]:
    conn = session.connection()
    return conn.connection.driver_connection, conn.dialect.name == "postgresql"


def _time(t: datetime, on_pg: bool) -> Any:
    return t if on_pg else sqlite_time(t)


def enqueue(session: Session, ids: Sequence[int], hold_until: datetime | None = None, at: int | None = None) -> None:
    """One ticket for ``ids`` (stored in this transaction). ``hold_until``: not claimed until the
    worker's cutoff has passed it (ship passages). ``at``: the ticket's id (its place in the
    queue; a requeue takes the place of the first ticket it came from)."""
    if not ids:
        return
    raw, on_pg = _raw(session)
    mark = "%s" if on_pg else "?"
    cols, values = ["ids", "hold_until", "created_at"], [json.dumps(list(ids)), None, _time(utcnow(), on_pg)]
    if hold_until is not None:
        values[1] = _time(hold_until, on_pg)
    if at is not None:
        cols.insert(0, "id")
        values.insert(0, at)
    cur = raw.cursor()
    try:
        marks = [mark] * len(cols)
        if on_pg:
            marks[cols.index("ids")] = "CAST(%s AS json)"
        cur.execute(f"INSERT INTO sensing_ticket ({', '.join(cols)}) VALUES ({', '.join(marks)})", values)
    finally:
        cur.close()


def claim(session: Session, batch: int, cutoff: datetime | None) -> list[Ticket]:
    """Tickets in queue order until they name at least ``batch`` events (or none is left).
    A held ticket is claimed once ``cutoff`` has passed its ``hold_until``; ``cutoff`` None claims
    none that is held. PostgreSQL locks them (``FOR UPDATE SKIP LOCKED``) until the transaction
    ends; SQLite only reads them (``take`` checks that they are still there)."""
    raw, on_pg = _raw(session)
    mark = "%s" if on_pg else "?"
    held = f" OR hold_until < {mark}" if cutoff is not None else ""
    sql = (
        "SELECT id, " + ("ids::text" if on_pg else "ids") + " FROM sensing_ticket"
        f" WHERE (hold_until IS NULL{held}) AND id > {mark} ORDER BY id LIMIT {mark}"
        + (" FOR UPDATE SKIP LOCKED" if on_pg else "")
    )
    out: list[Ticket] = []
    count, after = 0, 0
    per_round = 1 if on_pg else _CLAIM_ROUND
    cur = raw.cursor()
    try:
        while count < batch and len(out) < _CLAIM_MAX:
            params: list[Any] = [] if cutoff is None else [_time(cutoff, on_pg)]
            cur.execute(sql, (*params, after, per_round))
            rows = cur.fetchall()
            for tid, text in rows:
                ids = json.loads(text)
                out.append(Ticket(int(tid), ids))
                count += len(ids)
                after = int(tid)
                if count >= batch or len(out) >= _CLAIM_MAX:
                    break
            if len(rows) < per_round:
                break
    finally:
        cur.close()
    return out


def take(session: Session, tickets: Sequence[Ticket]) -> bool:
    """Take claimed tickets off the queue (in the transaction that writes their outcome). False:
    some were gone — another worker took them meanwhile (SQLite), so this batch is theirs."""
    if not tickets:
        return True
    raw, on_pg = _raw(session)
    ids = [t.id for t in tickets]
    cur = raw.cursor()
    try:
        if on_pg:
            cur.execute(
                "DELETE FROM sensing_ticket WHERE id = ANY(%s::bigint[])", ("{" + ",".join(map(str, ids)) + "}",)
            )
        else:
            cur.execute("DELETE FROM sensing_ticket WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        return int(cur.rowcount) == len(ids)
    finally:
        cur.close()


def requeue(session: Session, tickets: Sequence[Ticket], pending: Sequence[int]) -> None:
    """Put the events of taken ``tickets`` that are still ``pending`` back in one ticket, in the
    place of the first (so that they come before the events stored after them)."""
    if tickets and pending:
        enqueue(session, sorted(pending), at=min(t.id for t in tickets))
