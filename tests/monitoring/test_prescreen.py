"""The rules' prescreen at ingestion (``monitoring.service.prescreen``, installed in
``sensing.service``): vehicle events of a large post that certainly raise nothing are stored done
and never queued. It changes where the work is done, never an outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.conftest import _fresh_database
from tests.helpers import load_small_map
from tests.monitoring.test_pipeline import DEVICES
from zhifa.core.audit import SYSTEM
from zhifa.core.db import make_engine, session_factory, upgrade
from zhifa.imports import run_import
from zhifa.monitoring import service as monitoring
from zhifa.monitoring.models import Lead, LeadEvent, WatchEntry
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Event, EventTicket

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


@pytest.fixture(autouse=True)
def _prescreen_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """On for both stores here (``auto`` leaves SQLite's events to the worker process)."""
    from zhifa.core.config import get_settings

    monkeypatch.setattr(get_settings(), "prescreen", "on")


def _world(url: str) -> Engine:
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as s:
        load_small_map(s)
        run_import(s, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
        expiry = (T0 - timedelta(days=1)).date().isoformat()
        vehicles = (
            "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
            "苏L10001,yellow,truck,2,,YY001,valid,2099-01-01\n"
            f"苏L10002,yellow,truck,2,,YY002,valid,{expiry}\n"  # expired yesterday
            "苏L10003,blue,taxi,2,,CZ003,revoked,2099-01-01\n"
        )
        run_import(s, SYSTEM, "entities", Path("vehicles.csv"), vehicles.encode())
        sites = "code,name,site_type,lon,lat,address\nS-RAIL,镇江站,railway_station,119.4001,32.1502,镇江\n"
        run_import(s, SYSTEM, "entities", Path("sites.csv"), sites.encode())
        watched = WatchEntry(plate="苏L10004", plate_color="yellow", reason="欠缴罚款", matter="freight.operation")
        s.add(watched)
        watched.added_by = "test"
        s.commit()
    return engine


@pytest.fixture()
def two(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with _fresh_database(tmp_path / "a") as a, _fresh_database(tmp_path / "b") as b:
        ea, eb = _world(a), _world(b)
        yield ea, eb
        ea.dispose()
        eb.dispose()


def _events(n: int = 160) -> list[dict[str, Any]]:
    """One post of ``n`` vehicle events: mostly quiet trucks, and among them every kind of finding
    a vehicle event can raise."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        t = (T0 + timedelta(seconds=i)).isoformat()
        e: dict[str, Any] = {"id": f"e{i}", "type": "wim", "device": "WIM1", "time": t, "plate": f"苏A{i:05d}",
                             "plate_color": "yellow", "axles": 2, "gross_kg": 12000}  # fmt: skip
        if i % 25 == 0:
            e["gross_kg"] = 30000  # overload
        elif i % 25 == 1:
            e["height_m"] = 4.4  # oversize
        elif i % 25 == 2:
            e["plate"] = "苏L10002"  # registered, its certificate expired
        elif i % 25 == 3:
            e["plate"] = "苏L10004"  # watched
        elif i % 25 == 4:
            e["plate"], e["plate_color"] = "无牌", None  # unidentified (overloaded: a lead for review)
            e["gross_kg"] = 30000
        elif i % 25 == 5:
            e = {"id": f"e{i}", "type": "plate_capture", "device": "CAM1", "time": t,  # at the station
                 "plate": "苏L10003", "plate_color": "blue"}  # fmt: skip
        elif i % 25 == 6:
            e["plate"] = "苏L10001"  # registered, valid: quiet
        elif i % 25 == 7:
            e = {"id": f"e{i}", "type": "plate_capture", "device": "CAM1", "time": t,  # at the station,
                 "plate": "苏L20000", "plate_color": "blue"}  # fmt: skip  # not registered: 7 captures
        out.append(e)
    return out


def _post(engine: Engine, events: list[dict[str, Any]]) -> dict[str, Any]:
    with session_factory(engine)() as s:
        r = sensing.ingest(s, json.dumps(events, ensure_ascii=False).encode(), actor=SYSTEM, with_settled=True)
        s.commit()
    return r


def _state(engine: Engine) -> tuple[dict[str, tuple[str, bool, bool]], list[tuple[Any, ...]]]:
    with session_factory(engine)() as s:
        events = {e.event_id: (e.status, e.raised_lead, e.processed_at is not None) for e in s.scalars(select(Event))}
        names = dict(s.execute(select(Event.id, Event.event_id)).all())
        links: dict[int, list[str]] = {}
        for lead_id, event_id in s.execute(select(LeadEvent.lead_id, LeadEvent.event_id)):
            links.setdefault(lead_id, []).append(names[event_id])
        leads = sorted(
            (x.kind, x.subject, x.count, x.unit_code, x.status, x.usable_as_evidence, sorted(links.get(x.id, [])))
            for x in s.scalars(select(Lead))
        )
    return events, leads


@pytest.mark.db
def test_prescreened_or_not_the_same_leads_and_outcomes(two: tuple[Engine, Engine]) -> None:
    with_screen, without = two
    events = _events()

    first = _post(with_screen, events)
    assert (first["accepted"], first["duplicate"], first["rejected"]) == (160, 0, [])
    # Settled as stored: the quiet trucks and the valid registered one; not the findings, not the
    # captures at the railway station (their rule counts stored captures).
    assert first["settled"] == sum(1 for i in range(160) if i % 25 == 6 or i % 25 > 7)
    with session_factory(with_screen)() as s:
        queued = sorted(i for t in s.scalars(select(EventTicket)) for i in t.ids)
        pending = sorted(s.scalars(select(Event.id).where(Event.status == "pending")))
        assert queued == pending and len(pending) == 160 - first["settled"]
        settled = s.scalars(select(Event).where(Event.status == "done")).all()
        assert all(e.processed_at == e.received_at and not e.raised_lead for e in settled)
    done = monitoring.drain(with_screen, final=True)
    assert done["events"] == 160 - first["settled"]

    sensing.register_prescreen(None)  # the same post, every event through the workers
    try:
        plain = _post(without, events)
    finally:
        sensing.register_prescreen(monitoring.prescreen)
    assert (plain["accepted"], plain["settled"]) == (160, 0)
    assert monitoring.drain(without, final=True)["events"] == 160

    got, expected = _state(with_screen), _state(without)
    assert {k: v[:2] for k, v in got[0].items()} == {k: v[:2] for k, v in expected[0].items()}
    assert all(v[2] for v in got[0].values())  # every event has its processing time
    assert got[1] == expected[1]
    kinds = {lead[0] for lead in got[1]}
    assert kinds == {"overload", "oversize", "certificate_expired", "watchlist", "illegal_operation"}

    # Sent again: all duplicates, nothing settled or queued twice.
    again = _post(with_screen, events)
    assert (again["accepted"], again["duplicate"], again["settled"]) == (0, 160, 0)
    assert monitoring.drain(with_screen, final=True)["events"] == 0


@pytest.mark.db
def test_small_posts_and_failing_rules_leave_the_events_to_the_workers(
    two: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = two
    quiet = [e for e in _events(400) if e["plate"].startswith("苏A") and e["gross_kg"] == 12000 and "height_m" not in e]
    assert len(quiet) > sensing.PRESCREEN_MIN + 10
    small = quiet[: sensing.PRESCREEN_MIN - 1]
    assert _post(engine, small)["settled"] == 0  # below PRESCREEN_MIN: the workers do it all

    real = monitoring.findings_for

    def exploding(session: Any, ev: Any, *a: Any, **kw: Any) -> Any:
        if ev.event_id.startswith("b") and ev.event_id.endswith("7"):
            raise RuntimeError("rule exploded")
        return real(session, ev, *a, **kw)

    monkeypatch.setattr(monitoring, "findings_for", exploding)
    big = [dict(e, id=f"b{e['id']}") for e in quiet[: sensing.PRESCREEN_MIN + 10]]
    r = _post(engine, big)
    failing = [e for e in big if e["id"].endswith("7")]
    assert r["settled"] == len(big) - len(failing)
    with session_factory(engine)() as s:
        assert set(s.scalars(select(Event.event_id).where(Event.status == "pending"))) == {
            *(e["id"] for e in small),
            *(e["id"] for e in failing),
        }
    # The worker meets the failing rule again and records it: pending, visible, never done.
    out = monitoring.process_pending(engine, batch=5000)
    assert (out["events"], out["failed"]) == (len(small), len(failing))
    with session_factory(engine)() as s:
        stuck = s.execute(select(Event.event_id, Event.attempts).where(Event.status == "pending")).all()
        assert sorted(stuck) == sorted((e["id"], 1) for e in failing)


@pytest.mark.db
@pytest.mark.parametrize("mode", ["auto", "off"])
def test_the_setting_decides_where_the_rules_run(
    two: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from zhifa.core.config import get_settings

    engine, _ = two
    monkeypatch.setattr(get_settings(), "prescreen", mode)
    quiet = [e for e in _events(400) if e["plate"].startswith("苏A") and e["gross_kg"] == 12000 and "height_m" not in e]
    r = _post(engine, quiet[: sensing.PRESCREEN_MIN])
    expected = len(quiet[: sensing.PRESCREEN_MIN]) if mode == "auto" and engine.dialect.name == "postgresql" else 0
    assert r["settled"] == expected
