"""The rule workers' queue (``sensing.queue``): what an ingest queues, what a worker claims, and
what goes back — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from tests.sensing.test_fast_rows import pg_path, rows  # noqa: F401 (pg_path: a fixture)
from zhifa.core.audit import SYSTEM, Actor, AuditLog
from zhifa.core.db import alembic_config, make_engine, session_factory, sqlite_time, upgrade
from zhifa.core.errors import Forbidden
from zhifa.monitoring import service as monitoring
from zhifa.sensing import queue
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Event, EventTicket


def tickets(session: Session) -> list[tuple[list[str], datetime | None]]:
    """Each ticket as the sender's ids of its events, and its hold."""
    names = dict(session.execute(select(Event.id, Event.event_id)).all())
    return [
        ([names[i] for i in t.ids], t.hold_until) for t in session.scalars(select(EventTicket).order_by(EventTicket.id))
    ]


@pytest.mark.db
@pytest.mark.usefixtures("pg_path")  # PostgreSQL: both the INSERT of a small post and the COPY
def test_a_batch_is_one_ticket_and_each_passage_waits_in_its_own(session: Session) -> None:
    passage_time = datetime(2026, 6, 1, 1, 59, tzinfo=UTC)
    assert sensing._insert_new(session, rows()) == 4
    assert tickets(session) == [(["a", "b", "d"], None), (["c"], passage_time)]
    # Sent again with two new events (one a passage): only the new ones are queued.
    again = [
        *rows(),
        dict(rows()[0], event_id="e"),
        dict(rows()[2], event_id="f", event_time=passage_time.replace(minute=58)),
    ]
    assert sensing._insert_new(session, again) == 2
    assert tickets(session)[2:] == [(["e"], None), (["f"], passage_time.replace(minute=58))]
    # All stored before: nothing queued.
    assert sensing._insert_new(session, rows()) == 0
    assert len(tickets(session)) == 4


@pytest.mark.db
def test_take_fails_for_a_ticket_another_worker_took(session: Session) -> None:
    sensing._insert_new(session, rows())
    claimed = queue.claim(session, 100, datetime.max.replace(tzinfo=UTC))
    assert [len(t.ids) for t in claimed] == [3, 1]
    assert queue.take(session, claimed)
    assert not queue.take(session, claimed)  # gone: the batch is someone else's
    assert not queue.take(session, claimed[:1])


@pytest.fixture()
def fresh(fresh_db_url: str) -> Iterator[Engine]:
    from tests.helpers import load_small_map
    from tests.monitoring.test_pipeline import DEVICES
    from zhifa.imports import run_import

    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with session_factory(engine)() as s:
        load_small_map(s)
        run_import(s, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
        s.commit()
    yield engine
    engine.dispose()


def post(engine: Engine, events: list[dict[str, Any]]) -> None:
    with session_factory(engine)() as s:
        r = sensing.ingest(s, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM)
        assert r["accepted"] == len(events), r
        s.commit()


@pytest.mark.db
def test_claim_stops_once_it_holds_a_batch(fresh: Engine) -> None:
    from tests.monitoring.test_pipeline import wim

    t = datetime.now(UTC) - timedelta(minutes=5)
    for n in range(3):  # three posts, three tickets of 4
        post(fresh, [wim(10 * n + i, 12000, t=(t + timedelta(seconds=i)).isoformat()) for i in range(4)])
    with session_factory(fresh)() as a:
        first = queue.claim(a, 5, None)
        assert [len(x.ids) for x in first] == [4, 4]  # 4 < 5: a second ticket, then enough
        if fresh.dialect.name == "postgresql":
            # Locked for the first worker only as far as it took them: another gets the third.
            with session_factory(fresh)() as b:
                other = queue.claim(b, 5, None)
                assert [x.id for x in other] == [max(x.id for x in first) + 1]
                b.rollback()
        a.rollback()


@pytest.mark.db
def test_events_left_pending_go_back_in_the_first_tickets_place(fresh: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing rule leaves its event pending (attempts, error) and queued again ahead of later
    posts, until ``MAX_ATTEMPTS``; then it leaves the queue and stays pending and visible."""
    from tests.monitoring.test_pipeline import wim

    t = datetime.now(UTC) - timedelta(minutes=5)
    post(fresh, [wim(1, 12000, t=t.isoformat()), wim(2, 12000, plate="苏L54321", t=t.isoformat())])
    post(fresh, [wim(3, 12000, plate="苏L11111", t=t.isoformat())])
    real = monitoring.findings_for

    def exploding(session: Session, ev: Any, *a: Any, **kw: Any) -> Any:
        if ev.plate == "苏L54321":
            raise RuntimeError("rule exploded")
        return real(session, ev, *a, **kw)

    monkeypatch.setattr(monitoring, "findings_for", exploding)
    with session_factory(fresh)() as s:
        first_ticket = s.scalars(select(EventTicket.id).order_by(EventTicket.id)).first()
    r = monitoring.process_pending(fresh, batch=2)  # the first ticket only
    assert (r["events"], r["failed"]) == (1, 1)
    with session_factory(fresh)() as s:
        assert tickets(s)[0] == (["w2"], None) and tickets(s)[1][0] == ["w3"]
        assert s.scalars(select(EventTicket.id).order_by(EventTicket.id)).first() == first_ticket
    for _ in range(monitoring.MAX_ATTEMPTS + 2):
        monitoring.process_pending(fresh)
    with session_factory(fresh)() as s:
        assert tickets(s) == []
        stuck = s.execute(
            select(Event.event_id, Event.status, Event.attempts, Event.last_error).where(Event.attempts > 0)
        ).all()
        assert [tuple(x) for x in stuck] == [("w2", "pending", monitoring.MAX_ATTEMPTS, "RuntimeError: rule exploded")]
        assert set(s.scalars(select(Event.event_id).where(Event.status == "done"))) == {"w1", "w3"}
        ids = dict(s.execute(select(Event.event_id, Event.id)).all())

    # The cause mended, an administrator queues it again: processed once, its lead raised.
    monkeypatch.setattr(monitoring, "findings_for", real)
    officer = Actor("duty", frozenset({"duty_officer"}))
    with session_factory(fresh)() as s, pytest.raises(Forbidden):
        monitoring.retry_given_up(s, officer, [ids["w2"]])
    with session_factory(fresh)() as s:
        answer = monitoring.retry_given_up(s, SYSTEM, [ids["w2"], ids["w1"], 10**9])
        s.commit()
    assert answer == {
        "queued": [ids["w2"]],
        "refused": [{"id": ids["w1"], "reason": "already done"}, {"id": 10**9, "reason": "no such event"}],
    }
    with session_factory(fresh)() as s:  # asked again: already queued, not queued twice
        again = monitoring.retry_given_up(s, SYSTEM, [ids["w2"]])
        s.commit()
    assert again == {
        "queued": [],
        "refused": [{"id": ids["w2"], "reason": "still being retried (fewer than 5 attempts)"}],
    }
    assert monitoring.process_pending(fresh)["events"] == 1
    with session_factory(fresh)() as s:
        assert tickets(s) == []
        assert s.scalars(select(Event.status).where(Event.id == ids["w2"])).one() == "done"
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "retry")).all()
        assert [(a.entity_type, a.entity_id, a.actor) for a in audit] == [
            ("sensing_event", str(ids["w2"]), SYSTEM.username)
        ]
        assert audit[0].after == {"attempts": 0, "ids": [ids["w2"]]}


@pytest.mark.db
def test_retrying_many_given_up_events_at_once(fresh: Engine) -> None:
    from tests.monitoring.test_pipeline import wim

    t = datetime.now(UTC) - timedelta(minutes=5)
    post(fresh, [wim(i, 12000, plate=f"苏L{i:05d}", t=t.isoformat()) for i in range(60)])
    with session_factory(fresh)() as s:
        s.execute(text("DELETE FROM sensing_ticket"))
        s.execute(text("UPDATE sensing_event SET attempts = 5, last_error = 'x'"))
        ids = sorted(s.scalars(select(Event.id)))
        answer = monitoring.retry_given_up(s, SYSTEM, ids)
        s.commit()
    assert answer == {"queued": ids, "refused": []}
    assert monitoring.process_pending(fresh)["events"] == 60
    with session_factory(fresh)() as s:
        [row] = s.scalars(select(AuditLog).where(AuditLog.action == "retry")).all()
        assert row.entity_id == "60 events" and row.after == {"attempts": 0, "ids": ids}


@pytest.mark.db
def test_0013_queues_the_events_pending_at_the_upgrade(fresh_db_url: str) -> None:
    cfg = alembic_config(fresh_db_url)
    command.upgrade(cfg, "0012")
    engine = create_engine(fresh_db_url)
    values = [
        ("p1", "wim", "pending", 0),
        ("p2", "ship_passage", "pending", 0),
        ("d1", "wim", "done", 0),
        ("x1", "wim", "pending", 5),  # given up
        ("p3", "wim", "pending", 2),
    ]
    on_pg = engine.dialect.name == "postgresql"
    with engine.begin() as c:
        for n, (eid, typ, status, attempts) in enumerate(values):
            at = datetime(2026, 6, 1, 0, n, tzinfo=UTC)
            c.execute(
                text(
                    "INSERT INTO sensing_event (device_code, event_id, type, event_time, received_at, payload,"
                    " status, attempts, raised_lead) VALUES ('WIM1', :e, :t, :at, :at, '{}', :s, :a, false)"
                ),
                {"e": eid, "t": typ, "s": status, "a": attempts, "at": at if on_pg else sqlite_time(at)},
            )
    command.upgrade(cfg, "head")
    with session_factory(make_engine(fresh_db_url))() as s:
        assert tickets(s) == [(["p1", "p3"], None), (["p2"], datetime(2026, 6, 1, 0, 1, tzinfo=UTC))]
    command.downgrade(cfg, "0012")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sensing_event WHERE status = 'pending'")).scalar() == 4
    command.upgrade(cfg, "head")
    engine.dispose()


def _outcome(engine: Engine) -> dict[str, tuple[str, bool, bool, int]]:
    """Each event (sender's id): status, raised a lead, has a processed time, attempts."""
    with session_factory(engine)() as s:
        return {
            e.event_id: (e.status, e.raised_lead, e.processed_at is not None, e.attempts)
            for e in s.scalars(select(Event))
        }


@pytest.mark.db
def test_an_event_deferred_behind_another_workers_subject_is_pending_again(fresh: Engine) -> None:
    """On PostgreSQL the claim marks vehicle events done as it reads them; one whose subject
    another worker holds is put back to pending (no processed time) and queued again, and done
    in a later batch once the subject is free."""
    from tests.monitoring.test_pipeline import wim

    if fresh.dialect.name != "postgresql":
        pytest.skip("subjects are held across workers on PostgreSQL only (advisory locks)")
    t = datetime.now(UTC) - timedelta(minutes=5)
    post(
        fresh,
        [
            wim(1, 30000, t=t.isoformat()),  # overload of 苏L12345/yellow
            wim(2, 12000, plate="苏L54321", t=t.isoformat()),  # quiet
            wim(3, 30000, plate="苏L11111", t=t.isoformat()),  # overload of another vehicle
        ],
    )
    with session_factory(fresh)() as s:  # w1 failed once before: its error stays until it is done
        s.execute(text("UPDATE sensing_event SET attempts = 1, last_error = 'earlier' WHERE event_id = 'w1'"))
        s.commit()
    with session_factory(fresh)() as other:
        assert monitoring._lock_subjects(other, [("overload", "苏L12345/yellow")]) == set()  # now held
        r = monitoring.process_pending(fresh)
        assert (r["events"], r["leads"], r["failed"]) == (2, 1, 0)
        assert _outcome(fresh) == {
            "w1": ("pending", False, False, 1),
            "w2": ("done", False, True, 0),
            "w3": ("done", True, True, 0),
        }
        with session_factory(fresh)() as s:
            assert s.scalars(select(Event.last_error).where(Event.event_id == "w1")).one() == "earlier"
        with session_factory(fresh)() as s:
            assert tickets(s) == [(["w1"], None)]
        other.rollback()  # the other worker lets go
    r = monitoring.process_pending(fresh)
    assert (r["events"], r["leads"]) == (1, 1)
    assert _outcome(fresh)["w1"] == ("done", True, True, 1)
    with session_factory(fresh)() as s:
        assert s.scalars(select(Event.last_error).where(Event.event_id == "w1")).one() is None  # done: cleared


@pytest.mark.db
def test_a_failed_batch_fold_falls_back_to_one_by_one_with_the_same_outcome(
    fresh: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch fold failing (not a lock conflict) sends its events one by one, each in a
    savepoint: the leads are those the batch would have raised, and every event ends done once."""
    from tests.monitoring.test_pipeline import wim
    from zhifa.monitoring import bulk
    from zhifa.monitoring.models import Lead

    def broken(*a: Any, **kw: Any) -> Any:
        raise RuntimeError("fold broke")

    monkeypatch.setattr(bulk, "fold_batch", broken)
    t = datetime.now(UTC) - timedelta(minutes=5)
    post(
        fresh,
        [
            wim(1, 30000, t=t.isoformat()),
            wim(2, 12000, plate="苏L54321", t=t.isoformat()),
            wim(3, 30000, plate="苏L11111", t=t.isoformat()),
        ],
    )
    r = monitoring.process_pending(fresh)
    assert (r["events"], r["leads"], r["failed"]) == (3, 2, 0)
    assert _outcome(fresh) == {
        "w1": ("done", True, True, 0),
        "w2": ("done", False, True, 0),
        "w3": ("done", True, True, 0),
    }
    with session_factory(fresh)() as s:
        assert tickets(s) == []
        assert sorted(s.scalars(select(Lead.subject).where(Lead.kind == "overload"))) == [
            "苏L11111/yellow",
            "苏L12345/yellow",
        ]
    assert monitoring.process_pending(fresh)["events"] == 0
