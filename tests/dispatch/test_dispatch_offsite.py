"""Off-site enforcement: two distinct reviewers (行政处罚法 第四十一条), the notice to the
registered owner with a look-up code, tracking until the party comes in or the deadline passes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import SYSTEM, AuditLog
from zhifa.core.clock import SHANGHAI
from zhifa.dispatch import scanner
from zhifa.dispatch.models import Notification, OffsiteCase
from zhifa.imports import run_import
from zhifa.monitoring.models import Lead

USCC = "91320191MA1MLLDP3L"
OWNER = (
    "uscc,name,business,address,lon,lat,legal_rep,licence_no,licence_expiry,phone\n"
    f"{USCC},合肥远通货运有限公司,freight,安徽省合肥市蜀山区长江西路1号,,,周某,,,13800000009\n"
)
VEHICLE = (
    "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
    f"苏L12345,yellow,重型货车,2,{USCC},,,\n"
)


def registry(w: World) -> None:
    run_import(w.session, SYSTEM, "entities", Path("enterprises.csv"), OWNER.encode())
    run_import(w.session, SYSTEM, "entities", Path("vehicles.csv"), VEHICLE.encode())


def test_off_site_from_record_to_hand_over(api: World) -> None:
    w, c = api, api.client
    registry(w)
    duty, legal1, leader = w.h("duty"), w.h("legal1"), w.h("leader1")
    lead = w.lead(device="WIM1", events=2)
    r = c.post(f"/api/v1/leads/{lead.id}/offsite", json={"reason": "车辆已驶离，转非现场"}, headers=duty)
    assert r.status_code == 201, r.text
    case = r.json()
    cid = case["id"]
    assert (case["state"], case["unit"], case["subject"]) == ("review", "RD1", "苏L12345/yellow")
    assert w.session.get(Lead, lead.id).status == "dispatched"  # type: ignore[union-attr]
    assert c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=duty).status_code == 409

    # Review: one reviewer is not enough; the same reviewer twice does not count; a field officer
    # is no reviewer; no notice before the review is complete.
    review = {"verdict": "usable", "notes": "图像清晰，称重数据完整，设备检定有效"}
    assert c.post(f"/api/v1/offsite/{cid}/reviews", json=review, headers=w.h("O1")).status_code == 403
    r = c.post(f"/api/v1/offsite/{cid}/reviews", json=review, headers=legal1)
    assert r.status_code == 200 and r.json()["state"] == "review" and len(r.json()["reviews"]) == 1
    r = c.post(f"/api/v1/offsite/{cid}/reviews", json=review, headers=legal1)
    assert r.status_code == 409 and "different reviewer" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/offsite/{cid}/notice", json={"delivery": "sms"}, headers=duty)
    assert r.status_code == 409
    r = c.post(f"/api/v1/offsite/{cid}/reviews", json=review, headers=leader)
    assert r.status_code == 200 and r.json()["state"] == "reviewed"
    assert [x["reviewer"] for x in r.json()["reviews"]] == ["legal1", "leader1"]

    # Notice by SMS; the owner (in another city) comes from the registry.
    r = c.post(f"/api/v1/offsite/{cid}/notice", json={"delivery": "sms"}, headers=duty)
    assert r.status_code == 200, r.text
    case = r.json()
    code = case["lookup_code"]
    assert case["state"] == "notified" and len(code) == 10 and set(code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    assert case["notice_no"] == f"FXC20260601{cid:06d}"
    deadline = datetime(2026, 6, 17, 0, 0, tzinfo=SHANGHAI)  # 15 days after 1 June, to the end of the day
    assert case["deadline_at"] == deadline.isoformat()
    assert (case["owner_name"], case["owner_phone"], case["contact_masked"]) == ("合*********", "138****0009", True)
    sms = w.session.scalars(select(Notification).where(Notification.kind == "notice")).one()
    assert (sms.channel, sms.address) == ("sms", "13800000009") and code in sms.body
    assert "苏L12345（黄牌）" in sms.body and "2026年06月16日 24时前" in sms.body
    r = c.get(f"/api/v1/offsite/{cid}", headers=leader)
    assert (r.json()["owner_name"], r.json()["owner_phone"]) == ("合肥远通货运有限公司", "13800000009")
    notice = c.get(f"/api/v1/evidence/{case['notice_sha256']}", headers=duty).text
    assert (
        "苏L12345（黄牌）" in notice and code in notice and "第四十一条" in notice and "2026年06月16日 24时前" in notice
    )

    # The party looks the notice up without logging in: code and plate must both match.
    r = c.get("/api/v1/offsite/lookup", params={"code": code.lower(), "plate": "苏L12345"})
    assert r.status_code == 200 and r.json()["notice_no"] == case["notice_no"] and code in r.json()["notice"]
    assert c.get("/api/v1/offsite/lookup", params={"code": code, "plate": "苏L99999"}).status_code == 404
    assert c.get("/api/v1/offsite/lookup", params={"code": "AAAAAAAAAA", "plate": "苏L12345"}).status_code == 404

    # The deadline passes: overdue, escalated to the leader and the command center, once.
    w.clock.set(deadline - timedelta(seconds=1))
    assert scanner.scan_once(w.session).fired == []
    w.clock.set(deadline)
    assert scanner.scan_once(w.session).fired == [
        f"offsite_case:{cid}:0:notice:leader",
        f"offsite_case:{cid}:0:notice:center",
    ]
    assert scanner.scan_once(w.session).fired == []
    w.session.expire_all()
    assert w.session.get(OffsiteCase, cid).state == "overdue"  # type: ignore[union-attr]
    audiences = w.session.scalars(
        select(Notification.audience).where(
            Notification.entity_type == "offsite_case",
            Notification.kind == "escalation",
            Notification.channel == "inapp",
        )
    ).all()
    assert sorted(audiences) == ["center", "leader:RD1"]

    # The party comes in late: the hand-over point; the lead's loop closes.
    w.clock.advance(timedelta(days=1))
    w.forget_logins()
    r = c.post(f"/api/v1/offsite/{cid}/appearance", json={"note": "车主委托人到案，转立案"}, headers=w.h("duty"))
    assert r.status_code == 200 and r.json()["state"] == "appeared"
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "closed"  # type: ignore[union-attr]
    states = w.session.scalars(
        select(AuditLog.after)
        .where(AuditLog.entity_type == "offsite_case", AuditLog.action == "transition")
        .order_by(AuditLog.id)
    ).all()
    assert [s["state"] for s in states] == ["reviewed", "notified", "overdue", "appeared"]
    w.clock.advance(timedelta(minutes=1))  # figures cover [since, until = now)
    figures = c.get(
        "/api/v1/dispatch/figures", params={"since": "2026-05-01T00:00:00+08:00"}, headers=w.h("analyst")
    ).json()
    assert figures["offsite"] | {"by_state": None} == {
        "cases": 1,
        "by_state": None,
        "handed_over_offsite": 1,
        "handed_over_on_site": 0,
        "offsite_share": 1.0,
    }


def test_an_unusable_record_goes_back_to_the_queue(api: World) -> None:
    w, c = api, api.client
    lead = w.lead(device="WIM1")
    cid = c.post(f"/api/v1/leads/{lead.id}/offsite", json={}, headers=w.h("duty")).json()["id"]
    r = c.post(
        f"/api/v1/offsite/{cid}/reviews",
        json={"verdict": "unusable", "notes": "车牌被遮挡，无法辨认"},
        headers=w.h("legal2"),
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "confirmed"  # type: ignore[union-attr]
    # Then on site after all.
    assert c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=w.h("duty")).status_code == 201


def test_only_reviewed_devices_records_go_off_site(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    unreviewed = w.lead(device="CAM9", usable=False, subject="苏L54321/blue")
    r = c.post(f"/api/v1/leads/{unreviewed.id}/offsite", json={}, headers=duty)
    assert r.status_code == 409 and "第四十一条" in r.json()["error"]["message"]
    person = c.post(
        "/api/v1/hotline", json={"source": "patrol", "content": "x", "matter": "road.overload"}, headers=w.h("O1")
    ).json()
    r = c.post(f"/api/v1/leads/{person['lead']}/offsite", json={}, headers=duty)
    assert r.status_code == 409 and "weigh-in-motion or camera" in r.json()["error"]["message"]


def test_notice_needs_an_owner_and_a_way_to_reach_him(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    lead = w.lead(device="WIM1", subject="苏L77777/yellow")  # not in the registry
    cid = c.post(f"/api/v1/leads/{lead.id}/offsite", json={}, headers=duty).json()["id"]
    for who in ("legal1", "legal2"):
        c.post(f"/api/v1/offsite/{cid}/reviews", json={"verdict": "usable", "notes": "符合要求"}, headers=w.h(who))
    r = c.post(f"/api/v1/offsite/{cid}/notice", json={"delivery": "post"}, headers=duty)
    assert r.status_code == 422 and r.json()["error"]["field"] == "owner_name"
    r = c.post(f"/api/v1/offsite/{cid}/notice", json={"delivery": "post", "owner_name": "王某"}, headers=duty)
    assert r.status_code == 422 and r.json()["error"]["field"] == "owner_address"
    body = {"delivery": "post", "owner_name": "王某", "owner_address": "山东省临沂市兰山区", "post_tracking_no": "EMS1"}
    r = c.post(f"/api/v1/offsite/{cid}/notice", json=body, headers=duty)
    assert r.status_code == 200 and r.json()["delivery"] == "post" and r.json()["post_tracking_no"] == "EMS1"
    assert w.session.scalars(select(Notification).where(Notification.kind == "notice")).all() == []
    # Cancelled with a reason: the lead returns to the queue.
    r = c.post(f"/api/v1/offsite/{cid}/cancel", json={"reason": "车辆登记信息有误"}, headers=duty)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    w.session.expire_all()
    assert w.session.get(Lead, lead.id).status == "confirmed"  # type: ignore[union-attr]
