"""No penalty where the law says so, pure: the minor-violation exemption list (免罚清单) and the
first-violation rule (首违不罚), evaluated from facts (no database, no I/O).

行政处罚法 第三十三条第一款: “违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微
并及时改正的，可以不予行政处罚。” 第三款: the party is educated (对当事人进行教育). Provinces publish
lists (清单) in batches; each item names the violation and the conditions under which it is not
penalised. An item applies only when **every** condition holds; a condition the officer did not
state does not hold. ``first_offence`` is never taken from the officer's word alone: the party's
history decides (a decided penalty for the same matter earlier means it is not a first violation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONDITIONS: dict[str, str] = {
    "first_offence": "初次违法",
    "minor": "违法行为轻微",
    "corrected_in_time": "及时改正",
    "no_harm": "没有造成危害后果",
    "minor_harm": "危害后果轻微",
    "no_fault": "当事人有证据足以证明没有主观过错",
    "cooperated": "配合调查",
}
#: 第三十三条: ``must`` — 不予行政处罚; ``may`` — 可以不予行政处罚 (the officer still decides).
EFFECTS = ("must", "may")

#: 首违不罚: the statutory first-violation rule, applied to any matter (第三十三条第一款第二句).
FIRST_VIOLATION_CONDITIONS = ("first_offence", "minor_harm", "corrected_in_time")


@dataclass(frozen=True)
class ExemptionRule:
    code: str
    batch: str
    title: str
    matter: str | None
    conditions: tuple[str, ...]
    effect: str
    basis: str

    def __post_init__(self) -> None:
        unknown = [c for c in self.conditions if c not in CONDITIONS]
        if unknown:
            raise ValueError(f"unknown condition(s) {', '.join(unknown)}; known: {', '.join(CONDITIONS)}")
        if not self.conditions:
            raise ValueError("an exemption item needs at least one condition")
        if self.effect not in EFFECTS:
            raise ValueError(f"effect must be one of {', '.join(EFFECTS)}")


@dataclass(frozen=True)
class Evaluation:
    code: str
    applies: bool
    effect: str
    results: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "applies": self.applies, "effect": self.effect, "conditions": list(self.results)}


def evaluate(rule: ExemptionRule, facts: dict[str, bool], first_by_history: bool) -> Evaluation:
    """Every condition of ``rule`` against the stated ``facts``; ``first_offence`` from history."""
    results = []
    for c in rule.conditions:
        if c == "first_offence":
            holds, source = first_by_history, "history"
        else:
            holds, source = facts.get(c) is True, "officer" if c in facts else "not_stated"
        results.append({"condition": c, "text": CONDITIONS[c], "holds": holds, "source": source})
    return Evaluation(rule.code, all(r["holds"] for r in results), rule.effect, tuple(results))


FIRST_VIOLATION = ExemptionRule(
    "FIRST-VIOLATION",
    "行政处罚法",
    "首违不罚：初次违法且危害后果轻微并及时改正",
    None,
    FIRST_VIOLATION_CONDITIONS,
    "may",
    "行政处罚法 第三十三条第一款",
)


def applicable(rules: list[ExemptionRule], matter: str | None) -> list[ExemptionRule]:
    """The list's items for the case's matter, and the statutory first-violation rule."""
    return [r for r in rules if r.matter is None or r.matter == matter] + [FIRST_VIOLATION]


#: Example items, seeded by migration 0008 marked ``example``: real-world style, to be replaced by
#: the province's published list (they are not a list in force).
EXAMPLE_ITEMS: tuple[dict[str, Any], ...] = (
    {
        "code": "EX-ROAD-01",
        "batch": "示例第一批",
        "title": "货运车辆未随车携带道路运输证，当场补正且未造成危害后果的",
        "matter": "road.transport_permit",
        "conditions": ["minor", "corrected_in_time", "no_harm"],
        "effect": "must",
        "basis": "行政处罚法 第三十三条第一款；道路运输条例",
    },
    {
        "code": "EX-ROAD-02",
        "batch": "示例第一批",
        "title": "车货总质量超过限定标准不超过1000千克，首次违法并当场卸载改正的",
        "matter": "road.overload",
        "conditions": ["first_offence", "minor_harm", "corrected_in_time"],
        "effect": "may",
        "basis": "行政处罚法 第三十三条第一款；超限运输车辆行驶公路管理规定 第四十三条",
    },
    {
        "code": "EX-WATER-01",
        "batch": "示例第二批",
        "title": "船舶未按规定开启AIS，首次违法且及时改正、未造成危害后果的",
        "matter": "water.vessel",
        "conditions": ["first_offence", "corrected_in_time", "no_harm"],
        "effect": "must",
        "basis": "行政处罚法 第三十三条第一款；内河交通安全管理条例",
    },
)
