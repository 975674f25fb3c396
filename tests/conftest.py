"""Shared fixtures. The suite runs against SQLite (default) and PostgreSQL
(``ZHIFA_TEST_DB=postgresql``); each run creates its own uniquely named database and drops it.

* ``engine``: a migrated database for the whole run.
* ``session``: one test's unit of work inside a transaction that is rolled back afterwards.
* ``client``: the API over that same rolled-back connection.
* ``clock``: a frozen clock installed for the test.
* ``cw``, ``cw_real_docs``: a case world (``tests/case_fixtures.py``).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from zhifa.core.clock import FrozenClock, use_clock
from zhifa.core.db import make_engine, upgrade

pytest_plugins = ["tests.case_fixtures"]

PG_ADMIN_URL = os.environ.get("ZHIFA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATA = Path(__file__).parent / "data"


def _db_kind() -> str:
    return os.environ.get("ZHIFA_TEST_DB", "sqlite").lower()


def pytest_report_header(config: pytest.Config) -> str:
    return f"zhifa test database: {_db_kind()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if {"engine", "session", "client", "db_url", "fresh_db_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@contextmanager
def _fresh_database(tmp: Path) -> Iterator[str]:
    if _db_kind() == "sqlite":
        yield f"sqlite:///{tmp / 'zhifa-test.db'}"
        return
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {PG_ADMIN_URL} is unreachable")
        sys.stderr.write("\nNOTICE: PostgreSQL not reachable; PostgreSQL tests skipped\n")
        pytest.skip("PostgreSQL not reachable on this machine")
    name = f"zhifa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, uniquely named database for this run (dropped afterwards)."""
    with _fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture()
def fresh_db_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (for tests that span processes), not yet migrated."""
    with _fresh_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    conn = engine.connect()
    trans = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        trans.rollback()
        conn.close()


@pytest.fixture(autouse=True)
def _device_keys_forgotten() -> None:
    """Each test starts with no device key remembered by this process (``sensing.service``
    keeps resolved keys for 5 s; tests reuse keys across databases and roll their devices back)."""
    from zhifa.sensing.service import forget_device_keys

    forget_device_keys()


@pytest.fixture()
def clock() -> Iterator[FrozenClock]:
    c = FrozenClock(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    with use_clock(c):
        yield c


@pytest.fixture()
def client(session: Session):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from zhifa.app import create_app
    from zhifa.core.api import get_session

    app = create_app()

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as c:
        yield c
