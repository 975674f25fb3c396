"""The raw-event archive: archiving, retention, the history query and their audit rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import SYSTEM, Actor, AuditLog
from zhifa.core.errors import BadRequest, Forbidden
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.sensing import archive
from zhifa.sensing.models import Event

NOW = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)  # 2026-09-01 12:00 in Shanghai
OFFICER = Actor(username="zhang", roles=frozenset({"officer"}), unit_code="RD1")


def ev(
    session: Session,
    n: int,
    at: datetime,
    *,
    plate: str | None = "苏L12345",
    color: str | None = "yellow",
    mmsi: str | None = None,
    status: str = "done",
    raised_lead: bool = False,
    device: str = "CAM1",
) -> Event:
    e = Event(
        device_code=device,
        event_id=f"e{n}",
        type="plate_capture" if plate else "ais",
        event_time=at,
        received_at=at + timedelta(seconds=2),
        plate=plate,
        plate_color=color if plate else None,
        mmsi=mmsi,
        lon=119.4 + n / 1000,
        lat=32.15,
        payload={"plate": plate, "n": n, "说明": "抓拍"} if plate else {"mmsi": mmsi, "n": n},
        images=[f"{n:064x}"] if n % 2 else None,
        status=status,
        attempts=1,
        processed_at=at + timedelta(seconds=5) if status == "done" else None,
        raised_lead=raised_lead,
    )
    session.add(e)
    session.flush()
    return e


def hold_in_lead(session: Session, *events: Event) -> Lead:
    lead = Lead(
        kind="overload",
        subject="苏L12345/yellow",
        rule_version="test",
        first_event_time=events[0].event_time,
        last_event_time=events[-1].event_time,
        details={},
    )
    session.add(lead)
    session.flush()
    for e in events:
        session.add(LeadEvent(lead_id=lead.id, event_id=e.id, event_time=e.event_time))
    session.flush()
    return lead


def days_ago(d: float) -> datetime:
    return NOW - timedelta(days=d)


def strip(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in x.items() if k != "source"} for x in items]


def hot_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def archived_rows(root: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in sorted(root.glob("date=*/*.parquet")):
        rows += [r | {"date": f.parent.name[5:]} for r in pq.read_table(f).to_pylist()]
    return rows


def audits(session: Session, entity_type: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.entity_type == entity_type).order_by(AuditLog.id)))


@pytest.fixture()
def events(session: Session) -> dict[str, Event]:
    out = {
        "recent": ev(session, 1, days_ago(3)),
        "old1": ev(session, 2, days_ago(40)),
        "old2": ev(session, 3, days_ago(40) + timedelta(hours=1), color=None),
        "old3": ev(session, 4, days_ago(75), device="WIM1"),
        "lead": ev(session, 5, days_ago(50), raised_lead=True, device="WIM1"),
        "pending": ev(session, 6, days_ago(45), status="pending"),
        "other": ev(session, 7, days_ago(41), plate="苏L54321"),
        "blue": ev(session, 8, days_ago(42), color="blue"),
        "too_old": ev(session, 9, days_ago(120)),
        "ship": ev(session, 10, days_ago(60), plate=None, mmsi="413000001", device="CP1"),
    }
    hold_in_lead(session, out["lead"])
    return out


def test_archive_then_history_returns_the_same_events(
    session: Session, events: dict[str, Event], tmp_path: Path
) -> None:
    before = archive.history(session, OFFICER, plate="苏L12345", plate_color="yellow", root=tmp_path, now=NOW)
    assert [x["event_id"] for x in before] == ["e4", "e5", "e6", "e2", "e3", "e1"]  # time order
    assert all(x["source"] == "hot" for x in before)

    r = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert r["archived"] == 7 and r["kept_for_leads"] == 1 and r["already_archived"] == 0
    # Left in the hot store: the recent event, the lead's evidence and the unprocessed event.
    left = set(session.scalars(select(Event.event_id)))
    assert left == {"e1", "e5", "e6"}
    assert hot_count(session) == 3

    after = archive.history(session, OFFICER, plate="苏L12345", plate_color="yellow", root=tmp_path, now=NOW)
    assert strip(after) == strip(before)
    assert {x["event_id"]: x["source"] for x in after} == {
        "e1": "hot",
        "e2": "archive",
        "e3": "archive",
        "e4": "archive",
        "e5": "hot",
        "e6": "hot",
    }
    e2 = next(x for x in after if x["event_id"] == "e2")
    assert e2["payload"] == {"plate": "苏L12345", "n": 2, "说明": "抓拍"} and e2["images"] is None
    e3 = next(x for x in after if x["event_id"] == "e3")
    assert e3["images"] == [f"{3:064x}"] and e3["plate_color"] is None  # unknown colour is included
    assert e3["event_time"] == events["old2"].event_time and e3["event_time"].tzinfo is not None

    # Blue 苏L12345 is another vehicle; without a colour, both.
    blue = archive.history(session, OFFICER, plate="苏L12345", plate_color="蓝", root=tmp_path, now=NOW)
    assert [x["event_id"] for x in blue] == ["e8", "e3"]
    both = archive.history(session, OFFICER, plate="苏l·12345", root=tmp_path, now=NOW)
    assert [x["event_id"] for x in both] == ["e4", "e5", "e6", "e8", "e2", "e3", "e1"]
    # The window: 120 days reaches the oldest event; 30 days only the hot one.
    assert len(archive.history(session, OFFICER, plate="苏L12345", days=130, root=tmp_path, now=NOW)) == 8
    assert [
        x["event_id"] for x in archive.history(session, OFFICER, plate="苏L12345", days=30, root=tmp_path, now=NOW)
    ] == ["e1"]
    ship = archive.history(session, OFFICER, mmsi="413000001", root=tmp_path, now=NOW)
    assert [(x["event_id"], x["source"]) for x in ship] == [("e10", "archive")]


def test_files_are_sorted_and_hold_every_column(session: Session, events: dict[str, Event], tmp_path: Path) -> None:
    archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    files = sorted(tmp_path.glob("date=*/part-*.parquet"))
    assert files and not list(tmp_path.rglob("*.tmp"))
    meta = pq.ParquetFile(files[0]).metadata
    assert meta.row_group(0).column(meta.schema.names.index("plate")).statistics is not None
    assert meta.schema.names == archive.SCHEMA.names
    day = next(f for f in files if f.parent.name == f"date={archive.shanghai_date(days_ago(40)).isoformat()}")
    rows = pq.read_table(day).to_pylist()
    assert [(r["plate"], r["event_id"]) for r in rows] == sorted((r["plate"], r["event_id"]) for r in rows)
    row = next(r for r in rows if r["event_id"] == "e2")
    assert row["device_code"] == "CAM1" and row["status"] == "done" and row["raised_lead"] is False
    assert row["payload"].startswith("{") and row["processed_at"] is not None


def test_partitions_by_shanghai_date(session: Session, tmp_path: Path) -> None:
    sh = timedelta(hours=8)
    ev(session, 1, datetime(2026, 6, 1, 23, 30, tzinfo=UTC) - sh)  # 2026-06-01T23:30+08:00
    ev(session, 2, datetime(2026, 6, 2, 0, 30, tzinfo=UTC) - sh)  # 2026-06-01T16:30Z, but 2 June in Shanghai
    ev(session, 3, datetime(2026, 6, 1, 0, 10, tzinfo=UTC) - sh)  # 2026-05-31T16:10Z
    r = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert r["partitions"] == {"2026-06-01": 2, "2026-06-02": 1}
    where = {x["event_id"]: x["date"] for x in archived_rows(tmp_path)}
    assert where == {"e1": "2026-06-01", "e2": "2026-06-02", "e3": "2026-06-01"}
    assert all(f.name.startswith("part-") for f in tmp_path.glob("date=*/*.parquet"))


def test_nothing_is_lost_when_the_parquet_write_fails(
    session: Session, events: dict[str, Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = hot_count(session)

    def broken(table: Any, directory: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(archive, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert hot_count(session) == n
    assert not list(tmp_path.rglob("*.parquet"))
    assert audits(session, "sensing_event") == []


def test_a_failure_after_some_files_removes_them(
    session: Session, events: dict[str, Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = hot_count(session)
    real = archive.write_parquet
    calls = []

    def fails_third(table: Any, directory: Path) -> Path:
        calls.append(directory)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(table, directory)

    monkeypatch.setattr(archive, "write_parquet", fails_third)
    with pytest.raises(OSError):
        archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert len(calls) == 3
    assert hot_count(session) == n
    assert not list(tmp_path.rglob("*.parquet")) and not list(tmp_path.rglob("*.tmp"))


def test_a_run_repeated_after_a_failed_commit_writes_nothing_twice(
    session: Session, events: dict[str, Event], tmp_path: Path
) -> None:
    nested = session.begin_nested()
    first = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    nested.rollback()  # the commit failed: the rows are back, the files stay
    assert hot_count(session) == 10 and len(archived_rows(tmp_path)) == first["archived"] == 7

    again = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert again["archived"] == 0 and again["already_archived"] == 7 and again["files"] == []
    assert hot_count(session) == 3 and len(archived_rows(tmp_path)) == 7
    hist = archive.history(session, OFFICER, plate="苏L12345", days=200, root=tmp_path, now=NOW)
    assert len(hist) == len({(x["device_code"], x["event_id"]) for x in hist}) == 8

    # New old events later land in the same partitions as new files, next to the old ones.
    ev(session, 11, days_ago(40) + timedelta(minutes=5))
    third = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert third["archived"] == 1 and third["already_archived"] == 0
    assert len(archived_rows(tmp_path)) == 8


def test_retention_drops_only_no_lead_captures_older_than_the_period(session: Session, tmp_path: Path) -> None:
    year = timedelta(days=365)
    old_no_lead = ev(session, 1, NOW - year - timedelta(days=10))
    old_lead = ev(session, 2, NOW - year - timedelta(days=10), raised_lead=True)  # lead since deleted
    just_over = ev(session, 3, NOW - year - timedelta(hours=1))  # same Shanghai day as the cutoff
    just_under = ev(session, 4, NOW - year + timedelta(hours=1))
    young = ev(session, 5, NOW - timedelta(days=100))
    alone = ev(session, 6, NOW - year - timedelta(days=20))  # the only event of its day
    held = ev(session, 7, NOW - year - timedelta(days=30), raised_lead=True)
    hold_in_lead(session, held)
    stuck = ev(session, 8, NOW - year - timedelta(days=5), status="pending")  # never processed
    archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert hot_count(session) == 2  # held by a lead, and the unprocessed one
    assert archive.shanghai_date(just_over.event_time) == archive.shanghai_date(just_under.event_time)

    r = archive.apply_retention(session, SYSTEM, root=tmp_path, now=NOW)
    assert r["archive_dropped"] == 3 and r["hot_dropped"] == 1
    assert r["partitions_removed"] == [archive.shanghai_date(alone.event_time).isoformat()]
    assert sorted(r["partitions_rewritten"]) == sorted(
        {
            archive.shanghai_date(old_no_lead.event_time).isoformat(),
            archive.shanghai_date(just_over.event_time).isoformat(),
        }
    )
    left = {x["event_id"] for x in archived_rows(tmp_path)}
    assert left == {old_lead.event_id, just_under.event_id, young.event_id}
    assert set(session.scalars(select(Event.event_id))) == {held.event_id}  # the lead keeps its evidence
    assert stuck.event_id not in left
    assert not (tmp_path / f"date={archive.shanghai_date(alone.event_time).isoformat()}").exists()
    assert not list(tmp_path.rglob("*.tmp"))

    # A second run finds nothing more to drop.
    r2 = archive.apply_retention(session, SYSTEM, root=tmp_path, now=NOW)
    assert r2["archive_dropped"] == 0 and r2["hot_dropped"] == 0 and r2["partitions_rewritten"] == []
    # The period is configurable.
    r3 = archive.apply_retention(session, SYSTEM, keep_days=30, root=tmp_path, now=NOW)
    assert r3["archive_dropped"] == 2
    assert {x["event_id"] for x in archived_rows(tmp_path)} == {old_lead.event_id}


def test_audit_rows(session: Session, events: dict[str, Event], tmp_path: Path) -> None:
    a = archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    r = archive.apply_retention(session, SYSTEM, keep_days=100, root=tmp_path, now=NOW)
    rows = audits(session, "sensing_event")
    assert [(x.action, x.actor, x.entity_id) for x in rows] == [
        ("archive", "system", "archive"),
        ("retention", "system", "retention"),
    ]
    assert rows[0].after is not None and rows[0].after["archived"] == a["archived"] == 7
    assert rows[1].after is not None and rows[1].after["archive_dropped"] == r["archive_dropped"] == 1

    out = archive.history(session, OFFICER, plate="苏L12345", plate_color="黄", root=tmp_path, now=NOW)
    reads = audits(session, "vehicle_history")
    assert len(reads) == 1 and reads[0].action == "read" and reads[0].actor == "zhang"
    assert reads[0].entity_id == "苏L12345"
    assert reads[0].after is not None
    assert reads[0].after["count"] == len(out) and reads[0].after["plate_color"] == "yellow"
    assert reads[0].after["days"] == 90 and reads[0].after["archive"] == 3

    archive.history(session, OFFICER, mmsi="413000001", root=tmp_path, now=NOW)
    ship = audits(session, "vessel_history")
    assert [(x.action, x.entity_id) for x in ship] == [("read", "413000001")]
    assert ship[0].after is not None and ship[0].after["count"] == 1


def test_who_may_run_what(session: Session, tmp_path: Path) -> None:
    device = Actor(username="CAM1", kind="device")
    with pytest.raises(Forbidden):
        archive.history(session, device, plate="苏L12345", root=tmp_path, now=NOW)
    with pytest.raises(Forbidden):
        archive.archive_events(session, OFFICER, root=tmp_path, now=NOW)
    with pytest.raises(Forbidden):
        archive.apply_retention(session, OFFICER, root=tmp_path, now=NOW)
    with pytest.raises(BadRequest):
        archive.history(session, OFFICER, plate="苏L12345", mmsi="413000001", root=tmp_path, now=NOW)
    with pytest.raises(BadRequest):
        archive.history(session, OFFICER, root=tmp_path, now=NOW)
    with pytest.raises(BadRequest):
        archive.history(session, OFFICER, plate="not a plate", root=tmp_path, now=NOW)
    with pytest.raises(BadRequest):
        archive.archive_events(session, SYSTEM, older_than_days=-1, root=tmp_path, now=NOW)
    assert audits(session, "vehicle_history") == []
    # An empty archive (no root yet) is just empty.
    assert archive.history(session, OFFICER, plate="苏L12345", root=tmp_path / "none", now=NOW) == []


def test_warm_up_counts_the_window(session: Session, events: dict[str, Event], tmp_path: Path) -> None:
    assert archive.warm_up(tmp_path, now=NOW) == 0
    archive.archive_events(session, SYSTEM, root=tmp_path, now=NOW)
    assert archive.warm_up(tmp_path, now=NOW) == 6  # e2, e3, e4, e7, e8, e10 (e9 is 120 days old)
    assert archive.warm_up(tmp_path, days=365, now=NOW) == 7


def test_default_root_is_under_var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhifa.core import config

    monkeypatch.setattr(config.get_settings(), "var_dir", tmp_path)
    assert archive.default_root() == tmp_path / "archive" / "events"
