"""Validation of a jurisdiction GeoJSON file (pure): every error is reported per feature, and a
file with any error imports nothing. The format is documented in ``docs/import-formats.md``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from zhifa.core.errors import ItemError
from zhifa.geo.metric import LocalProjection
from zhifa.geo.stake import StakeError, to_decimal_km
from zhifa.jurisdiction.router import Feature

FEATURE_KINDS = ("road_section", "waterway_section", "port_area", "block")
ALLOWED_TYPES = {
    "road_section": ("LineString", "MultiLineString"),
    "waterway_section": ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
    "port_area": ("Polygon", "MultiPolygon"),
    "block": ("Polygon", "MultiPolygon"),
}
#: Two blocks may share an edge; sharing more than this area (m²) is an overlap.
OVERLAP_TOLERANCE_M2 = 1.0


def parse_jurisdiction(doc: Any, unit_codes: Mapping[str, str]) -> tuple[list[Feature], list[ItemError]]:
    """Check a FeatureCollection; ``unit_codes`` maps existing unit codes to their kinds."""
    errors: list[ItemError] = []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return [], [ItemError("file", "not a GeoJSON FeatureCollection")]
    raw = doc.get("features")
    if not isinstance(raw, list) or not raw:
        return [], [ItemError("file", "the FeatureCollection has no features")]
    features: list[Feature] = []
    for n, item in enumerate(raw, start=1):
        f = _parse_one(n, item, unit_codes, errors)
        if f is not None:
            features.append(f)
    errors.extend(_check_blocks(features))
    errors.extend(_check_stakes(features))
    return features, errors


def _where(n: int, name: str | None) -> str:
    return f"feature {n}" + (f" ({name})" if name else "")


def _parse_one(n: int, item: Any, unit_codes: Mapping[str, str], errors: list[ItemError]) -> Feature | None:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        errors.append(ItemError(f"feature {n}", "not a GeoJSON Feature"))
        return None
    props = item.get("properties") or {}
    if not isinstance(props, dict):
        errors.append(ItemError(f"feature {n}", "properties must be an object"))
        return None
    name = str(props.get("name") or "").strip()
    where = _where(n, name)
    before = len(errors)
    kind = str(props.get("kind") or "").strip()
    unit = str(props.get("unit") or "").strip()
    if kind not in FEATURE_KINDS:
        errors.append(ItemError(where, f"unknown kind {kind!r}; one of {', '.join(FEATURE_KINDS)}", "kind"))
    if not name:
        errors.append(ItemError(where, "name is empty", "name"))
    if not unit:
        errors.append(ItemError(where, "unit is empty", "unit"))
    elif unit not in unit_codes:
        errors.append(ItemError(where, f"unknown unit {unit!r}", "unit"))
    elif unit_codes[unit] == "external_authority":
        errors.append(ItemError(where, f"unit {unit} is an external authority and owns no jurisdiction", "unit"))
    route: str | None = None
    from_km = to_km = None
    if kind == "road_section":
        route = str(props.get("route") or "").strip().upper() or None
        if not route:
            errors.append(ItemError(where, "a road section needs its route (e.g. G312)", "route"))
        from_km = _km(props.get("from_km"), "from_km", where, errors)
        to_km = _km(props.get("to_km"), "to_km", where, errors)
        if from_km is not None and to_km is not None and not from_km < to_km:
            errors.append(ItemError(where, f"from_km {from_km} must be less than to_km {to_km}", "from_km"))
    geom = _geometry(item.get("geometry"), kind, where, errors)
    if len(errors) > before or geom is None:
        return None
    return Feature(
        kind=kind, unit_code=unit, name=name, geometry=geom, route=route, from_km=from_km, to_km=to_km, feature_id=n
    )


def _km(value: Any, field: str, where: str, errors: list[ItemError]) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        errors.append(ItemError(where, f"{field} is missing", field))
        return None
    try:
        d = to_decimal_km(value)
    except StakeError:
        errors.append(ItemError(where, f"{field} is not a number: {value!r}", field))
        return None
    if d < 0:
        errors.append(ItemError(where, f"{field} must not be negative", field))
        return None
    return d


def _geometry(g: Any, kind: str, where: str, errors: list[ItemError]) -> Any:
    if not isinstance(g, dict) or "type" not in g:
        errors.append(ItemError(where, "geometry is missing", "geometry"))
        return None
    gtype = g.get("type")
    allowed = ALLOWED_TYPES.get(kind)
    if allowed and gtype not in allowed:
        errors.append(ItemError(where, f"a {kind} must be {' or '.join(allowed)}, not {gtype}", "geometry"))
        return None
    coords = g.get("coordinates")
    problem = _coordinate_problem(gtype, coords)
    if problem:
        errors.append(ItemError(where, f"invalid geometry: {problem}", "geometry"))
        return None
    try:
        geom = shape(g)
    except Exception as exc:  # shapely raises several kinds for malformed input
        errors.append(ItemError(where, f"invalid geometry: {exc}", "geometry"))
        return None
    if geom.is_empty:
        errors.append(ItemError(where, "invalid geometry: empty", "geometry"))
        return None
    if not geom.is_valid:
        errors.append(ItemError(where, f"invalid geometry: {explain_validity(geom)}", "geometry"))
        return None
    if gtype in ("LineString", "MultiLineString") and geom.length == 0:
        errors.append(ItemError(where, "invalid geometry: a line of zero length", "geometry"))
        return None
    return geom


def _coordinate_problem(gtype: Any, coords: Any) -> str | None:
    def position(p: Any) -> str | None:
        if not isinstance(p, list | tuple) or len(p) < 2:
            return "a position must be [longitude, latitude]"
        lon, lat = p[0], p[1]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
            return "coordinates must be numbers"
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return "coordinates must be finite"
        if not -180 <= lon <= 180 or not -90 <= lat <= 90:
            return f"position [{lon}, {lat}] outside lon −180..180 / lat −90..90 (longitude first, WGS-84)"
        return None

    def line(ps: Any) -> str | None:
        if not isinstance(ps, list) or len(ps) < 2:
            return "a line needs at least 2 positions"
        for p in ps:
            if (e := position(p)) is not None:
                return e
        return None

    def ring(ps: Any) -> str | None:
        if not isinstance(ps, list) or len(ps) < 4:
            return "a polygon ring needs at least 4 positions"
        if (e := line(ps)) is not None:
            return e
        if list(ps[0][:2]) != list(ps[-1][:2]):
            return "a polygon ring must be closed (first position = last)"
        return None

    def polygon(rs: Any) -> str | None:
        if not isinstance(rs, list) or not rs:
            return "a polygon needs at least one ring"
        for r in rs:
            if (e := ring(r)) is not None:
                return e
        return None

    checks = {"LineString": line, "Polygon": polygon}
    if gtype in checks:
        return checks[gtype](coords)
    if gtype in ("MultiLineString", "MultiPolygon"):
        if not isinstance(coords, list) or not coords:
            return f"a {gtype} needs at least one part"
        part = line if gtype == "MultiLineString" else polygon
        for c in coords:
            if (e := part(c)) is not None:
                return e
        return None
    return f"unsupported geometry type {gtype!r}"


def _check_blocks(features: list[Feature]) -> list[ItemError]:
    blocks = [f for f in features if f.kind == "block"]
    if len(blocks) < 2:
        return []
    bounds = shapely.total_bounds(np.array([b.geometry for b in blocks], dtype=object))
    proj = LocalProjection((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)

    def project(c: np.ndarray) -> np.ndarray:
        x, y = proj.forward_arrays(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    geoms = np.array([shapely.transform(b.geometry, project) for b in blocks], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    errors = []
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        area = shapely.intersection(geoms[i], geoms[j]).area
        if area > OVERLAP_TOLERANCE_M2:
            a, b = blocks[i], blocks[j]
            errors.append(
                ItemError(
                    _where(b.feature_id or 0, b.name),
                    f"block overlaps block feature {a.feature_id} ({a.name}) by {area:,.0f} m²",
                    "geometry",
                )
            )
    return errors


def _check_stakes(features: list[Feature]) -> list[ItemError]:
    by_route: dict[str, list[Feature]] = {}
    for f in features:
        if f.kind == "road_section" and f.route and f.from_km is not None and f.to_km is not None:
            by_route.setdefault(f.route, []).append(f)
    errors = []
    for route, secs in sorted(by_route.items()):
        secs.sort(key=lambda s: (s.from_km, s.to_km))
        for prev, cur in itertools.pairwise(secs):
            assert prev.to_km is not None and cur.from_km is not None
            if cur.from_km < prev.to_km:
                errors.append(
                    ItemError(
                        _where(cur.feature_id or 0, cur.name),
                        f"{route} stake range {cur.from_km}–{cur.to_km} km overlaps feature {prev.feature_id} "
                        f"({prev.name}, {prev.from_km}–{prev.to_km} km)",
                        "from_km",
                    )
                )
            elif cur.from_km > prev.to_km:
                errors.append(
                    ItemError(
                        _where(cur.feature_id or 0, cur.name),
                        f"{route} has a gap between {prev.to_km} km (end of feature {prev.feature_id}, "
                        f"{prev.name}) and {cur.from_km} km",
                        "from_km",
                    )
                )
    return errors
