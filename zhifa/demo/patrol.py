"""Where the demo's officers patrol: a route near each field unit and the officer's place on it
at any time (pure: no database, no clock).

* a road brigade's squadron patrols one section of its brigade's roads (squadron k: the k-th
  section, in the order of ``geography.ROUTES``); the brigade itself its first section;
* a block brigade and its squadrons a stretch of the road nearest the block's town centre (a ring
  round the centre when no road of the demo map passes near it);
* a water brigade and its squadrons their reach of the Yangtze or of the Grand Canal;
* a port brigade and its squadrons the edge of their port area.

An officer goes back and forth along the route at the unit's patrol speed; where he is depends on
the time alone (absolute kinematics, like the simulated vessels) and on a phase drawn from the
seed and his code, so the loader's first positions and the simulator's later ones form one track.
"""

from __future__ import annotations

import random
from functools import cache

from shapely.geometry import LineString, Point
from shapely.ops import substring

from zhifa.demo import geography
from zhifa.demo.organisation import BRIGADES, squadrons_of

#: Patrol speed per line of work, metres per second: a patrol car, a patrol boat (≈ 6 kn), on
#: foot or e-bike in a port, a car in town.
SPEED_MS = {"road": 8.0, "water": 3.0, "port": 1.5, "block": 5.0}
BLOCK_STRETCH_M = 3000.0  # each way from the point of the road nearest the block's centre
BLOCK_ROAD_MAX_M = 5000.0  # … when that road is this close; otherwise a ring of BLOCK_RING_M
BLOCK_RING_M = 1500.0


def _brigade_of(unit: str) -> tuple[str, int] | None:
    """(brigade code, squadron number or 0 for the brigade itself)."""
    for brigade in BRIGADES:
        if unit == brigade.code:
            return brigade.code, 0
        for k, sq in enumerate(squadrons_of(brigade), start=1):
            if unit == sq.code:
                return brigade.code, k
    return None


def _line_of_work(brigade_code: str) -> str:
    brigade = next(b for b in BRIGADES if b.code == brigade_code)
    return brigade.line or "block"


@cache
def patrol_route(unit: str) -> LineString | None:
    """The unit's patrol route in UTM metres (``None``: not a field unit)."""
    found = _brigade_of(unit)
    if found is None:
        return None
    brigade_code, k = found
    line = _line_of_work(brigade_code)
    if line == "road":
        sections = [f.geometry for f in geography.road_sections() if f.unit == brigade_code]
        return _as_line(geography.to_utm(sections[(k - 1) % len(sections) if k else 0]))
    if line == "water":
        reaches = [
            _yangtze_reach(west, east) for owner, _, west, east in geography.YANGTZE_SECTIONS if owner == brigade_code
        ]
        reaches += [
            _as_line(geography.to_utm(LineString(coords)))
            for owner, _, coords in geography.GRAND_CANAL
            if owner == brigade_code
        ]
        return reaches[(k - 1) % len(reaches) if k else 0]
    if line == "port":
        areas = [f.geometry for f in geography.port_areas() if f.unit == brigade_code]
        area = geography.to_utm(areas[(k - 1) % len(areas) if k else 0])
        return LineString(area.exterior.coords)
    brigade = next(b for b in BRIGADES if b.code == brigade_code)
    centre = geography.to_utm(Point(*geography.BLOCK_CENTRES[brigade.block]))
    roads = [_as_line(geography.to_utm(f.geometry)) for f in geography.road_sections()]
    road = min(roads, key=lambda r: r.distance(centre))
    if road.distance(centre) > BLOCK_ROAD_MAX_M:  # no trunk road near the town (扬中): a ring round it
        return LineString(centre.buffer(BLOCK_RING_M).exterior.coords)
    d = road.project(centre)
    return _as_line(substring(road, max(0.0, d - BLOCK_STRETCH_M), min(road.length, d + BLOCK_STRETCH_M)))


def _as_line(geom: object) -> LineString:
    assert isinstance(geom, LineString), geom
    return geom


def _yangtze_reach(west: float, east: float) -> LineString:
    centre = _as_line(geography.to_utm(LineString(geography.YANGTZE_CENTRELINE)))
    a = centre.project(geography.to_utm(Point(max(west, geography.YANGTZE_CENTRELINE[0][0]), 32.2)))
    b = centre.project(geography.to_utm(Point(min(east, geography.YANGTZE_CENTRELINE[-1][0]), 32.2)))
    return _as_line(substring(centre, min(a, b), max(a, b)))


def speed_ms(unit: str) -> float:
    found = _brigade_of(unit)
    return SPEED_MS[_line_of_work(found[0])] if found else 0.0


def position(seed: int, officer: str, unit: str, t: float) -> tuple[float, float] | None:
    """WGS-84 (lon, lat) of the officer at epoch second ``t``, rounded to 6 decimals (~0.1 m);
    ``None`` when the unit has no patrol route."""
    route = patrol_route(unit)
    if route is None or route.length <= 0:
        return None
    rng = random.Random(f"{seed}:patrol:{officer}")
    span = 2.0 * route.length
    u = (rng.uniform(0.0, span) + speed_ms(unit) * rng.uniform(0.7, 1.1) * t) % span
    s = u if u < route.length else span - u
    p = geography.to_wgs(route.interpolate(s))
    assert isinstance(p, Point)
    return round(p.x, geography.COORD_DECIMALS), round(p.y, geography.COORD_DECIMALS)
