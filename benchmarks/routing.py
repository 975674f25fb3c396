"""Routing benchmark: 10,000 points over 5,000 road sections and 4 blocks.

Reports, from one run on the same data:
* points/s of ``Router.route_points`` with full answers (one core);
* the same points through a bare shapely STRtree query (nearest road section within 50 m, then
  the containing block) — the raw limit of the geometry engine — and our ratio to it;
* PostGIS doing the same with one set query (``ST_DWithin`` + ``ST_Contains`` in a metric SRID,
  GiST indexes, warm cache), and our speed-up over it (skipped with a notice when PostGIS is not
  installed; ``scripts/bench-setup.sh`` installs Debian's ``postgresql-15-postgis-3``).

Usage: ``.venv/bin/python benchmarks/routing.py [--points N] [--sections N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import time
import uuid
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, box

from zhifa.jurisdiction.router import Feature, Router, UnitInfo

PG_ADMIN = os.environ.get("ZHIFA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AREA = (119.0, 31.8, 119.9, 32.3)  # roughly Zhenjiang's extent


def build_map(n_sections: int, seed: int = 20261129) -> tuple[list[Feature], list[UnitInfo]]:
    """Routes of 50 sections each (≈ 1 km apiece, gently turning), 20 road brigades, 4 blocks."""
    rng = np.random.default_rng(seed)
    units = [UnitInfo("CC", "指挥中心", "command_center")]
    units += [UnitInfo(f"RD{u:02d}", f"路政{u + 1}大队", "strip_brigade", "road") for u in range(20)]
    feats: list[Feature] = []
    per_route = 50
    for r in range(max(1, n_sections // per_route)):
        x, y = rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])
        heading = rng.uniform(0, 2 * np.pi)
        for s in range(per_route):
            pts = [(x, y)]
            for _ in range(4):  # 4 segments of ≈ 250 m
                heading += rng.normal(0, 0.15)
                x += 0.0025 * np.cos(heading) * 1.06
                y += 0.0025 * np.sin(heading) * 0.9
                pts.append((x, y))
            feats.append(
                Feature(
                    "road_section",
                    f"RD{(r * per_route + s) % 20:02d}",
                    f"G{100 + r} 第{s + 1}段",
                    LineString(pts),
                    route=f"G{100 + r}",
                    from_km=Decimal(s),
                    to_km=Decimal(s + 1),
                )
            )
    xs = np.linspace(AREA[0], AREA[2], 5)
    for i in range(4):
        units.append(UnitInfo(f"BK{i}", f"第{i + 1}执法板块大队", "block_brigade"))
        feats.append(Feature("block", f"BK{i}", f"板块{i + 1}", box(xs[i], AREA[1], xs[i + 1], AREA[3])))
    return feats, units


def points(n: int, feats: list[Feature], seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Half the points near roads (within ≈ 80 m of a section), half anywhere in the area."""
    rng = np.random.default_rng(seed)
    roads = [f.geometry for f in feats if f.kind == "road_section"]
    near = n // 2
    picks = rng.integers(0, len(roads), near)
    base = shapely.line_interpolate_point(
        np.array(roads, dtype=object)[picks], rng.uniform(0, 1, near), normalized=True
    )
    bx, by = shapely.get_x(base), shapely.get_y(base)
    lon = np.concatenate([bx + rng.normal(0, 0.0005, near), rng.uniform(AREA[0], AREA[2], n - near)])
    lat = np.concatenate([by + rng.normal(0, 0.0004, near), rng.uniform(AREA[1], AREA[3], n - near)])
    return lon, lat


def best_of(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def bare_strtree(router: Router, lon: np.ndarray, lat: np.ndarray) -> Any:
    """The raw engine: project, nearest road geometry within 50 m, containing block for the rest."""
    layer, blocks = router.layers["road"], router.blocks
    x, y = router.proj.forward_arrays(lon, lat)
    pts = shapely.points(x, y)
    hit = layer.tree.query_nearest(pts, max_distance=router.distances.road_m, all_matches=False)
    rest = np.setdiff1d(np.arange(len(pts)), hit[0])
    inside = blocks.tree.query(pts[rest], predicate="intersects")
    return len(hit[0]), len(inside[0])


def bare_dwithin(router: Router, lon: np.ndarray, lat: np.ndarray) -> Any:
    """The barest query: every (point, road) pair within 50 m, nothing chosen, no blocks."""
    x, y = router.proj.forward_arrays(lon, lat)
    return router.layers["road"].tree.query(shapely.points(x, y), predicate="dwithin", distance=50.0)


def postgis(feats: list[Feature], lon: np.ndarray, lat: np.ndarray, repeat: int) -> dict[str, Any]:
    try:
        import psycopg
    except ImportError:
        return {"skipped": "psycopg not installed"}
    name = f"zhifa_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as exc:
        return {"skipped": f"PostgreSQL not reachable: {exc}"}
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as con:
            try:
                con.execute("CREATE EXTENSION postgis")
            except Exception as exc:
                return {"skipped": f"PostGIS not installed ({exc}); run scripts/bench-setup.sh"}
            con.execute("CREATE TABLE road_in (id int, unit text, geom geometry(LineString, 4326))")
            con.execute("CREATE TABLE block_in (id int, unit text, geom geometry(Polygon, 4326))")
            con.execute("CREATE TABLE pt_in (id int, geom geometry(Point, 4326))")
            with con.cursor() as cur:
                with cur.copy("COPY road_in (id, unit, geom) FROM STDIN") as cp:
                    for i, f in enumerate(feats):
                        if f.kind == "road_section":
                            cp.write_row((i, f.unit_code, f"SRID=4326;{f.geometry.wkt}"))
                with cur.copy("COPY block_in (id, unit, geom) FROM STDIN") as cp:
                    for i, f in enumerate(feats):
                        if f.kind == "block":
                            cp.write_row((i, f.unit_code, f"SRID=4326;{f.geometry.wkt}"))
                with cur.copy("COPY pt_in (id, geom) FROM STDIN") as cp:
                    for i, (a, b) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True)):
                        cp.write_row((i, f"SRID=4326;POINT({a} {b})"))
            # Into a metric SRID (UTM 50N, EPSG:32650) so that ST_DWithin takes metres.
            for t in ("road", "block", "pt"):
                cols = "id, unit" if t != "pt" else "id"
                con.execute(f"CREATE TABLE {t} AS SELECT {cols}, ST_Transform(geom, 32650) AS geom FROM {t}_in")
            con.execute("CREATE INDEX ON road USING gist (geom)")
            con.execute("CREATE INDEX ON block USING gist (geom)")
            con.execute("CREATE INDEX ON pt USING gist (geom)")
            con.execute("VACUUM ANALYZE road")
            con.execute("VACUUM ANALYZE block")
            con.execute("VACUUM ANALYZE pt")
            sql = """
                SELECT p.id, COALESCE(r.unit, b.unit, 'CC') AS unit
                FROM pt p
                LEFT JOIN LATERAL (
                    SELECT unit FROM road
                    WHERE ST_DWithin(road.geom, p.geom, 50)
                    ORDER BY ST_Distance(road.geom, p.geom), unit LIMIT 1
                ) r ON true
                LEFT JOIN LATERAL (
                    SELECT unit FROM block
                    WHERE r.unit IS NULL AND ST_Contains(block.geom, p.geom)
                    ORDER BY unit LIMIT 1
                ) b ON true
            """
            con.execute(sql).fetchall()  # warm the cache
            t, rows = best_of(lambda: con.execute(sql).fetchall(), repeat)
            version = con.execute("SELECT postgis_lib_version()").fetchone()
            return {
                "seconds": t,
                "points_per_s": len(rows) / t,
                "rows": len(rows),
                "units": dict(rows),
                "postgis": version[0] if version else None,
            }
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--sections", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-postgis", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()

    feats, units = build_map(args.sections)
    n_sections = sum(f.kind == "road_section" for f in feats)
    t0 = time.perf_counter()
    router = Router(feats, units)
    build_s = time.perf_counter() - t0
    lon, lat = points(args.points, feats)
    router.route_points("road.overload", lon[:100], lat[:100])  # warm-up

    ours_s, answers = best_of(lambda: router.route_points("road.overload", lon, lat), args.repeat)
    bare_s, _ = best_of(lambda: bare_strtree(router, lon, lat), args.repeat)
    floor_s, _ = best_of(lambda: bare_dwithin(router, lon, lat), args.repeat)
    modes: dict[str, int] = {}
    for a in answers:
        modes[a.mode] = modes.get(a.mode, 0) + 1
    # Full answers, serialised: what the batch API returns.
    ser_s, _ = best_of(lambda: [a.as_dict() for a in answers], args.repeat)

    # Single routings, as the API's one-point path does them.
    singles = []
    from zhifa.jurisdiction.router import PointAt

    for i in range(2000):
        t = time.perf_counter()
        router.route("road.overload", PointAt(float(lon[i]), float(lat[i])))
        singles.append(time.perf_counter() - t)
    singles.sort()

    pg = {"skipped": "--no-postgis"} if args.no_postgis else postgis(feats, lon, lat, max(3, args.repeat // 2))
    agree = None
    if "units" in pg:
        ours = {i: a.unit for i, a in enumerate(answers)}
        agree = sum(ours[i] == u for i, u in pg["units"].items()) / len(ours)

    fig = {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores",
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "points": args.points,
        "road_sections": n_sections,
        "blocks": 4,
        "router_build_s": round(build_s, 3),
        "ours_points_per_s": round(args.points / ours_s),
        "ours_ms": round(ours_s * 1000, 2),
        "as_dict_ms": round(ser_s * 1000, 2),
        "bare_strtree_points_per_s": round(args.points / bare_s),
        "bare_strtree_ms": round(bare_s * 1000, 2),
        "ratio_to_bare_strtree": round(bare_s / ours_s, 3),
        "bare_dwithin_only_ms": round(floor_s * 1000, 2),
        "ratio_to_bare_dwithin_only": round(floor_s / ours_s, 3),
        "single_route_p50_us": round(singles[len(singles) // 2] * 1e6, 1),
        "single_route_p95_us": round(singles[int(len(singles) * 0.95)] * 1e6, 1),
        "modes": modes,
    }
    if "seconds" in pg:
        fig |= {
            "postgis_version": pg["postgis"],
            "postgis_points_per_s": round(pg["points_per_s"]),
            "postgis_ms": round(pg["seconds"] * 1000, 1),
            "speedup_over_postgis": round(pg["seconds"] / ours_s, 1),
            "agreement_with_postgis": round(agree or 0, 4),
        }
    else:
        fig["postgis"] = pg.get("skipped")
    width = max(len(k) for k in fig)
    for k, v in fig.items():
        print(f"{k:<{width}}  {v}")
    if args.json:
        print(json.dumps(fig, ensure_ascii=False))
    _ = statistics  # (kept for ad-hoc analysis)


if __name__ == "__main__":
    main()
