"""Regulated entities: enterprises, vehicles, vessels, persons, sites and oversize permits."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from zhifa.demo import geography, ids
from zhifa.demo.names import (
    COMPANY_PREFIX,
    DISTRICT_PREFIX,
    SHIP_WORDS,
    TRADE_WORDS,
    foreign_name,
    person_name,
    street_address,
)
from zhifa.demo.organisation import DEMO_TODAY

Row = dict[str, str]

ENTERPRISE_COLUMNS = (
    "uscc",
    "name",
    "business",
    "address",
    "lon",
    "lat",
    "legal_rep",
    "licence_no",
    "licence_expiry",
    "phone",
)
VEHICLE_COLUMNS = ("plate", "plate_color", "vehicle_type", "axles", "owner", "cert_no", "cert_status", "cert_expiry")
VESSEL_COLUMNS = ("mmsi", "name", "ship_type", "owner", "certificates")
PERSON_COLUMNS = ("id_type", "id_number", "name", "phone")
SITE_COLUMNS = ("code", "name", "site_type", "lon", "lat", "address")
PERMIT_COLUMNS = ("permit_no", "plate", "plate_color", "route", "valid_from", "valid_to")

# Share of each business among transport-related enterprises (freight hauliers dominate, as in
# any Chinese prefecture; taxi and bus operators are few but large).
BUSINESS_WEIGHTS: dict[str, float] = {
    "freight": 0.50,
    "repair": 0.20,
    "other": 0.10,
    "shipping": 0.06,
    "logistics": 0.06,
    "dangerous_goods": 0.025,
    "port_operator": 0.015,
    "driving_school": 0.012,
    "taxi": 0.006,
    "station": 0.006,
    "ride_hailing": 0.004,
    "bus": 0.002,
}
# Every business exists at least this often, so small-scale runs still have owners for every
# vehicle type.
BUSINESS_MINIMUM = 2
# Where enterprises sit (county-level cities have many hauliers).
BLOCK_WEIGHTS: dict[str, float] = {"JK": 0.17, "RZ": 0.12, "DT": 0.12, "XQ": 0.13, "DY": 0.22, "JR": 0.14, "YZ": 0.10}
NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "taxi": ("出租汽车有限公司", "出租车服务有限公司"),
    "ride_hailing": ("网约车服务有限公司", "出行科技有限公司"),
    "bus": ("公共交通有限公司", "公交客运有限公司"),
    "freight": ("物流有限公司", "运输有限公司", "货运有限公司", "汽车运输服务部"),
    "dangerous_goods": ("危险品运输有限公司", "化工物流有限公司"),
    "logistics": ("供应链管理有限公司", "仓储物流有限公司", "冷链物流有限公司", "国际货运代理有限公司"),
    "repair": ("汽车维修有限公司", "汽车服务中心", "机动车维修厂", "汽修店"),
    "driving_school": ("机动车驾驶员培训有限公司", "驾驶培训学校"),
    "station": ("汽车客运站有限公司", "货运站有限公司"),
    "port_operator": ("港务有限公司", "码头有限公司"),
    "shipping": ("航运有限公司", "船务有限公司"),
    "other": ("汽车租赁有限公司", "交通工程有限公司", "建材有限公司", "商贸有限公司"),
}
# Sole traders (个体工商户) get entity type 2 in their USCC.
SOLE_TRADER_SUFFIXES = ("汽车运输服务部", "汽修店")
FILING_ONLY = {"repair", "driving_school", "other"}  # 备案 businesses: no licence expiry
# A city has a dozen or so logistics parks among its logistics companies.
LOGISTICS_PARK_SHARE = 0.05
LOGISTICS_PARK_SUFFIX = "物流园有限公司"


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    business: str
    block: str


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _expiry(rng: random.Random, expired_share: float) -> str:
    """An expiry date in 2026–2030, or (with `expired_share`) one in the year before DEMO_TODAY."""
    if rng.random() < expired_share:
        return _date_between(rng, DEMO_TODAY - dt.timedelta(days=365), DEMO_TODAY - dt.timedelta(days=1)).isoformat()
    return _date_between(rng, DEMO_TODAY, dt.date(2030, 12, 31)).isoformat()


def _business_plan(rng: random.Random, count: int) -> list[str]:
    """`count` business labels in the BUSINESS_WEIGHTS mix (more when the minimums demand it)."""
    counts = {b: max(BUSINESS_MINIMUM, round(count * w)) for b, w in BUSINESS_WEIGHTS.items()}
    # Rounding drift goes to the largest group so the total is exact.
    counts["freight"] = max(BUSINESS_MINIMUM, counts["freight"] + count - sum(counts.values()))
    plan = [business for business, n in counts.items() for _ in range(n)]
    rng.shuffle(plan)
    return plan


def _company_name(rng: random.Random, business: str, block: str, taken: set[str]) -> str:
    while True:
        first, second = rng.sample(TRADE_WORDS, 2)
        trade = first if rng.random() < 0.5 else first + second
        suffix = rng.choice(NAME_SUFFIXES[business])
        if business == "logistics" and rng.random() < LOGISTICS_PARK_SHARE:
            suffix = LOGISTICS_PARK_SUFFIX
        name = f"{COMPANY_PREFIX[block]}{trade}{suffix}"
        if name not in taken:
            taken.add(name)
            return name


def _licence_no(rng: random.Random, business: str, region: str, serial: int) -> str:
    if business == "port_operator":
        return f"（苏镇）港经证（{serial % 10000:04d}）号"
    if business == "shipping":
        return f"交苏XK{serial % 10000:04d}"
    if business == "other":
        return ""
    # 道路运输经营许可证 / 备案编号: division code + six-digit serial.
    return f"{region}{serial:06d}"


def _enterprise_point(rng: random.Random, business: str) -> tuple[str, float, float]:
    if business in ("port_operator", "shipping") and rng.random() < 0.8:
        # Riverside companies cluster around the port areas.
        _, _, (lon, lat) = rng.choice(geography.PORT_AREAS)
        block = geography.block_at(lon, lat - 0.01)
        point = geography.random_point_in_block(rng, block, spread_km=2.5, centre=(lon, lat - 0.01))
        return block, point[0], point[1]
    block = rng.choices(list(BLOCK_WEIGHTS), list(BLOCK_WEIGHTS.values()))[0]
    lon, lat = geography.random_point_in_block(rng, block)
    return block, lon, lat


def enterprises(rng: random.Random, count: int) -> tuple[list[Row], list[Enterprise]]:
    rows: list[Row] = []
    index: list[Enterprise] = []
    names: set[str] = set()
    usccs: set[str] = set()
    serials = rng.sample(range(1, 1_000_000), len(plan := _business_plan(rng, count)))
    for business, serial in zip(plan, serials, strict=True):
        block, lon, lat = _enterprise_point(rng, business)
        name = _company_name(rng, business, block, names)
        region = ids.USCC_REGIONS[block]
        entity_type = "2" if name.endswith(SOLE_TRADER_SUFFIXES) else "1"
        uscc = ids.uscc_number(rng, region, entity_type)
        while uscc in usccs:
            uscc = ids.uscc_number(rng, region, entity_type)
        usccs.add(uscc)
        licence = _licence_no(rng, business, region, serial)
        expiry = "" if business in FILING_ONLY or not licence else _expiry(rng, 0.07)
        rows.append(
            {
                "uscc": uscc,
                "name": name,
                "business": business,
                "address": street_address(rng, block),
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "legal_rep": person_name(rng),
                "licence_no": licence,
                "licence_expiry": expiry,
                "phone": ids.landline(rng) if rng.random() < 0.6 else ids.mobile_phone(rng),
            }
        )
        index.append(Enterprise(uscc, business, block))
    return rows, index


# ---------------------------------------------------------------------------------------------
# Vehicles
# ---------------------------------------------------------------------------------------------

VEHICLE_MIX: dict[str, float] = {
    "truck": 0.56,
    "tractor": 0.09,
    "trailer": 0.09,
    "ride_hailing": 0.09,
    "taxi": 0.05,
    "coach": 0.04,
    "bus": 0.03,
    "driving_school_car": 0.03,
    # 驾校教练车 really carry 学 plates; the import contract has no such plate, so they get yellow ones.
}
OWNER_BUSINESSES: dict[str, tuple[str, ...]] = {
    "truck": ("freight", "freight", "freight", "freight", "logistics", "dangerous_goods"),
    "tractor": ("freight", "freight", "logistics", "dangerous_goods"),
    "trailer": ("freight", "freight", "logistics", "dangerous_goods"),
    "taxi": ("taxi",),
    "ride_hailing": ("ride_hailing",),
    "bus": ("bus",),
    "coach": ("bus", "station"),
    "driving_school_car": ("driving_school",),
}
PRIVATE_SHARE: dict[str, float] = {"truck": 0.06, "tractor": 0.04, "ride_hailing": 0.7}
CERT_STATUS_WEIGHTS = {"valid": 90, "suspended": 3, "revoked": 2, "none": 5}
SAME_NUMBER_PAIRS = 6  # blue car and yellow truck sharing one number: different vehicles


def _plate_for(rng: random.Random, vehicle_type: str, axles: int) -> tuple[str, str]:
    """(plate, colour) following the national plate rules for the vehicle type."""
    if vehicle_type == "taxi":
        return (ids.taxi_plate(rng), "blue") if rng.random() < 0.6 else (ids.small_nev_plate(rng), "green")
    if vehicle_type == "ride_hailing":
        return (ids.small_nev_plate(rng), "green") if rng.random() < 0.85 else (ids.ordinary_plate(rng), "blue")
    if vehicle_type == "bus":
        return (ids.large_nev_plate(rng), "yellow_green") if rng.random() < 0.8 else (ids.ordinary_plate(rng), "yellow")
    if vehicle_type == "trailer":
        return ids.trailer_plate(rng), "yellow"
    if vehicle_type == "truck" and axles == 2 and rng.random() < 0.5:
        return ids.ordinary_plate(rng), "blue"  # light trucks carry blue plates
    return ids.ordinary_plate(rng), "yellow"


def _axles_for(rng: random.Random, vehicle_type: str) -> int:
    if vehicle_type == "truck":
        return rng.choices((2, 3, 4, 5, 6), (55, 15, 15, 5, 10))[0]
    if vehicle_type == "tractor":
        return rng.choices((2, 3), (30, 70))[0]
    if vehicle_type == "trailer":
        return rng.choices((2, 3), (40, 60))[0]
    if vehicle_type in ("bus", "coach"):
        return rng.choices((2, 3), (90, 10))[0]
    return 2


class _OwnerPicker:
    def __init__(self, rng: random.Random, index: list[Enterprise]) -> None:
        self.rng = rng
        self.by_business: dict[str, list[str]] = {}
        for ent in index:
            self.by_business.setdefault(ent.business, []).append(ent.uscc)

    def pick(self, vehicle_type: str) -> str:
        if self.rng.random() < PRIVATE_SHARE.get(vehicle_type, 0.0):
            return ids.ric_number(self.rng, ids.random_birth(self.rng, 1965, 2002))
        business = self.rng.choice(OWNER_BUSINESSES[vehicle_type])
        return self.rng.choice(self.by_business[business])


def _vehicle_row(
    rng: random.Random, plate: str, colour: str, vehicle_type: str, axles: int, owner: str, serial: int
) -> Row:
    status = rng.choices(list(CERT_STATUS_WEIGHTS), list(CERT_STATUS_WEIGHTS.values()))[0]
    cert_no = "" if status == "none" else f"321100{serial:06d}"
    expiry = "" if status == "none" else _expiry(rng, 0.06)
    return {
        "plate": plate,
        "plate_color": colour,
        "vehicle_type": vehicle_type,
        "axles": str(axles),
        "owner": owner,
        "cert_no": cert_no,
        "cert_status": status,
        "cert_expiry": expiry,
    }


def vehicles(rng: random.Random, count: int, index: list[Enterprise]) -> list[Row]:
    owners = _OwnerPicker(rng, index)
    serials = iter(rng.sample(range(1, 1_000_000), count + 2 * SAME_NUMBER_PAIRS))
    seen: set[tuple[str, str]] = set()
    rows: list[Row] = []
    # A few numbers issued twice in different colours (蓝牌 and 黄牌 are separate series).
    for _ in range(SAME_NUMBER_PAIRS):
        number = "苏L" + "".join(rng.choice(ids.PLATE_DIGITS) for _ in range(5))
        for colour, vehicle_type in (("blue", "ride_hailing"), ("yellow", "truck")):
            if (number, colour) in seen:
                continue
            seen.add((number, colour))
            rows.append(
                _vehicle_row(
                    rng,
                    number,
                    colour,
                    vehicle_type,
                    _axles_for(rng, vehicle_type),
                    owners.pick(vehicle_type),
                    next(serials),
                )
            )
    types = list(VEHICLE_MIX)
    weights = list(VEHICLE_MIX.values())
    while len(rows) < count:
        vehicle_type = rng.choices(types, weights)[0]
        axles = _axles_for(rng, vehicle_type)
        plate, colour = _plate_for(rng, vehicle_type, axles)
        if (plate, colour) in seen:
            continue
        seen.add((plate, colour))
        rows.append(_vehicle_row(rng, plate, colour, vehicle_type, axles, owners.pick(vehicle_type), next(serials)))
    return rows


# ---------------------------------------------------------------------------------------------
# Vessels
# ---------------------------------------------------------------------------------------------

SHIP_TYPE_WEIGHTS = {"cargo": 60, "tanker": 12, "passenger": 3, "tug": 7, "dredger": 6, "fishing": 7}
FOREIGN_SHARE = 0.10
CERT_KINDS = ("registry", "survey", "safe_manning", "pollution_insurance")


def _chinese_ship_name(rng: random.Random, ship_type: str) -> str:
    n = rng.randrange(1, 10000)
    port = rng.choices(("苏镇", "苏扬州", "苏泰州", "皖马鞍山", "苏南京", "赣九江"), (50, 12, 10, 10, 10, 8))[0]
    return {
        "cargo": f"{port}货{n:04d}" if rng.random() < 0.85 else f"长航货运{n % 200 + 1}",
        "tanker": f"{port}油{n:04d}" if rng.random() < 0.8 else f"长航油{n % 100 + 1}",
        "passenger": f"镇江客渡{n % 40 + 1}",
        "tug": f"镇港拖{n % 60 + 1}",
        "dredger": f"苏镇疏浚{n % 300 + 1}",
        "fishing": f"苏镇渔{n:05d}",
    }[ship_type]


def _certificates(rng: random.Random, mmsi: str) -> str:
    parts = []
    for kind in CERT_KINDS:
        if rng.random() < 0.05:
            continue  # a missing certificate is a lead for the water brigade
        parts.append(f"{kind}:{mmsi[-6:]}{CERT_KINDS.index(kind) + 1:02d}{rng.randrange(100):02d}:{_expiry(rng, 0.05)}")
    return ";".join(parts)


def vessels(rng: random.Random, count: int, index: list[Enterprise]) -> list[Row]:
    shipping = [e.uscc for e in index if e.business in ("shipping", "port_operator")]
    seen: set[str] = set()
    rows: list[Row] = []
    while len(rows) < count:
        foreign = rng.random() < FOREIGN_SHARE
        mmsi = ids.mmsi_number(rng, foreign)
        if mmsi in seen:
            continue
        seen.add(mmsi)
        if foreign:
            ship_type = rng.choices(("cargo", "tanker"), (75, 25))[0]
            name = f"{rng.choice(SHIP_WORDS)} {rng.choice(SHIP_WORDS)}"
            owner = ""  # foreign owners are not in the local registry
        else:
            ship_type = rng.choices(list(SHIP_TYPE_WEIGHTS), list(SHIP_TYPE_WEIGHTS.values()))[0]
            name = _chinese_ship_name(rng, ship_type)
            private = ship_type == "fishing" or rng.random() < 0.15
            owner = ids.ric_number(rng, ids.random_birth(rng, 1960, 1995)) if private else rng.choice(shipping)
        rows.append(
            {
                "mmsi": mmsi,
                "name": name,
                "ship_type": ship_type,
                "owner": owner,
                "certificates": _certificates(rng, mmsi),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------------------------

PERSON_ID_WEIGHTS = {
    "resident_id": 88,
    "passport": 4,
    "hk_macau_permit": 3,
    "taiwan_permit": 2,
    "foreign_permanent_residence": 3,
}
PR_COUNTRIES = ("USA", "KOR", "JPN", "DEU", "GBR", "CAN", "AUS", "SGP")


def _person(rng: random.Random, id_type: str) -> Row:
    if id_type == "resident_id":
        # Mostly Zhenjiang natives; a fifth are drivers and boatmen from other provinces.
        birth = ids.random_birth(rng, 1960, 2004)
        area = rng.choice(ids.OTHER_AREA_CODES) if rng.random() < 0.2 else None
        return {"id_type": id_type, "id_number": ids.ric_number(rng, birth, area), "name": person_name(rng)}
    if id_type == "passport":
        number = rng.choice("EGKM") + f"{rng.randrange(10**8):08d}"
        return {"id_type": id_type, "id_number": number, "name": foreign_name(rng)}
    if id_type == "hk_macau_permit":
        return {"id_type": id_type, "id_number": f"H{rng.randrange(10**8):08d}", "name": person_name(rng)}
    if id_type == "taiwan_permit":
        return {"id_type": id_type, "id_number": f"{rng.randrange(10**8):08d}", "name": person_name(rng)}
    # Foreign permanent residence card (old format: ISO 3166 alpha-3 + 12 digits).
    number = rng.choice(PR_COUNTRIES) + f"{rng.randrange(10**12):012d}"
    return {"id_type": id_type, "id_number": number, "name": foreign_name(rng)}


def persons(rng: random.Random, count: int) -> list[Row]:
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    while len(rows) < count:
        id_type = rng.choices(list(PERSON_ID_WEIGHTS), list(PERSON_ID_WEIGHTS.values()))[0]
        row = _person(rng, id_type)
        key = (row["id_type"], row["id_number"])
        if key in seen:
            continue
        seen.add(key)
        row["phone"] = ids.mobile_phone(rng)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------

# (code, name, type, lon, lat) — stations placed by eye. No airport: 常州奔牛机场 is outside the city.
FIXED_SITES: tuple[tuple[str, str, str, float, float], ...] = (
    ("S-RAIL-ZJ", "镇江站", "railway_station", 119.433, 32.203),
    ("S-RAIL-ZJS", "镇江南站", "railway_station", 119.425, 32.150),
    ("S-RAIL-DY", "丹阳站", "railway_station", 119.572, 31.995),
    ("S-RAIL-DYB", "丹阳北站", "railway_station", 119.615, 32.040),
    ("S-RAIL-JR", "句容站", "railway_station", 119.180, 31.935),
    ("S-RAIL-BHS", "宝华山站", "railway_station", 119.100, 32.132),
    ("S-BUS-ZJ", "镇江汽车客运站", "bus_station", 119.435, 32.201),
    ("S-BUS-ZJS", "镇江南汽车客运站", "bus_station", 119.427, 32.148),
    ("S-BUS-DT", "丹徒汽车客运站", "bus_station", 119.440, 32.128),
    ("S-BUS-XQ", "大港汽车客运站", "bus_station", 119.672, 32.180),
    ("S-BUS-DY", "丹阳汽车客运站", "bus_station", 119.575, 31.998),
    ("S-BUS-JR", "句容汽车客运站", "bus_station", 119.168, 31.948),
    ("S-BUS-YZ", "扬中汽车客运站", "bus_station", 119.812, 32.200),
)
SERVICE_POINT_COUNT = 86  # 86 service points (mission, §4)
SERVICE_POINT_KINDS = ("司机之家", "货车司机关爱驿站", "交通执法便民服务站", "爱心驿站")
REPAIR_SITE_SHARE = 0.2


def _fixed_sites() -> list[Row]:
    rows = []
    for code, name, site_type, lon, lat in FIXED_SITES:
        block = geography.block_at(lon, lat)
        rows.append(
            {
                "code": code,
                "name": name,
                "site_type": site_type,
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "address": DISTRICT_PREFIX[block],
            }
        )
    return rows


def _port_terminals() -> list[Row]:
    rows = []
    for i, feature in enumerate(geography.port_areas(), start=1):
        lon, lat = geography.land_point_in(feature.geometry)
        rows.append(
            {
                "code": f"S-PORT-{i:02d}",
                "name": f"{feature.name}公用码头",
                "site_type": "port_terminal",
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "address": DISTRICT_PREFIX[geography.block_at(lon, lat)],
            }
        )
    return rows


def _service_points(rng: random.Random) -> list[Row]:
    """Two thirds along the trunk roads (named by stake), the rest in towns."""
    sections = geography.road_sections()
    rows = []
    for i in range(1, SERVICE_POINT_COUNT + 1):
        kind = SERVICE_POINT_KINDS[i % len(SERVICE_POINT_KINDS)]
        if i % 3:
            section = rng.choice(sections)
            assert section.from_km is not None and section.to_km is not None
            fraction = rng.random()
            point = section.geometry.interpolate(fraction, normalized=True)
            lon, lat = round(point.x, 6), round(point.y, 6)
            km = section.from_km + (section.to_km - section.from_km) * fraction
            name = f"{kind}（{section.route} K{int(km)}+{int(km % 1 * 1000):03d}）"
        else:
            block = rng.choice(list(BLOCK_WEIGHTS))
            lon, lat = geography.random_point_in_block(rng, block, spread_km=6.0)
            name = f"{kind}（{DISTRICT_PREFIX[block].removeprefix('镇江市')}{i:02d}号）"
        rows.append(
            {
                "code": f"SP-{i:03d}",
                "name": name,
                "site_type": "service_point",
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "address": DISTRICT_PREFIX[geography.block_at(lon, lat)],
            }
        )
    return rows


def _enterprise_sites(rng: random.Random, enterprise_rows: list[Row]) -> list[Row]:
    """Logistics parks, driving schools and a share of repair shops, at their company's address."""
    rows: list[Row] = []
    counters = {"logistics_park": 0, "driving_school": 0, "repair_shop": 0}
    prefixes = {"logistics_park": "S-LOG", "driving_school": "S-DRV", "repair_shop": "S-REP"}
    for ent in enterprise_rows:
        if ent["business"] == "logistics" and ent["name"].endswith(LOGISTICS_PARK_SUFFIX):
            site_type = "logistics_park"
        elif ent["business"] == "driving_school":
            site_type = "driving_school"
        elif ent["business"] == "repair" and rng.random() < REPAIR_SITE_SHARE:
            site_type = "repair_shop"
        else:
            continue
        counters[site_type] += 1
        rows.append(
            {
                "code": f"{prefixes[site_type]}-{counters[site_type]:03d}",
                "name": ent["name"],
                "site_type": site_type,
                "lon": ent["lon"],
                "lat": ent["lat"],
                "address": ent["address"],
            }
        )
    return rows


def sites(rng: random.Random, enterprise_rows: list[Row]) -> list[Row]:
    return _fixed_sites() + _port_terminals() + _service_points(rng) + _enterprise_sites(rng, enterprise_rows)


# ---------------------------------------------------------------------------------------------
# Oversize-transport permits
# ---------------------------------------------------------------------------------------------


def _route_text(rng: random.Random) -> str:
    sections = geography.road_sections()
    routes = sorted({s.route for s in sections if s.route})
    chosen = rng.sample(routes, rng.randint(1, 2))
    parts = []
    for route in chosen:
        own = [s for s in sections if s.route == route]
        first, last = own[0].from_km, own[-1].to_km
        assert first is not None and last is not None
        lo = rng.randint(int(first), int(last) - 5)
        hi = rng.randint(lo + 5, int(last))
        parts.append(f"{route} K{lo}—K{hi}")
    return "；".join(parts)


def permits(rng: random.Random, count: int, vehicle_rows: list[Row]) -> list[Row]:
    heavy = [
        v
        for v in vehicle_rows
        if v["vehicle_type"] in ("truck", "tractor") and v["plate_color"] == "yellow" and int(v["axles"]) >= 3
    ]
    rows = []
    for i, vehicle in enumerate(rng.sample(heavy, min(count, len(heavy))), start=1):
        start = _date_between(rng, dt.date(2025, 10, 1), dt.date(2026, 12, 31))
        end = start + dt.timedelta(days=rng.choice((7, 15, 30, 60, 90)))
        rows.append(
            {
                "permit_no": f"苏交超证镇{start.year}{i:05d}",
                "plate": vehicle["plate"],
                "plate_color": vehicle["plate_color"],
                "route": _route_text(rng),
                "valid_from": start.isoformat(),
                "valid_to": end.isoformat(),
            }
        )
    return rows
