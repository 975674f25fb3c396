"""The SLA scanner with the clock advanced: a reminder before each due time, escalation to the
unit's leader and then the command center, each exactly once however often the scanner runs;
in-app, webhook and SMS channels."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.dispatch.conftest import World
from zhifa.core.audit import AuditLog
from zhifa.dispatch import notify, scanner
from zhifa.dispatch.models import Notification, Task


@pytest.fixture()
def sms() -> Iterator[notify.LoggingSmsAdapter]:
    adapter = notify.LoggingSmsAdapter()
    previous = notify.get_sms_adapter()
    notify.set_sms_adapter(adapter)
    try:
        yield adapter
    finally:
        notify.set_sms_adapter(previous)


def rows(w: World, entity_id: int | None = None) -> list[tuple[str | None, str | None, int, str, str, str | None]]:
    q = select(Notification).order_by(Notification.id)
    if entity_id is not None:
        q = q.where(Notification.entity_type == "task", Notification.entity_id == entity_id)
    return [(n.stage, n.step, n.round, n.channel, n.audience, n.address) for n in w.session.scalars(q)]


def scan(w: World, times: int = 3) -> list[str]:
    """Run the scanner several times at the same instant; the steps fired (only the first run
    may fire anything)."""
    fired: list[str] = []
    for i in range(times):
        r = scanner.scan_once(w.session)
        if i > 0:
            assert r.fired == [], f"run {i + 1} fired again: {r.fired}"
        fired += r.fired
    return fired


def test_reminder_then_leader_then_center_each_exactly_once(api: World, sms: notify.LoggingSmsAdapter) -> None:
    w, c = api, api.client
    duty, leader = w.h("duty"), w.h("leader1")
    lead = w.lead()
    # inspection / normal: accept 30 min, arrive 120 min, feedback 1440 min; remind 10 min before;
    # the command center 60 min after the due time.
    tid = c.post(f"/api/v1/leads/{lead.id}/dispatch", json={}, headers=duty).json()["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1"]}, headers=leader)

    assert scan(w) == []
    w.clock.advance(timedelta(minutes=19, seconds=59))
    assert scan(w) == []
    w.clock.advance(timedelta(seconds=1))  # 20 min: 10 min before the acceptance is due
    assert scan(w) == [f"task:{tid}:0:accept:remind"]
    assert rows(w, tid) == [("accept", "remind", 0, "inapp", "leader:RD1", None)]

    w.clock.advance(timedelta(minutes=10))  # 30 min: overdue → the unit's leader (in-app and SMS)
    assert scan(w) == [f"task:{tid}:0:accept:leader"]
    assert rows(w, tid)[1:] == [
        ("accept", "leader", 0, "inapp", "leader:RD1", None),
        ("accept", "leader", 0, "sms", "leader:RD1", "13900000101"),
    ]

    w.clock.advance(timedelta(minutes=60))  # 90 min: still not accepted → the command center
    assert scan(w) == [f"task:{tid}:0:accept:center"]
    assert rows(w, tid)[3:] == [
        ("accept", "center", 0, "inapp", "center", None),
        ("accept", "center", 0, "sms", "center", "13900000201"),
    ]

    w.clock.advance(timedelta(minutes=5))
    r = c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "accepted"}, headers=leader)
    assert r.json()["on_time"]["accept"] is False and r.json()["overdue"] == []
    w.clock.advance(timedelta(minutes=15))  # 110 min: arrival reminder, to the assigned officer
    assert scan(w) == [f"task:{tid}:0:arrive:remind"]
    assert rows(w, tid)[5:] == [("arrive", "remind", 0, "inapp", "officer:O1", None)]
    c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "en_route"}, headers=w.h("O1"))
    c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "on_scene"}, headers=w.h("O1"))

    # Much later, the scanner (down meanwhile) wakes up: arrival was met, so no arrival escalation;
    # the feedback reminder is too late to send; both feedback escalations fire, once.
    w.clock.advance(timedelta(hours=30))
    assert scan(w) == [f"task:{tid}:0:feedback:leader", f"task:{tid}:0:feedback:center"]
    assert scan(w) == []
    assert [(s, k) for s, k, *_ in rows(w, tid)[6:]] == [
        ("feedback", "leader"),
        ("feedback", "leader"),
        ("feedback", "center"),
        ("feedback", "center"),
    ]
    task = w.session.get(Task, tid)
    assert task is not None and task.next_reminder_at is None

    # Every fired step has exactly one audit row, by the system.
    audits = w.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "task", AuditLog.entity_id == str(tid), AuditLog.actor == "system")
        .order_by(AuditLog.id)
    ).all()
    assert [(a.action, a.after["stage"], a.after["step"]) for a in audits] == [
        ("remind", "accept", "remind"),
        ("escalate", "accept", "leader"),
        ("escalate", "accept", "center"),
        ("remind", "arrive", "remind"),
        ("escalate", "feedback", "leader"),
        ("escalate", "feedback", "center"),
    ]
    # The SMS rows went through the adapter once each (the logging adapter: recorded, not sent).
    assert [m[0] for m in sms.messages] == ["13900000101", "13900000201", "13900000101", "13900000201"]
    sent = w.session.scalars(select(Notification).where(Notification.channel == "sms")).all()
    assert len(sent) == 4
    assert all(n.state == "sent" and n.attempts == 1 and (n.provider or "").startswith("logging:") for n in sent)

    # In the UI: each user sees what is addressed to him.
    w.forget_logins()  # 31 h later: the morning's tokens have expired
    duty = w.h("duty")

    def titles(user: str) -> list[tuple[str, str]]:
        return [(n["stage"], n["step"]) for n in c.get("/api/v1/notifications", headers=w.h(user)).json()]

    assert titles("leader1") == [("feedback", "leader"), ("accept", "leader"), ("accept", "remind")]
    assert titles("O1") == [("arrive", "remind")]
    assert titles("duty") == [("feedback", "center"), ("accept", "center")]
    assert titles("leader2") == [] and titles("O2") == []
    first = c.get("/api/v1/notifications", headers=w.h("O1")).json()[0]
    assert c.post(f"/api/v1/notifications/{first['id']}/read", headers=w.h("O2")).status_code == 404
    r = c.post(f"/api/v1/notifications/{first['id']}/read", headers=w.h("O1"))
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert c.get("/api/v1/notifications", params={"unread": True}, headers=w.h("O1")).json() == []
    # Delivery state of SMS is for administrators, with the number masked to non-PII roles.
    assert c.get("/api/v1/notifications", params={"channel": "sms"}, headers=duty).status_code == 403
    admin_view = c.get("/api/v1/notifications", params={"channel": "sms"}, headers=w.h("admin")).json()
    assert {n["address"] for n in admin_view} == {"13900000101", "13900000201"}


def test_a_stale_scanner_changes_nothing(world: World) -> None:
    """The compare-and-set: a scanner that decided on an old cursor loses and writes nothing."""
    from zhifa.core.audit import SYSTEM
    from zhifa.dispatch import service

    w = world
    task = service.dispatch_lead(w.session, _duty(), w.lead().id)[0]
    w.clock.advance(timedelta(minutes=20))
    seen_cursor, seen_state = task.sla_cursor, task.state
    assert scanner.scan_once(w.session).fired == [f"task:{task.id}:0:accept:remind"]
    stale = (
        update(Task)
        .where(Task.id == task.id, Task.sla_cursor == seen_cursor, Task.state == seen_state)
        .values(sla_cursor=seen_cursor + 1)
    )
    assert scanner._compare_and_set(w.session, stale) == 0
    # A transition in between (state changed) also makes the scanner's update miss.
    w.session.refresh(task)
    cursor = task.sla_cursor
    service.transition_task(w.session, SYSTEM, task.id, "accepted")
    assert (
        scanner._compare_and_set(
            w.session,
            update(Task)
            .where(Task.id == task.id, Task.sla_cursor == cursor, Task.state == "dispatched")
            .values(sla_cursor=99),
        )
        == 0
    )
    # And the unique key refuses a second row for the same step even if asked directly.
    msg = notify.Message("reminder", "task", task.id, "t", "b", stage="accept", step="remind")
    assert notify.emit(w.session, msg, [notify.Target("leader:RD1", "inapp")]) == []
    assert w.session.scalar(select(Notification.id).where(Notification.entity_id == task.id)) is not None


def _duty() -> Any:
    from zhifa.core.audit import Actor

    return Actor(username="duty", roles=frozenset({"duty_officer"}), unit_code="CC")


def test_a_returned_task_is_reminded_again_in_its_new_round(api: World) -> None:
    w, c = api, api.client
    duty, o1 = w.h("duty"), w.h("O1")
    tid = c.post(f"/api/v1/leads/{w.lead().id}/dispatch", json={}, headers=duty).json()["tasks"][0]["id"]
    c.post(f"/api/v1/tasks/{tid}/assign", json={"officers": ["O1"]}, headers=w.h("leader1"))
    w.clock.advance(timedelta(minutes=20))
    assert scan(w) == [f"task:{tid}:0:accept:remind"]
    for to in ("accepted", "en_route", "on_scene"):
        c.post(f"/api/v1/tasks/{tid}/transition", json={"to": to}, headers=o1)
    c.post(f"/api/v1/tasks/{tid}/feedback", json={"outcome": "not_found", "notes": "未发现"}, headers=o1)
    c.post(f"/api/v1/tasks/{tid}/transition", json={"to": "returned", "reason": "核查不全"}, headers=duty)
    w.clock.advance(timedelta(minutes=20))
    assert scan(w) == [f"task:{tid}:1:accept:remind"]
    assert rows(w, tid)[-1] == ("accept", "remind", 1, "inapp", "leader:RD1", None)


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def hook() -> Iterator[tuple[str, type[_Hook]]]:
    class Hook(_Hook):
        received: list[tuple[dict[str, str], dict[str, Any]]] = []
        status = 200

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/zhifa", Hook
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_delivery_with_retries(api: World, hook: tuple[str, type[_Hook]]) -> None:
    w, c = api, api.client
    url, Hook = hook
    assert c.patch("/api/v1/dispatch/settings", json={"webhook_url": url}, headers=w.h("duty")).status_code == 403
    r = c.patch("/api/v1/dispatch/settings", json={"webhook_url": url, "webhook_max_attempts": 2}, headers=w.h("admin"))
    assert r.status_code == 200 and r.json()["webhook_url"] == url
    change = w.session.scalars(select(AuditLog).where(AuditLog.entity_type == "dispatch_settings")).one()
    assert change.before == {"webhook_url": "", "webhook_max_attempts": 5}
    assert change.after == {"webhook_url": url, "webhook_max_attempts": 2}

    tid = c.post(f"/api/v1/leads/{w.lead().id}/dispatch", json={}, headers=w.h("duty")).json()["tasks"][0]["id"]
    w.clock.advance(timedelta(minutes=20))
    report = scanner.scan_once(w.session)
    assert report.delivered == {"sent": 1, "retry": 0, "failed": 0}
    assert len(Hook.received) == 1
    headers, body = Hook.received[0]
    assert body["entity"] == {"type": "task", "id": tid} and (body["stage"], body["step"]) == ("accept", "remind")
    assert headers["Idempotency-Key"] == f"task:{tid}:r0:accept:remind:webhook:webhook"

    # The receiver fails: the attempt is recorded and retried after 30 s, then given up.
    Hook.status = 500
    w.clock.advance(timedelta(minutes=10))
    # The escalation to the leader: the webhook fails; the SMS to the leader's phone goes out.
    assert scanner.scan_once(w.session).delivered == {"sent": 1, "retry": 1, "failed": 0}
    n = w.session.scalars(
        select(Notification).where(Notification.channel == "webhook", Notification.step == "leader")
    ).one()
    assert (n.state, n.attempts, n.last_error) == ("pending", 1, "HTTP 500")
    assert n.next_attempt_at == w.clock.now() + timedelta(seconds=30)
    assert scanner.scan_once(w.session).delivered == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    w.clock.advance(timedelta(seconds=30))
    assert scanner.scan_once(w.session).delivered == {"sent": 0, "retry": 0, "failed": 1}
    w.session.refresh(n)
    assert (n.state, n.attempts, n.next_attempt_at) == ("failed", 2, None)
    assert len(Hook.received) == 3


def test_webhook_to_nowhere_is_a_failed_attempt(world: World) -> None:
    from zhifa.dispatch.config import DispatchConfig

    msg = notify.Message("reminder", "task", 1, "t", "b", stage="accept", step="remind")
    cfg = DispatchConfig(webhook_url="http://127.0.0.1:9/nothing", webhook_timeout_s=1.0)
    [row] = notify.emit(world.session, msg, notify.targets([], cfg))
    assert notify.deliver_pending(world.session, cfg) == {"sent": 0, "retry": 1, "failed": 0}
    assert row.attempts == 1 and row.state == "pending" and row.last_error
