"""The working-day calendar table: seeded by migration 0006, administered (admin only, audited),
used by the deadline calculator. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor, AuditLog
from zhifa.core.errors import BadRequest, Forbidden, ImportRejected, InvalidField, NotFound
from zhifa.legal import official, service
from zhifa.legal.calendar import UnscheduledYear
from zhifa.legal.models import CalendarDay, CalendarYear

D = date.fromisoformat
ADMIN = Actor(username="cal-admin", roles=frozenset({"admin"}))
OFFICER = Actor(username="officer1", roles=frozenset({"officer"}))

#: A schedule for 2027 for the tests — not the State Council's (not published when this was written).
TEST_2027 = [
    {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    {"date": "2027-02-05", "kind": "holiday", "name": "春节"},
    {"date": "2027-02-06", "kind": "holiday", "name": "春节"},
    {"date": "2027-02-07", "kind": "holiday", "name": "春节"},
    {"date": "2027-02-08", "kind": "holiday", "name": "春节"},
    {"date": "2027-02-09", "kind": "holiday", "name": "春节"},
    {"date": "2027-01-30", "kind": "workday", "name": "春节"},
]


def audits(session: Session, entity_type: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.entity_type == entity_type).order_by(AuditLog.id)))


def without_2027(session: Session) -> None:
    """2027 unscheduled, whatever a newer package might have seeded (in this test's transaction)."""
    if session.get(CalendarYear, 2027) is not None:
        service.unschedule_year(session, ADMIN, 2027)


def test_the_migration_seeded_the_official_schedules(session: Session) -> None:
    cal = service.load_calendar(session)
    expected = official.package_calendar()
    assert cal.scheduled_years == expected.scheduled_years and min(cal.scheduled_years) == 2004
    assert cal.holidays == expected.holidays and cal.workdays == expected.workdays
    assert cal.name_of(D("2026-02-16")) == "春节" and cal.name_of(D("2026-05-09")) == "劳动节"
    years = {y["year"]: y for y in service.list_years(session)}
    assert years[2026]["source"].startswith("chinesecalendar ") and years[2026]["updated_by"] == "system"
    assert (years[2026]["holidays"], years[2026]["workdays"]) == (33, 6)
    days = service.list_days(session, 2026)
    assert (
        days["scheduled"]
        and {"date": "2026-02-14", "kind": "workday", "name": "春节", "updated_by": "system"} in (days["days"])
    )


def test_deadlines_from_the_table(session: Session) -> None:
    assert service.deadline(session, D("2026-02-12"), working_days=5).due == D("2026-02-26")
    d = service.deadline(session, D("2026-02-06"), calendar_days=15)
    assert (d.due, d.rolled_from) == (D("2026-02-24"), D("2026-02-21"))
    assert service.deadline(session, D("2026-09-28"), days=7, law="penalty").due == D("2026-10-13")
    for bad in ({}, {"working_days": 5, "calendar_days": 5}, {"days": 5}, {"working_days": 5, "law": "penalty"}):
        with pytest.raises(BadRequest):
            service.deadline(session, D("2026-02-12"), **bad)


def test_2027_is_refused_until_an_administrator_enters_it(session: Session) -> None:
    without_2027(session)
    with pytest.raises(UnscheduledYear) as info:
        service.deadline(session, D("2026-12-28"), working_days=5)
    assert info.value.years == [2027]
    assert service.coverage(session, D("2026-12-01"), D("2027-03-01")) == {
        "from": "2026-12-01",
        "to": "2027-03-01",
        "covered": False,
        "unscheduled_years": [2027],
    }
    with pytest.raises(Forbidden):
        service.schedule_year(session, OFFICER, 2027, TEST_2027, "国务院办公厅关于2027年部分节假日安排的通知")
    after = service.schedule_year(session, ADMIN, 2027, TEST_2027, "国务院办公厅关于2027年部分节假日安排的通知")
    assert len(after["days"]) == len(TEST_2027)
    assert service.coverage(session, D("2026-12-01"), D("2027-03-01"))["covered"] is True
    # 29, 30, 31 Dec; 1 Jan is a holiday; Mon 4, Tue 5 Jan.
    assert service.deadline(session, D("2026-12-28"), working_days=5).due == D("2027-01-05")
    # 2027-01-30 is a Saturday the test schedule makes a working day; 5–9 Feb are off.
    assert service.deadline(session, D("2027-01-29"), working_days=1).due == D("2027-01-30")
    assert service.deadline(session, D("2027-01-21"), calendar_days=15).due == D("2027-02-10")
    [row] = audits(session, "legal_calendar_year")
    assert (row.actor, row.action, row.entity_id, row.before) == ("cal-admin", "schedule", "2027", None)
    assert row.after["source"] == "国务院办公厅关于2027年部分节假日安排的通知" and len(row.after["days"]) == 7
    year_2027 = session.get(CalendarYear, 2027)
    assert year_2027 is not None and year_2027.updated_by == "cal-admin"


def test_a_year_is_entered_whole_or_not_at_all(session: Session) -> None:
    without_2027(session)
    bad: list[dict[str, Any]] = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2026-12-31", "kind": "holiday", "name": "x"},
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-01", "kind": "workday", "name": "春节"},  # a Monday
        {"date": "2027-02-06", "kind": "rest", "name": "春节"},
        {"date": "2027-02-07", "kind": "holiday", "name": " "},
        {"date": "2027-02-31", "kind": "holiday", "name": "春节"},
    ]
    with pytest.raises(ImportRejected) as info:
        service.schedule_year(session, ADMIN, 2027, bad, "notice")
    found = [(e.where, e.field) for e in info.value.errors]
    assert found == [
        ("days[2]", "date"),
        ("days[3]", "date"),
        ("days[4]", "kind"),
        ("days[5]", "kind"),
        ("days[6]", "name"),
        ("days[7]", "date"),
    ]
    assert "is given twice" in info.value.errors[1].reason and "weekday" in info.value.errors[2].reason
    with pytest.raises(ImportRejected) as info:
        service.schedule_year(session, ADMIN, 2027, [{"date": "2027-01-30", "kind": "workday", "name": "春节"}], "n")
    assert "none given" in info.value.errors[0].reason
    with pytest.raises(InvalidField, match="source"):
        service.schedule_year(session, ADMIN, 2027, TEST_2027, "  ")
    with pytest.raises(InvalidField, match="year"):
        service.schedule_year(session, ADMIN, 3027, TEST_2027, "notice")
    assert session.get(CalendarYear, 2027) is None
    assert session.scalars(select(CalendarDay).where(CalendarDay.day >= D("2027-01-01"))).first() is None
    assert audits(session, "legal_calendar_year") == []


def test_replacing_a_year_keeps_the_old_schedule_in_the_audit(session: Session) -> None:
    before_days = service.list_days(session, 2025)["days"]
    service.schedule_year(session, ADMIN, 2025, [{"date": "2025-01-01", "kind": "holiday", "name": "元旦"}], "fix")
    assert service.list_days(session, 2025)["days"] == [
        {"date": "2025-01-01", "kind": "holiday", "name": "元旦", "updated_by": "cal-admin"}
    ]
    [row] = audits(session, "legal_calendar_year")
    assert len(row.before["days"]) == len(before_days) > 20 and row.after["source"] == "fix"


def test_single_days_are_corrected_and_audited(session: Session) -> None:
    # Five working days from Fri 27 Feb: Sat 28 (make-up), 2, 3, 4, 5 Mar; with Mon 2 Mar made a
    # holiday they end on Fri 6 Mar.
    assert service.deadline(session, D("2026-02-27"), working_days=5).due == D("2026-03-05")
    with pytest.raises(Forbidden):
        service.set_day(session, OFFICER, D("2026-03-02"), "holiday", "测试")
    assert service.set_day(session, ADMIN, D("2026-03-02"), "holiday", "测试") == {
        "date": "2026-03-02",
        "kind": "holiday",
        "name": "测试",
    }
    assert service.deadline(session, D("2026-02-27"), working_days=5).due == D("2026-03-06")
    service.set_day(session, ADMIN, D("2026-03-02"), "holiday", "更正")
    service.clear_day(session, ADMIN, D("2026-03-02"))
    assert service.deadline(session, D("2026-02-27"), working_days=5).due == D("2026-03-05")
    rows = audits(session, "legal_calendar_day")
    assert [(r.action, r.entity_id, r.actor) for r in rows] == [
        ("create", "2026-03-02", "cal-admin"),
        ("update", "2026-03-02", "cal-admin"),
        ("delete", "2026-03-02", "cal-admin"),
    ]
    assert rows[1].before["name"] == "测试" and rows[1].after["name"] == "更正" and rows[2].after is None
    # A make-up day turned back into a rest day.
    service.clear_day(session, ADMIN, D("2026-02-28"))
    assert service.deadline(session, D("2026-02-26"), working_days=2).due == D("2026-03-02")


def test_single_day_edits_are_checked(session: Session) -> None:
    without_2027(session)
    with pytest.raises(BadRequest, match="2027 has no schedule"):
        service.set_day(session, ADMIN, D("2027-01-01"), "holiday", "元旦")
    with pytest.raises(InvalidField, match="weekday"):
        service.set_day(session, ADMIN, D("2026-03-02"), "workday", "x")
    with pytest.raises(InvalidField, match="name"):
        service.set_day(session, ADMIN, D("2026-03-07"), "workday", "")
    with pytest.raises(NotFound, match="ordinary day"):
        service.clear_day(session, ADMIN, D("2026-03-02"))
    with pytest.raises(Forbidden):
        service.clear_day(session, OFFICER, D("2026-02-16"))
    assert audits(session, "legal_calendar_day") == []


def test_withdrawing_a_year_and_seeding_it_back(session: Session) -> None:
    service.set_day(session, ADMIN, D("2025-03-03"), "holiday", "本地更正")
    with pytest.raises(Forbidden):
        service.unschedule_year(session, OFFICER, 2026)
    assert service.unschedule_year(session, ADMIN, 2026) == {"year": 2026, "scheduled": False}
    with pytest.raises(UnscheduledYear):
        service.deadline(session, D("2026-02-12"), working_days=5)
    with pytest.raises(NotFound):
        service.unschedule_year(session, ADMIN, 2026)
    [withdrawn] = audits(session, "legal_calendar_year")
    assert withdrawn.action == "unschedule" and len(withdrawn.before["days"]) == 39 and withdrawn.after is None
    with pytest.raises(Forbidden):
        service.seed_from_package(session, OFFICER)
    result = service.seed_from_package(session, ADMIN)
    assert 2026 in result["added_years"] and 2025 not in result["added_years"]
    assert service.deadline(session, D("2026-02-12"), working_days=5).due == D("2026-02-26")
    year_2026 = session.get(CalendarYear, 2026)
    assert year_2026 is not None and year_2026.updated_by == "cal-admin" and year_2026.source == result["source"]
    # The administrator's correction in 2025 survived the seed.
    assert service.load_calendar(session).name_of(D("2025-03-03")) == "本地更正"
    assert service.seed_from_package(session, ADMIN)["added_years"] == []


def test_the_quote_follows_the_part_tonnes_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", raising=False)
    assert service.penalty_quote("road.overload", 1001).fine_yuan == 500
    monkeypatch.setenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", "true")
    assert service.penalty_quote("road.overload", 1001).fine_yuan == 1000
