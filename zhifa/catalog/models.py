"""The enforcement item catalogue (权责清单) and its discretion benchmarks (自由裁量基准)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.db import Base, TimestampMixin


class EnforcementItem(Base, TimestampMixin):
    __tablename__ = "catalog_enforcement_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # inspection|penalty|coercive
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    matter: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: ``[{"law": "…", "article": "…"}, …]``
    legal_basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)


class DiscretionTier(Base):
    """One row of an item's discretion benchmark, in order (``seq`` from 1)."""

    __tablename__ = "catalog_discretion_tier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_enforcement_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    tier: Mapped[str] = mapped_column(String(8), nullable=False)  # 轻微|一般|较重|严重
    condition: Mapped[str] = mapped_column(Text, nullable=False)
    min_yuan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    max_yuan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    warning: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (UniqueConstraint("item_id", "seq"),)
