"""Planned dispatch: response plans as data (edited, audited), officers' phone positions, and the
dispatch dialog's suggestions — the plan that matches a lead and the nearest available officers
of the responsible unit with their distance. The matching and distances are pure (``plans``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import today_shanghai, utcnow
from zhifa.core.errors import BadRequest, Forbidden, InvalidField, NotFound
from zhifa.dispatch import admin, plans
from zhifa.dispatch.models import OfficerPosition, ResponsePlan, Task, TaskOfficer
from zhifa.geo.crs import CoordinateError, to_wgs84
from zhifa.jurisdiction import service as jurisdiction
from zhifa.jurisdiction.router import RoutingError
from zhifa.monitoring.models import Lead
from zhifa.org import service as org_service
from zhifa.org.models import Officer, Unit

PLAN_ROLES = ("duty_officer",)
#: Task states in which an assigned officer is busy (not suggested for another task).
BUSY_STATES = ("accepted", "en_route", "on_scene")


def plan_dict(row: ResponsePlan) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "lead_kind": row.lead_kind,
        "matter": row.matter,
        "priority": row.priority,
        "route": row.route,
        "unit": row.unit_code,
        "bbox": row.bbox,
        "steps": row.steps,
        "active": row.active,
        "version": row.version,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat(),
    }


def _values(row: ResponsePlan) -> dict[str, Any]:
    d = plan_dict(row)
    return {k: d[k] for k in ("name", "lead_kind", "matter", "priority", "route", "unit", "bbox", "steps", "active")}


def _validated(session: Session, values: dict[str, Any]) -> plans.Plan:
    try:
        plan = plans.parse_plan(values)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise InvalidField(field, reason or str(exc)) from exc
    units = {u for (u,) in session.execute(select(Unit.code))}
    for i, step in enumerate(plan.steps):
        if step.unit != "routed" and step.unit not in units:
            raise InvalidField(f"steps[{i}].unit", f"unknown unit {step.unit!r} (or 'routed')", "单位不存在")
    if plan.unit is not None and plan.unit not in units:
        raise InvalidField("unit", f"unknown unit {plan.unit!r}", "单位不存在")
    return plan


def _apply(row: ResponsePlan, plan: plans.Plan) -> None:
    row.name, row.lead_kind, row.matter, row.priority = plan.name, plan.lead_kind, plan.matter, plan.priority
    row.route, row.unit_code = plan.route, plan.unit
    row.bbox = list(plan.bbox) if plan.bbox else None
    row.steps = [s.as_dict() for s in plan.steps]
    row.active = plan.active


def create_plan(session: Session, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    require(actor, *PLAN_ROLES)
    plan = _validated(session, values)
    now = utcnow()
    row = ResponsePlan(version=1, updated_by=actor.username, created_at=now, updated_at=now)
    _apply(row, plan)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "response_plan", row.id, None, _values(row))
    return plan_dict(row)


def update_plan(session: Session, actor: Actor, plan_id: int, values: dict[str, Any]) -> dict[str, Any]:
    require(actor, *PLAN_ROLES)
    row = session.get(ResponsePlan, plan_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"no response plan {plan_id}", "预案不存在")
    before = _values(row)
    plan = _validated(session, before | values)
    _apply(row, plan)
    row.version += 1
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    audit.record(session, actor, "update", "response_plan", row.id, before, _values(row) | {"version": row.version})
    return plan_dict(row)


def list_plans(session: Session, active_only: bool = False) -> list[dict[str, Any]]:
    q = select(ResponsePlan).order_by(ResponsePlan.id)
    if active_only:
        q = q.where(ResponsePlan.active.is_(True))
    return [plan_dict(r) for r in session.scalars(q)]


def active_plans(session: Session) -> list[plans.Plan]:
    return [
        plans.parse_plan(_values(r), r.id)
        for r in session.scalars(select(ResponsePlan).where(ResponsePlan.active.is_(True)).order_by(ResponsePlan.id))
    ]


def lead_facts(session: Session, lead: Lead, priority: str) -> plans.LeadFacts:
    """The lead, with the road route its location lies on (from routing) when it has one."""
    route = None
    if lead.lon is not None and lead.lat is not None and lead.matter:
        try:
            answer = jurisdiction.get_router(session).route_points(lead.matter, [lead.lon], [lead.lat])[0]
            route = (answer.section or {}).get("route")
        except RoutingError:
            route = None
    return plans.LeadFacts(lead.kind, lead.matter, priority, lead.unit_code, route, lead.lon, lead.lat)


# --------------------------------------------------------------------------- positions


def report_position(
    session: Session,
    actor: Actor,
    officer_code: str,
    lon: float,
    lat: float,
    *,
    crs: str | None = None,
    at: datetime | None = None,
    accuracy_m: float | None = None,
) -> dict[str, Any]:
    """An officer's phone reports where it is (only the officer himself, or an administrator)."""
    if actor.username != officer_code and not actor.has("admin"):
        raise Forbidden("an officer reports only his own position", "只能上报本人位置")
    if session.scalar(select(Officer.id).where(Officer.code == officer_code)) is None:
        raise NotFound(f"no officer {officer_code}", "执法人员不存在")
    try:
        lon, lat = to_wgs84(float(lon), float(lat), crs)
    except CoordinateError as exc:
        raise InvalidField("lon", str(exc), f"坐标无效：{exc}") from exc
    now = utcnow()
    when = at or now
    if when.tzinfo is None:
        raise InvalidField("at", "give a timezone offset", "时间须带时区")
    if when > now + timedelta(minutes=5):
        raise InvalidField("at", "lies in the future", "时间晚于当前时间")
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        raise InvalidField("accuracy_m", "0 to 100000 metres", "精度超出范围")
    row = OfficerPosition(
        officer_code=officer_code, at=when, lon=lon, lat=lat, accuracy_m=accuracy_m, source="phone", received_at=now
    )
    session.add(row)
    session.flush()
    # Positions are stored, not audited one by one (a phone reports every minute); reads are audited.
    return {"officer": officer_code, "at": when.isoformat(), "lon": lon, "lat": lat}


def _can_dispatch_for(session: Session, actor: Actor, unit: str) -> None:
    if actor.has("duty_officer"):
        return
    if "leader" in actor.roles:
        scope = org_service.visible_units(session, actor)
        if scope is None or unit in scope:
            return
    raise Forbidden("suggestions are for the command center and the unit's leader", "仅指挥中心和单位负责人可查看")


def suggest(session: Session, actor: Actor, unit: str, lon: float, lat: float, limit: int = 5) -> dict[str, Any]:
    """The nearest available officers of ``unit`` (and the units below it): on duty, holding a
    valid enforcement certificate, not busy on another task, with a phone position no older than
    ``position_max_age_min``. Positions are 行踪轨迹 (个人信息保护法 第二十八条): the read is audited."""
    org_service.get_unit(session, unit)
    _can_dispatch_for(session, actor, unit)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadRequest("lon/lat out of range", "经纬度超出范围")
    cfg = admin.current_config(session)
    now = utcnow()
    today = today_shanghai()
    scope = sorted(org_service.descendants(session, unit))
    officers = {
        o.code: o
        for o in session.scalars(select(Officer).where(Officer.unit_code.in_(scope), Officer.on_duty.is_(True)))
        if o.cert_no and o.cert_expiry is not None and o.cert_expiry >= today
    }
    busy = set(
        session.scalars(
            select(TaskOfficer.officer_code)
            .join(Task, Task.id == TaskOfficer.task_id)
            .where(Task.state.in_(BUSY_STATES), TaskOfficer.officer_code.in_(sorted(officers)))
        )
    )
    since = now - timedelta(minutes=cfg.position_max_age_min)
    latest = (
        select(OfficerPosition.officer_code, func.max(OfficerPosition.at).label("at"))
        .where(
            OfficerPosition.officer_code.in_(sorted(officers)), OfficerPosition.at >= since, OfficerPosition.at <= now
        )
        .group_by(OfficerPosition.officer_code)
        .subquery()
    )
    rows = session.execute(
        select(OfficerPosition).join(
            latest, (latest.c.officer_code == OfficerPosition.officer_code) & (latest.c.at == OfficerPosition.at)
        )
    ).scalars()
    at_pos: dict[str, plans.OfficerAt] = {}
    for p in rows:
        o = officers[p.officer_code]
        at_pos[o.code] = plans.OfficerAt(o.code, o.name, o.unit_code, p.lon, p.lat, p.at, o.code not in busy)
    found = plans.nearest(list(at_pos.values()), lon, lat, limit)
    audit.record(
        session,
        actor,
        "read",
        "officer_position",
        unit,
        None,
        {"officers": [s.officer.code for s in found], "at": [lon, lat]},
    )
    return {
        "unit": unit,
        "suggestions": [s.as_dict() for s in found],
        "busy": sorted(busy),
        "without_recent_position": sorted(set(officers) - set(at_pos)),
        "position_max_age_min": cfg.position_max_age_min,
    }


def preview(session: Session, actor: Actor, lead_id: int, priority: str | None = None) -> dict[str, Any]:
    """What the dispatch dialog shows for a lead: the routed unit and why, the matching plan, and
    for each of its tasks the nearest available officers."""
    from zhifa.dispatch.service import SEVERITY_PRIORITY, TRIAGE_ROLES

    require(actor, *TRIAGE_ROLES)
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}", f"线索 {lead_id} 不存在")
    priority = priority or SEVERITY_PRIORITY.get(lead.severity, "normal")
    facts = lead_facts(session, lead, priority)
    plan = plans.match(active_plans(session), facts)
    steps: list[dict[str, Any]] = []
    for step in plan.steps if plan else ():
        unit = lead.unit_code if step.unit == "routed" else step.unit
        entry: dict[str, Any] = step.as_dict() | {"resolved_unit": unit, "suggestions": []}
        if unit and step.officers and lead.lon is not None and lead.lat is not None:
            entry["suggestions"] = suggest(session, actor, unit, lead.lon, lead.lat, step.officers)["suggestions"]
        steps.append(entry)
    return {
        "lead": lead.id,
        "routed_unit": lead.unit_code,
        "routing_reason": lead.routing_reason,
        "priority": priority,
        "route": facts.route,
        "plan": {"id": plan.id, "name": plan.name, "steps": steps} if plan else None,
    }
