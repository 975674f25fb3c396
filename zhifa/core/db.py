"""Database plumbing: declarative base, UTC timestamps, engine and session factories, migrations.

One migration chain serves SQLite (embedded mode) and PostgreSQL (production). Services never
commit: the request or the command that owns the unit of work does (``session_scope``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from zhifa.core.clock import utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


#: A 64-bit id on PostgreSQL; INTEGER on SQLite, where only that type autoincrements as the rowid.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC on every database.

    SQLite keeps no zone, so values are normalised to UTC on the way in and marked UTC on the way
    out; a naive datetime is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store timezone-aware values")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        """On SQLite the stored text (UTC, no zone) is read with its zone in one step — about a
        seventh of the generic path's time (SQLAlchemy's text parsing, then ``replace(tzinfo=…)``,
        ≈ 0.7 against 0.1 µs a value here); any other text falls back to the generic path."""
        generic = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or generic is None:
            return generic
        fromiso = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if type(value) is str and len(value) >= 19 and value[10] == " " and "+" not in value[19:]:
                try:
                    return fromiso(value + "+00:00")
                except ValueError:
                    pass
            return generic(value)

        return process


def sqlite_time(t: datetime) -> str:
    """A timestamp as SQLAlchemy stores it on SQLite (``UTCDateTime``): UTC, no zone, always six
    decimals (``2026-11-29 00:00:00.000000``), so that text comparison orders like time."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("naive datetime refused: store timezone-aware values")
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    return t.isoformat(" ", "microseconds")[:-6]  # without its "+00:00" (quicker than replace())


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


#: The embedded store's settings, for every connection (``benchmarks/ingest.py``'s bare inserts
#: use the same). WAL with ``synchronous=NORMAL``: a commit survives the process being killed (not
#: a power cut before the next checkpoint's sync). A 16 MiB page cache per connection (SQLite's
#: default is 2 MiB) holds the event indexes' hot pages between batches, and the WAL is checkpointed
#: every 10,000 pages (≈ 40 MiB) instead of every 1,000, so that an index page written by many
#: batches is copied back to the database once: measured on 100,000 events into
#: ``sensing_event``, 20.0 → 11.5 µs a row (docs/performance.md, fifth session).
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-16384",
    "PRAGMA wal_autocheckpoint=10000",
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get("sqlite_readonly"):
        conn.exec_driver_sql("BEGIN")  # a pure read never upgrades, so it need not take the lock
        return
    # IMMEDIATE: take the write lock when the transaction starts. With a deferred BEGIN, a unit of
    # work that reads and then writes fails at once ("database is locked", SQLITE_BUSY_SNAPSHOT)
    # whenever another connection committed in between — the busy timeout does not help there.
    # The embedded mode trades concurrent read transactions for never failing a write.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    from zhifa.core.config import get_settings

    return engine_for(get_settings().resolved_database_url())


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = session_factory(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads only, always rolled back. On SQLite its transaction is a plain
    (deferred) ``BEGIN``: it reads a snapshot and never takes the write lock, so a live stream's
    polls — several a second per open page — never queue in front of a write (under load a
    poll holding the write lock while its thread waits for the interpreter starved the writers).
    Whatever is written through it is rolled back."""
    session = session_factory(engine)()
    try:
        session.connection(execution_options={"sqlite_readonly": True})
        yield session
    finally:
        session.rollback()
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    here = Path(__file__).resolve().parents[1] / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(here))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the newest revision (idempotent; every CLI command calls it)."""
    from alembic import command

    from zhifa.core.config import get_settings

    target = url or get_settings().resolved_database_url()
    command.upgrade(alembic_config(target), "head")
