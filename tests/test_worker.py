"""The composed worker: periodic jobs beside event processing, and the daily housekeeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from zhifa.core.clock import FrozenClock, use_clock
from zhifa.core.config import get_settings
from zhifa.core.db import make_engine, session_factory, upgrade
from zhifa.monitoring.service import PeriodicJob, Worker
from zhifa.sensing.models import Event
from zhifa.worker import Housekeeping, make_worker


@pytest.fixture()
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHIFA_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def capture(n: int, at: datetime) -> Event:
    return Event(
        device_code="CAM1",
        event_id=f"e{n}",
        type="plate_capture",
        event_time=at,
        received_at=at,
        plate="苏L12345",
        plate_color="blue",
        payload={"plate": "苏L12345"},
        status="done",
        attempts=0,
        raised_lead=False,
    )


def test_housekeeping_runs_once_a_day_after_its_hour(fresh_db_url: str, var_dir: Path) -> None:
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    t0 = datetime(2026, 9, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 September in Shanghai
    with session_factory(engine)() as s:
        s.add_all([capture(1, t0 - timedelta(days=40)), capture(2, t0 - timedelta(days=400)), capture(3, t0)])
        s.commit()
    job = Housekeeping()
    clock = FrozenClock(t0)
    with use_clock(clock):
        assert job(engine) is None  # before 03:00 Shanghai: not yet
        clock.set(t0 + timedelta(hours=2))  # 03:30
        out = job(engine)
        assert out is not None
        assert out["archive"]["archived"] == 2, out  # both older than the 30-day hot window
        assert out["retention"]["archive_dropped"] == 1, out  # the 400-day-old capture raised no lead
        assert job(engine) is None  # once a day
        clock.set(t0 + timedelta(days=1, hours=2))
        assert job(engine) is not None  # the next day again
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Event)).scalar_one() == 1  # today's stays hot
    assert list((var_dir / "archive" / "events").glob("date=*/*.parquet"))
    engine.dispose()


def test_a_failing_job_is_retried_and_does_not_stop_the_worker(fresh_db_url: str) -> None:
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    calls: list[str] = []
    twice = threading.Event()

    def flaky(_: Any) -> None:
        calls.append("flaky")
        if len(calls) >= 2:
            twice.set()
        raise RuntimeError("boom")

    w = Worker(engine, idle_s=0.01, jobs=[PeriodicJob("flaky", 0.05, flaky)])
    w.start()
    try:
        assert twice.wait(10), calls
        assert w.is_alive()
    finally:
        w.stop()
        w.join(5)
    engine.dispose()


def test_the_composed_worker_runs_the_sla_scan(fresh_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    scanned = threading.Event()
    import zhifa.dispatch.scanner as scanner

    real = scanner.scan_once

    def spy(bind: Any, *a: Any, **kw: Any) -> Any:
        r = real(bind, *a, **kw)
        scanned.set()
        return r

    monkeypatch.setattr(scanner, "scan_once", spy)
    w = make_worker(engine)
    assert [j.name for j in w.jobs] == [
        "device heartbeat scan",
        "dispatch SLA scan",
        "case deadline scan",
        "archive and retention",
    ]
    w.start()
    try:
        assert scanned.wait(15)
    finally:
        w.stop()
        w.join(5)
    engine.dispose()
