"""Case supervision scanner: warns before each legal deadline of the authority, flags it when
missed, marks a party's period as run out (and an unpaid fine as overdue), and warns about open
cases whose deadlines run into a year with no working-day schedule — each finding exactly once,
however many scanners run.

Like the dispatch scanner (``zhifa/dispatch/scanner.py``): rows are claimed by indexed times
(``warn_at``, ``due_at``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that two scanners take
different rows), and each state flip is a conditional UPDATE — ``WHERE id = … AND status = 'open'
AND warned_at IS NULL`` — whose effects (an alert row, an audit row, an in-app notification) are
written only when it changed the row, in the same transaction. Alerts carry a unique key besides.
Each audit row names the scanner process that wrote it (``by``: host and process id).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhifa.cases import procedure, service
from zhifa.cases.models import Case, CaseAlert, CaseDeadline
from zhifa.core import audit
from zhifa.core.audit import SYSTEM
from zhifa.core.clock import utcnow
from zhifa.core.db import session_factory
from zhifa.dispatch import admin as dispatch_admin
from zhifa.dispatch import notify
from zhifa.legal import service as legal_service
from zhifa.legal.calendar import shanghai_date

log = logging.getLogger(__name__)


@dataclass
class ScanReport:
    warned: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    overdue_cases: list[int] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)
    lost: int = 0

    def findings(self) -> int:
        return len(self.warned) + len(self.missed) + len(self.expired) + len(self.unscheduled)

    def add(self, other: ScanReport) -> None:
        self.warned += other.warned
        self.missed += other.missed
        self.expired += other.expired
        self.overdue_cases += other.overdue_cases
        self.unscheduled += other.unscheduled
        self.lost += other.lost

    def details(self) -> dict[str, Any]:
        """What this process found, by id: a loop's summary (which scanner did what)."""
        return {
            "by": worker_id(),
            "warned_ids": self.warned,
            "missed_ids": self.missed,
            "expired_ids": self.expired,
            "overdue_case_ids": self.overdue_cases,
            "unscheduled_keys": self.unscheduled,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "warned": len(self.warned),
            "missed": len(self.missed),
            "expired": len(self.expired),
            "overdue_cases": len(self.overdue_cases),
            "unscheduled_year_warnings": len(self.unscheduled),
            "lost": self.lost,
        }


def worker_id() -> str:
    """The scanner process, as its audit rows name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _cas(session: Session, stmt: Any) -> int:
    result = cast(CursorResult[Any], session.execute(stmt.execution_options(synchronize_session=False)))
    return result.rowcount


def _claim(session: Session, q: Any) -> list[CaseDeadline]:
    """Rows to look at; on PostgreSQL locked (``SKIP LOCKED``: another scanner's rows are left to
    it). The scanner never waits for a lock, so it cannot deadlock with a user's step."""
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(session.scalars(q.execution_options(populate_existing=True)))


def _lock_case(session: Session, case_id: int) -> Case | None:
    """The case, locked like a user's step locks it (case first, then its deadlines: one lock
    order, no deadlock); on PostgreSQL a case another transaction holds is skipped this time."""
    q = select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
    q = q.with_for_update(skip_locked=True) if session.get_bind().dialect.name == "postgresql" else q.with_for_update()
    return session.scalar(q)


def _alert(
    session: Session, case_id: int, deadline_id: int | None, kind: str, key: str, message: str, now: datetime
) -> bool:
    """One alert row per key; False when it exists (a finding already made)."""
    try:
        with session.begin_nested():
            session.add(
                CaseAlert(key=key, case_id=case_id, deadline_id=deadline_id, kind=kind, message=message, at=now)
            )
    except IntegrityError:
        return False
    return True


def _notify(
    session: Session, cfg: Any, case: Case, d: CaseDeadline, kind: str, key: str, title: str, body: str, now: datetime
) -> None:
    audiences = [f"leader:{case.unit_code}"] + (["center"] if kind == "missed" else [])
    message = notify.Message(
        kind="reminder" if kind == "warn" else "escalation",
        entity_type="case",
        entity_id=case.id,
        title=title[:200],
        body=body,
        stage=d.kind[:16],
        step=kind[:16],
        round=d.id,
        payload={"case_no": case.case_no, "key": key, "due": d.due.isoformat()},
    )
    notify.emit(session, message, notify.targets(audiences, cfg), now)


def _scan_warnings(session: Session, now: datetime, cfg: Any, report: ScanReport, batch: int) -> int:
    rows = _claim(
        session,
        select(CaseDeadline)
        .where(
            CaseDeadline.status == "open",
            CaseDeadline.warn_at <= now,
            CaseDeadline.warned_at.is_(None),
            CaseDeadline.due_at > now,
        )
        .order_by(CaseDeadline.warn_at, CaseDeadline.id)
        .limit(batch),
    )
    for d in rows:
        case = _lock_case(session, d.case_id)
        changed = (
            0
            if case is None
            else _cas(
                session,
                update(CaseDeadline)
                .where(CaseDeadline.id == d.id, CaseDeadline.status == "open", CaseDeadline.warned_at.is_(None))
                .values(warned_at=now),
            )
        )
        if case is None or changed != 1:
            report.lost += 1
            continue
        rule = procedure.DEADLINES[d.kind]
        key = f"warn:{d.id}:{d.due.isoformat()}"
        msg = f"案件{case.case_no}：{rule.zh}期限将于{d.due.isoformat()}届满（{d.basis}）"
        if _alert(session, case.id, d.id, "warn", key, msg, now):
            _notify(session, cfg, case, d, "warn", key, f"案件{case.case_no}{rule.zh}期限将到", msg, now)
            after = {"deadline": d.kind, "due": d.due, "by": worker_id()}
            audit.record(session, SYSTEM, "remind", "case", case.id, None, after)
            report.warned.append(d.id)
    return len(rows)


def _scan_due(session: Session, now: datetime, cfg: Any, report: ScanReport, batch: int) -> int:
    rows = _claim(
        session,
        select(CaseDeadline)
        .where(CaseDeadline.status == "open", CaseDeadline.due_at <= now)
        .order_by(CaseDeadline.due_at, CaseDeadline.id)
        .limit(batch),
    )
    for d in rows:
        new = "missed" if d.owner == "agency" else "expired"
        case = _lock_case(session, d.case_id)
        changed = (
            0
            if case is None
            else _cas(
                session,
                update(CaseDeadline)
                .where(CaseDeadline.id == d.id, CaseDeadline.status == "open")
                .values(status=new, flagged_at=now),
            )
        )
        if case is None or changed != 1:
            report.lost += 1
            continue
        session.refresh(d)
        rule = procedure.DEADLINES[d.kind]
        key = f"{new}:{d.id}:{d.due.isoformat()}"
        if new == "missed":
            msg = f"案件{case.case_no}：{rule.zh}期限已于{d.due.isoformat()}届满而未完成（{d.basis}）"
            report.missed.append(d.id)
            title = f"案件{case.case_no}{rule.zh}已超期"
        else:
            msg = f"案件{case.case_no}：当事人{rule.zh}已于{d.due.isoformat()}届满"
            report.expired.append(d.id)
            title = f"案件{case.case_no}{rule.zh}已届满"
        if _alert(session, case.id, d.id, new, key, msg, now):
            audit.record(
                session,
                SYSTEM,
                "escalate" if new == "missed" else "expire",
                "case",
                case.id,
                None,
                {"deadline": d.kind, "due": d.due, "status": new, "by": worker_id()},
            )
            if new == "missed" or d.kind == "payment":
                _notify(session, cfg, case, d, new, key, title, msg, now)
        if d.kind == "payment" and case.state == "delivered":
            owed = service.outstanding(session, case, shanghai_date(now))
            if owed.due_now > 0:
                service.mark_overdue(session, SYSTEM, case)
                report.overdue_cases.append(case.id)
        service.refresh_next_deadline(session, case)
    return len(rows)


def _scan_unscheduled(session: Session, now: datetime, report: ScanReport) -> None:
    """Warn (never fail) about open cases whose deadlines would count into a year with no
    working-day schedule: the year must be entered before the case can go on there."""
    cal = legal_service.load_calendar(session)
    cfg = service.load_config(session)
    today = shanghai_date(now)
    horizon = today + timedelta(days=cfg.calendar_lookahead_days)
    # In id order: two scanners insert the same alert keys in the same order (no deadlock).
    rows = session.execute(
        select(Case.id, Case.case_no, Case.next_deadline).where(Case.state.in_(procedure.OPEN_STATES)).order_by(Case.id)
    ).all()
    # Warnings given before are not tried again (the unique key would refuse them anyway).
    given = set(session.scalars(select(CaseAlert.key).where(CaseAlert.kind == "unscheduled_year")))
    for case_id, case_no, nxt in rows:
        last: date = max(horizon, nxt) if nxt else horizon
        for year in cal.unscheduled_years(today, last):
            key = f"unscheduled:{case_id}:{year}"
            if key in given:
                continue
            msg = f"案件{case_no}的期限可能计入{year}年，该年节假日安排尚未录入：请管理员录入后方能计算该年的期限"
            if _alert(session, case_id, None, "unscheduled_year", key, msg, now):
                audit.record(
                    session, SYSTEM, "warn", "case", case_id, None, {"unscheduled_year": year, "by": worker_id()}
                )
                report.unscheduled.append(key)


def scan_once(target: Engine | Session, now: datetime | None = None, batch: int = 500) -> ScanReport:
    """One pass over every phase; a phase goes on batch after batch while a batch was full and
    changed something. With an engine each batch is its own transaction (committed); with a
    session everything only flushes (tests)."""
    now = now or utcnow()
    report = ScanReport()
    for phase in PHASES:
        while True:
            before = report.findings()
            if isinstance(target, Session):
                claimed = _phase(target, phase, now, report, batch)
                target.flush()
            else:
                with session_factory(target)() as session:
                    claimed = _phase(session, phase, now, report, batch)
                    session.commit()
            # Stop at a short batch, or at one whose rows were all another scanner's (lost).
            if claimed < batch or report.findings() == before:
                break
    return report


PHASES = ("due", "warn", "unscheduled")


def _phase(session: Session, phase: str, now: datetime, report: ScanReport, batch: int) -> int:
    """Run one batch of a phase; the rows it claimed (``0`` for the unscheduled-year phase, which
    looks at every open case at once)."""
    cfg = dispatch_admin.current_config(session)
    if phase == "due":
        return _scan_due(session, now, cfg, report, batch)
    if phase == "warn":
        return _scan_warnings(session, now, cfg, report, batch)
    _scan_unscheduled(session, now, report)
    return 0


def run_scanner(engine: Engine, stop_event: threading.Event, interval_s: float = 60.0, batch: int = 500) -> ScanReport:
    """Scan every ``interval_s`` until ``stop_event`` is set; returns the totals (``zhifa cases scan
    --loop``). A failed pass is logged and retried at the next interval (its batch rolled back)."""
    total = ScanReport()
    while not stop_event.is_set():
        try:
            total.add(scan_once(engine, batch=batch))
        except Exception:
            log.exception("case scan failed")
        stop_event.wait(interval_s)
    return total


def scan_job(engine: Engine) -> dict[str, Any]:
    """The worker's periodic job."""
    return scan_once(engine).as_dict()
