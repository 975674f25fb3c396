"""The case supervision scanner across real processes (``zhifa cases scan --loop``): two scanners
racing over a few hundred cases whose deadlines are about to be warned of, missed or run out
(PostgreSQL: ``FOR UPDATE SKIP LOCKED`` on the claim plus the conditional UPDATE). Every warning,
missed flag, expiry, overdue step, alert and notification is written exactly once, and both
processes took part (each audit row names its scanner: ``by``).

Time is injected as in the dispatch scanner's process test (tests/dispatch/test_dispatch_workers.py):
the scanners run on the system clock, the cases are filed on a frozen clock set back in time, so
that their legal deadlines fall due around now."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.cases.conftest import USCC, _setup
from tests.dispatch.test_dispatch_workers import on_postgresql, summary, wait_connected
from tests.monitoring.conftest import Zhifa
from zhifa.cases import issuing, service
from zhifa.cases.issuing import IssuedRef
from zhifa.cases.models import Case, CaseAlert, CaseDeadline, CaseStep
from zhifa.core.audit import Actor, AuditLog
from zhifa.core.clock import SHANGHAI, FrozenClock, use_clock
from zhifa.core.db import make_engine, session_scope, upgrade
from zhifa.dispatch.models import Notification
from zhifa.legal.models import CalendarYear

O1 = Actor("O1", frozenset({"officer"}), "RD1")
NAMES = ("zhifa-test-cases-a", "zhifa-test-cases-b")


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


def _no_documents(session: Any, actor: Any, kind: str, context: Any, *, case_ref: str | None) -> IssuedRef:
    return IssuedRef(0, f"T-{case_ref}-{kind}")


def seed_world(eng: Engine, today: date) -> None:
    """The case world, and a schedule for any year the filings count working days in that has
    none (so that the test runs in any year; an empty schedule: weekends only)."""
    clock = FrozenClock(datetime.now(UTC))
    with use_clock(clock), session_scope(eng) as s:
        _setup(s, clock)
        have = set(s.scalars(select(CalendarYear.year)))
        for year in sorted({(today - timedelta(days=120)).year, today.year} - have):
            s.add(CalendarYear(year=year, source="test: weekends only", updated_by="test"))


def file_cases(eng: Engine, today: date, before_commit: Any) -> dict[str, list[int]]:
    """In one transaction: general cases filed 100 days ago (decision deadline missed), 88–90 days
    ago (about to be warned of), 30 days ago (nothing due); on-the-spot fines 20 days ago (the
    filing copy missed, the payment period run out: overdue). ``before_commit()`` runs last."""
    groups = {"missed": (100, 100), "warn": (89, 90), "quiet": (30, 20), "on_the_spot": (20, 100)}
    out: dict[str, list[int]] = {}
    clock = FrozenClock(datetime.now(UTC))
    with use_clock(clock), issuing.use_issuer(_no_documents), session_scope(eng) as s:
        for group, (days_ago, n) in groups.items():
            ids = []
            for i in range(n):
                back = days_ago + (i % 3 - 1 if group == "warn" else 0)  # 88, 89, 90 days
                clock.set(datetime.combine(today - timedelta(days=back), datetime.min.time(), SHANGHAI)
                          + timedelta(hours=9, seconds=i))  # fmt: skip
                data = {
                    "unit_code": "RD1",
                    "title": "未随车携带道路运输证",
                    "facts": "检查时未能出示道路运输证",
                    "item_code": "YS-001",
                    "party": {"id_no": USCC},
                }
                if group == "on_the_spot":
                    case = service.on_the_spot(s, O1, data | {"penalty": {"fine_yuan": "100"}}, issue_documents=False)
                else:
                    case = service.file_case(s, O1, data, issue_documents=False)
                ids.append(case.id)
            out[group] = ids
        before_commit()
    return out


def expected_now(eng: Engine) -> dict[str, set[int]]:
    """What a scan at this moment must find, from the deadlines as stored."""
    now = datetime.now(UTC)
    with eng.connect() as c:
        rows = c.execute(select(CaseDeadline.id, CaseDeadline.owner, CaseDeadline.warn_at, CaseDeadline.due_at)).all()
    return {
        "warned": {i for i, owner, warn_at, due_at in rows if warn_at is not None and warn_at <= now < due_at},
        "missed": {i for i, owner, _, due_at in rows if due_at <= now and owner == "agency"},
        "expired": {i for i, owner, _, due_at in rows if due_at <= now and owner != "agency"},
    }


def flagged(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(CaseAlert).where(CaseAlert.deadline_id.is_not(None))) or 0)


@on_postgresql
@pytest.mark.postgres_only
@pytest.mark.slow
def test_two_case_scanners_write_each_finding_exactly_once(procs: Zhifa, db: Engine) -> None:
    z = procs
    today = datetime.now(SHANGHAI).date()
    seed_world(db, today)
    workers = [
        z.start("cases", "scan", "--loop", "--interval", "0.05", "--batch", "10", name=n, env={"PGAPPNAME": n})
        for n in NAMES
    ]
    # Both scanners poll before anything is due (the cases are committed at once when both are
    # connected): then they race for every row.
    groups = file_cases(db, today, lambda: wait_connected(z, db, workers, NAMES, timeout_s=30))
    expected = expected_now(db)
    assert all(expected.values()), {k: len(v) for k, v in expected.items()}  # not vacuous
    # Who is told: a warning → the unit's leader; a missed deadline → the leader and the command
    # center; a run-out payment → the leader (in-app rows; _notify in zhifa/cases/scanner.py).
    with db.connect() as c:
        kinds = dict(c.execute(select(CaseDeadline.id, CaseDeadline.kind)).all())
    told = len(expected["warned"]) + 2 * len(expected["missed"])
    told += sum(1 for d in expected["expired"] if kinds[d] == "payment")
    total = sum(len(v) for v in expected.values())

    deadline = time.monotonic() + 45
    while flagged(db) < total:
        for p in workers:
            assert p.poll() is None, f"scanner died ({p.returncode}):\n{z.tail(p)}"
        assert time.monotonic() < deadline, f"{flagged(db)} of {total} findings after 45 s"
        time.sleep(0.2)
    time.sleep(1.0)  # give a double write the chance to show
    codes = [z.stop(p) for p in workers]
    assert codes == [0, 0], [z.tail(p) for p in workers]
    if expected_now(db) != expected:  # midnight in Shanghai passed during the test
        pytest.skip("a deadline boundary (Shanghai midnight) passed during the test")

    with db.connect() as c:
        status = dict(c.execute(select(CaseDeadline.id, CaseDeadline.status)).all())
        warned_at = dict(c.execute(select(CaseDeadline.id, CaseDeadline.warned_at)).all())
        alerts = Counter(c.execute(select(CaseAlert.kind, CaseAlert.deadline_id)).all())
        audits = c.execute(
            select(AuditLog.action, AuditLog.entity_id, AuditLog.after).where(
                AuditLog.actor == "system", AuditLog.entity_type == "case"
            )
        ).all()
        notes = Counter(
            c.execute(
                select(Notification.entity_id, Notification.round, Notification.step, Notification.audience).where(
                    Notification.entity_type == "case"
                )
            ).all()
        )
        overdue_steps = Counter(
            c.execute(select(CaseStep.case_id).where(CaseStep.action == "mark_overdue")).scalars().all()
        )
        states = Counter(c.execute(select(Case.state).where(Case.id.in_(groups["on_the_spot"]))).scalars().all())

    # Each deadline flipped once, with one alert of its kind.
    assert {d for d in expected["warned"] if warned_at[d] is None} == set()
    assert {d for d in expected["missed"] if status[d] != "missed"} == set()
    assert {d for d in expected["expired"] if status[d] != "expired"} == set()
    deadline_alerts = {(k, d): n for (k, d), n in alerts.items() if d is not None}
    want = {("warn", d) for d in expected["warned"]} | {("missed", d) for d in expected["missed"]}
    want |= {("expired", d) for d in expected["expired"]}
    assert set(deadline_alerts) == want and set(deadline_alerts.values()) == {1}
    # One audit row per finding, each naming its scanner; both scanners wrote some.
    per_finding = Counter(
        (action, eid, a.get("deadline"), a.get("unscheduled_year")) for action, eid, a in audits if a and "by" in a
    )
    assert [k for k, n in per_finding.items() if n != 1] == []
    assert sum(1 for a, *_ in per_finding if a in ("remind", "escalate", "expire")) == total
    by = Counter(a["by"] for _, _, a in audits if a and "by" in a)
    assert len(by) == 2, by
    # Notifications: once per finding and audience.
    assert [k for k, n in notes.items() if n != 1] == []
    assert sum(notes.values()) == told
    # Every on-the-spot fine unpaid after its period: overdue once.
    assert states == {"overdue": len(groups["on_the_spot"])}
    assert set(overdue_steps) == set(groups["on_the_spot"]) and set(overdue_steps.values()) == {1}

    # Each process's own account: disjoint, together everything, both non-empty.
    runs = [summary(z, p) for p in workers]
    for key, want_ids in (("warned_ids", "warned"), ("missed_ids", "missed"), ("expired_ids", "expired")):
        a, b = (set(r[key]) for r in runs)
        assert a.isdisjoint(b) and a | b == expected[want_ids], key
        assert len(runs[0][key]) + len(runs[1][key]) == len(expected[want_ids])
    assert all(len(r["warned_ids"]) + len(r["missed_ids"]) + len(r["expired_ids"]) for r in runs)
    assert {r["by"] for r in runs} == set(by)
    # Open cases whose deadlines may count into a year with no schedule yet: warned once each.
    a, b = (set(r["unscheduled_keys"]) for r in runs)
    with db.connect() as c:
        keys = set(c.scalars(select(CaseAlert.key).where(CaseAlert.kind == "unscheduled_year")))
    assert a.isdisjoint(b) and a | b == keys
    for p in workers:
        assert "case scan failed" not in z.tail(p, 10**8), z.tail(p)
        assert "not sent again" not in z.tail(p, 10**8), z.tail(p)
    print(
        f"\n{total} findings by two scanners: "
        f"{[len(r['warned_ids']) + len(r['missed_ids']) + len(r['expired_ids']) for r in runs]}; "
        f"lost races {[r['lost'] for r in runs]}"
    )
