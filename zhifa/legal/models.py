"""The working-day calendar: the years whose official schedule has been entered, and one row per
day that is not ordinary — a statutory holiday or a make-up working day (调休上班). Every other
day of a scheduled year is a working day from Monday to Friday and a rest day at the weekend."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, UTCDateTime

DAY_KINDS = ("holiday", "workday")


class CalendarYear(Base):
    """A year whose holiday schedule is complete; dates in other years are never counted."""

    __tablename__ = "legal_calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Where the schedule comes from, e.g. "国务院办公厅关于2027年部分节假日安排的通知" or the package.
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CalendarDay(Base):
    """A holiday (``holiday``) or a weekend day made a working day (``workday``)."""

    __tablename__ = "legal_calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    #: The holiday it belongs to (春节, 国庆节 …); for a make-up day, the holiday it makes up for.
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),)
