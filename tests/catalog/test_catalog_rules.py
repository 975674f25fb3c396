"""The pure benchmark representation: validated when built, every problem named (no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhifa.catalog.rules import ItemSpec, LegalBasis, RuleError, Tier, parse_item

BASIS = [{"law": "公路安全保护条例", "article": "第六十四条"}]


def penalty(*tiers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "code": "CF-001",
        "kind": "penalty",
        "title": "车辆超限运输",
        "matter": "road.overload",
        "legal_basis": BASIS,
        "discretion": list(tiers),
    } | extra


def tier(name: str = "一般", lo: Any = 500, hi: Any = 30000, **extra: Any) -> dict[str, Any]:
    return {"tier": name, "condition": "超限运输", "min_yuan": lo, "max_yuan": hi, "warning": False} | extra


def test_a_good_penalty_item() -> None:
    spec = parse_item(penalty(tier("轻微", None, None, warning=True), tier("一般", 500, "30000.5"), tier("一般", 1, 2)))
    assert spec.tiers[0] == Tier("轻微", "超限运输", None, None, True)
    assert spec.tiers[1].min_yuan == Decimal("500") and spec.tiers[1].max_yuan == Decimal("30000.5")
    assert spec.as_dict()["discretion"][1]["max_yuan"] == "30000.50"
    assert spec.legal_basis == (LegalBasis("公路安全保护条例", "第六十四条"),)


@pytest.mark.parametrize(
    ("obj", "field", "reason"),
    [
        (penalty(tier(lo=800, hi=500)), "discretion[1].max_yuan", "greater than"),
        (penalty(tier(lo=-1, hi=500)), "discretion[1].min_yuan", "negative"),
        (penalty(tier(lo=0.001, hi=500)), "discretion[1].min_yuan", "two decimals"),
        (penalty(tier(lo="abc")), "discretion[1].min_yuan", "not an amount"),
        (penalty(tier(lo=True)), "discretion[1].min_yuan", "not an amount"),
        (penalty(tier(lo="NaN")), "discretion[1].min_yuan", "not an amount"),
        (penalty(tier("严重"), tier("一般")), "discretion[2].tier", "轻微 → 一般"),
        (penalty(tier("很重")), "discretion[1].tier", "unknown tier"),
        (penalty(tier(condition=" ")), "discretion[1].condition", "empty"),
        (penalty(tier(warning="yes")), "discretion[1].warning", "true or false"),
        (penalty(), "discretion", "at least one"),
        (penalty(tier(), kind="inspection"), "discretion", "only penalty items"),
        (penalty(tier(), kind="fine"), "kind", "unknown kind"),
        (penalty(tier(), legal_basis=[]), "legal_basis", "at least one"),
        (penalty(tier(), legal_basis=[{"law": "公路法", "article": ""}]), "legal_basis[1].article", "empty"),
        (penalty(tier(), legal_basis=[{"article": "第一条"}]), "legal_basis[1].law", "empty"),
        (penalty(tier(), legal_basis="公路法"), "legal_basis", "must be a list"),
        (penalty(tier(), code="CF 001"), "code", "code must be"),
        (penalty(tier(), title=""), "title", "empty"),
        (penalty(tier(), matter="Road Overload"), "matter", "malformed matter"),
        (penalty("一般"), "discretion[1]", "must be an object"),
    ],
)
def test_problems_are_named(obj: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(RuleError) as exc:
        parse_item(obj)
    assert [(p.field, reason in p.reason) for p in exc.value.problems] == [(field, True)]


def test_all_problems_of_an_item_are_reported() -> None:
    with pytest.raises(RuleError) as exc:
        parse_item(penalty(tier(lo=800, hi=500), tier("轻微"), code="", legal_basis=[]))
    assert sorted(p.field for p in exc.value.problems) == [
        "code",
        "discretion[1].max_yuan",
        "legal_basis",
    ]


def test_direct_construction_validates_too() -> None:
    with pytest.raises(RuleError):
        Tier("一般", "x", Decimal(10), Decimal(5))
    with pytest.raises(RuleError):
        ItemSpec("JC-1", "inspection", "检查", None, (LegalBasis("道路运输条例", "第六十条"),), (Tier("一般", "x"),))
    with pytest.raises(RuleError):
        LegalBasis("", "第一条")
