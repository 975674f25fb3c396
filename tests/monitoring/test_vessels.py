"""AIS and ship passages through the worker: one-to-one linking, dark and ambiguous passages,
mismatches, gaps, watchlist; and illegal operation at passenger hubs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyais import encode_dict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import load_small_map
from zhifa.core.audit import SYSTEM
from zhifa.imports import run_import
from zhifa.monitoring import rules, vessels
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.models import Lead, WatchEntry
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device, Event, VesselPassage

T0 = datetime(2026, 6, 9, 2, 0, tzinfo=UTC)  # 10:00 in Zhenjiang
DEVICES = """code,kind,name,lon,lat,accuracy_pct,crossing_line
AIS1,ais_receiver,AIS 基站,119.40,32.23,,
CP1,checkpoint,长江卡口,119.40,32.25,,"LINESTRING (119.40 32.24, 119.40 32.26)"
CAM1,camera,镇江站卡口,119.43,32.203,,
"""
VESSELS = """mmsi,name,ship_type,owner,certificates
413000001,SU ZHEN HUO 1,cargo,,registry:R1:2030-01-01;survey:S1:2026-05-01
413000002,CHANG HANG 2,tanker,,registry:R2:2030-01-01
413000003,JIANG HAI 3,passenger,,
"""


@pytest.fixture()
def world(session: Session, clock: Any) -> Session:
    clock.set(T0 + timedelta(days=1))
    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
    run_import(session, SYSTEM, "entities", Path("vessels.csv"), VESSELS.encode())
    run_import(session, SYSTEM, "entities", Path("sites.csv"),
               "code,name,site_type,lon,lat,address\nS-RAIL,镇江站,railway_station,119.4302,32.2032,镇江\n".encode())
    return session


def pos(mmsi: str, lon: float, lat: float, sog: float = 8.0, status: int = 0, msg_type: int = 1) -> list[str]:
    d: dict[str, Any] = {"type": msg_type, "mmsi": mmsi, "lon": lon, "lat": lat, "speed": sog, "course": 90}
    if msg_type in (1, 2, 3):
        d["status"] = status
    return encode_dict(d, radio_channel="B", talker_id="AI")


def ais_event(n: int, t: datetime, sentences: list[str]) -> dict[str, Any]:
    return {"id": f"a{n}", "type": "ais", "device": "AIS1", "time": t.isoformat(), "nmea": sentences}


def track(mmsi: str, start: datetime, lon0: float, lat: float, n: int = 10, step_s: int = 60,
          dlon: float = 0.001, first_id: int = 0) -> list[dict[str, Any]]:
    """A vessel moving east along a latitude, one fix a minute (0.001° ≈ 94 m)."""
    return [ais_event(first_id + i, start + timedelta(seconds=i * step_s), pos(mmsi, lon0 + i * dlon, lat))
            for i in range(n)]


def passage(n: int, t: datetime, **kw: Any) -> dict[str, Any]:
    return {"id": f"p{n}", "type": "ship_passage", "device": "CP1", "time": t.isoformat(), "direction": "down"} | kw


def run(session: Session, events: list[dict[str, Any]]) -> dict[str, Any]:
    r = sensing.ingest(session, json.dumps(events).encode(), actor=SYSTEM)
    assert r["rejected"] == [], r["rejected"]
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    cfg = rules.MonitoringConfig()
    monitoring.HUB_DEVICES[id(session)] = monitoring.hub_devices(session, devices, cfg)
    pending = list(session.scalars(select(Event).where(Event.status == "pending").order_by(Event.id)))
    for ev in [e for e in pending if e.type != "ship_passage"]:
        monitoring.process_event(session, router, ev, devices, cfg)
    session.flush()
    mark = vessels.ais_watermark(session)
    if mark is not None:
        vessels.gap_scan(session, router, mark, cfg)
    for ev in [e for e in pending if e.type == "ship_passage"]:  # the end of input: decide them all
        monitoring.process_event(session, router, ev, devices, cfg)
    session.flush()
    return r


def leads(session: Session, kind: str) -> list[Lead]:
    return list(session.scalars(select(Lead).where(Lead.kind == kind).order_by(Lead.id)))


def test_a_passage_is_linked_to_exactly_one_vessel(world: Session) -> None:
    # Vessel 1 crosses lon 119.40 at T0 + 5 min (119.395 + 5 × 0.001).
    run(world, [*track("413000001", T0, 119.395, 32.25), passage(1, T0 + timedelta(minutes=5, seconds=30))])
    [p] = world.scalars(select(VesselPassage)).all()
    assert (p.outcome, p.mmsi, p.name) == ("linked", "413000001", "SU ZHEN HUO 1")
    assert leads(world, "ais_dark") == [] and leads(world, "ais_ambiguous") == []
    # Its survey certificate expired on 2026-05-01.
    [cert] = leads(world, "certificate_expired")
    assert cert.subject == "413000001" and cert.matter == "water.vessel" and cert.unit_code == "WT"


def test_dark_and_ambiguous_passages(world: Session) -> None:
    events = [
        *track("413000001", T0, 119.395, 32.25, first_id=0),
        *track("413000002", T0 + timedelta(seconds=30), 119.395, 32.251, first_id=100),
        passage(1, T0 + timedelta(minutes=5, seconds=15)),  # both cross within ±120 s
        passage(2, T0 + timedelta(minutes=30)),  # nobody near: dark
    ]
    run(world, events)
    [amb] = leads(world, "ais_ambiguous")
    assert {c["mmsi"] for c in amb.details["candidates"]} == {"413000001", "413000002"}
    [dark] = leads(world, "ais_dark")
    assert dark.subject == "passage:CP1:p2" and dark.unit_code == "WT" and dark.matter == "water.vessel"


def test_a_crossing_just_outside_the_window_is_dark(world: Session) -> None:
    run(world, [*track("413000003", T0, 119.395, 32.25), passage(1, T0 + timedelta(minutes=5, seconds=121))])
    assert len(leads(world, "ais_dark")) == 1


def test_static_data_contradicting_the_registry(world: Session) -> None:
    static = encode_dict({"type": 5, "mmsi": "413000002", "shipname": "WRONG NAME", "ship_type": 70,
                          "callsign": "BXYZ"}, radio_channel="B", talker_id="AI")
    run(world, [ais_event(1, T0, pos("413000002", 119.45, 32.25)), ais_event(2, T0 + timedelta(seconds=10), static)])
    [m] = leads(world, "ais_mismatch")
    assert m.subject == "413000002" and set(m.details) >= {"name", "ship_type"}


def test_base_station_sending_positions(world: Session) -> None:
    run(world, [ais_event(1, T0, pos("002734567", 119.45, 32.25))])
    [m] = leads(world, "ais_mismatch")
    assert m.details["problem"] == "station_sends_position"


def test_a_base_station_falling_silent_is_no_gap(world: Session) -> None:
    """Its bogus class A position under way in the Yangtze raises ais_mismatch, and its silence
    afterwards no ais_gap: a base station is no vessel (ais_gap/2). A ship beside it does."""
    run(world, [ais_event(1, T0, pos("002734567", 119.50, 32.25)), ais_event(2, T0, pos("413000003", 119.50, 32.25)),
                *track("413000001", T0, 119.30, 32.25, n=13, first_id=10)])
    assert [m.subject for m in leads(world, "ais_mismatch")] == ["002734567"]
    [gap] = leads(world, "ais_gap")
    assert gap.subject == "413000003" and gap.rule_version == "ais_gap/2"


def test_gap_raised_in_event_time_and_ended_on_reappearance(world: Session) -> None:
    # Vessel 3 under way in the Yangtze goes silent; vessel 1's fixes carry the stream 12 min on.
    run(world, [ais_event(1, T0, pos("413000003", 119.50, 32.25)),
                *track("413000001", T0, 119.30, 32.25, n=13, first_id=10)])
    [gap] = leads(world, "ais_gap")
    assert gap.subject == "413000003" and gap.status == "new" and gap.unit_code == "WT"
    assert gap.routing_mode == "strip" and gap.rule_version == "ais_gap/2"
    # Its evidence: the event of the vessel's last fix before the silence.
    assert evidence(world, gap) == ["a1"] and gap.count == 1
    run(world, [ais_event(99, T0 + timedelta(minutes=13), pos("413000003", 119.51, 32.25))])
    world.refresh(gap)
    assert gap.status == "ended"
    assert evidence(world, gap) == ["a1", "a99"] and gap.count == 2  # and the one it reappeared in
    assert gap.last_event_time == T0 + timedelta(minutes=13)


def evidence(session: Session, lead: Lead) -> list[str]:
    from zhifa.monitoring.models import LeadEvent

    return sorted(
        session.scalars(
            select(Event.event_id).join(LeadEvent, LeadEvent.event_id == Event.id).where(LeadEvent.lead_id == lead.id)
        )
    )


def test_a_vessel_at_anchor_or_ashore_is_no_gap(world: Session) -> None:
    run(world, [ais_event(1, T0, pos("413000002", 119.50, 32.25, sog=0.0, status=1)),  # at anchor
                ais_event(2, T0, pos("413000003", 119.50, 32.15)),  # under way but not in our waters
                *track("413000001", T0, 119.30, 32.25, n=13, first_id=10)])
    assert leads(world, "ais_gap") == []


def test_watchlist_mmsi_and_plate(world: Session) -> None:
    world.add_all([
        WatchEntry(mmsi="413000003", reason="未缴罚款", matter="water.vessel", added_by="test"),
        WatchEntry(plate="苏L99999", plate_color="yellow", reason="许可已吊销", matter="freight.operation",
                   added_by="test"),
    ])
    world.flush()
    cap = {"type": "plate_capture", "device": "CAM1", "time": T0.isoformat(), "plate": "苏L99999"}
    run(world, [ais_event(1, T0, pos("413000003", 119.50, 32.25)),
                cap | {"id": "c1", "plate_color": "yellow"}, cap | {"id": "c2", "plate_color": "blue"}])
    found = {x.subject: x for x in leads(world, "watchlist")}
    assert set(found) == {"413000003", "苏L99999/yellow"}
    assert found["苏L99999/yellow"].matter == "freight.operation"


def test_illegal_operation_at_a_station(world: Session) -> None:
    cap = {"type": "plate_capture", "device": "CAM1", "plate": "苏L66666", "plate_color": "blue"}
    days = [T0 - timedelta(days=d) for d in (6, 5, 3, 1)]
    run(world, [cap | {"id": f"c{i}", "time": t.isoformat()} for i, t in enumerate(days)])
    assert leads(world, "illegal_operation") == []  # 4 captures in 7 days
    run(world, [cap | {"id": "c9", "time": T0.isoformat()}])
    [lead] = leads(world, "illegal_operation")
    assert lead.matter == "passenger.illegal_operation" and lead.details["hub_captures_7d"] == 5
    # The five captures are its evidence, the four before the one that reached five included.
    from zhifa.monitoring.models import LeadEvent

    linked = world.scalars(
        select(Event.event_id).join(LeadEvent, LeadEvent.event_id == Event.id).where(LeadEvent.lead_id == lead.id)
    ).all()
    assert lead.count == 5 and sorted(linked) == ["c0", "c1", "c2", "c3", "c9"]
    assert lead.first_event_time == T0  # the capture that reached five: the fold window runs from it
    assert lead.unit_code == "BA"


def test_a_gap_that_opens_and_closes_within_one_batch_is_raised_ended(world: Session) -> None:
    """A file or batch holding a vessel's fixes 20 min apart: the scan between batches never sees
    the silence open, the second fix finds it and raises the lead already ended."""
    run(world, [ais_event(1, T0, pos("413000003", 119.50, 32.25)),
                ais_event(2, T0 + timedelta(minutes=20), pos("413000003", 119.51, 32.25))])
    [gap] = leads(world, "ais_gap")
    assert (gap.subject, gap.status, gap.unit_code) == ("413000003", "ended", "WT")
    assert evidence(world, gap) == ["a1", "a2"] and gap.count == 2  # the last fix, the reappearance
    assert gap.first_event_time == T0 and gap.details["silent_since_s"] == 1200
    assert gap.details["reappeared_at"] == (T0 + timedelta(minutes=20)).isoformat()
    # 10 min exactly is no gap; and a gap the scan already raised is ended, not raised twice.
    run(world, [ais_event(3, T0 + timedelta(minutes=30), pos("413000003", 119.52, 32.25)),
                *track("413000001", T0 + timedelta(minutes=30), 119.30, 32.25, n=13, first_id=10)])
    assert len(leads(world, "ais_gap")) == 2
    run(world, [ais_event(4, T0 + timedelta(minutes=50), pos("413000003", 119.53, 32.25))])
    assert [(g.status, g.first_event_time) for g in leads(world, "ais_gap")] == [
        ("ended", T0), ("ended", T0 + timedelta(minutes=30))
    ]


def test_a_watched_vessel_is_placed_where_it_reports_not_at_the_receiver(world: Session) -> None:
    world.add(WatchEntry(mmsi="413000003", reason="未缴罚款", matter="water.vessel", added_by="test"))
    world.flush()
    run(world, [ais_event(1, T0, pos("413000003", 119.50, 32.25))])
    [w] = leads(world, "watchlist")
    assert (round(w.lon, 4), round(w.lat, 4), w.unit_code) == (119.50, 32.25, "WT")


def test_static_data_before_any_position_is_placed_at_the_receiver(world: Session) -> None:
    static = encode_dict({"type": 5, "mmsi": "413000002", "shipname": "WRONG NAME", "ship_type": 81},
                         radio_channel="B", talker_id="AI")
    run(world, [ais_event(1, T0, static)])
    [m] = leads(world, "ais_mismatch")
    assert m.details["located_by"] == "receiver" and (m.lon, m.lat) == (119.40, 32.23)
    assert m.unit_code is not None and m.routing_reason
    # Once the vessel has reported a position, a later mismatch lies there.
    run(world, [ais_event(2, T0 + timedelta(minutes=1), pos("413000001", 119.50, 32.25)),
                ais_event(3, T0 + timedelta(minutes=2), encode_dict(
                    {"type": 5, "mmsi": "413000001", "shipname": "OTHER", "ship_type": 70},
                    radio_channel="B", talker_id="AI"))])
    later = [x for x in leads(world, "ais_mismatch") if x.subject == "413000001"]
    assert [(x.details["located_by"], round(x.lon, 4), x.unit_code) for x in later] == [("vessel", 119.50, "WT")]
