"""Request bodies of the legal API (the routes return plain JSON built by the pure modules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DeadlineIn(BaseModel):
    """Exactly one of ``working_days``, ``calendar_days``, or ``days`` with ``law``."""

    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from", examples=["2026-02-12"], description="the day the period starts (not counted)")
    working_days: int | None = Field(default=None, examples=[5])
    calendar_days: int | None = Field(default=None, examples=[15])
    days: int | None = Field(default=None, description="a period of the law, counted as the law says")
    law: Literal["penalty", "coercion"] | None = Field(
        default=None, description="penalty: 行政处罚法; coercion: 行政强制法"
    )


class SurchargeIn(BaseModel):
    fine_yuan: Decimal = Field(examples=["2000.00"])
    due: date = Field(description="the final due date, as decided (not moved again)")
    paid: date
    suspended_days: int = Field(default=0, description="days of review or litigation after the due date (Art 73)")


class QuoteIn(BaseModel):
    matter: str = Field(default="road.overload", max_length=64)
    excess_kg: int = Field(default=0, description="total mass over the limit of Art 3, in kg")
    height_m: Decimal | None = Field(default=None, examples=["4.3"])
    width_m: Decimal | None = None
    length_m: Decimal | None = None


class YearIn(BaseModel):
    source: str = Field(examples=["国务院办公厅关于2027年部分节假日安排的通知"])
    #: ``[{"date": "2027-01-01", "kind": "holiday|workday", "name": "元旦"}, …]``
    days: list[dict[str, Any]] = Field(max_length=366)


class DayIn(BaseModel):
    kind: Literal["holiday", "workday"]
    name: str = Field(max_length=64)
