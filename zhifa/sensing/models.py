from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, TimestampMixin, UTCDateTime

DEVICE_KINDS = ("camera", "wim", "ais_receiver", "checkpoint")
DEVICE_KIND_ZH = {"camera": "卡口抓拍", "wim": "称重检测", "ais_receiver": "AIS 基站", "checkpoint": "水上卡口"}
#: The matter a device's own location is routed with, to find the unit that owns the device.
DEVICE_MATTER = {
    "wim": "road.overload",
    "camera": "passenger.illegal_operation",
    "checkpoint": "water.vessel",
    "ais_receiver": "water.vessel",
}
EVENT_TYPES = ("plate_capture", "wim", "ship_passage", "ais")


class Device(Base, TimestampMixin):
    __tablename__ = "sensing_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)  # WGS-84
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    crs: Mapped[str] = mapped_column(String(8), nullable=False, default="wgs84")  # of the events' lon/lat
    #: Device tolerance in percent as exact decimal text ("5" = 5 %); for WIM the overload margin.
    accuracy_pct: Mapped[str | None] = mapped_column(String(12), nullable=True)
    crossing_line: Mapped[str | None] = mapped_column(Text, nullable=True)  # WKT LINESTRING, WGS-84
    heartbeat_s: Mapped[int] = mapped_column(Integer, nullable=False, default=300)
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    routing_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")  # active|offline|disabled
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # 行政处罚法 第四十一条: evidence-grade devices are legally and technically reviewed, their
    # locations published, and (WIM) metrologically verified (计量检定, JJG 907) and in date.
    legal_review_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    publicly_listed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verified_until: Mapped[date | None] = mapped_column(Date, nullable=True)


class Event(Base):
    """A sensor event, stored before it is acknowledged; the worker turns it into leads."""

    __tablename__ = "sensing_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_code: Mapped[str] = mapped_column(String(32), nullable=False)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)  # the sender's id
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    plate: Mapped[str | None] = mapped_column(String(16), nullable=True)
    plate_color: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mmsi: Mapped[str | None] = mapped_column(String(9), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # No images: SQL NULL (not the JSON text "null").
    images: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    #: pending → done; a failing rule leaves it pending with the error and the attempt count.
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    raised_lead: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        UniqueConstraint("device_code", "event_id", name="uq_sensing_event_device_event"),
        # No index holds ``status``: the queue is ``EventTicket``, and marking an event done then
        # changes no indexed column (on PostgreSQL a HOT update; migration 0013). Events that
        # failed at least once, for the stuck list (``PENDING``, ``attempts > 0``):
        Index(
            "ix_sensing_event_retried",
            "id",
            sqlite_where=text("attempts > 0"),
            postgresql_where=text("attempts > 0"),
        ),
        # Partial: an event with no plate (AIS, ship passages) or no MMSI (vehicles) writes no
        # entry there. ``plate = ?`` / ``mmsi = ?`` imply the condition, so both planners use them.
        Index(
            "ix_sensing_event_plate_time",
            "plate",
            "event_time",
            sqlite_where=text("plate IS NOT NULL"),
            postgresql_where=text("plate IS NOT NULL"),
        ),
        Index(
            "ix_sensing_event_mmsi_time",
            "mmsi",
            "event_time",
            sqlite_where=text("mmsi IS NOT NULL"),
            postgresql_where=text("mmsi IS NOT NULL"),
        ),
        # The archive and retention select by event time alone.
        Index("ix_sensing_event_time", "event_time"),
        # Half of each page left free when rows are written, for the row's one update (done) to
        # be written beside it: a HOT update, no new index entries (``sensing.queue``).
        {"postgresql_with": {"fillfactor": 50}},
    )


class Evidence(Base):
    """An image or file, stored once by its SHA-256 (content-addressed, immutable)."""

    __tablename__ = "sensing_evidence"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigId, nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class AisFix(Base):
    """A decoded AIS position report (types 1, 2, 3, 18, 19, 27), time = when it was received."""

    __tablename__ = "sensing_ais_fix"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mmsi: Mapped[str] = mapped_column(String(9), nullable=False)
    time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    sog_kn: Mapped[float | None] = mapped_column(Float, nullable=True)
    cog: Mapped[float | None] = mapped_column(Float, nullable=True)
    nav_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    msg_type: Mapped[int] = mapped_column(Integer, nullable=False)
    event_id: Mapped[int] = mapped_column(BigId, nullable=False)

    __table_args__ = (Index("ix_sensing_ais_fix_mmsi_time", "mmsi", "time"), Index("ix_sensing_ais_fix_time", "time"))


class AisVessel(Base):
    """What the AIS stream last said about a vessel: static data and its latest fix (for gaps)."""

    __tablename__ = "sensing_ais_vessel"

    mmsi: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(32), nullable=True)
    callsign: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ship_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imo: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    under_way: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The waterway section or port area the last fix lay in (None: outside our waters).
    area_unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    area_name: Mapped[str | None] = mapped_column(String(200), nullable=True)


class VesselPassage(Base):
    """A ship passage at a checkpoint and its one-to-one AIS decision (image ↔ identity)."""

    __tablename__ = "sensing_vessel_passage"

    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_code: Mapped[str] = mapped_column(String(32), nullable=False)
    time: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    direction: Mapped[str] = mapped_column(String(4), nullable=False)
    outcome: Mapped[str] = mapped_column(String(12), nullable=False)  # linked | ambiguous | dark
    mmsi: Mapped[str | None] = mapped_column(String(9), nullable=True, index=True)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    images: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class EventTicket(Base):
    """A place in the rule workers' queue: the ids of events stored together and not processed
    yet (``sensing.queue``). Ship passages wait in tickets of their own until ``hold_until`` (the
    latest passage's time) is behind the worker's cutoff."""

    __tablename__ = "sensing_ticket"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ids: Mapped[list[int]] = mapped_column(JSON, nullable=False)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


#: ``status = 'pending'`` with the value written into the SQL, not bound (a literal the planner
#: sees, whatever the plan's parameters).
PENDING: ColumnElement[bool] = Event.status == literal_column("'pending'")
