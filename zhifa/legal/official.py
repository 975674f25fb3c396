"""The official holiday schedules as published by the State Council (国务院办公厅关于部分节假日安排
的通知, one a year), from the ``chinesecalendar`` package's data (pure: no database, no I/O).

The package covers whole years from 2004 to the newest notice it knows; it is the seed of the
working-day calendar table, which administrators then keep (a new year is entered when its notice
is published, usually in November).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from zhifa.legal.calendar import WorkCalendar

#: The package's English names of the holidays, in Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class OfficialDay:
    day: date
    kind: str  # holiday | workday
    name: str


def package_source() -> str:
    try:
        return f"chinesecalendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - it is a declared dependency
        return "chinesecalendar"


def package_years() -> list[int]:
    """The years for which the package has the State Council's schedule."""
    from chinese_calendar.constants import holidays

    years = {d.year for d in holidays}
    return list(range(min(years), max(years) + 1))


def package_days(years: list[int] | None = None) -> list[OfficialDay]:
    """Holidays and make-up working days (调休上班) of the given years (default: all), by date."""
    from chinese_calendar.constants import holidays, workdays

    wanted = set(package_years() if years is None else years)
    out = [OfficialDay(d, "holiday", HOLIDAY_NAMES_ZH.get(n, n)) for d, n in holidays.items() if d.year in wanted]
    out += [OfficialDay(d, "workday", HOLIDAY_NAMES_ZH.get(n, n)) for d, n in workdays.items() if d.year in wanted]
    return sorted(out, key=lambda o: o.day)


def package_calendar() -> WorkCalendar:
    """The package's schedules as a calendar, as the table holds them right after migration 0006."""
    days = package_days()
    return WorkCalendar(
        holidays=frozenset(d.day for d in days if d.kind == "holiday"),
        workdays=frozenset(d.day for d in days if d.kind == "workday"),
        scheduled_years=frozenset(package_years()),
        names={d.day: d.name for d in days},
    )
