"""Leads from people: 12345 / 12328 hotline reports and patrol reports — routed like any lead,
the caller's contact masked to those who need not see it, the reply deadline tracked, the result
sent back when the loop closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog
from zhifa.core.clock import SHANGHAI
from zhifa.dispatch import scanner
from zhifa.dispatch.models import HotlineReport, Notification
from zhifa.monitoring.models import Lead

CALL = {
    "source": "12345",
    "ticket_no": "ZJ12345-20260601-0001",
    "caller_name": "张三丰",
    "caller_phone": "139 1234 5678",
    "content": "G312 称重点附近有大货车夜间超载行驶",
    "matter": "road.overload",
    "at": "119.35,32.2",
    "location_text": "G312 称重点东侧",
}
#: Received Monday 1 June 10:00: five working days, the day of the call not counted → end of Monday 8 June.
REPLY_DUE = datetime(2026, 6, 9, 0, 0, tzinfo=SHANGHAI)


def test_a_hotline_call_becomes_a_routed_lead_with_masked_contact(api: World) -> None:
    w, c = api, api.client
    duty = w.h("duty")
    r = c.post("/api/v1/hotline", json=CALL, headers=duty)
    assert r.status_code == 201, r.text
    rep = r.json()
    # The duty officer needs the content, not the caller's identity.
    assert (rep["caller_name"], rep["caller_phone"], rep["contact_masked"]) == ("张**", "139****5678", True)
    assert rep["reply_due"] == REPLY_DUE.isoformat() and rep["replied_at"] is None
    lead = w.session.get(Lead, rep["lead"])
    assert lead is not None
    assert (lead.kind, lead.status, lead.unit_code, lead.matter) == ("complaint", "new", "RD1", "road.overload")
    assert lead.usable_as_evidence is False and "路政一大队" in (lead.routing_reason or "")
    assert "139" not in str(lead.details) and "张" not in str(lead.details)
    queue = c.get("/api/v1/dispatch/queue", headers=duty).json()
    assert [(x["id"], x["hotline"]) for x in queue] == [(lead.id, "12345")]

    # A leader (personal-data role) sees the contact; the read is audited.
    r = c.get(f"/api/v1/hotline/{rep['id']}", headers=w.h("leader1"))
    assert (r.json()["caller_name"], r.json()["caller_phone"]) == ("张三丰", "13912345678")
    reads = w.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "hotline_report", AuditLog.action == "read")
    ).all()
    assert [(a.actor, a.entity_id) for a in reads] == [("leader1", str(rep["id"]))]
    # Another unit's leader does not see it at all; the audit of the creation holds no raw phone.
    assert c.get(f"/api/v1/hotline/{rep['id']}", headers=w.h("leader2")).status_code == 404
    created = w.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "hotline_report", AuditLog.action == "create")
    ).one()
    assert created.after["caller_phone"] == "139****5678"

    # The same ticket twice is refused; bad input names its field.
    assert c.post("/api/v1/hotline", json=CALL, headers=duty).status_code == 409
    for change, field in (
        ({"ticket_no": None}, "ticket_no"),
        ({"caller_phone": "call me"}, "caller_phone"),
        ({"matter": "road.nope"}, "matter"),
        ({"at": "somewhere"}, "at"),
        ({"content": "  "}, "content"),
    ):
        r = c.post("/api/v1/hotline", json=CALL | {"ticket_no": f"T-{field}"} | change, headers=duty)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (change, r.text)
    # Hotline calls are entered by the command center.
    assert c.post("/api/v1/hotline", json=CALL | {"ticket_no": "T-x"}, headers=w.h("O1")).status_code == 403


def test_the_caller_gets_the_result_when_the_loop_closes(api: World) -> None:
    w, c = api, api.client
    duty, o1 = w.h("duty"), w.h("O1")
    rep = c.post("/api/v1/hotline", json=CALL, headers=duty).json()
    r = c.post(f"/api/v1/leads/{rep['lead']}/dispatch", json={"kind": "complaint"}, headers=duty)
    tid = r.json()["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1"]}, headers=w.h("leader1"))
    for to in ("accepted", "en_route", "on_scene"):
        assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": to}, headers=o1).status_code == 200
    c.post(f"/api/v1/tasks/{tid}/feedback", json={"outcome": "not_found", "notes": "蹲守两小时未见超载车"}, headers=o1)
    w.clock.advance(timedelta(days=2))
    w.forget_logins()
    assert c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "closed"}, headers=w.h("duty")).status_code == 200
    report = w.session.get(HotlineReport, rep["id"])
    assert report is not None and report.replied_at == w.clock.now() and report.reply_on_time is True
    assert "未发现违法" in (report.reply_text or "") and "ZJ12345-20260601-0001" in (report.reply_text or "")
    sms = w.session.scalars(select(Notification).where(Notification.kind == "reply")).one()
    assert (sms.channel, sms.address, sms.audience, sms.state) == (
        "sms",
        "13912345678",
        f"caller:{rep['id']}",
        "pending",
    )
    scanner.scan_once(w.session)
    w.session.refresh(sms)
    assert sms.state == "sent"
    # Answered: the deadline no longer escalates.
    w.clock.set(REPLY_DUE + timedelta(days=1))
    assert scanner.scan_once(w.session).fired == []


def test_the_reply_deadline_is_tracked_like_any_sla(api: World) -> None:
    w, c = api, api.client
    rep = c.post("/api/v1/hotline", json=CALL | {"source": "12328"}, headers=w.h("duty")).json()
    assert rep["reply_due"] == REPLY_DUE.isoformat()  # 12328: 5 working days too (local setting)
    w.clock.set(REPLY_DUE - timedelta(hours=24, seconds=1))
    assert scanner.scan_once(w.session).fired == []
    w.clock.set(REPLY_DUE - timedelta(hours=24))
    assert scanner.scan_once(w.session).fired == [f"hotline_report:{rep['id']}:0:reply:remind"]
    w.clock.set(REPLY_DUE)
    assert scanner.scan_once(w.session).fired == [f"hotline_report:{rep['id']}:0:reply:center"]
    assert scanner.scan_once(w.session).fired == []
    got = w.session.execute(
        select(Notification.step, Notification.channel, Notification.audience)
        .where(Notification.entity_type == "hotline_report")
        .order_by(Notification.id)
    ).all()
    assert [tuple(x) for x in got] == [
        ("remind", "inapp", "center"),
        ("center", "inapp", "center"),
        ("center", "inapp", "leader:RD1"),
        ("center", "sms", "center"),
    ]
    # The command center answers (late); a second answer is refused.
    w.clock.advance(timedelta(minutes=1))
    w.forget_logins()
    duty = w.h("duty")
    r = c.post(f"/api/v1/hotline/{rep['id']}/reply", json={"text": "已转路政一大队核查，结果另行告知"}, headers=duty)
    assert r.status_code == 200 and r.json()["reply_on_time"] is False
    assert c.post(f"/api/v1/hotline/{rep['id']}/reply", json={"text": "again"}, headers=duty).status_code == 409
    open_reports = c.get("/api/v1/hotline", params={"open": True}, headers=duty).json()
    assert open_reports == []


def test_the_deadline_setting_is_read_when_the_call_is_entered(api: World) -> None:
    w, c = api, api.client
    r = c.patch(
        "/api/v1/dispatch/settings", json={"hotline_reply_working_days": {"12345": 3, "12328": 5}}, headers=w.h("admin")
    )
    assert r.status_code == 200
    rep = c.post("/api/v1/hotline", json=CALL, headers=w.h("duty")).json()
    assert rep["reply_due"] == datetime(2026, 6, 5, 0, 0, tzinfo=SHANGHAI).isoformat()  # Tue, Wed, Thu
    r = c.patch("/api/v1/dispatch/settings", json={"hotline_reply_working_days": {"12345": 0}}, headers=w.h("admin"))
    assert r.status_code == 400 and "hotline_reply_working_days" in r.json()["error"]["message"]


def test_a_patrol_officers_own_report(api: World) -> None:
    w, c = api, api.client
    body = {"source": "patrol", "content": "S243 路肩堆放砂石", "matter": "road.encroachment"}
    r = c.post("/api/v1/hotline", json=body, headers=w.h("O1"))
    assert r.status_code == 201, r.text
    rep = r.json()
    assert rep["reply_due"] is None and rep["reported_by"] == "O1"
    lead = w.session.get(Lead, rep["lead"])
    assert lead is not None and (lead.kind, lead.unit_code, lead.routing_mode) == ("patrol_report", "RD1", "reporter")
    # The reporting officer may read his own report; with a location, routing decides.
    assert c.get(f"/api/v1/hotline/{rep['id']}", headers=w.h("O1")).status_code == 200
    r = c.post("/api/v1/hotline", json=body | {"at": "S243 K3+000"}, headers=w.h("O1"))
    lead = w.session.get(Lead, r.json()["lead"])
    assert lead is not None and lead.unit_code == "RD2"


def test_the_reply_deadline_counts_holidays_and_make_up_days(api: World) -> None:
    """On the legal calendar (seeded with the official 2026 schedule): a call on Monday 28 September
    2026 — the 29th and 30th count, 1-7 October are the National Day holiday, Thursday 8 and Friday
    9 count, and Saturday 10 October is a make-up working day (调休): the fifth."""
    w, c = api, api.client
    w.clock.set(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
    w.forget_logins()
    rep = c.post("/api/v1/hotline", json=CALL, headers=w.h("duty")).json()
    assert rep["reply_due"] == datetime(2026, 10, 11, 0, 0, tzinfo=SHANGHAI).isoformat()
    assert rep["reply_due_basis"] == "5 working days (legal calendar)"


def test_without_a_holiday_schedule_the_deadline_says_it_counted_weekdays(api: World) -> None:
    w, c = api, api.client
    w.clock.set(datetime(2030, 6, 3, 10, 0, tzinfo=SHANGHAI))  # a Monday in a year nobody scheduled
    w.forget_logins()
    rep = c.post("/api/v1/hotline", json=CALL, headers=w.h("duty")).json()
    assert rep["reply_due"] == datetime(2030, 6, 11, 0, 0, tzinfo=SHANGHAI).isoformat()
    assert rep["reply_due_basis"] == "5 working days, weekdays only: no holiday schedule entered for 2030"
