"""Closed-loop figures per unit and period (docs/dispatch.md, "Figures")."""

from __future__ import annotations

from datetime import timedelta

from tests.dispatch.conftest import World


def test_figures_per_unit(api: World) -> None:
    w, c = api, api.client
    duty, leader = w.h("duty"), w.h("leader1")
    t0 = w.clock.now()
    leads = [w.lead(subject=f"苏L{i}/yellow") for i in range(4)] + [w.lead(subject="苏L9/yellow", unit="RD2")]

    def dispatch(i: int) -> int:
        return int(c.post(f"/api/v1/leads/{leads[i].id}/dispatch", json={}, headers=duty).json()["tasks"][0]["id"])

    def go(task: int, to: str, who: str) -> None:
        r = c.post(f"/api/v1/tasks/{task}/transition", json={"to": to, "reason": "理由"}, headers=w.h(who))
        assert r.status_code == 200, r.text

    def at(minutes: int) -> None:
        w.clock.set(t0 + timedelta(minutes=minutes))

    # inspection / normal: accept 30 min, arrive 120 min, feedback 1440 min.
    t1, t2, t3, t4 = dispatch(0), dispatch(1), dispatch(2), dispatch(4)  # lead 3 is never dispatched
    c.post(f"/api/v1/tasks/{t1}/assign", json={"officers": ["O1"]}, headers=leader)
    c.post(f"/api/v1/tasks/{t2}/assign", json={"officers": ["O2"]}, headers=leader)
    at(1)
    go(t4, "cancelled", "duty")  # before acceptance: not counted as late
    at(5)
    go(t1, "accepted", "O1")
    go(t1, "en_route", "O1")
    at(40)
    go(t2, "accepted", "O2")  # late
    go(t2, "en_route", "O2")
    at(60)
    go(t1, "on_scene", "O1")
    at(100)
    c.post(f"/api/v1/tasks/{t1}/feedback", json={"outcome": "not_found", "notes": "无"}, headers=w.h("O1"))
    go(t1, "closed", "duty")
    at(130)
    go(t2, "on_scene", "O2")  # late (120)
    at(200)
    c.post(f"/api/v1/tasks/{t2}/feedback", json={"outcome": "not_found", "notes": "无"}, headers=w.h("O2"))
    go(t2, "returned", "duty")
    at(201)
    # t3 was never accepted: its acceptance (due 30) and arrival (due 120) are decided, late;
    # its feedback (due 1440) is not decided yet.
    assert c.get(f"/api/v1/tasks/{t3}", headers=duty).json()["overdue"] == ["accept", "arrive"]
    overdue = c.get("/api/v1/tasks", params={"overdue": True}, headers=duty).json()["items"]
    assert [t["id"] for t in overdue] == [t3]

    since = (t0 - timedelta(hours=1)).isoformat()
    r = c.get("/api/v1/dispatch/figures", params={"since": since}, headers=w.h("analyst"))
    assert r.status_code == 200, r.text
    body = r.json()
    units = {u["unit"]: u for u in body["units"]}
    assert units["RD1"] == {
        "unit": "RD1",
        "unit_name": "路政一大队",
        "leads": 4,
        "dispatched": 3,
        "closed": 1,
        "cancelled": 0,
        "accept_on_time": 1,
        "accept_decided": 3,
        "accept_on_time_rate": 0.3333,
        "arrive_on_time": 1,
        "arrive_decided": 3,
        "arrive_on_time_rate": 0.3333,
        "feedback_on_time": 2,
        "feedback_decided": 2,
        "feedback_on_time_rate": 1.0,
        "handled": 2,
        "returned": 1,
        "returned_rate": 0.5,
        "mean_handling_min": 150.0,
    }
    rd2 = units["RD2"]
    assert (rd2["leads"], rd2["dispatched"], rd2["cancelled"], rd2["accept_decided"]) == (1, 1, 1, 0)
    assert rd2["accept_on_time_rate"] is None and rd2["mean_handling_min"] is None
    assert body["total"]["dispatched"] == 4 and body["total"]["leads"] == 5

    # A leader sees his units; a field officer none; the period filters.
    r = c.get("/api/v1/dispatch/figures", params={"since": since}, headers=leader)
    assert [u["unit"] for u in r.json()["units"]] == ["RD1"]
    assert c.get("/api/v1/dispatch/figures", headers=w.h("O1")).status_code == 403
    later = (t0 + timedelta(minutes=1)).isoformat()
    r = c.get("/api/v1/dispatch/figures", params={"since": later}, headers=w.h("analyst"))
    assert r.json()["units"] == [] and r.json()["total"]["dispatched"] == 0
    r = c.get("/api/v1/dispatch/figures", params={"since": later, "until": since}, headers=w.h("analyst"))
    assert r.status_code == 400
