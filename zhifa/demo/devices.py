"""Roadside and riverside sensing devices of the demo (docs/sensing.md, ``devices.csv``).

* 12 weigh-in-motion stations (不停车超限检测点) placed *on* the road geometry at their stake marks;
* 20 plate cameras: 9 at passenger hubs (镇江站, 镇江南站, bus stations — within 300 m of the hub,
  so their captures count for the illegal-operation rule), 8 at city nodes, 3 at bridge approaches;
* 4 AIS shore receivers along the Yangtze;
* 3 waterway checkpoints, each with a crossing line spanning the channel north–south.

API keys are derived from the seed (``demo-<code>-<hex>``): the demo's simulator reads them from the
same file. A demo key is public knowledge — never reuse one outside the demo.

Evidence grade (行政处罚法 第四十一条): most devices are reviewed, published and (WIM) verified; a few
are not, so the demo shows leads marked “not usable as evidence”.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from shapely.geometry import LineString, Point

from zhifa.demo import geography

DEVICE_COLUMNS = (
    "code",
    "kind",
    "name",
    "lon",
    "lat",
    "accuracy_pct",
    "crossing_line",
    "crs",
    "heartbeat_s",
    "api_key",
    "legal_review_date",
    "publicly_listed",
    "verified_until",
)

# (route, stake km, metres past the km, place) — the station sits on the road at that stake.
WIM_STATIONS: tuple[tuple[str, int, int, str], ...] = (
    ("G312", 1158, 400, "宝华"),
    ("G312", 1171, 600, "高资"),
    ("G312", 1197, 800, "丁卯"),
    ("G312", 1212, 500, "大港"),
    ("G104", 1049, 600, "句容西"),
    ("G104", 1076, 300, "丹徒上党"),
    ("G104", 1104, 100, "丹阳吕城"),
    ("S243", 20, 300, "丹徒辛丰"),
    ("S243", 47, 800, "丹阳延陵"),
    ("S238", 55, 200, "句容天王"),
    ("S122", 80, 600, "丹徒荣炳"),
    ("S338", 18, 200, "新区丁岗"),
)
# WIM accuracy class in percent (blank = the importer's default of 5 %).
WIM_ACCURACY: dict[str, str] = {"G312": "5", "G104": "5", "S243": "3", "S238": "", "S122": "5", "S338": "3"}

# (code, name, lon, lat, hub) — hub cameras are within 300 m of the hub's site (registry.FIXED_SITES).
CAMERAS: tuple[tuple[str, str, float, float, bool], ...] = (
    ("CAM-ZJZ-N", "镇江站北广场卡口", 119.4330, 32.2045, True),
    ("CAM-ZJZ-S", "镇江站南广场出租车上客区", 119.4335, 32.2015, True),
    ("CAM-ZJZ-P", "镇江站社会停车场出入口", 119.4315, 32.2038, True),
    ("CAM-ZJBUS", "镇江汽车客运站出站口", 119.4358, 32.2003, True),
    ("CAM-ZJN-E", "镇江南站东广场", 119.4265, 32.1505, True),
    ("CAM-ZJN-W", "镇江南站西广场", 119.4238, 32.1498, True),
    ("CAM-DYZ", "丹阳站站前广场", 119.5728, 31.9958, True),
    ("CAM-JRBUS", "句容汽车客运站", 119.1688, 31.9486, True),
    ("CAM-DGBUS", "大港汽车客运站", 119.6726, 32.1806, True),
    ("CAM-DSK", "大市口", 119.4465, 32.1960, False),
    ("CAM-JFL", "解放路中山东路口", 119.4520, 32.1955, False),
    ("CAM-XFL", "学府路丁卯桥路口", 119.5000, 32.1650, False),
    ("CAM-GTQ", "官塘桥路谷阳路口", 119.4300, 32.1700, False),
    ("CAM-XQZS", "新区赵声路金港大道口", 119.6650, 32.1700, False),
    ("CAM-DYDF", "丹阳丹凤南路口", 119.5850, 32.0050, False),
    ("CAM-JRHY", "句容华阳路口", 119.1680, 31.9550, False),
    ("CAM-YZYZ", "扬中扬子中路口", 119.8180, 32.2050, False),
    ("CAM-RYB", "润扬大桥南收费站", 119.3680, 32.2000, False),
    ("CAM-WFS", "五峰山长江大桥南接线", 119.6120, 32.1720, False),
    ("CAM-YZEQ", "扬中二桥南接线", 119.7900, 32.1180, False),
)

# AIS shore receivers: (code, name, longitude); placed ~900 m south of the channel's centre line.
AIS_RECEIVERS: tuple[tuple[str, str, float], ...] = (
    ("AIS-GZ", "高资 AIS 岸基站", 119.300),
    ("AIS-JS", "焦山 AIS 岸基站", 119.450),
    ("AIS-JB", "谏壁 AIS 岸基站", 119.580),
    ("AIS-DG", "大港 AIS 岸基站", 119.660),
)
AIS_RECEIVER_OFFSET_M = -900.0  # right of the downstream direction: the south side

# Waterway checkpoints: (code, name, longitude of the north–south crossing line).
CHECKPOINTS: tuple[tuple[str, str, float], ...] = (
    ("CP-LM", "长江龙门口船舶卡口", 119.360),
    ("CP-JS", "长江焦山船舶卡口", 119.480),
    ("CP-WFS", "长江五峰山船舶卡口", 119.620),
)
CROSSING_HALF_SPAN_DEG = 0.011  # ±1.2 km of latitude: beyond both edges of the 1.5 km wide channel
CHECKPOINT_CAMERA_OFFSET_DEG = -0.0072  # the camera on the south side of the line, at the channel edge

# Devices whose records are not usable as evidence (行政处罚法 第四十一条), with why.
NOT_REVIEWED = {"CAM-ZJN-W", "CP-WFS"}  # newly installed: no 法制和技术审核 yet, not published
NOT_PUBLISHED = {"CAM-GTQ"}  # reviewed, but the location was never published
VERIFICATION_EXPIRED = {"WIM-S122-K80"}  # 计量检定 lapsed
NEVER_VERIFIED = {"WIM-S238-K55"}  # no metrological verification on record

VERIFIED_FROM = dt.date(2027, 7, 1)

HEARTBEAT_S = {"wim": 600, "camera": 600, "ais_receiver": 300, "checkpoint": 600}


@dataclass(frozen=True)
class DeviceSpec:
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    accuracy_pct: str = ""
    crossing_line: tuple[tuple[float, float], ...] | None = None


def api_key(seed: int, code: str) -> str:
    """The device's demo key: ``demo-<code>-<16 hex>``, a pure function of the seed and the code."""
    digest = hashlib.sha256(f"{seed}:device-key:{code}".encode()).hexdigest()[:16]
    return f"demo-{code.lower()}-{digest}"


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------


def _stake_point(route: str, km: int, metres: int) -> tuple[float, float]:
    """The point of the road at the stake mark (on the section's geometry)."""
    mark = km + metres / 1000.0
    sections = [f for f in geography.road_sections() if f.route == route]
    for f in sections:
        assert f.from_km is not None and f.to_km is not None
        if f.from_km <= mark < f.to_km:
            fraction = (mark - f.from_km) / (f.to_km - f.from_km)
            point = geography.to_wgs(geography.to_utm(f.geometry).interpolate(fraction, normalized=True))
            return round(point.x, geography.COORD_DECIMALS), round(point.y, geography.COORD_DECIMALS)
    raise ValueError(f"{route} K{km}+{metres:03d} is on no road section")


@cache
def channel_centre_utm() -> LineString:
    """The Yangtze channel's centre line in UTM 50N (metres), west to east (downstream)."""
    line = geography.to_utm(LineString(geography.YANGTZE_CENTRELINE))
    assert isinstance(line, LineString)
    return line


def channel_point(lon: float, offset_m: float = 0.0) -> tuple[float, float]:
    """The point of the channel centre line at longitude ``lon`` (its first crossing from the
    west), moved ``offset_m`` along the left normal of the downstream direction (+ north)."""
    coords = geography.YANGTZE_CENTRELINE
    for (x0, y0), (x1, y1) in itertools.pairwise(coords):
        if x0 <= lon <= x1:
            lat = y0 + (y1 - y0) * (lon - x0) / (x1 - x0)
            break
    else:
        raise ValueError(f"the channel does not reach longitude {lon}")
    if not offset_m:
        return lon, lat
    centre = channel_centre_utm()
    here = geography.to_utm(Point(lon, lat))
    s = centre.project(here)
    a, b = centre.interpolate(max(0.0, s - 50.0)), centre.interpolate(min(centre.length, s + 50.0))
    dx, dy = b.x - a.x, b.y - a.y
    norm = (dx * dx + dy * dy) ** 0.5
    moved = geography.to_wgs(Point(here.x - dy / norm * offset_m, here.y + dx / norm * offset_m))
    return round(moved.x, geography.COORD_DECIMALS), round(moved.y, geography.COORD_DECIMALS)


def crossing_line(lon: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A north–south line at ``lon`` spanning the whole channel (both ends outside it)."""
    _, lat = channel_point(lon)
    return (lon, round(lat - CROSSING_HALF_SPAN_DEG, 6)), (lon, round(lat + CROSSING_HALF_SPAN_DEG, 6))


# ---------------------------------------------------------------------------------------------
# The devices
# ---------------------------------------------------------------------------------------------


@cache
def device_specs() -> tuple[DeviceSpec, ...]:
    specs: list[DeviceSpec] = []
    for route, km, metres, place in WIM_STATIONS:
        lon, lat = _stake_point(route, km, metres)
        specs.append(
            DeviceSpec(
                f"WIM-{route}-K{km}",
                "wim",
                f"{route} K{km}+{metres:03d} {place}不停车超限检测点",
                lon,
                lat,
                accuracy_pct=WIM_ACCURACY[route],
            )
        )
    specs += [DeviceSpec(code, "camera", name, lon, lat) for code, name, lon, lat, _ in CAMERAS]
    for code, name, lon in AIS_RECEIVERS:
        rlon, rlat = channel_point(lon, AIS_RECEIVER_OFFSET_M)
        specs.append(DeviceSpec(code, "ais_receiver", name, rlon, rlat))
    for code, name, lon in CHECKPOINTS:
        south, north = crossing_line(lon)
        specs.append(
            DeviceSpec(
                code,
                "checkpoint",
                name,
                lon,
                round(channel_point(lon)[1] + CHECKPOINT_CAMERA_OFFSET_DEG, 6),
                crossing_line=(south, north),
            )
        )
    return tuple(specs)


def hub_camera_codes() -> tuple[str, ...]:
    return tuple(code for code, _, _, _, hub in CAMERAS if hub)


def _wkt(line: Sequence[tuple[float, float]]) -> str:
    return "LINESTRING (" + ", ".join(f"{x:.6f} {y:.6f}" for x, y in line) + ")"


def device_rows(seed: int) -> list[dict[str, str]]:
    """The rows of ``devices.csv`` (DEVICE_COLUMNS), deterministic for a seed."""
    rows = []
    for i, d in enumerate(device_specs()):
        reviewed = d.code not in NOT_REVIEWED
        # Reviews were done on different days of 2025; the verification (JJG 907) runs to a date
        # from mid-2027 on — except where the demo wants it lapsed or missing.
        review = f"2025-{3 + i % 9:02d}-{1 + (i * 7) % 28:02d}" if reviewed else ""
        verified = ""
        if d.kind == "wim":
            if d.code in VERIFICATION_EXPIRED:
                verified = "2025-12-15"
            elif d.code not in NEVER_VERIFIED:
                verified = (VERIFIED_FROM + dt.timedelta(days=(i * 29) % 330)).isoformat()
        rows.append(
            {
                "code": d.code,
                "kind": d.kind,
                "name": d.name,
                "lon": f"{d.lon:.6f}",
                "lat": f"{d.lat:.6f}",
                "accuracy_pct": d.accuracy_pct,
                "crossing_line": _wkt(d.crossing_line) if d.crossing_line else "",
                "crs": "wgs84",
                "heartbeat_s": str(HEARTBEAT_S[d.kind]),
                "api_key": api_key(seed, d.code),
                "legal_review_date": review,
                "publicly_listed": "true" if reviewed and d.code not in NOT_PUBLISHED else "false",
                "verified_until": verified,
            }
        )
    return rows
