"""The ingestion hot paths below the ORM store and read exactly what the column types would:
``sensing.service.sqlite_values`` against an ORM write, ``monitoring.service.claim`` against the
same read through the column types, ``bulk.mark_done`` with its JSON id list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from zhifa.monitoring import bulk
from zhifa.monitoring import service as monitoring
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Event

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 6, 1, 10, 0, 0, tzinfo=CST)


def rows() -> list[dict[str, Any]]:
    """Events of every shape the store sees: offsets, whole seconds, images or none, unicode."""
    return [
        {
            "device_code": "WIM1",
            "event_id": "a",
            "type": "wim",
            "event_time": T0,
            "received_at": datetime(2026, 6, 1, 2, 0, 1, 250000, tzinfo=UTC),
            "plate": "苏L12345",
            "plate_color": "yellow",
            "lon": 119.35,
            "lat": 32.2,
            "payload": {"axles": 3, "gross_kg": "30000.5", "plate": "苏L12345", "combination": False},
        },
        {
            "device_code": "CAM1",
            "event_id": "b",
            "type": "plate_capture",
            "event_time": T0 + timedelta(microseconds=7),
            "received_at": datetime(2026, 6, 1, 2, 0, 2, tzinfo=UTC),
            "plate": None,
            "payload": {"unidentified": "无牌", "direction": "东向西"},
            "images": ["ab" * 32, "cd" * 32],
        },
        {
            "device_code": "CP1",
            "event_id": "c",
            "type": "ship_passage",
            "event_time": datetime(2026, 6, 1, 1, 59, 0, tzinfo=UTC),
            "received_at": datetime(2026, 6, 1, 2, 0, 3, tzinfo=UTC),
            "mmsi": "413000001",
            "payload": {"direction": "up", "name_ocr": "苏镇江货1234"},
            "images": [],
        },
        {
            "device_code": "WIM1",
            "event_id": "d",
            "type": "wim",
            "event_time": T0 + timedelta(hours=1),
            "received_at": datetime(2026, 6, 1, 3, 0, 0, tzinfo=UTC),
            "plate": "苏L54321",
            "plate_color": None,
            "payload": {"axles": 6, "gross_kg": "52000", "axle_kg": [10**30, 1.5]},
        },
    ]


def _via_fast_path(session: Session) -> None:
    assert sensing._insert_new(session, rows()) == len(rows())


def _via_orm(session: Session) -> None:
    for r in rows():
        session.add(Event(**r, status="pending", attempts=0, raised_lead=False))
    session.flush()


def _stored(session: Session) -> list[tuple[Any, ...]]:
    """Every column as the database holds it (SQLite: the very text), ids aside."""
    cols = [c.name for c in Event.__table__.columns if c.name != "id"]
    return [tuple(r) for r in session.execute(text(f"SELECT {', '.join(cols)} FROM sensing_event ORDER BY event_id"))]


@pytest.fixture(params=["copy", "insert"])
def pg_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """PostgreSQL stores a post of up to ``SMALL_POST`` events by one ``INSERT … RETURNING`` and
    larger ones by ``COPY``: each test taking this runs both (SQLite has one path: run twice)."""
    monkeypatch.setattr(sensing, "SMALL_POST", 0 if request.param == "copy" else 1000)
    return str(request.param)


@pytest.mark.db
def test_fast_insert_stores_what_the_orm_stores(session: Session, pg_path: str) -> None:
    _via_orm(session)
    by_orm = _stored(session)
    session.rollback()
    _via_fast_path(session)
    fast = _stored(session)
    # Every column but the JSON ones the same (on SQLite: the same text, timestamps included);
    # the JSON text is compact but decodes equal (``test_sqlite_json_text_reads_back_equal``).
    plain = [
        i
        for i, c in enumerate(c for c in Event.__table__.columns if c.name != "id")
        if c.name not in ("payload", "images")
    ]
    assert [[r[i] for i in plain] for r in fast] == [[r[i] for i in plain] for r in by_orm]
    read = [
        (e.event_time, e.received_at, e.payload, e.images)
        for e in session.scalars(select(Event).order_by(Event.event_id))
    ]
    assert read == [(r["event_time"], r["received_at"], r["payload"], r.get("images")) for r in rows()]
    assert all(t.tzinfo is not None for t, *_ in read)


def test_sqlite_json_text_reads_back_equal(session: Session) -> None:
    """JSON is written compactly (orjson); it must decode to what the ORM's JSON would."""
    _via_fast_path(session)
    fast = {e.event_id: (e.payload, e.images) for e in session.scalars(select(Event))}
    session.rollback()
    _via_orm(session)
    orm = {e.event_id: (e.payload, e.images) for e in session.scalars(select(Event))}
    assert fast == orm
    assert fast["d"][0]["axle_kg"][0] == 10**30  # an integer beyond 64 bits stays exact


@pytest.mark.db
@pytest.mark.parametrize(
    "cutoff",
    [
        None,
        datetime(2026, 6, 1, 1, 59, tzinfo=UTC),  # the passage's own time: not yet
        datetime(2026, 6, 1, 2, tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
    ],
)
def test_claim_reads_what_the_column_types_read(session: Session, cutoff: datetime | None) -> None:
    _via_fast_path(session)
    session.execute(text("UPDATE sensing_event SET attempts = 5 WHERE event_id = 'a'"))  # given up: not claimed
    claimed = monitoring.claim(session, 10, cutoff)
    assert claimed.events == monitoring.load_through_types(session, claimed.ids)
    assert all(r.event_time.tzinfo is not None for r in claimed.events)
    passage_due = cutoff is not None and cutoff > datetime(2026, 6, 1, 1, 59, tzinfo=UTC)
    assert {r.event_id for r in claimed.events} == {"b", "d"} | ({"c"} if passage_due else set())
    assert len(claimed.tickets) == 1 + passage_due  # the passage waits in a ticket of its own


@pytest.mark.db
def test_mark_done_counts_only_still_pending(session: Session) -> None:
    _via_fast_path(session)
    ids = sorted(session.scalars(select(Event.id)))
    assert bulk.mark_done(session, ids[:2], raised_lead=True) == 2
    assert bulk.mark_done(session, ids, raised_lead=False) == len(ids) - 2  # the first two were done
    assert bulk.mark_done(session, [], raised_lead=False) == 0
    session.expire_all()
    done = {e.event_id: (e.status, e.raised_lead, e.processed_at is not None) for e in session.scalars(select(Event))}
    assert done == {
        "a": ("done", True, True),
        "b": ("done", True, True),
        "c": ("done", False, True),
        "d": ("done", False, True),
    }


@pytest.mark.db
def test_no_index_holds_the_status_and_the_stuck_list_uses_its_own(session: Session) -> None:
    """Marking an event done must change no indexed column (on PostgreSQL it is then a HOT
    update, ``sensing.queue``); the list of events that failed reads its partial index
    (``attempts > 0``), not the whole table."""
    from sqlalchemy import inspect

    from zhifa.sensing.models import PENDING

    conn = session.connection()
    on_pg = conn.dialect.name == "postgresql"
    for ix in inspect(conn).get_indexes("sensing_event"):
        assert "status" not in ix["column_names"], ix
    if on_pg:
        predicates = (
            conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'sensing_event'").scalars().all()
        )
    else:
        predicates = (
            conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sensing_event' AND sql IS NOT NULL"
            )
            .scalars()
            .all()
        )
    assert predicates and not [p for p in predicates if "status" in p]
    _via_fast_path(session)
    if on_pg:
        conn.exec_driver_sql("SET enable_seqscan = off")
    q = select(Event.id).where(PENDING, Event.attempts > 0).order_by(Event.id).limit(500)
    sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
    plan = " / ".join(str(r[-1]) for r in conn.exec_driver_sql(("EXPLAIN " if on_pg else "EXPLAIN QUERY PLAN ") + sql))
    assert "ix_sensing_event_retried" in plan, plan
    if on_pg:
        conn.exec_driver_sql("RESET enable_seqscan")


@pytest.mark.db
def test_marking_done_is_a_hot_update_on_postgresql(session: Session) -> None:
    """PostgreSQL writes the done row beside the pending one (fill factor 50) with no new index
    entry: the updates of a batch are HOT (the transaction's own statistics count them)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's heap-only tuples")
    many = [dict(r, event_id=f"{r['event_id']}{i}") for i in range(50) for r in rows()]
    assert sensing._insert_new(session, many) == len(many)
    session.commit()  # the updates below are of committed rows, as the worker's are
    ids = sorted(session.scalars(select(Event.id).where(Event.status == "pending")))

    def counts() -> tuple[int, int]:
        hot, all_ = conn.exec_driver_sql(
            "SELECT pg_stat_get_xact_tuples_hot_updated('sensing_event'::regclass),"
            " pg_stat_get_xact_tuples_updated('sensing_event'::regclass)"
        ).one()
        return int(hot), int(all_)

    before = counts()
    assert bulk.mark_done(session, ids, raised_lead=False) == len(ids) >= 200
    after = counts()
    hot, updated = after[0] - before[0], after[1] - before[1]
    # A row a little larger than the room left on its page goes elsewhere (3 of 200 here);
    # with ``status`` indexed, or the page full, none would be HOT.
    assert updated == len(ids) and hot >= 0.95 * len(ids), (hot, updated)


def test_plate_mmsi_and_time_queries_use_their_indexes(session: Session) -> None:
    """The plate and MMSI indexes are partial (``… IS NOT NULL``): a query by plate or MMSI
    implies the condition, and the planner must still use them — on SQLite and on PostgreSQL."""
    from zhifa.sensing.archive import _archivable

    _via_fast_path(session)
    conn = session.connection()
    on_pg = conn.dialect.name == "postgresql"
    if on_pg:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a four-row table: ask whether it *can*
    t = datetime(2026, 6, 1, tzinfo=UTC)
    checks = {
        "ix_sensing_event_plate_time": select(Event.id).where(
            Event.plate == "苏L12345", Event.event_time >= t, Event.event_time < t + timedelta(days=90)
        ),
        "ix_sensing_event_mmsi_time": select(Event.id).where(Event.mmsi == "413000001", Event.event_time >= t),
        "ix_sensing_event_time": select(Event.id).where(_archivable(t)).order_by(Event.event_time, Event.id),
    }
    for index, q in checks.items():
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if on_pg else "EXPLAIN QUERY PLAN "
        plan = " / ".join(str(r[-1]) for r in conn.exec_driver_sql(explain + sql))
        assert index in plan, (index, plan)
    if on_pg:
        conn.exec_driver_sql("RESET enable_seqscan")


def test_sqlite_connections_carry_the_store_settings(session: Session) -> None:
    from zhifa.core.db import SQLITE_PRAGMAS

    conn = session.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("SQLite's per-connection settings")
    assert "PRAGMA wal_autocheckpoint=10000" in SQLITE_PRAGMAS
    assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16384
    assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_raw_lead_insert_stores_what_the_orm_stores(session: Session) -> None:
    """``bulk.sqlite_insert`` (the worker's new leads and their links on SQLite) writes the very
    text an ORM insert writes, JSON and timestamps included."""
    from sqlalchemy import insert

    from zhifa.monitoring.models import Lead

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the SQLite path (PostgreSQL writes leads by COPY)")
    now = datetime(2026, 6, 1, 2, 0, 0, 123456, tzinfo=UTC)
    lead_rows = [
        {
            "kind": "overload",
            "subject": "苏L12345/yellow",
            "matter": "road.overload",
            "status": "new",
            "severity": "high",
            "rule_version": "overload@1+cfg1",
            "lon": 119.35,
            "lat": None,
            "usable_as_evidence": i == 0,
            "permitted": False,
            "unit_code": "RD1" if i == 0 else None,
            "routing_mode": None,
            "routing_reason": "路由：G312 K10+000–K20+000",
            "first_event_time": T0,
            "last_event_time": T0 + timedelta(seconds=i),
            "count": 1 + i,
            "images": [SHA_A] if i == 0 else [],
            "details": {"gross_kg": "49001.5", "excess_kg": 1, "问题": ["未检定"], "big": 10**20},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(2)
    ]
    cols = [c.name for c in Lead.__table__.columns if c.name != "id"]

    def stored() -> list[tuple[Any, ...]]:
        return [tuple(r) for r in session.execute(text(f"SELECT {', '.join(cols)} FROM monitoring_lead ORDER BY id"))]

    session.execute(insert(Lead), lead_rows)
    by_orm = stored()
    session.rollback()
    bulk.sqlite_insert(session, Lead.__table__, [{"id": 7 + i} | row for i, row in enumerate(lead_rows)])
    assert stored() == by_orm
    assert list(session.scalars(select(Lead.id).order_by(Lead.id))) == [7, 8]


SHA_A = "ab" * 32


@pytest.mark.db
def test_a_batch_holding_stored_events_stores_only_the_new_ones_in_order(session: Session, pg_path: str) -> None:
    """PostgreSQL copies a batch straight into the table in a savepoint; a stored event in it
    fails that copy, and the batch goes the staging path instead (a small post: one ``INSERT … ON
    CONFLICT DO NOTHING``). Either way: only the new rows, in the batch's order, and the
    transaction goes on."""
    new = [r | {"event_id": f"n{i}"} for i, r in enumerate(rows())]
    assert sensing._insert_new(session, rows()[:2]) == 2  # all new: the straight copy
    assert sensing._insert_new(session, [new[0], rows()[1], new[1], rows()[0], new[2]]) == 3
    assert sensing._insert_new(session, rows()) == 2  # c and d
    order = session.scalars(select(Event.event_id).order_by(Event.id)).all()
    assert order == ["a", "b", "n0", "n1", "n2", "c", "d"]
    session.execute(select(1))  # the transaction is still usable


@pytest.mark.db
def test_id_lists_reach_postgresql_as_plan_constants(session: Session) -> None:
    """``bulk.one_of`` sends its array untyped into ``CAST(… AS type[])``, so that it is a
    constant of the plan: the planner knows its size and tests it by hashing. A ``::VARCHAR``
    before the cast left an expression it could not fold (``::cstring`` in the plan), tested
    element by element against every row (tens of milliseconds a batch on a young leads table)."""
    from sqlalchemy import String

    from zhifa.monitoring.models import Lead

    conn = session.connection()
    if conn.dialect.name != "postgresql":
        pytest.skip("PostgreSQL arrays")
    subjects = [f"苏L{10000 + i}/yellow" for i in range(50)]
    q = select(Lead.id).where(Lead.kind == "overload", bulk.one_of(session, Lead.subject, subjects, String()))
    compiled = q.compile(conn)
    assert "AS VARCHAR[]" in str(compiled) and "::VARCHAR AS" not in str(compiled)
    plan = " / ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    assert "cstring" not in plan and "苏L10049/yellow" in plan, plan


@pytest.mark.db
def test_an_event_another_transaction_is_storing_is_a_duplicate_once_it_commits(
    fresh_db_url: str, pg_path: str
) -> None:
    """PostgreSQL: the straight ``COPY`` waits on another transaction's uncommitted copy of one of
    its events; when that commits, the copy fails on the unique key and the batch goes the staging
    path — the other event is stored, the shared one counted once. (SQLite: one writer at a time.)"""
    import threading

    from zhifa.core.db import make_engine, upgrade

    if not fresh_db_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL")
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        first, second = rows()[0], rows()[1]
        with Session(engine) as a, Session(engine) as b:
            assert sensing._insert_new(a, [first]) == 1  # not committed yet
            stored: list[int] = []
            t = threading.Thread(target=lambda: stored.append(sensing._insert_new(b, [second, first])))
            t.start()
            t.join(1.0)
            assert t.is_alive()  # waiting on a's uncommitted row
            a.commit()
            t.join(10)
            assert stored == [1]
            b.commit()
        with Session(engine) as s:
            assert sorted(s.scalars(select(Event.event_id))) == ["a", "b"]
    finally:
        engine.dispose()


def test_the_fast_row_encoders_refuse_naive_times() -> None:
    """As ``UTCDateTime`` does: a time without a zone is refused, never guessed."""
    good = rows()[0]
    defaults = {"images": None, "mmsi": None, "status": "pending", "attempts": 0, "raised_lead": False}
    row = tuple(good.get(name, defaults.get(name)) for name in sensing.INSERT_COLUMNS)
    assert sensing.pg_values(1, row)[4] == T0 and sensing.sqlite_values(row)[3] == "2026-06-01 02:00:00.000000"
    for i in (sensing.INSERT_COLUMNS.index("event_time"), sensing.INSERT_COLUMNS.index("received_at")):
        naive = tuple(v.replace(tzinfo=None) if j == i else v for j, v in enumerate(row))
        with pytest.raises(ValueError, match="naive"):
            sensing.pg_values(1, naive)
        with pytest.raises(ValueError, match="naive"):
            sensing.sqlite_values(naive)
