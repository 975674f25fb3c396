"""Response plans (预案 / run cards) and nearest officers (pure: no database).

A plan names the leads it is for — by lead kind, matter, priority, road route, routed unit and a
bounding box, each optional — and the tasks to dispatch for them, e.g. an overload on G312 → an
inspection task for the road brigade's nearest patrol plus a check at the weigh station. The most
specific matching plan wins: every criterion a plan sets must match, and the plan that sets the
most criteria is taken (ties: the lowest id, i.e. the oldest plan).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhifa.dispatch.sla import PRIORITIES, TASK_KINDS

CRITERIA = ("lead_kind", "matter", "priority", "route", "unit", "bbox")


@dataclass(frozen=True)
class PlanStep:
    task_kind: str
    #: ``routed``: the unit routing names for the lead; otherwise a unit code.
    unit: str = "routed"
    #: How many nearest available officers to suggest for this task.
    officers: int = 2
    title: str = ""
    instructions: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_kind": self.task_kind,
            "unit": self.unit,
            "officers": self.officers,
            "title": self.title,
            "instructions": self.instructions,
        }


@dataclass(frozen=True)
class Plan:
    id: int
    name: str
    steps: tuple[PlanStep, ...]
    lead_kind: str | None = None
    matter: str | None = None
    priority: str | None = None
    route: str | None = None
    unit: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    active: bool = True

    def specificity(self) -> int:
        return sum(getattr(self, c) is not None for c in CRITERIA)


@dataclass(frozen=True)
class LeadFacts:
    """What a plan is matched against: the lead and where routing put it."""

    kind: str
    matter: str | None
    priority: str
    unit: str | None
    route: str | None = None
    lon: float | None = None
    lat: float | None = None


def matches(plan: Plan, facts: LeadFacts) -> bool:
    if not plan.active:
        return False
    if plan.lead_kind is not None and plan.lead_kind != facts.kind:
        return False
    if plan.matter is not None and plan.matter != facts.matter:
        return False
    if plan.priority is not None and plan.priority != facts.priority:
        return False
    if plan.route is not None and (facts.route or "").upper() != plan.route.upper():
        return False
    if plan.unit is not None and plan.unit != facts.unit:
        return False
    if plan.bbox is not None:
        if facts.lon is None or facts.lat is None:
            return False
        min_lon, min_lat, max_lon, max_lat = plan.bbox
        if not (min_lon <= facts.lon <= max_lon and min_lat <= facts.lat <= max_lat):
            return False
    return True


def match(plans: list[Plan], facts: LeadFacts) -> Plan | None:
    """The most specific active plan whose every criterion matches, or ``None``."""
    found = [p for p in plans if matches(p, facts)]
    if not found:
        return None
    return min(found, key=lambda p: (-p.specificity(), p.id))


def parse_plan(values: dict[str, Any], plan_id: int = 0) -> Plan:
    """Validate a plan given as data (the API body or a stored row); ``ValueError`` names the field."""
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 100:
        raise ValueError("name: required, at most 100 characters")
    raw_steps = values.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps or len(raw_steps) > 10:
        raise ValueError("steps: a list of 1 to 10 tasks")
    steps = []
    for i, s in enumerate(raw_steps):
        if not isinstance(s, dict):
            raise ValueError(f"steps[{i}]: an object")
        kind = s.get("task_kind")
        if kind not in TASK_KINDS:
            raise ValueError(f"steps[{i}].task_kind: one of {', '.join(TASK_KINDS)}")
        unit = str(s.get("unit") or "routed")
        n = s.get("officers", 2)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 10:
            raise ValueError(f"steps[{i}].officers: 0 to 10")
        steps.append(
            PlanStep(
                kind,
                unit,
                n,
                str(s.get("title") or "")[:200],
                str(s.get("instructions") or "")[:2000],
            )
        )
    priority = values.get("priority") or None
    if priority is not None and priority not in PRIORITIES:
        raise ValueError(f"priority: one of {', '.join(PRIORITIES)}")
    bbox = values.get("bbox") or None
    if bbox is not None:
        if (
            not isinstance(bbox, list | tuple)
            or len(bbox) != 4
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in bbox)
        ):
            raise ValueError("bbox: [min_lon, min_lat, max_lon, max_lat]")
        bbox = tuple(float(x) for x in bbox)
        if not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
            raise ValueError("bbox: min below max, within -180..180 and -90..90")
    return Plan(
        id=plan_id,
        name=name,
        steps=tuple(steps),
        lead_kind=values.get("lead_kind") or None,
        matter=values.get("matter") or None,
        priority=priority,
        route=(str(values["route"]).strip().upper() or None) if values.get("route") else None,
        unit=values.get("unit") or None,
        bbox=bbox,
        active=bool(values.get("active", True)),
    )


# --------------------------------------------------------------------------- nearest officers

EARTH_RADIUS_M = 6371008.8  # mean Earth radius (IUGG)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class OfficerAt:
    code: str
    name: str
    unit: str
    lon: float
    lat: float
    at: datetime
    available: bool


@dataclass(frozen=True)
class Suggestion:
    officer: OfficerAt
    distance_m: float

    def as_dict(self) -> dict[str, Any]:
        o = self.officer
        return {
            "code": o.code,
            "name": o.name,
            "unit": o.unit,
            "distance_m": round(self.distance_m),
            "position_at": o.at.isoformat(),
            "lon": o.lon,
            "lat": o.lat,
        }


def nearest(officers: list[OfficerAt], lon: float, lat: float, limit: int) -> list[Suggestion]:
    """Available officers by distance from the point, nearest first (ties: officer code)."""
    found = [Suggestion(o, distance_m(o.lon, o.lat, lon, lat)) for o in officers if o.available]
    found.sort(key=lambda s: (s.distance_m, s.officer.code))
    return found[:limit]
