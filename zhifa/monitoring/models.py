from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, UTCDateTime


class Lead(Base):
    """线索: a routed, deduplicated finding raised by a rule from sensor events."""

    __tablename__ = "monitoring_lead"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    routing_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    routing_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="new")
    severity: Mapped[str] = mapped_column(String(12), nullable=False, default="normal")
    rule_version: Mapped[str] = mapped_column(String(48), nullable=False)
    first_event_time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_event_time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    images: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    #: 行政处罚法 第四十一条: records of a device not reviewed, not published or out of
    #: verification may raise a lead but cannot be used as evidence.
    usable_as_evidence: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    permitted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_monitoring_lead_fold", "kind", "subject", "status"),
        Index("ix_monitoring_lead_created", "created_at"),
    )


class LeadEvent(Base):
    """Which events a lead holds (an event folds into a lead at most once)."""

    __tablename__ = "monitoring_lead_event"

    lead_id: Mapped[int] = mapped_column(ForeignKey("monitoring_lead.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("sensing_event.id"), primary_key=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class WatchEntry(Base):
    """A plate (with colour) or an MMSI to watch: unpaid fines, revoked permits …"""

    __tablename__ = "monitoring_watchlist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    plate_color: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mmsi: Mapped[str | None] = mapped_column(String(9), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    matter: Mapped[str] = mapped_column(String(64), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    added_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class MonitoringSetting(Base):
    """The rules' thresholds (one row; each change audited and numbered). Leads record the rule
    version together with the settings version that raised them."""

    __tablename__ = "monitoring_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
