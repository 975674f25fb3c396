"""加处罚款 (行政处罚法 第七十二条, 第七十三条第三款), pure: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhifa.core.errors import BadRequest, InvalidField
from zhifa.legal.surcharge import days_late, parse_yuan, surcharge

D = date.fromisoformat


@pytest.mark.parametrize(
    ("due", "paid", "late"),
    [
        ("2026-03-01", "2026-03-01", 0),  # paid on the due date: on time
        ("2026-03-01", "2026-02-20", 0),  # paid early
        ("2026-03-01", "2026-03-02", 1),
        ("2026-03-01", "2026-03-31", 30),
        ("2026-02-24", "2026-03-01", 5),  # 25, 26, 27, 28 Feb and 1 Mar; weekends count
        ("2026-12-30", "2027-01-02", 3),  # across a year end: no calendar needed
    ],
)
def test_days_late(due: str, paid: str, late: int) -> None:
    assert days_late(D(due), D(paid)) == late
    assert surcharge(Decimal(1000), D(due), D(paid)).days_late == late


def test_three_percent_a_day() -> None:
    s = surcharge(Decimal(2000), D("2026-03-01"), D("2026-03-11"))
    assert (s.surcharge_yuan, s.days_late, s.days_charged, s.capped) == (Decimal("600.00"), 10, 10, False)
    out = s.as_dict()
    assert out["surcharge_yuan"] == "600.00" and out["days_late"] == 10 and out["total_yuan"] == "2600.00"
    assert "第七十二条" in out["basis"]


def test_paid_on_or_before_the_due_date_is_nothing() -> None:
    assert surcharge(Decimal(2000), D("2026-03-01"), D("2026-03-01")).surcharge_yuan == Decimal("0.00")
    assert surcharge(Decimal(2000), D("2026-03-01"), D("2026-01-01")).as_dict()["surcharge_yuan"] == "0.00"


def test_never_more_than_the_fine() -> None:
    at_33 = surcharge(Decimal(2000), D("2026-03-01"), D("2026-04-03"))  # 33 days: 99 %
    assert (at_33.days_late, at_33.surcharge_yuan, at_33.capped) == (33, Decimal("1980.00"), False)
    at_34 = surcharge(Decimal(2000), D("2026-03-01"), D("2026-04-04"))  # 34 days: 102 % → the fine
    assert (at_34.days_late, at_34.surcharge_yuan, at_34.capped) == (34, Decimal("2000.00"), True)
    year = surcharge(Decimal("1234.56"), D("2026-03-01"), D("2027-03-01"))
    assert year.surcharge_yuan == Decimal("1234.56") and year.capped


def test_review_and_litigation_days_are_not_counted() -> None:
    # 90 days late, of which 60 in administrative review: 30 days charged.
    s = surcharge(Decimal(1000), D("2026-03-01"), D("2026-05-30"), suspended_days=60)
    assert (s.days_late, s.suspended_days, s.days_charged, s.surcharge_yuan) == (90, 60, 30, Decimal("900.00"))
    whole = surcharge(Decimal(1000), D("2026-03-01"), D("2026-05-30"), suspended_days=90)
    assert whole.surcharge_yuan == Decimal("0.00")
    with pytest.raises(BadRequest, match=r"suspended days \(91\) exceed the days late \(90\)"):
        surcharge(Decimal(1000), D("2026-03-01"), D("2026-05-30"), suspended_days=91)
    with pytest.raises(InvalidField, match="suspended_days"):
        surcharge(Decimal(1000), D("2026-03-01"), D("2026-05-30"), suspended_days=-1)


@pytest.mark.parametrize(
    ("fine", "days", "expected"),
    [
        ("1.50", 1, "0.05"),  # 0.045: half up (half-even would give 0.04)
        ("50.50", 3, "4.55"),  # 4.545
        ("333.33", 1, "10.00"),  # 9.9999
        ("1.50", 3, "0.14"),  # 0.135, rounded once — not 3 × 0.05
        ("0.10", 1, "0.00"),  # 0.003
        ("0.17", 1, "0.01"),  # 0.0051
        ("0", 10, "0.00"),
    ],
)
def test_rounded_half_up_to_the_fen_once(fine: str, days: int, expected: str) -> None:
    due = D("2026-03-01")
    paid = date.fromordinal(due.toordinal() + days)
    assert surcharge(fine, due, paid).as_dict()["surcharge_yuan"] == expected


@pytest.mark.parametrize("bad", ["-5", "12.345", "abc", "NaN", "Infinity", "", True, None, 0.1, "99999999999"])
def test_amounts_are_checked(bad: object) -> None:
    with pytest.raises(InvalidField) as info:
        parse_yuan(bad)
    assert info.value.field == "fine_yuan"


def test_amounts_in_several_spellings() -> None:
    assert parse_yuan("2,000.5") == Decimal("2000.5")
    assert parse_yuan(200) == Decimal(200)
    assert parse_yuan(Decimal("0.10")) == Decimal("0.1")
