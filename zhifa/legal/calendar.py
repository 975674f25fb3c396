"""Legal time: deadlines counted on Asia/Shanghai calendar dates (pure: no database, no I/O).

The rules, each from its article (texts in ``shared/laws``):

* 行政处罚法 第八十五条: the penalty law's "二日""三日""五日""七日" are working days, statutory
  holidays excluded; its other periods (e.g. 第六十七条 the 15 days to pay a fine) are calendar days.
* 行政强制法 第六十九条: the coercion law's periods of ten days or less are working days.
* 民事诉讼法 第八十五条 (the general rule for counting periods, applied to administrative
  procedure too): the day on which a period starts is not counted; when the last day of a period
  is a rest day (法定休假日: a weekend or a statutory holiday) the period ends on the first day
  after it. A Saturday or Sunday the State Council made a working day (调休) is a working day.

Which days are holidays and which weekend days are worked is not a rule but a yearly decision
(国务院办公厅关于某年部分节假日安排的通知). A :class:`WorkCalendar` therefore knows the years whose
schedule has been entered and refuses to count in any other year (:class:`UnscheduledYear`)
rather than guess from weekdays alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from zhifa.core.clock import to_shanghai
from zhifa.core.errors import BadRequest, ZhifaError

#: Longest period the calculators count (ten years of days): a larger figure is a typing error.
MAX_PERIOD_DAYS = 3660

Law = Literal["penalty", "coercion"]
LAWS: dict[str, str] = {"penalty": "行政处罚法", "coercion": "行政强制法"}
#: 行政处罚法 第八十五条: these periods of the penalty law are working days.
PENALTY_WORKING_PERIODS = frozenset({2, 3, 5, 7})
#: 行政强制法 第六十九条: periods of ten days or less of the coercion law are working days.
COERCION_WORKING_MAX = 10

BASIS_WORKING = "行政处罚法 第八十五条、行政强制法 第六十九条：期限按工作日计算，不含法定节假日；期间开始之日不计算在内"
BASIS_CALENDAR = (
    "民事诉讼法 第八十五条：期间开始的日不计算在内；"
    "期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期"
)
#: The article that makes short periods working days, per law.
WORKING_ARTICLE = {"penalty": "第八十五条", "coercion": "第六十九条"}


class UnscheduledYear(ZhifaError):
    """A date in a year whose holiday schedule nobody has entered: counting would be a guess."""

    status = 409
    code = "unscheduled_year"

    def __init__(self, years: Iterable[int]) -> None:
        self.years = sorted(set(years))
        text = "、".join(str(y) for y in self.years)
        super().__init__(
            f"no working-day schedule for {', '.join(str(y) for y in self.years)}: an administrator must enter "
            "that year's official holiday schedule (国务院办公厅 notice) before dates in it can be counted",
            f"{text}年的节假日安排尚未录入，无法计算该年的期限；请管理员按国务院办公厅公布的节假日安排录入",
            years=self.years,
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays, make-up working days (调休) and the years whose schedule is complete.

    A holiday may fall on a weekend (it is part of the holiday block, and changes nothing); a
    make-up working day is always a Saturday or Sunday; no day is both.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    scheduled_years: frozenset[int] = frozenset()
    names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"{both[0].isoformat()} is both a holiday and a make-up working day")
        weekday_makeups = sorted(d for d in self.workdays if d.weekday() < 5)
        if weekday_makeups:
            raise ValueError(
                f"{weekday_makeups[0].isoformat()} is a weekday: only a weekend day can be made a working day"
            )

    def unscheduled_years(self, first: date, last: date) -> list[int]:
        """The years from ``first`` to ``last`` (inclusive, either order) with no schedule; what a
        scanner asks before counting, so that it can warn instead of failing."""
        lo, hi = sorted((first.year, last.year))
        return [y for y in range(lo, hi + 1) if y not in self.scheduled_years]

    def covers(self, first: date, last: date) -> bool:
        return not self.unscheduled_years(first, last)

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.scheduled_years:
            raise UnscheduledYear([day.year])
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def name_of(self, day: date) -> str | None:
        return self.names.get(day)


def _check_days(days: int, what: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise BadRequest(f"{what} must be a whole number of days", f"{what} 必须是整数天数")
    if days < 1:
        raise BadRequest(f"{what} must be at least 1, not {days}", f"{what} 至少为 1，不能为 {days}")
    if days > MAX_PERIOD_DAYS:
        raise BadRequest(f"{what} must be at most {MAX_PERIOD_DAYS}, not {days}", f"{what} 不能超过 {MAX_PERIOD_DAYS}")


def add_working_days(cal: WorkCalendar, start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (the start day is not counted)."""
    _check_days(days, "working_days")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return day


def roll_to_working_day(cal: WorkCalendar, day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it (民事诉讼法 第八十五条)."""
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_calendar_days(cal: WorkCalendar, start: date, days: int) -> date:
    """``start`` + ``days`` calendar days (the start day not counted), moved to the next working
    day when it falls on a weekend or a statutory holiday (民事诉讼法 第八十五条)."""
    _check_days(days, "calendar_days")
    return roll_to_working_day(cal, start + timedelta(days=days))


def period_kind(law: str, days: int) -> Literal["working", "calendar"]:
    """Whether a period of ``days`` days of the penalty or the coercion law is counted in working days."""
    if law == "penalty":
        return "working" if days in PENALTY_WORKING_PERIODS else "calendar"
    if law == "coercion":
        return "working" if days <= COERCION_WORKING_MAX else "calendar"
    raise BadRequest(f"unknown law {law!r}: penalty or coercion", f"未知法律 {law!r}：应为 penalty 或 coercion")


@dataclass(frozen=True)
class Deadline:
    start: date
    days: int
    kind: Literal["working", "calendar"]
    due: date
    #: For a calendar period whose last day was a rest day: that day (the due date was moved).
    rolled_from: date | None
    basis: str
    law: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat(),
            "from": self.start.isoformat(),
            f"{self.kind}_days": self.days,
            "kind": self.kind,
            "law": self.law,
            "rolled_from": self.rolled_from.isoformat() if self.rolled_from else None,
            "basis": self.basis,
        }


def deadline(cal: WorkCalendar, start: date, days: int, kind: Literal["working", "calendar"]) -> Deadline:
    if kind == "working":
        return Deadline(start, days, kind, add_working_days(cal, start, days), None, BASIS_WORKING)
    if kind == "calendar":
        due = add_calendar_days(cal, start, days)
        plain = start + timedelta(days=days)
        return Deadline(start, days, kind, due, plain if due != plain else None, BASIS_CALENDAR)
    raise BadRequest(f"unknown kind of period {kind!r}", f"未知期限类型 {kind!r}")


def statutory_deadline(cal: WorkCalendar, start: date, days: int, law: str) -> Deadline:
    """A period of the penalty or coercion law, counted as that law says (第八十五条 / 第六十九条)."""
    kind = period_kind(law, days)
    d = deadline(cal, start, days, kind)
    basis = (
        f"{LAWS[law]} {WORKING_ARTICLE[law]}：{days}日期限按工作日计算，不含法定节假日；期间开始之日不计算在内"
        if kind == "working"
        else f"{LAWS[law]}：{days}日期限按自然日计算；{BASIS_CALENDAR}"
    )
    return Deadline(d.start, d.days, d.kind, d.due, d.rolled_from, basis, law)


def shanghai_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware timestamp: legal periods count whole local days."""
    return to_shanghai(moment).date()
