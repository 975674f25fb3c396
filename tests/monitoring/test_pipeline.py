"""Events → leads through the worker: rules, routing, folding, permits, failures."""

from __future__ import annotations

import json
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

DEVICES = """code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until
WIM1,wim,G312 称重点,119.35,32.2002,,,wim1-key-0123456789,2026-01-01,true,2027-01-01
WIM2,wim,S243 称重点,119.4201,32.15,2.5,,wim2-key-0123456789,,,
CAM1,camera,镇江站卡口,119.40,32.15,,,cam1-key-0123456789,,,
"""


@pytest.fixture()
def world(session: Session, clock: Any) -> Session:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 6, 10, tzinfo=UTC))  # events are refused more than 5 min ahead
    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
    vehicles = (
        "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
        "苏L12345,yellow,truck,2,,YY001,valid,2027-01-01\n"
        "苏L12345,blue,taxi,2,,CZ001,valid,2026-05-31\n"
        "苏L77777,yellow,truck,6,,YY002,revoked,2027-01-01\n"
    )
    run_import(session, SYSTEM, "entities", Path("vehicles.csv"), vehicles.encode())
    permits = "permit_no,plate,plate_color,route,valid_from,valid_to\nP-1,苏L88888,yellow,G312,2026-05-01,2026-06-30\n"
    run_import(session, SYSTEM, "entities", Path("permits.csv"), permits.encode())
    return session


def ingest(session: Session, events: list[dict[str, Any]]) -> dict[str, Any]:
    r = sensing.ingest(session, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM)
    run(session)
    return r


def run(session: Session) -> None:
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    for ev in session.scalars(select(Event).where(Event.status == "pending").order_by(Event.id)):
        monitoring.process_event(session, router, ev, devices, rules.MonitoringConfig())
    session.flush()


def wim(i: int, gross: int, *, t: str = "2026-06-01T10:00:00+08:00", device: str = "WIM1", **kw: Any) -> dict[str, Any]:
    return {
        "id": f"w{i}",
        "type": "wim",
        "device": device,
        "time": t,
        "plate": "苏L12345",
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": gross,
    } | kw


def leads(session: Session, kind: str | None = None) -> list[Lead]:
    q = select(Lead).order_by(Lead.id)
    return list(session.scalars(q.where(Lead.kind == kind) if kind else q))


def test_overload_exact_tolerance_and_routing(world: Session) -> None:
    # 2 axles: 18,000 kg; WIM1 tolerance 5 % → 18,900 kg is at the edge (not raised), 18,901 is.
    ingest(world, [wim(1, 18900), wim(2, 18901, plate="苏L54321")])
    found = leads(world, "overload")
    assert len(found) == 1
    lead = found[0]
    assert lead.subject == "苏L54321/yellow" and lead.unit_code == "RD1" and lead.routing_mode == "strip"
    assert lead.details["gross_kg"] == 18901 and lead.details["limit_kg"] == 18000
    assert lead.details["excess_kg"] == 901 and lead.usable_as_evidence is True
    assert lead.rule_version.startswith("overload/")


def test_device_tolerance_and_evidence_grade(world: Session) -> None:
    # WIM2 has 2.5 % tolerance: 18,451 kg is over (18,000 × 1.025 = 18,450); it is not reviewed.
    ingest(world, [wim(1, 18451, device="WIM2"), wim(2, 18450, device="WIM2", plate="苏L54321")])
    [lead] = leads(world, "overload")
    assert lead.unit_code == "RD2" and lead.usable_as_evidence is False
    assert any("reviewed" in p for p in lead.details["evidence_problems"])


def test_folding_within_24_hours(world: Session) -> None:
    ingest(
        world,
        [
            wim(1, 30000, t="2026-06-01T10:00:00+08:00"),
            wim(2, 31000, t="2026-06-02T10:00:00+08:00"),  # exactly 24 h later: folds
            wim(3, 32000, t="2026-06-02T10:00:01+08:00"),  # 24 h + 1 s: a new lead
            wim(4, 30000, t="2026-06-01T12:00:00+08:00", plate_color="blue"),  # another vehicle
        ],
    )
    found = leads(world, "overload")
    assert [(x.subject, x.count) for x in found] == [
        ("苏L12345/yellow", 2),
        ("苏L12345/yellow", 1),
        ("苏L12345/blue", 1),
    ]


def test_oversize_and_permits(world: Session) -> None:
    ingest(
        world,
        [
            wim(1, 10000, height_m=4.2, width_m=2.5),
            wim(2, 30000, plate="苏L88888", height_m=4.1),  # holds a valid permit
        ],
    )
    over = leads(world, "oversize")
    assert {x.subject for x in over} == {"苏L12345/yellow", "苏L88888/yellow"}
    permitted = [x for x in leads(world) if x.subject == "苏L88888/yellow"]
    assert permitted and all(x.permitted for x in permitted)
    # The overload lead's details say the same as the lead (the rule's result alone cannot know).
    [ov] = [x for x in permitted if x.kind == "overload"]
    assert (ov.details["permit"], ov.details["permitted"]) == ("P-1", True)


def test_repeat_overload_on_the_fourth_in_twelve_months(world: Session) -> None:
    times = ["2025-07-01", "2025-10-01", "2026-01-10", "2026-05-30"]
    ingest(world, [wim(i, 30000, t=f"{d}T10:00:00+08:00") for i, d in enumerate(times[:3])])
    assert leads(world, "repeat_overload") == []
    ingest(world, [wim(9, 30000, t=f"{times[3]}T10:00:00+08:00")])
    [rep] = leads(world, "repeat_overload")
    assert rep.matter == "freight.operation" and rep.details["overloads_in_window"] == 4


def test_certificate_problems(world: Session) -> None:
    cap = {"type": "plate_capture", "device": "CAM1", "time": "2026-06-01T09:00:00+08:00"}
    ingest(
        world,
        [
            cap | {"id": "c1", "plate": "苏L12345", "plate_color": "blue"},  # taxi, expired 2026-05-31
            cap | {"id": "c2", "plate": "苏L12345", "plate_color": "yellow"},  # valid
            cap | {"id": "c3", "plate": "苏L77777", "plate_color": "yellow"},  # revoked
        ],
    )
    found = {x.subject: x for x in leads(world, "certificate_expired")}
    assert set(found) == {"苏L12345/blue", "苏L77777/yellow"}
    assert found["苏L12345/blue"].matter == "passenger.taxi" and found["苏L12345/blue"].details["problem"] == "expired"
    assert found["苏L77777/yellow"].matter == "freight.operation" and found["苏L77777/yellow"].unit_code == "BA"


def test_unidentified_vehicles_raise_leads_for_review(world: Session) -> None:
    ingest(world, [wim(1, 30000, plate="无牌", plate_color=None)])
    [lead] = leads(world, "overload")
    assert lead.subject == "无牌@WIM1"


def test_a_failing_rule_leaves_the_event_pending_and_visible(
    world: Session, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sensing.ingest(world, json.dumps([wim(1, 30000), wim(2, 30000, plate="苏L54321")]).encode(), actor=SYSTEM)
    world.flush()

    def boom(*a: Any, **k: Any) -> None:
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(rules, "check_overload", boom)
    router = monitoring.jurisdiction.get_router(world)
    devices = {d.code: d for d in world.scalars(select(Device))}
    for ev in world.scalars(select(Event).where(Event.status == "pending")):
        sp = world.begin_nested()
        try:
            monitoring.process_event(world, router, ev, devices, rules.MonitoringConfig())
            sp.commit()
        except RuntimeError as exc:
            sp.rollback()
            ev.attempts += 1
            ev.last_error = str(exc)
    world.flush()
    events = list(world.scalars(select(Event)))
    assert all(e.status == "pending" and e.attempts == 1 and e.last_error == "rule exploded" for e in events)
    assert leads(world) == []
