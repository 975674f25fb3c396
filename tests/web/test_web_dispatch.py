"""指挥调度 pages on the server side (TestClient): who may open the wall, the phone view, the task
page and the figures; the wall's snapshot (scope by unit, what it leaves out, officers' positions
audited, KPIs); and the dispatch live stream's cursor logic (``zhifa.web.dispatch_live``) against
the database. The stream itself, and the pages' scripts, are tested against a real server in
``test_browser_dispatch.py``."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.dispatch.conftest import World, build_world
from zhifa.core.audit import AuditLog
from zhifa.core.auth import resolve_actor
from zhifa.core.clock import FrozenClock, utcnow
from zhifa.dispatch import scanner, service, sla, transitions
from zhifa.dispatch.models import OfficerPosition
from zhifa.web import dispatch_live, dispatch_pages, i18n, wall

PASSWORD = "correct-horse-battery"  # tests.helpers.make_user's


@pytest.fixture()
def world(session: Session, clock: FrozenClock, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, client: Any) -> World:
    from zhifa.core.config import get_settings

    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    w = build_world(session, clock)
    w.client = client
    return w


def _as(w: World, username: str) -> Any:
    """The client with the user's session cookie (as the browser has it)."""
    w.client.cookies.clear()
    r = w.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return w.client


def _boot(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="zhifa-boot">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def _actor(w: World, username: str) -> Any:
    from zhifa.core.auth import User, issue_token

    user = w.session.scalar(select(User).where(User.username == username))
    assert user is not None
    return resolve_actor(w.session, issue_token(w.session, user, "api", 1))


def _position(w: World, code: str, lon: float, lat: float) -> None:
    now = utcnow()
    w.session.add(
        OfficerPosition(officer_code=code, at=now, lon=lon, lat=lat, accuracy_m=10, source="phone", received_at=now)
    )
    w.session.flush()


# --------------------------------------------------------------------------- pages and roles

PAGES = ["/wall", "/m/tasks", "/m/tasks/7", "/tasks/7", "/figures"]


@pytest.mark.parametrize("path", PAGES)
def test_dispatch_pages_need_a_login(client: Any, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")


#: (user, page, status): the wall for the command center and the leaders; the phone view for those
#: who act in the field; the figures for those who read them (``dispatch.figures.READ_ROLES``);
#: a task page for anyone (the API then says whether the task is theirs to see).
ACCESS = [
    ("duty", "/wall", 200),
    ("leader1", "/wall", 200),
    ("admin", "/wall", 200),
    ("analyst", "/wall", 403),
    ("legal1", "/wall", 403),
    ("O1", "/m/tasks", 200),
    ("leader1", "/m/tasks", 200),
    ("duty", "/m/tasks/7", 200),
    ("analyst", "/m/tasks", 403),
    ("analyst", "/figures", 200),
    ("leader1", "/figures", 200),
    ("duty", "/figures", 200),
    ("O1", "/figures", 403),
    ("legal1", "/figures", 403),
    ("O1", "/tasks/7", 200),
    ("analyst", "/tasks/7", 200),
]


def test_who_may_open_which_page(world: World) -> None:
    for username, path, status in ACCESS:
        r = _as(world, username).get(path, follow_redirects=False)
        assert r.status_code == status, (username, path, r.text[:300])
        assert "镇江市交通运输综合执法指挥平台" in r.text  # the layout either way
        if status == 403:
            # The refusal says who the page is for, in the user's language, like the API's 403.
            assert 'data-testid="page-forbidden"' in r.text and "无权查看此内容" in r.text, (username, path)
            assert "指挥中心值班员" in r.text, (username, path)
        else:
            assert 'data-testid="page-forbidden"' not in r.text, (username, path)


def test_a_field_officer_is_sent_from_the_wall_to_his_phone_view(world: World) -> None:
    r = _as(world, "O1").get("/wall", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/m/tasks")
    assert _as(world, "O1").get("/m", follow_redirects=False).headers["location"] == "/m/tasks"
    for bad in ("abc", "-1", "9" * 19):
        r = _as(world, "O1").get(f"/m/tasks/{bad}", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/m/tasks"), bad


def test_the_wall_page_in_chinese_and_english(world: World) -> None:
    c = _as(world, "duty")
    html = c.get("/wall").text
    assert "<h1>指挥调度大屏</h1>" in html
    for label in ("今日线索", "今日下派", "当前超时", "今日办结", "按时办结率", "线索队列", "提醒与超时升级"):
        assert f">{label}<" in html, label
    assert 'data-testid="dispatch-dialog"' in html and 'data-testid="wall-map"' in html
    # 指挥调度 is open in the navigation now, with its three pages.
    assert '<a href="/wall" data-nav="dispatch"' in html
    assert '<a href="/wall" data-nav="dispatch-wall" class="active" aria-current="page">指挥调度大屏</a>' in html
    assert ">我的指令<" in html and ">结果问效<" in html
    assert not re.search(r'aria-disabled="true"[^>]*>指挥调度', html)
    boot = _boot(html)
    assert boot["active"] == "dispatch-wall"
    assert boot["page"]["labels"]["state"]["en_route"] == "出警途中"
    assert dict(boot["page"]["kinds"])["complaint"] == "投诉举报"
    assert [t["from"] for t in boot["page"]["transitions"]] == [t.source for t in transitions.TASK_TRANSITIONS]

    c.cookies.set("zhifa_lang", "en")
    html = c.get("/wall").text
    assert "<h1>Command wall</h1>" in html and ">Leads today<" in html
    labels = _boot(html)["page"]["labels"]
    assert labels["state"]["dispatched"] == "Dispatched" and labels["priority"]["high"] == "High"


def test_the_phone_view_is_made_for_a_phone(world: World) -> None:
    html = _as(world, "O1").get("/m/tasks/7").text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    # The camera, not the gallery, and images only.
    assert re.search(r'<input type="file" id="fb-photos" accept="image/\*" capture="environment" multiple', html)
    assert _boot(html)["page"]["task_id"] == 7
    assert ">我的位置<" in html and ">提交反馈<" in html
    assert _boot(_as(world, "O1").get("/m/tasks").text)["page"]["task_id"] is None


def test_labels_are_the_dispatch_modules_own_chinese() -> None:
    # The catalogue's Chinese column repeats the dispatch module's names: one vocabulary.
    pairs = [
        (dispatch_pages.TASK_STATE_LABELS, transitions.TASK_STATE_ZH),
        (dispatch_pages.TASK_KIND_LABELS, sla.TASK_KIND_ZH),
        (dispatch_pages.PRIORITY_LABELS, sla.PRIORITY_ZH),
        (dispatch_pages.OUTCOME_LABELS, service.OUTCOME_ZH),
        (dispatch_pages.STAGE_LABELS, {k: sla.STAGE_ZH[k] for k in sla.STAGES}),
    ]
    for labels, chinese in pairs:
        assert set(labels) == set(chinese)
        for code, key in labels.items():
            assert i18n.CATALOGUE[key]["zh"] == chinese[code], (code, key)


# --------------------------------------------------------------------------- the snapshot


def _rows(block: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(zip(block["columns"], r, strict=True)) for r in block["rows"]]


def test_the_snapshot_needs_a_wall_role(world: World) -> None:
    world.client.cookies.clear()
    assert world.client.get("/api/v1/wall/snapshot").status_code == 401
    for username in ("O1", "analyst", "legal1"):
        r = _as(world, username).get("/api/v1/wall/snapshot")
        assert r.status_code == 403, username
        assert r.json()["error"]["message_zh"].startswith("需要角色")


def test_the_snapshot_is_scoped_to_the_users_units(world: World) -> None:
    w = world
    rd1 = w.lead(subject="苏L00001/yellow", unit="RD1", severity="high")
    rd2 = w.lead(subject="苏L00002/yellow", unit="RD2", lon=119.42, lat=32.15)
    done = w.lead(subject="苏L00003/yellow", unit="RD1")
    done.status = "dismissed"
    duty = _actor(w, "duty")
    [task] = service.dispatch_lead(w.session, duty, rd2.id)
    _position(w, "O1", 119.30, 32.20)
    _position(w, "O5", 119.40, 32.15)
    w.session.flush()

    body = _as(w, "duty").get("/api/v1/wall/snapshot").json()
    queue = _rows(body["leads"])
    assert [x["id"] for x in queue] == [rd1.id]  # the dismissed one and the dispatched one are not queued
    assert queue[0]["severity"] == "high" and queue[0]["subject"] == "苏L00001/yellow"
    assert queue[0]["created_ms"] == round(rd1.created_at.timestamp() * 1000)
    [t] = _rows(body["tasks"])
    assert (t["id"], t["unit"], t["state"], t["next_stage"]) == (task.id, "RD2", "dispatched", "accept")
    assert t["next_due_ms"] == round(task.accept_due.timestamp() * 1000)
    assert {o["code"] for o in _rows(body["officers"])} == {"O1", "O5"}
    assert {d["code"] for d in _rows(body["devices"])} == {"WIM1", "CAM9"}
    assert body["scope"] is None and body["can_dispatch"] is True
    assert body["units"]["RD1"] == "路政一大队"
    assert body["now_ms"] == round(w.clock.now().timestamp() * 1000)
    assert body["triage_target_min"] == {"high": 10, "normal": 30, "low": 120}  # the dispatch setting
    assert dispatch_live.parse_token(body["cursor"]) is not None

    # The leader of RD2 sees RD2 alone: its task, its officer; no lead of RD1; he cannot dispatch.
    body = _as(w, "leader2").get("/api/v1/wall/snapshot").json()
    assert body["scope"] == ["RD2"] and body["can_dispatch"] is False
    assert _rows(body["leads"]) == []
    assert [x["id"] for x in _rows(body["tasks"])] == [task.id]
    assert [o["code"] for o in _rows(body["officers"])] == ["O5"]


def test_the_snapshot_audits_position_reads_and_carries_no_caller_details(world: World) -> None:
    w = world
    c = _as(w, "duty")
    r = c.post(
        "/api/v1/hotline",
        json={
            "source": "12345",
            "ticket_no": "T-0001",
            "content": "G312 有货车撒漏",
            "matter": "road.overload",
            "at": "119.35,32.2",
            "caller_name": "张三丰",
            "caller_phone": "13912345678",
        },
    )
    assert r.status_code == 201, r.text
    _position(w, "O1", 119.30, 32.20)

    raw = c.get("/api/v1/wall/snapshot")
    assert raw.status_code == 200
    text = raw.text
    assert "13912345678" not in text and "张三丰" not in text and "139****5678" not in text
    [lead] = [x for x in _rows(raw.json()["leads"]) if x["hotline"]]
    assert lead["hotline"] == "12345" and lead["kind"] == "complaint" and lead["reply_due_ms"] is not None
    # 行踪轨迹: the read of positions is audited, naming the officers shown.
    rows = list(
        w.session.scalars(
            select(AuditLog).where(AuditLog.entity_type == "officer_position", AuditLog.entity_id == "wall")
        )
    )
    assert [(r.actor, r.action, r.after["officers"]) for r in rows] == [("duty", "read", ["O1"])]


def test_kpis_count_today_in_beijing_time(world: World) -> None:
    w = world
    duty = _actor(w, "duty")
    leader = _actor(w, "leader1")
    o1 = _actor(w, "O1")
    a, b = w.lead(subject="苏L10001/yellow"), w.lead(subject="苏L10002/yellow")
    [ta] = service.dispatch_lead(w.session, duty, a.id)
    [tb] = service.dispatch_lead(w.session, duty, b.id)
    k = wall.kpis(w.session, None, utcnow())
    assert (k["leads_today"], k["queue"], k["dispatched_today"], k["overdue"], k["closed_today"]) == (2, 0, 2, 0, 0)
    assert k["within_sla_share"] is None  # nothing closed: no share, not 0 %
    assert k["day"] == "2026-06-01"  # 10:00 in Beijing

    # Task a runs the whole loop on time; b is left unaccepted past its accept due time.
    service.assign_officers(w.session, leader, ta.id, ["O1"])
    for to in ("accepted", "en_route", "on_scene"):
        service.transition_task(w.session, o1, ta.id, to)
    service.submit_feedback(w.session, o1, ta.id, outcome="not_found", notes="现场未见违法车辆")
    service.transition_task(w.session, duty, ta.id, "closed")
    w.clock.advance(timedelta(minutes=31))
    k = wall.kpis(w.session, None, utcnow())
    assert (k["overdue"], k["closed_today"], k["within_sla"], k["within_sla_share"]) == (1, 1, 1, 1.0)
    # The leader of RD2 sees none of it.
    k2 = wall.kpis(w.session, {"RD2"}, utcnow())
    assert (k2["leads_today"], k2["dispatched_today"], k2["overdue"], k2["closed_today"]) == (0, 0, 0, 0)
    # A new day in Beijing (16:00 UTC) starts the day's counts again; the overdue task stays overdue.
    w.clock.set(w.clock.now().replace(hour=16, minute=1))
    k = wall.kpis(w.session, None, utcnow())
    assert (k["day"], k["leads_today"], k["dispatched_today"], k["overdue"]) == ("2026-06-02", 0, 0, 1)
    assert tb.id  # (b stays dispatched, unaccepted)


def test_next_due_follows_the_stages() -> None:
    t0 = utcnow()
    acc, arr, fb = t0 + timedelta(minutes=30), t0 + timedelta(minutes=120), t0 + timedelta(minutes=1440)
    assert wall.next_due("dispatched", acc, arr, fb) == ("accept", acc)
    assert wall.next_due("returned", acc, arr, fb) == ("accept", acc)
    assert wall.next_due("accepted", acc, arr, fb) == ("arrive", arr)
    assert wall.next_due("en_route", acc, arr, fb) == ("arrive", arr)
    assert wall.next_due("on_scene", acc, arr, fb) == ("feedback", fb)
    assert wall.next_due("handled", acc, arr, fb) == ("review", None)
    assert wall.next_due("closed", acc, arr, fb) == (None, None)


# --------------------------------------------------------------------------- the live stream


def _names(messages: list[dispatch_live.Message]) -> list[str]:
    return [name for name, _ in messages]


def _of(messages: list[dispatch_live.Message], name: str) -> list[dict[str, Any]]:
    return [data for n, data in messages if n == name]


def test_the_stream_needs_a_login(client: Any) -> None:
    r = client.get("/web/dispatch/stream")
    assert r.status_code == 401 and r.json()["error"]["message_zh"] == "请先登录"


def test_the_stream_sends_leads_triage_tasks_and_assignments_in_scope(world: World) -> None:
    w = world
    s = w.session
    viewers = {u: dispatch_live.viewer_for(s, _actor(w, u)) for u in ("duty", "leader2", "O1", "O2")}
    cursors = {}
    for u, v in viewers.items():
        cursors[u], first = dispatch_live.start(s, v, None)
        assert _names(first)[0] == "clock"
        assert ("kpi" in _names(first)) == v.wall  # the KPIs go to the wall's roles only

    def poll(u: str) -> list[dispatch_live.Message]:
        return dispatch_live.poll(s, viewers[u], cursors[u])

    lead = w.lead(subject="苏L20001/yellow", unit="RD1")
    got = poll("duty")
    [row] = _of(got, "lead")
    assert (row["id"], row["status"], row["unit"]) == (lead.id, "new", "RD1")
    assert _of(got, "kpi")[0]["queue"] == 1
    assert _of(poll("leader2"), "lead") == []  # another unit's lead
    assert _of(poll("O1"), "lead") == []  # a field officer gets no queue
    assert poll("duty") == []  # nothing new: nothing sent

    duty = _actor(w, "duty")
    [task] = service.dispatch_lead(s, duty, lead.id)
    got = poll("duty")
    assert [(x["id"], x["status"]) for x in _of(got, "lead")] == [(lead.id, "dispatched")]
    [t] = _of(got, "task")
    assert (t["id"], t["state"], t["next_stage"]) == (task.id, "dispatched", "accept")
    assert _of(poll("O1"), "task") == []  # not his yet

    service.assign_officers(s, _actor(w, "leader1"), task.id, ["O1"])
    assert [x["id"] for x in _of(poll("O1"), "task")] == [task.id]  # assigned: now it is
    assert _of(poll("O2"), "task") == []
    assert [x["id"] for x in _of(poll("duty"), "task")] == [task.id]
    service.transition_task(s, _actor(w, "O1"), task.id, "accepted")
    assert [x["state"] for x in _of(poll("O1"), "task")] == ["accepted"]
    assert _of(poll("leader2"), "task") == []


def test_the_stream_sends_escalations_to_whom_they_are_addressed(world: World) -> None:
    w = world
    s = w.session
    lead = w.lead()
    [task] = service.dispatch_lead(s, _actor(w, "duty"), lead.id)
    viewers = {u: dispatch_live.viewer_for(s, _actor(w, u)) for u in ("duty", "leader1", "leader2")}
    cursors = {u: dispatch_live.start(s, v, None)[0] for u, v in viewers.items()}

    # Past the accept due time and the command center's grace (inspection/normal: 30 + 60 min).
    w.clock.advance(timedelta(minutes=91))
    fired = scanner.scan_once(s).fired
    assert any(f.endswith(":accept:center") for f in fired), fired
    got = {u: dispatch_live.poll(s, viewers[u], cursors[u]) for u in viewers}
    duty_notes = _of(got["duty"], "notification")
    assert [(n["entity_id"], n["step"], n["audience"]) for n in duty_notes] == [(task.id, "center", "center")]
    assert {n["step"] for n in _of(got["leader1"], "notification")} == {"leader"}
    assert _of(got["leader2"], "notification") == []
    # The server's clock jumped: said at once, so the wall counts down against it.
    [clock] = _of(got["duty"], "clock")
    assert clock["now_ms"] == round(w.clock.now().timestamp() * 1000)
    assert _of(got["duty"], "kpi")[0]["overdue"] == 1
    # The same as GET /api/v1/notifications gives each of them.
    for u in ("duty", "leader1"):
        api_ids = {n["id"] for n in _as(w, u).get("/api/v1/notifications").json()}
        assert {n["id"] for n in _of(got[u], "notification")} == api_ids, u


def test_the_stream_resumes_after_its_token(world: World) -> None:
    w = world
    s = w.session
    v = dispatch_live.viewer_for(s, _actor(w, "duty"))
    first = w.lead(subject="苏L30001/yellow")
    token = dispatch_live.cursor_token(s)
    second = w.lead(subject="苏L30002/yellow")
    cursor, _ = dispatch_live.start(s, v, token)
    assert [x["id"] for x in _of(dispatch_live.poll(s, v, cursor), "lead")] == [second.id]
    assert cursor.token() == dispatch_live.cursor_token(s)
    # A token from another database (ahead of what exists) or garbage: start now, send nothing old.
    for bad in ("999999-0-0-0-0", "x", "", None):
        cursor, _ = dispatch_live.start(s, v, bad)
        assert _of(dispatch_live.poll(s, v, cursor), "lead") == [], bad
    assert first.id < second.id


def test_ids_cursor_waits_for_a_missing_id_then_gives_up() -> None:
    ids = dispatch_live.Ids(top=10)
    ids.saw([11, 13], now=100.0)
    assert ids.top == 13 and set(ids.gaps) == {12}
    ids.saw([12], now=101.0)  # committed late (PostgreSQL): found, no longer missing
    assert ids.gaps == {}
    ids.saw([15], now=102.0)
    ids.expire(102.0 + dispatch_live.GAP_WAIT_S)
    assert ids.gaps == {}  # 14 never came: given up
    ids.saw([15 + dispatch_live.GAPS_MAX + 5], now=103.0)  # a jump: nothing to wait for
    assert ids.gaps == {}


# --------------------------------------------------------------------------- the docs

DOC = (Path(__file__).parents[2] / "docs" / "web.md").read_text("utf-8")


def test_docs_name_every_route_message_and_target() -> None:
    for route in dispatch_pages.router.routes:
        path = getattr(route, "path", "")
        assert re.search(rf"`(GET )?{re.escape(path)}`", DOC), path
    for event in ("lead", "task", "notification", "kpi", "clock"):
        assert f"| `{event}` |" in DOC, event
    assert "the dispatch setting `triage_target_min`" in DOC
    for column in (*wall.LEAD_COLUMNS, *wall.TASK_COLUMNS, *wall.OFFICER_COLUMNS):
        assert column in DOC, column


def test_no_endpoint_can_move_the_clock() -> None:
    # Tests install a FrozenClock in their own process; nothing that serves requests may.
    root = Path(__file__).parents[2] / "zhifa"
    served = [root / "app.py", *root.glob("web/*.py"), *root.glob("*/api.py")]
    assert len(served) > 10
    for path in served:
        text = path.read_text("utf-8")
        for name in ("set_clock", "use_clock", "FrozenClock"):
            assert name not in text, f"{path.relative_to(root)} uses {name}"
