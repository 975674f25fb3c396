"""The HTTP API: authentication, roles, routing answers and errors, imports, audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import DATA, load_small_map, login, make_user
from zhifa.core.audit import AuditLog


def test_requires_authentication(client: Any) -> None:
    r = client.get("/api/v1/route", params={"matter": "road.overload", "at": "119.35,32.2"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    r = client.get(
        "/api/v1/route",
        params={"matter": "road.overload", "at": "119.35,32.2"},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert r.status_code == 401


def test_wrong_password(client: Any, session: Session) -> None:
    make_user(session)
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["error"]["message_zh"] == "用户名或密码错误"


def test_route_answers(client: Any, session: Session) -> None:
    load_small_map(session)
    make_user(session)
    h = login(client)
    r = client.get("/api/v1/route", params={"matter": "road.overload", "at": "G312 K110+000"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unit"] == "RD2" and body["unit_name"] == "路政二大队" and body["mode"] == "strip"
    assert body["outside_jurisdiction"] is False and body["section"]["route"] == "G312"
    assert body["duty"]["code"] == "D001" and "路政二大队" in body["reason"]
    r = client.post("/api/v1/route", json={"matter": "passenger.taxi", "lon": 119.7, "lat": 32.2}, headers=h)
    assert r.json()["mode"] == "fallback" and r.json()["outside_jurisdiction"] is True and r.json()["unit"] == "CC"


def test_route_errors_are_400_with_a_message(client: Any, session: Session) -> None:
    load_small_map(session)
    make_user(session)
    h = login(client)
    r = client.get("/api/v1/route", params={"matter": "road.nope", "at": "119.35,32.2"}, headers=h)
    assert r.status_code == 400 and "unknown matter" in r.json()["error"]["message"]
    r = client.get("/api/v1/route", params={"matter": "road.overload", "at": "somewhere"}, headers=h)
    assert r.status_code == 400 and "malformed location" in r.json()["error"]["message"]
    r = client.get("/api/v1/route", params={"matter": "road.overload", "at": "119.3,100"}, headers=h)
    assert r.status_code == 400


def test_batch_routing(client: Any, session: Session) -> None:
    load_small_map(session)
    make_user(session)
    h = login(client)
    items = [
        {"matter": "road.overload", "lon": 119.35, "lat": 32.2003},
        {"matter": "road.overload", "at": "G312 K115+000"},
        {"matter": "passenger.taxi", "at": "119.5,32.15"},
        {"matter": "bogus.matter", "at": "119.5,32.15"},
        {"matter": "road.overload", "at": "nowhere"},
    ]
    r = client.post("/api/v1/route/batch", json={"items": items}, headers=h)
    res = r.json()["results"]
    assert [x.get("unit") for x in res[:3]] == ["RD1", "RD2", "BB"]
    assert "unknown matter" in res[3]["error"] and "malformed" in res[4]["error"]


def test_imports_need_admin_and_are_audited(client: Any, session: Session) -> None:
    make_user(session)
    make_user(session, "officer1", ("officer",))
    with open(DATA / "units.csv", "rb") as f:
        data = f.read()
    r = client.post("/api/v1/import/units", files={"file": ("units.csv", data)}, headers=login(client, "officer1"))
    assert r.status_code == 403
    r = client.post("/api/v1/import/units", files={"file": ("units.csv", data)}, headers=login(client))
    assert r.status_code == 200 and r.json()["created"] == 12
    rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "unit")).all()
    assert len(rows) == 12 and all(x.actor == "admin" for x in rows)
    bad = data + "X,坏单位,bogus,ZJ,,\n".encode()
    r = client.post("/api/v1/import/units", files={"file": ("units.csv", bad)}, headers=login(client))
    assert r.status_code == 422 and r.json()["error"]["errors"][0]["where"] == "row 14"


def test_audit_log_is_admin_only(client: Any, session: Session) -> None:
    make_user(session)
    make_user(session, "analyst1", ("analyst",))
    assert client.get("/api/v1/audit", headers=login(client, "analyst1")).status_code == 403
    r = client.get("/api/v1/audit", headers=login(client))
    assert r.status_code == 200 and r.json()["total"] >= 2


def test_units_tree_and_operational_share(client: Any, session: Session) -> None:
    load_small_map(session)
    make_user(session)
    h = login(client)
    tree = client.get("/api/v1/units/tree", headers=h).json()
    assert [n["code"] for n in tree] == ["MSA", "ZJ"]
    share = client.get("/api/v1/units/operational-share", headers=h).json()
    # 10 internal units below the detachment; 办公室 is the only administrative one.
    assert share["total_units"] == 10 and share["operational_units"] == 9 and share["meets_requirement"]


def test_officers_are_unit_scoped_and_masked(client: Any, session: Session) -> None:
    from pathlib import Path

    from zhifa.core.audit import SYSTEM
    from zhifa.imports import run_import

    load_small_map(session)
    csv = (
        "code,name,unit,cert_no,cert_expiry,roles,on_duty,phone,id_number\n"
        "A1,张三,RD1,32110001,2027-01-01,officer,true,13912345678,11010519491231002X\n"
        "A2,李四,BA-1,32110002,2027-01-01,officer,false,13800001111,\n"
    )
    run_import(session, SYSTEM, "officers", Path("officers.csv"), csv.encode())
    make_user(session)
    make_user(session, "leader-ba", ("leader",), unit="BA")
    make_user(session, "officer-rd1", ("officer",), unit="RD1")
    # A block leader sees only their block's squadron, unmasked (leaders may see personal data).
    r = client.get("/api/v1/officers", headers=login(client, "leader-ba")).json()
    assert [o["code"] for o in r["items"]] == ["A2"] and r["items"][0]["phone"] == "13800001111"
    # A field officer sees their unit, masked.
    r = client.get("/api/v1/officers", headers=login(client, "officer-rd1")).json()
    assert [o["code"] for o in r["items"]] == ["A1"]
    assert r["items"][0]["phone"] == "139****5678" and "*" in r["items"][0]["id_number"]
    # The administrator sees everyone; the unmasked read is audited.
    r = client.get("/api/v1/officers", headers=login(client)).json()
    assert r["total"] == 2
    reads = session.scalars(select(AuditLog).where(AuditLog.action == "read", AuditLog.entity_type == "officer")).all()
    assert {x.actor for x in reads} == {"leader-ba", "admin"}


def test_logout_revokes_the_token_at_once(client: Any, session: Session) -> None:
    make_user(session)
    h = login(client)
    assert client.get("/api/v1/me", headers=h).status_code == 200  # now cached in this process
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_expired_tokens_are_refused(client: Any, session: Session, clock: Any) -> None:
    from datetime import timedelta

    make_user(session)
    h = login(client)
    assert client.get("/api/v1/me", headers=h).status_code == 200
    clock.advance(timedelta(hours=13))  # sessions last 12 hours by default
    assert client.get("/api/v1/me", headers=h).status_code == 401
