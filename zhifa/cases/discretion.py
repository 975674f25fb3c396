"""Discretion (自由裁量), pure: the fine the engine proposes and the rule for choosing outside it.

行政处罚法 第三十四条: penalties are set under the published discretion benchmark (裁量基准).
The benchmark of an enforcement item (``zhifa.catalog``) has tiers 轻微 → 严重, each with its
circumstances and a fine range. The officer names the tier whose circumstances the facts meet and
how the case stands within it:

* ``lighter`` (从轻, 第三十二条): the range's lower bound;
* ``ordinary``: the middle of the range (rounded down to the yuan);
* ``heavier`` (从重): the upper bound.

Illegal oversize/overweight transport (``road.overload``) is quoted by article 43 of the ministry
rule (:mod:`zhifa.legal.quote`) instead: the figure is the quote's, the range its range.

An officer may decide another amount; outside the proposal's range the choice needs a written
justification (at least :data:`MIN_JUSTIFICATION` characters) and is marked ``outside_range`` for
supervision. Above the benchmark's highest amount nothing justifies it: that is beyond the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from zhifa.catalog.rules import ItemSpec
from zhifa.core.errors import InvalidField
from zhifa.legal.quote import Quote

CIRCUMSTANCES = ("lighter", "ordinary", "heavier")
CIRCUMSTANCE_ZH = {"lighter": "从轻", "ordinary": "一般", "heavier": "从重"}
MIN_JUSTIFICATION = 10


@dataclass(frozen=True)
class Proposal:
    item_code: str | None
    tier: str | None
    condition: str | None
    min_yuan: Decimal
    max_yuan: Decimal
    #: The benchmark's highest amount of all tiers: no fine may go above it.
    ceiling_yuan: Decimal
    fine_yuan: Decimal
    warning: bool
    circumstance: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "tier": self.tier,
            "condition": self.condition,
            "range_yuan": {"min": f"{self.min_yuan:.2f}", "max": f"{self.max_yuan:.2f}"},
            "ceiling_yuan": f"{self.ceiling_yuan:.2f}",
            "fine_yuan": f"{self.fine_yuan:.2f}",
            "warning": self.warning,
            "circumstance": self.circumstance,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Proposal:
        return cls(
            d.get("item_code"),
            d.get("tier"),
            d.get("condition"),
            Decimal(d["range_yuan"]["min"]),
            Decimal(d["range_yuan"]["max"]),
            Decimal(d["ceiling_yuan"]),
            Decimal(d["fine_yuan"]),
            bool(d["warning"]),
            d["circumstance"],
            d["reason"],
        )


def _basis(spec: ItemSpec) -> str:
    return "；".join(f"{b.law}{b.article}" for b in spec.legal_basis)


def propose(spec: ItemSpec, tier_seq: int, circumstance: str = "ordinary") -> Proposal:
    """The proposal for the tier ``tier_seq`` (1-based, in benchmark order) of a penalty item."""
    if spec.kind != "penalty" or not spec.tiers:
        raise InvalidField(
            "item_code", f"{spec.code} is not a penalty item with a benchmark", "该事项不是有裁量基准的处罚事项"
        )
    if circumstance not in CIRCUMSTANCES:
        raise InvalidField("circumstance", f"one of {', '.join(CIRCUMSTANCES)}", "情节应为从轻、一般或从重")
    if not 1 <= tier_seq <= len(spec.tiers):
        raise InvalidField("tier", f"1 to {len(spec.tiers)}", f"裁量档次应为1至{len(spec.tiers)}")
    t = spec.tiers[tier_seq - 1]
    ceiling = max((x.max_yuan for x in spec.tiers if x.max_yuan is not None), default=Decimal(0))
    lo = t.min_yuan if t.min_yuan is not None else Decimal(0)
    hi = t.max_yuan if t.max_yuan is not None else lo
    if circumstance == "lighter":
        fine = lo
    elif circumstance == "heavier":
        fine = hi
    else:
        fine = ((lo + hi) / 2).quantize(Decimal(1), rounding=ROUND_DOWN)
        fine = max(fine, lo)
    if t.min_yuan is None and t.max_yuan is None:
        what = "予以警告" if t.warning else "不予罚款"
    else:
        what = ("予以警告，并" if t.warning else "") + f"处罚款{fine:.2f}元"
    reason = (
        f"依据《{spec.title}》裁量基准“{t.tier}”档（适用情形：{t.condition}），罚款幅度{lo:.2f}至{hi:.2f}元；"
        f"情节{CIRCUMSTANCE_ZH[circumstance]}，建议{what}。法律依据：{_basis(spec)}（行政处罚法 第三十四条）"
    )
    return Proposal(spec.code, t.tier, t.condition, lo, hi, ceiling, fine, t.warning, circumstance, reason)


def propose_from_quote(q: Quote, item_code: str | None = None) -> Proposal:
    """The overload quote as a proposal (超限运输车辆行驶公路管理规定 第四十三条)."""
    return Proposal(
        item_code, None, None, q.min_yuan, q.max_yuan, Decimal(30000), q.fine_yuan, q.warning, "lighter", q.reason
    )


@dataclass(frozen=True)
class Choice:
    fine_yuan: Decimal
    outside_range: bool
    justification: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "fine_yuan": f"{self.fine_yuan:.2f}",
            "outside_range": self.outside_range,
            "justification": self.justification,
        }


def choose(p: Proposal, fine_yuan: Decimal, justification: str | None) -> Choice:
    """The officer's amount against the proposal: outside its range only with a justification;
    above the benchmark's ceiling never."""
    if fine_yuan < 0:
        raise InvalidField("fine_yuan", "must not be negative", "罚款不能为负数")
    if p.ceiling_yuan and fine_yuan > p.ceiling_yuan:
        raise InvalidField(
            "fine_yuan",
            f"{fine_yuan:.2f} yuan exceeds the highest amount the benchmark allows ({p.ceiling_yuan:.2f})",
            f"罚款{fine_yuan:.2f}元超过裁量基准最高额{p.ceiling_yuan:.2f}元",
        )
    outside = not (p.min_yuan <= fine_yuan <= p.max_yuan)
    text = (justification or "").strip() or None
    if outside and (text is None or len(text) < MIN_JUSTIFICATION):
        raise InvalidField(
            "justification",
            f"{fine_yuan:.2f} yuan is outside the proposed range {p.min_yuan:.2f}–{p.max_yuan:.2f}: "
            f"state the reasons (at least {MIN_JUSTIFICATION} characters; 行政处罚法 第三十二条、第三十四条)",
            f"罚款超出建议幅度（{p.min_yuan:.2f}至{p.max_yuan:.2f}元），须说明理由（不少于{MIN_JUSTIFICATION}字）",
        )
    return Choice(fine_yuan, outside, text)
