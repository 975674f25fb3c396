"""The ``--at`` location syntax (pure).

* ``lon,lat`` — longitude first, WGS-84, or GCJ-02 when declared (``crs="gcj02"``);
* ``ROUTE Kkm+metres`` — a stake mark, e.g. ``G312 K1183+500``;
* ``site:CODE`` — a registered site (station, service point …);
* ``entity:ID`` — a registered entity: an enterprise USCC, a vehicle plate (optionally
  ``苏L12345/yellow``), a vessel MMSI, or ``enterprise:N`` style internal ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhifa.geo.crs import CoordinateError, normalise_crs, to_wgs84
from zhifa.geo.stake import Stake, StakeError, looks_like_stake, parse_stake
from zhifa.jurisdiction.router import PointAt, RoutingError

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_POINT_RE = re.compile(rf"^\s*({_NUM})\s*[,，\s]\s*({_NUM})\s*$")


@dataclass(frozen=True)
class Ref:
    kind: str  # site | entity
    key: str


def parse_location(text: str, crs: str | None = None) -> PointAt | Stake | Ref:
    if text is None or not str(text).strip():
        raise RoutingError("location is empty", "未给出位置")
    t = str(text).strip()
    low = t.lower()
    if low.startswith("site:") or low.startswith("entity:"):
        kind, key = t.split(":", 1)
        if not key.strip():
            raise RoutingError(f"{kind.lower()}: needs a code after the colon", "位置引用缺少编码")
        return Ref(kind.lower(), key.strip())
    m = _POINT_RE.match(t)
    if m:
        try:
            crs_name = normalise_crs(crs)
            lon, lat = to_wgs84(float(m.group(1)), float(m.group(2)), crs_name)
        except CoordinateError as exc:
            raise RoutingError(str(exc), f"坐标无效：{exc}") from exc
        return PointAt(lon, lat, t if crs_name != "wgs84" else None)
    if looks_like_stake(t):
        try:
            return parse_stake(t)
        except StakeError as exc:
            raise RoutingError(str(exc), f"桩号格式错误：{t}（应为如 G312 K1183+500）") from exc
    raise RoutingError(
        f"malformed location {t!r}: give 'lon,lat', a stake mark like 'G312 K1183+500', 'site:CODE' or 'entity:ID'",
        f"位置格式错误：{t}（应为“经度,纬度”、桩号如 G312 K1183+500、site:编码 或 entity:编号）",
    )
