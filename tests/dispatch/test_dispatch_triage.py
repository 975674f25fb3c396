"""Triage at the duty desk: dismiss (false positives per rule), merge duplicates, override the
routed unit with a reason, and who may do it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog
from zhifa.dispatch.models import LeadTriage, Task
from zhifa.monitoring.models import Lead, LeadEvent


def test_dismiss_counts_false_positives_per_rule(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    a = w.lead(kind="overload", subject="苏L00001/yellow")
    b = w.lead(kind="overload", subject="苏L00002/yellow")
    d = w.lead(kind="ais_gap", subject="413000001", matter="water.ais", unit="WT")
    e = w.lead(kind="overload", subject="苏L00003/yellow")
    r = c.post(f"/api/v1/leads/{a.id}/dismiss", json={"reason": "称重设备故障，读数漂移"}, headers=duty)
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    c.post(f"/api/v1/leads/{b.id}/confirm", json={}, headers=duty)
    c.post(f"/api/v1/leads/{b.id}/dismiss", json={"reason": "车辆持有效许可", "false_positive": False}, headers=duty)
    c.post(f"/api/v1/leads/{d.id}/dismiss", json={"reason": "基站断电造成的假信号"}, headers=duty)
    # A reason is required; a dismissed lead cannot be dismissed again (409).
    assert c.post(f"/api/v1/leads/{e.id}/dismiss", json={"reason": ""}, headers=duty).status_code == 422
    r = c.post(f"/api/v1/leads/{a.id}/dismiss", json={"reason": "再次"}, headers=duty)
    assert r.status_code == 409 and r.json()["error"]["current"] == "dismissed"
    # Only the command center triages.
    assert c.post(f"/api/v1/leads/{e.id}/dismiss", json={"reason": "x"}, headers=w.h("O1")).status_code == 403

    w.clock.advance(timedelta(minutes=1))  # the period is [since, until): until defaults to now
    r = c.get("/api/v1/dispatch/false-positives", headers=w.h("analyst"))
    assert r.status_code == 200
    rules = {x["kind"]: x for x in r.json()["rules"]}
    assert rules["overload"] | {"false_positive_by_version": None} == {
        "kind": "overload",
        "raised": 3,
        "dismissed_false_positive": 1,
        "dismissed_no_action": 1,
        "false_positive_rate": round(1 / 3, 4),
        "false_positive_by_version": None,
    }
    assert rules["overload"]["false_positive_by_version"] == {"overload/test/1": 1}
    assert (rules["ais_gap"]["raised"], rules["ais_gap"]["dismissed_false_positive"]) == (1, 1)
    rows = w.session.scalars(select(LeadTriage).where(LeadTriage.lead_id == a.id)).all()
    assert [(x.action, x.from_status, x.to_status, x.false_positive, x.actor) for x in rows] == [
        ("dismiss", "new", "dismissed", True, "duty")
    ]
    audit = w.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "lead", AuditLog.entity_id == str(a.id))
    ).one()
    assert (
        audit.action == "dismiss" and audit.note == "称重设备故障，读数漂移" and audit.after["false_positive"] is True
    )


def test_merge_moves_events_into_the_open_lead(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    keep = w.lead(device="WIM1", events=2)
    dup = w.lead(device="WIM1", events=3)
    closed = w.lead(subject="苏L99999/yellow")
    c.post(f"/api/v1/leads/{closed.id}/dismiss", json={"reason": "误报"}, headers=duty)
    assert (
        c.post(f"/api/v1/leads/{dup.id}/merge", json={"into": dup.id, "reason": "x"}, headers=duty).status_code == 422
    )
    r = c.post(f"/api/v1/leads/{dup.id}/merge", json={"into": closed.id, "reason": "同一车辆"}, headers=duty)
    assert r.status_code == 409
    r = c.post(f"/api/v1/leads/{dup.id}/merge", json={"into": keep.id, "reason": "同一趟次重复线索"}, headers=duty)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == keep.id and r.json()["count"] == 5 and len(r.json()["events"]) == 5
    w.session.expire_all()
    assert w.session.get(Lead, dup.id).status == "merged"  # type: ignore[union-attr]
    assert w.session.get(Lead, dup.id).details["merged_into"] == keep.id  # type: ignore[union-attr]
    assert w.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == dup.id)).all() == []
    row = w.session.scalars(select(LeadTriage).where(LeadTriage.lead_id == dup.id)).one()
    assert (row.action, row.merged_into, row.reason) == ("merge", keep.id, "同一趟次重复线索")
    actions = w.session.scalars(
        select(AuditLog.action).where(AuditLog.entity_type == "lead", AuditLog.entity_id == str(keep.id))
    ).all()
    assert actions == ["absorb"]
    # A merged lead is final.
    r = c.post(f"/api/v1/leads/{dup.id}/dispatch", json={}, headers=duty)
    assert r.status_code == 409


def test_override_of_the_routed_unit_needs_a_reason_and_is_audited(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    lead = w.lead()
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={"unit": "RD2"}, headers=duty)
    assert r.status_code == 422 and r.json()["error"]["field"] == "override_reason"
    assert "routing named RD1" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={"unit": "NOPE", "override_reason": "x"}, headers=duty)
    assert r.status_code == 404
    reason = "路政一大队警力全部在重大活动保障中"
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={"unit": "RD2", "override_reason": reason}, headers=duty)
    assert r.status_code == 201, r.text
    task = r.json()["tasks"][0]
    assert (task["unit"], task["routed_unit"], task["override_reason"]) == ("RD2", "RD1", reason)
    assert task["routing_reason"] == "测试路由：RD1"
    audit = w.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "task", AuditLog.entity_id == str(task["id"]))
    ).one()
    assert audit.action == "dispatch" and audit.actor == "duty"
    assert audit.after["unit"] == "RD2" and audit.after["routed_unit"] == "RD1"
    assert audit.after["override_reason"] == reason and reason in (audit.note or "")
    # The transition row of the dispatch carries the reason too.
    t = w.session.get(Task, task["id"])
    assert t is not None and t.override_reason == reason


def test_an_unrouted_lead_needs_a_unit_and_a_reason(api: World) -> None:
    w, c = api, api.client
    lead = w.lead(unit=None)
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=w.h("duty"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "unit"
    r = c.post(
        f"/api/v1/leads/{lead.id}/dispatch", json={"unit": "BA", "override_reason": "现场在甲板块"}, headers=w.h("duty")
    )
    assert r.status_code == 201 and r.json()["tasks"][0]["routed_unit"] is None


def test_queue_orders_by_severity_and_leaves_out_triaged_leads(api: World) -> None:
    w, c = api, api.client
    low = w.lead(severity="low", subject="苏L1/yellow")
    high = w.lead(severity="high", subject="苏L2/yellow")
    normal = w.lead(subject="苏L3/yellow")
    gone = w.lead(subject="苏L4/yellow")
    c.post(f"/api/v1/leads/{gone.id}/dismiss", json={"reason": "误报"}, headers=w.h("duty"))
    ids = [x["id"] for x in c.get("/api/v1/dispatch/queue", headers=w.h("duty")).json()]
    assert ids == [high.id, normal.id, low.id]
    # A leader sees the queue of his units only.
    other = w.lead(subject="苏L5/yellow", unit="RD2")
    assert other.id not in [x["id"] for x in c.get("/api/v1/dispatch/queue", headers=w.h("leader1")).json()]
    assert c.get("/api/v1/dispatch/queue", headers=w.h("O1")).status_code == 403
