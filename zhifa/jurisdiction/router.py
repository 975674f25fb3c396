""" "Who owns this?" — the pure strip/block router.

Given a matter (what happened) and a location (where), name exactly one responsible unit and say
why. No database, no web: the service builds a ``Router`` from the newest jurisdiction edition,
the units and the duty catalogue, and keeps it while they do not change. The rules are those of
``docs/routing.md``:

* A matter the duty catalogue assigns to an external authority → referral to that unit; to a
  department → that department.
* A strip matter → the section of its line where the location lies. Stake marks: the section of
  the route whose half-open range ``[from_km, to_km)`` holds the mark (the route's last section is
  closed at its end); a mark on no section → the fallback. Points: the nearest section of the
  line within its distance (roads 50 m; waterway lines 300 m; waterway polygons inside or within
  300 m; port areas inside), ties to the lowest unit code; a point on no section → the block
  containing it, else the fallback.
* A block matter → the block containing the point (boundary included; ties on a shared edge to
  the lowest unit code), else the fallback.
* The fallback is the one command center, ``outside_jurisdiction: true``.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from zhifa.geo.metric import LocalProjection
from zhifa.geo.stake import Stake, format_stake
from zhifa.org.matters import BASE_MATTERS, PREFIX_LINE, MatterDef

KIND_LINE = {"road_section": "road", "waterway_section": "water", "port_area": "port"}
KIND_ZH = {"road_section": "公路路段", "waterway_section": "航道水域", "port_area": "港区", "block": "执法板块"}
LINE_ZH = {"road": "路政", "port": "港政", "water": "水上"}
#: Distances closer than this are the same distance (ties go to the lowest unit code).
TIE_M = 1e-3


class RoutingError(ValueError):
    """Unknown matter, malformed location, or a jurisdiction that cannot answer."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    kind: str
    line: str | None = None


@dataclass(frozen=True)
class DutyInfo:
    code: str
    title: str
    mode: str
    matters: tuple[str, ...]
    unit_code: str | None = None
    unit_kind: str | None = None
    line: str | None = None
    legal_basis: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "mode": self.mode,
            "unit": self.unit_code,
            "legal_basis": self.legal_basis,
        }


@dataclass(frozen=True)
class Feature:
    """One jurisdiction feature: a road section, waterway section, port area or block."""

    kind: str
    unit_code: str
    name: str
    geometry: BaseGeometry  # WGS-84 lon/lat
    route: str | None = None
    from_km: Decimal | None = None
    to_km: Decimal | None = None
    feature_id: int | None = None

    def as_dict(self, distance_m: float | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "unit": self.unit_code, "id": self.feature_id}
        if self.kind == "road_section":
            out |= {"route": self.route, "from_km": float(self.from_km or 0), "to_km": float(self.to_km or 0)}
        if distance_m is not None:
            out["distance_m"] = round(distance_m, 1)
        return out


@dataclass(frozen=True)
class Matter:
    code: str
    mode: str  # strip | block | department | referral
    line: str | None
    title_zh: str
    duty: DutyInfo | None


@dataclass(frozen=True)
class PointAt:
    lon: float
    lat: float
    label: str | None = None


@dataclass(slots=True)
class Answer:
    matter: str
    unit: str
    unit_name: str
    mode: str  # strip | block | referral | department | fallback
    outside_jurisdiction: bool
    reason: str
    section: dict[str, Any] | None = None
    block: dict[str, Any] | None = None
    duty: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    #: A plain point's coordinates (the batch path keeps floats, not a dict per point).
    lon: float | None = None
    lat: float | None = None

    def where(self) -> dict[str, Any]:
        if self.location is not None:
            return self.location
        return {"lon": self.lon, "lat": self.lat}

    def as_dict(self) -> dict[str, Any]:
        return {
            "matter": self.matter,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "mode": self.mode,
            "outside_jurisdiction": self.outside_jurisdiction,
            "section": self.section,
            "block": self.block,
            "duty": self.duty,
            "reason": self.reason,
            "location": self.where(),
        }


@dataclass(frozen=True)
class Distances:
    road_m: float = 50.0
    waterway_line_m: float = 300.0
    waterway_polygon_m: float = 300.0


class _Layer:
    """Features of one line (or the blocks), projected to metres and indexed by an STRtree."""

    def __init__(self, features: list[Feature], proj: LocalProjection, thresholds: np.ndarray) -> None:
        self.features = features
        geoms = [_project(f.geometry, proj) for f in features]
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.thresholds = thresholds
        self.max_threshold = float(thresholds.max()) if len(thresholds) else 0.0
        # Candidates by envelope grown by each feature's own distance: a cheap box test first,
        # then one exact distance per candidate (faster than the tree's dwithin + a distance).
        grown = shapely.buffer(shapely.envelope(self.geoms), thresholds, cap_style="square", join_style="mitre")
        self.reach = shapely.STRtree(grown) if len(features) else None
        # Sort key for ties: lowest unit code, then file order.
        order = sorted(range(len(features)), key=lambda i: (features[i].unit_code, i))
        self.rank = np.empty(len(features), dtype=np.int64)
        for r, i in enumerate(order):
            self.rank[i] = r

    def nearest(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each point, the index of the chosen feature (or -1) and its distance."""
        n = len(pts)
        best = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        if not len(self.features) or n == 0:
            return best, dist
        if self.max_threshold > 0 and self.reach is not None:
            p_idx, f_idx = self.reach.query(pts)
        else:
            p_idx, f_idx = self.tree.query(pts, predicate="intersects")
        if len(p_idx) == 0:
            return best, dist
        if self.max_threshold > 0:
            d = shapely.distance(pts[p_idx], self.geoms[f_idx])
            keep = d <= self.thresholds[f_idx] + 1e-9
            p_idx, f_idx, d = p_idx[keep], f_idx[keep], d[keep]
        else:  # containment (boundary included): the distance is zero by definition
            d = np.zeros(len(p_idx))
        if len(p_idx) == 0:
            return best, dist
        dq = np.floor(d / TIE_M + 0.5)
        order = np.lexsort((self.rank[f_idx], dq, p_idx))
        p_sorted = p_idx[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = p_sorted[1:] != p_sorted[:-1]
        chosen = order[first]
        best[p_idx[chosen]] = f_idx[chosen]
        dist[p_idx[chosen]] = d[chosen]
        return best, dist


def _project(geom: BaseGeometry, proj: LocalProjection) -> BaseGeometry:
    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = proj.forward_arrays(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


class Router:
    def __init__(
        self,
        features: Sequence[Feature],
        units: Sequence[UnitInfo],
        duties: Sequence[DutyInfo] = (),
        distances: Distances = Distances(),
        edition: int | None = None,
    ) -> None:
        self.units = {u.code: u for u in units}
        self.edition = edition
        # Answer parts that depend only on (matter, feature): reasons, unit names, feature dicts.
        self._memo: dict[tuple[Any, ...], Any] = {}
        self.distances = distances
        centers = sorted(u.code for u in units if u.kind == "command_center")
        self.fallback_code = centers[0] if len(centers) == 1 else None
        self._fallback_problem = (
            None if len(centers) == 1 else f"{len(centers)} command_center units (exactly one is required)"
        )
        self.duty_by_matter: dict[str, DutyInfo] = {}
        for d in duties:
            for m in d.matters:
                self.duty_by_matter[m] = d
        feats = list(features)
        if feats:
            bounds = shapely.total_bounds(np.array([f.geometry for f in feats], dtype=object))
            lon0, lat0 = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        else:
            lon0, lat0 = 119.45, 32.2
        self.proj = LocalProjection(float(lon0), float(lat0))
        self.layers: dict[str, _Layer] = {}
        for line in ("road", "water", "port"):
            fs = [f for f in feats if KIND_LINE.get(f.kind) == line]
            self.layers[line] = _Layer(fs, self.proj, np.array([self._threshold(f) for f in fs], dtype=float))
        blocks = [f for f in feats if f.kind == "block"]
        self.blocks = _Layer(blocks, self.proj, np.zeros(len(blocks)))
        self.routes: dict[str, list[Feature]] = {}
        for f in feats:
            if f.kind == "road_section" and f.route:
                self.routes.setdefault(f.route, []).append(f)
        for secs in self.routes.values():
            secs.sort(key=lambda s: s.from_km or Decimal(0))

    # ------------------------------------------------------------------ matters

    def _threshold(self, f: Feature) -> float:
        if f.kind == "road_section":
            return self.distances.road_m
        if f.kind == "port_area":
            return 0.0
        if f.geometry.geom_type in ("Polygon", "MultiPolygon"):
            return self.distances.waterway_polygon_m
        return self.distances.waterway_line_m

    def water_area(self, lon: float, lat: float) -> Feature | None:
        """The waterway section (within its distance, as strip routing measures it) or else the
        port area (inside) where a point lies; ``None`` on neither. Geometry alone, whatever the
        duty catalogue says of any matter: where a vessel is "in our waters" (``ais_gap``)."""
        x, y = self.proj.forward_arrays(np.array([lon], dtype="float64"), np.array([lat], dtype="float64"))
        pts = shapely.points(x, y)
        for line in ("water", "port"):
            best, _ = self.layers[line].nearest(pts)
            if best[0] >= 0:
                return self.layers[line].features[int(best[0])]
        return None

    def matter(self, code: str) -> Matter:
        duty = self.duty_by_matter.get(code)
        base: MatterDef | None = BASE_MATTERS.get(code)
        if duty is None and base is None:
            known = sorted(set(BASE_MATTERS) | set(self.duty_by_matter))
            raise RoutingError(
                f"unknown matter {code!r}; known matters: {', '.join(known)}",
                f"未知事项 {code!r}",
            )
        if duty is not None:
            line = duty.line or (base.line if base else None) or PREFIX_LINE.get(code.split(".", 1)[0])
            title = base.title_zh if base else duty.title
            return Matter(code, duty.mode, line if duty.mode == "strip" else None, title, duty)
        assert base is not None
        return Matter(code, base.mode, base.line, base.title_zh, None)

    def known_matters(self) -> list[str]:
        return sorted(set(BASE_MATTERS) | set(self.duty_by_matter))

    # ------------------------------------------------------------------ public

    def route(self, matter_code: str, at: PointAt | Stake) -> Answer:
        matter = self.matter(matter_code)
        pre = self._by_catalogue(matter, _location_dict(at))
        if pre is not None:
            return pre
        if isinstance(at, Stake):
            return self._route_stake(matter, at)
        return self.route_points(matter_code, [at.lon], [at.lat], labels=[at.label])[0]

    def route_points(
        self,
        matter_code: str,
        lons: Sequence[float] | np.ndarray,
        lats: Sequence[float] | np.ndarray,
        labels: Sequence[str | None] | None = None,
    ) -> list[Answer]:
        """Route many WGS-84 points for one matter at once (vectorised), full answers included."""
        if len(lons) < 1000 or not gc.isenabled():
            return self._route_points(matter_code, lons, lats, labels)
        # A big batch allocates tens of thousands of small acyclic objects (answers, dicts); the
        # cyclic collector would scan them repeatedly for nothing. Pause it for the batch only.
        gc.disable()
        try:
            return self._route_points(matter_code, lons, lats, labels)
        finally:
            gc.enable()

    def _route_points(
        self,
        matter_code: str,
        lons: Sequence[float] | np.ndarray,
        lats: Sequence[float] | np.ndarray,
        labels: Sequence[str | None] | None = None,
    ) -> list[Answer]:
        matter = self.matter(matter_code)
        lon = np.asarray(lons, dtype="float64")
        lat = np.asarray(lats, dtype="float64")
        n = len(lon)
        xs, ys = lon.tolist(), lat.tolist()
        if matter.mode in ("referral", "department"):
            locs = [_point_loc(xs[i], ys[i], labels[i] if labels else None) for i in range(n)]
            return [self._by_catalogue(matter, locs[i]) or self._fallback(matter, locs[i], "") for i in range(n)]
        x, y = self.proj.forward_arrays(lon, lat)
        pts = shapely.points(x, y)
        answers: list[Answer] = [None] * n  # type: ignore[list-item]
        pending = np.arange(n)
        duty = self._duty_dict(matter)
        code = matter.code
        if matter.mode == "strip" and matter.line in self.layers:
            layer = self.layers[matter.line]
            best, dist = layer.nearest(pts)
            hit = np.nonzero(best >= 0)[0]
            dh = dist[hit]
            # The hot loop: text and dicts that depend only on (matter, feature) are built once per
            # feature; per point only the distance is put in (rounded in bulk by numpy).
            metres = np.rint(dh).astype(np.int64).tolist()
            tenths = (np.rint(dh * 10) / 10).tolist()
            parts_of: dict[int, tuple[str, str, str, str, str, str, dict[str, Any]]] = {}
            for i, b, d, m, dm in zip(hit.tolist(), best[hit].tolist(), dh.tolist(), metres, tenths, strict=True):
                parts = parts_of.get(b)
                if parts is None:
                    parts = parts_of[b] = self._strip_point_parts(matter, layer.features[b])
                unit, name, on_text, near_pre, near_post, _, base = parts
                reason = on_text if d < 0.5 else near_pre + str(m) + near_post
                section = base.copy()
                section["distance_m"] = dm
                loc = _point_loc(xs[i], ys[i], labels[i]) if labels and labels[i] else None
                answers[i] = Answer(code, unit, name, "strip", False, reason, section, None, duty, loc, xs[i], ys[i])
            pending = np.nonzero(best < 0)[0]
        if len(pending):
            bbest, _ = self.blocks.nearest(pts[pending])
            block_parts: dict[int, tuple[str, str, str, dict[str, Any]]] = {}
            fallback: Answer | None = None
            for i, b in zip(pending.tolist(), bbest.tolist(), strict=True):
                loc = _point_loc(xs[i], ys[i], labels[i]) if labels and labels[i] else None
                if b >= 0:
                    bp = block_parts.get(b)
                    if bp is None:
                        bp = block_parts[b] = self._block_parts(matter, b)
                    unit, name, reason, block = bp
                    answers[i] = Answer(code, unit, name, "block", False, reason, None, block, duty, loc, xs[i], ys[i])
                else:
                    if fallback is None:
                        fallback = self._fallback(matter, {}, self._no_block_reason(matter))
                    answers[i] = Answer(
                        code,
                        fallback.unit,
                        fallback.unit_name,
                        "fallback",
                        True,
                        fallback.reason,
                        None,
                        None,
                        duty,
                        loc,
                        xs[i],
                        ys[i],
                    )
        return answers

    # ------------------------------------------------------------------ rules

    def _by_catalogue(self, matter: Matter, loc: dict[str, Any]) -> Answer | None:
        duty = matter.duty
        if duty is None or duty.mode not in ("referral", "department") or not duty.unit_code:
            return None
        unit = self.units.get(duty.unit_code)
        if unit is None:
            return None
        if duty.mode == "referral":
            reason = (
                f"“{matter.title_zh}”依职责清单 {duty.code}（{duty.title}）属 {unit.name} 管辖，"
                f"不属本支队执法事项，移送 {unit.name} 处理"
                + (f"；依据：{duty.legal_basis}" if duty.legal_basis else "")
                + "。"
            )
            return Answer(
                matter.code, unit.code, unit.name, "referral", False, reason, duty=duty.as_dict(), location=loc
            )
        reason = (
            f"“{matter.title_zh}”依职责清单 {duty.code}（{duty.title}）由 {unit.name} 负责，与地点无关"
            + (f"；依据：{duty.legal_basis}" if duty.legal_basis else "")
            + "。"
        )
        return Answer(matter.code, unit.code, unit.name, "department", False, reason, duty=duty.as_dict(), location=loc)

    def _route_stake(self, matter: Matter, stake: Stake) -> Answer:
        loc = _location_dict(stake)
        section = self._section_at(stake)
        if matter.mode == "strip" and matter.line == "road":
            if section is None:
                return self._fallback(matter, loc, self._no_stake_reason(stake))
            lon, lat = _interpolate(section, stake.km)
            return self._strip_answer(matter, section, None, loc | {"lon": lon, "lat": lat}, lon, lat)
        # Any other matter at a stake mark: place the mark on its section's geometry, route the point.
        if section is None:
            return self._fallback(matter, loc, self._no_stake_reason(stake))
        lon, lat = _interpolate(section, stake.km)
        answer = self.route_points(matter.code, [lon], [lat], labels=[str(stake)])[0]
        answer.location = loc | {"lon": lon, "lat": lat}
        answer.lon, answer.lat = lon, lat
        return answer

    def _section_at(self, stake: Stake) -> Feature | None:
        secs = self.routes.get(stake.route, [])
        last_to = max((s.to_km for s in secs if s.to_km is not None), default=None)
        for s in secs:
            assert s.from_km is not None and s.to_km is not None
            if s.from_km <= stake.km < s.to_km or (stake.km == s.to_km == last_to):
                return s
        return None

    def _no_stake_reason(self, stake: Stake) -> str:
        secs = self.routes.get(stake.route)
        if not secs:
            return f"辖区图中没有路线 {stake.route}"
        lo = min(s.from_km for s in secs if s.from_km is not None)
        hi = max(s.to_km for s in secs if s.to_km is not None)
        span = f"{format_stake(stake.route, lo)}–{format_stake(stake.route, hi)}"
        return f"桩号 {stake} 不在 {stake.route} 本辖区路段（{span}）内"

    def _strip_answer(
        self,
        matter: Matter,
        f: Feature,
        distance: float | None,
        loc: dict[str, Any] | None,
        lon: float | None = None,
        lat: float | None = None,
    ) -> Answer:
        unit, name, head, place, tail, polygon, near, base = self._strip_parts_memo(matter, f)
        if distance is None:
            where = f"桩号 {(loc or {}).get('stake')} 位于 {place}"
            section = base
        else:
            if distance < 0.5:
                where = f"该点位于 {place} 内" if polygon else f"该点在 {place} 上"
            else:
                where = f"该点距 {place} {distance:.0f} 米{near}"
            section = base | {"distance_m": round(distance, 1)}
        duty = self._duty_dict(matter)
        return Answer(matter.code, unit, name, "strip", False, head + where + tail, section, None, duty, loc, lon, lat)

    def _strip_point_parts(self, matter: Matter, f: Feature) -> tuple[str, str, str, str, str, str, dict[str, Any]]:
        """A point's strip answer, pre-assembled: the whole reason when the point is on the feature,
        else the text before and after the distance in metres."""
        key = (matter.code, id(f), "point")
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        unit, name, head, place, tail, polygon, near, base = self._strip_parts_memo(matter, f)
        on_text = head + (f"该点位于 {place} 内" if polygon else f"该点在 {place} 上") + tail
        parts = (unit, name, on_text, f"{head}该点距 {place} ", f" 米{near}{tail}", "", base)
        self._memo[key] = parts
        return parts

    def _strip_parts_memo(
        self, matter: Matter, f: Feature
    ) -> tuple[str, str, str, str, str, bool, str, dict[str, Any]]:
        key = (matter.code, id(f))
        parts = self._memo.get(key)
        if parts is None:
            parts = self._memo[key] = self._strip_parts(matter, f)
        return parts

    def _duty_dict(self, matter: Matter) -> dict[str, Any] | None:
        if matter.duty is None:
            return None
        key = ("duty", matter.code)
        d = self._memo.get(key)
        if d is None:
            d = self._memo[key] = matter.duty.as_dict()
        return d

    def _strip_parts(self, matter: Matter, f: Feature) -> tuple[str, str, str, str, str, bool, str, dict[str, Any]]:
        unit = self._unit(f.unit_code)
        line = KIND_LINE[f.kind]
        if f.kind == "road_section":
            end = format_stake(f.route or "", f.to_km or 0).split(" ")[-1]
            place = f"{format_stake(f.route or '', f.from_km or 0)}–{end}（{f.name}）"
        else:
            place = f"{KIND_ZH[f.kind]}“{f.name}”"
        head = f"“{matter.title_zh}”属{LINE_ZH[line]}条线事项，实行条线管理、路段全线归属；"
        tail = f"，该{KIND_ZH[f.kind]}由 {unit.name} 管辖。"
        near = f"，为 {self._limit_text(f)} 范围内最近的{KIND_ZH[f.kind]}"
        polygon = f.geometry.geom_type.endswith("Polygon")
        return unit.code, unit.name, head, place, tail, polygon, near, f.as_dict()

    def _limit_text(self, f: Feature) -> str:
        return f"{self._threshold(f):.0f} 米"

    def _block_answer(self, matter: Matter, f: Feature, loc: dict[str, Any]) -> Answer:
        unit, name, reason, block = self._block_parts(matter, self.blocks.features.index(f))
        duty = self._duty_dict(matter)
        return Answer(matter.code, unit, name, "block", False, reason, None, block, duty, loc)

    def _block_parts(self, matter: Matter, idx: int) -> tuple[str, str, str, dict[str, Any]]:
        """Unit, unit name, reason and block of a block answer (memoised per matter and block)."""
        key = (matter.code, "block", idx)
        parts = self._memo.get(key)
        if parts is not None:
            return parts
        f = self.blocks.features[idx]
        unit = self._unit(f.unit_code)
        if matter.mode == "strip":
            line = LINE_ZH.get(matter.line or "", "")
            reason = (
                f"“{matter.title_zh}”属{line}条线事项，但该点不在任何{line}条线路段"
                f"的管辖范围内（{self._line_limit_text(matter.line or '')}），"
                f"故由所在板块“{f.name}”的 {unit.name} 负责。"
            )
        else:
            reason = (
                f"“{matter.title_zh}”属板块事项（静态监管对象，网格化板块综合执法）；该点位于板块“{f.name}”内，"
                f"由 {unit.name} 负责。"
            )
        parts = (unit.code, unit.name, reason, f.as_dict())
        self._memo[key] = parts
        return parts

    def _line_limit_text(self, line: str) -> str:
        d = self.distances
        return {
            "road": f"距公路路段 {d.road_m:.0f} 米内",
            "water": f"航道线 {d.waterway_line_m:.0f} 米内、航道水域内或 {d.waterway_polygon_m:.0f} 米内",
            "port": "港区范围内",
        }.get(line, "")

    def _no_block_reason(self, matter: Matter) -> str:
        if matter.mode == "strip":
            line = matter.line or ""
            scope = self._line_limit_text(line)
            return f"该点既不在{LINE_ZH.get(line, '')}条线路段的管辖范围内（{scope}），也不在任何执法板块内"
        return "该点不在任何执法板块内"

    def _fallback(self, matter: Matter, loc: dict[str, Any], why: str) -> Answer:
        if self.fallback_code is None:
            raise RoutingError(
                f"no fallback unit: {self._fallback_problem}",
                "未配置唯一的指挥中心（兜底单位），无法给出答复",
            )
        unit = self._unit(self.fallback_code)
        reason = f"{why}，不属任何条线或板块的管辖范围；由 {unit.name} 兜底受理，研判后指派或移送。"
        return Answer(
            matter.code,
            unit.code,
            unit.name,
            "fallback",
            True,
            reason,
            duty=matter.duty.as_dict() if matter.duty else None,
            location=loc,
        )

    def _unit(self, code: str) -> UnitInfo:
        unit = self.units.get(code)
        if unit is None:
            raise RoutingError(f"unit {code} of the map is not in the unit list", f"单位 {code} 不存在")
        return unit


def _point_loc(lon: float, lat: float, label: str | None) -> dict[str, Any]:
    return {"lon": lon, "lat": lat, "label": label} if label else {"lon": lon, "lat": lat}


def _location_dict(at: PointAt | Stake) -> dict[str, Any]:
    if isinstance(at, Stake):
        return {"stake": str(at), "route": at.route, "km": float(at.km)}
    out: dict[str, Any] = {"lon": at.lon, "lat": at.lat}
    if at.label:
        out["label"] = at.label
    return out


def _interpolate(section: Feature, km: Decimal) -> tuple[float, float]:
    """Where a stake mark lies on its section: proportionally along the drawn line."""
    assert section.from_km is not None and section.to_km is not None
    geom = section.geometry
    if geom.geom_type == "MultiLineString":
        merged = shapely.line_merge(geom)
        geom = merged if merged.geom_type == "LineString" else shapely.LineString(shapely.get_coordinates(geom))
    span = section.to_km - section.from_km
    frac = float((km - section.from_km) / span) if span else 0.0
    p = geom.interpolate(min(max(frac, 0.0), 1.0), normalized=True)
    return float(p.x), float(p.y)
