"""Monitoring administration: thresholds (validated, audited, versioned into leads), watchlist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import login, make_user
from zhifa.core.audit import AuditLog


def test_thresholds_are_validated_and_audited(client: Any, session: Session) -> None:
    make_user(session)
    h = login(client)
    cfg = client.get("/api/v1/monitoring/config", headers=h).json()
    assert cfg["version"] == 0 and cfg["rules"]["overload"]["legal_basis"]
    r = client.put("/api/v1/monitoring/config", json={"dedup_window_h": 12}, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 1
    r = client.put("/api/v1/monitoring/config", json={"dedup_window_h": -1}, headers=h)
    assert r.status_code == 400 and "dedup_window_h" in r.json()["error"]["message"]
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "monitoring_config")).all()
    assert len(rows) == 1 and rows[0].before["dedup_window_h"] == 24 and rows[0].after["dedup_window_h"] == 12
    make_user(session, "duty1", ("duty_officer",))
    assert (
        client.put("/api/v1/monitoring/config", json={"dedup_window_h": 6}, headers=login(client, "duty1")).status_code
        == 403
    )


def test_watchlist_entries(client: Any, session: Session) -> None:
    make_user(session, "duty1", ("duty_officer",))
    h = login(client, "duty1")
    r = client.post(
        "/api/v1/watchlist", json={"plate": "苏L12345", "plate_color": "yellow", "reason": "逾期未缴罚款"}, headers=h
    )
    assert r.status_code == 201 and r.json()["matter"] == "freight.operation"
    r = client.post("/api/v1/watchlist", json={"mmsi": "12345", "reason": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "mmsi"
    r = client.post("/api/v1/watchlist", json={"plate": "苏LO0000", "reason": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "plate"
    entry = client.get("/api/v1/watchlist", headers=h).json()[0]
    assert client.delete(f"/api/v1/watchlist/{entry['id']}", headers=h).json()["active"] is False
    assert client.get("/api/v1/watchlist", headers=h).json() == []


def test_retrying_given_up_events_is_for_administrators(client: Any, session: Session) -> None:
    """The endpoint's roles and answers (what a retry queues, and that it is processed once, is
    tested in tests/sensing/test_queue.py)."""
    make_user(session)
    make_user(session, "duty1", ("duty_officer",))
    body = {"ids": [10**9]}
    assert client.post("/api/v1/events/stuck/retry", json=body).status_code == 401
    assert client.post("/api/v1/events/stuck/retry", json=body, headers=login(client, "duty1")).status_code == 403
    r = client.post("/api/v1/events/stuck/retry", json=body, headers=login(client))
    assert r.status_code == 200 and r.json() == {"queued": [], "refused": [{"id": 10**9, "reason": "no such event"}]}
    r = client.post("/api/v1/events/stuck/retry", json={"ids": []}, headers=login(client))
    assert r.status_code == 400 and "ids" in r.json()["error"]["message"]
    assert client.post("/api/v1/events/stuck/retry", json={"ids": ["x"]}, headers=login(client)).status_code == 422
