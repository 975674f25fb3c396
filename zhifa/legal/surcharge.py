"""The late-payment surcharge on a fine (加处罚款), pure: no database, no I/O.

* 行政处罚法 第七十二条第一款第（一）项: a fine not paid when due is surcharged 3 % of the fine for
  each day, and the surcharge never exceeds the fine.
* 行政处罚法 第七十三条第三款: while the party's administrative review or lawsuit runs, the surcharge
  is not counted — those days (``suspended_days``) are taken off the days late.

Days late are the calendar days after the due date up to and including the day of payment (a
fine paid on the due date is on time). The due date is taken as given: it is already the final
due date (for the 15 days of 第六十七条 see :func:`zhifa.legal.calendar.add_calendar_days`), so it
is not moved again. Amounts are in yuan, computed exactly in :class:`~decimal.Decimal` and rounded
once, half up, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from zhifa.core.errors import BadRequest, InvalidField

#: 行政处罚法 第七十二条: 3 % of the fine per day.
DAILY_RATE = Decimal("0.03")
FEN = Decimal("0.01")
#: Numeric(12, 2), as amounts are stored elsewhere.
MAX_YUAN = Decimal("9999999999.99")
BASIS = (
    "行政处罚法 第七十二条第一款第（一）项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
    "加处罚款的数额不得超出罚款的数额；第七十三条第三款：行政复议或者行政诉讼期间不予计算"
)


def parse_yuan(value: Any, field_name: str = "fine_yuan") -> Decimal:
    """An amount in yuan from a number or numeric text: finite, not negative, at most two decimals."""
    # Floats are refused, as everywhere money or measures are exact (docs/monitoring-rules.md).
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvalidField(field_name, f"{value!r} is not an amount in yuan", "不是以元为单位的金额")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidField(field_name, f"{value!r} is not an amount in yuan", "不是以元为单位的金额") from None
    if not amount.is_finite():
        raise InvalidField(field_name, f"{value!r} is not an amount in yuan", "不是以元为单位的金额")
    if amount < 0:
        raise InvalidField(field_name, f"must not be negative, got {amount}", f"不能为负数：{amount}")
    if amount != amount.quantize(FEN):
        raise InvalidField(field_name, f"{amount} has more than two decimals (fen)", f"{amount} 超过两位小数（分）")
    if amount > MAX_YUAN:
        raise InvalidField(field_name, f"{amount} is too large", f"{amount} 过大")
    return amount


@dataclass(frozen=True)
class Surcharge:
    fine_yuan: Decimal
    due: date
    paid: date
    days_late: int
    suspended_days: int
    days_charged: int
    surcharge_yuan: Decimal
    capped: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "surcharge_yuan": f"{self.surcharge_yuan:.2f}",
            "days_late": self.days_late,
            "suspended_days": self.suspended_days,
            "days_charged": self.days_charged,
            "capped": self.capped,
            "fine_yuan": f"{self.fine_yuan:.2f}",
            "due": self.due.isoformat(),
            "paid": self.paid.isoformat(),
            "total_yuan": f"{self.fine_yuan + self.surcharge_yuan:.2f}",
            "basis": BASIS,
        }


def days_late(due: date, paid: date) -> int:
    """Each day after ``due`` up to and including ``paid``; 0 when paid on or before the due date."""
    return max(0, (paid - due).days)


def surcharge(fine_yuan: Decimal | int | str, due: date, paid: date, suspended_days: int = 0) -> Surcharge:
    fine = parse_yuan(fine_yuan)
    if isinstance(suspended_days, bool) or not isinstance(suspended_days, int):
        raise InvalidField("suspended_days", "must be a whole number of days", "必须是整数天数")
    if suspended_days < 0:
        raise InvalidField("suspended_days", f"must not be negative, got {suspended_days}", "不能为负数")
    late = days_late(due, paid)
    if suspended_days > late:
        # Only days of review or litigation after the due date and up to payment suspend the
        # surcharge; more than the days late means the figure counts days that were never late.
        raise BadRequest(
            f"suspended days ({suspended_days}) exceed the days late ({late}): count only the days of "
            "administrative review or litigation after the due date and up to the payment",
            f"暂停计算的天数（{suspended_days}）超过逾期天数（{late}）：只计算到期日之后、缴纳之日以前的行政复议或者行政诉讼期间",
        )
    charged = late - suspended_days
    exact = fine * DAILY_RATE * charged
    capped = exact > fine
    amount = (fine if capped else exact).quantize(FEN, rounding=ROUND_HALF_UP)
    return Surcharge(fine, due, paid, late, suspended_days, charged, amount, capped)
