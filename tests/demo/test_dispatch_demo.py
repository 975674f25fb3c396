"""The demo's command-and-dispatch loop: the logins of officers, the response plans, the leads and
tasks in every state told on the clock, the officers' positions, what the duty officer, the leader
and a patrol officer see through the API, and the simulator's phones reporting positions that the
API stores."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import AuditLog
from zhifa.core.clock import FrozenClock, utcnow
from zhifa.demo import dispatch as dispatch_demo
from zhifa.demo import patrol
from zhifa.demo.generate import DEFAULT_SEED, generate
from zhifa.demo.load import load_into
from zhifa.demo.organisation import DEMO_PASSWORD, LOGIN_POSTS, demo_accounts, login_officer_codes
from zhifa.demo.simulate import SimOfficer, Simulator, demo_officers
from zhifa.dispatch import plans as pure_plans
from zhifa.dispatch.models import HotlineReport, OfficerPosition, ResponsePlan, Task, TaskOfficer
from zhifa.dispatch.service import overdue_filter
from zhifa.monitoring.models import Lead

CODES = login_officer_codes()
EXPECTED_TASKS = {"closed": 1, "handled": 1, "accepted": 1, "on_scene": 1, "dispatched": 2}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("demo"), scale=0.02)


@pytest.fixture()
def demo(session: Session, clock: FrozenClock, files: dict[str, Path]) -> dict[str, Any]:
    return load_into(session, files, documents=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the data, without a database -------------------------------------------------------------------


def test_login_officers_are_fixed_certified_posts_on_duty(files: dict[str, Path], tmp_path: Path) -> None:
    officers = {o["code"]: o for o in read_csv(files["officers"])}
    assert len(set(CODES.values())) == len(LOGIN_POSTS) == 5
    for key, unit, roles, _ in LOGIN_POSTS:
        o = officers[CODES[key]]
        assert (o["unit"], o["roles"], o["on_duty"]) == (unit, roles, "true"), key
        assert o["cert_no"] and date.fromisoformat(o["cert_expiry"]) >= date(2030, 1, 1)
    # The codes are those of fixed posts: the same whatever the seed and the scale.
    other = {o["code"]: o for o in read_csv(generate(tmp_path, seed=7, scale=0.3)["officers"])}
    assert all(
        (other[c]["unit"], other[c]["roles"]) == (officers[c]["unit"], officers[c]["roles"]) for c in CODES.values()
    )
    assert other[CODES["patrol1"]]["name"] != officers[CODES["patrol1"]]["name"]  # people differ with the seed
    accounts = {a["username"]: a for a in demo_accounts()}
    for key, unit, roles, _ in LOGIN_POSTS:
        account = accounts[CODES[key]]  # the username is the officer code: dispatch links them so
        assert (account["unit"], account["roles"], account["password"]) == (unit, [roles], DEMO_PASSWORD)


def test_plans_are_valid_and_match_their_leads() -> None:
    parsed = [pure_plans.parse_plan(p, i) for i, p in enumerate(dispatch_demo.PLANS, start=1)]

    def facts(kind: str, matter: str, route: str | None, lon: float, lat: float) -> pure_plans.LeadFacts:
        return pure_plans.LeadFacts(kind, matter, "normal", None, route, lon, lat)

    g312 = pure_plans.match(parsed, facts("overload", "road.overload", "G312", 119.2, 32.15))
    assert g312 is not None and [s.unit for s in g312.steps] == ["routed", "ZJ-LZ"]
    other = pure_plans.match(parsed, facts("overload", "road.overload", "G104", 119.2, 31.95))
    assert other is not None and other.name.startswith("超限超载（其他路段）")
    station = pure_plans.match(parsed, facts("illegal_operation", "passenger.illegal_operation", None, 119.433, 32.204))
    assert (
        station is not None and station.steps[0].unit == "ZJ-BLK-RZ-1" and station.steps[0].task_kind == "enforcement"
    )
    assert (
        pure_plans.match(parsed, facts("illegal_operation", "passenger.illegal_operation", None, 119.5, 32.0)) is None
    )
    dark = pure_plans.match(parsed, facts("ais_dark", "water.vessel", None, 119.4, 32.24))
    assert dark is not None and dark.steps[0].unit == "routed"


def test_stories_and_tracks_depend_on_the_seed_only() -> None:
    assert dispatch_demo.stories(DEFAULT_SEED) == dispatch_demo.stories(DEFAULT_SEED)
    assert dispatch_demo.stories(DEFAULT_SEED) != dispatch_demo.stories(7)
    t = 1_780_000_000.0
    one = patrol.position(DEFAULT_SEED, CODES["patrol1"], "ZJ-RD1-1", t)
    assert one == patrol.position(DEFAULT_SEED, CODES["patrol1"], "ZJ-RD1-1", t)
    assert one != patrol.position(7, CODES["patrol1"], "ZJ-RD1-1", t)
    later = patrol.position(DEFAULT_SEED, CODES["patrol1"], "ZJ-RD1-1", t + 15)
    assert one is not None and later is not None and one != later
    # On the brigade's own road section (G312 K1150 onwards, west of the city), moving at patrol speed.
    route = patrol.patrol_route("ZJ-RD1-1")
    assert route is not None and 119.0 < one[0] < 119.2 and 32.1 < one[1] < 32.15
    assert patrol.patrol_route("ZJ-CC") is None


# --- loaded: through the services, on the clock ---------------------------------------------------


def test_demo_loads_plans_logins_positions_and_tasks(session: Session, demo: dict[str, Any]) -> None:
    counts = demo["dispatch"]
    assert counts["plans"] == len(dispatch_demo.PLANS) == 5
    assert counts["tasks"] == dict(sorted(EXPECTED_TASKS.items()))
    now = utcnow()
    tasks = list(session.scalars(select(Task).order_by(Task.id)))
    assert Counter(t.state for t in tasks) == EXPECTED_TASKS
    # Exactly one task overdue at the load: the station squadron's, not accepted 95 minutes on.
    [overdue] = session.scalars(select(Task).where(overdue_filter(now)))
    assert (overdue.state, overdue.unit_code, overdue.kind) == ("dispatched", "ZJ-BLK-RZ-1", "enforcement")
    assert overdue.dispatched_at == now - timedelta(minutes=95) and overdue.next_reminder_at is not None
    assert overdue.next_reminder_at <= now  # the scanner escalates it as soon as it runs
    # The plan's second task (the weigh-station records) is dispatched and due within minutes.
    weigh = next(t for t in tasks if t.unit_code == "ZJ-LZ")
    assert weigh.state == "dispatched" and now < weigh.accept_due < now + timedelta(minutes=10)
    assert weigh.plan_id is not None and "预案" in (weigh.routing_reason or "")
    on_scene = next(t for t in tasks if t.state == "on_scene")
    assert on_scene.unit_code == "ZJ-RD1" and on_scene.plan_id == weigh.plan_id
    assert sorted(
        session.scalars(select(TaskOfficer.officer_code).where(TaskOfficer.task_id == on_scene.id))
    ) == sorted([CODES["patrol1"], CODES["patrol2"]])
    # Made by the demo's logins, through the services: every change is audited under its actor.
    plans = list(session.scalars(select(ResponsePlan)))
    assert len(plans) == 5
    audited = Counter(
        (r.actor, r.action, r.entity_type)
        for r in session.scalars(select(AuditLog).where(AuditLog.entity_type.in_(("task", "response_plan", "lead"))))
    )
    assert audited[(CODES["duty"], "create", "response_plan")] == 5
    assert audited[(CODES["duty"], "dispatch", "task")] == len(tasks)
    assert audited[(CODES["leader"], "assign", "task")] == 3
    assert audited[(CODES["duty"], "close", "lead")] == 1
    # Leads: five dispatched or closed, two waiting in the queue; hotline tickets with callers.
    leads = Counter(x.status for x in session.scalars(select(Lead)))
    assert leads == {"dispatched": 4, "closed": 1, "new": 1, "confirmed": 1}
    assert (
        session.scalar(select(func.count()).select_from(HotlineReport).where(HotlineReport.caller_phone.is_not(None)))
        == 5
    )


def test_positions_near_their_units(session: Session, demo: dict[str, Any]) -> None:
    now = utcnow()
    latest = {
        p.officer_code: p
        for p in session.scalars(select(OfficerPosition).where(OfficerPosition.at == now).order_by(OfficerPosition.id))
    }
    assert demo["dispatch"]["positions"] == len(latest) >= 4
    on_scene = session.scalars(select(Task).where(Task.state == "on_scene")).one()
    for key in ("patrol1", "patrol2"):  # on scene at the overloaded truck
        p = latest[CODES[key]]
        assert (p.lon, p.lat) == pytest.approx((on_scene.lon, on_scene.lat)) and p.source == "phone"
    leader = latest[CODES["leader"]]
    assert (leader.lon, leader.lat) == pytest.approx(
        patrol.position(DEFAULT_SEED, CODES["leader"], "ZJ-RD1", now.timestamp())
    )
    assert CODES["duty"] not in latest  # the command center has no patrol route


def test_same_seed_same_demo(session: Session, clock: FrozenClock, files: dict[str, Path]) -> None:
    def snapshot() -> list[Any]:
        return [
            [(t.kind, t.priority, t.state, t.unit_code, t.title, t.lon, t.lat, t.dispatched_at, t.accept_due)
             for t in session.scalars(select(Task).order_by(Task.id))],
            [(x.kind, x.matter, x.unit_code, x.status, x.subject, x.lon, x.lat)
             for x in session.scalars(select(Lead).order_by(Lead.id))],
            [(h.ticket_no, h.caller_name, h.caller_phone, h.content)
             for h in session.scalars(select(HotlineReport).order_by(HotlineReport.id))],
            [(p.officer_code, p.lon, p.lat, p.at, p.source)
             for p in session.scalars(select(OfficerPosition).order_by(OfficerPosition.id))],
        ]  # fmt: skip

    nested = session.begin_nested()
    load_into(session, files, documents=False)
    first = snapshot()
    nested.rollback()
    nested = session.begin_nested()
    load_into(session, files, documents=False)
    assert snapshot() == first
    nested.rollback()
    load_into(session, files, seed=7, documents=False)
    other = snapshot()
    assert other[2] != first[2] and other[0] != first[0]  # other callers, tickets and stake marks


# --- through the API --------------------------------------------------------------------------------


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_duty_officer_sees_the_queue_and_the_tasks(client: TestClient, demo: dict[str, Any]) -> None:
    duty = login(client, CODES["duty"])
    queue = client.get("/api/v1/dispatch/queue", headers=duty).json()
    assert sorted(x["status"] for x in queue) == ["confirmed", "new"]
    assert {x["hotline"] for x in queue} == {"12345"}
    tasks = client.get("/api/v1/tasks", headers=duty).json()
    assert tasks["total"] == 6
    assert Counter(t["state"] for t in tasks["items"]) == EXPECTED_TASKS
    [overdue] = client.get("/api/v1/tasks?overdue=true", headers=duty).json()["items"]
    assert overdue["unit"] == "ZJ-BLK-RZ-1" and overdue["overdue"] == ["accept"]
    plans = client.get("/api/v1/plans", headers=duty).json()
    assert len(plans) == 5 and all(p["updated_by"] == CODES["duty"] for p in plans)
    # The dispatch dialog of the truck stopped on G312 proposes the G312 plan.
    on_scene = next(t for t in tasks["items"] if t["state"] == "on_scene")
    preview = client.get(f"/api/v1/leads/{on_scene['lead']}/dispatch-preview", headers=duty).json()
    assert preview["route"] == "G312" and preview["plan"]["name"] == dispatch_demo.PLANS[0]["name"]


def test_the_leader_and_a_patrol_officer_see_their_tasks(client: TestClient, demo: dict[str, Any]) -> None:
    leader = client.get("/api/v1/tasks", headers=login(client, CODES["leader"])).json()["items"]
    assert {t["unit"] for t in leader} == {"ZJ-RD1"} and len(leader) == 4
    mine = client.get("/api/v1/tasks", headers=login(client, CODES["patrol1"])).json()["items"]
    assert sorted(t["state"] for t in mine) == ["handled", "on_scene"]


# --- the simulator's phones -----------------------------------------------------------------------


def via(client: TestClient) -> Any:
    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        r = client.post(url.removeprefix("http://testserver"), content=body, headers=headers)
        return r.status_code, r.json() if r.content else None

    return post


def test_the_simulated_phones_report_positions_the_api_stores(
    session: Session, client: TestClient, clock: FrozenClock, demo: dict[str, Any]
) -> None:
    officers = demo_officers()
    assert [o.code for o in officers] == [CODES["patrol1"], CODES["patrol2"]]
    bad = SimOfficer(CODES["leader"], "wrong-password", "ZJ-RD1")
    log = io.StringIO()
    sim = Simulator("http://testserver", [], officers=[*officers, bad], transport=via(client), log=log)
    loaded_at = utcnow()
    posted = []
    for _ in range(3):
        clock.advance(timedelta(seconds=15))
        t = utcnow().timestamp()
        sim.report_positions(t)
        posted += [(o.code, utcnow(), *sim.position_of(o, t)) for o in officers]  # type: ignore[misc]
    sim._report(utcnow().timestamp())
    assert (sim.counts.positions, sim.counts.positions_failed) == (6, 3)  # the wrong password: counted
    assert "cannot log in" in log.getvalue()
    stored = [
        (p.officer_code, p.at, p.lon, p.lat)
        for p in session.scalars(
            select(OfficerPosition)
            .where(OfficerPosition.officer_code.in_([o.code for o in officers]), OfficerPosition.at > loaded_at)
            .order_by(OfficerPosition.at, OfficerPosition.officer_code)
        )
    ]
    assert stored == sorted(posted, key=lambda r: (r[1], r[0]))
    assert len({(lon, lat) for _, _, lon, lat in stored}) == 6  # they move
    # The server refuses a phone reporting for someone else: counted, not fatal.
    impostor = Simulator(
        "http://testserver",
        [],
        officers=[SimOfficer(CODES["patrol1"], DEMO_PASSWORD, "ZJ-RD1-1")],
        transport=via(client),
        log=io.StringIO(),
    )
    impostor._tokens[CODES["patrol1"]] = login(client, CODES["patrol2"])["Authorization"].split()[1]
    impostor.report_positions(utcnow().timestamp())
    impostor._report(utcnow().timestamp())
    assert (impostor.counts.positions, impostor.counts.positions_failed) == (0, 1)
