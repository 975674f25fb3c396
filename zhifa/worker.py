"""The background worker, composed: sensor events → leads (monitoring), device heartbeats, the
dispatch SLA scan (reminders and escalations), and once a day the archive and the retention.

``zhifa serve`` runs one in a process of its own beside the server (it exits with the server);
production runs ``zhifa worker`` processes against PostgreSQL, any number of them: events are
claimed with ``SKIP LOCKED``, SLA steps flip with conditional updates, the archive serialises
itself with a lock.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import Engine

from zhifa.core.clock import to_shanghai, today_shanghai, utcnow
from zhifa.core.config import get_settings
from zhifa.monitoring.service import PeriodicJob, Worker, heartbeat_job, warm_up

log = logging.getLogger(__name__)


def dispatch_scan_job(engine: Engine) -> Any:
    from zhifa.dispatch.scanner import scan_once

    return scan_once(engine)


def case_scan_job(engine: Engine) -> Any:
    from zhifa.cases.scanner import scan_job

    return scan_job(engine)


class Housekeeping:
    """The daily archive (raw events past the hot window → Parquet) and retention (captures that
    raised no lead, past the retention period, dropped): once per Shanghai calendar day, at the
    first run after ``housekeeping_hour``."""

    def __init__(self) -> None:
        self.last_day: date | None = None

    def __call__(self, engine: Engine) -> dict[str, Any] | None:
        from zhifa.core.audit import SYSTEM
        from zhifa.core.db import session_factory
        from zhifa.sensing.archive import apply_retention, archive_events

        settings = get_settings()
        day = today_shanghai()
        if self.last_day == day or to_shanghai(utcnow()).hour < settings.housekeeping_hour:
            return None
        out: dict[str, Any] = {}
        with session_factory(engine)() as session:
            out["archive"] = archive_events(session, SYSTEM, older_than_days=settings.archive_hot_days)
            session.commit()
        with session_factory(engine)() as session:
            out["retention"] = apply_retention(session, SYSTEM, keep_days=settings.retention_days)
            session.commit()
        self.last_day = day
        log.info("housekeeping %s: %s", day, out)
        return out


def make_worker(engine: Engine) -> Worker:
    settings = get_settings()
    return Worker(
        engine,
        jobs=[
            PeriodicJob("device heartbeat scan", 30.0, heartbeat_job),
            PeriodicJob("dispatch SLA scan", settings.scan_interval_s, dispatch_scan_job),
            PeriodicJob("case deadline scan", 60.0, case_scan_job),
            PeriodicJob("archive and retention", 300.0, Housekeeping()),
        ],
    )


def name_process(name: str) -> None:
    """Show the process as ``name`` in ``ps``/``top`` (Linux; elsewhere nothing happens)."""
    try:
        with open("/proc/self/comm", "w") as comm:
            comm.write(name[:15])
    except OSError:
        pass


def _worker_main(parent_pid: int) -> None:
    """Body of the worker process started by ``zhifa serve``: work until the parent is gone."""
    import os
    import signal

    from zhifa.core.db import get_engine
    from zhifa.core.runtime import settle_heap

    name_process("zhifa-worker")
    w = make_worker(get_engine())
    warm_up(get_engine())
    settle_heap()
    signal.signal(signal.SIGTERM, lambda *_: w.stop())
    w.start()
    while w.is_alive():
        if os.getppid() != parent_pid:  # the server died (even by SIGKILL): stop with it
            w.stop()
        w.join(0.5)


def start_worker_process() -> Any:
    import multiprocessing
    import os

    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_worker_main, args=(os.getpid(),), name="zhifa-worker", daemon=True)
    proc.start()
    return proc
