"""Penalty quotes for illegal oversize/overweight transport (超限运输车辆行驶公路管理规定 第四十三条),
pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhifa.core.errors import BadRequest, InvalidField
from zhifa.legal.quote import quote


def fine(q_excess: int, up: bool = False) -> str:
    return str(quote("road.overload", q_excess, round_part_tonnes_up=up).as_dict()["fine_yuan"])


@pytest.mark.parametrize(
    ("excess", "whole", "rounded_up", "warning"),
    [
        (1, "0.00", "0.00", True),
        (1000, "0.00", "0.00", True),  # 未超过1000千克: a warning
        (1001, "500.00", "1000.00", False),
        (1999, "500.00", "1000.00", False),
        (2000, "1000.00", "1000.00", False),
        (2001, "1000.00", "1500.00", False),
        (59999, "29500.00", "30000.00", False),
        (60000, "30000.00", "30000.00", False),  # exactly the cap
        (61000, "30000.00", "30000.00", False),  # 30,500 capped
        (1_000_000, "30000.00", "30000.00", False),
    ],
)
def test_overweight(excess: int, whole: str, rounded_up: str, warning: bool) -> None:
    assert fine(excess) == whole
    assert fine(excess, up=True) == rounded_up
    q = quote("road.overload", excess).as_dict()
    assert q["warning"] is warning
    assert q["range_yuan"] == {"min": whole, "max": whole}  # the article fixes the amount
    assert "第四十三条第一款第（二）项" in q["reason"]


def test_overweight_reasons_say_how_part_tonnes_were_counted() -> None:
    q = quote("road.overload", 12345).as_dict()
    assert q["items"][0]["units"] == 12 and "不足1000千克的345千克不计" in q["reason"]
    assert q["part_tonnes"] == "not_counted"
    up = quote("road.overload", 12345, round_part_tonnes_up=True).as_dict()
    assert up["items"][0]["units"] == 13 and "按1000千克计" in up["reason"] and up["fine_yuan"] == "6500.00"
    assert up["part_tonnes"] == "rounded_up"
    assert "予以警告" in quote("road.overload", 800).reason


def test_the_cap() -> None:
    at = quote("road.overload", 60000)
    assert at.fine_yuan == Decimal(30000) and not at.capped
    over = quote("road.overload", 61000)
    assert over.fine_yuan == Decimal(30000) and over.capped and "罚款30500元，超过最高限额，按30000元" in over.reason


def test_no_violation() -> None:
    q = quote("road.overload", 0, height_m="4.0", width_m="2.55", length_m="18.1")
    assert (q.fine_yuan, q.warning, q.items) == (Decimal(0), False, ())
    assert "不构成违法超限运输" in q.reason


@pytest.mark.parametrize(
    ("dims", "band", "low", "high"),
    [
        ({"height_m": "4.01"}, 1, "0.00", "200.00"),
        ({"height_m": "4.2"}, 1, "0.00", "200.00"),
        ({"height_m": "4.21"}, 2, "200.00", "1000.00"),
        ({"height_m": "4.5"}, 2, "200.00", "1000.00"),
        ({"height_m": "4.51"}, 3, "1000.00", "3000.00"),
        ({"width_m": "2.56"}, 1, "0.00", "200.00"),
        ({"width_m": "3"}, 1, "0.00", "200.00"),
        ({"width_m": "3.01"}, 2, "200.00", "1000.00"),
        ({"width_m": "3.75"}, 2, "200.00", "1000.00"),
        ({"width_m": "3.76"}, 3, "1000.00", "3000.00"),
        ({"length_m": "18.2"}, 1, "0.00", "200.00"),
        ({"length_m": "20"}, 1, "0.00", "200.00"),
        ({"length_m": "20.01"}, 2, "200.00", "1000.00"),
        ({"length_m": "28"}, 2, "200.00", "1000.00"),
        ({"length_m": "28.01"}, 3, "1000.00", "3000.00"),
        # The worst dimension decides: 且 for the lower bands, 或者 for the top one.
        ({"height_m": "4.1", "length_m": "25"}, 2, "200.00", "1000.00"),
        ({"height_m": "4.1", "width_m": "2.6", "length_m": "19"}, 1, "0.00", "200.00"),
        ({"height_m": "4.3", "width_m": "3.8"}, 3, "1000.00", "3000.00"),
        # A dimension within its own limit still places the case in a band with another's excess.
        ({"height_m": "3.9", "width_m": "3.2"}, 2, "200.00", "1000.00"),
    ],
)
def test_dimension_bands(dims: dict[str, str], band: int, low: str, high: str) -> None:
    q = quote("road.overload", **dims).as_dict()
    item = q["items"][0]
    assert item["band"] == band and item["range_yuan"] == {"min": low, "max": high}
    assert q["fine_yuan"] == low and q["range_yuan"] == {"min": low, "max": high}  # proposed: the lower bound
    assert q["warning"] is False and "第四十三条第一款第（一）项" in q["reason"] and "幅度下限" in q["reason"]


@pytest.mark.parametrize("dims", [{"height_m": "4"}, {"width_m": "2.55"}, {"length_m": "18.1"}])
def test_at_the_article_3_limits_there_is_no_dimension_violation(dims: dict[str, str]) -> None:
    assert quote("road.overload", **dims).items == ()


def test_several_violations_add_up_under_one_cap() -> None:
    q = quote("road.overload", 20000, height_m="4.3").as_dict()
    assert q["fine_yuan"] == "10200.00" and q["range_yuan"] == {"min": "10200.00", "max": "11000.00"}
    assert not q["capped"] and "累计10200元" in q["reason"] and "第四十三条第二款" in q["reason"]
    capped = quote("road.overload", 59999, height_m="4.6")
    assert capped.fine_yuan == Decimal(30000) and capped.capped  # 29,500 + 1,000
    assert (capped.min_yuan, capped.max_yuan) == (Decimal(30000), Decimal(30000))
    assert "累计罚款数额最高不得超过30000元" in capped.reason
    near = quote("road.overload", 55000, width_m="3.5").as_dict()  # 27,500 + 200..1,000
    assert near["fine_yuan"] == "27700.00" and near["range_yuan"] == {"min": "27700.00", "max": "28500.00"}
    high = quote("road.overload", 57000, length_m="30").as_dict()  # 28,500 + 1,000..3,000
    assert high["fine_yuan"] == "29500.00" and high["range_yuan"] == {"min": "29500.00", "max": "30000.00"}


def test_a_warning_and_a_fine_in_one_case() -> None:
    q = quote("road.overload", 500, width_m="3.2")
    assert q.warning and q.fine_yuan == Decimal(200)
    assert [i.violation for i in q.items] == ["overweight", "oversize"]


def test_inputs_are_checked() -> None:
    with pytest.raises(BadRequest, match="no penalty quote for matter"):
        quote("passenger.taxi", 5000)
    with pytest.raises(InvalidField, match="excess_kg"):
        quote("road.overload", -1)
    for bad in ("-1", "0", "abc", "1000", "NaN", 4.3):
        with pytest.raises(InvalidField, match="height_m"):
            quote("road.overload", 0, height_m=bad)
