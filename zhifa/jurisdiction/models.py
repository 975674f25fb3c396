from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, UTCDateTime


class JurisdictionEdition(Base):
    """One imported map. A new import is a new edition; earlier ones stay for the audit trail."""

    __tablename__ = "jurisdiction_edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str | None] = mapped_column(String(255), nullable=True)
    feature_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class JurisdictionFeature(Base):
    __tablename__ = "jurisdiction_feature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdiction_edition.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Kilometre figures as exact decimal text, as written in the imported file.
    from_km: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_km: Mapped[str | None] = mapped_column(String(24), nullable=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    min_lon: Mapped[float] = mapped_column(Float, nullable=False)
    min_lat: Mapped[float] = mapped_column(Float, nullable=False)
    max_lon: Mapped[float] = mapped_column(Float, nullable=False)
    max_lat: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
