"""A live simulated feed for the demo: realistic device streams sent through the public API.

``Simulator`` posts events to ``POST /api/v1/events`` with each device's ``X-Device-Key``
(docs/sensing.md), as the real roadside and riverside devices would:

* **WIM** (weigh-in-motion) records following a time-of-day curve (Asia/Shanghai: low at night,
  morning and evening peaks): trucks mostly from the demo's registry (yellow plates, axles from
  the registry; tractors weighed as 汽车列车 with their trailer), a share ``overload_share``
  overloaded beyond the 2016 limits (2 axles 18,000 kg … 6 axles 49,000 kg, 交通运输部令2016年第62号)
  and now and then an oversize height;
* **plate captures** at the cameras (their own curve), including a few unlicensed cars that keep
  circling 镇江站 — a lead needs ≥ 5 hub captures in 7 days, so they come round every minute or so
  and a live demo shows the ``illegal_operation`` lead within minutes;
* **AIS**: ~20 vessels (MMSIs of the demo's vessels) moving along the Yangtze channel at 6–12 kn,
  keeping to the right of the centre line, one position report per vessel every 10 s, heard by
  the nearest shore receiver (one ``ais`` event per receiver and report round, ``nmea`` from
  ``pyais.encode_dict``), with a static and voyage report (message 5) every 6 minutes; one vessel
  sends a wrong name (or, when the registry has no Latin name to contradict, a wrong ship type) to
  show ``ais_mismatch``;
* **ship passages** at the checkpoints whenever a simulated vessel crosses a crossing line, among
  them vessels sailing without AIS (``dark_share`` of the fleet, so about that share of the
  passages): ``ais_dark``. The dark vessels start a short way before a checkpoint, so the first
  dark passage comes within minutes.

and, besides the devices,

* **officers' positions**: the demo's field officers (the patrol logins of ``demo_accounts()``)
  log in as themselves (``POST /api/v1/auth/login``) and report where they are every
  ``position_every_s`` wall seconds (``POST /api/v1/officers/{code}/position``, as their phones
  would), moving back and forth along their unit's patrol route (``zhifa.demo.patrol``) from where
  the demo loader put them. ``officers=()`` turns the stream off. A failed report is counted and
  dropped (the next one, a few seconds later, is newer anyway); a refused token is renewed once.

Times are the present (Asia/Shanghai, ``+08:00``) and never in the future. ``speedup`` > 1 runs a
simulated clock that many times faster than the wall clock: it starts ``backfill_s`` in the past
(by default exactly what the speed-up catches up within ``duration``, or within 10 minutes) and
never passes the wall clock — once it has caught up the feed runs live.

Determinism: every stream draws from its own ``random.Random`` seeded from ``seed``, and draws in
event order, never per network round; the same seed and start time give the same events whatever
the batching (only wall-clock times differ between runs). Event ids are ``sim-<run>-<n>``, ``n``
counting per device, ``<run>`` the start time: unique per device across restarts of the simulator.
Failed posts are retried with backoff and the same batch re-sent (a duplicate changes nothing), so
the feed survives server restarts.
"""

from __future__ import annotations

import csv
import http.client
import json
import math
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO
from zoneinfo import ZoneInfo

import shapely
from pyais import encode_dict
from shapely.geometry import LineString, Point
from shapely.ops import substring

from zhifa.demo import devices as demo_devices
from zhifa.demo import geography, patrol
from zhifa.demo.generate import DEFAULT_SEED
from zhifa.demo.names import SHIP_WORDS
from zhifa.demo.organisation import LOGIN_POSTS, PATROL_UNIT, login_accounts
from zhifa.demo.registry import FIXED_SITES
from zhifa.monitoring.rules import overload_limit_kg

__all__ = ["Counts", "SimDevice", "SimOfficer", "Simulator", "demo_officers", "read_devices", "start_in_background"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHANGHAI_OFFSET_S = 8 * 3600  # no daylight saving time in China
KNOT_MS = 1852.0 / 3600.0

TICK_S = 1.0  # wall seconds between two rounds of posts
REPORT_EVERY_S = 10.0  # wall seconds between two lines of counts
HEARTBEAT_EVERY_S = 60.0  # a device silent this long (wall) posts an empty batch: it is alive
POSITION_EVERY_S = 15.0  # wall seconds between two positions of an officer's phone
POSITION_ACCURACY_M = 10.0
MAX_BATCH = 500  # events per POST
DEFAULT_CATCH_UP_S = 600.0  # with a speed-up and no duration: catch up with the present in 10 min

# Share of the road events (``rate``) per device kind.
KIND_SHARE = {"wim": 0.4, "camera": 0.6}
# Relative traffic per hour of the day (0–23, Asia/Shanghai); each curve is normalised to mean 1.
# Trucks run at night too (many long-haul trucks avoid the day); city traffic nearly stops.
_ROAD_HOURS = (
    "0.45 0.40 0.38 0.38 0.42 0.55 0.80 1.15 1.35 1.30 1.25 1.20 "  # 00–11
    "1.10 1.15 1.25 1.30 1.35 1.40 1.25 1.05 0.90 0.80 0.65 0.55"  # 12–23
)
_CITY_HOURS = (
    "0.25 0.15 0.10 0.08 0.10 0.25 0.70 1.60 1.90 1.40 1.20 1.20 "  # 00–11
    "1.25 1.20 1.20 1.30 1.50 1.90 1.80 1.40 1.10 0.90 0.65 0.40"  # 12–23
)

# WIM records: the share of goods vehicles (the rest are buses and coaches), of registry trucks
# among them, of oversize heights, and the overload factor over the limit (always beyond any
# device tolerance up to 5 %).
WIM_GOODS_SHARE = 0.88
WIM_REGISTRY_SHARE = 0.75
OVERSIZE_SHARE = 0.015
OVERLOAD_FACTOR = (1.07, 1.6)
OTHER_PROVINCE_PREFIXES = ("皖A", "皖E", "皖L", "鲁Q", "鲁H", "豫A", "浙E", "沪D", "苏A", "苏K", "苏M", "苏D")

# Cameras: the share of registry (operating) vehicles among captures — most traffic is private
# cars. At hubs only operating vehicles with a valid certificate, so that honest taxis waiting at
# a station do not pile up as illegal-operation leads; elsewhere any registry vehicle.
HUB_REGISTRY_SHARE = 0.35
STREET_REGISTRY_SHARE = 0.2
UNREADABLE_SHARE = 0.005
HUB_RADIUS_M = 300.0

# Circling unlicensed cars at 镇江站: how many, and how often they come round (simulated seconds).
CIRCLING_PLATES = 3
CIRCLING_PERIOD_S = (50.0, 80.0)
CIRCLING_JITTER_S = 10.0
CIRCLING_STATION = "镇江站"
CIRCLING_RADIUS_M = 400.0

# The river: vessels ply the reach between these longitudes along the channel's centre line.
RIVER_WEST_LON, RIVER_EAST_LON = 119.0, 119.95
AIS_INTERVAL_S = 10.0
STATIC_EVERY_SLOTS = 36  # message 5 every 6 minutes
AIS_VESSELS = 20
SPEED_KN = (6.0, 12.0)
LANE_OFFSET_M = (120.0, 520.0)  # keep to the right of the centre line (右舷通航), this far
TURN_TAPER_M = 1000.0  # near the ends of the reach vessels come back to the centre line to turn
DARK_APPROACH_M = (600.0, 2500.0)  # dark vessels start this far before a checkpoint
DARK_CLEAR_S = 150.0  # … where no AIS vessel crosses within this of their first passage
DARK_PLACEMENT_TRIES = 25
PASSAGE_JITTER_S = 3.0
MAX_DARK_SHARE = 0.95
AIS_SHIP_TYPES = {"cargo": 70, "tanker": 80, "passenger": 60, "tug": 52, "dredger": 33, "fishing": 30}
MOVING_SHIP_TYPES = ("cargo", "tanker", "tug")
# Pinyin of the characters in the registry's ship names (registry._chinese_ship_name).
_PINYIN_CHARS = "苏镇货油扬州泰皖马鞍山南京赣九江长航运客渡港拖疏浚渔"
_PINYIN = "SU ZHEN HUO YOU YANG ZHOU TAI WAN MA AN SHAN NAN JING GAN JIU JIANG CHANG HANG YUN KE DU GANG TUO SHU JUN YU"
PINYIN = dict(zip(_PINYIN_CHARS, _PINYIN.split(), strict=True))
DOWNSTREAM_PORTS = ("SHANGHAI", "JIANGYIN", "NANTONG", "TAICANG")
UPSTREAM_PORTS = ("NANJING", "WUHU", "MAANSHAN", "WUHAN")
DARK_NAME_PORTS = ("皖马鞍山", "苏扬州", "苏泰州", "赣九江", "苏南京")


# ---------------------------------------------------------------------------------------------
# Devices and registry input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimDevice:
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    key: str
    crossing_line: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class SimOfficer:
    """A field officer whose phone the simulator plays: he logs in with his demo account."""

    code: str  # the officer code, which is the username
    password: str
    unit: str


def demo_officers() -> list[SimOfficer]:
    """The demo's field officers with a login (``organisation.LOGIN_POSTS`` on patrol)."""
    accounts = login_accounts()
    return [
        SimOfficer(accounts[key]["username"], accounts[key]["password"], unit)
        for key, unit, roles, _ in LOGIN_POSTS
        if roles == "officer" and unit == PATROL_UNIT
    ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_devices(path: Path) -> list[SimDevice]:
    """The devices of a ``devices.csv`` (docs/sensing.md) that carry their ``api_key``."""
    out = []
    for row in _read_csv(Path(path)):
        key = (row.get("api_key") or "").strip()
        if not key or (row.get("crs") or "wgs84").strip().lower() not in ("", "wgs84"):
            continue  # without its key the simulator cannot speak for the device
        line = None
        if (row.get("crossing_line") or "").strip():
            geom = shapely.from_wkt(row["crossing_line"])
            line = tuple((float(x), float(y)) for x, y in geom.coords)
        out.append(
            SimDevice(
                row["code"].strip(),
                row["kind"].strip().lower(),
                row["name"].strip(),
                float(row["lon"]),
                float(row["lat"]),
                key,
                line,
            )
        )
    return out


def _metres(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    dx = (lon1 - lon0) * 111_320.0 * math.cos(math.radians((lat0 + lat1) / 2))
    dy = (lat1 - lat0) * 110_570.0
    return math.hypot(dx, dy)


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


def iso(t: float) -> str:
    """Epoch seconds → ISO 8601 in Asia/Shanghai (``+08:00``), milliseconds."""
    return datetime.fromtimestamp(t, SHANGHAI).isoformat(timespec="milliseconds")


def _hours(text: str) -> tuple[float, ...]:
    values = tuple(float(x) for x in text.split())
    assert len(values) == 24
    return values


def _curve(hours: Sequence[float]) -> Callable[[float], float]:
    mean = sum(hours) / len(hours)
    table = [h / mean for h in hours]

    def at(t: float) -> float:
        # Linear between the middles of the hours.
        h = ((t + SHANGHAI_OFFSET_S) % 86400.0) / 3600.0 - 0.5
        i = math.floor(h)
        f = h - i
        return table[i % 24] * (1.0 - f) + table[(i + 1) % 24] * f

    return at


ROAD_CURVE = _curve(_hours(_ROAD_HOURS))
CITY_CURVE = _curve(_hours(_CITY_HOURS))
CURVE_PEAK = {
    kind: max(_hours(text)) * 24 / sum(_hours(text)) for kind, text in (("wim", _ROAD_HOURS), ("camera", _CITY_HOURS))
}


# ---------------------------------------------------------------------------------------------
# Streams: each yields items in time order from its own random generator
# ---------------------------------------------------------------------------------------------


@dataclass(order=True)
class _Item:
    emit_at: float  # simulated time from which it may be sent
    rank: int  # the stream's rank (ties)
    seq: int  # the item's number within its stream (ties)
    device: str = field(compare=False)
    event: dict[str, Any] = field(compare=False)


class _Stream(Protocol):
    def take(self, until: float) -> list[_Item]: ...


class _Vehicles:
    """The registry's vehicles, sorted into the pools the streams draw from."""

    def __init__(self, rows: Iterable[dict[str, str]], today: date) -> None:
        self.all: list[dict[str, str]] = []
        self.trucks: list[dict[str, str]] = []
        self.buses: list[dict[str, str]] = []
        self.licensed_passenger: list[dict[str, str]] = []
        self.unlicensed: list[dict[str, str]] = []
        for r in rows:
            vtype = r.get("vehicle_type", "")
            if vtype == "trailer":
                continue  # weighed and seen with its tractor
            self.all.append(r)
            if vtype in ("truck", "tractor"):
                self.trucks.append(r)
            if vtype in ("bus", "coach"):
                self.buses.append(r)
            if vtype in ("taxi", "ride_hailing", "bus", "coach"):
                expiry = r.get("cert_expiry") or ""
                if r.get("cert_status") == "valid" and (not expiry or expiry >= today.isoformat()):
                    self.licensed_passenger.append(r)
            if vtype in ("taxi", "ride_hailing") and r.get("cert_status") == "none":
                self.unlicensed.append(r)


def _fresh_plate(rng: random.Random) -> tuple[str, str]:
    """A private car's plate (not in the registry): mostly 苏L blue, some green, some other cities."""
    roll = rng.random()
    digits, letters = "0123456789", "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice(letters if i == 0 and rng.random() < 0.5 else digits) for i in range(5))
    if roll < 0.75:
        return "苏L" + tail, "blue"
    if roll < 0.87:
        return "苏L" + rng.choice("DF") + "".join(rng.choice(digits) for _ in range(5)), "green"
    return rng.choice(OTHER_PROVINCE_PREFIXES) + tail, "blue"


class _Traffic:
    """A road device's records: a Poisson process whose rate follows the time-of-day curve
    (thinning from the curve's peak)."""

    def __init__(
        self,
        rank: int,
        device: SimDevice,
        rng: random.Random,
        start: float,
        mean_rate: float,
        make: Callable[[random.Random, float], dict[str, Any]],
    ) -> None:
        self.rank, self.device, self.rng, self.make = rank, device, rng, make
        self.curve = ROAD_CURVE if device.kind == "wim" else CITY_CURVE
        self.peak = CURVE_PEAK[device.kind]
        self.peak_rate = mean_rate * self.peak
        self.t = start
        self.seq = 0
        self.candidate: float | None = None

    def take(self, until: float) -> list[_Item]:
        out: list[_Item] = []
        if self.peak_rate <= 0:
            return out
        while True:
            if self.candidate is None:
                self.candidate = self.t + self.rng.expovariate(self.peak_rate)
            if self.candidate > until:
                return out
            t, self.t, self.candidate = self.candidate, self.candidate, None
            if self.rng.random() * self.peak <= self.curve(t):
                self.seq += 1
                out.append(_Item(t, self.rank, self.seq, self.device.code, self.make(self.rng, t)))


class _Circling:
    """Unlicensed cars circling a railway station, captured by its cameras every minute or so."""

    def __init__(
        self,
        rank: int,
        cameras: Sequence[SimDevice],
        plates: Sequence[tuple[str, str, str]],
        rng: random.Random,
        start: float,
    ) -> None:
        self.rank, self.cameras, self.rng = rank, list(cameras), rng
        self.plates = list(plates)
        self.periods = [rng.uniform(*CIRCLING_PERIOD_S) for _ in self.plates]
        self.next = [start + rng.uniform(5.0, CIRCLING_PERIOD_S[0]) for _ in self.plates]
        self.seq = 0

    def take(self, until: float) -> list[_Item]:
        out: list[_Item] = []
        if not self.cameras:
            return out
        while True:
            i = min(range(len(self.plates)), key=lambda k: (self.next[k], k))
            t = self.next[i]
            if t > until:
                return out
            plate, colour, vtype = self.plates[i]
            camera = self.rng.choice(self.cameras)
            event = {
                "type": "plate_capture",
                "time": t,
                "plate": plate,
                "plate_color": colour,
                "vehicle_type": vtype,
                "direction": self.rng.choice(("驶入", "驶出")),
            }
            self.seq += 1
            out.append(_Item(t, self.rank, self.seq, camera.code, event))
            jitter = self.rng.uniform(-CIRCLING_JITTER_S, CIRCLING_JITTER_S)
            self.next[i] = t + max(15.0, self.periods[i] + jitter)


# --- the river ----------------------------------------------------------------------------------


@dataclass
class _Vessel:
    mmsi: str | None  # None: sails without AIS (dark)
    name: str  # the registry name (what a checkpoint camera reads), "" if unreadable
    speed: float  # m/s along the route
    u0: float  # position on the unfolded route [0, 2L) at t0: < L downstream, ≥ L upstream
    t0: float
    lane: float  # metres to the right of the centre line
    ais_name: str = ""
    ais_type: int = 0
    callsign: str = ""
    static_phase: int = 0
    length_m: int = 80
    beam_m: int = 14
    channel: str = "A"
    prev: tuple[float, float, int] | None = None  # (x, y, direction) at the previous slot


class _River:
    """The route along the channel's centre line (UTM metres) and the checkpoints' lines."""

    def __init__(self, checkpoints: Sequence[SimDevice]) -> None:
        centre = demo_devices.channel_centre_utm()
        west = centre.project(geography.to_utm(Point(*demo_devices.channel_point(RIVER_WEST_LON))))
        east = centre.project(geography.to_utm(Point(*demo_devices.channel_point(RIVER_EAST_LON))))
        route = substring(centre, west, east)
        assert isinstance(route, LineString)
        self.route = route
        self.length = float(route.length)
        self.lines: list[tuple[SimDevice, tuple[float, float, float, float], float]] = []
        for cp in checkpoints:
            assert cp.crossing_line is not None
            line = geography.to_utm(LineString(cp.crossing_line))
            (ax, ay), (bx, by) = line.coords[0], line.coords[-1]
            hit = route.intersection(line)
            s = route.project(hit if not hit.is_empty else line.interpolate(0.5, normalized=True))
            self.lines.append((cp, (ax, ay, bx, by), float(s)))

    def frame(self, s: float) -> tuple[float, float, float, float]:
        """Point of the centre line at ``s`` and the unit downstream tangent there."""
        a = self.route.interpolate(max(0.0, s - 30.0))
        b = self.route.interpolate(min(self.length, s + 30.0))
        p = self.route.interpolate(s)
        dx, dy = b.x - a.x, b.y - a.y
        n = math.hypot(dx, dy) or 1.0
        return p.x, p.y, dx / n, dy / n

    def place(self, v: _Vessel, t: float) -> tuple[float, float, int, float]:
        """(x, y, direction, course°) of the vessel at ``t``: direction +1 downstream, -1 upstream."""
        span = 2.0 * self.length
        u = (v.u0 + v.speed * (t - v.t0)) % span
        direction = 1 if u < self.length else -1
        s = u if direction > 0 else span - u
        x, y, tx, ty = self.frame(s)
        taper = min(1.0, s / TURN_TAPER_M, (self.length - s) / TURN_TAPER_M)
        # Right of the direction of travel: for downstream that is minus the left normal (-ty, tx).
        offset = v.lane * taper * direction
        x, y = x + ty * offset, y - tx * offset
        course = math.degrees(math.atan2(tx * direction, ty * direction)) % 360.0
        return x, y, direction, course

    def distance_to(self, v: _Vessel, s: float) -> float:
        """How far the vessel is (along its way, at its ``t0``) from route position ``s``."""
        u = v.u0 % (2.0 * self.length)
        return s - u if u < self.length else (2.0 * self.length - u) - s

    def crosses(self, v: _Vessel, line: tuple[float, float, float, float], t0: float, t1: float) -> bool:
        """Whether the vessel is on different sides of the line at ``t0`` and ``t1``."""
        x0, y0, _, _ = self.place(v, t0)
        x1, y1, _, _ = self.place(v, t1)
        return _side(x0, y0, line) != _side(x1, y1, line)


def _side(x: float, y: float, line: tuple[float, float, float, float]) -> bool:
    ax, ay, bx, by = line
    return (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0


def _crossing(p: tuple[float, float], q: tuple[float, float], line: tuple[float, float, float, float]) -> float | None:
    """Where segment p→q crosses the line segment, as the fraction along p→q (None: it does not)."""
    ax, ay, bx, by = line
    rx, ry = q[0] - p[0], q[1] - p[1]
    sx, sy = bx - ax, by - ay
    denom = rx * sy - ry * sx
    if denom == 0:
        return None
    f = ((ax - p[0]) * sy - (ay - p[1]) * sx) / denom
    g = ((ax - p[0]) * ry - (ay - p[1]) * rx) / denom
    return f if 0.0 <= f <= 1.0 and 0.0 <= g <= 1.0 else None


def _ais_name(name: str) -> str:
    """The name as the vessel's transponder carries it: Latin names as they are; Chinese names in
    pinyin (the registry's 苏镇货0001 → SU ZHEN HUO 0001), at most 20 characters."""
    if name.isascii():
        return name.upper()[:20]
    parts: list[str] = []
    digits = ""
    for ch in name:
        if ch.isdigit():
            digits += ch
        elif ch in PINYIN:
            parts.append(PINYIN[ch])
    text = " ".join([*parts, digits] if digits else parts)
    return (text if len(text) <= 20 else text.replace(" ", ""))[:20]


class _Fleet:
    """Vessels on the river: AIS reports every 10 s (absolute slots) through the nearest receiver,
    and a ship passage wherever a vessel (with or without AIS) crosses a checkpoint's line."""

    def __init__(
        self,
        rank: int,
        river: _River,
        receivers: Sequence[SimDevice],
        vessels: list[_Vessel],
        rng: random.Random,
        start: float,
        mismatch: dict[str, Any] | None,
    ) -> None:
        self.rank, self.river, self.rng = rank, river, rng
        self.receivers = [(r, geography.to_utm(Point(r.lon, r.lat))) for r in receivers]
        self.vessels = vessels
        self.mismatch = mismatch  # {"mmsi", and the wrong static fields}
        self.start = start
        self.slot = math.ceil(start / AIS_INTERVAL_S)
        self.pending: list[_Item] = []
        self.seq = 0
        for v in self.vessels:
            x, y, d, _ = river.place(v, self.slot * AIS_INTERVAL_S - AIS_INTERVAL_S)
            v.prev = (x, y, d)

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def take(self, until: float) -> list[_Item]:
        out: list[_Item] = []
        while self.slot * AIS_INTERVAL_S <= until:
            self._round(self.slot, out)
            self.slot += 1
        ready = [i for i in self.pending if i.emit_at <= until]
        self.pending = [i for i in self.pending if i.emit_at > until]
        return out + ready

    def _round(self, slot: int, out: list[_Item]) -> None:
        t = slot * AIS_INTERVAL_S
        heard: dict[str, list[str]] = {}
        for v in self.vessels:
            x, y, direction, course = self.river.place(v, t)
            assert v.prev is not None
            px, py, _ = v.prev
            for cp, line, _s in self.river.lines:
                f = _crossing((px, py), (x, y), line)
                if f is None:
                    continue
                crossed = t - AIS_INTERVAL_S + f * AIS_INTERVAL_S
                jitter = max(-PASSAGE_JITTER_S, min(PASSAGE_JITTER_S, self.rng.gauss(0.0, PASSAGE_JITTER_S / 2)))
                when = crossed + jitter
                if when < self.start:
                    continue
                passage: dict[str, Any] = {
                    "type": "ship_passage",
                    "time": when,
                    "direction": "down" if direction > 0 else "up",
                }
                if v.name and self.rng.random() < 0.85:  # the camera's OCR reads most names
                    passage["name_ocr"] = v.name
                # Sent one round later: the checkpoint's recognition takes a moment, and the AIS
                # report after the crossing is out first.
                self.pending.append(_Item(t + AIS_INTERVAL_S, self.rank, self._next_seq(), cp.code, passage))
            v.prev = (x, y, direction)
            if v.mmsi is None or not self.receivers:
                continue
            receiver = min(self.receivers, key=lambda r: (r[1].x - x) ** 2 + (r[1].y - y) ** 2)[0]
            lonlat = geography.to_wgs(Point(x, y))
            sog = max(0.1, round(v.speed / KNOT_MS + self.rng.gauss(0.0, 0.2), 1))
            report = {
                "type": 1,
                "mmsi": v.mmsi,
                "status": 0,
                "lon": round(lonlat.x, 6),
                "lat": round(lonlat.y, 6),
                "speed": sog,
                "course": round(course, 1),
                "heading": round(course) % 360,
                "second": int(t % 60),
            }
            sentences = heard.setdefault(receiver.code, [])
            sentences += encode_dict(report, talker_id="AI", sentence_type="VDM", radio_channel=v.channel)
            if (slot + v.static_phase) % STATIC_EVERY_SLOTS == 0:
                sentences += self._static(v, direction, slot)
        for code in sorted(heard, key=lambda c: [r.code for r, _ in self.receivers].index(c)):
            out.append(_Item(t, self.rank, self._next_seq(), code, {"type": "ais", "time": t, "nmea": heard[code]}))

    def _static(self, v: _Vessel, direction: int, slot: int) -> list[str]:
        data: dict[str, Any] = {
            "type": 5,
            "mmsi": v.mmsi,
            "callsign": v.callsign,
            "shipname": v.ais_name,
            "ship_type": v.ais_type,
            "to_bow": v.length_m * 3 // 4,
            "to_stern": v.length_m - v.length_m * 3 // 4,
            "to_port": v.beam_m // 2,
            "to_starboard": v.beam_m - v.beam_m // 2,
            "epfd": 1,
            "draught": round(2.5 + (v.length_m % 7) * 0.5, 1),
            "destination": (DOWNSTREAM_PORTS if direction > 0 else UPSTREAM_PORTS)[v.length_m % 4],
        }
        if self.mismatch is not None and self.mismatch["mmsi"] == v.mmsi:
            data |= {k: val for k, val in self.mismatch.items() if k != "mmsi"}
        return encode_dict(data, talker_id="AI", sentence_type="VDM", radio_channel=v.channel, seq_id=slot % 10)


# ---------------------------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """What the simulator did: events generated per type, and what the server answered."""

    generated: dict[str, int] = field(default_factory=dict)
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    refused: int = 0  # events of batches the server refused outright (unknown key, bad request)
    posts: int = 0
    heartbeats: int = 0
    retries: int = 0
    positions: int = 0  # officers' positions the server stored
    positions_failed: int = 0  # … it refused, or that did not reach it (counted, not re-sent)
    rejections: list[str] = field(default_factory=list)  # the first reasons, for the log

    def add(self, other: Counts) -> None:
        for k, n in other.generated.items():
            self.generated[k] = self.generated.get(k, 0) + n
        self.accepted += other.accepted
        self.duplicate += other.duplicate
        self.rejected += other.rejected
        self.refused += other.refused
        self.posts += other.posts
        self.heartbeats += other.heartbeats
        self.retries += other.retries
        self.positions += other.positions
        self.positions_failed += other.positions_failed
        self.rejections += other.rejections[: max(0, 20 - len(self.rejections))]

    def line(self) -> str:
        gen = " ".join(f"{k} {self.generated.get(k, 0)}" for k in ("wim", "plate_capture", "ais", "ship_passage"))
        return (
            f"{gen} | accepted {self.accepted} duplicate {self.duplicate} rejected {self.rejected}"
            f" refused {self.refused} | posts {self.posts} retries {self.retries}"
            f" | positions {self.positions} failed {self.positions_failed}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated": dict(self.generated),
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "refused": self.refused,
            "posts": self.posts,
            "heartbeats": self.heartbeats,
            "retries": self.retries,
            "positions": self.positions,
            "positions_failed": self.positions_failed,
            "rejections": list(self.rejections),
        }


#: ``post(url, body, headers) -> (status, parsed JSON or None)``; raises ``OSError`` (or
#: ``http.client.HTTPException``) when the server cannot be reached.
Transport = Callable[[str, bytes, dict[str, str]], tuple[int, Any]]


def urllib_transport(url: str, body: bytes, headers: dict[str, str], timeout: float = 30.0) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------


class Simulator:
    """Feeds a Zhifa server with simulated device streams; see the module docstring.

    ``devices``: a ``devices.csv`` with ``api_key`` (its folder's ``vehicles.csv`` and
    ``vessels.csv`` give the registry's plates and MMSIs), or a list of ``SimDevice``.
    ``rate``: mean road events (WIM records and plate captures) per simulated second over a day;
    the circling cars, AIS and ship passages come on top. ``overload_share``: share of the weighed
    goods vehicles that are overloaded. ``dark_share``: share of the fleet (so of the passages)
    sailing without AIS. ``speedup``: simulated seconds per wall-clock second (see ``backfill_s``).
    ``officers``: the field officers whose positions are reported (default: the demo's patrol
    logins, ``demo_officers()``; ``()``: none), every ``position_every_s`` wall seconds.
    ``start``: the simulated start time (default: the wall clock minus ``backfill_s`` when the
    run starts)."""

    def __init__(
        self,
        base_url: str,
        devices: Path | str | Sequence[SimDevice],
        seed: int = DEFAULT_SEED,
        rate: float = 1.0,
        overload_share: float = 0.05,
        dark_share: float = 0.1,
        speedup: float = 1.0,
        *,
        vehicles: Sequence[dict[str, str]] | None = None,
        vessels: Sequence[dict[str, str]] | None = None,
        backfill_s: float | None = None,
        start: datetime | None = None,
        ais_vessels: int = AIS_VESSELS,
        officers: Sequence[SimOfficer] | None = None,
        position_every_s: float = POSITION_EVERY_S,
        transport: Transport | None = None,
        log: TextIO | None = None,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be 0 or more events per second")
        if not 0.0 <= overload_share <= 1.0 or not 0.0 <= dark_share <= 1.0:
            raise ValueError("overload_share and dark_share are shares from 0 to 1")
        if speedup < 1.0:
            raise ValueError("speedup must be at least 1 (event times never run ahead of the clock)")
        if position_every_s <= 0:
            raise ValueError("position_every_s must be more than 0 seconds")
        self.base_url = base_url.rstrip("/")
        if isinstance(devices, str | Path):
            folder = Path(devices).parent
            self.devices = read_devices(Path(devices))
            if vehicles is None and (folder / "vehicles.csv").exists():
                vehicles = _read_csv(folder / "vehicles.csv")
            if vessels is None and (folder / "vessels.csv").exists():
                vessels = _read_csv(folder / "vessels.csv")
        else:
            self.devices = list(devices)
        self.by_code = {d.code: d for d in self.devices}
        self.seed, self.rate = seed, rate
        self.overload_share, self.dark_share, self.speedup = overload_share, dark_share, speedup
        self.vehicle_rows = list(vehicles or [])
        self.vessel_rows = list(vessels or [])
        self.backfill_s = backfill_s
        self.ais_vessels = ais_vessels
        self.officers = list(demo_officers() if officers is None else officers)
        self.position_every_s = position_every_s
        self._tokens: dict[str, str] = {}
        self.transport: Transport = transport or urllib_transport
        self.log = log if log is not None else sys.stderr
        self.start: float | None = start.timestamp() if start is not None else None
        self.counts = Counts()
        self._interval = Counts()
        self._streams: list[_Stream] = []
        self._counter: dict[str, int] = {}
        self._run_tag = ""
        self._ready = False
        self._stop = threading.Event()
        self._last_post: dict[str, float] = {}
        self._warned: set[str] = set()
        self.mismatch_mmsi: str | None = None
        self.circling: list[tuple[str, str, str]] = []
        self.fleet: list[_Vessel] = []

    # ------------------------------------------------------------------ generation (pure)

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:simulate:{stream}")

    def setup(self, start: float) -> None:
        """Build the streams for a run starting at simulated time ``start`` (epoch seconds)."""
        self.start = start
        self._ready = True
        self._run_tag = _base36(int(start))
        self._counter = {}
        today = datetime.fromtimestamp(start, SHANGHAI).date()
        pools = _Vehicles(self.vehicle_rows, today)
        streams: list[_Stream] = []
        road = [d for d in self.devices if d.kind in KIND_SHARE]
        weights = {d.code: _device_weight(d) for d in road}
        for kind, share in KIND_SHARE.items():
            of_kind = [d for d in road if d.kind == kind]
            total = sum(weights[d.code] for d in of_kind)
            kinds_present = {d.kind for d in road}
            share = share / sum(KIND_SHARE[k] for k in kinds_present) if kinds_present else 0.0
            for d in of_kind:
                mean = self.rate * share * weights[d.code] / total
                make = self._wim_maker(pools) if kind == "wim" else self._capture_maker(pools, d)
                streams.append(_Traffic(len(streams), d, self._rng(f"traffic:{d.code}"), start, mean, make))
        rng = self._rng("circling")
        station = next((lon, lat) for _, name, _, lon, lat in FIXED_SITES if name == CIRCLING_STATION)
        cameras = [
            d for d in self.devices if d.kind == "camera" and _metres(d.lon, d.lat, *station) <= CIRCLING_RADIUS_M
        ]
        unlicensed = list(pools.unlicensed)
        rng.shuffle(unlicensed)
        self.circling = [(r["plate"], r["plate_color"], r["vehicle_type"]) for r in unlicensed[: CIRCLING_PLATES - 1]]
        while len(self.circling) < CIRCLING_PLATES:
            plate, colour = _fresh_plate(rng)
            self.circling.append((plate, colour, "car"))
        streams.append(_Circling(len(streams), cameras, self.circling, rng, start))
        checkpoints = [d for d in self.devices if d.kind == "checkpoint" and d.crossing_line]
        receivers = [d for d in self.devices if d.kind == "ais_receiver"]
        if checkpoints or receivers:
            river = _River(checkpoints)
            fleet_rng = self._rng("fleet")
            self.fleet, mismatch = self._vessels(river, fleet_rng, start)
            self.mismatch_mmsi = mismatch["mmsi"] if mismatch else None
            streams.append(_Fleet(len(streams), river, receivers, self.fleet, fleet_rng, start, mismatch))
        self._streams = streams

    def events_until(self, until: float) -> list[tuple[str, dict[str, Any]]]:
        """Every event due up to simulated time ``until`` not yet returned, as ``(device, event)``
        in time order, with ids and ISO times. The same whatever the steps ``until`` takes."""
        if not self._ready:
            if self.start is None:
                raise RuntimeError("no start time: call setup(start) first")
            self.setup(self.start)
        items: list[_Item] = []
        for s in self._streams:
            items += s.take(until)
        items.sort()
        out = []
        for item in items:
            n = self._counter.get(item.device, 0) + 1
            self._counter[item.device] = n
            event = {"id": f"sim-{self._run_tag}-{n}", **item.event, "time": iso(item.event["time"])}
            out.append((item.device, event))
        return out

    def _wim_maker(self, pools: _Vehicles) -> Callable[[random.Random, float], dict[str, Any]]:
        def make(rng: random.Random, t: float) -> dict[str, Any]:
            return _wim_record(rng, t, pools, self.overload_share)

        return make

    def _capture_maker(self, pools: _Vehicles, device: SimDevice) -> Callable[[random.Random, float], dict[str, Any]]:
        hub = any(
            kind in ("railway_station", "bus_station") and _metres(device.lon, device.lat, lon, lat) <= HUB_RADIUS_M
            for _, _, kind, lon, lat in FIXED_SITES
        )

        def make(rng: random.Random, t: float) -> dict[str, Any]:
            return _capture(rng, t, pools, hub)

        return make

    def _vessels(self, river: _River, rng: random.Random, start: float) -> tuple[list[_Vessel], dict[str, Any] | None]:
        rows = sorted(self.vessel_rows, key=lambda r: r["mmsi"])
        moving = [r for r in rows if r.get("ship_type") in MOVING_SHIP_TYPES] or rows
        chosen = rng.sample(moving, min(self.ais_vessels, len(moving)))
        latin = [r for r in chosen if r["name"].isascii()]
        if not latin:
            spare = [r for r in moving if r["name"].isascii() and r not in chosen]
            if spare and chosen:
                chosen[-1] = rng.choice(spare)
                latin = [chosen[-1]]
        while len(chosen) < self.ais_vessels:  # no registry at hand: invent Chinese vessels
            n = rng.randrange(1, 10000)
            chosen.append({"mmsi": f"413{rng.randrange(10**6):06d}", "name": f"苏镇货{n:04d}", "ship_type": "cargo"})
        vessels = []
        for i, r in enumerate(chosen):
            speed = rng.uniform(*SPEED_KN) * KNOT_MS
            vessels.append(
                _Vessel(
                    mmsi=r["mmsi"],
                    name=r["name"],
                    speed=speed,
                    # Absolute kinematics: where a vessel is depends on the time, not on when the
                    # simulator started, so a restarted feed continues the tracks.
                    u0=rng.uniform(0.0, 2.0 * river.length),
                    t0=0.0,
                    lane=rng.uniform(*LANE_OFFSET_M),
                    ais_name=_ais_name(r["name"]),
                    ais_type=AIS_SHIP_TYPES.get(r.get("ship_type", ""), 70),
                    callsign=("B" if r["mmsi"][:3] in ("412", "413", "414") else "") + _callsign(rng),
                    static_phase=rng.randrange(STATIC_EVERY_SLOTS),
                    length_m=rng.randrange(45, 140),
                    beam_m=rng.randrange(8, 22),
                    channel="AB"[i % 2],
                )
            )
        mismatch: dict[str, Any] | None = None
        if vessels:
            if latin:
                target = next(v for v in vessels if v.mmsi == latin[0]["mmsi"])
                words = [w for w in SHIP_WORDS if w not in target.name.upper().split()]
                mismatch = {"mmsi": target.mmsi, "shipname": f"{rng.choice(words)} {rng.choice(words)}"}
            else:  # a Chinese name cannot be contradicted (pinyin is ambiguous): the type can
                target = vessels[0]
                mismatch = {"mmsi": target.mmsi, "ship_type": 80 if target.ais_type != 80 else 70}
            # Its first static report comes 30 s into the run, so the lead shows early.
            target.static_phase = (-math.ceil(start / AIS_INTERVAL_S) - 3) % STATIC_EVERY_SLOTS
        # The dark fleet: dark_share of all vessels; each starts a short way before a checkpoint,
        # timed so that no AIS vessel crosses that line near its first passage: the first dark
        # passages are certain to be dark (later ones may meet AIS traffic, as on the river).
        share = min(self.dark_share, MAX_DARK_SHARE)
        n_dark = round(len(vessels) * share / (1.0 - share)) if share > 0 else 0
        if share > 0 and river.lines:
            n_dark = max(1, n_dark)
        ais = list(vessels)
        for i in range(n_dark if river.lines else 0):
            line = river.lines[i % len(river.lines)]
            for _attempt in range(DARK_PLACEMENT_TRIES):
                dark = self._dark_vessel(river, rng, line[2], start)
                first = start + abs(river.distance_to(dark, line[2])) / dark.speed
                if not any(river.crosses(v, line[1], first - DARK_CLEAR_S, first + DARK_CLEAR_S) for v in ais):
                    break
            vessels.append(dark)
        return vessels, mismatch

    @staticmethod
    def _dark_vessel(river: _River, rng: random.Random, s_line: float, start: float) -> _Vessel:
        """A vessel without AIS heading for the checkpoint at ``s_line``, a short way off."""
        speed = rng.uniform(*SPEED_KN) * KNOT_MS
        approach = rng.uniform(*DARK_APPROACH_M)
        down = rng.random() < 0.5
        s = s_line - approach if down else s_line + approach
        if not 0.0 < s < river.length:
            down, s = not down, s_line + approach if down else s_line - approach
        s = min(max(s, 1.0), river.length - 1.0)
        name = f"{rng.choice(DARK_NAME_PORTS)}货{rng.randrange(1, 10000):04d}" if rng.random() < 0.6 else ""
        return _Vessel(
            mmsi=None,
            name=name,
            speed=speed,
            u0=s if down else 2.0 * river.length - s,
            t0=start,
            lane=rng.uniform(*LANE_OFFSET_M),
        )

    # ------------------------------------------------------------------ running

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait_for_server(self, timeout: float | None = None) -> bool:
        """Poll ``/healthz`` until it answers (or the timeout passes, or the simulator stops)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.2
        said = False
        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        return True
            except (OSError, http.client.HTTPException):
                pass
            if not said:
                self._say(f"waiting for {self.base_url}/healthz …")
                said = True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._stop.wait(delay)
            delay = min(delay * 1.5, 2.0)
        return False

    def run(self, duration: float | None = None, wait_for_server: bool = True) -> Counts:
        """Feed the server until stopped or for ``duration`` wall seconds; returns the counts."""
        if wait_for_server and not self.wait_for_server():
            return self.counts
        wall0 = time.time()
        backfill = self.backfill_s
        if backfill is None:
            backfill = (self.speedup - 1.0) * (duration if duration is not None else DEFAULT_CATCH_UP_S)
        start = self.start if self.start is not None else wall0 - backfill
        self.setup(start)
        mono0 = time.monotonic()
        next_report = mono0 + REPORT_EVERY_S
        next_heartbeat = mono0 + HEARTBEAT_EVERY_S
        next_position = mono0
        self._say(
            f"simulating {len(self.devices)} devices from {iso(start)} (rate {self.rate}/s, "
            f"{self.overload_share:.0%} overloaded, {self.dark_share:.0%} dark, speed-up {self.speedup:g}, "
            f"{len(self.officers)} officers' phones) "
            f"→ {self.base_url}"
        )
        while True:
            now_mono = time.monotonic()
            elapsed = now_mono - mono0
            done = self._stop.is_set() or (duration is not None and elapsed >= duration)
            wall = time.time()
            sim_now = min(wall, start + (wall - wall0) * self.speedup)
            self._send(self.events_until(sim_now))
            if now_mono >= next_heartbeat:
                self._heartbeats(now_mono)
                next_heartbeat = now_mono + HEARTBEAT_EVERY_S
            if self.officers and now_mono >= next_position:
                self.report_positions(sim_now)
                next_position = now_mono + self.position_every_s
            if now_mono >= next_report or done:
                self._report(sim_now)
                next_report = now_mono + REPORT_EVERY_S
            if done:
                return self.counts
            self._stop.wait(max(0.0, TICK_S - (time.monotonic() - now_mono)))

    def _send(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        batches: dict[str, list[dict[str, Any]]] = {}
        for code, event in events:
            batches.setdefault(code, []).append(event)
            self._interval.generated[event["type"]] = self._interval.generated.get(event["type"], 0) + 1
        for code, batch in batches.items():  # in the order of each device's first event
            for i in range(0, len(batch), MAX_BATCH):
                self._post(code, batch[i : i + MAX_BATCH])

    def _heartbeats(self, now_mono: float) -> None:
        for d in self.devices:
            if now_mono - self._last_post.get(d.code, 0.0) >= HEARTBEAT_EVERY_S:
                self._post(d.code, [])
                self._interval.heartbeats += 1

    def _post(self, code: str, batch: list[dict[str, Any]]) -> None:
        device = self.by_code[code]
        body = json.dumps(batch, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "X-Device-Key": device.key}
        url = self.base_url + "/api/v1/events"
        delay = 0.5
        while True:
            try:
                status, answer = self.transport(url, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                status, answer = 0, str(exc)
            if 200 <= status < 300 and isinstance(answer, dict):
                self._last_post[code] = time.monotonic()
                if batch:
                    self._interval.posts += 1
                self._interval.accepted += int(answer.get("accepted", 0))
                self._interval.duplicate += int(answer.get("duplicate", 0))
                rejected = answer.get("rejected") or []
                self._interval.rejected += len(rejected)
                for r in rejected[:3]:
                    reason = f"{code} line {r.get('line')}: {r.get('reason')}"
                    self._interval.rejections.append(reason)
                    self._say(f"rejected: {reason}")
                return
            if status and status < 500 and status not in (408, 429):
                self._interval.refused += len(batch)
                if f"{code}:{status}" not in self._warned:
                    self._warned.add(f"{code}:{status}")
                    self._say(f"{code}: the server refused the batch (HTTP {status}): {str(answer)[:200]}")
                return
            # Not reachable, restarting or overloaded: wait and send the same batch again.
            if self._stop.is_set():
                return
            self._interval.retries += 1
            what = f"HTTP {status}" if status else str(answer)[:120]
            self._say(f"{code}: {what}; re-sending in {delay:g} s")
            self._stop.wait(delay)
            delay = min(delay * 2.0, 15.0)

    # ------------------------------------------------------------------ officers' phones

    def position_of(self, officer: SimOfficer, t: float) -> tuple[float, float] | None:
        """Where the officer is at simulated time ``t`` (the loader's track, continued)."""
        return patrol.position(self.seed, officer.code, officer.unit, t)

    def report_positions(self, t: float) -> None:
        """Each officer's phone reports where he is at ``t``; a failure is counted, not retried."""
        # The position for the time the report states (to the millisecond), not a moment beside it.
        at = iso(t)
        t = datetime.fromisoformat(at).timestamp()
        for officer in self.officers:
            where = self.position_of(officer, t)
            if where is None:
                continue
            body = json.dumps(
                {"lon": where[0], "lat": where[1], "at": at, "accuracy_m": POSITION_ACCURACY_M}
            ).encode("utf-8")
            url = f"{self.base_url}/api/v1/officers/{officer.code}/position"
            status, answer = 0, None
            for _attempt in range(2):  # a second time only with a renewed token
                token = self._tokens.get(officer.code) or self._login(officer)
                if token is None:
                    break
                headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
                status, answer = self._call(url, body, headers)
                if status != 401:
                    break
                self._tokens.pop(officer.code, None)  # expired or revoked: log in again, once
            if 200 <= status < 300:
                self._interval.positions += 1
                continue
            self._interval.positions_failed += 1
            if status and f"{officer.code}:position:{status}" not in self._warned:
                self._warned.add(f"{officer.code}:position:{status}")
                self._say(f"officer {officer.code}: position refused (HTTP {status}): {str(answer)[:200]}")

    def _login(self, officer: SimOfficer) -> str | None:
        body = json.dumps({"username": officer.code, "password": officer.password}).encode("utf-8")
        status, answer = self._call(self.base_url + "/api/v1/auth/login", body, {"Content-Type": "application/json"})
        if status == 200 and isinstance(answer, dict) and answer.get("token"):
            token = str(answer["token"])
            self._tokens[officer.code] = token
            return token
        if f"{officer.code}:login:{status}" not in self._warned:
            self._warned.add(f"{officer.code}:login:{status}")
            what = f"HTTP {status}" if status else str(answer)[:120]
            self._say(f"officer {officer.code}: cannot log in ({what}); his positions are counted as failed")
        return None

    def _call(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        try:
            return self.transport(url, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            return 0, str(exc)

    def _report(self, sim_now: float) -> None:
        interval, self._interval = self._interval, Counts()
        self.counts.add(interval)
        lag = time.time() - sim_now
        clock = iso(sim_now)[11:19] + (f" (−{lag:.0f} s)" if lag >= 1 else "")
        self._say(f"{clock} last {REPORT_EVERY_S:g} s: {interval.line()} | total {self.counts.line()}")

    def _say(self, text: str) -> None:
        print(f"[simulate] {text}", file=self.log, flush=True)


# ---------------------------------------------------------------------------------------------
# Event contents
# ---------------------------------------------------------------------------------------------


def _device_weight(d: SimDevice) -> float:
    """Relative traffic of a device: national roads and 镇江站 are the busiest."""
    if d.kind == "wim":
        return 1.3 if d.name.startswith("G") or d.code.startswith("WIM-G") else 0.8
    if "镇江站" in d.name:
        return 1.4
    return 1.2 if "桥" in d.name else 1.0


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _callsign(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(4))


def _split_axles(rng: random.Random, gross: int, axles: int) -> list[int]:
    """Axle loads summing to the gross weight: a lighter steering axle, the rest shared."""
    steer = rng.uniform(0.6, 0.9) / axles
    shares = [steer] + [rng.uniform(0.9, 1.1) for _ in range(axles - 1)]
    rest = sum(shares[1:])
    loads = [round(gross * steer)] + [round(gross * (1 - steer) * s / rest) for s in shares[1:]]
    loads[-1] += gross - sum(loads)
    return loads


def _wim_record(rng: random.Random, t: float, pools: _Vehicles, overload_share: float) -> dict[str, Any]:
    combination = False
    if rng.random() < WIM_GOODS_SHARE or not pools.buses:
        if pools.trucks and rng.random() < WIM_REGISTRY_SHARE:
            v = rng.choice(pools.trucks)
            plate, colour, axles = v["plate"], v["plate_color"], int(v["axles"] or 2)
            if v["vehicle_type"] == "tractor":  # weighed with its semi-trailer: 汽车列车
                combination = True
                axles = min(6, axles + rng.choice((2, 3)))
        else:
            plate = rng.choice(OTHER_PROVINCE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(5))
            colour = "yellow"
            axles = rng.choices((2, 3, 4, 5, 6), (25, 10, 15, 10, 40))[0]
            combination = axles >= 5 and rng.random() < 0.8
        limit = overload_limit_kg(axles, combination)
        if rng.random() < overload_share:
            gross = limit * rng.uniform(*OVERLOAD_FACTOR)
        else:
            gross = (
                limit
                * rng.choices((rng.uniform(0.3, 0.5), rng.uniform(0.5, 0.9), rng.uniform(0.9, 1.0)), (35, 45, 20))[0]
            )
        height = rng.uniform(2.6, 3.4) if axles == 2 else rng.uniform(3.0, 3.95)
        length = {2: (6.0, 9.0), 3: (8.5, 12.0), 4: (10.0, 12.0)}.get(axles, (15.0, 17.5))
        if combination:
            length = (15.0, 18.0)
    else:
        v = rng.choice(pools.buses)
        plate, colour, axles = v["plate"], v["plate_color"], int(v["axles"] or 2)
        gross = rng.uniform(10_000, 17_000)
        height, length = rng.uniform(3.0, 3.6), (10.0, 12.0)
    if rng.random() < OVERSIZE_SHARE:
        height = rng.uniform(4.1, 4.6)  # 车货总高度 over 4 m
    gross_kg = int(round(gross, -1))
    return {
        "type": "wim",
        "time": t,
        "plate": plate,
        "plate_color": colour,
        "axles": axles,
        "gross_kg": gross_kg,
        "axle_kg": _split_axles(rng, gross_kg, axles),
        "speed_kmh": round(rng.uniform(35.0, 85.0), 1),
        "length_m": round(rng.uniform(*length), 2),
        "width_m": round(rng.uniform(2.40, 2.55), 2),
        "height_m": round(height, 2),
        "combination": combination,
    }


def _capture(rng: random.Random, t: float, pools: _Vehicles, hub: bool) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "plate_capture", "time": t}
    pool = pools.licensed_passenger if hub else pools.all
    if rng.random() < UNREADABLE_SHARE:
        event |= {"plate": "未识别"}
    elif pool and rng.random() < (HUB_REGISTRY_SHARE if hub else STREET_REGISTRY_SHARE):
        v = rng.choice(pool)
        event |= {"plate": v["plate"], "plate_color": v["plate_color"], "vehicle_type": v["vehicle_type"]}
    else:
        plate, colour = _fresh_plate(rng)
        event |= {"plate": plate, "plate_color": colour, "vehicle_type": "car"}
    event["direction"] = rng.choice(("驶入", "驶出") if hub else ("东向西", "西向东", "南向北", "北向南"))
    return event


# ---------------------------------------------------------------------------------------------
# Background use (``zhifa demo``)
# ---------------------------------------------------------------------------------------------


def start_in_background(base_url: str, devices_csv: Path, **options: Any) -> Simulator:
    """Start a simulator in a daemon thread; it waits for the server to answer, then feeds it."""
    sim = Simulator(base_url, devices_csv, **options)
    threading.Thread(target=sim.run, name="zhifa-simulate", daemon=True).start()
    return sim
