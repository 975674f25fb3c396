"""The SQLite write gate (``zhifa.core.sqlitegate``): writers queue on a ``flock`` beside the
database, taken before ``BEGIN IMMEDIATE`` and let go when the transaction ends — by commit,
rollback, close or a failed BEGIN — so no path leaves it held."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from zhifa.core import sqlitegate
from zhifa.core.db import make_engine, read_session, session_factory


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with eng.begin() as c:
        c.execute(text("CREATE TABLE t (n INTEGER)"))
    yield eng
    eng.dispose()


def _gated(session: Session) -> sqlitegate.GatedConnection:
    dbapi = session.connection().connection.dbapi_connection
    assert isinstance(dbapi, sqlitegate.GatedConnection)
    return dbapi


def test_a_writer_waits_at_the_gate_and_goes_on_at_the_commit(engine: Engine, tmp_path: Path) -> None:
    assert (tmp_path / "gate.db-writegate").exists()
    first = session_factory(engine)()
    first.execute(text("INSERT INTO t VALUES (1)"))
    first_dbapi = _gated(first)
    assert first_dbapi.holds_gate
    done: list[float] = []

    def second_writer() -> None:
        with session_factory(engine)() as s:
            s.execute(text("INSERT INTO t VALUES (2)"))
            s.commit()
        done.append(time.monotonic())

    t = threading.Thread(target=second_writer)
    t.start()
    time.sleep(0.3)
    assert done == []  # still waiting
    first.commit()
    assert not first_dbapi.holds_gate
    t.join(5)
    assert len(done) == 1
    with read_session(engine) as r:
        assert r.scalar(text("SELECT count(*) FROM t")) == 2
    first.close()


def test_rollback_close_and_a_read_leave_the_gate_free(engine: Engine) -> None:
    s = session_factory(engine)()
    s.execute(text("INSERT INTO t VALUES (1)"))
    s.rollback()
    s.execute(text("INSERT INTO t VALUES (1)"))
    s.close()  # the pool rolls the transaction back
    with read_session(engine) as r:
        r.scalar(text("SELECT count(*) FROM t"))
        other = session_factory(engine)()
        other.execute(text("INSERT INTO t VALUES (3)"))  # a read holds no gate: this goes at once
        other.commit()
        other.close()
    with read_session(engine) as r:
        assert r.scalar(text("SELECT n FROM t")) == 3


def test_a_writer_gives_up_after_the_busy_timeout(engine: Engine, tmp_path: Path) -> None:
    impatient = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    event.listen(impatient, "connect", lambda dbapi, _rec: dbapi.execute("PRAGMA busy_timeout=100"))
    holder = session_factory(engine)()
    holder.execute(text("INSERT INTO t VALUES (1)"))
    waiter = session_factory(impatient)()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        waiter.execute(text("INSERT INTO t VALUES (2)"))
    assert time.monotonic() - started < 5
    waiter.close()
    holder.commit()  # the holder is unharmed
    holder.close()
    impatient.dispose()


def test_no_gate_for_an_in_memory_database_or_when_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mem = make_engine("sqlite://")
    with mem.connect() as c:
        assert not isinstance(c.connection.dbapi_connection, sqlitegate.GatedConnection)
    mem.dispose()
    monkeypatch.setenv("ZHIFA_SQLITE_WRITE_GATE", "0")
    off = make_engine(f"sqlite:///{tmp_path / 'off.db'}")
    with off.begin() as c:
        c.execute(text("CREATE TABLE t (n INTEGER)"))
        assert not isinstance(c.connection.dbapi_connection, sqlitegate.GatedConnection)
    off.dispose()
    assert not (tmp_path / "off.db-writegate").exists()
