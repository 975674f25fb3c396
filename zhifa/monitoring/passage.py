"""Ship passage ↔ AIS matching at a checkpoint (pure: no database, no clock).

A checkpoint camera records a passage at time *t*. AIS tells which vessels crossed the
checkpoint's crossing line around *t*:

1. :func:`crossings` turns each vessel's position fixes into crossing events: consecutive fixes
   no more than ``max_gap_s`` apart are joined by a straight segment (linear interpolation in
   a local metric projection), and the segment counts when it comes within ``buffer_m`` of the
   line. A run of consecutive segments that stay near the line is one *visit*: each true
   intersection with the line inside a visit is a crossing (a ship that turns round crosses
   twice); a visit that never touches the line itself (it passes beside the end of the line)
   gives one crossing at its point nearest the line. A lone fix (no neighbour within the gap)
   lying inside the buffer is a crossing at that fix's time.
2. :func:`decide_passage` links the passage to the one vessel that crossed within ±``window_s``,
   or reports ``ambiguous`` (two or more vessels: a person decides) or ``dark`` (none: a vessel
   without AIS, the ``ais_dark`` lead). The passage's direction is not used for matching.
3. :func:`decidable` says when that decision may be taken: windows are in event time, so only
   once the AIS stream's watermark has moved past *t* + window + allowed lateness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from zhifa.core.clock import ensure_aware
from zhifa.geo.metric import LocalProjection
from zhifa.sensing.ais import Fix

__all__ = [
    "DEFAULT_BUFFER_M",
    "DEFAULT_LATENESS_S",
    "DEFAULT_MAX_GAP_S",
    "DEFAULT_WINDOW_S",
    "Crossing",
    "PassageDecision",
    "crossings",
    "decidable",
    "decide_passage",
]

DEFAULT_BUFFER_M = 50.0
DEFAULT_MAX_GAP_S = 600.0  # interpolate only between fixes at most 10 min apart
DEFAULT_WINDOW_S = 120.0  # a passage and a crossing match within ±120 s
DEFAULT_LATENESS_S = 60.0  # allowed lateness of AIS events behind the watermark

Outcome = Literal["linked", "ambiguous", "dark"]


@dataclass(frozen=True, slots=True)
class Crossing:
    """A vessel at the crossing line: ``time`` interpolated, ``lon``/``lat`` (WGS-84) the point
    of its track at that time; ``fix_before``/``fix_after`` the times of the fixes it was
    interpolated between (equal for a lone fix)."""

    mmsi: str
    time: datetime
    lon: float
    lat: float
    fix_before: datetime
    fix_after: datetime


@dataclass(frozen=True, slots=True)
class _Segment:
    before: Fix
    after: Fix
    start: tuple[float, float]
    end: tuple[float, float]
    distance: float

    @property
    def geometry(self) -> LineString:
        return LineString([self.start, self.end])


def _times(fix: Fix) -> datetime:
    assert fix.time is not None
    return fix.time


class _Line:
    """The crossing line in metres (a transverse Mercator centred on it)."""

    def __init__(self, line: BaseGeometry) -> None:
        minx, miny, maxx, maxy = line.bounds
        self.projection = LocalProjection((minx + maxx) / 2, (miny + maxy) / 2)

        def forward(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(self.projection.forward_arrays(coords[:, 0], coords[:, 1]))

        # Any line-like geometry works (a MultiLineString for a checkpoint with two arms).
        self.metric = shapely.transform(line, forward)

    def crossing(self, seg: _Segment, point: Point) -> Crossing:
        geom = seg.geometry
        fraction = geom.project(point) / geom.length if geom.length > 0 else 0.0
        t0, t1 = _times(seg.before), _times(seg.after)
        at = t0 + (t1 - t0) * fraction
        # The track point at that time (for a collinear overlap the point is on both).
        x0, y0 = seg.start
        x1, y1 = seg.end
        lon, lat = self.projection.inverse(x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction)
        return Crossing(seg.before.mmsi, at, float(lon), float(lat), t0, t1)

    def intersections(self, seg: _Segment) -> list[Point]:
        """Where the segment meets the line, ordered along the segment."""
        if seg.distance > 0:
            return []
        geom = seg.geometry
        hit = geom.intersection(self.metric)
        points: list[Point] = []
        for part in getattr(hit, "geoms", [hit]):
            if part.is_empty:
                continue
            # A collinear overlap (a LineString) is entered at its point nearest the start.
            coords = list(part.coords)
            points.append(min((Point(c) for c in coords), key=geom.project))
        if not points and not geom.length:
            points.append(Point(seg.start))
        return sorted(points, key=geom.project)


def crossings(
    fixes: Sequence[Fix],
    line: LineString | MultiLineString,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> list[Crossing]:
    """Crossing events of the vessels in ``fixes`` at ``line`` (WGS-84 lon/lat), sorted by time
    then MMSI; see the module docstring. Fixes without a time are ignored; a MultiLineString
    (a checkpoint with several arms) works too."""
    geo = _Line(line)
    timed: list[Fix] = []
    for fix in fixes:
        if fix.time is not None:
            ensure_aware(fix.time)
            timed.append(fix)
    timed.sort(key=lambda f: (f.mmsi, _times(f)))
    # Two fixes of one vessel at the same time give no segment (no direction, no speed): keep
    # the first, so the fixes around it still join up.
    track = [f for i, f in enumerate(timed) if i == 0 or (f.mmsi, f.time) != (timed[i - 1].mmsi, timed[i - 1].time)]
    n = len(track)
    if not n:
        return []

    # All vessels at once, vectorised: fix i and fix i + 1 are joined when they belong to the
    # same vessel and are at most max_gap_s apart.
    x, y = geo.projection.forward_arrays(
        np.fromiter((f.lon for f in track), float, n), np.fromiter((f.lat for f in track), float, n)
    )
    seconds = np.fromiter((_times(f).timestamp() for f in track), float, n)
    same = np.fromiter((track[i].mmsi == track[i + 1].mmsi for i in range(n - 1)), bool, n - 1)
    linked = same & (np.diff(seconds) <= max_gap_s)

    result: list[Crossing] = []
    # Lone fixes (no segment on either side) reported inside the buffer.
    joined = np.zeros(n, dtype=bool)
    joined[:-1] |= linked
    joined[1:] |= linked
    lone = np.flatnonzero(~joined)
    if lone.size:
        inside = shapely.distance(shapely.points(x[lone], y[lone]), geo.metric) <= buffer_m
        for i in lone[inside].tolist():
            fix = track[i]
            t = _times(fix)
            result.append(Crossing(fix.mmsi, t, fix.lon, fix.lat, t, t))

    idx = np.flatnonzero(linked)
    if idx.size:
        coords = np.stack([np.column_stack([x[idx], y[idx]]), np.column_stack([x[idx + 1], y[idx + 1]])], axis=1)
        distances = shapely.distance(shapely.linestrings(coords), geo.metric)
        near = distances <= buffer_m
        # Visits: runs of consecutive near segments (segment i and i + 1 share fix i + 1, so
        # they belong to the same vessel).
        visit: list[_Segment] = []
        previous = -2
        for i, d in zip(idx[near].tolist(), distances[near].tolist(), strict=True):
            if i != previous + 1 and visit:
                result.extend(_visit_crossings(visit, geo))
                visit = []
            start, end = (float(x[i]), float(y[i])), (float(x[i + 1]), float(y[i + 1]))
            visit.append(_Segment(track[i], track[i + 1], start, end, d))
            previous = i
        if visit:
            result.extend(_visit_crossings(visit, geo))

    result.sort(key=lambda c: (c.time, c.mmsi))
    return result


def _visit_crossings(visit: list[_Segment], geo: _Line) -> list[Crossing]:
    found: list[Crossing] = []
    for seg in visit:
        for point in geo.intersections(seg):
            crossing = geo.crossing(seg, point)
            # A fix exactly on the line ends one segment and starts the next: count it once.
            if not found or crossing.time != found[-1].time:
                found.append(crossing)
    if found:
        return found
    nearest = min(visit, key=lambda s: s.distance)  # first of equals: the earliest
    point = nearest_points(nearest.geometry, geo.metric)[0]
    return [geo.crossing(nearest, point)]


@dataclass(frozen=True, slots=True)
class PassageDecision:
    """``linked``: exactly one vessel crossed within the window (``candidates`` holds its
    crossing nearest in time); ``ambiguous``: several did (each vessel's nearest crossing,
    sorted by |Δt| then MMSI); ``dark``: none did (``candidates`` empty)."""

    outcome: Outcome
    candidates: tuple[Crossing, ...]
    window_s: float

    @property
    def mmsi(self) -> str | None:
        """The linked vessel's MMSI; ``None`` unless ``linked``."""
        return self.candidates[0].mmsi if self.outcome == "linked" else None


def decide_passage(
    passage_time: datetime, crossings: Sequence[Crossing], window_s: float = DEFAULT_WINDOW_S
) -> PassageDecision:
    """Match a checkpoint passage to the AIS crossings within ±``window_s`` (inclusive).
    One vessel crossing twice in the window is one candidate."""
    ensure_aware(passage_time)
    window = timedelta(seconds=window_s)
    nearest: dict[str, tuple[timedelta, Crossing]] = {}
    for crossing in crossings:
        delta = abs(crossing.time - passage_time)
        if delta > window:
            continue
        best = nearest.get(crossing.mmsi)
        if best is None or delta < best[0] or (delta == best[0] and crossing.time < best[1].time):
            nearest[crossing.mmsi] = (delta, crossing)
    ranked = tuple(c for _, c in sorted(nearest.values(), key=lambda dc: (dc[0], dc[1].mmsi)))
    outcome: Outcome = "dark" if not ranked else "linked" if len(ranked) == 1 else "ambiguous"
    return PassageDecision(outcome, ranked, window_s)


def decidable(
    passage_time: datetime,
    watermark: datetime,
    window_s: float = DEFAULT_WINDOW_S,
    lateness_s: float = DEFAULT_LATENESS_S,
) -> bool:
    """True once the AIS event-time watermark has moved past (strictly after) passage_time +
    window + allowed lateness: no crossing that could still match is expected any more."""
    ensure_aware(passage_time)
    ensure_aware(watermark)
    return watermark > passage_time + timedelta(seconds=window_s + lateness_s)
