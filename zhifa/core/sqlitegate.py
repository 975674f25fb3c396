"""A write gate for the embedded SQLite database: one ``flock`` on a file beside the database,
taken before ``BEGIN IMMEDIATE`` and let go once the transaction has committed or rolled back.

Why: SQLite's own wait for its write lock is a busy handler that sleeps and polls — 1, 2, 5, 10,
15, 20, 25 … 100 ms — so a writer that finds the lock taken for 5 ms often sleeps 8 ms or more
after it was freed. Under ingestion the API process and the rule worker take turns at the lock
every few milliseconds, and those sleeps add up. Waiting on the gate instead wakes the next
writer within a fraction of a millisecond of the last one's commit.

The gate only orders writers that use it; SQLite's own lock stays the guarantee (a writer that
bypasses the gate — another program, a deferred transaction that upgrades — still waits for
SQLite's lock, never the reverse: no connection holds SQLite's write lock while it waits at the
gate, so the two cannot deadlock). A writer waits at most the busy timeout, then fails as SQLite
would: ``sqlite3.OperationalError: database is locked``.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

#: How long a writer waits at the gate before failing (the same as SQLite's busy timeout).
WAIT_S = 10.0
#: Polling steps while the gate is taken: short, so the next writer starts soon after a commit.
_FIRST_SLEEP_S = 0.0002
_MAX_SLEEP_S = 0.002


class GatedConnection(sqlite3.Connection):
    """A pysqlite connection that holds the gate from :meth:`enter` until its transaction ends
    (``commit``, ``rollback`` or ``close``). Made by ``sqlite3.connect(..., factory=...)``."""

    gate_path: str | None = None
    _gate_fd: int | None = None
    _held = False
    _wait_s = WAIT_S

    def enter(self) -> None:
        """Take the gate (before ``BEGIN IMMEDIATE``), waiting at most the connection's busy
        timeout."""
        if self._held or self.gate_path is None:
            return
        if self._gate_fd is None:
            self._gate_fd = os.open(self.gate_path, os.O_RDWR | os.O_CREAT, 0o600)
            row = self.execute("PRAGMA busy_timeout").fetchone()
            self._wait_s = row[0] / 1000 if row and row[0] else WAIT_S
        fd = self._gate_fd
        wait_s = self._wait_s
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            deadline = time.monotonic() + wait_s
            pause = _FIRST_SLEEP_S
            while True:
                time.sleep(pause)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise sqlite3.OperationalError("database is locked (write gate)") from None
                    pause = min(pause * 2, _MAX_SLEEP_S)
        self._held = True

    def leave(self) -> None:
        if self._held and self._gate_fd is not None:
            fcntl.flock(self._gate_fd, fcntl.LOCK_UN)
        self._held = False

    @property
    def holds_gate(self) -> bool:
        return self._held

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self.leave()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            if not self.in_transaction:
                self.leave()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave()
            if self._gate_fd is not None:
                os.close(self._gate_fd)
                self._gate_fd = None


def gate_path_for(database: str) -> str | None:
    """The gate's file for a database file (``None`` for an in-memory database)."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return str(database) + "-writegate"


def on_connect(dbapi_connection: Any, database: str) -> None:
    if isinstance(dbapi_connection, GatedConnection):
        dbapi_connection.gate_path = gate_path_for(database)
