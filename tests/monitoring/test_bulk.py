"""The batch fold (bulk.fold_batch) gives exactly the leads of folding event by event."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.monitoring.test_pipeline import wim, world  # noqa: F401  (the fixture)
from zhifa.core.audit import SYSTEM
from zhifa.monitoring import bulk, rules
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.sensing import queue
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device, Event

PLATES = ["苏L12345", "苏L54321", "苏L77777", "苏L88888", "苏L60606"]


def stream(seed: int, n: int) -> list[dict[str, Any]]:
    """Overloads and clean passes of five vehicles over 400 days (folds, gaps, repeats, permits,
    oversize, a watched plate, a revoked certificate), in a shuffled arrival order."""
    rng = random.Random(seed)
    start = datetime(2025, 5, 1, 2, tzinfo=UTC)
    out = []
    for i in range(n):
        t = start + timedelta(hours=rng.choice([rng.uniform(0, 9600), rng.uniform(9000, 9600)]))
        ev = wim(
            i,
            rng.choice([12000, 18000, 18901, 25000, 30000, 52000]),
            t=t.isoformat(),
            plate=rng.choice(PLATES),
            device=rng.choice(["WIM1", "WIM2"]),
            axles=rng.choice([2, 2, 3, 6]),
        )
        if rng.random() < 0.15:
            ev["height_m"] = rng.choice([3.9, 4.1, 4.6])
        out.append(ev)
    return out


def snapshot(session: Session) -> list[tuple[Any, ...]]:
    session.flush()
    links: dict[int, list[str]] = {}
    for lid, eid in session.execute(
        select(LeadEvent.lead_id, Event.event_id).join(Event, Event.id == LeadEvent.event_id)
    ):
        links.setdefault(lid, []).append(eid)
    return sorted(
        (
            x.kind,
            x.subject,
            x.first_event_time,
            x.last_event_time,
            x.count,
            x.status,
            x.unit_code,
            x.routing_mode,
            x.routing_reason,
            json.dumps(x.details, sort_keys=True, ensure_ascii=False),
            tuple(x.images),
            x.usable_as_evidence,
            x.permitted,
            x.matter,
            x.rule_version,
            tuple(sorted(links.get(x.id, []))),
        )
        for x in session.scalars(select(Lead))
    )


def per_event(session: Session) -> None:
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    for ev in session.scalars(select(Event).where(Event.status == "pending").order_by(Event.id)):
        monitoring.process_event(session, router, ev, devices, rules.MonitoringConfig())


def batched(session: Session, size: int) -> None:
    router = monitoring.jurisdiction.get_router(session)
    devices = {d.code: d for d in session.scalars(select(Device))}
    cfg = rules.MonitoringConfig()
    while (claimed := monitoring.claim(session, size)).tickets:
        assert queue.take(session, claimed.tickets)
        items, quiet = [], []
        for row in claimed.events:
            found = monitoring.findings_for(session, row, devices[row.device_code], cfg)
            (items.append((row, found)) if found else quiet.append(row.id))  # type: ignore[func-returns-value]
        raised, _opened, ids = bulk.fold_batch(session, router, items, devices, cfg, lambda k: rules.RULES[k].version)
        assert sorted(ids) == sorted(r.id for r, _ in items) and raised >= len(items)
        bulk.mark_done(session, ids, raised_lead=True)
        bulk.mark_done(session, quiet, raised_lead=False)
        session.expire_all()


def assert_batches_give(session: Session, expected: list[tuple[Any, ...]]) -> None:
    """The batch path, in batches of 7 and of 1,000, gives the ``expected`` leads (each run
    rolled back)."""
    for size in (7, 1000):
        sp = session.begin_nested()
        batched(session, size)
        assert snapshot(session) == expected, f"batches of {size}"
        sp.rollback()
        session.expire_all()


def test_batch_fold_equals_event_by_event(world: Session) -> None:  # noqa: F811
    watch = "plate,plate_color,mmsi,reason,matter\n苏L60606,yellow,,未缴罚款,road.overload\n"
    from pathlib import Path

    from zhifa.imports import run_import

    run_import(world, SYSTEM, "watchlist", Path("watch.csv"), watch.encode())
    events = stream(11, 240)
    # An open lead and a dismissed one from before, for the batch to fold into / not count.
    sensing.ingest(world, json.dumps(events[:20], ensure_ascii=False).encode(), actor=SYSTEM)
    per_event(world)
    first = world.scalars(select(Lead).where(Lead.kind == "overload").order_by(Lead.id)).first()
    assert first is not None
    first.status = "dismissed"
    sensing.ingest(world, json.dumps(events[20:], ensure_ascii=False).encode(), actor=SYSTEM)
    world.flush()

    sp = world.begin_nested()
    per_event(world)
    expected = snapshot(world)
    sp.rollback()
    world.expire_all()
    kinds = {k[0] for k in expected}
    assert {"overload", "oversize", "repeat_overload", "watchlist", "certificate_expired"} <= kinds, kinds
    assert any(k[4] > 1 for k in expected) and any(k[12] for k in expected)  # folds and permits happen

    assert_batches_give(world, expected)


def test_a_batch_another_worker_finished_meanwhile_counts_nothing(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite claims without a lock (the rules run in a read transaction): if another worker has
    taken the same tickets before the writes, the batch is dropped — no lead counted twice."""
    from pathlib import Path

    from sqlalchemy import func

    from tests.helpers import load_small_map
    from tests.monitoring.test_pipeline import DEVICES
    from zhifa.core.db import make_engine, session_factory, upgrade
    from zhifa.imports import run_import

    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with session_factory(engine)() as s:
        load_small_map(s)
        run_import(s, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
        now = datetime.now(UTC) - timedelta(minutes=10)
        events = [wim(i, 30000 if i % 2 else 12000, t=(now + timedelta(seconds=i)).isoformat()) for i in range(40)]
        sensing.ingest(s, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM)
        s.commit()

    seen: list[monitoring.Claimed] = []
    real = monitoring.claim

    def remembering(session: Session, *a: Any, **kw: Any) -> monitoring.Claimed:
        claimed = real(session, *a, **kw)
        if claimed.tickets:
            seen.append(claimed)
        return claimed

    monkeypatch.setattr(monitoring, "claim", remembering)
    first = monitoring.process_pending(engine)
    assert first["events"] == 40 and first["leads"] > 0

    def leads_and_links() -> tuple[int, int, int]:
        with engine.connect() as c:
            return (
                c.execute(select(func.count()).select_from(Lead)).scalar_one(),
                c.execute(select(func.sum(Lead.count))).scalar_one(),
                c.execute(select(func.count()).select_from(LeadEvent)).scalar_one(),
            )

    before = leads_and_links()
    # The counts: every lead was opened by this run; findings fold into them (some into one lead).
    assert first["leads"] == before[0] and first["findings"] == before[1] > before[0]
    monkeypatch.setattr(monitoring, "claim", lambda session, *a, **kw: seen[0])  # the same tickets again
    again = monitoring.process_pending(engine)
    assert again == {"events": 0, "findings": 0, "leads": 0, "failed": 0}
    assert leads_and_links() == before
    engine.dispose()


@pytest.mark.db
def test_pg_array_text_round_trips(session: Session) -> None:
    """The array literal one_of sends on PostgreSQL reads back as exactly the values given."""
    from sqlalchemy import text

    tricky = ["苏L12345", 'a"b', "back\\slash", "{brace}", "com,ma", "NULL", " spaced ", "", "无牌@WIM1"]
    assert bulk.pg_array_text([1, 22, 333]) == "{1,22,333}"
    assert bulk.pg_array_text([]) == "{}" and bulk.pg_array_text([-5, 0]) == "{-5,0}"
    for bad in ([1.5], [True], [1, True], [1, None]):
        with pytest.raises(TypeError):
            bulk.pg_array_text(bad)
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL array literals")
    assert session.execute(text("SELECT CAST(:v AS text[])"), {"v": bulk.pg_array_text(tricky)}).scalar_one() == tricky
    # Values with no quote or backslash take one join; any such value, wherever it is, the
    # escaping path — among them values that look like the separator.
    for v in [*tricky, 'a","b', '"', '","', 'x"', '",', ',"', "\\"]:
        for values in ([v], ["苏L1", v], [v, "苏L2"], ["苏L1", v, "苏L2"]):
            got = session.execute(text("SELECT CAST(:v AS text[])"), {"v": bulk.pg_array_text(values)}).scalar_one()
            assert got == values, values
    ids = [1, 2**40, 7]
    assert session.execute(text("SELECT CAST(:v AS bigint[])"), {"v": bulk.pg_array_text(ids)}).scalar_one() == ids


def test_hub_captures_fold_the_same_in_batches_and_one_by_one(world: Session) -> None:  # noqa: F811
    """``illegal_operation`` opens with the vehicle's earlier hub captures linked as evidence. With
    captures arriving out of time order and several at one time, an event a lead already holds as
    evidence must change nothing when its own turn comes — in a batch or one by one."""
    from pathlib import Path

    from zhifa.imports import run_import

    sites = "code,name,site_type,lon,lat,address\nS-RAIL,镇江站,railway_station,119.4001,32.1502,镇江\n"
    run_import(world, SYSTEM, "entities", Path("sites.csv"), sites.encode())
    rng = random.Random(7)
    start = datetime(2026, 5, 20, 1, tzinfo=UTC)
    events = []
    for i in range(150):
        t = start + timedelta(hours=rng.choice([rng.uniform(0, 400), 100.0, 200.0]))  # shared times too
        plate = rng.choice(["苏L11111", "苏L22222", "苏L33333"])
        events.append({"id": f"c{i}", "type": "plate_capture", "device": "CAM1", "time": t.isoformat(),
                       "plate": plate, "plate_color": "blue", "images": [f"{i:064x}"]})  # fmt: skip
    from zhifa.sensing.models import Evidence

    world.add_all(Evidence(sha256=e["images"][0], size=1, content_type="image/jpeg", created_by="t") for e in events)
    sensing.ingest(world, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM)
    world.flush()
    devices = {d.code: d for d in world.scalars(select(Device))}
    monitoring.HUB_DEVICES[id(world)] = monitoring.hub_devices(world, devices, rules.MonitoringConfig())
    try:
        sp = world.begin_nested()
        per_event(world)
        expected = snapshot(world)
        sp.rollback()
        world.expire_all()
        opened = [k for k in expected if k[0] == "illegal_operation"]
        assert opened and all(k[4] == len(k[15]) for k in opened)  # count = the events linked
        assert any(k[4] >= 5 and len(k[10]) == k[4] for k in opened)  # each capture's image once
        assert_batches_give(world, expected)
    finally:
        monitoring.HUB_DEVICES.pop(id(world), None)
