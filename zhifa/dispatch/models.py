"""Dispatch tables: tasks and their transitions, assignments, feedback and evidence; the SLA
ladder and settings; notifications; response plans and officer positions; hotline reports;
off-site cases and their evidence reviews; and the lead triage rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, UTCDateTime


class Task(Base):
    """指令: one piece of work dispatched to one unit, with its SLA due times."""

    __tablename__ = "dispatch_task"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_lead.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False, index=True)
    #: The unit routing named, and why; differs from ``unit_code`` only after an override.
    routed_unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    routing_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_response_plan.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    instructions: Mapped[str | None] = mapped_column(Text, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: First time each stage was met (figures count the first round).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    accepted_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    arrived_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    feedback_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: Due times of the current round (indexed: overdue lists and the figures filter on them).
    accept_due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    arrive_due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    feedback_due: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    #: The ladder in force when the task was dispatched (a later policy edit does not move it).
    sla: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    sla_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: Steps of the round already decided (fired or skipped); the scanner's compare-and-set.
    sla_cursor: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    returned_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_dispatch_task_unit_state", "unit_code", "state"),)


class TaskTransition(Base):
    """One row per state change of a task: who, when, from, to, why, and where when known."""

    __tablename__ = "dispatch_task_transition"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("dispatch_task.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_state: Mapped[str] = mapped_column(String(12), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (UniqueConstraint("task_id", "seq"),)


class TaskOfficer(Base):
    """An officer assigned to a task, with the certificate they held when assigned."""

    __tablename__ = "dispatch_task_officer"

    task_id: Mapped[int] = mapped_column(ForeignKey("dispatch_task.id", ondelete="CASCADE"), primary_key=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("org_officer.code"), primary_key=True, index=True)
    cert_no: Mapped[str] = mapped_column(String(32), nullable=False)
    cert_expiry: Mapped[date] = mapped_column(Date, nullable=False)
    assigned_by: Mapped[str] = mapped_column(String(64), nullable=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class TaskFeedback(Base):
    """The result a unit reports when it has handled a task (one per round)."""

    __tablename__ = "dispatch_task_feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("dispatch_task.id", ondelete="CASCADE"), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome: Mapped[str] = mapped_column(String(24), nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False)
    case_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    referred_to: Mapped[str | None] = mapped_column(String(100), nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)


class TaskEvidence(Base):
    """A photo or body-camera video (执法全过程记录) of a task, by its SHA-256 in the evidence store."""

    __tablename__ = "dispatch_task_evidence"

    task_id: Mapped[int] = mapped_column(ForeignKey("dispatch_task.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("sensing_evidence.sha256"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # photo | video
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_task_feedback.id"), nullable=True)
    #: The case this evidence went into, once the case issue links it.
    case_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    added_by: Mapped[str] = mapped_column(String(64), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class SlaPolicy(Base):
    """The SLA ladder of one task kind and priority (minutes; edited by administrators, audited)."""

    __tablename__ = "dispatch_sla_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), nullable=False)
    accept_min: Mapped[int] = mapped_column(Integer, nullable=False)
    arrive_min: Mapped[int] = mapped_column(Integer, nullable=False)
    feedback_min: Mapped[int] = mapped_column(Integer, nullable=False)
    remind_before_min: Mapped[int] = mapped_column(Integer, nullable=False)
    center_after_min: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("task_kind", "priority"),)


class DispatchSetting(Base):
    """One dispatch setting (docs/dispatch.md), stored as JSON, edited by administrators, audited."""

    __tablename__ = "dispatch_setting"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Notification(Base):
    """A reminder, escalation, reply or notice on one channel to one audience. ``dedup_key`` is
    unique: the same step of the same round can exist once per channel and audience."""

    __tablename__ = "dispatch_notification"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # reminder | escalation | reply | notice
    entity_type: Mapped[str] = mapped_column(String(24), nullable=False)
    entity_id: Mapped[int] = mapped_column(BigId, nullable=False)
    stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    step: Mapped[str | None] = mapped_column(String(16), nullable=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: ``officer:<code>``, ``leader:<unit>``, ``center``, ``caller:<report>``, ``owner:<case>``, ``webhook``.
    audience: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)  # inapp | webhook | sms
    #: Phone number (sms) or URL (webhook); personal data, masked in the API.
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    state: Mapped[str] = mapped_column(String(10), nullable=False)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_dispatch_notification_delivery", "state", "channel", "next_attempt_at"),
        Index("ix_dispatch_notification_audience", "audience", "id"),
        Index("ix_dispatch_notification_entity", "entity_type", "entity_id"),
    )


class ResponsePlan(Base):
    """预案: which tasks to dispatch for which leads (data, edited in the UI, audited)."""

    __tablename__ = "dispatch_response_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    lead_kind: Mapped[str | None] = mapped_column(String(24), nullable=True)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    priority: Mapped[str | None] = mapped_column(String(8), nullable=True)
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    bbox: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


class OfficerPosition(Base):
    """A position an officer's phone reported (行踪轨迹: personal data, read by dispatch roles only)."""

    __tablename__ = "dispatch_officer_position"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("org_officer.code"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # phone | transition
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (Index("ix_dispatch_officer_position_latest", "officer_code", "at"),)


class HotlineReport(Base):
    """A complaint or tip from a hotline (12345, 12328) or a patrol officer, behind a lead."""

    __tablename__ = "dispatch_hotline_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("monitoring_lead.id"), nullable=False, unique=True)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    ticket_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    caller_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    caller_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    location_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reported_by: Mapped[str] = mapped_column(String(64), nullable=False)
    reply_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    #: How ``reply_due`` was counted: the legal working-day calendar, or weekdays only when a year
    #: in the period has no holiday schedule entered.
    reply_due_basis: Mapped[str | None] = mapped_column(String(200), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    sla_cursor: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)

    __table_args__ = (UniqueConstraint("source", "ticket_no"),)


class LeadTriage(Base):
    """One row per change of a lead's status made by dispatch (confirm, dismiss, merge, dispatch,
    off-site, close, reopen), with the rule that raised the lead (false positives per rule)."""

    __tablename__ = "dispatch_lead_triage"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("monitoring_lead.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(12), nullable=False)
    from_status: Mapped[str] = mapped_column(String(12), nullable=False)
    to_status: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    false_positive: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rule_kind: Mapped[str] = mapped_column(String(24), nullable=False)
    rule_version: Mapped[str] = mapped_column(String(48), nullable=False)
    merged_into: Mapped[int | None] = mapped_column(BigId, nullable=True)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (Index("ix_dispatch_lead_triage_rule", "rule_kind", "action"),)


class OffsiteCase(Base):
    """非现场执法: a device record taken forward without stopping the vehicle — evidence review by
    two reviewers, notice to the registered owner, tracking until the party comes in."""

    __tablename__ = "dispatch_offsite_case"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("monitoring_lead.id"), nullable=False, unique=True)
    state: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notice_no: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    lookup_code: Mapped[str | None] = mapped_column(String(16), nullable=True, unique=True)
    notice_sha256: Mapped[str | None] = mapped_column(ForeignKey("sensing_evidence.sha256"), nullable=True)
    owner_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    owner_address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    owner_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    delivery: Mapped[str | None] = mapped_column(String(8), nullable=True)  # sms | post
    post_tracking_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    appeared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    sla_cursor: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)


class OffsiteReview(Base):
    """One reviewer's verdict on a device record (行政处罚法 第四十一条第二款); two distinct
    reviewers must find it usable before it can be used."""

    __tablename__ = "dispatch_offsite_review"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispatch_offsite_case.id", ondelete="CASCADE"), nullable=False)
    reviewer: Mapped[str] = mapped_column(String(64), nullable=False)
    verdict: Mapped[str] = mapped_column(String(10), nullable=False)  # usable | unusable
    notes: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (UniqueConstraint("case_id", "reviewer"),)
