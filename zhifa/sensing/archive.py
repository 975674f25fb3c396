"""The raw-event archive: date-partitioned Parquet read with DuckDB (docs/archive.md).

* ``archive_events`` moves processed (``done``) events older than the hot window out of
  ``sensing_event`` into ``<root>/date=YYYY-MM-DD/part-<uuid>.parquet`` (the Asia/Shanghai
  calendar date of ``event_time``). Files are written to a hidden temporary name, fsynced and
  renamed into place **before** the rows are deleted; the deletes and the audit row belong to the
  caller's transaction. If any write fails, the files of this run are removed and the error
  raised: nothing is deleted. Events that a lead holds (``monitoring_lead_event``) are **not**
  archived: they stay in the hot store as the lead's evidence, so every event lives in exactly one
  place (hot store or archive) and the history query reads both.
* ``apply_retention`` drops raw captures that raised no lead once they are older than the
  retention period (个人信息保护法 第十九条: kept no longer than necessary), from the archive
  (partitions are rewritten or deleted whole) and from the hot store; leads' events are kept.
* ``history`` answers "all captures of 苏L12345 in the last 90 days" from both stores,
  de-duplicated by (device, event id), ordered by time, and audits the read.

Archiving is idempotent: a partition's existing keys are read before writing into it, so a run
repeated after a crash or a failed commit (files written, rows not deleted) writes nothing twice.
One run at a time per archive root (a file lock; on PostgreSQL also an advisory lock held to the
end of the caller's transaction).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Text, and_, cast, column, delete, exists, func, or_, select, table, text
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import ROLES, require
from zhifa.core.clock import SHANGHAI, utcnow
from zhifa.core.config import get_settings
from zhifa.core.errors import BadRequest
from zhifa.sensing.models import Event
from zhifa.validation import IdentifierError, parse_mmsi, parse_plate

#: Defaults (overridable per call; docs/archive.md).
HOT_DAYS = 30
KEEP_DAYS = 365
HISTORY_DAYS = 90
#: Rows per Parquet row group. Files are sorted by (plate, event_time), so a plate's rows sit in
#: one or two row groups per file and min/max statistics plus Bloom filters skip the others;
#: DuckDB then decodes the surviving row groups whole, so small groups keep a busy vehicle's
#: 90-day history cheap (measured: docs/performance.md, "Vehicle history").
ROW_GROUP_ROWS = 5_000
#: DuckDB's memory limit in this process (it would otherwise take 80 % of the machine).
DUCKDB_MEMORY = "1GB"
#: Rows read from the hot store per round trip while archiving.
FETCH_ROWS = 20_000
#: PostgreSQL advisory-lock key of archive maintenance ("zhifa-ar").
_PG_LOCK_KEY = 0x7A68_6966_612D_6172

TS = pa.timestamp("us", tz="UTC")
#: The archived columns: every ``sensing_event`` column; ``payload`` and ``images`` as JSON text.
#: ``id`` is the hot-store row id at archiving time, for tracing only: the key is
#: (``device_code``, ``event_id``). The partition column ``date`` lives in the path only.
SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("device_code", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("event_time", TS),
        ("received_at", TS),
        ("plate", pa.string()),
        ("plate_color", pa.string()),
        ("mmsi", pa.string()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("payload", pa.string()),
        ("images", pa.string()),
        ("status", pa.string()),
        ("attempts", pa.int32()),
        ("last_error", pa.string()),
        ("processed_at", TS),
        ("raised_lead", pa.bool_()),
    ]
)
_COLUMNS = SCHEMA.names
_SORT = [("plate", "ascending"), ("event_time", "ascending"), ("device_code", "ascending"), ("event_id", "ascending")]
#: What ``history`` returns per event (and ``source``: ``hot`` or ``archive``).
HISTORY_FIELDS = (
    "device_code",
    "event_id",
    "type",
    "event_time",
    "received_at",
    "plate",
    "plate_color",
    "mmsi",
    "lon",
    "lat",
    "payload",
    "images",
    "status",
    "raised_lead",
)


# --------------------------------------------------------------------------- layout


def default_root() -> Path:
    return get_settings().var_dir / "archive" / "events"


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else default_root()


def shanghai_date(t: datetime) -> date:
    """The partition of an event: its calendar date in Asia/Shanghai."""
    return t.astimezone(SHANGHAI).date()


def partition_dir(root: Path, day: date) -> Path:
    return root / f"date={day.isoformat()}"


def partitions(root: Path, first: date | None = None, last: date | None = None) -> list[tuple[date, Path]]:
    """The date partitions under ``root`` (optionally within ``first``..``last``), oldest first."""
    out: list[tuple[date, Path]] = []
    if not root.is_dir():
        return out
    for entry in os.scandir(root):
        if not entry.is_dir() or not entry.name.startswith("date="):
            continue
        try:
            day = date.fromisoformat(entry.name[5:])
        except ValueError:
            continue
        if (first is None or day >= first) and (last is None or day <= last):
            out.append((day, Path(entry.path)))
    return sorted(out)


def window_files(root: Path, first: date, last: date) -> list[str]:
    """The data files of the partitions ``first``..``last`` (no listing of the whole root)."""
    out: list[str] = []
    day = first
    while day <= last:
        try:
            with os.scandir(f"{root}/date={day.isoformat()}") as it:
                out += sorted(e.path for e in it if e.name.endswith(".parquet") and not e.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            pass
        day += timedelta(days=1)
    return out


def partition_files(directory: Path) -> list[Path]:
    """A partition's data files (temporary files start with a dot and are never read)."""
    try:
        return sorted(
            Path(e.path) for e in os.scandir(directory) if e.name.endswith(".parquet") and not e.name.startswith(".")
        )
    except FileNotFoundError:
        return []


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet(table: pa.Table, directory: Path) -> Path:
    """Write one sorted data file into a partition atomically (temp file, fsync, rename).

    The file is sorted by (plate, event_time), zstd-compressed, in row groups of
    ``ROW_GROUP_ROWS`` with statistics and Bloom filters on ``plate`` and ``mmsi``, so that
    DuckDB skips the row groups that cannot hold the vehicle or vessel asked for.
    """
    directory.mkdir(parents=True, exist_ok=True)
    table = table.select(_COLUMNS).cast(SCHEMA).sort_by(_SORT)
    name = f"part-{uuid.uuid4().hex}.parquet"
    tmp = directory / f".{name}.tmp"
    ndv = max(1024, min(table.num_rows, ROW_GROUP_ROWS))  # Bloom filters are per row group
    try:
        pq.write_table(
            table,
            tmp,
            row_group_size=ROW_GROUP_ROWS,
            compression="zstd",
            write_statistics=True,
            sorting_columns=[pq.SortingColumn(_COLUMNS.index("plate")), pq.SortingColumn(_COLUMNS.index("event_time"))],
            bloom_filter_options={"plate": {"ndv": ndv, "fpp": 0.01}, "mmsi": {"ndv": ndv, "fpp": 0.01}},
        )
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        final = directory / name
        os.replace(tmp, final)
        _fsync_dir(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return final


@contextlib.contextmanager
def _root_lock(root: Path) -> Iterator[None]:
    """One archive or retention run at a time on this root (an advisory file lock)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _db_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the caller's transaction: a second worker waits until the first
        # has committed its deletes (the file lock alone ends when this function returns).
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


# --------------------------------------------------------------------------- DuckDB


_duck_lock = threading.Lock()
_duck: Any = None


def _duckdb() -> Any:
    """A cursor on the process's DuckDB instance (Parquet footers cached across queries)."""
    global _duck
    with _duck_lock:
        if _duck is None:
            import duckdb

            con = duckdb.connect(":memory:")
            # GLOBAL: the settings must reach the cursors (each is a connection of its own).
            con.execute("SET GLOBAL TimeZone = 'UTC'")
            con.execute("SET GLOBAL parquet_metadata_cache = true")  # files are immutable
            con.execute(f"SET GLOBAL memory_limit = '{DUCKDB_MEMORY}'")
            _duck = con
        return _duck.cursor()


def reset_duckdb() -> None:
    """Close the process's DuckDB instance (its cached Parquet footers go with it)."""
    global _duck
    with _duck_lock:
        if _duck is not None:
            _duck.close()
        _duck = None


def warm_up(root: Path | None = None, days: int = HISTORY_DAYS, now: datetime | None = None) -> int:
    """Load the footers of the last ``days`` days' files into DuckDB's cache (e.g. at process
    start, in a background thread), so the first history query does not pay for them.
    Returns the number of archived events in that window."""
    until = now or utcnow()
    files = window_files(_root(root), shanghai_date(until - timedelta(days=days)), shanghai_date(until))
    if not files:
        return 0
    cur = _duckdb()
    try:
        return int(cur.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchall()[0][0])
    finally:
        cur.close()


def _read_keys(files: Sequence[Path]) -> set[tuple[str, str]]:
    if not files:
        return set()
    cur = _duckdb()
    try:
        rows = cur.execute(
            "SELECT device_code, event_id FROM read_parquet(?, union_by_name = true)", [[str(f) for f in files]]
        ).fetchall()
    finally:
        cur.close()
    return {(d, e) for d, e in rows}


# --------------------------------------------------------------------------- archive


def _json_text(value: str | None) -> str | None:
    return None if value is None or value == "null" else value


def _hot_columns() -> list[Any]:
    return [
        Event.id,
        Event.device_code,
        Event.event_id,
        Event.type,
        Event.event_time,
        Event.received_at,
        Event.plate,
        Event.plate_color,
        Event.mmsi,
        Event.lon,
        Event.lat,
        cast(Event.payload, Text),
        cast(Event.images, Text),
        Event.status,
        Event.attempts,
        Event.last_error,
        Event.processed_at,
        Event.raised_lead,
    ]


def _to_table(rows: Sequence[Sequence[Any]]) -> pa.Table:
    cols: list[list[Any]] = [[] for _ in _COLUMNS]
    i_payload, i_images = _COLUMNS.index("payload"), _COLUMNS.index("images")
    for row in rows:
        for i, v in enumerate(row):
            cols[i].append(_json_text(v) if i in (i_payload, i_images) else v)
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(cols, SCHEMA, strict=True)], schema=SCHEMA)


#: ``monitoring_lead_event`` named as a table, not imported: monitoring sits above sensing.
_LEAD_EVENT = table("monitoring_lead_event", column("event_id"))


def _held_by_lead() -> Any:
    return exists().where(_LEAD_EVENT.c.event_id == Event.id)


def _archivable(cutoff: datetime) -> Any:
    return and_(Event.status == "done", Event.event_time < cutoff, ~_held_by_lead())


def _days(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise BadRequest(f"{name} must be a whole number of days ≥ 0", f"{name} 须为不小于 0 的整数天数")
    return n


def archive_events(
    session: Session,
    actor: Actor,
    *,
    older_than_days: int = HOT_DAYS,
    root: Path | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Move ``done`` events older than the hot window into the Parquet archive (see module doc).

    Returns ``{"cutoff", "archived", "already_archived", "kept_for_leads", "partitions", "files"}``:
    rows written, rows found already archived (a repeated run; deleted from the hot store too),
    old events kept in the hot store because a lead holds them, partitions touched, files written.
    """
    require(actor, "admin")
    now = now or utcnow()
    cutoff = now - timedelta(days=_days(older_than_days, "older_than_days"))
    base = _root(root)
    _db_lock(session)
    written: list[Path] = []
    delete_ids: list[int] = []
    per_day: dict[str, int] = {}
    already = 0
    with _root_lock(base):
        try:
            stmt = (
                select(*_hot_columns())
                .where(_archivable(cutoff))
                .order_by(Event.event_time, Event.id)
                .execution_options(yield_per=FETCH_ROWS)
            )
            for day, rows in _by_day(session.execute(stmt)):
                directory = partition_dir(base, day)
                existing = _read_keys(partition_files(directory))
                fresh = [r for r in rows if (r[1], r[2]) not in existing]
                already += len(rows) - len(fresh)
                if fresh:
                    written.append(write_parquet(_to_table(fresh), directory))
                    per_day[day.isoformat()] = len(fresh)
                delete_ids.extend(r[0] for r in rows)
            kept = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.status == "done", Event.event_time < cutoff, _held_by_lead())
            )
            _delete_hot(session, delete_ids)
            result = {
                "cutoff": cutoff.isoformat(),
                "root": str(base),
                "archived": sum(per_day.values()),
                "already_archived": already,
                "kept_for_leads": int(kept or 0),
                "partitions": per_day,
                "files": [str(p.relative_to(base)) for p in written],
            }
            audit.record(session, actor, "archive", "sensing_event", "archive", None, result)
            session.flush()
        except BaseException:
            # Nothing is deleted unless everything was written: undo this run's files (the
            # caller rolls back the deletes). Should the commit itself fail later, the files
            # stay and the next run finds their keys and does not write them again.
            for p in written:
                with contextlib.suppress(OSError):
                    p.unlink()
            raise
    return result


def _by_day(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[date, list[tuple[Any, ...]]]]:
    """Group rows ordered by event_time into Shanghai calendar days."""
    current: date | None = None
    bucket: list[tuple[Any, ...]] = []
    for row in rows:
        day = shanghai_date(row[4])
        if day != current:
            if bucket and current is not None:
                yield current, bucket
            current, bucket = day, []
        bucket.append(row)
    if bucket and current is not None:
        yield current, bucket


def _delete_hot(session: Session, ids: Sequence[int]) -> int:
    """Delete hot-store rows by id, and forget them in the session (no stale objects)."""
    for i in range(0, len(ids), 5_000):
        session.execute(
            delete(Event).where(Event.id.in_(ids[i : i + 5_000])).execution_options(synchronize_session=False)
        )
    gone = set(ids)
    for state in list(session.identity_map.all_states()):
        key = state.key
        if key is not None and key[0] is Event and key[1][0] in gone and state.obj() is not None:
            session.expunge(state.obj())
    return len(ids)


# --------------------------------------------------------------------------- retention


def _read_partition(files: Sequence[Path]) -> pa.Table:
    tables = [pq.ParquetFile(f).read() for f in files]
    return pa.concat_tables([t.select(_COLUMNS).cast(SCHEMA) for t in tables]) if tables else SCHEMA.empty_table()


def _unique_keys(table: pa.Table) -> pa.Table:
    """Drop repeated (device_code, event_id) rows (left by an interrupted rewrite)."""
    if table.num_rows == 0:
        return table
    idx = pa.array(range(table.num_rows), pa.int64())
    first = (
        pa.table({"d": table["device_code"], "e": table["event_id"], "i": idx})
        .group_by(["d", "e"], use_threads=False)
        .aggregate([("i", "min")])
    )
    if first.num_rows == table.num_rows:
        return table
    return table.take(pc.sort_indices(first["i_min"]))


def apply_retention(
    session: Session,
    actor: Actor,
    *,
    keep_days: int = KEEP_DAYS,
    root: Path | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Drop raw captures that raised no lead and are older than ``keep_days`` (see module doc).

    In the archive, a partition wholly older than the period loses every row with
    ``raised_lead = false`` (deleted whole when nothing is left); the partition holding the
    boundary is rewritten without the rows older than the exact cutoff. In the hot store, rows
    older than the cutoff that raised no lead and that no lead holds are deleted (in practice,
    events never processed: processed ones were archived). Returns the counts; audited.
    """
    require(actor, "admin")
    now = now or utcnow()
    cutoff = now - timedelta(days=_days(keep_days, "keep_days"))
    cutoff_day = shanghai_date(cutoff)
    base = _root(root)
    _db_lock(session)
    dropped: dict[str, int] = {}
    removed, rewritten = [], []
    with _root_lock(base):
        for day, directory in partitions(base, last=cutoff_day):
            files = partition_files(directory)
            if not files:
                shutil.rmtree(directory, ignore_errors=True)
                continue
            table = _read_partition(files)
            drop = pc.invert(table["raised_lead"].fill_null(False))
            if day == cutoff_day:
                drop = pc.and_(drop, pc.less(table["event_time"], pa.scalar(cutoff, TS)))
            n_drop = pc.sum(drop.cast(pa.int64())).as_py() or 0
            if n_drop == 0:
                continue
            keep = _unique_keys(table.filter(pc.invert(drop)))
            if keep.num_rows:
                write_parquet(keep, directory)  # the new file is in place before the old go
                for f in files:
                    f.unlink()
                rewritten.append(day.isoformat())
            else:
                shutil.rmtree(directory)
                removed.append(day.isoformat())
            dropped[day.isoformat()] = n_drop
        hot_ids = list(
            session.scalars(
                select(Event.id).where(Event.event_time < cutoff, Event.raised_lead.is_(False), ~_held_by_lead())
            )
        )
        _delete_hot(session, hot_ids)
        result = {
            "cutoff": cutoff.isoformat(),
            "root": str(base),
            "archive_dropped": sum(dropped.values()),
            "hot_dropped": len(hot_ids),
            "partitions_dropped": dropped,
            "partitions_removed": removed,
            "partitions_rewritten": rewritten,
        }
        audit.record(session, actor, "retention", "sensing_event", "retention", None, result)
        session.flush()
    return result


# --------------------------------------------------------------------------- history

#: Roles that may read a vehicle's or vessel's history (every staff role; devices may not).
HISTORY_ROLES = ROLES


def _subject(plate: str | None, plate_color: str | None, mmsi: str | None) -> tuple[str, str, str | None]:
    if (plate is None) == (mmsi is None):
        raise BadRequest("give either plate or mmsi", "须指定车牌号或 MMSI 之一")
    try:
        if plate is not None:
            p = parse_plate(plate, plate_color)
            return "plate", p.number, p.color.value if p.color else None
        assert mmsi is not None
        return "mmsi", parse_mmsi(mmsi).value, None
    except IdentifierError as exc:
        raise BadRequest(f"{exc.field}: {exc.reason}", f"{exc.field}：{exc.reason_zh}") from None


def _hot_history(
    session: Session, kind: str, value: str, color: str | None, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    conds = [Event.event_time >= since, Event.event_time <= until]
    if kind == "plate":
        conds.append(Event.plate == value)
        if color:
            conds.append(or_(Event.plate_color == color, Event.plate_color.is_(None)))
    else:
        conds.append(Event.mmsi == value)
    out = []
    for ev in session.scalars(select(Event).where(*conds)):
        item = {f: getattr(ev, f) for f in HISTORY_FIELDS}
        item["source"] = "hot"
        out.append(item)
    return out


def archive_query(kind: str) -> str:
    """The DuckDB statement of the archive half of ``history`` (parameters: the files of the
    window's partitions, first and last date, plate or MMSI).

    Only the partition and the identifier are filtered in DuckDB: each extra predicate is
    evaluated against every row group's statistics and cost more (measured) than checking the
    time window and the colour in Python on the few rows that come back.
    """
    column = "plate" if kind == "plate" else "mmsi"
    return (
        f"SELECT {', '.join(HISTORY_FIELDS)} FROM read_parquet(?, hive_partitioning = true) "
        f"WHERE date BETWEEN ? AND ? AND {column} = ?"
    )


def _archive_history(
    base: Path, kind: str, value: str, color: str | None, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    import duckdb

    first, last = shanghai_date(since), shanghai_date(until)
    sql = archive_query(kind)
    rows: list[tuple[Any, ...]] = []
    for attempt in range(3):
        files = window_files(base, first, last)
        if not files:
            return []
        cur = _duckdb()
        try:
            rows = cur.execute(sql, [files, first, last, value]).fetchall()
            break
        except duckdb.IOException:  # a file replaced by retention between listing and reading
            if attempt == 2:
                raise
            time.sleep(0.05)
        finally:
            cur.close()
    out = []
    for row in rows:
        item = dict(zip(HISTORY_FIELDS, row, strict=True))
        item["event_time"] = item["event_time"].astimezone(UTC)
        if not since <= item["event_time"] <= until:
            continue
        if color and item["plate_color"] not in (color, None):
            continue
        if item["received_at"] is not None:
            item["received_at"] = item["received_at"].astimezone(UTC)
        item["payload"] = json.loads(item["payload"]) if item["payload"] is not None else {}
        item["images"] = json.loads(item["images"]) if item["images"] is not None else None
        item["source"] = "archive"
        out.append(item)
    return out


def history(
    session: Session,
    actor: Actor,
    *,
    plate: str | None = None,
    plate_color: str | None = None,
    mmsi: str | None = None,
    days: int = HISTORY_DAYS,
    root: Path | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every event of one vehicle (``plate``, optionally ``plate_color``) or vessel (``mmsi``)
    in the last ``days`` days, from the hot store and the archive, ordered by time.

    With ``plate_color``, captures whose colour is unknown are included (the plate alone
    identified them). Each item has the ``HISTORY_FIELDS`` (times UTC, ``payload`` a dict) and
    ``source`` (``hot`` or ``archive``; the hot row wins a duplicate). The read is audited
    (``vehicle_history`` / ``vessel_history``).
    """
    require(actor, *HISTORY_ROLES)
    kind, value, color = _subject(plate, plate_color, mmsi)
    until = now or utcnow()
    since = until - timedelta(days=_days(days, "days"))
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for item in _archive_history(_root(root), kind, value, color, since, until):
        merged[(item["device_code"], item["event_id"])] = item
    for item in _hot_history(session, kind, value, color, since, until):
        merged[(item["device_code"], item["event_id"])] = item
    out = sorted(merged.values(), key=lambda x: (x["event_time"], x["device_code"], x["event_id"]))
    entity = "vehicle_history" if kind == "plate" else "vessel_history"
    audit.record(
        session,
        actor,
        "read",
        entity,
        value,
        None,
        {
            "plate_color": color,
            "days": days,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "count": len(out),
            "archive": sum(1 for x in out if x["source"] == "archive"),
        },
    )
    return out
