"""The SLA ladders and settings are configuration in the database: administrators change them,
audited; a running task keeps the ladder it was dispatched with."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog

LADDER = {"accept_min": 5, "arrive_min": 20, "feedback_min": 60, "remind_before_min": 1, "center_after_min": 5}


def test_a_ladder_edit_is_audited_and_applies_to_new_tasks(api: World) -> None:
    w, c = api, api.client
    duty, admin = w.h("duty"), w.h("admin")
    policies = c.get("/api/v1/sla-policies", headers=duty).json()
    assert len(policies) == 12 and policies[0]["task_kind"] == "inspection" and policies[0]["priority"] == "urgent"
    old = c.post(f"/api/v1/leads/{w.lead().id}/dispatch", json={}, headers=duty).json()["tasks"][0]

    assert c.put("/api/v1/sla-policies/inspection/normal", json=LADDER, headers=duty).status_code == 403
    r = c.put("/api/v1/sla-policies/inspection/normal", json=LADDER | {"arrive_min": 2}, headers=admin)
    assert r.status_code == 400 and "accept_min <= arrive_min" in r.json()["error"]["message"]
    assert c.put("/api/v1/sla-policies/inspection/never", json=LADDER, headers=admin).status_code == 404
    r = c.put(
        "/api/v1/sla-policies/inspection/normal", json=LADDER | {"source": "指挥中心2026年第3号通知"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["accept_min"] == 5 and r.json()["updated_by"] == "admin"
    change = w.session.scalars(select(AuditLog).where(AuditLog.entity_type == "sla_policy")).one()
    assert change.entity_id == "inspection/normal" and change.before["accept_min"] == 30
    assert change.after["accept_min"] == 5 and change.after["source"] == "指挥中心2026年第3号通知"

    new = c.post(f"/api/v1/leads/{w.lead(subject='苏L2/yellow').id}/dispatch", json={}, headers=duty).json()["tasks"][0]
    now = w.clock.now()
    assert new["accept_due"] == (now + timedelta(minutes=5)).isoformat() and new["sla"]["accept_min"] == 5
    assert old["accept_due"] == (now + timedelta(minutes=30)).isoformat()
    again = c.get(f"/api/v1/tasks/{old['id']}", headers=duty).json()
    assert again["accept_due"] == old["accept_due"] and again["sla"]["accept_min"] == 30


def test_settings_are_listed_with_their_source(api: World) -> None:
    w, c = api, api.client
    rows = {r["key"]: r for r in c.get("/api/v1/dispatch/settings", headers=w.h("duty")).json()}
    assert rows["offsite_notice_days"]["value"] == 15 and "行政处罚法" in rows["offsite_notice_days"]["source"]
    assert "not national law" in rows["hotline_reply_working_days"]["source"]
    assert c.get("/api/v1/dispatch/settings", headers=w.h("O1")).status_code == 403
    r = c.patch("/api/v1/dispatch/settings", json={"offsite_notice_days": 20}, headers=w.h("admin"))
    assert r.status_code == 200 and r.json()["offsite_notice_days"] == 20
    r = c.patch("/api/v1/dispatch/settings", json={"no_such_thing": 1}, headers=w.h("admin"))
    assert r.status_code == 400 and "unknown setting" in r.json()["error"]["message"]
