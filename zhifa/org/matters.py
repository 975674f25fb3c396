"""Matter codes: *what happened*, the first half of "who owns this?". Pure data.

The base codes below are the platform's own; the duty catalogue may add more (and may re-assign
any code to a department or to an external authority).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATTER_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class MatterDef:
    code: str
    mode: str  # strip | block | department | referral
    line: str | None  # road | port | water, for strip matters
    title_zh: str


BASE_MATTERS: dict[str, MatterDef] = {
    m.code: m
    for m in (
        MatterDef("road.overload", "strip", "road", "公路超限运输"),
        MatterDef("road.damage", "strip", "road", "损坏公路路产"),
        MatterDef("road.encroachment", "strip", "road", "侵占公路、违法设置设施"),
        MatterDef("port.operation", "strip", "port", "港口经营"),
        MatterDef("port.dangerous_goods", "strip", "port", "港口危险货物作业"),
        MatterDef("water.vessel", "strip", "water", "船舶违法（船舶检查、证书）"),
        MatterDef("water.ais", "strip", "water", "船舶 AIS 违法"),
        MatterDef("water.navigation", "strip", "water", "通航安全"),
        MatterDef("passenger.taxi", "block", None, "出租汽车经营"),
        MatterDef("passenger.ride_hailing", "block", None, "网约车经营"),
        MatterDef("passenger.bus", "block", None, "公交、客运班线经营"),
        MatterDef("passenger.illegal_operation", "block", None, "非法营运（黑车）"),
        MatterDef("freight.operation", "block", None, "道路货物运输经营"),
        MatterDef("station.logistics", "block", None, "客货运场站、物流"),
        MatterDef("repair.shop", "block", None, "机动车维修"),
        MatterDef("driving.school", "block", None, "驾驶员培训"),
    )
}

#: How a matter's prefix implies its line when the duty catalogue adds a strip matter without one.
PREFIX_LINE = {"road": "road", "port": "port", "water": "water"}


def is_valid_matter_code(code: str) -> bool:
    return bool(MATTER_RE.match(code))
