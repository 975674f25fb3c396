"""The Zhenjiang demo generator: determinism, counts, and the import contract (docs/import-formats.md)."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from stdnum.cn import ric, uscc

from zhifa.demo import catalogue, geography
from zhifa.demo.generate import generate
from zhifa.demo.organisation import demo_accounts

SMALL = 0.05
PLATE_RE = re.compile(r"^苏L([A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]{5}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{4}挂)$")
CSV_COLUMNS = {
    "units": ["code", "name", "kind", "parent", "line", "category"],
    "officers": ["code", "name", "unit", "cert_no", "cert_expiry", "roles", "on_duty", "phone", "id_number"],
    "duties": ["code", "title", "matters", "mode", "unit", "unit_kind", "line", "legal_basis"],
    "enterprises": ["uscc", "name", "business", "address", "lon", "lat", "legal_rep", "licence_no",
                    "licence_expiry", "phone"],
    "vehicles": ["plate", "plate_color", "vehicle_type", "axles", "owner", "cert_no", "cert_status", "cert_expiry"],
    "vessels": ["mmsi", "name", "ship_type", "owner", "certificates"],
    "persons": ["id_type", "id_number", "name", "phone"],
    "sites": ["code", "name", "site_type", "lon", "lat", "address"],
    "permits": ["permit_no", "plate", "plate_color", "route", "valid_from", "valid_to"],
    "party_branches": ["code", "name", "squadron"],
    "devices": ["code", "kind", "name", "lon", "lat", "accuracy_pct", "crossing_line", "crs", "heartbeat_s", "api_key",
                "legal_review_date", "publicly_listed", "verified_until"],
}
UNIT_KINDS = {"detachment", "department", "command_center", "strip_brigade", "block_brigade", "squadron",
              "external_authority"}
ROLES = {"officer", "leader", "duty_officer", "legal_reviewer", "analyst", "admin"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("demo"), scale=SMALL)


@pytest.fixture(scope="module")
def units(files: dict[str, Path]) -> dict[str, dict[str, str]]:
    return {u["code"]: u for u in read_csv(files["units"])}


@pytest.fixture(scope="module")
def geojson(files: dict[str, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files["jurisdiction"].read_text(encoding="utf-8"))
    return data


def features(geojson: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in geojson["features"] if f["properties"]["kind"] == kind]


# --- determinism and shape of the output ---------------------------------------------------------


def test_two_runs_are_byte_identical_even_with_different_hash_seeds(tmp_path: Path, files: dict[str, Path]) -> None:
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "zhifa.demo.generate", str(out), "--scale", str(SMALL)],
                   check=True, env=env, capture_output=True)
    for name, path in files.items():
        assert (out / path.name).read_bytes() == path.read_bytes(), name


def test_another_seed_gives_other_entities(tmp_path: Path, files: dict[str, Path]) -> None:
    other = generate(tmp_path, seed=7, scale=SMALL)
    assert other["vehicles"].read_bytes() != files["vehicles"].read_bytes()
    assert other["duties"].read_bytes() == files["duties"].read_bytes()  # the catalogue is not random


def test_every_file_is_written_with_the_contract_columns(files: dict[str, Path]) -> None:
    assert set(files) == set(CSV_COLUMNS) | {"jurisdiction", "items"}
    for name, columns in CSV_COLUMNS.items():
        with files[name].open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == columns, name


# --- organisation ---------------------------------------------------------------------------------


def test_units_form_one_tree_with_one_command_center(units: dict[str, dict[str, str]]) -> None:
    kinds = Counter(u["kind"] for u in units.values())
    assert kinds["command_center"] == 1
    assert kinds["detachment"] == 1
    assert set(kinds) == UNIT_KINDS
    for u in units.values():
        assert re.fullmatch(r"[A-Za-z0-9._-]+", u["code"])
        if u["kind"] in ("detachment", "external_authority"):
            assert u["parent"] == ""
        else:
            assert u["parent"] in units
        assert (u["line"] != "") == (u["kind"] == "strip_brigade")
        assert u["line"] in ("", "road", "port", "water")


def test_brigades_squadrons_and_operational_share(units: dict[str, dict[str, str]]) -> None:
    brigades = [u for u in units.values() if u["kind"] in ("strip_brigade", "block_brigade")]
    for brigade in brigades:
        squadrons = [u for u in units.values() if u["kind"] == "squadron" and u["parent"] == brigade["code"]]
        assert 2 <= len(squadrons) <= 4, brigade["code"]
    assert {u["line"] for u in brigades} == {"", "road", "port", "water"}
    assert sum(u["kind"] == "block_brigade" for u in units.values()) == 7
    departments = [u for u in units.values() if u["kind"] == "department"]
    business = [d for d in departments if d["category"] == "business"]
    operational = len(brigades) + len(business)
    assert operational / (operational + len(departments) - len(business)) >= 0.8
    externals = {u["name"] for u in units.values() if u["kind"] == "external_authority"}
    assert "长江镇江海事局" in externals


def test_officers(files: dict[str, Path], units: dict[str, dict[str, str]]) -> None:
    officers = read_csv(files["officers"])
    assert len({o["code"] for o in officers}) == len(officers)
    assert len({o["cert_no"] for o in officers}) == len(officers)
    for o in officers:
        assert o["unit"] in units
        assert set(o["roles"].split(";")) <= ROLES
        assert ric.is_valid(o["id_number"]), o["id_number"]
        assert 1965 <= ric.get_birth_date(o["id_number"]).year <= 2000
        assert re.fullmatch(r"32110023\d{4}", o["cert_no"])
    leaders = Counter(o["unit"] for o in officers if "leader" in o["roles"].split(";"))
    for code, u in units.items():
        if u["kind"] in ("strip_brigade", "block_brigade"):
            assert leaders[code] == 1, code
    roles = Counter(r for o in officers for r in o["roles"].split(";"))
    assert roles["duty_officer"] >= 2 and roles["legal_reviewer"] >= 2 and roles["analyst"] >= 1


def test_party_branches_attach_to_distinct_squadrons(files: dict[str, Path], units: dict[str, dict[str, str]]) -> None:
    branches = read_csv(files["party_branches"])
    assert len(branches) == 20
    assert len({b["squadron"] for b in branches}) == 20
    assert all(units[b["squadron"]]["kind"] == "squadron" for b in branches)


def test_demo_accounts_cover_every_role(units: dict[str, dict[str, str]]) -> None:
    accounts = demo_accounts()
    assert {r for a in accounts for r in a["roles"]} >= {"admin", "duty_officer", "leader", "officer",
                                                          "legal_reviewer", "analyst"}
    assert all(a["unit"] in units and a["password"] for a in accounts)
    assert next(a for a in accounts if "duty_officer" in a["roles"])["unit"] == "ZJ-CC"


# --- duties and items -----------------------------------------------------------------------------


def test_duty_catalogue(files: dict[str, Path], units: dict[str, dict[str, str]]) -> None:
    duties = read_csv(files["duties"])
    assert len(duties) == 191
    assert len({d["code"] for d in duties}) == 191
    matters = Counter(m for d in duties for m in d["matters"].split(";") if m)
    assert all(n == 1 for n in matters.values()), [m for m, n in matters.items() if n > 1]
    for base in catalogue.BASE_MATTERS:
        assert matters[base] == 1, base
    for d in duties:
        assert d["mode"] in ("strip", "block", "department", "referral")
        assert d["legal_basis"] and d["title"]
        if d["mode"] == "strip":
            assert d["line"] in ("road", "port", "water")
        if d["mode"] == "referral":
            assert units[d["unit"]]["kind"] == "external_authority"
        if d["mode"] == "department":
            assert d["unit"] in units
    by_matter = {m: d for d in duties for m in d["matters"].split(";") if m}
    assert (by_matter["water.navigation"]["mode"], by_matter["water.navigation"]["unit"]) == ("referral", "EXT-MSA")
    assert by_matter["road.overload"]["line"] == "road"
    assert by_matter["passenger.taxi"]["mode"] == "block"


def test_item_catalogue(files: dict[str, Path]) -> None:
    items = json.loads(files["items"].read_text(encoding="utf-8"))
    duty_matters = {m for d in read_csv(files["duties"]) for m in d["matters"].split(";") if m}
    assert len({i["code"] for i in items}) == len(items) >= 60
    assert {i["kind"] for i in items} == {"inspection", "penalty", "coercive"}
    for item in items:
        assert item["matter"] in duty_matters, item["code"]
        assert item["legal_basis"] and all(b["law"] and b["article"].startswith("第") for b in item["legal_basis"])
        assert ("discretion" in item) == (item["kind"] == "penalty")
        for tier in item.get("discretion", []):
            assert tier["tier"] in ("轻微", "一般", "较重", "严重")
            assert 0 <= tier["min_yuan"] <= tier["max_yuan"]
    overload = next(i for i in items if i["matter"] == "road.overload" and i["kind"] == "penalty")
    tiers = overload["discretion"]
    assert tiers[0]["warning"] and tiers[0]["max_yuan"] == 0  # 超限 ≤ 1000 kg: warning only
    assert max(t["max_yuan"] for t in tiers) == 30000  # 500 yuan per 1000 kg, capped at 30,000
    unlicensed = next(i for i in items if i["matter"] == "passenger.illegal_operation")
    assert unlicensed["legal_basis"] == [{"law": "道路运输条例", "article": "第六十三条"}]
    assert (unlicensed["discretion"][0]["min_yuan"], unlicensed["discretion"][-1]["max_yuan"]) == (10000, 100000)


# --- jurisdiction map -----------------------------------------------------------------------------


def test_every_feature_is_valid_and_owned_by_a_known_unit(geojson: dict[str, Any],
                                                          units: dict[str, dict[str, str]]) -> None:
    allowed = {
        "block": {"Polygon", "MultiPolygon"},
        "port_area": {"Polygon", "MultiPolygon"},
        "road_section": {"LineString", "MultiLineString"},
        "waterway_section": {"LineString", "MultiLineString", "Polygon", "MultiPolygon"},
    }
    assert geojson["type"] == "FeatureCollection"
    for f in geojson["features"]:
        props, geom = f["properties"], shape(f["geometry"])
        assert props["unit"] in units and props["name"]
        assert f["geometry"]["type"] in allowed[props["kind"]]
        assert geom.is_valid, props["name"]
        minx, miny, maxx, maxy = geom.bounds
        assert minx > 118.9 and maxx < 120.1 and miny > 31.5 and maxy < 32.4  # Zhenjiang, lon first
    counts = Counter(f["properties"]["kind"] for f in geojson["features"])
    assert counts == {"block": 7, "road_section": 21, "waterway_section": 6, "port_area": 4}


def test_blocks_do_not_overlap(geojson: dict[str, Any], units: dict[str, dict[str, str]]) -> None:
    blocks = [(f["properties"]["unit"], geography.to_utm(shape(f["geometry"]))) for f in features(geojson, "block")]
    assert all(units[code]["kind"] == "block_brigade" for code, _ in blocks)
    for (a, ga), (b, gb) in itertools.combinations(blocks, 2):
        assert ga.intersection(gb).area <= 1.0, (a, b)


def test_road_stakes_are_contiguous_and_sections_meet(geojson: dict[str, Any]) -> None:
    by_route: dict[str, list[dict[str, Any]]] = {}
    for f in features(geojson, "road_section"):
        by_route.setdefault(f["properties"]["route"], []).append(f)
    assert {"G312", "G104", "S243", "S238", "S122", "S338"} <= set(by_route)
    for route, sections in by_route.items():
        sections.sort(key=lambda f: f["properties"]["from_km"])
        for f in sections:
            p = f["properties"]
            assert p["from_km"] < p["to_km"]
            coords = f["geometry"]["coordinates"]
            assert 10 <= len(coords) <= 30
            stake_km = p["to_km"] - p["from_km"]
            assert abs(geography.length_km(shape(f["geometry"])) - stake_km) <= 0.15 * stake_km, p["name"]
        for a, b in itertools.pairwise(sections):
            assert a["properties"]["to_km"] == b["properties"]["from_km"], route
            assert a["geometry"]["coordinates"][-1] == b["geometry"]["coordinates"][0], route
    g312 = by_route["G312"]
    assert g312[0]["properties"]["from_km"] == 1150
    assert {f["properties"]["unit"] for f in g312} == {"ZJ-RD1", "ZJ-RD2"}


def test_water_and_ports(geojson: dict[str, Any], units: dict[str, dict[str, str]]) -> None:
    for f in features(geojson, "waterway_section") + features(geojson, "port_area"):
        unit = units[f["properties"]["unit"]]
        assert unit["kind"] == "strip_brigade"
        assert unit["line"] == ("water" if f["properties"]["kind"] == "waterway_section" else "port")
    names = {f["properties"]["name"] for f in features(geojson, "port_area")}
    assert names == {"大港港区", "高资港区", "谏壁港区", "龙门港区"}
    yangtze = unary_union([shape(f["geometry"]) for f in features(geojson, "waterway_section")
                           if f["geometry"]["type"] == "Polygon"])
    assert yangtze.contains(Point(119.45, 32.242))  # the main channel north of the city centre


# --- registry -------------------------------------------------------------------------------------


def _valid_owner(owner: str) -> bool:
    return uscc.is_valid(owner) or ric.is_valid(owner)


def test_enterprises(files: dict[str, Path]) -> None:
    rows = read_csv(files["enterprises"])
    blocks = unary_union(list(geography.block_polygons().values()))
    assert len({r["uscc"] for r in rows}) == len(rows)
    assert len({r["name"] for r in rows}) == len(rows)
    for r in rows:
        assert uscc.is_valid(r["uscc"]), r["uscc"]
        assert r["uscc"][2:6] == "3211"
        assert blocks.contains(Point(float(r["lon"]), float(r["lat"])))
    assert {r["business"] for r in rows} >= {"taxi", "ride_hailing", "bus", "freight", "repair", "driving_school"}
    assert any(r["licence_expiry"] and r["licence_expiry"] < "2026-01-01" for r in rows)


def test_vehicles(files: dict[str, Path]) -> None:
    rows = read_csv(files["vehicles"])
    keys = [(r["plate"], r["plate_color"]) for r in rows]
    assert len(set(keys)) == len(keys)
    numbers = Counter(r["plate"] for r in rows)
    assert any(n > 1 for n in numbers.values())  # the same number in two colours
    for r in rows:
        assert PLATE_RE.match(r["plate"]), r["plate"]
        assert r["owner"] == "" or _valid_owner(r["owner"]), r["owner"]
        assert r["cert_status"] in ("valid", "suspended", "revoked", "none")
        assert (r["cert_no"] == "") == (r["cert_status"] == "none")
        if r["plate"].endswith("挂"):
            assert (r["vehicle_type"], r["plate_color"]) == ("trailer", "yellow")
        if r["plate_color"] == "green":
            assert re.match(r"^苏L[DF]", r["plate"])
        if r["plate_color"] == "yellow_green":
            assert re.match(r"^苏L[0-9]{5}[DF]$", r["plate"])
        axles = int(r["axles"])
        assert 2 <= axles <= 6 and (axles == 2 or r["vehicle_type"] in ("truck", "tractor", "trailer", "bus", "coach"))
    assert {r["plate_color"] for r in rows} == {"blue", "yellow", "green", "yellow_green"}


def test_vessels(files: dict[str, Path]) -> None:
    rows = read_csv(files["vessels"])
    assert len({r["mmsi"] for r in rows}) == len(rows)
    foreign = [r for r in rows if r["mmsi"][:3] not in ("412", "413", "414")]
    assert 0.03 <= len(foreign) / len(rows) <= 0.2
    for r in rows:
        assert re.fullmatch(r"\d{9}", r["mmsi"])
        assert r["ship_type"] in ("cargo", "tanker", "passenger", "tug", "dredger", "fishing")
        assert r["owner"] == "" or _valid_owner(r["owner"])
        for cert in filter(None, r["certificates"].split(";")):
            kind, number, expiry = cert.split(":")
            assert kind and number and re.fullmatch(r"\d{4}-\d{2}-\d{2}", expiry)


def test_persons(files: dict[str, Path]) -> None:
    rows = read_csv(files["persons"])
    assert Counter(r["id_type"] for r in rows).most_common(1)[0][0] == "resident_id"
    patterns = {
        "hk_macau_permit": r"H\d{8}",
        "taiwan_permit": r"\d{8}",
        "passport": r"[A-Z]\d{8}",
        "foreign_permanent_residence": r"[A-Z]{3}\d{12}",
    }
    for r in rows:
        if r["id_type"] == "resident_id":
            assert ric.is_valid(r["id_number"]), r["id_number"]
        else:
            assert re.fullmatch(patterns[r["id_type"]], r["id_number"])


def test_sites(files: dict[str, Path]) -> None:
    rows = read_csv(files["sites"])
    assert len({r["code"] for r in rows}) == len(rows)
    types = Counter(r["site_type"] for r in rows)
    assert types["service_point"] == 86
    assert types["airport"] == 0  # 常州机场 is not in Zhenjiang
    assert {"railway_station", "bus_station", "port_terminal", "driving_school"} <= set(types)
    assert {r["name"] for r in rows} >= {"镇江站", "镇江南站", "丹阳站", "句容站", "镇江汽车客运站"}
    blocks = unary_union(list(geography.block_polygons().values()))
    for r in rows:
        assert blocks.contains(Point(float(r["lon"]), float(r["lat"]))), r["name"]


def test_permits_name_existing_heavy_vehicles(files: dict[str, Path]) -> None:
    vehicles = {(v["plate"], v["plate_color"]): v for v in read_csv(files["vehicles"])}
    permits = read_csv(files["permits"])
    assert permits and len({p["permit_no"] for p in permits}) == len(permits)
    for p in permits:
        vehicle = vehicles[(p["plate"], p["plate_color"])]
        assert vehicle["vehicle_type"] in ("truck", "tractor")
        assert p["valid_from"] < p["valid_to"]
        assert re.fullmatch(r"[GS]\d{3} K\d+—K\d+(；[GS]\d{3} K\d+—K\d+)?", p["route"])


# --- devices --------------------------------------------------------------------------------------


def test_devices(files: dict[str, Path], tmp_path: Path) -> None:
    rows = read_csv(files["devices"])
    assert Counter(r["kind"] for r in rows) == {"wim": 12, "camera": 20, "ais_receiver": 4, "checkpoint": 3}
    assert len({r["code"] for r in rows}) == len(rows)
    keys = [r["api_key"] for r in rows]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"demo-[a-z0-9-]+-[0-9a-f]{16}", k) and len(k) >= 16 for k in keys)
    # The keys are a function of the seed: the same for any scale, others for another seed.
    assert read_csv(generate(tmp_path / "big", scale=0.1)["devices"]) == rows
    other = read_csv(generate(tmp_path / "other", seed=7, scale=SMALL)["devices"])
    assert [r["code"] for r in other] == [r["code"] for r in rows]
    assert not {r["api_key"] for r in other} & set(keys)

    sections = [(f.route, f.from_km, f.to_km, geography.to_utm(f.geometry)) for f in geography.road_sections()]
    channel = geography.yangtze_channel()
    channel_utm = geography.to_utm(channel)
    hubs = {(r["name"], float(r["lon"]), float(r["lat"])) for r in read_csv(files["sites"])
            if r["site_type"] in ("railway_station", "bus_station")}
    at_zhenjiang_station = 0
    for r in rows:
        point = Point(float(r["lon"]), float(r["lat"]))
        if r["kind"] == "wim":  # on its road, at its stake
            stake = re.match(r"^([GS]\d{3}) K(\d+)\+\d{3} ", r["name"])
            assert stake, r["name"]
            route, km = stake.groups()
            on = [s for s in sections if s[0] == route and s[1] <= int(km) < s[2]]
            assert on and on[0][3].distance(geography.to_utm(point)) < 1.0, r["code"]
            assert r["accuracy_pct"] in ("", "3", "5")
        if r["kind"] == "camera":
            near = [name for name, lon, lat in hubs
                    if geography.to_utm(point).distance(geography.to_utm(Point(lon, lat))) <= 300]
            at_zhenjiang_station += "镇江站" in near
            assert geography.block_at(point.x, point.y) and not channel.contains(point)
        if r["kind"] in ("ais_receiver", "checkpoint"):  # routed to the water brigade: within 300 m
            assert channel_utm.distance(geography.to_utm(point)) <= 300, r["code"]
        if r["kind"] == "checkpoint":
            line = shape({"type": "LineString", "coordinates": [
                [float(v) for v in xy.split()] for xy in r["crossing_line"].removeprefix("LINESTRING (")[:-1].split(",")
            ]})
            (x0, y0), (x1, y1) = line.coords
            assert x0 == x1 and y0 < y1  # north–south
            assert not channel.contains(Point(x0, y0)) and not channel.contains(Point(x1, y1))
            assert geography.to_utm(line.intersection(channel)).length > 1400  # across the 1.5 km channel
        else:
            assert r["crossing_line"] == ""
    assert at_zhenjiang_station >= 3
    hub_cameras = sum(1 for r in rows if r["kind"] == "camera" and any(
        geography.to_utm(Point(float(r["lon"]), float(r["lat"]))).distance(geography.to_utm(Point(lon, lat))) <= 300
        for _, lon, lat in hubs))
    assert hub_cameras == 9

    # Evidence grade: most devices usable, a few not (not reviewed, not published, not verified).
    unusable = {r["code"] for r in rows if not r["legal_review_date"] or r["publicly_listed"] != "true"
                or (r["kind"] == "wim" and (not r["verified_until"] or r["verified_until"] < "2026-01-01"))}
    assert 3 <= len(unusable) <= 6
    assert any(r["kind"] == "wim" and r["verified_until"] and r["verified_until"] < "2026-01-01" for r in rows)
    assert any(r["kind"] == "wim" and not r["verified_until"] for r in rows)
    assert any(not r["legal_review_date"] for r in rows)
    assert any(r["legal_review_date"] and r["publicly_listed"] == "false" for r in rows)


# --- the files go through the project's own importers ---------------------------------------------


def test_the_generated_files_import_cleanly(tmp_path: Path, files: dict[str, Path]) -> None:
    import zhifa.catalog.models
    import zhifa.jurisdiction.models
    import zhifa.models
    import zhifa.org.models
    import zhifa.registry.models  # noqa: F401  (register every table)
    from zhifa.core.audit import SYSTEM
    from zhifa.core.db import Base, make_engine, session_scope
    from zhifa.imports import run_import

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    Base.metadata.create_all(engine)
    order = ["units", "officers", "jurisdiction", "duties", "items", "party_branches"]
    entities = ["enterprises", "vehicles", "vessels", "persons", "sites", "permits"]
    try:
        for name in order + entities:
            what = "entities" if name in entities else name
            with session_scope(engine) as session:
                run_import(session, SYSTEM, what, files[name])
    finally:
        engine.dispose()


# --- full scale -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_full_scale_counts_and_speed(tmp_path: Path) -> None:
    started = time.perf_counter()
    files = generate(tmp_path, scale=1.0)
    assert time.perf_counter() - started < 20
    counts = {name: len(read_csv(path)) for name, path in files.items() if path.suffix == ".csv"}
    assert counts["duties"] == 191
    assert counts["party_branches"] == 20
    assert counts["officers"] == 200
    assert counts["enterprises"] == 5000
    assert counts["vehicles"] == 50000
    assert counts["vessels"] == 2000
    assert counts["persons"] == 500
    assert counts["permits"] == 200
    assert counts["devices"] == 39  # not scaled
    sites = read_csv(files["sites"])
    assert sum(s["site_type"] == "service_point" for s in sites) == 86
    units = read_csv(files["units"])
    assert sum(u["kind"] == "command_center" for u in units) == 1
    vehicles = read_csv(files["vehicles"])
    assert all(PLATE_RE.match(v["plate"]) for v in vehicles)
    assert len({(v["plate"], v["plate_color"]) for v in vehicles}) == len(vehicles)
    assert all(uscc.is_valid(e["uscc"]) for e in read_csv(files["enterprises"]))
