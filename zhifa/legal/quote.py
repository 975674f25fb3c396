"""Penalty quotes for illegal oversize/overweight transport (违法超限运输), pure: no database, no I/O.

The ministry rule 超限运输车辆行驶公路管理规定 (交通运输部令2016年第62号) is not in ``shared/laws``;
its articles 3 and 43 are encoded from the published text. The fine rests on 公路安全保护条例
第六十四条 (责令改正, 可以处3万元以下的罚款) and 公路法 第七十六条第（五）项, and article 43 of the
rule sets the amounts:

* 第四十三条第一款第（二）项 — total mass over the limit of 第三条第一款第（四）至（八）项: by no more
  than 1,000 kg, a warning; otherwise 500 yuan for each 1,000 kg over (每超1000千克罚款500元), at
  most 30,000 yuan. Read literally, only whole 1,000 kg count; whether a part of 1,000 kg counts
  as a whole one is left to the benchmark, so it is a setting (``round_part_tonnes_up``).
* 第四十三条第一款第（一）项 — outline over the limits of 第三条第一款第（一）至（三）项 (height 4 m,
  width 2.55 m, length 18.1 m): within 4.2 m high, 3 m wide *and* 20 m long, 可以处200元以下罚款;
  within 4.5 m, 3.75 m and 28 m, 200–1,000 yuan; beyond any of these, 1,000–3,000 yuan.
* 第四十三条第二款 — several violations in one case: the fines add up, at most 30,000 yuan in all.

Where the article gives a range the quote proposes its lower bound — the figure for a first
violation with no aggravating circumstance — and returns the range: the officer decides within it
under the discretion benchmark (行政处罚法 第三十四条) and states the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.core.errors import BadRequest, InvalidField

MATTER = "road.overload"
#: 交通运输部令2016年第62号.
ORDER_62 = "《超限运输车辆行驶公路管理规定》"
#: 第四十三条第一款第（二）项: up to this excess, a warning.
WARNING_MAX_KG = 1000
#: 第四十三条第一款第（二）项: 500 yuan for each 1,000 kg over.
UNIT_KG = 1000
UNIT_YUAN = Decimal(500)
#: 第四十三条第一款第（二）项 and 第二款; 公路安全保护条例 第六十四条: at most 30,000 yuan.
CAP_YUAN = Decimal(30000)
#: 第三条第一款第（一）至（三）项: outline limits of a goods vehicle.
LIMIT_HEIGHT_M = Decimal("4")
LIMIT_WIDTH_M = Decimal("2.55")
LIMIT_LENGTH_M = Decimal("18.1")
#: Sanity bounds for measured outline dimensions (a larger figure is a typing error).
MAX_METRES = Decimal(100)


@dataclass(frozen=True)
class Band:
    """A fine band of 第四十三条第一款第（一）项: applies when no dimension exceeds its bounds."""

    number: int
    height_m: Decimal | None
    width_m: Decimal | None
    length_m: Decimal | None
    min_yuan: Decimal
    max_yuan: Decimal
    text: str


BANDS = (
    Band(1, Decimal("4.2"), Decimal(3), Decimal(20), Decimal(0), Decimal(200), "可以处200元以下罚款"),
    Band(2, Decimal("4.5"), Decimal("3.75"), Decimal(28), Decimal(200), Decimal(1000), "处200元以上1000元以下罚款"),
    Band(3, None, None, None, Decimal(1000), Decimal(3000), "处1000元以上3000元以下的罚款"),
)
BAND_CONDITIONS = {
    1: "车货总高度未超过4.2米、总宽度未超过3米且总长度未超过20米",
    2: "车货总高度未超过4.5米、总宽度未超过3.75米且总长度未超过28米",
    3: "车货总高度超过4.5米、总宽度超过3.75米或者总长度超过28米",
}


def _yuan(value: Decimal) -> str:
    return f"{value:.2f}"


def _plain(value: Decimal) -> str:
    """A figure without trailing zeros, for Chinese text (6000元, 4.25米)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class QuoteItem:
    """One violation of the case with its proposed fine and the range the article allows."""

    violation: str  # overweight | oversize
    fine_yuan: Decimal
    min_yuan: Decimal
    max_yuan: Decimal
    warning: bool
    reason: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "violation": self.violation,
            "fine_yuan": _yuan(self.fine_yuan),
            "range_yuan": {"min": _yuan(self.min_yuan), "max": _yuan(self.max_yuan)},
            "warning": self.warning,
            "reason": self.reason,
            **self.detail,
        }


@dataclass(frozen=True)
class Quote:
    matter: str
    items: tuple[QuoteItem, ...]
    fine_yuan: Decimal
    min_yuan: Decimal
    max_yuan: Decimal
    warning: bool
    capped: bool
    round_part_tonnes_up: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "fine_yuan": _yuan(self.fine_yuan),
            "warning": self.warning,
            "reason": self.reason,
            "range_yuan": {"min": _yuan(self.min_yuan), "max": _yuan(self.max_yuan)},
            "capped": self.capped,
            "matter": self.matter,
            "part_tonnes": "rounded_up" if self.round_part_tonnes_up else "not_counted",
            "items": [i.as_dict() for i in self.items],
        }


def parse_metres(value: Any, field_name: str) -> Decimal | None:
    """A measured outline dimension in metres (``None`` when not measured)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):  # floats refused: exact measures
        raise InvalidField(field_name, f"{value!r} is not a length in metres", "不是以米为单位的长度")
    try:
        metres = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidField(field_name, f"{value!r} is not a length in metres", "不是以米为单位的长度") from None
    if not metres.is_finite() or metres <= 0:
        raise InvalidField(field_name, f"must be a positive length in metres, got {value!r}", "必须为正数（米）")
    if metres > MAX_METRES:
        raise InvalidField(
            field_name, f"{metres} m is not a plausible vehicle dimension", f"{metres}米不是合理的车辆尺寸"
        )
    return metres


def overweight_item(excess_kg: int, round_part_tonnes_up: bool = False) -> QuoteItem | None:
    """第四十三条第一款第（二）项; ``None`` when the mass is within the limit."""
    if isinstance(excess_kg, bool) or not isinstance(excess_kg, int):
        raise InvalidField("excess_kg", "must be a whole number of kilograms", "必须为整数（千克）")
    if excess_kg < 0:
        raise InvalidField("excess_kg", f"must not be negative, got {excess_kg}", f"不能为负数：{excess_kg}")
    if excess_kg == 0:
        return None
    article = f"{ORDER_62}第四十三条第一款第（二）项"
    detail: dict[str, Any] = {"excess_kg": excess_kg}
    if excess_kg <= WARNING_MAX_KG:
        reason = f"车货总质量超过限定标准{excess_kg}千克，未超过1000千克：予以警告（{article}）"
        return QuoteItem("overweight", Decimal(0), Decimal(0), Decimal(0), True, reason, detail | {"units": 0})
    units = -(-excess_kg // UNIT_KG) if round_part_tonnes_up else excess_kg // UNIT_KG
    raw = UNIT_YUAN * units
    fine = min(raw, CAP_YUAN)
    rest = excess_kg % UNIT_KG
    if rest == 0:
        counted = f"计{units}个1000千克"
    elif round_part_tonnes_up:
        counted = f"计{units}个1000千克（不足1000千克的{rest}千克按1000千克计）"
    else:
        counted = f"计{units}个1000千克（不足1000千克的{rest}千克不计）"
    reason = f"车货总质量超过限定标准{excess_kg}千克，每超1000千克罚款500元，{counted}，罚款{_plain(raw)}元"
    if raw > CAP_YUAN:
        reason += f"，超过最高限额，按{_plain(CAP_YUAN)}元"
    reason += f"（{article}：最高不得超过30000元）"
    return QuoteItem("overweight", fine, fine, fine, False, reason, detail | {"units": units})


def oversize_item(
    height_m: Decimal | None = None, width_m: Decimal | None = None, length_m: Decimal | None = None
) -> QuoteItem | None:
    """第四十三条第一款第（一）项; ``None`` when no measured dimension exceeds 第三条's limits."""
    measured = {"height": height_m, "width": width_m, "length": length_m}
    limits = {"height": LIMIT_HEIGHT_M, "width": LIMIT_WIDTH_M, "length": LIMIT_LENGTH_M}
    names = {"height": "总高度", "width": "总宽度", "length": "总长度"}
    over = {k: v for k, v in measured.items() if v is not None and v > limits[k]}
    if not over:
        return None
    band = next(b for b in BANDS if _within(b, height_m, width_m, length_m))
    excess = "、".join(f"{names[k]}{_plain(v)}米（限{_plain(limits[k])}米）" for k, v in over.items())
    proposal = band.min_yuan
    proposal_text = (
        "首次违法且无从重情节，建议按幅度下限，不处罚款、责令改正"
        if proposal == 0
        else f"首次违法且无从重情节，建议按幅度下限{_plain(proposal)}元"
    )
    reason = (
        f"车货{excess}超过限定标准（{ORDER_62}第三条第一款第（一）至（三）项），{BAND_CONDITIONS[band.number]}，"
        f"{band.text}；{proposal_text}，可依自由裁量基准在{_plain(band.min_yuan)}至{_plain(band.max_yuan)}元内确定"
        f"（{ORDER_62}第四十三条第一款第（一）项）"
    )
    detail = {
        "band": band.number,
        "over": list(over),
        "height_m": _opt(height_m),
        "width_m": _opt(width_m),
        "length_m": _opt(length_m),
    }
    return QuoteItem("oversize", proposal, band.min_yuan, band.max_yuan, False, reason, detail)


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


def _within(band: Band, height: Decimal | None, width: Decimal | None, length: Decimal | None) -> bool:
    pairs = ((height, band.height_m), (width, band.width_m), (length, band.length_m))
    return all(bound is None or value is None or value <= bound for value, bound in pairs)


def quote(
    matter: str,
    excess_kg: int = 0,
    height_m: Any = None,
    width_m: Any = None,
    length_m: Any = None,
    round_part_tonnes_up: bool = False,
) -> Quote:
    """The fine (or warning) for one case: every violation, added up under the 30,000 yuan cap."""
    if matter != MATTER:
        raise BadRequest(
            f"no penalty quote for matter {matter!r}; quotes exist for: {MATTER}",
            f"事项 {matter!r} 暂无罚款测算规则；支持：{MATTER}",
        )
    dims = (
        parse_metres(height_m, "height_m"),
        parse_metres(width_m, "width_m"),
        parse_metres(length_m, "length_m"),
    )
    items = tuple(i for i in (overweight_item(excess_kg, round_part_tonnes_up), oversize_item(*dims)) if i is not None)
    if not items:
        return Quote(
            matter,
            (),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            False,
            False,
            round_part_tonnes_up,
            f"车货总质量及外廓尺寸均未超过限定标准（{ORDER_62}第三条），不构成违法超限运输，不予处罚",
        )
    total = sum((i.fine_yuan for i in items), Decimal(0))
    fine = min(total, CAP_YUAN)
    low = min(sum((i.min_yuan for i in items), Decimal(0)), CAP_YUAN)
    high = min(sum((i.max_yuan for i in items), Decimal(0)), CAP_YUAN)
    reasons = [i.reason for i in items]
    if len(items) > 1:
        combined = f"有多项违法行为，罚款数额累计{_plain(total)}元"
        if total > CAP_YUAN:
            combined += f"，累计罚款数额最高不得超过30000元，按{_plain(CAP_YUAN)}元"
        reasons.append(combined + "（同规定第四十三条第二款）")
    reasons.append("依据《公路安全保护条例》第六十四条：责令改正，可以处3万元以下的罚款")
    capped = any(i.violation == "overweight" and i.detail["units"] * UNIT_YUAN > CAP_YUAN for i in items)
    return Quote(
        matter,
        items,
        fine,
        low,
        high,
        any(i.warning for i in items),
        capped or total > CAP_YUAN,
        round_part_tonnes_up,
        "；".join(reasons) + "。",
    )
