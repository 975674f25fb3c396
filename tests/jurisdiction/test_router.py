"""The routing rules of docs/routing.md, table-tested on a small hand-made map (no database)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from zhifa.geo.crs import wgs84_to_gcj02
from zhifa.geo.stake import parse_stake
from zhifa.jurisdiction.geojson import parse_jurisdiction
from zhifa.jurisdiction.location import parse_location
from zhifa.jurisdiction.router import DutyInfo, PointAt, Router, RoutingError, UnitInfo

DATA = Path(__file__).parents[1] / "data"


def _units() -> list[UnitInfo]:
    with open(DATA / "units.csv", encoding="utf-8") as f:
        return [UnitInfo(r["code"], r["name"], r["kind"], r["line"] or None) for r in csv.DictReader(f)]


def _duties() -> list[DutyInfo]:
    with open(DATA / "duties.csv", encoding="utf-8") as f:
        return [
            DutyInfo(
                r["code"],
                r["title"],
                r["mode"],
                tuple(r["matters"].split(";")),
                r["unit"] or None,
                r["unit_kind"] or None,
                r["line"] or None,
                r["legal_basis"],
            )
            for r in csv.DictReader(f)
        ]


@pytest.fixture(scope="module")
def router() -> Router:
    units = _units()
    features, errors = parse_jurisdiction(
        json.loads((DATA / "map.geojson").read_text("utf-8")), {u.code: u.kind for u in units}
    )
    assert errors == []
    return Router(features, units, _duties())


@pytest.fixture(scope="module")
def bare_router() -> Router:
    """The same map without a duty catalogue."""
    units = _units()
    features, _ = parse_jurisdiction(
        json.loads((DATA / "map.geojson").read_text("utf-8")), {u.code: u.kind for u in units}
    )
    return Router(features, units)


# 0.001° of latitude ≈ 110.9 m here.
@pytest.mark.parametrize(
    ("matter", "at", "unit", "mode", "outside"),
    [
        # strip/road: nearest section within 50 m
        ("road.overload", "119.35,32.2003", "RD1", "strip", False),  # ≈ 33 m north of G312 west
        ("road.overload", "119.47,32.1997", "RD2", "strip", False),  # ≈ 33 m south of G312 east
        ("road.overload", "119.35,32.2006", "BA", "block", False),  # ≈ 67 m: too far → block
        ("road.overload", "119.47,32.2006", "BB", "block", False),
        ("road.overload", "119.40,32.20", "RD1", "strip", False),  # on the joint: tie → lowest code
        ("road.overload", "119.70,32.20", "CC", "fallback", True),  # beyond every block
        ("road.damage", "119.4203,32.15", "RD2", "strip", False),  # S243, ≈ 28 m east
        # strip/water: line within 300 m, polygon inside or within 300 m
        ("water.vessel", "119.40,32.252", "WT", "strip", False),  # ≈ 222 m from the line
        ("water.vessel", "119.40,32.254", "BA", "block", False),  # ≈ 444 m: too far
        ("water.vessel", "119.50,32.25", "WT", "strip", False),  # inside the polygon
        ("water.vessel", "119.50,32.2575", "WT", "strip", False),  # ≈ 277 m north of the polygon
        ("water.vessel", "119.50,32.259", "BB", "block", False),  # ≈ 444 m north of it
        # strip/port: inside only
        ("port.operation", "119.355,32.242", "PT", "strip", False),
        ("port.operation", "119.355,32.2455", "BA", "block", False),  # ≈ 55 m outside the port
        # block matters
        ("passenger.ride_hailing", "119.40,32.15", "BA", "block", False),
        ("passenger.ride_hailing", "119.50,32.15", "BB", "block", False),
        ("passenger.ride_hailing", "119.45,32.15", "BA", "block", False),  # shared edge → lowest code
        ("passenger.ride_hailing", "119.65,32.15", "CC", "fallback", True),
        ("repair.shop", "119.35,32.2003", "BA", "block", False),  # a block matter ignores strips
    ],
)
def test_point_rules(router: Router, matter: str, at: str, unit: str, mode: str, outside: bool) -> None:
    loc = parse_location(at)
    assert isinstance(loc, PointAt)
    a = router.route(matter, loc)
    assert (a.unit, a.mode, a.outside_jurisdiction) == (unit, mode, outside), a.reason
    assert a.reason and a.unit_name


@pytest.mark.parametrize(
    ("stake", "unit", "mode"),
    [
        ("G312 K100+000", "RD1", "strip"),
        ("G312 K109+999", "RD1", "strip"),
        ("G312 K110+000", "RD2", "strip"),  # half-open [from, to): the boundary belongs to the next
        ("G312 K120+500", "RD2", "strip"),  # the route's last section is closed at its end
        ("G312 K120+501", "CC", "fallback"),
        ("G312 K99+999", "CC", "fallback"),
        ("G999 K1+000", "CC", "fallback"),  # a route not on the map
        ("S243 K3+300", "RD2", "strip"),
    ],
)
def test_stake_rules(router: Router, stake: str, unit: str, mode: str) -> None:
    a = router.route("road.overload", parse_stake(stake))
    assert (a.unit, a.mode) == (unit, mode), a.reason
    assert a.outside_jurisdiction == (mode == "fallback")


def test_stake_for_a_block_matter_is_placed_on_its_section(router: Router) -> None:
    # K105 lies half-way along G312 west (119.30 → 119.40), i.e. at ≈119.35 in block BA.
    a = router.route("passenger.taxi", parse_stake("G312 K105+000"))
    assert (a.unit, a.mode) == ("BA", "block")
    assert a.location["lon"] == pytest.approx(119.35, abs=1e-3)
    # K115 lies at ≈119.45 — on the shared edge: lowest code.
    assert router.route("passenger.taxi", parse_stake("G312 K116+000")).unit == "BB"


def test_referral_and_department_from_the_catalogue(router: Router) -> None:
    a = router.route("water.navigation", PointAt(119.40, 32.25))
    assert (a.unit, a.mode, a.outside_jurisdiction) == ("MSA", "referral", False)
    assert "移送" in a.reason and a.duty and a.duty["code"] == "D002"
    d = router.route("legal.case_review", PointAt(119.40, 32.15))
    assert (d.unit, d.mode) == ("FZ", "department")


def test_catalogue_adds_matters_and_fills_the_duty(router: Router, bare_router: Router) -> None:
    a = router.route("road.signage", PointAt(119.35, 32.2003))
    assert (a.unit, a.mode) == ("RD1", "strip")
    assert a.duty is not None and a.duty["code"] == "D005"
    with pytest.raises(RoutingError):
        bare_router.route("road.signage", PointAt(119.35, 32.2003))
    plain = bare_router.route("road.overload", PointAt(119.35, 32.2003))
    assert plain.unit == "RD1" and plain.duty is None
    # Without the catalogue, water.navigation is a plain water strip matter.
    assert bare_router.route("water.navigation", PointAt(119.40, 32.25)).unit == "WT"


def test_unknown_matter_is_an_error(router: Router) -> None:
    with pytest.raises(RoutingError, match="unknown matter"):
        router.route("road.flying", PointAt(119.35, 32.2))


@pytest.mark.parametrize("bad", ["", "abc", "119.3", "200,32", "119.3,95", "G312 K12+1500", "site:"])
def test_malformed_locations(bad: str) -> None:
    with pytest.raises(RoutingError):
        parse_location(bad)


def test_gcj02_points_are_converted_exactly(router: Router) -> None:
    lon, lat = wgs84_to_gcj02(119.35, 32.2003)
    assert abs(lon - 119.35) > 1e-3  # the offset is real (hundreds of metres)
    loc = parse_location(f"{lon},{lat}", "gcj02")
    assert isinstance(loc, PointAt)
    assert (loc.lon, loc.lat) == pytest.approx((119.35, 32.2003), abs=1e-8)
    assert router.route("road.overload", loc).unit == "RD1"


def test_batch_equals_single(router: Router) -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    lons = rng.uniform(119.25, 119.65, 500)
    lats = rng.uniform(32.08, 32.32, 500)
    for matter in ("road.overload", "water.vessel", "port.operation", "passenger.taxi"):
        batch = router.route_points(matter, lons, lats)
        singles = [router.route(matter, PointAt(float(x), float(y))) for x, y in zip(lons, lats, strict=True)]
        assert [b.unit for b in batch] == [s.unit for s in singles]
        assert [b.mode for b in batch] == [s.mode for s in singles]


def test_no_command_center_is_an_error_only_when_the_fallback_is_needed() -> None:
    units = [u for u in _units() if u.kind != "command_center"]
    features, _ = parse_jurisdiction(
        json.loads((DATA / "map.geojson").read_text("utf-8")), {u.code: u.kind for u in _units()}
    )
    r = Router(features, units)
    assert r.route("road.overload", PointAt(119.35, 32.2003)).unit == "RD1"
    with pytest.raises(RoutingError, match="fallback"):
        r.route("road.overload", PointAt(119.9, 32.2))


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (119.40, 32.25, ("waterway_section", "WT", "长江镇江段（西）")),  # on the river's line
        (119.40, 32.2525, ("waterway_section", "WT", "长江镇江段（西）")),  # ≈ 280 m off it: within 300 m
        (119.50, 32.25, ("waterway_section", "WT", "长江镇江段（东）")),  # inside the river's polygon
        (119.355, 32.2425, ("port_area", "PT", "测试港区")),  # inside the port area, far from the river
        (119.36, 32.245, ("port_area", "PT", "测试港区")),  # on its corner
        (119.40, 32.2535, None),  # ≈ 390 m off the river's line
        (119.40, 32.15, None),  # ashore
    ],
)
def test_water_area_is_by_geometry_alone(
    router: Router, bare_router: Router, lon: float, lat: float, expected: tuple[str, str, str] | None
) -> None:
    """Where a vessel is in our waters (``ais_gap``): a waterway section within its distance, else
    a port area it is inside — whatever the duty catalogue says of any matter."""
    for r in (router, bare_router):
        found = r.water_area(lon, lat)
        assert (None if found is None else (found.kind, found.unit_code, found.name)) == expected
