"""The issue's "done when": a lead travels the whole loop through the API — queue, confirm,
dispatch, assign, accept, en route, on scene, feedback, review — every transition a row and an
audit row; illegal transitions are 409; an override of the routed unit needs a reason."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog
from zhifa.dispatch.models import LeadTriage, OfficerPosition, TaskEvidence, TaskTransition
from zhifa.monitoring.models import Lead


def audit_rows(w: World, entity_type: str, entity_id: int) -> list[AuditLog]:
    q = select(AuditLog).where(AuditLog.entity_type == entity_type, AuditLog.entity_id == str(entity_id))
    return list(w.session.scalars(q.order_by(AuditLog.id)))


def test_a_lead_travels_the_whole_loop(api: World) -> None:
    w, c = api, api.client
    lead = w.lead()
    duty, leader, o1, o2 = w.h("duty"), w.h("leader1"), w.h("O1"), w.h("O2")

    # Queue → confirm.
    r = c.get("/api/v1/dispatch/queue", headers=duty)
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [lead.id]
    r = c.post(f"/api/v1/leads/{lead.id}/confirm", json={"note": "称重数据可信"}, headers=duty)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"

    # Dispatch an enforcement task to the unit routing named.
    r = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={"kind": "enforcement"}, headers=duty)
    assert r.status_code == 201, r.text
    task = r.json()["tasks"][0]
    tid = task["id"]
    assert (task["unit"], task["routed_unit"], task["state"], task["priority"]) == (
        "RD1",
        "RD1",
        "dispatched",
        "normal",
    )
    # The seeded ladder for enforcement/normal: accept 30 min, arrive 120 min, feedback 1440 min.
    t0 = w.clock.now()
    assert task["accept_due"] == (t0 + timedelta(minutes=30)).isoformat()
    assert task["arrive_due"] == (t0 + timedelta(minutes=120)).isoformat()
    assert task["feedback_due"] == (t0 + timedelta(minutes=1440)).isoformat()
    assert w.session.get(Lead, lead.id).status == "dispatched"  # type: ignore[union-attr]

    # The leader assigns: an expired certificate, a missing certificate, another unit's officer
    # and a single officer are refused (行政处罚法 第四十二条); two certified officers are accepted.
    for officers, expected in (
        (["O1", "O3"], "O3: enforcement certificate JZ-003 expired on 2026-05-31"),
        (["O1", "O4"], "O4: holds no enforcement certificate"),
        (["O1", "O5"], "O5: belongs to RD2, not to RD1"),
        (["O1"], "at least two officers"),
    ):
        r = c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": officers}, headers=leader)
        assert r.status_code == 422, (officers, r.text)
        assert expected in r.json()["error"]["message"], r.json()
    r = c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1", "O2"]}, headers=duty)
    assert r.status_code == 403  # the unit leader assigns, not the duty desk
    r = c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1", "O2"]}, headers=leader)
    assert r.status_code == 200 and [o["code"] for o in r.json()["officers"]] == ["O1", "O2"]
    assert r.json()["officers"][0]["cert_no"] == "JZ-001"

    # Accept (on time), en route, on scene (late: 130 min > 120 min), each with a position.
    w.clock.advance(timedelta(minutes=5))
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=leader)
    assert r.status_code == 200 and r.json()["state"] == "accepted" and r.json()["on_time"]["accept"] is True
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "en_route", "lon": 119.30, "lat": 32.20}, headers=o1)
    assert r.status_code == 200 and r.json()["state"] == "en_route"
    w.clock.advance(timedelta(minutes=125))
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "on_scene", "lon": 119.3501, "lat": 32.2}, headers=o2)
    assert r.status_code == 200 and r.json()["on_time"]["arrive"] is False
    assert r.json()["overdue"] == []

    # "handled" comes only with feedback; the photo must exist in the evidence store and be an image.
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "handled"}, headers=o1)
    assert r.status_code == 409 and "/feedback" in r.json()["error"]["message"]
    photo = c.post("/api/v1/evidence", files={"file": ("scene.jpg", b"\xff\xd8 scene photo", "image/jpeg")}, headers=o1)
    video = c.post("/api/v1/evidence", files={"file": ("bodycam.mp4", b"bodycam video", "video/mp4")}, headers=o1)
    ph, vh = photo.json()["sha256"], video.json()["sha256"]
    feedback = {"outcome": "violation_confirmed", "notes": "复磅超限 12 吨，已责令卸载", "lon": 119.3501, "lat": 32.2}
    r = c.post(f"/api/v1/tasks/{tid}/feedback", json=feedback | {"photos": ["0" * 64]}, headers=o1)
    assert r.status_code == 422 and "no evidence" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/tasks/{tid}/feedback", json=feedback | {"photos": [vh]}, headers=o1)
    assert r.status_code == 422 and "not a photo" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/tasks/{tid}/feedback", json=feedback, headers=o1)
    assert r.status_code == 422 and "at least one photo" in r.json()["error"]["message"]
    w.clock.advance(timedelta(minutes=10))
    r = c.post(f"/api/v1/tasks/{tid}/feedback", json=feedback | {"photos": [ph], "videos": [vh]}, headers=o1)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "handled" and body["on_time"]["feedback"] is True
    assert body["feedback"][0]["photos"] == [ph] and body["feedback"][0]["videos"] == [vh]
    assert {(e["sha256"], e["kind"]) for e in body["evidence"]} == {(ph, "photo"), (vh, "video")}

    # Review: the command center closes it; the lead's loop is closed.
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "closed"}, headers=o1)
    assert r.status_code == 403
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "closed"}, headers=duty)
    assert r.status_code == 200 and r.json()["state"] == "closed"
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "closed"  # type: ignore[union-attr]
    assert c.get(f"/api/v1/leads/{lead.id}", headers=duty).json()["status"] == "closed"

    # A closed task goes nowhere: 409 with what is allowed.
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=duty)
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "illegal_transition" and err["current"] == "closed" and err["allowed"] == []
    assert "from 'closed' to 'accepted'" in err["message"] and err["message_zh"]

    # One row per transition: who, when, from, to, why, where.
    rows = list(
        w.session.scalars(select(TaskTransition).where(TaskTransition.task_id == tid).order_by(TaskTransition.seq))
    )
    assert [(x.from_state, x.to_state, x.actor) for x in rows] == [
        (None, "dispatched", "duty"),
        ("dispatched", "accepted", "leader1"),
        ("accepted", "en_route", "O1"),
        ("en_route", "on_scene", "O2"),
        ("on_scene", "handled", "O1"),
        ("handled", "closed", "duty"),
    ]
    assert [x.seq for x in rows] == [1, 2, 3, 4, 5, 6]
    assert (rows[3].lon, rows[3].lat) == (119.3501, 32.2) and rows[1].lon is None
    assert rows[3].at == t0 + timedelta(minutes=130)
    assert rows[4].reason == "feedback: violation_confirmed"
    positions = w.session.scalars(select(OfficerPosition.officer_code).order_by(OfficerPosition.id)).all()
    assert positions == ["O1", "O2", "O1"]  # en route, on scene, feedback: the phone's position

    # And one audit row for each change, in the same transaction.
    task_audit = [(a.action, a.actor, (a.after or {}).get("state")) for a in audit_rows(w, "task", tid)]
    assert task_audit == [
        ("dispatch", "duty", "dispatched"),
        ("assign", "leader1", None),
        ("transition", "leader1", "accepted"),
        ("transition", "O1", "en_route"),
        ("transition", "O2", "on_scene"),
        ("feedback", "O1", None),
        ("transition", "O1", "handled"),
        ("transition", "duty", "closed"),
    ]
    lead_audit = [
        (a.action, (a.before or {}).get("status"), (a.after or {}).get("status"))
        for a in audit_rows(w, "lead", lead.id)
    ]
    assert lead_audit == [
        ("confirm", "new", "confirmed"),
        ("dispatch", "confirmed", "dispatched"),
        ("close", "dispatched", "closed"),
    ]
    triage = w.session.scalars(select(LeadTriage.action).where(LeadTriage.lead_id == lead.id).order_by(LeadTriage.id))
    assert list(triage) == ["confirm", "dispatch", "close"]
    linked = w.session.scalars(select(TaskEvidence.sha256).where(TaskEvidence.task_id == tid)).all()
    assert sorted(linked) == sorted([ph, vh])


def test_transitions_need_their_party_and_officers(api: World) -> None:
    w, c = api, api.client
    lead = w.lead()
    tid = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=w.h("duty")).json()["tasks"][0]["id"]
    # Another unit's leader may not accept; an officer not assigned may not either.
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=w.h("leader2")).status_code == 403
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=w.h("O1")).status_code == 403
    # Not yet accepted: en route is not allowed from "dispatched".
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "en_route"}, headers=w.h("leader1"))
    assert r.status_code == 409 and r.json()["error"]["allowed"] == ["accepted", "cancelled"]
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=w.h("leader1")).status_code == 200
    # En route with nobody assigned: refused.
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "en_route"}, headers=w.h("leader1"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "officers_required"
    # An inspection needs one certified officer.
    assert c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1"]}, headers=w.h("leader1")).status_code == 200
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "en_route"}, headers=w.h("O1")).status_code == 200
    # Officers are not changed once under way.
    r = c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O2"]}, headers=w.h("leader1"))
    assert r.status_code == 409
    # Cancelling needs a reason; the lead goes back to the queue, confirmed.
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "cancelled"}, headers=w.h("duty"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = c.post(
        f"/api/v1/tasks/{tid}/transition", json={"to": "cancelled", "reason": "车辆已驶离辖区"}, headers=w.h("duty")
    )
    assert r.status_code == 200
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "confirmed"  # type: ignore[union-attr]
    reopen = w.session.scalars(
        select(LeadTriage).where(LeadTriage.lead_id == lead.id, LeadTriage.action == "reopen")
    ).one()
    assert (reopen.from_status, reopen.to_status, reopen.reason) == ("dispatched", "confirmed", "all tasks cancelled")


def test_return_for_rework_starts_a_new_round(api: World) -> None:
    w, c = api, api.client
    lead = w.lead()
    duty, leader, o1 = w.h("duty"), w.h("leader1"), w.h("O1")
    tid = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=duty).json()["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1"]}, headers=leader)
    for to in ("accepted", "en_route", "on_scene"):
        assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": to}, headers=o1).status_code == 200
    r = c.post(f"/api/v1/tasks/{tid}/feedback", json={"outcome": "not_found", "notes": "现场未见该车"}, headers=o1)
    assert r.status_code == 200
    w.clock.advance(timedelta(hours=3))
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "returned"}, headers=duty)
    assert r.status_code == 422  # a reason is required
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "returned", "reason": "未核查停车场"}, headers=duty)
    body = r.json()
    assert r.status_code == 200 and body["state"] == "returned" and body["round"] == 1 and body["returned_count"] == 1
    now = w.clock.now()
    assert body["accept_due"] == (now + timedelta(minutes=30)).isoformat()  # counted from the return
    assert body["next_reminder_at"] == (now + timedelta(minutes=20)).isoformat()  # 10 min before
    # The unit accepts again and reports again; the lead closes after the second review.
    for to in ("accepted", "en_route", "on_scene"):
        assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": to}, headers=o1).status_code == 200
    r = c.post(
        f"/api/v1/tasks/{tid}/feedback",
        json={"outcome": "referred", "notes": "移交交警", "referred_to": "交警支队"},
        headers=o1,
    )
    assert r.status_code == 200 and [f["round"] for f in r.json()["feedback"]] == [0, 1]
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "closed"}, headers=duty).status_code == 200
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "closed"  # type: ignore[union-attr]


def test_field_officer_sees_only_his_tasks(api: World) -> None:
    w, c = api, api.client
    duty, leader = w.h("duty"), w.h("leader1")
    mine = c.post(f"/api/v1/leads/{w.lead().id}/dispatch", json={}, headers=duty).json()["tasks"][0]["id"]
    other = c.post(f"/api/v1/leads/{w.lead(subject='苏L00002/yellow').id}/dispatch", json={}, headers=duty).json()
    other_id = other["tasks"][0]["id"]
    rd2 = c.post(
        f"/api/v1/leads/{w.lead(subject='苏L00003/yellow', unit='RD2').id}/dispatch", json={}, headers=duty
    ).json()["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{mine}/assign", json={"officers": ["O1"]}, headers=leader)
    c.post(f"/api/v1/tasks/{other_id}/assign", json={"officers": ["O2"]}, headers=leader)
    assert [t["id"] for t in c.get("/api/v1/tasks", headers=w.h("O1")).json()["items"]] == [mine]
    assert c.get(f"/api/v1/tasks/{other_id}", headers=w.h("O1")).status_code == 404
    # The RD1 leader sees RD1's tasks; the command center sees all.
    assert {t["id"] for t in c.get("/api/v1/tasks", headers=leader).json()["items"]} == {mine, other_id}
    assert {t["id"] for t in c.get("/api/v1/tasks", headers=duty).json()["items"]} == {mine, other_id, rd2}
    assert c.get("/api/v1/tasks", params={"unit": "RD2"}, headers=duty).json()["total"] == 1
