"""Case tables: the case, one row per procedural step, its legal deadlines, the party's statements,
evidence with its chain of custody, payments, the exemption list, credit records, publications,
settings and the supervision scanner's alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, UTCDateTime


class Case(Base):
    """案件: one administrative penalty case, simplified or general."""

    __tablename__ = "cases_case"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_no: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    procedure: Mapped[str] = mapped_column(String(12), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(12), nullable=False)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_lead.id"), nullable=True, index=True)
    offsite_case_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_offsite_case.id"), nullable=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_task.id"), nullable=True)
    source_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    place: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # -- the party (当事人): a person or an organisation, linked to the registry when known
    party_kind: Mapped[str] = mapped_column(String(12), nullable=False)
    party_name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: USCC of an organisation or the document number of a person (personal data for persons).
    party_id_no: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    party_address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    party_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The name as every list and the public see it (a person's name masked).
    party_masked: Mapped[str] = mapped_column(String(200), nullable=False)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("registry_enterprise.id"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("registry_person.id"), nullable=True)
    vehicle_plate: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    vehicle_plate_color: Mapped[str | None] = mapped_column(String(16), nullable=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("registry_vehicle.id"), nullable=True)
    # -- limitation (行政处罚法 第三十六条)
    act_end: Mapped[date] = mapped_column(Date, nullable=False)
    discovered_on: Mapped[date] = mapped_column(Date, nullable=False)
    harm_to_life_health_or_finance: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: 第五十八条 legal review / 第五十七条第二款 collective discussion.
    major: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    serious: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # -- the penalty: proposed (discretion), at notice (第四十五条), decided
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    penalty: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    penalty_notified: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    outside_range: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    discretion_justification: Mapped[str | None] = mapped_column(Text, nullable=True)
    hearing_reasons: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    defended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # -- outcome
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # penalty | no_penalty | referred
    no_penalty_ground: Mapped[str | None] = mapped_column(String(24), nullable=True)
    exemption_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The last exemption check (免罚清单 / 首违不罚): facts stated and each item's evaluation.
    exemption_check: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    fine_not_imposed_yuan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    referred_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_no: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    delivery_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    delivered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    fine_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(0))
    #: ``[{"due": "2026-07-01", "amount_yuan": "500.00"}, …]``: the due dates in force (第六十六条).
    payment_plan: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)
    paid_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(0))
    #: The earliest open legal deadline (indexed: "due soon" lists and supervision).
    next_deadline: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    next_deadline_kind: Mapped[str | None] = mapped_column(String(24), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_cases_case_party", "party_kind", "party_id_no"),)


class CaseStep(Base):
    """One row per procedural step (the transition table's rows): who, when, from, to, why, the
    document it issued."""

    __tablename__ = "cases_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_state: Mapped[str] = mapped_column(String(20), nullable=False)
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The Asia/Shanghai date the step counts from.
    on: Mapped[date] = mapped_column(Date, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    document_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    document_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "seq"), Index("ix_cases_step_action", "action", "at"))


class CaseDeadline(Base):
    """A legal deadline, opened by a step and met (or missed) by another."""

    __tablename__ = "cases_deadline"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    owner: Mapped[str] = mapped_column(String(8), nullable=False)  # agency | party
    start: Mapped[date] = mapped_column(Date, nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    #: The end of the last day in Asia/Shanghai (the scanner compares times).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    basis: Mapped[str] = mapped_column(Text, nullable=False)
    opened_by: Mapped[int] = mapped_column(ForeignKey("cases_step.id"), nullable=False)
    #: open → met | missed (agency, passed) | expired (party period ran out) | void (case ended).
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    met_by: Mapped[int | None] = mapped_column(ForeignKey("cases_step.id"), nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: How many times this deadline was extended (行政强制法 第二十五条: once).
    extensions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        Index("ix_cases_deadline_due", "status", "due_at"),
        Index("ix_cases_deadline_warn", "status", "warn_at"),
    )


class CaseStatement(Base):
    """The party's statement or defence (行政处罚法 第四十五条) and how it was re-checked."""

    __tablename__ = "cases_statement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # statement | defence | waiver
    form: Mapped[str] = mapped_column(String(8), nullable=False)  # oral | written
    content: Mapped[str] = mapped_column(Text, nullable=False)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseEvidence(Base):
    """A file of the case by its SHA-256 in the evidence store, with its chain of custody."""

    __tablename__ = "cases_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("sensing_evidence.sha256"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Chain of custody: who added it, when, and where it came from.
    added_by: Mapped[str] = mapped_column(String(64), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    origin: Mapped[str] = mapped_column(String(12), nullable=False)  # upload | lead | offsite | task
    device_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    event_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    lead_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    task_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_check_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "sha256"),)


class CasePayment(Base):
    """Money received for a decision, entered by hand or from a bank statement / payment channel."""

    __tablename__ = "cases_payment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    channel: Mapped[str] = mapped_column(String(24), nullable=False)  # manual | bank:<file> | adapter:<name>
    reference: Mapped[str] = mapped_column(String(64), nullable=False)
    payer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (UniqueConstraint("channel", "reference"),)


class ExemptionItem(Base):
    """An item of the minor-violation exemption list (免罚清单), in batches."""

    __tablename__ = "cases_exemption_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    batch: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    conditions: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    effect: Mapped[str] = mapped_column(String(4), nullable=False)  # must | may
    basis: Mapped[str] = mapped_column(Text, nullable=False)
    #: Seeded examples to be replaced by the province's list in force.
    example: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CreditRecord(Base):
    """A dishonesty record (失信记录) a decided case wrote for its party or vehicle."""

    __tablename__ = "cases_credit_record"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    subject_kind: Mapped[str] = mapped_column(String(12), nullable=False)  # enterprise | person | vehicle
    subject_key: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    subject_name: Mapped[str] = mapped_column(String(200), nullable=False)  # masked for persons
    severity: Mapped[str] = mapped_column(String(8), nullable=False)  # general | serious
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    publish_from: Mapped[date] = mapped_column(Date, nullable=False)
    publish_until: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="active")  # active | revoked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (UniqueConstraint("case_id", "subject_kind"),)


class Publication(Base):
    """A decision published (行政处罚法 第四十八条) with personal data redacted; withdrawn within
    three working days when the decision is changed or revoked."""

    __tablename__ = "cases_publication"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, unique=True)
    decision_no: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    published_by: Mapped[str] = mapped_column(String(64), nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseSetting(Base):
    """One case setting (docs/cases.md), JSON, edited by administrators, audited."""

    __tablename__ = "cases_setting"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CaseAlert(Base):
    """A supervision finding of the scanner: a deadline soon due (``warn``), missed (``missed``),
    a party period run out (``expired``), a year with no working-day schedule ahead
    (``unscheduled_year``). ``key`` is unique: each finding exists once."""

    __tablename__ = "cases_alert"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id", ondelete="CASCADE"), nullable=False, index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("cases_deadline.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
