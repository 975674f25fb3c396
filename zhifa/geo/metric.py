"""A local metric projection for distances in metres.

A transverse Mercator centred on the data (scale 1 on the central meridian) keeps the scale
error below 1e-4 within ±100 km of the centre, i.e. under 5 mm on a 50 m snapping distance;
it works wherever the jurisdiction is, unlike one fixed UTM zone (EPSG:32650 covers 114–120° E).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import Transformer


class LocalProjection:
    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        proj = f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
        self._fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        self._inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def forward(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        return self._fwd.transform(lon, lat)

    def inverse(self, x: Any, y: Any) -> tuple[Any, Any]:
        return self._inv.transform(x, y)

    def forward_arrays(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fwd.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
        return np.asarray(x), np.asarray(y)
