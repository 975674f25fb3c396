"""The monitoring pages (监测预警) on the server side: the page shells, the lead JSON helper
``/web/api/leads/{id}``, and the live feed's cursor logic (``zhifa.web.live``) against the
database. The stream itself is tested against a real server in ``test_browser_monitoring.py``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import load_small_map
from zhifa.core.audit import SYSTEM
from zhifa.imports import run_import
from zhifa.monitoring import rules
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.models import Lead
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device, Event
from zhifa.web import i18n, live, pages

DEVICES = """code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until
WIM1,wim,G312 称重点,119.35,32.2002,,,wim1-key-0123456789,2026-01-01,true,2027-01-01
WIM2,wim,S243 称重点,119.4201,32.15,2.5,,wim2-key-0123456789,,,
"""


def _boot(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="zhifa-boot">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def _wim(i: int, gross: int, *, device: str = "WIM1", plate: str = "苏L12345", **kw: Any) -> dict[str, Any]:
    return {
        "id": f"w{i}",
        "type": "wim",
        "device": device,
        "time": "2026-06-01T10:00:00+08:00",
        "plate": plate,
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": gross,
    } | kw


def _ingest(session: Session, events: list[dict[str, Any]]) -> None:
    r = sensing.ingest(session, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM)
    assert not r["rejected"], r
    session.flush()


def _process(session: Session) -> None:
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    for ev in session.scalars(select(Event).where(Event.status == "pending").order_by(Event.id)):
        monitoring.process_event(session, router, ev, devices, rules.MonitoringConfig())
    session.flush()


@pytest.fixture()
def world(session: Session, clock: Any) -> Session:
    clock.set(datetime(2026, 6, 10, tzinfo=UTC))  # events more than 5 min ahead are refused
    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
    session.flush()
    return session


# --------------------------------------------------------------------------- pages


def test_monitoring_pages_render_chinese_first(admin_client: Any) -> None:
    html = admin_client.get("/monitoring/devices").text
    assert "<h1>监测设备</h1>" in html
    assert 'data-testid="device-map"' in html and 'data-testid="ticker"' in html
    assert ">最近上报（北京时间）<" in html and ">证据效力<" in html
    boot = _boot(html)
    assert boot["active"] == "monitoring-devices"
    # The rules' kinds in their order, then those people raise (hotline calls, patrol reports),
    # so that no lead in the list shows a bare code.
    assert boot["page"]["kinds"] == [[k, r.title_zh] for k, r in rules.RULES.items()] + [
        ["complaint", "投诉举报"],
        ["patrol_report", "巡查发现"],
    ]
    assert boot["page"]["statuses"] == list(rules.LEAD_STATUSES)
    # The navigation shows the module open with its two pages, the current one marked.
    assert '<a href="/monitoring/devices" data-nav="monitoring-devices" class="active" aria-current="page">' in html

    html = admin_client.get("/monitoring/leads").text
    for label in (
        "类别",
        "对象",
        "次数",
        "首次发现（北京时间）",
        "最近发现（北京时间）",
        "起（北京时间）",
        "止（北京时间）",
    ):
        assert f">{label}<" in html, label
    assert 'data-testid="filter-kind"' in html and 'data-testid="lead-pager"' in html

    html = admin_client.get("/monitoring/leads/42").text
    assert _boot(html)["page"]["lead_id"] == 42
    assert _boot(html)["active"] == "monitoring-leads"
    for label in ("规则与法律依据", "证据图片", "关联事件", "分派"):
        assert f">{label}<" in html, label
    assert 'id="lightbox"' in html


def test_monitoring_pages_in_english(admin_client: Any) -> None:
    admin_client.cookies.set("zhifa_lang", "en")
    html = admin_client.get("/monitoring/leads").text
    assert "<h1>Leads</h1>" in html and ">Monitoring &amp; early warning<" in html
    kinds = dict(_boot(html)["page"]["kinds"])
    assert kinds["overload"] == "Overloaded vehicle (gross mass)"
    assert set(kinds) == set(rules.RULES) | {"complaint", "patrol_report"}
    assert (kinds["complaint"], kinds["patrol_report"]) == ("Complaint or tip", "Patrol report")


def test_dashboard_has_the_live_ticker(admin_client: Any) -> None:
    html = admin_client.get("/").text
    assert 'data-testid="ticker"' in html and ">实时事件<" in html
    assert pages.static_url("js/live.js") in html
    assert '<a class="tile" href="/monitoring/leads">监测预警 · 线索</a>' in html


def test_monitoring_index_and_bad_lead_ids_redirect(admin_client: Any) -> None:
    r = admin_client.get("/monitoring", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/monitoring/devices")
    for bad in ("abc", "-1", "1.5", "9" * 19):
        r = admin_client.get(f"/monitoring/leads/{bad}", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/monitoring/leads"), bad


def test_rule_titles_follow_the_rules() -> None:
    # Every rule has an English title, and the catalogue's Chinese column is the rule's own title.
    assert set(pages.RULE_TITLES) == set(rules.RULES)
    for kind, key in pages.RULE_TITLES.items():
        assert i18n.CATALOGUE[key]["zh"] == rules.RULES[kind].title_zh, kind
    assert pages.rule_titles("zh")["overload"] == "车辆超限运输（总质量）"


# --------------------------------------------------------------------------- the lead JSON helper


def _contains(big: Any, small: Any, where: str = "") -> None:
    """``big`` holds everything ``small`` does (dicts: every key; lists: item by item)."""
    if isinstance(small, dict):
        assert isinstance(big, dict), where
        for k, v in small.items():
            assert k in big, f"{where}.{k} missing"
            _contains(big[k], v, f"{where}.{k}")
    elif isinstance(small, list):
        assert isinstance(big, list) and len(big) == len(small), where
        for i, (a, b) in enumerate(zip(big, small, strict=True)):
            _contains(a, b, f"{where}[{i}]")
    else:
        assert big == small, f"{where}: {big!r} != {small!r}"


def test_lead_helper_needs_a_login(client: Any) -> None:
    r = client.get("/web/api/leads/1")
    assert r.status_code == 401
    assert r.json()["error"]["message_zh"] == "请先登录"


def test_lead_helper_answers_404_for_an_unknown_lead(admin_client: Any) -> None:
    r = admin_client.get("/web/api/leads/999999")
    assert r.status_code == 404
    assert r.json()["error"]["message_zh"] == "线索 999999 不存在"


def test_lead_helper_gives_the_lead_its_rule_and_events(world: Session, admin_client: Any) -> None:
    _ingest(world, [_wim(1, 30000), _wim(2, 30500), _wim(3, 18451, device="WIM2", plate="苏L54321")])
    _process(world)
    [lead] = world.scalars(select(Lead).where(Lead.kind == "overload", Lead.subject == "苏L12345/yellow")).all()

    body = admin_client.get(f"/web/api/leads/{lead.id}").json()
    listed = next(x for x in admin_client.get("/api/v1/leads?kind=overload").json()["items"] if x["id"] == lead.id)
    # The same lead as the list gives it ...
    for key, value in listed.items():
        if key != "events":
            assert body[key] == value, key
    assert body["details"]["excess_kg"] == 12000 and body["details"]["limit_kg"] == 18000
    assert body["count"] == 2 and body["unit"] == "RD1" and body["unit_name"]
    assert body["routing_reason"] and body["usable_as_evidence"] is True
    # ... with its rule ...
    assert body["rule"]["title"] == "车辆超限运输（总质量）"
    assert body["rule"]["legal_basis"] == rules.RULES["overload"].legal_basis == body["legal_basis"]
    assert body["rule"]["version"] == body["rule_version"] == rules.RULES["overload"].version
    assert body["rule"]["current_version"] == rules.RULES["overload"].version
    # ... and its events in detail, in time order, as the list names them.
    assert [{"device": e["device"], "id": e["id"]} for e in body["events"]] == listed["events"]
    first = body["events"][0]
    assert first["device_name"] == "G312 称重点" and first["type"] == "wim"
    assert first["plate"] == "苏L12345" and first["plate_color"] == "yellow"
    assert first["time"].startswith("2026-06-01T02:00:00")

    # Everything the monitoring API's own GET /api/v1/leads/{id} answers (once it has one) is
    # here too, so the page reads either.
    official = admin_client.get(f"/api/v1/leads/{lead.id}")
    if official.status_code == 200:
        _contains(body, official.json())
    else:  # not installed
        assert official.status_code == 404 and "error" not in official.json()

    weak = world.scalars(select(Lead).where(Lead.subject == "苏L54321/yellow")).one()
    body = admin_client.get(f"/web/api/leads/{weak.id}").json()
    assert body["usable_as_evidence"] is False and body["details"]["evidence_problems"]


# --------------------------------------------------------------------------- the live feed


def test_live_stream_needs_a_login(client: Any) -> None:
    r = client.get("/web/events/stream")
    assert r.status_code == 401
    assert r.json()["error"]["message_zh"] == "请先登录"


def _names(messages: list[live.Message]) -> list[tuple[str, int]]:
    return [(name, data["id"]) for name, data in messages]


def test_live_feed_sends_events_their_outcome_and_new_leads(world: Session) -> None:
    _ingest(world, [_wim(1, 10000)])
    _process(world)
    [old] = world.scalars(select(Event)).all()

    # A fresh start: the recent events as they are now, nothing yet to follow.
    cursor, first = live.start(world, None, backlog=5)
    assert _names(first) == [("sensing", old.id)]
    assert first[0][1] | {"time": None} == {
        "id": old.id,
        "device": "WIM1",
        "device_name": "G312 称重点",
        "device_kind": "wim",
        "unit": "RD1",  # the device's owner: the feed sends it to that unit's people only
        "event_id": "w1",
        "type": "wim",
        "time": None,
        "plate": "苏L12345",
        "plate_color": "yellow",
        "mmsi": None,
        "status": "done",
        "raised_lead": False,
        "leads": [],
    }
    assert cursor.event == old.id and not cursor.pending
    assert live.poll(world, cursor) == []

    # New events arrive: sent at once, still pending, and followed.
    _ingest(world, [_wim(2, 30000), _wim(3, 10000, plate="苏L54321")])
    out = live.poll(world, cursor)
    assert [n for n, _ in out] == ["sensing", "sensing"]
    assert all(d["status"] == "pending" and d["raised_lead"] is None for _, d in out)
    over, light = out[0][1]["id"], out[1][1]["id"]
    assert list(cursor.pending) == [over, light]
    assert cursor.token() == f"{light}-{cursor.lead}-{over}"
    assert live.poll(world, cursor) == []  # nothing new while they wait

    # The worker processes them: the new lead, then what each event came to.
    _process(world)
    out = live.poll(world, cursor)
    [lead] = world.scalars(select(Lead)).all()
    assert _names(out) == [("lead", lead.id), ("processed", over), ("processed", light)]
    assert out[0][1]["kind"] == "overload" and out[0][1]["unit"] == "RD1" and out[0][1]["unit_name"]
    unit = out[0][1]["unit"]  # the WIM device's unit routes its overload lead too
    assert out[1][1] == {
        "id": over,
        "unit": unit,
        "status": "done",
        "raised_lead": True,
        "leads": [{"id": lead.id, "kind": "overload", "unit": unit}],
    }
    assert out[2][1] == {"id": light, "unit": unit, "status": "done", "raised_lead": False, "leads": []}
    assert not cursor.pending and cursor.lead == lead.id
    assert live.poll(world, cursor) == []


def test_live_feed_backlog_is_taken_within_the_viewers_units(world: Session) -> None:
    """A fresh stream's backlog is the last events of the viewer's own devices: taken from all
    devices and filtered afterwards, it could hold none of theirs and the ticker start empty."""
    _ingest(world, [_wim(1, 10000), *[_wim(10 + i, 10000, device="WIM2") for i in range(5)]])
    owners = {code: unit for code, unit in world.execute(select(Device.code, Device.unit_code))}
    assert owners["WIM1"] != owners["WIM2"]
    ids = {e.event_id: e.id for e in world.scalars(select(Event))}
    _, first = live.start(world, None, backlog=3, units={owners["WIM1"]})
    assert _names(first) == [("sensing", ids["w1"])]  # the older event, not the other unit's three
    _, first = live.start(world, None, backlog=3, units={owners["WIM2"]})
    assert _names(first) == [("sensing", ids[f"w{i}"]) for i in (12, 13, 14)]
    _, first = live.start(world, None, backlog=3, units=set())
    assert first == []
    _, everyone = live.start(world, None, backlog=3)  # the detachment-wide roles: all devices
    assert _names(everyone) == [("sensing", ids[f"w{i}"]) for i in (12, 13, 14)]


def test_live_feed_resumes_after_last_event_id(world: Session) -> None:
    cursor, _ = live.start(world, None, backlog=0)
    _ingest(world, [_wim(1, 30000), _wim(2, 10000, plate="苏L54321")])
    live.poll(world, cursor)
    token = cursor.token()  # both pending when the connection drops
    _process(world)
    _ingest(world, [_wim(3, 10000, plate="苏L11111")])

    resumed, first = live.start(world, token, backlog=20)
    # What was processed meanwhile is reported; the backlog is not sent again.
    assert [n for n, _ in first] == ["processed", "processed"]
    assert first[0][1]["raised_lead"] is True and first[1][1]["raised_lead"] is False
    out = live.poll(world, resumed)
    assert [(n, d.get("event_id")) for n, d in out] == [("sensing", "w3"), ("lead", None)]

    # A cursor from elsewhere (ahead of this database) or garbage: a fresh start.
    for bad in ("999999-0-0", "1-999999-0", "x", "1-2", ""):
        c, msgs = live.start(world, bad, backlog=1)
        assert c.event == max(e.id for e in world.scalars(select(Event))), bad
        assert len(msgs) == 1 and msgs[0][0] == "sensing"


def test_live_feed_looks_again_for_ids_committed_late() -> None:
    gaps: dict[int, float] = {}
    live._note_gaps(gaps, 10, [11, 14], now=100.0)
    assert gaps == {12: 100.0 + live.GAP_WAIT_S, 13: 100.0 + live.GAP_WAIT_S}
    live._expire(gaps, 100.0 + live.GAP_WAIT_S)
    assert gaps == {}
    live._note_gaps(gaps, 10, [10 + live.GAPS_MAX + 5], now=0.0)  # a jump: nothing to wait for
    assert gaps == {}


def test_cursor_tokens() -> None:
    assert live.parse_token("12-3-7") == (12, 3, 7)
    for bad in (None, "", "12-3", "a-b-c", "1-2-3-4", "-1-2-3"):
        assert live.parse_token(bad) is None
    c = live.Cursor(event=5, lead=2)
    for i in range(live.PENDING_MAX + 3):
        c.follow(i + 1)
    assert len(c.pending) == live.PENDING_MAX and min(c.pending) == 4


def test_a_poll_leaves_no_connection_or_transaction_behind(engine: Any) -> None:
    # Each poll uses a short session of its own: between polls the stream holds no connection
    # (and so no transaction) of the pool.
    before = engine.pool.checkedout()
    cursor, _ = live.start_in(engine, None, 5)
    assert engine.pool.checkedout() == before
    live.poll_in(engine, cursor)
    assert engine.pool.checkedout() == before


def test_stream_status_needs_a_login(client: Any) -> None:
    assert client.get("/web/events/status").status_code == 401
