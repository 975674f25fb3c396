"""The legal API: calculators for any authenticated user, calendar edits for administrators only,
every edit audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import login, make_user
from zhifa.core.audit import AuditLog
from zhifa.legal.models import CalendarYear

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
#: A 2027 schedule for the tests — not the State Council's.
DAYS_2027 = [
    {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    {"date": "2027-02-05", "kind": "holiday", "name": "春节"},
    {"date": "2027-01-30", "kind": "workday", "name": "春节"},
]


@pytest.fixture()
def officer(client: Any, session: Session) -> dict[str, str]:
    make_user(session, "officer1", ("officer",))
    return login(client, "officer1")


@pytest.fixture()
def admin(client: Any, session: Session) -> dict[str, str]:
    make_user(session, "admin", ("admin",))
    return login(client, "admin")


def test_authentication_is_required(client: Any) -> None:
    for method, path, body in [
        ("POST", "/api/v1/legal/deadline", {"from": "2026-02-12", "working_days": 5}),
        ("POST", "/api/v1/legal/surcharge", {"fine_yuan": "100", "due": "2026-03-01", "paid": "2026-03-02"}),
        ("POST", "/api/v1/legal/penalty-quote", {"excess_kg": 5000}),
        ("GET", "/api/v1/legal/calendar", None),
        ("PUT", "/api/v1/legal/calendar/2027", {"source": NOTICE, "days": DAYS_2027}),
    ]:
        r = client.request(method, path, json=body)
        assert r.status_code == 401, (path, r.text)


def test_deadline(client: Any, officer: dict[str, str]) -> None:
    r = client.post("/api/v1/legal/deadline", json={"from": "2026-02-12", "working_days": 5}, headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["due"] == "2026-02-26" and r.json()["kind"] == "working"
    r = client.post(
        "/api/v1/legal/deadline", json={"from": "2026-09-16", "days": 15, "law": "penalty"}, headers=officer
    )
    assert (r.json()["due"], r.json()["rolled_from"], r.json()["kind"]) == ("2026-10-08", "2026-10-01", "calendar")
    r = client.post("/api/v1/legal/deadline", json={"from": "2026-02-30", "working_days": 5}, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["field"] == "from"
    r = client.post("/api/v1/legal/deadline", json={"from": "2026-02-12", "working_days": -2}, headers=officer)
    assert r.status_code == 400 and "at least 1" in r.json()["error"]["message"]


def test_unscheduled_year_then_entered_by_an_admin(
    client: Any, session: Session, officer: dict[str, str], admin: dict[str, str]
) -> None:
    if session.get(CalendarYear, 2027) is not None:  # a newer chinesecalendar may know 2027
        assert client.delete("/api/v1/legal/calendar/2027", headers=admin).status_code == 200
    body = {"from": "2026-12-28", "working_days": 5}
    r = client.post("/api/v1/legal/deadline", json=body, headers=officer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "unscheduled_year"
    assert r.json()["error"]["years"] == [2027] and "2027年" in r.json()["error"]["message_zh"]
    coverage = client.get(
        "/api/v1/legal/calendar/coverage", params={"from": "2026-12-01", "to": "2027-01-31"}, headers=officer
    )
    assert coverage.json()["unscheduled_years"] == [2027]

    r = client.put("/api/v1/legal/calendar/2027", json={"source": NOTICE, "days": DAYS_2027}, headers=officer)
    assert r.status_code == 403
    r = client.put("/api/v1/legal/calendar/2027", json={"source": NOTICE, "days": DAYS_2027}, headers=admin)
    assert r.status_code == 200, r.text
    assert client.post("/api/v1/legal/deadline", json=body, headers=officer).json()["due"] == "2027-01-05"
    listed = client.get("/api/v1/legal/calendar/2027", headers=officer).json()
    assert listed["scheduled"] and listed["source"] == NOTICE and len(listed["days"]) == 3
    assert 2027 in [y["year"] for y in client.get("/api/v1/legal/calendar", headers=officer).json()]
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "legal_calendar_year")).all()
    assert [(a.actor, a.action, a.entity_id) for a in rows][-1] == ("admin", "schedule", "2027")


def test_a_rejected_year_names_each_entry(client: Any, admin: dict[str, str]) -> None:
    days = [{"date": "2027-02-01", "kind": "workday", "name": "春节"}, {"date": "2028-01-01", "kind": "holiday"}]
    r = client.put("/api/v1/legal/calendar/2027", json={"source": NOTICE, "days": days}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "import_rejected"
    assert [(e["where"], e["field"]) for e in r.json()["error"]["errors"]] == [("days[1]", "kind"), ("days[2]", "date")]


def test_single_day_edits(client: Any, session: Session, officer: dict[str, str], admin: dict[str, str]) -> None:
    day = {"kind": "holiday", "name": "测试"}
    assert client.put("/api/v1/legal/calendar/days/2026-03-02", json=day, headers=officer).status_code == 403
    r = client.put("/api/v1/legal/calendar/days/2026-03-02", json=day, headers=admin)
    assert r.status_code == 200 and r.json() == {"date": "2026-03-02", "kind": "holiday", "name": "测试"}
    due = client.post("/api/v1/legal/deadline", json={"from": "2026-02-27", "working_days": 5}, headers=officer)
    assert due.json()["due"] == "2026-03-06"
    r = client.put("/api/v1/legal/calendar/days/2026-03-03", json={"kind": "workday", "name": "x"}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind"
    assert client.delete("/api/v1/legal/calendar/days/2026-03-02", headers=officer).status_code == 403
    assert client.delete("/api/v1/legal/calendar/days/2026-03-02", headers=admin).json()["kind"] == "ordinary"
    assert client.delete("/api/v1/legal/calendar/days/2026-03-02", headers=admin).status_code == 404
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "legal_calendar_day")).all()
    assert [(a.actor, a.action) for a in rows] == [("admin", "create"), ("admin", "delete")]


def test_seeding_is_for_admins(client: Any, officer: dict[str, str], admin: dict[str, str]) -> None:
    assert client.post("/api/v1/legal/calendar/seed", headers=officer).status_code == 403
    r = client.post("/api/v1/legal/calendar/seed", headers=admin)
    assert r.status_code == 200 and r.json()["added_years"] == [] and r.json()["source"].startswith("chinesecalendar")


def test_surcharge(client: Any, officer: dict[str, str]) -> None:
    body = {"fine_yuan": "2000", "due": "2026-03-01", "paid": "2026-04-04"}
    r = client.post("/api/v1/legal/surcharge", json=body, headers=officer)
    assert r.status_code == 200, r.text
    assert (r.json()["surcharge_yuan"], r.json()["days_late"], r.json()["capped"]) == ("2000.00", 34, True)
    r = client.post("/api/v1/legal/surcharge", json=body | {"suspended_days": 30}, headers=officer)
    assert (r.json()["surcharge_yuan"], r.json()["days_charged"]) == ("240.00", 4)
    r = client.post("/api/v1/legal/surcharge", json=body | {"fine_yuan": "-1"}, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["field"] == "fine_yuan"
    r = client.post("/api/v1/legal/surcharge", json=body | {"suspended_days": 35}, headers=officer)
    assert r.status_code == 400 and "exceed the days late" in r.json()["error"]["message"]


def test_penalty_quote(client: Any, officer: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", raising=False)
    body = {"matter": "road.overload", "excess_kg": 12345, "height_m": "4.3"}
    r = client.post("/api/v1/legal/penalty-quote", json=body, headers=officer)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["fine_yuan"], out["warning"], out["range_yuan"]) == (
        "6200.00",
        False,
        {"min": "6200.00", "max": "7000.00"},
    )
    assert "第四十三条" in out["reason"] and [i["violation"] for i in out["items"]] == ["overweight", "oversize"]
    r = client.post("/api/v1/legal/penalty-quote", json={"excess_kg": 900}, headers=officer)
    assert (r.json()["fine_yuan"], r.json()["warning"]) == ("0.00", True)
    monkeypatch.setenv("ZHIFA_OVERLOAD_ROUND_PART_TONNES_UP", "true")
    r = client.post("/api/v1/legal/penalty-quote", json={"excess_kg": 12345}, headers=officer)
    assert r.json()["fine_yuan"] == "6500.00" and r.json()["part_tonnes"] == "rounded_up"
    r = client.post("/api/v1/legal/penalty-quote", json={"matter": "port.operation", "excess_kg": 1}, headers=officer)
    assert r.status_code == 400 and "no penalty quote" in r.json()["error"]["message"]
    r = client.post("/api/v1/legal/penalty-quote", json={"excess_kg": -5}, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["field"] == "excess_kg"
