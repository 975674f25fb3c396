"""The scanner across real processes (``zhifa dispatch scan``): every reminder and escalation
exactly once — run again and again (SQLite and PostgreSQL), and by two scanner processes racing
over the same due rows (PostgreSQL: ``FOR UPDATE SKIP LOCKED`` plus the conditional UPDATE)."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from tests.dispatch.conftest import build_world
from tests.monitoring.conftest import Zhifa
from zhifa.core.audit import Actor, AuditLog
from zhifa.core.clock import FrozenClock, use_clock
from zhifa.core.db import make_engine, session_scope, upgrade
from zhifa.dispatch import service
from zhifa.dispatch.models import Notification

DUTY = Actor(username="duty", roles=frozenset({"duty_officer"}), unit_code="CC")
#: inspection / normal (seeded): accept 30 min, arrive 120, feedback 1440; remind 10 min before;
#: the command center 60 min after. Two days after dispatch every escalation is due and every
#: reminder is too late to send: six steps per task.
PAST_DUE_STEPS = (
    "accept:leader",
    "accept:center",
    "arrive:leader",
    "arrive:center",
    "feedback:leader",
    "feedback:center",
)

on_postgresql = pytest.mark.skipif(
    os.environ.get("ZHIFA_TEST_DB", "sqlite").lower() != "postgresql",
    reason="two scanner processes claim rows with FOR UPDATE SKIP LOCKED: PostgreSQL (ZHIFA_TEST_DB=postgresql)",
)


@pytest.fixture()
def procs(fresh_db_url: str, tmp_path: Path) -> Iterator[Zhifa]:
    upgrade(fresh_db_url)
    z = Zhifa(fresh_db_url, tmp_path)
    try:
        yield z
    finally:
        z.close()


@pytest.fixture()
def db(procs: Zhifa) -> Iterator[Engine]:
    eng = make_engine(procs.db_url)
    yield eng
    eng.dispose()


def seed_world(eng: Engine) -> None:
    clock = FrozenClock(datetime.now(UTC))
    with use_clock(clock), session_scope(eng) as s:
        build_world(s, clock)


def add_tasks(eng: Engine, dispatched_at: list[datetime], first: int = 0) -> list[int]:
    """One lead and one task per time, dispatched at that (past) time, in one transaction."""
    clock = FrozenClock(dispatched_at[0])
    ids = []
    with use_clock(clock), session_scope(eng) as s:
        from tests.dispatch.conftest import World

        w = World(s, clock)
        for i, when in enumerate(dispatched_at):
            clock.set(when)
            lead = w.lead(subject=f"苏L{first + i:05d}/yellow")
            ids.append(service.dispatch_lead(s, DUTY, lead.id)[0].id)
    return ids


def fired_in_db(eng: Engine) -> Counter[str]:
    """Steps fired, by their audit rows (one per fired step; no unique key guards these)."""
    with eng.connect() as c:
        rows = c.execute(
            select(AuditLog.entity_id, AuditLog.after).where(
                AuditLog.actor == "system", AuditLog.action.in_(("remind", "escalate")), AuditLog.entity_type == "task"
            )
        ).all()
    return Counter(f"task:{eid}:{a['round']}:{a['stage']}:{a['step']}" for eid, a in rows)


def summary(z: Zhifa, p: Any) -> dict[str, Any]:
    lines = [ln for ln in z.tail(p, 10**8).splitlines() if ln.startswith("{")]
    assert lines, f"no summary from {p.pid}:\n{z.tail(p)}"
    return dict(json.loads(lines[-1]))


def test_cli_scan_sends_each_step_once(procs: Zhifa, db: Engine) -> None:
    z = procs
    seed_world(db)
    now = datetime.now(UTC)
    ids = add_tasks(db, [now - timedelta(days=2)] * 5)
    expected = {f"task:{t}:0:{step}" for t in ids for step in PAST_DUE_STEPS}
    first = json.loads(z.run("dispatch", "scan").stdout.strip().splitlines()[-1])
    assert first["fired"] == len(expected) == 30
    assert first["claimed"] == 5 and first["lost"] == 0
    # Every escalation here also goes by SMS (to L1, RD1's leader, or to D1, on duty at the center).
    assert first["delivered"] == {"sent": 30, "retry": 0, "failed": 0}
    again = json.loads(z.run("dispatch", "scan").stdout.strip().splitlines()[-1])
    assert again["fired"] == 0 and again["claimed"] == 0 and again["delivered"]["sent"] == 0
    assert set(fired_in_db(db)) == expected and all(n == 1 for n in fired_in_db(db).values())
    with db.connect() as c:
        per_channel = dict(c.execute(select(Notification.channel, func.count()).group_by(Notification.channel)).all())
    assert per_channel == {"inapp": 30, "sms": 30}


def wait_connected(z: Zhifa, db: Engine, workers: list[Any], names: Sequence[str], timeout_s: float) -> None:
    """Wait until every scanner process (each with its own ``PGAPPNAME``) holds a connection; stop
    with the log of one that died."""
    deadline = time.monotonic() + timeout_s
    while True:
        for p in workers:
            assert p.poll() is None, f"scanner died ({p.returncode}):\n{z.tail(p)}"
        with db.connect() as c:
            up = set(
                c.execute(
                    text(
                        "SELECT application_name FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = ANY(:n)"
                    ),
                    {"n": list(names)},
                ).scalars()
            )
        if up == set(names):
            return
        assert time.monotonic() < deadline, f"scanners not connected after {timeout_s:.0f} s: {up}"
        time.sleep(0.1)


@on_postgresql
@pytest.mark.postgres_only
@pytest.mark.slow
def test_two_scanner_processes_send_each_step_exactly_once(procs: Zhifa, db: Engine) -> None:
    z = procs
    seed_world(db)
    names = ("zhifa-test-scanner-a", "zhifa-test-scanner-b")
    workers = [
        z.start("dispatch", "scan", "--loop", "--interval", "0.05", "--batch", "10", name=n, env={"PGAPPNAME": n})
        for n in names
    ]
    # Both scanners are up and polling (connected) before any row is due: then they race for it.
    wait_connected(z, db, workers, names, timeout_s=60)

    # 400 tasks long past due (six escalations each), committed at once; and 100 whose acceptance
    # reminder falls due one by one over the next ten seconds, while both scanners poll.
    now = datetime.now(UTC)
    past = add_tasks(db, [now - timedelta(days=2, seconds=i) for i in range(400)])
    soon = add_tasks(db, [now - timedelta(minutes=20) + timedelta(seconds=3 + i * 0.1) for i in range(100)], first=400)
    expected = {f"task:{t}:0:{step}" for t in past for step in PAST_DUE_STEPS}
    expected |= {f"task:{t}:0:accept:remind" for t in soon}

    deadline = time.monotonic() + 240
    while len(fired_in_db(db)) < len(expected):
        for p in workers:
            assert p.poll() is None, f"scanner died ({p.returncode}):\n{z.tail(p)}"
        assert time.monotonic() < deadline, f"{len(fired_in_db(db))} of {len(expected)} steps after 240 s"
        time.sleep(0.2)
    time.sleep(1.0)  # give a double send the chance to show
    codes = [z.stop(p) for p in workers]
    assert codes == [0, 0], [z.tail(p) for p in workers]

    fired = fired_in_db(db)
    assert set(fired) == expected
    assert [k for k, n in fired.items() if n != 1] == []
    runs = [summary(z, p) for p in workers]
    by_worker = [set(r["fired_steps"]) for r in runs]
    assert by_worker[0].isdisjoint(by_worker[1]), sorted(by_worker[0] & by_worker[1])[:5]
    assert sum(len(r["fired_steps"]) for r in runs) == len(expected)
    assert by_worker[0] | by_worker[1] == expected
    assert all(by_worker), [len(b) for b in by_worker]  # both took part
    for p in workers:
        assert "dispatch scan failed" not in z.tail(p, 10**8), z.tail(p)
    with db.connect() as c:
        inapp = c.scalar(select(func.count()).select_from(Notification).where(Notification.channel == "inapp"))
        sms = c.execute(select(Notification.state, Notification.attempts).where(Notification.channel == "sms")).all()
    assert inapp == len(expected)  # one audience per step here (no officers assigned)
    assert len(sms) == 400 * 6 and set(sms) == {("sent", 1)}  # each SMS handed to the adapter once
    print(
        f"\n{len(expected)} steps by two scanners: {[len(b) for b in by_worker]}; "
        f"lost races {[r['lost'] for r in runs]}; claimed {[r['claimed'] for r in runs]}"
    )
