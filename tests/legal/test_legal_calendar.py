"""Deadlines on the working-day calendar (pure: no database).

The 2026 facts are typed by hand from the State Council's 2026 holiday notice and checked against
the chinesecalendar package's data first; the expected due dates were counted by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from zhifa.core.errors import BadRequest, ZhifaError
from zhifa.legal.calendar import (
    UnscheduledYear,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    deadline,
    period_kind,
    shanghai_date,
    statutory_deadline,
)
from zhifa.legal.official import package_calendar

D = date.fromisoformat

#: 国务院办公厅关于2026年部分节假日安排的通知, by hand.
HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03"),
    "春节": ("2026-02-15", "2026-02-23"),
    "清明节": ("2026-04-04", "2026-04-06"),
    "劳动节": ("2026-05-01", "2026-05-05"),
    "端午节": ("2026-06-19", "2026-06-21"),
    "中秋节": ("2026-09-25", "2026-09-27"),
    "国庆节": ("2026-10-01", "2026-10-07"),
}
MAKEUP_2026 = {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return package_calendar()


def test_the_package_agrees_with_the_2026_notice(cal: WorkCalendar) -> None:
    expected: dict[date, str] = {}
    for name, (first, last) in HOLIDAYS_2026.items():
        day = D(first)
        while day <= D(last):
            expected[day] = name
            day += timedelta(days=1)
    assert {d for d in cal.holidays if d.year == 2026} == set(expected)
    assert {d for d in cal.workdays if d.year == 2026} == {D(x) for x in MAKEUP_2026}
    assert all(cal.name_of(d) == n for d, n in expected.items())
    assert cal.name_of(D("2026-02-28")) == "春节" and cal.name_of(D("2026-10-10")) == "国庆节"
    # Every make-up day is a weekend day worked; every holiday is a rest day.
    assert all(D(x).weekday() >= 5 and cal.is_working_day(D(x)) for x in MAKEUP_2026)
    assert not any(cal.is_working_day(d) for d in expected)
    assert cal.scheduled_years == frozenset(range(2004, 2027))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 春节: 02-14 (Sat) worked, 02-15..23 off, 02-28 (Sat) worked.
        ("2026-02-12", 5, "2026-02-26"),  # Fri 13, Sat 14 (make-up), then 24, 25, 26
        ("2026-02-13", 1, "2026-02-14"),  # the make-up Saturday counts
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-14", 1, "2026-02-24"),  # the start day is not counted, even when it is worked
        ("2026-02-20", 3, "2026-02-26"),  # starting inside the holiday
        ("2026-02-26", 2, "2026-02-28"),  # Fri 27, Sat 28 (make-up)
        ("2026-02-27", 2, "2026-03-02"),  # Sat 28 (make-up), Sun 1 Mar off, Mon 2
        # 清明节 04-04..06 (Sat–Mon)
        ("2026-04-02", 2, "2026-04-07"),
        # 劳动节 05-01..05, 05-09 (Sat) worked
        ("2026-04-29", 3, "2026-05-07"),
        ("2026-05-07", 2, "2026-05-09"),
        ("2026-05-08", 2, "2026-05-11"),
        # 端午节 06-19..21
        ("2026-06-18", 1, "2026-06-22"),
        # 中秋节 09-25..27, 国庆节 10-01..07, 09-20 (Sun) and 10-10 (Sat) worked
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-24", 1, "2026-09-28"),
        ("2026-09-28", 7, "2026-10-13"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-09", 1, "2026-10-10"),
        # 元旦 2026-01-01..03, 01-04 (Sun) worked; from the last day of 2025
        ("2025-12-31", 1, "2026-01-04"),
        # An ordinary week: ten working days are two weeks.
        ("2026-03-09", 10, "2026-03-23"),
    ],
)
def test_working_days(cal: WorkCalendar, start: str, n: int, due: str) -> None:
    assert add_working_days(cal, D(start), n) == D(due)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-02-06", 15, "2026-02-24"),  # ends Sat 21 in 春节: moved to the first working day
        ("2026-02-13", 2, "2026-02-24"),  # ends Sun 15, first day of 春节
        ("2026-02-13", 1, "2026-02-14"),  # ends on the make-up Saturday: a working day, not moved
        ("2026-02-01", 7, "2026-02-09"),  # ends on an ordinary Sunday: moved to Monday
        ("2026-02-02", 5, "2026-02-09"),  # ends on an ordinary Saturday: moved over Sunday to Monday
        ("2026-03-30", 6, "2026-04-07"),  # ends Sun 5 in 清明节
        ("2026-04-16", 15, "2026-05-06"),  # ends Fri 1 May
        ("2026-04-24", 15, "2026-05-09"),  # ends on the make-up Saturday
        ("2026-06-04", 15, "2026-06-22"),  # ends Fri 19, 端午节
        ("2026-09-05", 15, "2026-09-20"),  # ends on the make-up Sunday
        ("2026-09-16", 15, "2026-10-08"),  # ends 1 Oct
        ("2026-09-25", 15, "2026-10-10"),  # ends on the make-up Saturday after 国庆节
        ("2026-03-02", 15, "2026-03-17"),  # an ordinary Tuesday: not moved
        ("2026-12-30", 1, "2026-12-31"),  # the last day of the year, a Thursday
    ],
)
def test_calendar_days(cal: WorkCalendar, start: str, n: int, due: str) -> None:
    assert add_calendar_days(cal, D(start), n) == D(due)


def test_deadline_reports_the_move_and_its_basis(cal: WorkCalendar) -> None:
    d = deadline(cal, D("2026-02-06"), 15, "calendar")
    assert (d.due, d.rolled_from) == (D("2026-02-24"), D("2026-02-21"))
    assert d.as_dict()["due"] == "2026-02-24" and d.as_dict()["calendar_days"] == 15
    assert "民事诉讼法 第八十五条" in d.basis
    plain = deadline(cal, D("2026-03-02"), 15, "calendar")
    assert plain.rolled_from is None and plain.as_dict()["rolled_from"] is None
    w = deadline(cal, D("2026-02-12"), 5, "working")
    assert w.as_dict() | {"basis": ""} == {
        "due": "2026-02-26",
        "from": "2026-02-12",
        "working_days": 5,
        "kind": "working",
        "law": None,
        "rolled_from": None,
        "basis": "",
    }
    assert "行政处罚法 第八十五条" in w.basis


@pytest.mark.parametrize(
    ("law", "days", "kind"),
    [
        ("penalty", 2, "working"),
        ("penalty", 3, "working"),
        ("penalty", 5, "working"),
        ("penalty", 7, "working"),
        ("penalty", 1, "calendar"),
        ("penalty", 10, "calendar"),
        ("penalty", 15, "calendar"),  # 第六十七条: fifteen days to pay
        ("penalty", 60, "calendar"),
        ("coercion", 1, "working"),
        ("coercion", 10, "working"),
        ("coercion", 11, "calendar"),
        ("coercion", 30, "calendar"),  # 第二十五条: seizure for at most thirty days
    ],
)
def test_which_periods_are_working_days(law: str, days: int, kind: str) -> None:
    assert period_kind(law, days) == kind


def test_statutory_deadlines(cal: WorkCalendar) -> None:
    d = statutory_deadline(cal, D("2026-09-28"), 7, "penalty")
    assert d.due == D("2026-10-13") and d.kind == "working" and "行政处罚法 第八十五条" in d.basis
    d = statutory_deadline(cal, D("2026-09-16"), 15, "penalty")
    assert d.due == D("2026-10-08") and d.kind == "calendar" and d.rolled_from == D("2026-10-01")
    d = statutory_deadline(cal, D("2026-02-12"), 10, "coercion")
    # 13, 14 (make-up), 24, 25, 26, 27, 28 (make-up), 2, 3, 4 March
    assert d.due == D("2026-03-04") and "行政强制法 第六十九条" in d.basis
    d = statutory_deadline(cal, D("2026-02-12"), 30, "coercion")
    assert d.due == D("2026-03-16") and d.rolled_from == D("2026-03-14")
    with pytest.raises(BadRequest, match="unknown law"):
        statutory_deadline(cal, D("2026-02-12"), 5, "tax")


def test_counting_into_an_unscheduled_year_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(UnscheduledYear) as info:
        add_working_days(cal, D("2026-12-28"), 5)  # 29, 30, 31, then 2027
    assert info.value.years == [2027] and info.value.status == 409 and info.value.code == "unscheduled_year"
    assert "2027" in info.value.message and "2027年" in info.value.message_zh
    assert isinstance(info.value, ZhifaError)
    with pytest.raises(UnscheduledYear):
        add_calendar_days(cal, D("2026-12-01"), 31)
    with pytest.raises(UnscheduledYear):
        add_calendar_days(cal, D("2003-12-01"), 10)
    assert add_working_days(cal, D("2026-12-28"), 3) == D("2026-12-31")  # stays inside 2026


def test_a_scanner_can_ask_before_counting(cal: WorkCalendar) -> None:
    assert cal.unscheduled_years(D("2026-12-01"), D("2028-01-31")) == [2027, 2028]
    assert cal.unscheduled_years(D("2028-01-31"), D("2026-12-01")) == [2027, 2028]
    assert cal.unscheduled_years(D("2004-01-01"), D("2026-12-31")) == []
    assert cal.covers(D("2026-01-01"), D("2026-12-31"))
    assert not cal.covers(D("2003-12-31"), D("2004-01-02"))


def test_weekdays_alone_are_never_a_schedule() -> None:
    empty = WorkCalendar()
    with pytest.raises(UnscheduledYear):
        empty.is_working_day(D("2026-03-02"))
    bare = WorkCalendar(scheduled_years=frozenset({2026}))
    assert bare.is_working_day(D("2026-02-16"))  # no holiday entered: an ordinary Monday
    assert not bare.is_working_day(D("2026-02-14"))


def test_a_calendar_is_consistent() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(frozenset({D("2026-02-14")}), frozenset({D("2026-02-14")}), frozenset({2026}))
    with pytest.raises(ValueError, match="weekday"):
        WorkCalendar(frozenset(), frozenset({D("2026-02-16")}), frozenset({2026}))


@pytest.mark.parametrize("n", [0, -1, 3661])
def test_period_lengths_are_checked(cal: WorkCalendar, n: int) -> None:
    with pytest.raises(BadRequest):
        add_working_days(cal, D("2026-03-02"), n)
    with pytest.raises(BadRequest):
        add_calendar_days(cal, D("2026-03-02"), n)


def test_dates_are_shanghai_dates() -> None:
    # 17:30 UTC on 14 February is 01:30 on the 15th in Shanghai: the first day of 春节.
    assert shanghai_date(datetime(2026, 2, 14, 17, 30, tzinfo=UTC)) == D("2026-02-15")
    assert shanghai_date(datetime(2026, 2, 14, 15, 59, tzinfo=UTC)) == D("2026-02-14")
    with pytest.raises(ValueError, match="naive"):
        shanghai_date(datetime(2026, 2, 14))  # noqa: DTZ001
