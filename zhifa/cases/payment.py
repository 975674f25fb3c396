"""Paying a fine, pure: due dates, deferral and instalments, the late surcharge with its
suspension, and the window for applying to the court (no database, no I/O).

* 行政处罚法 第六十七条第三款: the fine is paid within 15 days of receiving the decision (calendar
  days; a last day on a rest day moves to the next working day, 民事诉讼法 第八十五条).
* 第六十六条第二款: on the party's application and with approval, payment may be deferred or made
  in instalments; each instalment has its own due date.
* 第七十二条第一款第（一）项: 3 % of the fine a day once overdue, never more than the fine
  (:mod:`zhifa.legal.surcharge`); 第七十三条第三款: not counted while an administrative review or
  a lawsuit runs.
* 行政强制法 第五十三条: an authority without its own enforcement power applies to the court within
  three months after the periods for review (行政复议法 第二十条: 60 days) and lawsuit (行政诉讼法
  第四十六条: six months) have run out; 行政处罚法 第七十二条第二款: after a deferral or instalments,
  from the end of that period. 行政强制法 第五十四条: not before ten working days after the reminder
  was delivered (第六十九条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from zhifa.cases.procedure import add_months
from zhifa.core.errors import InvalidField
from zhifa.legal.calendar import (
    UnscheduledYear,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    roll_to_working_day,
)
from zhifa.legal.surcharge import surcharge

PAYMENT_DAYS = 15  # 行政处罚法 第六十七条第三款
REVIEW_DAYS = 60  # 行政复议法 第二十条
LAWSUIT_MONTHS = 6  # 行政诉讼法 第四十六条
COURT_MONTHS = 3  # 行政强制法 第五十三条
REMINDER_WORKING_DAYS = 10  # 行政强制法 第五十四条、第六十九条


def payment_due(cal: WorkCalendar, receipt: date) -> date:
    return add_calendar_days(cal, receipt, PAYMENT_DAYS)


@dataclass(frozen=True)
class Instalment:
    due: date
    amount: Decimal

    def as_dict(self) -> dict[str, str]:
        return {"due": self.due.isoformat(), "amount_yuan": f"{self.amount:.2f}"}


def plan(fine: Decimal, instalments: list[tuple[date, Decimal]], today: date) -> list[Instalment]:
    """A deferral (one instalment of the whole fine) or instalments (第六十六条第二款): dates in
    order, after today, amounts positive and adding up to the fine."""
    if not instalments:
        raise InvalidField("instalments", "give at least one due date", "请至少给出一个缴纳期限")
    out = [Instalment(d, a) for d, a in instalments]
    for i, inst in enumerate(out):
        if inst.amount <= 0 or inst.amount != inst.amount.quantize(Decimal("0.01")):
            raise InvalidField(f"instalments[{i}].amount_yuan", "a positive amount in yuan", "金额须为正数")
        if inst.due <= today:
            raise InvalidField(f"instalments[{i}].due", "must be after today", "缴纳期限须晚于今日")
        if i and inst.due <= out[i - 1].due:
            raise InvalidField(f"instalments[{i}].due", "due dates must increase", "缴纳期限须依次递增")
    total = sum((x.amount for x in out), Decimal(0))
    if total != fine:
        raise InvalidField(
            "instalments", f"amounts add up to {total:.2f}, not the fine {fine:.2f}", "分期金额之和须等于罚款"
        )
    return out


def suspended_days(due: date, paid: date, periods: list[tuple[date, date | None]]) -> int:
    """Days after ``due`` up to ``paid`` (inclusive) that fall in a review or lawsuit period
    (第七十三条第三款); a period still running counts up to ``paid``."""
    days = set()
    for start, end in periods:
        last = min(end or paid, paid)
        d = max(start, due + timedelta(days=1))
        while d <= last:
            days.add(d)
            d += timedelta(days=1)
    return len(days)


@dataclass(frozen=True)
class Outstanding:
    fine: Decimal
    paid: Decimal
    surcharge: Decimal
    due_now: Decimal
    capped: bool
    details: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "fine_yuan": f"{self.fine:.2f}",
            "paid_yuan": f"{self.paid:.2f}",
            "surcharge_yuan": f"{self.surcharge:.2f}",
            "outstanding_yuan": f"{self.due_now:.2f}",
            "surcharge_capped": self.capped,
            "instalments": self.details,
        }


def outstanding(
    fine: Decimal,
    schedule: list[Instalment],
    payments: list[tuple[date, Decimal]],
    on: date,
    periods: list[tuple[date, date | None]],
) -> Outstanding:
    """What the party owes on ``on``: the fine not yet paid plus the surcharge.

    Payments settle instalments in order. Each instalment accrues its own surcharge from its due
    date to the day it was settled (or ``on``), suspended days taken off; the total surcharge never
    exceeds the fine (第七十二条第一款第（一）项)."""
    remaining = sorted(payments)
    pool = [(d, a) for d, a in remaining]
    total_sur = Decimal(0)
    any_capped = False
    details = []
    paid_total = sum((a for _, a in payments), Decimal(0))
    for inst in schedule:
        need = inst.amount
        settled_on: date | None = None
        while need > 0 and pool:
            d, a = pool[0]
            take = min(a, need)
            need -= take
            settled_on = d
            if take == a:
                pool.pop(0)
            else:
                pool[0] = (d, a - take)
        end = settled_on if need == 0 and settled_on is not None else on
        s = surcharge(inst.amount, inst.due, max(end, inst.due), suspended_days(inst.due, max(end, inst.due), periods))
        total_sur += s.surcharge_yuan
        any_capped = any_capped or s.capped
        details.append(
            inst.as_dict()
            | {
                "settled": need == 0,
                "days_late": s.days_late,
                "days_charged": s.days_charged,
                "surcharge_yuan": f"{s.surcharge_yuan:.2f}",
            }
        )
    capped = any_capped or total_sur > fine
    total_sur = min(total_sur, fine)
    due_now = max(Decimal(0), fine + total_sur - paid_total)
    return Outstanding(fine, paid_total, total_sur, due_now, capped, details)


@dataclass(frozen=True)
class CourtWindow:
    periods_end: date
    opens: date
    closes: date
    #: False when the last day lies in a year with no schedule: it is then not moved off a rest
    #: day (the earlier, safe date) until the year is entered.
    closes_rolled: bool = True
    #: True when the review or lawsuit period itself ends in a year with no schedule: its last
    #: day is then not moved off a rest day either, so the window may in truth open a few days
    #: later. Good for warning (the last day shown is the earliest it can be), never for applying:
    #: the court is asked only on a window counted without a guess.
    provisional: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods_end": self.periods_end.isoformat(),
            "opens": self.opens.isoformat(),
            "closes": self.closes.isoformat(),
            "closes_rolled": self.closes_rolled,
            "provisional": self.provisional,
        }


def court_window(
    cal: WorkCalendar, receipt: date, deferral_end: date | None = None, *, provisional: bool = False
) -> CourtWindow:
    """The days on which the court may be asked to enforce (行政强制法 第五十三条). Where the review
    or lawsuit period ends in a year with no schedule, :class:`UnscheduledYear` — or, with
    ``provisional``, the window counted without moving those ends off rest days, marked so."""
    guessed = False

    def period_end(day: date) -> date:
        nonlocal guessed
        try:
            return roll_to_working_day(cal, day)
        except UnscheduledYear:
            if not provisional:
                raise
            guessed = True
            return day

    review_end = period_end(receipt + timedelta(days=REVIEW_DAYS))
    lawsuit_end = period_end(add_months(receipt, LAWSUIT_MONTHS))
    base = max(review_end, lawsuit_end)
    if deferral_end is not None and deferral_end > base:
        base = deferral_end  # 行政处罚法 第七十二条第二款
    last = add_months(base, COURT_MONTHS)
    try:
        return CourtWindow(base, base + timedelta(days=1), roll_to_working_day(cal, last), provisional=guessed)
    except UnscheduledYear:
        # Moving the last day off a rest day can only make it later: without that year's schedule
        # the unmoved day is the safe one (the authority applies by then at the latest).
        return CourtWindow(base, base + timedelta(days=1), last, closes_rolled=False, provisional=guessed)


def reminder_due(cal: WorkCalendar, reminder_delivered: date) -> date:
    """行政强制法 第五十四条: ten days after the reminder, counted as working days (第六十九条)."""
    return add_working_days(cal, reminder_delivered, REMINDER_WORKING_DAYS)
