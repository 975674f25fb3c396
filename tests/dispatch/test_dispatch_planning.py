"""Planned dispatch through the API: response plans as audited data, officers' phone positions,
the dispatch dialog's matching plan and nearest available officers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog
from zhifa.dispatch.models import OfficerPosition
from zhifa.dispatch.plans import distance_m

G312_PLAN = {
    "name": "G312 超限运输",
    "lead_kind": "overload",
    "route": "G312",
    "steps": [
        {"task_kind": "inspection", "unit": "routed", "officers": 2, "title": "路面巡查拦截"},
        {"task_kind": "inspection", "unit": "RD2", "officers": 0, "title": "称重点数据复核"},
    ],
}


def report(w: World, code: str, lon: float, lat: float = 32.2, minutes_ago: float = 1) -> None:
    at = (w.clock.now() - timedelta(minutes=minutes_ago)).isoformat()
    r = w.client.post(f"/api/v1/officers/{code}/position", json={"lon": lon, "lat": lat, "at": at}, headers=w.h(code))
    assert r.status_code == 201, r.text


def test_plans_are_audited_data(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    assert c.post("/api/v1/plans", json=G312_PLAN, headers=w.h("O1")).status_code == 403
    bad = G312_PLAN | {"steps": [{"task_kind": "inspection", "unit": "NOPE"}]}
    r = c.post("/api/v1/plans", json=bad, headers=duty)
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps[0].unit"
    r = c.post("/api/v1/plans", json=G312_PLAN | {"steps": [{"task_kind": "tea"}]}, headers=duty)
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps[0].task_kind"
    r = c.post("/api/v1/plans", json=G312_PLAN, headers=duty)
    assert r.status_code == 201
    plan = r.json()
    assert plan["version"] == 1 and plan["route"] == "G312" and len(plan["steps"]) == 2
    r = c.patch(f"/api/v1/plans/{plan['id']}", json={"priority": "high", "active": False}, headers=duty)
    assert r.status_code == 200 and (r.json()["version"], r.json()["priority"], r.json()["active"]) == (
        2,
        "high",
        False,
    )
    assert c.get("/api/v1/plans", params={"active": True}, headers=duty).json() == []
    changes = w.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "response_plan").order_by(AuditLog.id)
    ).all()
    assert [a.action for a in changes] == ["create", "update"]
    assert changes[1].before["priority"] is None and changes[1].after["priority"] == "high"


def test_the_dispatch_dialog_suggests_the_plan_and_the_nearest_officers(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    plan_id = c.post("/api/v1/plans", json=G312_PLAN, headers=duty).json()["id"]
    c.post(
        "/api/v1/plans",
        json={"name": "任意超限", "lead_kind": "overload", "steps": [{"task_kind": "inspection"}]},
        headers=duty,
    )
    lead = w.lead()  # an overload at 119.35, 32.2 on G312 (RD1's section)
    report(w, "O1", 119.37, minutes_ago=5)  # an older fix of O1, farther away: the latest counts
    report(w, "O1", 119.36)  # 941 m east
    report(w, "O2", 119.352)  # 188 m east
    report(w, "O3", 119.3501)  # nearest, but his certificate expired on 31 May
    report(w, "O5", 119.3502)  # RD2's officer

    r = c.get(f"/api/v1/leads/{lead.id}/dispatch-preview", headers=duty)
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["routed_unit"], p["route"], p["priority"]) == ("RD1", "G312", "normal")
    assert p["plan"]["id"] == plan_id and p["plan"]["name"] == "G312 超限运输"
    first, second = p["plan"]["steps"]
    assert [(s["code"], s["distance_m"]) for s in first["suggestions"]] == [("O2", 188), ("O1", 941)]
    assert first["resolved_unit"] == "RD1" and second["resolved_unit"] == "RD2"
    assert second["suggestions"] == []  # 0 officers asked for

    # Busy officers (on another task under way) and stale positions are not suggested.
    other = c.post(f"/api/v1/leads/{w.lead(subject='苏L2/yellow').id}/dispatch", json={}, headers=duty).json()
    other_id = other["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{other_id}/assign", json={"officers": ["O2"]}, headers=w.h("leader1"))
    c.post(f"/api/v1/tasks/{other_id}/transition", json={"to": "accepted"}, headers=w.h("O2"))
    r = c.get("/api/v1/dispatch/suggestions", params={"unit": "RD1", "lon": 119.35, "lat": 32.2}, headers=duty)
    body = r.json()
    assert [s["code"] for s in body["suggestions"]] == ["O1"] and body["busy"] == ["O2"]
    assert body["without_recent_position"] == ["L1"]
    w.clock.advance(timedelta(minutes=30))  # O1's fix is now 31 minutes old
    body = c.get(
        "/api/v1/dispatch/suggestions", params={"unit": "RD1", "lon": 119.35, "lat": 32.2}, headers=duty
    ).json()
    assert body["suggestions"] == [] and body["without_recent_position"] == ["L1", "O1", "O2"]
    # Positions are 行踪轨迹: every read is audited; field officers do not get them.
    reads = w.session.scalars(select(AuditLog).where(AuditLog.entity_type == "officer_position")).all()
    assert len(reads) == 3 and all(a.action == "read" for a in reads)  # the dialog, then twice directly
    params = {"unit": "RD1", "lon": 119.35, "lat": 32.2}
    assert c.get("/api/v1/dispatch/suggestions", params=params, headers=w.h("O1")).status_code == 403
    assert c.get("/api/v1/dispatch/suggestions", params=params, headers=w.h("leader2")).status_code == 403

    # Dispatch by the plan: one task per step, to the routed unit.
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={"plan_id": plan_id}, headers=duty)
    assert r.status_code == 201
    tasks = r.json()["tasks"]
    assert [(t["title"], t["unit"], t["routed_unit"], t["override_reason"], t["plan"]) for t in tasks] == [
        ("路面巡查拦截", "RD1", "RD1", None, plan_id),
        ("称重点数据复核", "RD2", "RD2", None, plan_id),  # the plan names the unit: no override
    ]
    assert tasks[1]["routing_reason"] == "预案“G312 超限运输”第2项指定 RD2"


def test_positions_are_the_officers_own(api: World) -> None:
    w, c = api, api.client
    r = c.post("/api/v1/officers/O2/position", json={"lon": 119.35, "lat": 32.2}, headers=w.h("O1"))
    assert r.status_code == 403
    r = c.post("/api/v1/officers/O1/position", json={"lon": 119.35, "lat": 132.2}, headers=w.h("O1"))
    assert r.status_code == 422
    later = (w.clock.now() + timedelta(hours=1)).isoformat()
    r = c.post("/api/v1/officers/O1/position", json={"lon": 119.35, "lat": 32.2, "at": later}, headers=w.h("O1"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "at"
    # A phone map SDK reporting GCJ-02 is converted to WGS-84 (a few hundred metres in Zhenjiang).
    r = c.post("/api/v1/officers/O1/position", json={"lon": 119.35, "lat": 32.2, "crs": "gcj02"}, headers=w.h("O1"))
    assert r.status_code == 201
    pos = w.session.scalars(select(OfficerPosition)).one()
    assert 100 < distance_m(119.35, 32.2, pos.lon, pos.lat) < 1000 and pos.source == "phone"
