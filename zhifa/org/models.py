from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.db import Base, TimestampMixin

UNIT_KINDS = (
    "detachment",
    "department",
    "command_center",
    "strip_brigade",
    "block_brigade",
    "squadron",
    "external_authority",
)
UNIT_KIND_ZH = {
    "detachment": "支队",
    "department": "科室",
    "command_center": "指挥中心",
    "strip_brigade": "条线大队",
    "block_brigade": "板块大队",
    "squadron": "中队",
    "external_authority": "外部机关",
}
LINES = ("road", "port", "water")
LINE_ZH = {"road": "路政", "port": "港政", "water": "水上"}
DEPARTMENT_CATEGORIES = ("business", "administrative")


class Unit(Base, TimestampMixin):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    parent_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    line: Mapped[str | None] = mapped_column(String(8), nullable=True)
    category: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Officer(Base, TimestampMixin):
    __tablename__ = "org_officer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False, index=True)
    cert_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cert_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    on_duty: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)


class Duty(Base, TimestampMixin):
    __tablename__ = "org_duty"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    matters: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"), nullable=True)
    unit_kind: Mapped[str | None] = mapped_column(String(24), nullable=True)
    line: Mapped[str | None] = mapped_column(String(8), nullable=True)
    legal_basis: Mapped[str | None] = mapped_column(Text, nullable=True)


class PartyBranch(Base, TimestampMixin):
    """流动党支部: a mobile Party branch attached to a squadron."""

    __tablename__ = "org_party_branch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    squadron_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False)
