"""Regulated entities (管理对象). Each has a natural key that the import upserts by:

* enterprise — USCC (统一社会信用代码);
* vehicle — plate number **and** plate colour (blue and yellow 苏L12345 are two vehicles);
* oversize permit — permit number;
* vessel — MMSI; its certificates hang below it;
* person — document type and number;
* site — its code.

Coordinates are WGS-84 (longitude first), as everywhere else in the platform.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.db import Base, TimestampMixin

BUSINESS_TYPES = (
    "taxi",
    "ride_hailing",
    "bus",
    "freight",
    "dangerous_goods",
    "logistics",
    "repair",
    "driving_school",
    "station",
    "port_operator",
    "shipping",
    "other",
)
BUSINESS_ZH = {
    "taxi": "出租汽车",
    "ride_hailing": "网约车",
    "bus": "公交客运",
    "freight": "道路货运",
    "dangerous_goods": "危险货物运输",
    "logistics": "物流",
    "repair": "机动车维修",
    "driving_school": "驾驶员培训",
    "station": "客货运场站",
    "port_operator": "港口经营",
    "shipping": "水路运输",
    "other": "其他",
}
CERT_STATUSES = ("valid", "suspended", "revoked", "none")
SITE_TYPES = (
    "railway_station",
    "bus_station",
    "airport",
    "logistics_park",
    "repair_shop",
    "driving_school",
    "service_point",
    "port_terminal",
)
SITE_TYPE_ZH = {
    "railway_station": "火车站",
    "bus_station": "汽车客运站",
    "airport": "机场",
    "logistics_park": "物流园区",
    "repair_shop": "维修厂",
    "driving_school": "驾校",
    "service_point": "服务点",
    "port_terminal": "港口码头",
}


class Enterprise(Base, TimestampMixin):
    __tablename__ = "registry_enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    business: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    legal_rep: Mapped[str | None] = mapped_column(String(64), nullable=True)
    licence_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    licence_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Vehicle(Base, TimestampMixin):
    """A vehicle is identified by plate number and colour together (GA 36-2018 issues the same
    number in several colours to different vehicles)."""

    __tablename__ = "registry_vehicle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), nullable=False)
    plate_color: Mapped[str] = mapped_column(String(16), nullable=False)
    trailer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    new_energy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    vehicle_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    axles: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: A USCC (enterprise) or a personal document number, as given; not a foreign key, because the
    #: owner need not be registered.
    owner: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    cert_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cert_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cert_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (UniqueConstraint("plate", "plate_color"),)


class OversizePermit(Base, TimestampMixin):
    """超限运输许可: a permit for one vehicle (plate + colour) on a route for a period."""

    __tablename__ = "registry_oversize_permit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_no: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    plate: Mapped[str] = mapped_column(String(16), nullable=False)
    plate_color: Mapped[str] = mapped_column(String(16), nullable=False)
    route: Mapped[str | None] = mapped_column(String(300), nullable=True)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False)

    __table_args__ = (Index("ix_registry_oversize_permit_plate", "plate", "plate_color"),)


class Vessel(Base, TimestampMixin):
    __tablename__ = "registry_vessel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mmsi: Mapped[str] = mapped_column(String(9), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    ship_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: The MID is mainland China's (412/413/414). An attribute, not a validity test: foreign
    #: ships call at Zhenjiang.
    chinese_mid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    mid: Mapped[str | None] = mapped_column(String(3), nullable=True)


class VesselCertificate(Base):
    __tablename__ = "registry_vessel_certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vessel_id: Mapped[int] = mapped_column(
        ForeignKey("registry_vessel.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)


class Person(Base, TimestampMixin):
    """A natural person (drivers, boatmen, parties). Name, number and phone are personal data:
    shown masked to roles without PII access (个人信息保护法 第六条: minimum necessary)."""

    __tablename__ = "registry_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_type: Mapped[str] = mapped_column(String(32), nullable=False)
    id_number: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (UniqueConstraint("id_type", "id_number"),)


class Site(Base, TimestampMixin):
    __tablename__ = "registry_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    site_type: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
