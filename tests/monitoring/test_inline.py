"""The vehicle rules run inline by the API (``monitoring.inline``): the same leads and the same
event states as the worker processing each batch as soon as it is stored; failures, busy subjects
and a failed fold go back to the worker's queue; what the API leaves to the worker."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.monitoring.test_bulk import snapshot, stream
from tests.monitoring.test_pipeline import wim, world  # noqa: F401  (the fixture)
from zhifa.core.audit import SYSTEM
from zhifa.imports import run_import
from zhifa.monitoring import inline, rules
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.models import Lead
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device, Event

T_CAP = datetime(2026, 6, 3, 9, tzinfo=UTC)


@pytest.fixture()
def rich(world: Session) -> Session:  # noqa: F811
    """The pipeline's world with a watched plate and a railway station beside camera CAM1."""
    watch = "plate,plate_color,mmsi,reason,matter\n苏L60606,yellow,,未缴罚款,road.overload\n"
    run_import(world, SYSTEM, "watchlist", Path("watch.csv"), watch.encode())
    sites = "code,name,site_type,lon,lat,address\nS-RAIL,镇江站,railway_station,119.4001,32.1502,镇江\n"
    run_import(world, SYSTEM, "entities", Path("sites.csv"), sites.encode())
    world.flush()
    return world


def captures(seed: int) -> list[dict[str, Any]]:
    """Plate captures at the station camera: unregistered cars seen 3-8 times in 10 days (some
    reach five in seven days), a taxi with an expired certificate, a watched plate."""
    rng = random.Random(seed)
    out = []
    for n, plate in enumerate(["苏L11111", "苏L22222", "苏L33333", "苏L44444"]):
        for k in range(3 + 2 * n % 7):
            t = T_CAP - timedelta(days=rng.uniform(0, 10))
            out.append({"id": f"c{n}-{k}", "type": "plate_capture", "device": "CAM1", "time": t.isoformat(),
                        "plate": plate, "plate_color": "blue"})  # fmt: skip
    out.append({"id": "taxi", "type": "plate_capture", "device": "CAM1", "time": T_CAP.isoformat(),
                "plate": "苏L12345", "plate_color": "blue"})  # fmt: skip
    out.append({"id": "watched", "type": "plate_capture", "device": "CAM1", "time": T_CAP.isoformat(),
                "plate": "苏L60606", "plate_color": "yellow"})  # fmt: skip
    out.sort(key=lambda e: e["time"])  # a camera sends in time order
    return out


def batches(events: list[dict[str, Any]], size: int) -> list[bytes]:
    return [json.dumps(events[i : i + size], ensure_ascii=False).encode() for i in range(0, len(events), size)]


def store(session: Session, body: bytes, with_inline: bool) -> dict[str, Any]:
    batch = sensing.parse_batch(body, sensing.device_map(session), None)
    return sensing.store_batch(
        session, batch, device_code=None, who="test", inline=inline.plan if with_inline else None
    )


def work(session: Session) -> None:
    """The worker's processing of everything pending, on the test's session (its transaction)."""
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    cfg = rules.MonitoringConfig()
    hubs = monitoring.hub_devices(session, devices, cfg)
    from zhifa.monitoring import bulk

    while rows := monitoring.claim(session, 1000):
        found = monitoring.vehicle_findings(session, rows, devices, cfg, hubs)
        assert not found.failures
        bulk.mark_done(session, found.quiet, raised_lead=False)
        ready, deferred = monitoring.claim_subjects(session, found.with_leads)
        assert not deferred
        bulk.mark_done(session, [r.id for r, _ in ready], raised_lead=True)
        monitoring.fold_ready(session, router, ready, devices, cfg)
        session.expire_all()


def states(session: Session) -> list[tuple[Any, ...]]:
    return sorted(
        session.execute(
            select(Event.event_id, Event.status, Event.raised_lead, Event.attempts, Event.processed_at.is_(None))
        ).all()
    )


@pytest.mark.db
def test_inline_gives_the_leads_and_states_of_the_worker(rich: Session) -> None:
    """Batches of 40 (folds span batches), stored then processed by the worker at once, against
    the same batches processed inline — leads, their fields and links, and every event's state."""
    events = stream(11, 240) + captures(5)
    random.Random(3).shuffle(events)
    on_pg = rich.get_bind().dialect.name == "postgresql"

    sp = rich.begin_nested()
    for body in batches(events, 40):
        assert store(rich, body, with_inline=False)["rejected"] == []
        work(rich)
    expected, expected_states = snapshot(rich), states(rich)
    sp.rollback()
    rich.expire_all()
    kinds = {k[0] for k in expected}
    assert {"overload", "oversize", "repeat_overload", "watchlist", "certificate_expired", "illegal_operation"} <= kinds
    assert any(k[4] > 1 for k in expected) and any(k[12] for k in expected)  # folds and permits happen

    for body in batches(events, 40):
        assert store(rich, body, with_inline=True)["rejected"] == []
        if on_pg:
            # PostgreSQL leaves the station's captures to the worker (concurrent API transactions
            # would not see each other's captures): they are pending, and nothing else is.
            pending = rich.scalars(select(Event.device_code).where(Event.status == "pending")).all()
            assert set(pending) <= {"CAM1"}
            work(rich)
    assert rich.scalar(select(Event.id).where(Event.status != "done").limit(1)) is None
    assert snapshot(rich) == expected
    assert states(rich) == expected_states


@pytest.mark.db
def test_sqlite_takes_the_station_captures_postgresql_leaves_them(rich: Session) -> None:
    on_pg = rich.get_bind().dialect.name == "postgresql"
    body = json.dumps([*captures(5), wim(1, 30000)], ensure_ascii=False).encode()
    plan = inline.plan(rich, sensing.parse_batch(body, sensing.device_map(rich), None).good)
    assert plan.takes == [not on_pg] * len(captures(5)) + [True]


@pytest.mark.db
def test_a_resent_batch_changes_nothing(rich: Session) -> None:
    [body] = batches(stream(2, 60), 60)
    first = store(rich, body, with_inline=True)
    before = snapshot(rich), states(rich)
    again = store(rich, body, with_inline=True)
    assert (first["accepted"], first["duplicate"]) == (60, 0) and (again["accepted"], again["duplicate"]) == (0, 60)
    assert (snapshot(rich), states(rich)) == before


@pytest.mark.db
def test_a_failing_rule_leaves_its_event_pending_with_the_error(rich: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    real = monitoring.findings_for

    def exploding(session: Session, ev: Any, *a: Any) -> Any:
        if ev.event_id == "w2":
            raise RuntimeError("rule exploded")
        return real(session, ev, *a)

    monkeypatch.setattr(monitoring, "findings_for", exploding)
    events = [wim(1, 30000), wim(2, 30000), wim(3, 12000)]
    assert store(rich, json.dumps(events, ensure_ascii=False).encode(), with_inline=True)["accepted"] == 3
    got = {e.event_id: e for e in rich.scalars(select(Event))}
    assert (got["w2"].status, got["w2"].attempts, got["w2"].processed_at) == ("pending", 1, None)
    assert got["w2"].last_error == "RuntimeError: rule exploded"
    assert [(got[k].status, got[k].raised_lead) for k in ("w1", "w3")] == [("done", True), ("done", False)]
    [lead] = rich.scalars(select(Lead)).all()
    assert lead.count == 1

    monkeypatch.setattr(monitoring, "findings_for", real)  # the rule mended: the worker takes it
    work(rich)
    rich.refresh(lead)
    assert lead.count == 2 and rich.get(Event, got["w2"].id).status == "done"  # type: ignore[union-attr]


@pytest.mark.db
def test_a_failed_fold_leaves_its_events_to_the_worker(rich: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*a: Any) -> int:
        raise RuntimeError("fold failed")

    monkeypatch.setattr(monitoring, "fold_ready", failing)
    events = [wim(1, 30000), wim(2, 12000), wim(3, 30000, plate="苏L54321")]
    assert store(rich, json.dumps(events, ensure_ascii=False).encode(), with_inline=True)["accepted"] == 3
    got = {e.event_id: (e.status, e.attempts, e.raised_lead) for e in rich.scalars(select(Event))}
    # Not the events' fault: pending, no attempt counted; the quiet one is done.
    assert got == {"w1": ("pending", 0, False), "w2": ("done", 0, False), "w3": ("pending", 0, False)}
    assert rich.scalars(select(Lead)).all() == []
    monkeypatch.undo()
    work(rich)
    assert sorted(x.subject for x in rich.scalars(select(Lead))) == ["苏L12345/yellow", "苏L54321/yellow"]


@pytest.mark.db
@pytest.mark.postgres_only
@pytest.mark.skipif(os.environ.get("ZHIFA_TEST_DB", "sqlite") != "postgresql", reason="advisory locks: PostgreSQL")
def test_a_subject_another_transaction_holds_waits_for_the_worker(rich: Session, engine: Engine) -> None:
    # Another worker (or API process) holds 苏L12345's overload subject until it commits.
    with engine.connect() as c:
        key = monitoring._subject_key("overload", "苏L12345/yellow")
        assert c.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar()
        events = [wim(1, 30000), wim(2, 30000, plate="苏L54321")]
        store(rich, json.dumps(events, ensure_ascii=False).encode(), with_inline=True)
        got = {e.event_id: (e.status, e.attempts) for e in rich.scalars(select(Event))}
        assert got == {"w1": ("pending", 0), "w2": ("done", 0)}
        c.rollback()
    work(rich)
    assert sorted(x.subject for x in rich.scalars(select(Lead))) == ["苏L12345/yellow", "苏L54321/yellow"]


@pytest.mark.db
def test_the_api_runs_the_vehicle_rules_before_it_answers(
    rich: Session, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``POST /api/v1/events``: the lead is there when the answer comes, with no worker;
    with ``ZHIFA_INLINE_RULES=0`` the events wait for the worker, as every AIS event does."""
    headers = {"X-Device-Key": "wim1-key-0123456789", "Content-Type": "application/x-ndjson"}
    body = "\n".join(json.dumps(e, ensure_ascii=False) for e in [wim(1, 30000), wim(2, 12000)])
    r = client.post("/api/v1/events", content=body.encode(), headers=headers)
    assert r.status_code == 200 and r.json()["accepted"] == 2, r.text
    [lead] = rich.scalars(select(Lead)).all()
    assert (lead.kind, lead.subject, lead.unit_code) == ("overload", "苏L12345/yellow", "RD1")
    assert sorted(rich.execute(select(Event.event_id, Event.status, Event.raised_lead))) == [
        ("w1", "done", True),
        ("w2", "done", False),
    ]

    from zhifa.app import create_app

    monkeypatch.setenv("ZHIFA_INLINE_RULES", "0")
    assert create_app().state.inline_rules is None
    client.app.state.inline_rules = None  # the app the client serves, composed the same way
    r = client.post("/api/v1/events", content=json.dumps(wim(3, 30000)).encode(), headers=headers)
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    assert rich.scalar(select(Event.status).where(Event.event_id == "w3")) == "pending"
    assert len(rich.scalars(select(Lead)).all()) == 1
