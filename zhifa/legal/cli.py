"""``zhifa legal …`` and ``zhifa penalty …``: the calculators on the command line, printing JSON.

Errors (a year with no schedule, a bad date, a negative number) print ``error: …`` on stderr and
exit 1. The commands run as the local administrator, like the rest of the CLI.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any, NoReturn

import typer

from zhifa.core.audit import SYSTEM
from zhifa.core.errors import ZhifaError

legal_app = typer.Typer(
    help="Legal time: deadlines in working or calendar days, late-payment surcharges (docs/legal-time.md)",
    no_args_is_help=True,
)
penalty_app = typer.Typer(help="Penalty quotes with their legal basis (docs/legal-time.md)", no_args_is_help=True)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _date(text: str, option: str) -> date:
    try:
        if _DATE_RE.match(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    _fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


@legal_app.command("deadline")
def deadline(
    start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD: the day the period starts (not counted)")],
    working_days: Annotated[int | None, typer.Option("--working-days", help="a period of N working days")] = None,
    calendar_days: Annotated[
        int | None, typer.Option("--calendar-days", help="N calendar days, moved off a rest day at the end")
    ] = None,
    days: Annotated[int | None, typer.Option("--days", help="N days of the --law, counted as that law says")] = None,
    law: Annotated[str | None, typer.Option("--law", help="penalty (行政处罚法) or coercion (行政强制法)")] = None,
) -> None:
    """The due date of a period, e.g. --from 2026-02-12 --working-days 5 → {"due": "2026-02-26", …}."""
    from zhifa.core.db import session_scope, upgrade
    from zhifa.legal import service

    first = _date(start, "--from")
    upgrade()
    try:
        with session_scope() as session:
            result = service.deadline(session, first, working_days, calendar_days, days, law)
    except ZhifaError as exc:
        _fail(exc.message)
    _echo_json(result.as_dict())


@legal_app.command("surcharge")
def late_surcharge(
    fine: Annotated[str, typer.Option("--fine", help="the fine in yuan, e.g. 2000 or 1234.50")],
    due: Annotated[str, typer.Option("--due", help="YYYY-MM-DD: the final due date (not moved again)")],
    paid: Annotated[str, typer.Option("--paid", help="YYYY-MM-DD: the day the fine is paid")],
    suspended_days: Annotated[
        int, typer.Option("--suspended-days", help="days of review or litigation after the due date (Art 73)")
    ] = 0,
) -> None:
    """加处罚款 (行政处罚法 第七十二条): 3 % of the fine for each day late, at most the fine."""
    from zhifa.legal.surcharge import surcharge

    due_day, paid_day = _date(due, "--due"), _date(paid, "--paid")
    try:
        result = surcharge(fine, due_day, paid_day, suspended_days)
    except ZhifaError as exc:
        _fail(exc.message)
    _echo_json(result.as_dict())


@legal_app.command("seed-calendar")
def seed_calendar() -> None:
    """Enter the years the installed chinesecalendar package knows and the calendar lacks."""
    from zhifa.core.db import session_scope, upgrade
    from zhifa.legal import service

    upgrade()
    with session_scope() as session:
        result = service.seed_from_package(session, SYSTEM)
    _echo_json(result)


@penalty_app.command("quote")
def quote(
    matter: Annotated[str, typer.Option("--matter", "-m", help="matter code: road.overload")],
    excess_kg: Annotated[int, typer.Option("--excess-kg", help="total mass over the limit, kg")] = 0,
    height: Annotated[str | None, typer.Option("--height", help="measured total height, m")] = None,
    width: Annotated[str | None, typer.Option("--width", help="measured total width, m")] = None,
    length: Annotated[str | None, typer.Option("--length", help="measured total length, m")] = None,
) -> None:
    """The fine or warning (超限运输车辆行驶公路管理规定 第四十三条), with its reason and range."""
    from zhifa.legal.service import penalty_quote

    try:
        result = penalty_quote(matter, excess_kg, height, width, length)
    except ZhifaError as exc:
        _fail(exc.message)
    _echo_json(result.as_dict())
