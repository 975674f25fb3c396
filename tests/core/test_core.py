"""Core: UTC timestamps on both databases, the injectable clock, documented settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import SYSTEM, AuditLog
from zhifa.core.clock import FrozenClock, ensure_aware, to_shanghai, today_shanghai, use_clock, utcnow
from zhifa.core.config import Settings

ROOT = Path(__file__).parents[2]


def test_timestamps_are_stored_in_utc_and_come_back_aware(session: Session) -> None:
    beijing = timezone(timedelta(hours=8))
    with use_clock(FrozenClock(datetime(2026, 2, 16, 8, 30, tzinfo=beijing))):
        row = audit.record(session, SYSTEM, "test", "thing", "1")
        session.flush()
    raw = session.execute(text("SELECT at FROM audit_log WHERE id = :i"), {"i": row.id}).scalar_one()
    # SQLite keeps the UTC wall time; PostgreSQL a timestamptz. Either way it is 00:30 UTC.
    as_utc = (
        raw.astimezone(UTC) if getattr(raw, "tzinfo", None) else datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)
    )
    assert as_utc == datetime(2026, 2, 16, 0, 30, tzinfo=UTC)
    session.expire_all()
    back = session.scalar(select(AuditLog.at).where(AuditLog.id == row.id))
    assert back is not None and back.tzinfo is not None and back == datetime(2026, 2, 16, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "stored",
    [
        "2026-02-16 00:30:00.000000",  # as written by the column type and by sensing's row encoders
        "2026-02-16 00:30:00.123456",
        "2026-02-16 00:30:00",  # CURRENT_TIMESTAMP, hand-written SQL
        "2026-02-16 00:30:00.5",
        "2026-02-16T00:30:00.000001",  # another separator: the generic path
        "2026-02-16 08:30:00+08:00",  # a zone in the text: the generic path
        "2026-02-16 00:30:00-05:00",
        "2026-02-16",
    ],
)
def test_sqlite_quick_timestamp_reading_equals_the_generic_one(stored: str) -> None:
    """``UTCDateTime``'s quick SQLite reader gives what the generic path (SQLAlchemy's parsing,
    then marked UTC) gives, for every form of text it may meet."""
    from sqlalchemy.dialects import sqlite

    from zhifa.core.db import UTCDateTime

    dialect = sqlite.dialect()
    column = UTCDateTime().dialect_impl(dialect)  # as SQLAlchemy asks for the column's processor
    assert isinstance(column, UTCDateTime)
    quick = column.result_processor(dialect, None)
    impl = column.impl_instance.result_processor(dialect, None)  # SQLite's own text parsing
    assert quick is not None and impl is not None
    expected = column.process_result_value(impl(stored), dialect)
    got = quick(stored)
    assert got == expected and got is not None and got.utcoffset() == timedelta(0)
    assert quick(None) is None


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(AuditLog(at=datetime(2026, 1, 1), actor="x", action="a", entity_type="t", entity_id="1"))  # noqa: DTZ001
    with pytest.raises(Exception, match="naive"):
        session.flush()
    session.rollback()


def test_the_clock_is_injectable() -> None:
    c = FrozenClock(datetime(2026, 9, 30, 17, 0, tzinfo=UTC))
    with use_clock(c):
        assert utcnow() == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
        assert today_shanghai().isoformat() == "2026-10-01"  # 01:00 in Shanghai, National Day
        c.advance(timedelta(hours=1))
        assert to_shanghai(utcnow()).hour == 2
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(datetime(2026, 1, 1))  # noqa: DTZ001


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "README.md").read_text("utf-8") + (ROOT / "docs" / "configuration.md").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"ZHIFA_{name.upper()}" in docs, f"ZHIFA_{name.upper()} is not documented"


def test_a_read_session_never_waits_for_the_sqlite_write_lock(tmp_path: Path) -> None:
    """The live streams poll through ``read_session``: on SQLite a plain BEGIN reads a snapshot
    while a writer holds the lock, where the default (IMMEDIATE) session would queue behind it."""
    import time

    from zhifa.core.db import make_engine, read_session, session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE t (n INTEGER)"))
        c.execute(text("INSERT INTO t VALUES (1)"))
    writer = session_factory(engine)()
    writer.execute(text("INSERT INTO t VALUES (2)"))  # BEGIN IMMEDIATE: holds the write lock
    try:
        started = time.monotonic()
        with read_session(engine) as reader:
            assert reader.scalar(text("SELECT count(*) FROM t")) == 1  # the committed snapshot
        assert time.monotonic() - started < 2  # (the busy timeout is 10 s)
        impatient = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
        event.listen(impatient, "connect", lambda dbapi, _rec: dbapi.execute("PRAGMA busy_timeout=50"))
        blocked = session_factory(impatient)()
        with pytest.raises(OperationalError, match="locked"):
            blocked.execute(text("SELECT count(*) FROM t"))  # an ordinary session queues
        blocked.close()
        impatient.dispose()
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
