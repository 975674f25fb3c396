"""The SLA scanner: sends each reminder and escalation exactly once, however many scanners run.

Every row with deadlines (task, hotline report, off-site case) keeps a cursor into its list of
steps (pure: ``sla.plan``) and the time of the next one in an indexed column,
``next_reminder_at``. A scan:

1. claims rows whose ``next_reminder_at`` has come (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
   two scanners take different rows; SQLite has one writer at a time);
2. decides, purely, which steps fire at ``now`` and which are skipped (``sla.advance``);
3. moves the cursor with a conditional UPDATE — ``WHERE id = … AND sla_cursor = <seen> AND
   state = <seen>`` — and only if that UPDATE changed the row writes the notifications and the
   audit rows, in the same transaction. A scanner that lost a race changes nothing; a scanner
   that dies rolls back its notifications together with its cursor.

Notifications carry a unique ``dedup_key`` besides, so even a bug in step 3 could not send a step
twice. Webhook and SMS rows are delivered after the scan's commit (``notify.deliver_pending``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import SYSTEM
from zhifa.core.clock import to_shanghai, utcnow
from zhifa.core.db import session_factory
from zhifa.dispatch import admin, notify, sla
from zhifa.dispatch.config import DispatchConfig
from zhifa.dispatch.hotline import reply_steps
from zhifa.dispatch.models import HotlineReport, OffsiteCase, Task, TaskOfficer
from zhifa.dispatch.service import steps_for
from zhifa.monitoring.models import Lead
from zhifa.org.models import Officer, Unit

log = logging.getLogger(__name__)


@dataclass
class ScanReport:
    claimed: int = 0
    #: Steps fired, as ``entity:id:round:stage:step``.
    fired: list[str] = field(default_factory=list)
    skipped: int = 0
    #: Conditional updates that changed nothing (another scanner or a user got there first).
    lost: int = 0
    notifications: int = 0
    delivered: dict[str, int] = field(default_factory=dict)

    def add(self, other: ScanReport) -> None:
        self.claimed += other.claimed
        self.fired += other.fired
        self.skipped += other.skipped
        self.lost += other.lost
        self.notifications += other.notifications
        for k, v in other.delivered.items():
            self.delivered[k] = self.delivered.get(k, 0) + v

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "fired": len(self.fired),
            "skipped": self.skipped,
            "lost": self.lost,
            "notifications": self.notifications,
            "delivered": self.delivered,
        }


def _compare_and_set(session: Session, stmt: Any) -> int:
    """Run a conditional UPDATE; the number of rows it changed (0: someone else got there first)."""
    result = cast(CursorResult[Any], session.execute(stmt.execution_options(synchronize_session=False)))
    return result.rowcount


def _claim(session: Session, q: Any) -> list[Any]:
    q = q.execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(session.scalars(q))


class Recipients:
    """Who hears about a step: in-app audiences and SMS numbers (leaders' and on-duty command
    center officers' phones from the officer register)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._leaders: dict[str, list[tuple[str, str]]] = {}
        self._center: list[tuple[str, str]] | None = None

    def leader_phones(self, unit: str) -> list[tuple[str, str]]:
        if unit not in self._leaders:
            rows = self.session.scalars(select(Officer).where(Officer.unit_code == unit, Officer.phone.is_not(None)))
            self._leaders[unit] = [(f"leader:{unit}", o.phone) for o in rows if "leader" in o.roles and o.phone]
        return self._leaders[unit]

    def center_phones(self) -> list[tuple[str, str]]:
        if self._center is None:
            centers = select(Unit.code).where(Unit.kind == "command_center")
            rows = self.session.scalars(
                select(Officer).where(
                    Officer.unit_code.in_(centers), Officer.on_duty.is_(True), Officer.phone.is_not(None)
                )
            )
            self._center = [("center", o.phone) for o in rows if "duty_officer" in o.roles and o.phone]
        return self._center

    def for_step(
        self, step: sla.Step, unit: str | None, officers: list[str]
    ) -> tuple[list[str], list[tuple[str, str]]]:
        if step.kind == "remind":
            if step.stage in ("arrive", "feedback") and officers:
                return [f"officer:{c}" for c in officers], []
            if step.stage in ("reply", "notice") or unit is None:
                return ["center"], []
            return [f"leader:{unit}"], []
        if step.kind == "leader" and unit is not None:
            return [f"leader:{unit}"], self.leader_phones(unit)
        audiences = ["center"] + ([f"leader:{unit}"] if step.stage == "reply" and unit else [])
        return audiences, self.center_phones()


def _when(value: datetime) -> str:
    return to_shanghai(value).strftime("%m-%d %H:%M")


def _emit(
    session: Session,
    report: ScanReport,
    cfg: DispatchConfig,
    recipients: Recipients,
    now: datetime,
    *,
    entity_type: str,
    entity_id: int,
    round_: int,
    step: sla.Step,
    unit: str | None,
    officers: list[str],
    what: str,
    payload: dict[str, Any],
) -> None:
    audiences, phones = recipients.for_step(step, unit, officers)
    kind = "reminder" if step.kind == "remind" else "escalation"
    verb = "将到期" if step.kind == "remind" else "已超时"
    message = notify.Message(
        kind=kind,
        entity_type=entity_type,
        entity_id=entity_id,
        title=f"{what}{sla.STAGE_ZH[step.stage]}{verb}"[:200],
        body=f"{sla.STAGE_ZH[step.stage]}时限 {_when(step.due)}；{sla.STEP_ZH[step.kind]}",
        stage=step.stage,
        step=step.kind,
        round=round_,
        payload=payload | {"due": step.due.isoformat(), "unit": unit},
    )
    rows = notify.emit(session, message, notify.targets(audiences, cfg, phones), now)
    report.notifications += len(rows)
    report.fired.append(f"{entity_type}:{entity_id}:{round_}:{step.stage}:{step.kind}")
    audit.record(
        session,
        SYSTEM,
        "remind" if step.kind == "remind" else "escalate",
        entity_type,
        entity_id,
        None,
        {"stage": step.stage, "step": step.kind, "round": round_, "due": step.due, "audiences": audiences},
    )


def _scan_tasks(session: Session, now: datetime, cfg: DispatchConfig, batch: int, report: ScanReport) -> int:
    tasks = _claim(
        session,
        select(Task).where(Task.next_reminder_at <= now).order_by(Task.next_reminder_at, Task.id).limit(batch),
    )
    if not tasks:
        return 0
    recipients = Recipients(session)
    officers: dict[int, list[str]] = {}
    for task_id, code in session.execute(
        select(TaskOfficer.task_id, TaskOfficer.officer_code).where(TaskOfficer.task_id.in_([t.id for t in tasks]))
    ):
        officers.setdefault(task_id, []).append(code)
    for task in tasks:
        report.claimed += 1
        d = sla.advance(steps_for(task), task.sla_cursor, sla.pending_stages(task.state), now)
        changed = _compare_and_set(
            session,
            update(Task)
            .where(
                Task.id == task.id,
                Task.sla_cursor == task.sla_cursor,
                Task.sla_round == task.sla_round,
                Task.state == task.state,
            )
            .values(sla_cursor=d.cursor, next_reminder_at=d.next_at),
        )
        if changed != 1:
            report.lost += 1
            continue
        report.skipped += len(d.skip)
        for step in d.fire:
            _emit(
                session,
                report,
                cfg,
                recipients,
                now,
                entity_type="task",
                entity_id=task.id,
                round_=task.sla_round,
                step=step,
                unit=task.unit_code,
                officers=sorted(officers.get(task.id, [])),
                what=f"指令{task.id}",
                payload={"task": task.id, "lead": task.lead_id, "title": task.title},
            )
        session.expire(task)
    return len(tasks)


def _scan_hotline(session: Session, now: datetime, cfg: DispatchConfig, batch: int, report: ScanReport) -> int:
    rows = _claim(
        session,
        select(HotlineReport)
        .where(HotlineReport.next_reminder_at <= now, HotlineReport.replied_at.is_(None))
        .order_by(HotlineReport.next_reminder_at, HotlineReport.id)
        .limit(batch),
    )
    recipients = Recipients(session)
    for r in rows:
        report.claimed += 1
        d = sla.advance(reply_steps(r, cfg.hotline_remind_before_hours), r.sla_cursor, frozenset({"reply"}), now)
        changed = _compare_and_set(
            session,
            update(HotlineReport)
            .where(
                HotlineReport.id == r.id, HotlineReport.sla_cursor == r.sla_cursor, HotlineReport.replied_at.is_(None)
            )
            .values(sla_cursor=d.cursor, next_reminder_at=d.next_at),
        )
        if changed != 1:
            report.lost += 1
            continue
        report.skipped += len(d.skip)
        unit = session.scalar(select(Lead.unit_code).where(Lead.id == r.lead_id))
        for step in d.fire:
            _emit(
                session,
                report,
                cfg,
                recipients,
                now,
                entity_type="hotline_report",
                entity_id=r.id,
                round_=0,
                step=step,
                unit=unit,
                officers=[],
                what=f"{r.source}工单{r.ticket_no or r.id}",
                payload={"report": r.id, "lead": r.lead_id, "source": r.source},
            )
        session.expire(r)
    return len(rows)


def _scan_offsite(session: Session, now: datetime, cfg: DispatchConfig, batch: int, report: ScanReport) -> int:
    rows = _claim(
        session,
        select(OffsiteCase)
        .where(OffsiteCase.next_reminder_at <= now, OffsiteCase.state == "notified")
        .order_by(OffsiteCase.next_reminder_at, OffsiteCase.id)
        .limit(batch),
    )
    recipients = Recipients(session)
    for c in rows:
        report.claimed += 1
        assert c.deadline_at is not None
        d = sla.advance(sla.notice_plan(c.deadline_at), c.sla_cursor, frozenset({"notice"}), now)
        values: dict[str, Any] = {"sla_cursor": d.cursor, "next_reminder_at": d.next_at}
        if d.fire:
            values["state"] = "overdue"
        changed = _compare_and_set(
            session,
            update(OffsiteCase)
            .where(OffsiteCase.id == c.id, OffsiteCase.sla_cursor == c.sla_cursor, OffsiteCase.state == "notified")
            .values(**values),
        )
        if changed != 1:
            report.lost += 1
            continue
        report.skipped += len(d.skip)
        if d.fire:
            audit.record(
                session,
                SYSTEM,
                "transition",
                "offsite_case",
                c.id,
                {"state": "notified"},
                {"state": "overdue"},
                note=f"notice deadline {c.deadline_at.isoformat()} passed without the party coming in",
            )
        for step in d.fire:
            _emit(
                session,
                report,
                cfg,
                recipients,
                now,
                entity_type="offsite_case",
                entity_id=c.id,
                round_=0,
                step=step,
                unit=c.unit_code,
                officers=[],
                what=f"非现场执法{c.notice_no or c.id}（{c.subject}）",
                payload={"case": c.id, "lead": c.lead_id, "notice_no": c.notice_no},
            )
        session.expire(c)
    return len(rows)


def _scan(session: Session, now: datetime, batch: int) -> tuple[ScanReport, bool]:
    """One batch of each kind; ``True`` when a batch was full (more may be due)."""
    cfg = admin.current_config(session)
    report = ScanReport()
    full = False
    for scan in (_scan_tasks, _scan_hotline, _scan_offsite):
        full |= scan(session, now, cfg, batch, report) >= batch
    session.flush()
    return report, full


def scan_once(
    bind: Session | Engine, now: datetime | None = None, batch: int = 200, deliver: bool = True
) -> ScanReport:
    """Fire every step due at ``now`` (default: the clock) and deliver pending webhook/SMS rows.

    Given an engine, each batch is its own transaction (committed) and delivery runs after it.
    Given a session (tests, or a caller owning the unit of work), everything happens in it,
    flushed, not committed."""
    report = ScanReport()
    if isinstance(bind, Session):
        when = now or utcnow()
        while True:
            r, full = _scan(bind, when, batch)
            report.add(r)
            if not full:
                break
        if deliver:
            report.delivered = notify.deliver_pending(bind, admin.current_config(bind), when)
        return report
    factory = session_factory(bind)
    while True:
        with factory() as session:
            when = now or utcnow()
            r, full = _scan(session, when, batch)
            session.commit()
        report.add(r)
        if not full:
            break
    if deliver:
        with factory() as session:
            report.delivered = notify.deliver_pending(session, admin.current_config(session), now or utcnow())
            session.commit()
    return report


def run_scanner(engine: Engine, stop_event: threading.Event, interval_s: float = 5.0, batch: int = 200) -> ScanReport:
    """Scan every ``interval_s`` until ``stop_event`` is set; returns the totals. A failed scan is
    logged and retried at the next interval (its transaction rolled back: nothing half-sent)."""
    total = ScanReport()
    while not stop_event.is_set():
        try:
            total.add(scan_once(engine, batch=batch))
        except Exception:
            log.exception("dispatch scan failed")
        stop_event.wait(interval_s)
    return total
