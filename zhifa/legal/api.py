"""Legal time and penalty arithmetic over HTTP: calculators for every authenticated user, the
working-day calendar readable by all and editable by administrators (audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query

from zhifa.core.api import DB, CurrentActor
from zhifa.legal import service, surcharge
from zhifa.legal.schemas import DayIn, DeadlineIn, QuoteIn, SurchargeIn, YearIn

router = APIRouter(prefix="/api/v1/legal", tags=["legal"])


@router.post("/deadline")
def deadline(body: DeadlineIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """The due date of a period: working days (行政处罚法 第八十五条, 行政强制法 第六十九条) or
    calendar days moved off rest days (民事诉讼法 第八十五条); 409 for a year with no schedule."""
    return service.deadline(session, body.start, body.working_days, body.calendar_days, body.days, body.law).as_dict()


@router.post("/surcharge")
def late_surcharge(body: SurchargeIn, actor: CurrentActor) -> dict[str, Any]:
    """加处罚款: 3 % of the fine a day after the due date, never more than the fine (行政处罚法 第七十二条)."""
    return surcharge.surcharge(body.fine_yuan, body.due, body.paid, body.suspended_days).as_dict()


@router.post("/penalty-quote")
def penalty_quote(body: QuoteIn, actor: CurrentActor) -> dict[str, Any]:
    """The fine or warning for illegal oversize/overweight transport (超限运输车辆行驶公路管理规定 第四十三条)."""
    return service.penalty_quote(body.matter, body.excess_kg, body.height_m, body.width_m, body.length_m).as_dict()


@router.get("/calendar")
def calendar_years(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """The years whose holiday schedule has been entered, with their source."""
    return service.list_years(session)


@router.get("/calendar/coverage")
def calendar_coverage(
    session: DB,
    actor: CurrentActor,
    start: date = Query(alias="from"),
    end: date = Query(alias="to"),
) -> dict[str, Any]:
    """Whether dates in this range can be counted, and the years that cannot."""
    return service.coverage(session, start, end)


@router.get("/calendar/{year}")
def calendar_year(year: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """A year's holidays and make-up working days."""
    return service.list_days(session, year)


@router.put("/calendar/{year}")
def schedule_year(year: int, body: YearIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Enter or replace a year's whole schedule (administrators; all or nothing; audited)."""
    return service.schedule_year(session, actor, year, body.days, body.source)


@router.delete("/calendar/{year}")
def unschedule_year(year: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Withdraw a year's schedule (administrators; audited): its dates are refused again."""
    return service.unschedule_year(session, actor, year)


@router.put("/calendar/days/{day}")
def set_day(day: date, body: DayIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Make one day a holiday or a make-up working day (administrators; audited)."""
    return service.set_day(session, actor, day, body.kind, body.name)


@router.delete("/calendar/days/{day}")
def clear_day(day: date, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Make a special day ordinary again (administrators; audited)."""
    return service.clear_day(session, actor, day)


@router.post("/calendar/seed")
def seed(session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Enter the years the installed chinesecalendar package knows and the table lacks (administrators)."""
    return service.seed_from_package(session, actor)
