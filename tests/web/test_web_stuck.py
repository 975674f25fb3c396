"""The stuck-events page (滞留事件, ``/monitoring/stuck``) and the list it reads,
``GET /api/v1/events/stuck``: who opens the page and what each role gets from the list, the
fields the page needs (event time with its offset, ``given_up``, the device's name), the 500-row
cut announced in the headers, and the retry's refusal of bad ids. The page in a browser — an
administrator queues a given-up event again — is ``test_browser_stuck.py``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tests.helpers import load_small_map, login, make_user
from tests.web.test_web_monitoring import DEVICES
from zhifa.core.audit import SYSTEM
from zhifa.imports import run_import
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.service import STUCK_LIMIT
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device, Event
from zhifa.web import pages

NOW = datetime(2026, 6, 10, tzinfo=UTC)


def _boot(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="zhifa-boot">(.*?)</script>', html, re.S)
    assert m
    return dict(json.loads(m.group(1)))


def _wim(event_id: str, device: str, time: str = "2026-06-01T10:00:00+08:00") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "wim",
        "device": device,
        "time": time,
        "plate": "苏L12345",
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": 12000,
    }


@pytest.fixture()
def world(session: Session, clock: Any) -> dict[str, str]:
    """The small map, WIM1 and WIM2 (owned by two units), and users: an administrator, a duty
    officer, the leader of WIM1's unit and an officer of no unit. Answers each device's unit."""
    clock.set(NOW)  # events more than 5 min ahead are refused
    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
    session.flush()
    owners = {code: unit for code, unit in session.execute(select(Device.code, Device.unit_code))}
    assert owners["WIM1"] and owners["WIM2"] and owners["WIM1"] != owners["WIM2"]
    make_user(session)
    make_user(session, "duty", ("duty_officer",), "CC")
    make_user(session, "leader1", ("leader",), owners["WIM1"])
    make_user(session, "loner", ("officer",))
    session.flush()
    return owners


def _events(session: Session, rows: list[tuple[str, str, int, str | None]]) -> dict[str, int]:
    """Events posted by the devices, then as the worker leaves them: ``(event id, device,
    attempts, last error)`` — attempts 0 and no error: done. Answers the database ids."""
    sensing.ingest(
        session,
        json.dumps([_wim(eid, device) for eid, device, _, _ in rows], ensure_ascii=False).encode(),
        actor=SYSTEM,
    )
    session.flush()
    ids = dict(session.execute(select(Event.event_id, Event.id)).all())
    for eid, _, attempts, error in rows:
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if not attempts:
            values |= {"status": "done", "processed_at": NOW}
        session.execute(update(Event).where(Event.id == ids[eid]).values(**values))
    session.flush()
    return ids


def _cookie_login(client: Any, username: str) -> None:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": "correct-horse-battery"})
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------- the page


def test_the_page_for_an_administrator_with_a_stuck_event(client: Any, session: Session, world: dict[str, str]) -> None:
    ids = _events(session, [("w-stuck", "WIM1", monitoring.MAX_ATTEMPTS, "RuntimeError: rule exploded")])
    _cookie_login(client, "admin")
    r = client.get("/monitoring/stuck")
    assert r.status_code == 200, r.text
    html = r.text
    assert "<h1>滞留事件</h1>" in html and "<title>滞留事件 · " in html
    for label in ("设备事件编号", "事件时间（北京时间）", "处理次数", "最近一次错误", "状态", "重新排队", "刷新"):
        assert f">{label}<" in html, label
    assert f"最多 {monitoring.MAX_ATTEMPTS} 次" in html
    # In the navigation beside the other monitoring pages, marked as the current one.
    assert re.search(r'<a href="/monitoring/leads" data-nav="monitoring-leads"\s*>线索</a>', html)
    assert (
        '<a href="/monitoring/stuck" data-nav="monitoring-stuck" class="active" aria-current="page">滞留事件</a>'
        in html
    )
    assert pages.static_url("js/stuck.js") in html and pages.static_url("css/stuck.css") in html
    boot = _boot(html)
    assert boot["active"] == "monitoring-stuck"
    assert boot["page"] == {"max_attempts": monitoring.MAX_ATTEMPTS, "retry_roles": ["admin"]}
    assert boot["messages"]["No stuck events"] == "没有滞留事件"
    assert boot["messages"]["Given up"] == "已放弃" and boot["messages"]["Retrying automatically"] == "自动重试中"

    # The list the page reads holds the event (the browser test shows it drawn).
    [row] = client.get("/api/v1/events/stuck").json()
    assert (row["id"], row["event_id"], row["given_up"]) == (ids["w-stuck"], "w-stuck", True)

    client.cookies.set("zhifa_lang", "en")
    html = client.get("/monitoring/stuck").text
    assert "<h1>Stuck events</h1>" in html and ">Sender&#39;s event ID<" in html and ">Retry<" in html


def test_the_page_needs_a_login(client: Any) -> None:
    r = client.get("/monitoring/stuck", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/monitoring/stuck")
    r = client.get("/api/v1/events/stuck")
    assert r.status_code == 401 and r.json()["error"]["message_zh"] == "请先登录"


@pytest.mark.parametrize("username", ["duty", "leader1", "loner"])
def test_other_roles_open_the_page_without_the_retry(
    client: Any, session: Session, world: dict[str, str], username: str
) -> None:
    """Like the other monitoring pages, every logged-in user opens it (the API scopes the list);
    the retry is the administrators' (``retry_roles``), and the API refuses it to the others."""
    ids = _events(session, [("w-stuck", "WIM1", monitoring.MAX_ATTEMPTS, "RuntimeError: x")])
    _cookie_login(client, username)
    r = client.get("/monitoring/stuck")
    assert r.status_code == 200 and 'data-testid="page-forbidden"' not in r.text
    boot = _boot(r.text)
    assert boot["page"]["retry_roles"] == ["admin"] and "admin" not in boot["user"]["roles"]
    r = client.post("/api/v1/events/stuck/retry", json={"ids": [ids["w-stuck"]]})
    assert r.status_code == 403 and r.json()["error"]["message_zh"] == "需要角色：系统管理员"
    assert session.scalars(select(Event.attempts).where(Event.id == ids["w-stuck"])).one() == monitoring.MAX_ATTEMPTS


# --------------------------------------------------------------------------- the list


def test_the_list_gives_what_the_page_shows(client: Any, session: Session, world: dict[str, str]) -> None:
    ids = _events(
        session,
        [
            ("w-done", "WIM1", 0, None),  # processed: not stuck
            ("w-given-up", "WIM1", monitoring.MAX_ATTEMPTS, "KeyError: 'axles'"),
            ("w-retrying", "WIM2", monitoring.MAX_ATTEMPTS - 1, "RuntimeError: rule exploded"),
            ("w-over", "WIM2", monitoring.MAX_ATTEMPTS + 2, "ValueError: " + "x" * 1500),
        ],
    )
    _events(session, [("w-pending", "WIM1", 0, None)])
    session.execute(update(Event).where(Event.event_id == "w-pending").values(status="pending", processed_at=None))
    r = client.get("/api/v1/events/stuck", headers=login(client))
    assert r.status_code == 200
    assert (r.headers["x-total-count"], r.headers["x-truncated"]) == ("3", "false")
    body = r.json()
    assert [x["event_id"] for x in body] == ["w-given-up", "w-retrying", "w-over"]  # oldest first
    given_up, retrying, over = body
    assert given_up == {
        # the fields the list always had ...
        "id": ids["w-given-up"],
        "device": "WIM1",
        "event_id": "w-given-up",
        "type": "wim",
        "attempts": monitoring.MAX_ATTEMPTS,
        "last_error": "KeyError: 'axles'",
        # ... and those the page needs
        "device_name": "G312 称重点",
        "event_time": "2026-06-01T02:00:00+00:00",
        "given_up": True,
    }
    # ISO 8601 with its offset: the same instant as the device sent (10:00 Beijing time).
    assert datetime.fromisoformat(given_up["event_time"]) == datetime.fromisoformat("2026-06-01T10:00:00+08:00")
    assert (retrying["attempts"], retrying["given_up"]) == (monitoring.MAX_ATTEMPTS - 1, False)
    assert over["given_up"] is True and len(over["last_error"]) == len("ValueError: ") + 1500  # whole, not cut


def test_each_role_gets_the_stuck_events_of_its_units_devices(
    client: Any, session: Session, world: dict[str, str]
) -> None:
    """As the live feed: a leader or an officer gets the events of the devices their units own;
    the detachment-wide roles and administrators every device's."""
    _events(
        session,
        [("w1", "WIM1", monitoring.MAX_ATTEMPTS, "RuntimeError: a"), ("w2", "WIM2", 2, "RuntimeError: b")],
    )
    seen = {}
    for username in ("admin", "duty", "leader1", "loner"):
        r = client.get("/api/v1/events/stuck", headers=login(client, username))
        assert r.status_code == 200, username
        seen[username] = ([x["event_id"] for x in r.json()], r.headers["x-total-count"])
    assert seen == {
        "admin": (["w1", "w2"], "2"),
        "duty": (["w1", "w2"], "2"),
        "leader1": (["w1"], "1"),  # WIM1's unit only
        "loner": ([], "0"),  # no unit: no device
    }


def test_the_list_is_cut_at_500_and_says_so(client: Any, session: Session, world: dict[str, str]) -> None:
    assert STUCK_LIMIT == 500
    base = {
        "type": "wim",
        "event_time": NOW - timedelta(hours=1),
        "received_at": NOW - timedelta(hours=1),
        "payload": {"axles": 2, "gross_kg": 12000},
        "status": "pending",
        "last_error": "RuntimeError: rule exploded",
    }

    def add(device: str, n: int, start: int) -> None:
        session.execute(
            insert(Event),
            [base | {"device_code": device, "event_id": f"bulk-{start + i}", "attempts": 1 + i % 5} for i in range(n)],
        )
        session.flush()

    add("WIM1", STUCK_LIMIT, 0)
    h = login(client)
    r = client.get("/api/v1/events/stuck", headers=h)
    assert len(r.json()) == STUCK_LIMIT
    assert (r.headers["x-total-count"], r.headers["x-truncated"]) == ("500", "false")

    add("WIM2", 2, STUCK_LIMIT)  # two more, on the other unit's device
    r = client.get("/api/v1/events/stuck", headers=h)
    body = r.json()
    assert len(body) == STUCK_LIMIT and body[0]["event_id"] == "bulk-0" and body[-1]["event_id"] == "bulk-499"
    assert (r.headers["x-total-count"], r.headers["x-truncated"]) == ("502", "true")
    assert sum(x["given_up"] for x in body) == STUCK_LIMIT // 5  # attempts 5 in every fifth

    # The leader of WIM1's unit: 500 of his, nothing cut — the other device's two are not his.
    r = client.get("/api/v1/events/stuck", headers=login(client, "leader1"))
    assert (len(r.json()), r.headers["x-total-count"], r.headers["x-truncated"]) == (STUCK_LIMIT, "500", "false")


# --------------------------------------------------------------------------- the retry's input


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"ids": [0]}, 422, "ids.0"),
        ({"ids": [5, -1]}, 422, "ids.1"),
        ({"ids": [2**63]}, 422, "ids.0"),  # beyond a 64-bit id: refused, not a database error
        ({"ids": ["x"]}, 422, "ids.0"),
        ({"ids": 7}, 422, "ids"),
        ({}, 422, "ids"),
        ({"ids": []}, 400, None),
        ({"ids": list(range(1, 1002))}, 400, None),
    ],
)
def test_bad_retry_requests_get_a_clear_error(
    client: Any, session: Session, body: dict[str, Any], status: int, field: str | None
) -> None:
    make_user(session)
    r = client.post("/api/v1/events/stuck/retry", json=body, headers=login(client))
    assert r.status_code == status, r.text
    error = r.json()["error"]
    if status == 422:
        assert error["field"] == field and error["message"].startswith(f"{field}: ")
    else:
        assert error["message"] == "ids: give 1 to 1,000 event ids" and error["message_zh"].startswith("ids：")
