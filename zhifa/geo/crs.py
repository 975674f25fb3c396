"""WGS-84 and GCJ-02 (the obfuscated datum Chinese map vendors use: AMap, Tencent).

Everything is stored in WGS-84. A point declared GCJ-02 is converted with prcoords' iterative
inverse, which is exact to well under a millimetre (the closed-form inverse is off by ~1.5 m).
Outside mainland China GCJ-02 equals WGS-84 (the offset is only applied inside).
"""

from __future__ import annotations

import math

import prcoords

CRS_NAMES = ("wgs84", "gcj02")


class CoordinateError(ValueError):
    pass


def check_lon_lat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CoordinateError("coordinates must be finite numbers")
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError(f"longitude {lon} outside −180..180 (give longitude first)")
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(f"latitude {lat} outside −90..90 (give longitude first)")


def normalise_crs(crs: str | None) -> str:
    name = (crs or "wgs84").strip().lower().replace("-", "").replace("_", "")
    aliases = {"wgs84": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "gcj02": "gcj02", "gcj": "gcj02"}
    if name not in aliases:
        raise CoordinateError(f"unknown CRS {crs!r}; use wgs84 or gcj02")
    return aliases[name]


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.gcj_wgs_bored((lat, lon), check_china=True)
    return float(c.lon), float(c.lat)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.wgs_gcj((lat, lon), check_china=True)
    return float(c.lon), float(c.lat)


def to_wgs84(lon: float, lat: float, crs: str | None) -> tuple[float, float]:
    check_lon_lat(lon, lat)
    if normalise_crs(crs) == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    return lon, lat
