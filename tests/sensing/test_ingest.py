"""Device registry and event ingestion: per-line rejection, duplicates, keys, evidence."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import load_small_map, login, make_user
from zhifa.core.audit import SYSTEM
from zhifa.core.errors import ImportRejected
from zhifa.imports import run_import
from zhifa.sensing import service as sensing_service
from zhifa.sensing.models import Device, Event, Evidence

DEVICES = """code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until
WIM1,wim,G312 称重点,119.35,32.2002,,,wim1-key-0123456789,2026-01-01,true,2027-01-01
CAM1,camera,镇江站卡口,119.40,32.15,,,cam1-key-0123456789,,false,
CP1,checkpoint,长江卡口,119.40,32.25,,"LINESTRING (119.40 32.24, 119.40 32.26)",cp1-key-0123456789,,,
"""


@pytest.fixture()
def devices(session: Session, tmp_path: Path) -> dict[str, Any]:
    load_small_map(session)
    return run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())


def _post(client: Any, events: list[dict[str, Any]] | str, key: str | None = "wim1-key-0123456789") -> Any:
    body = events if isinstance(events, str) else json.dumps(events, ensure_ascii=False)
    headers = {"X-Device-Key": key} if key else {}
    return client.post("/api/v1/events", content=body.encode(), headers=headers)


def wim(i: int, **kw: Any) -> dict[str, Any]:
    return {
        "id": f"w{i}",
        "type": "wim",
        "device": "WIM1",
        "time": "2026-06-01T10:00:00+08:00",
        "plate": "苏L12345",
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": 10000,
    } | kw


def test_devices_are_routed_and_graded(session: Session, devices: dict[str, Any]) -> None:
    assert devices["created"] == 3 and devices["api_keys"] == {}
    wim1 = session.scalar(select(Device).where(Device.code == "WIM1"))
    assert wim1 is not None and wim1.unit_code == "RD1" and wim1.accuracy_pct == "5"  # blank → 5 % for WIM
    cam = session.scalar(select(Device).where(Device.code == "CAM1"))
    assert cam is not None and cam.unit_code == "BA"
    cp = session.scalar(select(Device).where(Device.code == "CP1"))
    assert cp is not None and cp.unit_code == "WT"


def test_generated_keys_are_returned_once_and_stored_hashed(session: Session) -> None:
    load_small_map(session)
    r = run_import(
        session,
        SYSTEM,
        "devices",
        Path("d.csv"),
        b"code,kind,name,lon,lat,accuracy_pct,crossing_line\nX1,camera,x,119.4,32.15,,\n",
    )
    key = r["api_keys"]["X1"]
    d = session.scalar(select(Device).where(Device.code == "X1"))
    assert d is not None and key not in d.api_key_hash and len(d.api_key_hash) == 64


@pytest.mark.parametrize(
    ("row", "expect"),
    [
        ("X,radar,x,119.4,32.15,,", "unknown kind"),
        ("X,checkpoint,x,119.4,32.15,,", "needs its crossing_line"),
        ('X,checkpoint,x,119.4,32.15,,"POINT (1 2)"', "LINESTRING"),
        ("X,wim,x,119.4,132.15,,", "bad location"),
        ("X,wim,x,119.4,32.15,abc,", "accuracy_pct"),
    ],
)
def test_bad_device_rows(session: Session, row: str, expect: str) -> None:
    load_small_map(session)
    with pytest.raises(ImportRejected) as exc:
        run_import(
            session,
            SYSTEM,
            "devices",
            Path("d.csv"),
            f"code,kind,name,lon,lat,accuracy_pct,crossing_line\n{row}\n".encode(),
        )
    assert expect in str(exc.value.errors[0])
    assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_good_lines_pass_bad_lines_are_reported(client: Any, session: Session, devices: Any, clock: Any) -> None:
    body = "\n".join(
        [
            json.dumps(wim(1), ensure_ascii=False),
            "{not json",
            json.dumps(wim(2, type="radar"), ensure_ascii=False),
            json.dumps(wim(3, plate="苏LI2345"), ensure_ascii=False),
            json.dumps(wim(4, gross_kg=0), ensure_ascii=False),
            json.dumps(wim(5, axles=13), ensure_ascii=False),
            json.dumps(wim(6, time="2026-06-01T10:00:00"), ensure_ascii=False),
            json.dumps(wim(7, time="2026-06-01T02:06:00Z"), ensure_ascii=False),  # 6 min ahead of the clock
            json.dumps(wim(8, plate="无牌", plate_color=None), ensure_ascii=False),
            json.dumps(
                {
                    "id": "w9",
                    "type": "wim",
                    "device": "WIM1",
                    "time": "2026-06-01T10:00:00+08:00",
                    "plate": "苏L12345",
                    "axles": 2,
                },
                ensure_ascii=False,
            ),
            json.dumps(wim(10, device="CAM1"), ensure_ascii=False),
            "",
            json.dumps(wim(11), ensure_ascii=False),
        ]
    )
    r = _post(client, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["accepted"] == 3 and out["duplicate"] == 0
    reasons = {x["line"]: x["reason"] for x in out["rejected"]}
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8, 10, 11}
    assert "malformed JSON" in reasons[2] and "unknown event type" in reasons[3]
    assert reasons[4].startswith("plate") and "greater than 0" in reasons[5] and "impossible" in reasons[6]
    assert "offset" in reasons[7] and "future" in reasons[8] and "gross_kg: missing" in reasons[10]
    assert "does not match the device key" in reasons[11]
    stored = session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.event_id for e in stored] == ["w1", "w8", "w11"]
    assert stored[1].plate is None and stored[1].payload["unidentified"] == "无牌"


def test_resent_events_are_duplicates(client: Any, session: Session, devices: Any, clock: Any) -> None:
    assert _post(client, [wim(1), wim(2)]).json()["accepted"] == 2
    r = _post(client, [wim(1), wim(2, gross_kg=99999), wim(3), wim(3)]).json()
    assert (r["accepted"], r["duplicate"]) == (1, 3)
    stored = session.scalar(select(Event).where(Event.event_id == "w2"))
    assert stored is not None and stored.payload["gross_kg"] == "10000"  # unchanged


@pytest.mark.db
def test_a_post_with_nothing_to_store_is_answered(client: Any, session: Session, devices: Any, clock: Any) -> None:
    """An empty array (a quiet minute of a device), only bad lines, or only events another post
    stored already: 200 with the counts, nothing written — also through ``zhifa ingest``'s path."""
    assert _post(client, []).json() == {"accepted": 0, "duplicate": 0, "rejected": []}
    assert _post(client, "").json() == {"accepted": 0, "duplicate": 0, "rejected": []}
    bad = _post(client, [wim(1, axles=1), wim(2, gross_kg=0)])
    assert bad.status_code == 200 and bad.json()["accepted"] == 0
    assert [x["line"] for x in bad.json()["rejected"]] == [1, 2]
    assert session.scalar(select(func.count()).select_from(Event)) == 0
    r = sensing_service.ingest(session, b"[]", actor=SYSTEM, with_settled=True)
    assert r == {"accepted": 0, "duplicate": 0, "rejected": [], "settled": 0}


def test_device_keys(client: Any, session: Session, devices: Any, clock: Any) -> None:
    assert _post(client, [wim(1)], key="wrong-key").status_code == 401
    assert _post(client, [wim(1)], key=None).status_code == 401  # neither a key nor a login
    make_user(session)
    h = login(client)
    r = client.post("/api/v1/events", content=json.dumps([wim(1)]).encode(), headers=h)
    assert r.status_code == 200 and r.json()["accepted"] == 1
    make_user(session, "officer1", ("officer",))
    r = client.post("/api/v1/events", content=json.dumps([wim(2)]).encode(), headers=login(client, "officer1"))
    assert r.status_code == 403


def test_images_are_content_addressed(client: Any, session: Session, devices: Any, clock: Any) -> None:
    img = base64.b64encode(b"\xff\xd8\xff fake jpeg").decode()
    r = _post(client, [wim(1, images=[img]), wim(2, images=[img])]).json()
    assert r["accepted"] == 2
    assert session.scalar(select(func.count()).select_from(Evidence)) == 1
    digest = session.scalars(select(Event.images)).first()[0]
    r = _post(client, [wim(3, images=[digest]), wim(4, images=["0" * 64])]).json()
    assert r["accepted"] == 1 and "unknown evidence hash" in r["rejected"][0]["reason"]


def test_silent_devices_go_offline_and_come_back(clock: Any, client: Any, session: Session, devices: Any) -> None:
    from datetime import timedelta

    from zhifa.core.audit import AuditLog

    assert _post(client, [wim(1)]).status_code == 200
    clock.advance(timedelta(seconds=301))  # default heartbeat 300 s
    flipped = sensing_service.mark_offline(session)
    assert set(flipped) == {"WIM1", "CAM1", "CP1"}
    assert sensing_service.mark_offline(session) == []  # flipped once only
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "offline")) == 3
    assert _post(client, [wim(2, time="2026-06-01T10:05:00+08:00")]).status_code == 200
    wim1 = session.scalar(select(Device).where(Device.code == "WIM1"))
    assert wim1 is not None and wim1.status == "active"


def _statements(session: Session) -> list[str]:
    """Every SQL statement sent on the session's connection from now on (the list grows)."""
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(session.connection(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_device_key_is_resolved_once_then_remembered(
    clock: Any, client: Any, session: Session, devices: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A camera posting capture by capture: its key is looked up once, then trusted for
    DEVICE_KEY_CACHE_S in this process; and the heartbeat is written at most every
    HEARTBEAT_WRITE_S (a quarter of the device's interval when shorter), by the injectable clock."""
    from datetime import timedelta

    seen = _statements(session)
    assert _post(client, [wim(1)]).status_code == 200
    assert sum("api_key_hash" in q for q in seen) == 1 and beats(seen) == 1
    clock.advance(timedelta(seconds=4))
    assert _post(client, [wim(2)]).json()["accepted"] == 1
    assert sum("api_key_hash" in q for q in seen) == 1, "the key was looked up again"
    assert beats(seen) == 1, "the heartbeat was written again within 5 s"
    assert not any("FROM sensing_device" in q and "api_key_hash" not in q for q in seen), "a keyed post read the map"
    clock.advance(timedelta(seconds=2))  # 6 s after the last write
    assert _post(client, [wim(3)]).status_code == 200
    assert beats(seen) == 2
    wim1 = session.scalar(select(Device).where(Device.code == "WIM1"))
    assert wim1 is not None and wim1.last_seen_at == clock.now()
    # A device with a short interval (8 s) beats every 2 s.
    session.execute(update_device("WIM1", heartbeat_s=8))
    sensing_service.forget_device_keys()
    clock.advance(timedelta(seconds=1))
    assert _post(client, [wim(4)]).status_code == 200
    clock.advance(timedelta(seconds=2))
    assert _post(client, [wim(5)]).status_code == 200
    assert beats(seen) == 4
    # Past the cache's time the key is looked up again: a device disabled meanwhile is refused.
    session.execute(update_device("WIM1", status="disabled"))
    monkeypatch.setattr(sensing_service, "DEVICE_KEY_CACHE_S", 0.0)
    r = _post(client, [wim(6)])
    assert r.status_code == 401 and session.scalar(select(func.count()).select_from(Event)) == 5


def beats(seen: list[str]) -> int:
    return sum(q.startswith("UPDATE sensing_device SET") and "last_seen_at=" in q for q in seen)


def update_device(code: str, **values: Any) -> Any:
    from sqlalchemy import update

    return update(Device).where(Device.code == code).values(**values)


def test_a_new_key_imported_is_used_at_once_in_this_process(client: Any, session: Session, devices: Any) -> None:
    assert _post(client, [wim(1)]).status_code == 200  # the old key, now remembered
    new = DEVICES.replace("wim1-key-0123456789", "wim1-key-rotated-0123").replace("119.35,32.2002", "119.36,32.2002")
    run_import(session, SYSTEM, "devices", Path("devices.csv"), new.encode())
    assert _post(client, [wim(2)]).status_code == 401  # the old key: refused at once, not in 5 s
    assert _post(client, [wim(3)], key="wim1-key-rotated-0123").json()["accepted"] == 1
    moved = session.scalar(select(Event).where(Event.event_id == "w3"))
    assert moved is not None and moved.lon == 119.36  # the device's new place, not the remembered one


def test_ndjson_lines_end_only_at_newlines(client: Any, session: Session, devices: Any, clock: Any) -> None:
    # U+2028 is legal unescaped inside a JSON string; it must not split the line.
    first = json.dumps(wim(1) | {"note": "x\u2028y"}, ensure_ascii=False)
    body = first + "\r\n" + "{bad\n" + json.dumps(wim(2), ensure_ascii=False)
    r = _post(client, body).json()
    assert r["accepted"] == 2 and [x["line"] for x in r["rejected"]] == [2]
