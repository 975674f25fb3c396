"""The working-day calendar in the database, its administration (admin only, audited) and the
calculators that need it.

The table is seeded by migration 0006 from the ``chinesecalendar`` package (offline; 2004 to the
newest year the installed package knows). A later year is entered by an administrator as a whole
(:func:`schedule_year`) from the State Council's notice, or taken from a newer package
(:func:`seed_from_package`); single days can be corrected (:func:`set_day`, :func:`clear_day`).
Until a year is entered, counting into it is refused (:class:`~zhifa.legal.calendar.UnscheduledYear`).

A scanner that computes many deadlines loads the calendar once (:func:`load_calendar`) and uses
the pure functions of :mod:`zhifa.legal.calendar` on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import utcnow
from zhifa.core.errors import BadRequest, InvalidField, NotFound, Report
from zhifa.legal import calendar, official, quote
from zhifa.legal.calendar import Deadline, WorkCalendar
from zhifa.legal.models import DAY_KINDS, CalendarDay, CalendarYear
from zhifa.legal.settings import legal_settings

#: Years an administrator may enter: a wider figure is a typing error.
YEAR_MIN, YEAR_MAX = 1990, 2100
KIND_ZH = {"holiday": "节假日", "workday": "调休上班日"}


# ---------------------------------------------------------------------------------------- reading


def load_calendar(session: Session) -> WorkCalendar:
    years = frozenset(session.scalars(select(CalendarYear.year)))
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    return WorkCalendar(
        holidays=frozenset(r.day for r in rows if r.kind == "holiday"),
        workdays=frozenset(r.day for r in rows if r.kind == "workday"),
        scheduled_years=years,
        names={r.day: r.name for r in rows},
    )


def _day_dict(row: CalendarDay) -> dict[str, Any]:
    return {"date": row.day.isoformat(), "kind": row.kind, "name": row.name}


def _year_days(session: Session, year: int) -> list[CalendarDay]:
    return list(
        session.scalars(
            select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )


def list_years(session: Session) -> list[dict[str, Any]]:
    """Scheduled years with their source, who entered them and their counts of special days."""
    counts: dict[tuple[int, str], int] = {}
    for day, kind in session.execute(select(CalendarDay.day, CalendarDay.kind)):
        counts[(day.year, kind)] = counts.get((day.year, kind), 0) + 1
    return [
        {
            "year": y.year,
            "source": y.source,
            "holidays": counts.get((y.year, "holiday"), 0),
            "workdays": counts.get((y.year, "workday"), 0),
            "updated_by": y.updated_by,
            "updated_at": y.updated_at.isoformat(),
        }
        for y in session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    ]


def list_days(session: Session, year: int) -> dict[str, Any]:
    row = session.get(CalendarYear, year)
    return {
        "year": year,
        "scheduled": row is not None,
        "source": row.source if row else None,
        "days": [_day_dict(d) | {"updated_by": d.updated_by} for d in _year_days(session, year)],
    }


def coverage(session: Session, first: date, last: date) -> dict[str, Any]:
    """Whether dates from ``first`` to ``last`` can be counted; the years that cannot."""
    missing = load_calendar(session).unscheduled_years(first, last)
    return {"from": first.isoformat(), "to": last.isoformat(), "covered": not missing, "unscheduled_years": missing}


# ------------------------------------------------------------------------------------ calculators


def deadline(
    session: Session,
    start: date,
    working_days: int | None = None,
    calendar_days: int | None = None,
    days: int | None = None,
    law: str | None = None,
) -> Deadline:
    """One of: ``working_days``; ``calendar_days``; ``days`` of a ``law`` (penalty|coercion),
    counted as that law says."""
    given = [x for x in (working_days, calendar_days, days) if x is not None]
    if len(given) != 1:
        raise BadRequest(
            "give exactly one of working_days, calendar_days, or days with law",
            "请给出且只给出一项：working_days、calendar_days，或 days 与 law",
        )
    if (days is None) != (law is None):
        raise BadRequest("days and law go together", "days 与 law 须同时给出")
    cal = load_calendar(session)
    if working_days is not None:
        return calendar.deadline(cal, start, working_days, "working")
    if calendar_days is not None:
        return calendar.deadline(cal, start, calendar_days, "calendar")
    assert days is not None and law is not None
    return calendar.statutory_deadline(cal, start, days, law)


def penalty_quote(
    matter: str,
    excess_kg: int = 0,
    height_m: Any = None,
    width_m: Any = None,
    length_m: Any = None,
) -> quote.Quote:
    """:func:`zhifa.legal.quote.quote` with the part-tonnes setting in force."""
    return quote.quote(
        matter,
        excess_kg,
        height_m,
        width_m,
        length_m,
        round_part_tonnes_up=legal_settings().overload_round_part_tonnes_up,
    )


# --------------------------------------------------------------------------------- administration


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidField("year", f"must be between {YEAR_MIN} and {YEAR_MAX}, got {year}", "年份超出范围")


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _day_problems(day: date, kind: Any, name: Any) -> list[tuple[str, str]]:
    """``(field, reason)`` for every problem of one special day."""
    problems: list[tuple[str, str]] = []
    if kind not in DAY_KINDS:
        problems.append(("kind", f"unknown kind {kind!r}; one of {'|'.join(DAY_KINDS)}"))
    elif kind == "workday" and day.weekday() < 5:
        problems.append(
            ("kind", f"{day.isoformat()} is a weekday: only a Saturday or Sunday can be a make-up working day")
        )
    if not isinstance(name, str) or not name.strip():
        problems.append(("name", "the holiday's name is required"))
    elif len(name.strip()) > 64:
        problems.append(("name", "longer than 64 characters"))
    return problems


def _check_source(source: Any) -> str:
    if not isinstance(source, str) or not source.strip():
        raise InvalidField("source", "name the notice the schedule comes from", "请填写节假日安排的来源（通知名称）")
    if len(source.strip()) > 200:
        raise InvalidField("source", "longer than 200 characters", "超过200个字符")
    return source.strip()


def schedule_year(session: Session, actor: Actor, year: int, days: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """Enter (or replace) a year's whole schedule: its holidays and make-up working days. All or
    nothing: every entry is checked first; the year then counts as scheduled."""
    require(actor, "admin")
    _check_year(year)
    src = _check_source(source)
    report = Report()
    parsed: dict[date, tuple[str, str]] = {}
    for i, entry in enumerate(days, start=1):
        where = f"days[{i}]"
        try:
            day = _parse_date(entry.get("date"))
        except ValueError as exc:
            report.add(where, str(exc), "date")
            continue
        if day.year != year:
            report.add(where, f"{day.isoformat()} is not in {year}", "date")
            continue
        if day in parsed:
            report.add(where, f"{day.isoformat()} is given twice", "date")
            continue
        problems = _day_problems(day, entry.get("kind"), entry.get("name"))
        for field_name, reason in problems:
            report.add(where, reason, field_name)
        if not problems:
            parsed[day] = (str(entry["kind"]), str(entry["name"]).strip())
    if not report.errors and not any(kind == "holiday" for kind, _ in parsed.values()):
        # An official schedule always has holidays (元旦, 春节 …); an empty list would make every
        # weekday of the year a working day — a guess presented as a schedule.
        report.add("days", "a year's schedule lists its holidays: none given", "days")
    report.raise_if_any(f"schedule of {year}")

    existing = session.get(CalendarYear, year)
    before = None if existing is None else _year_snapshot(session, year, existing)
    session.execute(
        delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
    now = utcnow()
    for day, (kind, name) in sorted(parsed.items()):
        session.add(CalendarDay(day=day, kind=kind, name=name, updated_by=actor.username, updated_at=now))
    if existing is None:
        existing = CalendarYear(year=year, source=src, updated_by=actor.username, updated_at=now)
        session.add(existing)
    else:
        existing.source, existing.updated_by, existing.updated_at = src, actor.username, now
    session.flush()
    after = _year_snapshot(session, year, existing)
    audit.record(session, actor, "schedule", "legal_calendar_year", year, before, after)
    return after


def _year_snapshot(session: Session, year: int, row: CalendarYear) -> dict[str, Any]:
    return {"year": year, "source": row.source, "days": [_day_dict(d) for d in _year_days(session, year)]}


def unschedule_year(session: Session, actor: Actor, year: int) -> dict[str, Any]:
    """Withdraw a year's schedule (its special days go too): dates in it are refused again."""
    require(actor, "admin")
    row = session.get(CalendarYear, year)
    if row is None:
        raise NotFound(f"{year} has no schedule", f"{year}年没有节假日安排")
    before = _year_snapshot(session, year, row)
    session.execute(
        delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
    session.delete(row)
    session.flush()
    audit.record(session, actor, "unschedule", "legal_calendar_year", year, before, None)
    return {"year": year, "scheduled": False}


def set_day(session: Session, actor: Actor, day: date, kind: str, name: str) -> dict[str, Any]:
    """Make one day of a scheduled year a holiday or a make-up working day (a correction)."""
    require(actor, "admin")
    if session.get(CalendarYear, day.year) is None:
        raise BadRequest(
            f"{day.year} has no schedule: enter the year's whole schedule first",
            f"{day.year}年尚未录入节假日安排：请先录入全年安排",
        )
    problems = _day_problems(day, kind, name)
    if problems:
        field_name, reason = problems[0]
        raise InvalidField(field_name, reason)
    row = session.get(CalendarDay, day)
    before = None if row is None else _day_dict(row)
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name.strip(), updated_by=actor.username, updated_at=utcnow())
        session.add(row)
    else:
        row.kind, row.name, row.updated_by, row.updated_at = kind, name.strip(), actor.username, utcnow()
    session.flush()
    after = _day_dict(row)
    audit.record(
        session, actor, "create" if before is None else "update", "legal_calendar_day", day.isoformat(), before, after
    )
    return after


def clear_day(session: Session, actor: Actor, day: date) -> dict[str, Any]:
    """Make a special day ordinary again (a weekday works, a weekend rests)."""
    require(actor, "admin")
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(
            f"{day.isoformat()} is an ordinary day: nothing to clear", f"{day.isoformat()} 不是节假日或调休上班日"
        )
    before = _day_dict(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "delete", "legal_calendar_day", day.isoformat(), before, None)
    return {"date": day.isoformat(), "kind": "ordinary"}


def seed_from_package(session: Session, actor: Actor) -> dict[str, Any]:
    """Enter the years the installed ``chinesecalendar`` knows and the table does not (after a
    package upgrade). Years already in the table are left alone: an administrator's edits win."""
    require(actor, "admin")
    have = set(session.scalars(select(CalendarYear.year)))
    new_years = [y for y in official.package_years() if y not in have]
    source = official.package_source()
    by_year: dict[int, list[dict[str, Any]]] = {y: [] for y in new_years}
    for d in official.package_days(new_years):
        by_year[d.day.year].append({"date": d.day, "kind": d.kind, "name": d.name})
    for y in new_years:
        schedule_year(session, actor, y, by_year[y], source)
    return {"added_years": new_years, "source": source, "years": session.scalar(select(func.count(CalendarYear.year)))}
