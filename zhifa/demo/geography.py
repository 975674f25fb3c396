"""Hand-authored, approximate geography of Zhenjiang for the demo map.

Every coordinate below was placed by eye from general knowledge of the city (WGS-84, longitude
first); none is copied from a map vendor. The shapes are deliberately coarse: they only have to be
plausible on a map and exact in their topology (blocks tile without overlap, road sections meet
end to end, stake ranges are contiguous).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

Coords = tuple[tuple[float, float], ...]

# ---------------------------------------------------------------------------------------------
# Land. The north edge of the mainland is the south bank of the Yangtze, west (Nanjing border
# near 龙潭) to east (the 夹江 south of 扬中); then the boundaries with Changzhou and Nanjing.
# ---------------------------------------------------------------------------------------------
SOUTH_BANK: Coords = (
    (118.980, 32.150),
    (119.050, 32.170),
    (119.120, 32.188),
    (119.200, 32.190),
    (119.250, 32.176),
    (119.300, 32.190),
    (119.350, 32.214),
    (119.400, 32.222),
    (119.450, 32.226),
    (119.500, 32.228),
    (119.540, 32.210),
    (119.580, 32.180),
    (119.620, 32.190),
    (119.660, 32.204),
    (119.700, 32.204),
    (119.740, 32.180),
    (119.780, 32.140),
    (119.830, 32.090),
    (119.880, 32.050),
    (119.920, 32.020),
)
LAND_EAST_SOUTH_WEST: Coords = (
    (119.935, 31.960),
    (119.900, 31.880),
    (119.860, 31.780),
    (119.720, 31.720),
    (119.550, 31.720),
    (119.400, 31.660),
    (119.220, 31.620),
    (119.080, 31.680),
    (119.030, 31.800),
    (118.990, 31.950),
    (118.970, 32.050),
)

# 扬中 (太平洲): an island in the Yangtze east of the city, elongated NNW–SSE.
YANGZHONG_ISLAND: Coords = (
    (119.750, 32.304),
    (119.775, 32.296),
    (119.795, 32.265),
    (119.820, 32.225),
    (119.844, 32.187),
    (119.868, 32.148),
    (119.890, 32.112),
    (119.906, 32.082),
    (119.898, 32.066),
    (119.872, 32.072),
    (119.842, 32.100),
    (119.814, 32.136),
    (119.790, 32.174),
    (119.768, 32.212),
    (119.749, 32.250),
    (119.736, 32.284),
)

# Cutters for the mainland blocks, applied in this order; each block is the part of the mainland
# inside its cutter and not already taken, and 句容 takes the rest. Cutting one polygon this way
# guarantees that the blocks tile it exactly (shared edges, no overlap).
BLOCK_CUTTERS: tuple[tuple[str, Coords], ...] = (
    ("RZ", ((119.330, 32.320), (119.445, 32.320), (119.445, 32.172), (119.400, 32.158), (119.330, 32.162))),
    ("JK", ((119.445, 32.320), (119.600, 32.320), (119.600, 32.160), (119.520, 32.142), (119.445, 32.172))),
    (
        "XQ",
        (
            (119.600, 32.320),
            (119.990, 32.320),
            (119.990, 32.020),
            (119.800, 32.040),
            (119.680, 32.062),
            (119.600, 32.080),
        ),
    ),
    (
        "DT",
        (
            (119.220, 32.350),
            (119.620, 32.350),
            (119.620, 32.080),
            (119.550, 32.050),
            (119.450, 32.040),
            (119.350, 32.020),
            (119.280, 32.050),
            (119.220, 32.100),
        ),
    ),
    # 丹阳 takes everything still free east of 119.40 (its north edge is whatever 丹徒/新区 left).
    (
        "DY",
        (
            (119.400, 32.060),
            (119.450, 32.350),
            (119.990, 32.350),
            (119.990, 31.600),
            (119.450, 31.600),
            (119.420, 31.800),
            (119.400, 31.950),
        ),
    ),
)
REMAINDER_BLOCK = "JR"

# Where people and businesses cluster inside each block (town centres), for point sampling.
BLOCK_CENTRES: dict[str, tuple[float, float]] = {
    "JK": (119.480, 32.195),
    "RZ": (119.415, 32.195),
    "DT": (119.440, 32.125),
    "XQ": (119.670, 32.175),
    "DY": (119.580, 32.000),
    "JR": (119.170, 31.950),
    "YZ": (119.815, 32.205),
}

# ---------------------------------------------------------------------------------------------
# Roads: (route, first stake km, owner per section, waypoints). The stake at the end is the first
# stake plus the measured length, so stake length and geometry length agree.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteSpec:
    route: str
    name: str
    start_km: int
    owners: tuple[str, ...]  # one owning unit per section, west/north to east/south
    waypoints: Coords


ROUTES: tuple[RouteSpec, ...] = (
    # G312 crosses the whole city west–east south of the centre (宝华 → 高资 → 丁卯 → 丹阳北).
    RouteSpec(
        "G312",
        "312国道",
        1150,
        ("ZJ-RD1", "ZJ-RD1", "ZJ-RD1", "ZJ-RD2", "ZJ-RD2", "ZJ-RD2"),
        (
            (119.020, 32.118),
            (119.060, 32.125),
            (119.100, 32.131),
            (119.140, 32.138),
            (119.180, 32.145),
            (119.220, 32.150),
            (119.260, 32.153),
            (119.300, 32.151),
            (119.340, 32.153),
            (119.380, 32.160),
            (119.420, 32.164),
            (119.460, 32.167),
            (119.500, 32.160),
            (119.540, 32.150),
            (119.580, 32.134),
            (119.620, 32.110),
            (119.660, 32.086),
            (119.700, 32.062),
            (119.740, 32.042),
            (119.780, 32.024),
            (119.820, 32.004),
        ),
    ),
    # G104 runs through 句容 and 丹阳.
    RouteSpec(
        "G104",
        "104国道",
        1040,
        ("ZJ-RD2", "ZJ-RD2", "ZJ-RD2", "ZJ-RD2"),
        (
            (119.010, 31.925),
            (119.050, 31.935),
            (119.090, 31.944),
            (119.130, 31.951),
            (119.170, 31.956),
            (119.210, 31.959),
            (119.250, 31.966),
            (119.290, 31.975),
            (119.330, 31.985),
            (119.370, 31.992),
            (119.410, 31.998),
            (119.450, 32.002),
            (119.490, 32.006),
            (119.530, 32.006),
            (119.570, 32.002),
            (119.610, 31.994),
            (119.650, 31.980),
            (119.690, 31.965),
            (119.730, 31.950),
            (119.760, 31.938),
        ),
    ),
    # S243: from the south of the city through 丹徒 to the south of 丹阳.
    RouteSpec(
        "S243",
        "243省道",
        12,
        ("ZJ-RD3", "ZJ-RD3", "ZJ-RD3"),
        (
            (119.440, 32.180),
            (119.444, 32.150),
            (119.450, 32.120),
            (119.456, 32.090),
            (119.460, 32.060),
            (119.466, 32.030),
            (119.470, 32.000),
            (119.476, 31.970),
            (119.481, 31.940),
            (119.490, 31.910),
            (119.498, 31.880),
            (119.504, 31.850),
            (119.510, 31.820),
            (119.516, 31.790),
            (119.522, 31.760),
        ),
    ),
    # S238: north–south through 句容.
    RouteSpec(
        "S238",
        "238省道",
        30,
        ("ZJ-RD3", "ZJ-RD3", "ZJ-RD3"),
        (
            (119.150, 32.160),
            (119.154, 32.120),
            (119.160, 32.080),
            (119.165, 32.040),
            (119.168, 32.000),
            (119.172, 31.960),
            (119.176, 31.920),
            (119.181, 31.880),
            (119.186, 31.840),
            (119.191, 31.800),
            (119.196, 31.760),
            (119.201, 31.720),
            (119.205, 31.680),
        ),
    ),
    # S122: diagonal from 句容 north-east towards the city.
    RouteSpec(
        "S122",
        "122省道",
        60,
        ("ZJ-RD3", "ZJ-RD3"),
        (
            (119.185, 31.962),
            (119.220, 31.988),
            (119.260, 32.018),
            (119.300, 32.048),
            (119.340, 32.076),
            (119.380, 32.098),
            (119.420, 32.118),
        ),
    ),
    # S338: west–east across 丹徒 and 镇江新区 towards the 扬中 bridges.
    RouteSpec(
        "S338",
        "338省道",
        5,
        ("ZJ-RD4", "ZJ-RD4", "ZJ-RD4"),
        (
            (119.500, 32.118),
            (119.540, 32.110),
            (119.580, 32.102),
            (119.620, 32.094),
            (119.660, 32.087),
            (119.700, 32.082),
            (119.740, 32.082),
            (119.770, 32.094),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# Water. The Yangtze main channel runs ~1.5 km off the south bank, then passes north of 扬中
# (the left branch is the main channel; the 夹江 to the south is secondary).
# ---------------------------------------------------------------------------------------------
YANGTZE_CENTRELINE: Coords = (
    (118.985, 32.168),
    (119.050, 32.186),
    (119.120, 32.204),
    (119.200, 32.206),
    (119.250, 32.194),
    (119.300, 32.206),
    (119.350, 32.230),
    (119.400, 32.238),
    (119.450, 32.242),
    (119.500, 32.244),
    (119.545, 32.230),
    (119.590, 32.212),
    (119.630, 32.216),
    (119.680, 32.230),
    (119.708, 32.270),
    (119.732, 32.318),
    (119.770, 32.334),
    (119.810, 32.310),
    (119.845, 32.262),
    (119.885, 32.208),
    (119.925, 32.155),
    (119.965, 32.104),
)
YANGTZE_HALF_WIDTH_M = 750.0
# (owner, name, west longitude, east longitude) — the channel is cut at these meridians.
YANGTZE_SECTIONS: tuple[tuple[str, str, float, float], ...] = (
    ("ZJ-WT1", "长江镇江段（下蜀—高资）", 118.90, 119.28),
    ("ZJ-WT1", "长江镇江段（高资—焦山）", 119.28, 119.52),
    ("ZJ-WT1", "长江镇江段（焦山—大港）", 119.52, 119.70),
    ("ZJ-WT1", "长江镇江段（太平洲左汊）", 119.70, 120.05),
)
# 京杭运河 from its mouth at 谏壁 south through 丹阳 to 吕城; split at 丹阳.
GRAND_CANAL: tuple[tuple[str, str, Coords], ...] = (
    (
        "ZJ-WT2",
        "京杭运河镇江段（谏壁—丹阳）",
        (
            (119.586, 32.178),
            (119.582, 32.160),
            (119.577, 32.140),
            (119.574, 32.120),
            (119.571, 32.100),
            (119.570, 32.080),
            (119.573, 32.060),
            (119.577, 32.040),
            (119.580, 32.022),
            (119.584, 32.006),
        ),
    ),
    (
        "ZJ-WT2",
        "京杭运河镇江段（丹阳—吕城）",
        (
            (119.584, 32.006),
            (119.598, 31.994),
            (119.615, 31.984),
            (119.635, 31.974),
            (119.655, 31.964),
            (119.675, 31.954),
            (119.695, 31.945),
            (119.715, 31.934),
            (119.740, 31.922),
            (119.765, 31.910),
            (119.785, 31.900),
        ),
    ),
)

# Port areas on the south bank: (owner, name, centre). Each is a ~2.4 × 1.2 km rectangle half on
# land, half on the water.
PORT_AREAS: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("ZJ-PT1", "高资港区", (119.250, 32.178)),
    ("ZJ-PT1", "龙门港区", (119.390, 32.220)),
    ("ZJ-PT2", "谏壁港区", (119.575, 32.184)),
    ("ZJ-PT2", "大港港区", (119.680, 32.206)),
)
PORT_HALF_SIZE_M = (1200.0, 600.0)

# ---------------------------------------------------------------------------------------------
# Projection helpers: lengths and buffers are computed in UTM zone 50N (EPSG:32650).
# ---------------------------------------------------------------------------------------------
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
_TO_WGS = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
COORD_DECIMALS = 6  # ~0.1 m; keeps the files stable and small


def to_utm(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, _TO_UTM.transform, interleaved=False)


def to_wgs(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, _TO_WGS.transform, interleaved=False)


def rounded(geom: BaseGeometry) -> BaseGeometry:
    """Round to COORD_DECIMALS and repair anything rounding might have broken."""
    geom = shapely.set_precision(geom, 10**-COORD_DECIMALS)
    return geom if geom.is_valid else shapely.make_valid(geom)


def length_km(line: LineString) -> float:
    return float(to_utm(line).length) / 1000.0


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    kind: str
    unit: str
    name: str
    geometry: BaseGeometry
    route: str | None = None
    from_km: float | None = None
    to_km: float | None = None

    def properties(self) -> dict[str, object]:
        props: dict[str, object] = {"kind": self.kind, "unit": self.unit, "name": self.name}
        if self.route is not None:
            props.update(route=self.route, from_km=self.from_km, to_km=self.to_km)
        return props


def mainland() -> Polygon:
    return Polygon(SOUTH_BANK + LAND_EAST_SOUTH_WEST)


@cache
def block_polygons() -> dict[str, BaseGeometry]:
    """The seven blocks (4 urban districts + 3 county-level cities), tiling the land exactly."""
    land = mainland()
    taken: BaseGeometry = Polygon()
    blocks: dict[str, BaseGeometry] = {}
    for code, cutter in BLOCK_CUTTERS:
        part = land.intersection(Polygon(cutter)).difference(taken)
        blocks[code] = part
        taken = unary_union([taken, part])
    blocks[REMAINDER_BLOCK] = land.difference(taken)
    blocks["YZ"] = Polygon(YANGZHONG_ISLAND)
    # Rounding to 1e-6° on a shared edge snaps both sides to the same grid, so they stay tiled.
    return {code: _largest_parts(rounded(geom)) for code, geom in blocks.items()}


def _largest_parts(geom: BaseGeometry) -> BaseGeometry:
    """Drop slivers (below 0.01 km²) that cutting may leave; return a Polygon when possible."""
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon)]
    keep = [p for p in polys if to_utm(p).area > 10_000.0]
    return keep[0] if len(keep) == 1 else MultiPolygon(keep)


def _stake_cuts(start_km: int, total_km: int, sections: int) -> list[int]:
    """Section boundaries in whole km, as even as possible."""
    return [start_km + round(total_km * i / sections) for i in range(sections + 1)]


def _sample_line(line_utm: LineString, d0: float, d1: float) -> list[tuple[float, float]]:
    """Points along [d0, d1] metres: about one per km, 12–30 vertices."""
    count = min(30, max(12, round((d1 - d0) / 1000.0) + 1))
    return [line_utm.interpolate(d0 + (d1 - d0) * i / (count - 1)).coords[0] for i in range(count)]


@cache
def road_sections() -> tuple[Feature, ...]:
    features: list[Feature] = []
    for spec in ROUTES:
        line_wgs = LineString(spec.waypoints)
        line_utm = to_utm(line_wgs)
        total_km = round(length_km(line_wgs))
        cuts = _stake_cuts(spec.start_km, total_km, len(spec.owners))
        # Map stake km to distance along the line proportionally, so the last stake is the line end.
        scale = float(line_utm.length) / (total_km * 1000.0)
        for i, owner in enumerate(spec.owners):
            k0, k1 = cuts[i], cuts[i + 1]
            d0 = (k0 - spec.start_km) * 1000.0 * scale
            d1 = (k1 - spec.start_km) * 1000.0 * scale
            # Both neighbours interpolate the same distance, so they share the exact end point.
            geom = rounded(to_wgs(LineString(_sample_line(line_utm, d0, d1))))
            features.append(
                Feature(
                    kind="road_section",
                    unit=owner,
                    name=f"{spec.name} K{k0}—K{k1}",
                    geometry=geom,
                    route=spec.route,
                    from_km=float(k0),
                    to_km=float(k1),
                )
            )
    return tuple(features)


def yangtze_channel() -> BaseGeometry:
    centre = to_utm(LineString(YANGTZE_CENTRELINE))
    return to_wgs(centre.buffer(YANGTZE_HALF_WIDTH_M, cap_style="flat", join_style="round"))


def waterway_sections() -> list[Feature]:
    channel = yangtze_channel()
    features = [
        Feature(
            "waterway_section", owner, name, _largest_parts(rounded(channel.intersection(box(west, 31.5, east, 32.6))))
        )
        for owner, name, west, east in YANGTZE_SECTIONS
    ]
    features += [
        Feature("waterway_section", owner, name, rounded(LineString(coords))) for owner, name, coords in GRAND_CANAL
    ]
    return features


def port_areas() -> list[Feature]:
    half_x, half_y = PORT_HALF_SIZE_M
    features = []
    for owner, name, (lon, lat) in PORT_AREAS:
        centre = to_utm(Point(lon, lat))
        rect = box(centre.x - half_x, centre.y - half_y, centre.x + half_x, centre.y + half_y)
        features.append(Feature("port_area", owner, name, rounded(to_wgs(rect))))
    return features


def block_features(block_units: dict[str, tuple[str, str]]) -> list[Feature]:
    """`block_units` maps a block key to (unit code, display name)."""
    return [Feature("block", block_units[key][0], block_units[key][1], geom) for key, geom in block_polygons().items()]


# ---------------------------------------------------------------------------------------------
# Point sampling
# ---------------------------------------------------------------------------------------------


@cache
def _prepared_block(key: str) -> BaseGeometry:
    geom = block_polygons()[key]
    shapely.prepare(geom)
    return geom


def random_point_in_block(
    rng: random.Random, key: str, spread_km: float = 4.0, centre: tuple[float, float] | None = None
) -> tuple[float, float]:
    """A point inside the block, clustered around `centre` (default: the town centre) with a
    Gaussian of `spread_km` sigma."""
    geom = _prepared_block(key)
    lon0, lat0 = centre or BLOCK_CENTRES[key]
    sx = spread_km / (111.32 * math.cos(math.radians(lat0)))
    sy = spread_km / 110.57
    for _ in range(200):
        lon, lat = rng.gauss(lon0, sx), rng.gauss(lat0, sy)
        if shapely.contains_xy(geom, lon, lat):
            return round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)
    minx, miny, maxx, maxy = geom.bounds
    while True:  # pragma: no cover - the Gaussian loop practically always succeeds
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(geom, lon, lat):
            return round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)


def block_at(lon: float, lat: float) -> str:
    """The key of the block containing the point (nearest block when it lies just outside)."""
    for key in block_polygons():
        if shapely.contains_xy(_prepared_block(key), lon, lat):
            return key
    point = Point(lon, lat)
    return min(block_polygons(), key=lambda k: block_polygons()[k].distance(point))


def land_point_in(area: BaseGeometry) -> tuple[float, float]:
    """A representative point of the part of `area` that lies on land (for port terminals)."""
    land = unary_union(list(block_polygons().values()))
    point = area.intersection(land).representative_point()
    return round(point.x, COORD_DECIMALS), round(point.y, COORD_DECIMALS)
