"""Sensing services: the device registry, durable ingestion and the evidence store.

An event is acknowledged only after it is durably stored: ``ingest`` inserts the batch's good
events (a re-sent device + id is a duplicate and changes nothing) and the caller commits before
answering. The monitoring worker turns stored events into leads later, in its own transactions.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, overload

from shapely import wkt
from shapely.errors import ShapelyError
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from zhifa.core import audit, jsontext
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import utcnow
from zhifa.core.config import get_settings
from zhifa.core.db import sqlite_time
from zhifa.core.errors import BadRequest, NotFound, Report, Unauthorized
from zhifa.core.tabular import parse_bool, read_table, require_columns
from zhifa.geo.crs import CoordinateError, normalise_crs, to_wgs84
from zhifa.jurisdiction import service as jurisdiction
from zhifa.jurisdiction.router import RoutingError
from zhifa.sensing import fastparse, queue
from zhifa.sensing.events import (
    EventRejected,
    ParsedEvent,
    Rejection,
    ndjson_line,
    ndjson_lines,
    parse_event,
    split_body,
)
from zhifa.sensing.models import DEVICE_KINDS, DEVICE_MATTER, Device, Event, Evidence

# --------------------------------------------------------------------------- devices


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def device_snapshot(d: Device) -> dict[str, Any]:
    return {
        "code": d.code,
        "kind": d.kind,
        "name": d.name,
        "lon": d.lon,
        "lat": d.lat,
        "crs": d.crs,
        "accuracy_pct": d.accuracy_pct,
        "crossing_line": d.crossing_line,
        "heartbeat_s": d.heartbeat_s,
        "unit": d.unit_code,
        "status": d.status,
        "legal_review_date": d.legal_review_date.isoformat() if d.legal_review_date else None,
        "publicly_listed": d.publicly_listed,
        "verified_until": d.verified_until.isoformat() if d.verified_until else None,
    }


def evidence_grade(d: Device, on: date) -> tuple[bool, list[str]]:
    """Whether the device's records can serve as evidence (行政处罚法 第四十一条), and why not."""
    problems = []
    if d.legal_review_date is None:
        problems.append("not legally and technically reviewed (法制和技术审核)")
    if not d.publicly_listed:
        problems.append("location not published (设置地点未向社会公布)")
    if d.kind == "wim" and (d.verified_until is None or d.verified_until < on):
        problems.append("metrological verification missing or expired (计量检定 JJG 907)")
    return not problems, problems


def import_devices(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, Any]:
    """Devices CSV (docs/sensing.md); all-or-nothing; a device without ``api_key`` gets one,
    returned here once and stored only as a hash."""
    require(actor, "admin")
    header, rows = read_table(path, data)
    require_columns(header, ["code", "kind", "name", "lon", "lat", "accuracy_pct", "crossing_line"])
    report = Report()
    parsed: dict[str, dict[str, Any]] = {}
    seen_keys: set[str] = set()
    for row in rows:
        where = f"row {row.number}"
        n0 = len(report.errors)
        code, kind = row.get("code"), row.get("kind").lower()
        if not code or len(code) > 32:
            report.add(where, "code is empty or longer than 32 characters", "code")
        elif code in parsed:
            report.add(where, f"duplicate code {code}", "code")
        if kind not in DEVICE_KINDS:
            report.add(where, f"unknown kind {kind!r}; one of {', '.join(DEVICE_KINDS)}", "kind")
        if not row.get("name"):
            report.add(where, "name is empty", "name")
        try:
            crs = normalise_crs(row.get("crs") or "wgs84")
            lon, lat = to_wgs84(float(row.get("lon")), float(row.get("lat")), crs)
        except (ValueError, CoordinateError) as exc:
            report.add(where, f"bad location: {exc}", "lon")
            crs, lon, lat = "wgs84", 0.0, 0.0
        acc_text = row.get("accuracy_pct")
        if not acc_text and kind == "wim":
            acc_text = "5"  # the default WIM tolerance: 5 %
        accuracy = None
        if acc_text:
            try:
                from decimal import Decimal

                acc = Decimal(acc_text)
                if not acc.is_finite() or acc < 0 or acc >= 100:
                    raise ValueError
                accuracy = str(acc)
            except (ArithmeticError, ValueError):
                report.add(where, f"accuracy_pct must be a percentage from 0 to 100, got {acc_text!r}", "accuracy_pct")
        line_wkt = row.get("crossing_line") or None
        if kind == "checkpoint" and not line_wkt:
            report.add(where, "a checkpoint needs its crossing_line (WKT LINESTRING)", "crossing_line")
        if line_wkt:
            try:
                g = wkt.loads(line_wkt)
                if g.geom_type != "LineString" or g.is_empty or not g.is_valid or g.length == 0:
                    raise ShapelyError("not a valid non-empty LINESTRING")
                for x, y in g.coords:
                    to_wgs84(x, y, crs)
                if crs != "wgs84":
                    from shapely.geometry import LineString

                    g = LineString([to_wgs84(x, y, crs) for x, y in g.coords])
                line_wkt = g.wkt
            except (ShapelyError, CoordinateError, ValueError) as exc:
                report.add(where, f"crossing_line: {exc}", "crossing_line")
        heartbeat = 300
        if row.get("heartbeat_s"):
            try:
                heartbeat = int(row.get("heartbeat_s"))
                if heartbeat <= 0:
                    raise ValueError
            except ValueError:
                report.add(where, "heartbeat_s must be a positive whole number of seconds", "heartbeat_s")
        key = row.get("api_key") or None
        if key is not None and (len(key) < 16 or key in seen_keys):
            report.add(where, "api_key must have at least 16 characters and be unique", "api_key")
        if key:
            seen_keys.add(key)
        extra: dict[str, Any] = {}
        if row.get("legal_review_date"):
            try:
                extra["legal_review_date"] = date.fromisoformat(row.get("legal_review_date"))
            except ValueError:
                report.add(where, "legal_review_date must be YYYY-MM-DD", "legal_review_date")
        if row.get("verified_until"):
            try:
                extra["verified_until"] = date.fromisoformat(row.get("verified_until"))
            except ValueError:
                report.add(where, "verified_until must be YYYY-MM-DD", "verified_until")
        if row.get("publicly_listed"):
            try:
                extra["publicly_listed"] = parse_bool(row.get("publicly_listed"))
            except ValueError:
                report.add(where, "publicly_listed must be true or false", "publicly_listed")
        if len(report.errors) > n0:
            continue
        parsed[code] = {
            "code": code,
            "kind": kind,
            "name": row.get("name"),
            "lon": lon,
            "lat": lat,
            "crs": crs,
            "accuracy_pct": accuracy,
            "crossing_line": line_wkt,
            "heartbeat_s": heartbeat,
            "api_key": key,
            **extra,
        }
    report.raise_if_any("devices import")
    existing = {d.code: d for d in session.scalars(select(Device))}
    keys: dict[str, str] = {}
    created = updated = 0
    for code, p in parsed.items():
        key = p.pop("api_key")
        d = existing.get(code)
        before = device_snapshot(d) if d else None
        if d is None:
            if not key:
                key = secrets.token_urlsafe(24)
                keys[code] = key  # shown once, never stored in clear
            d = Device(code=code, api_key_hash=hash_key(key), status="active")
            session.add(d)
            created += 1
        else:
            if key:
                d.api_key_hash = hash_key(key)
            updated += 1
        for k, v in p.items():
            setattr(d, k, v)
        _route_device(session, d)
        session.flush()
        audit.record(
            session, actor, "create" if before is None else "update", "device", code, before, device_snapshot(d)
        )
    forget_device_keys()  # keys, places and kinds may have changed: this process asks again at once
    return {"created": created, "updated": updated, "api_keys": keys}


def _route_device(session: Session, d: Device) -> None:
    """The owning unit is whoever routing names for the device's natural matter at its place."""
    try:
        answer = jurisdiction.route(session, DEVICE_MATTER[d.kind], f"{d.lon},{d.lat}")
        d.unit_code, d.routing_reason = answer.unit, answer.reason
    except (RoutingError, BadRequest) as exc:
        d.unit_code, d.routing_reason = None, f"未能确定归属单位：{exc}"


def list_devices(session: Session) -> list[dict[str, Any]]:
    from zhifa.core.clock import today_shanghai
    from zhifa.org.models import Unit

    today = today_shanghai()  # verification dates are Shanghai calendar dates
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name)).all()}
    out = []
    for d in session.scalars(select(Device).order_by(Device.code)):
        ok, problems = evidence_grade(d, today)
        out.append(
            device_snapshot(d)
            | {
                "unit_name": names.get(d.unit_code or ""),
                "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
                "evidence_grade": ok,
                "evidence_problems": problems,
            }
        )
    return out


def get_device(session: Session, code: str) -> Device:
    d = session.scalar(select(Device).where(Device.code == code))
    if d is None:
        raise NotFound(f"unknown device {code!r}", f"设备 {code} 不存在")
    return d


@dataclass(frozen=True)
class KeyedDevice:
    """What posting events needs to know of the device whose key sent them."""

    code: str
    kind: str
    crs: str
    lon: float
    lat: float
    heartbeat_s: int

    def as_map(self) -> dict[str, tuple[str, str, float, float]]:
        """``device_map``'s shape, for this device alone (a keyed batch may name no other)."""
        return {self.code: (self.kind, self.crs, self.lon, self.lat)}


#: Seconds a resolved device key is trusted in this process before the database is asked again
#: (as ``core.auth.TOKEN_CACHE_S`` is for tokens): a device imported again with a new key, place
#: or kind, or disabled, is seen by this process at once when the change was made here
#: (``forget_device_keys``), by the others within this time.
DEVICE_KEY_CACHE_S = 5.0
_key_cache: dict[str, tuple[float, KeyedDevice]] = {}
_key_lock = threading.Lock()


def cached_device(key: str) -> KeyedDevice | None:
    """The device behind ``key`` if this process resolved it within ``DEVICE_KEY_CACHE_S``
    (no database); ``None``: ask ``keyed_device``."""
    digest = hash_key(key)
    with _key_lock:
        hit = _key_cache.get(digest)
    if hit is not None and time.monotonic() - hit[0] < DEVICE_KEY_CACHE_S:
        return hit[1]
    return None


def keyed_device(session: Session, key: str | None) -> KeyedDevice:
    """The device behind a device key (401 for a missing, unknown or disabled one), remembered
    for ``DEVICE_KEY_CACHE_S``: every post of a device authenticates with its key, and a camera
    posting capture by capture would otherwise ask the database each time."""
    if not key:
        raise Unauthorized("missing X-Device-Key header", "缺少设备密钥")
    hit = cached_device(key)
    if hit is not None:
        return hit
    digest = hash_key(key)
    row = session.execute(
        select(Device.code, Device.kind, Device.crs, Device.lon, Device.lat, Device.heartbeat_s, Device.status).where(
            Device.api_key_hash == digest
        )
    ).first()
    if row is None or row.status == "disabled":
        with _key_lock:
            _key_cache.pop(digest, None)
        raise Unauthorized("unknown or disabled device key", "设备密钥无效")
    found = KeyedDevice(row.code, row.kind, row.crs, row.lon, row.lat, row.heartbeat_s)
    with _key_lock:
        if len(_key_cache) > 100_000:
            _key_cache.clear()
        _key_cache[digest] = (time.monotonic(), found)
    return found


def forget_device_keys() -> None:
    """Forget every resolved key of this process (a device import changed devices)."""
    with _key_lock:
        _key_cache.clear()
    with _beat_lock:
        _beats.clear()


#: A device's heartbeat (``last_seen_at``; an offline device back to active) is written by each
#: process at most once in this many seconds — or a quarter of the device's heartbeat interval
#: when that is shorter — not on every post: the offline check (``mark_offline``) only asks
#: whether the device was silent longer than its interval (60 s and more in practice).
HEARTBEAT_WRITE_S = 5.0
_beats: dict[str, datetime] = {}
_beat_lock = threading.Lock()


def heartbeat(session: Session, code: str, now: datetime, heartbeat_s: int | None = None) -> None:
    """Device ``code`` sent something at ``now``: it is alive (an offline one comes back). With
    its interval ``heartbeat_s`` given, written at most as often as ``HEARTBEAT_WRITE_S`` allows."""
    if heartbeat_s is not None and not _heartbeat_due(code, heartbeat_s, now):
        return
    session.execute(
        update(Device)
        .where(Device.code == code)
        .values(last_seen_at=now, status=case((Device.status == "offline", "active"), else_=Device.status)),
        execution_options={"synchronize_session": False},
    )


def _heartbeat_due(code: str, heartbeat_s: int, now: datetime) -> bool:
    """Whether this process should write ``code``'s heartbeat at ``now`` (the injectable clock's
    time, as ``last_seen_at`` and the offline check use), and if so remember that it did."""
    every = min(HEARTBEAT_WRITE_S, heartbeat_s / 4)
    with _beat_lock:
        last = _beats.get(code)
        if last is not None and 0 <= (now - last).total_seconds() < every:
            return False
        if len(_beats) > 100_000:
            _beats.clear()
        _beats[code] = now
    return True


def mark_offline(session: Session) -> list[str]:
    """Flip devices silent longer than their heartbeat interval to offline (one row each)."""
    now = utcnow()
    flipped = []
    for d in session.scalars(select(Device).where(Device.status == "active")):
        last = d.last_seen_at or d.created_at
        if (now - last).total_seconds() > d.heartbeat_s:
            res = session.execute(
                update(Device).where(Device.id == d.id, Device.status == "active").values(status="offline")
            )
            if res.rowcount:  # type: ignore[attr-defined]
                flipped.append(d.code)
                audit.record(
                    session,
                    Actor("scanner", kind="system"),
                    "offline",
                    "device",
                    d.code,
                    {"status": "active"},
                    {"status": "offline", "last_seen_at": last.isoformat()},
                )
    return flipped


# --------------------------------------------------------------------------- evidence


def evidence_dir() -> Path:
    return get_settings().var_dir / "evidence"


def store_evidence(session: Session, blob: bytes, content_type: str, actor_name: str) -> str:
    """Store a file once by its SHA-256; the file is written before the row (a crash leaves at
    most an orphan file, never a row without its file)."""
    digest = hashlib.sha256(blob).hexdigest()
    if session.get(Evidence, digest) is not None:
        return digest
    path = evidence_dir() / digest[:2] / digest[2:4] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            import os

            os.fsync(f.fileno())
        tmp.replace(path)
    session.add(Evidence(sha256=digest, size=len(blob), content_type=content_type, created_by=actor_name))
    session.flush()
    return digest


def read_evidence(session: Session, digest: str) -> tuple[bytes, str]:
    row = session.get(Evidence, digest.lower())
    if row is None:
        raise NotFound(f"no evidence {digest}", "证据不存在")
    return (evidence_dir() / digest[:2] / digest[2:4] / digest).read_bytes(), row.content_type


# --------------------------------------------------------------------------- ingestion


@dataclass
class ParsedBatch:
    """A batch checked line by line: good events (first of each device + id), rejections, and
    how many lines repeated an earlier line of the same batch."""

    good: list[ParsedEvent]
    rejected: list[Rejection]
    in_batch_dupes: int
    received_at: datetime


def device_map(session: Session) -> dict[str, tuple[str, str, float, float]]:
    """Device code → (kind, crs, lon, lat): what validating an event needs to know of devices."""
    return {
        code: (kind, crs, lon, lat)
        for code, kind, crs, lon, lat in session.execute(
            select(Device.code, Device.kind, Device.crs, Device.lon, Device.lat)
        )
    }


def parse_batch(body: bytes, devices: dict[str, tuple[str, str, float, float]], only_device: str | None) -> ParsedBatch:
    """Validate every line of a batch (no database: the caller holds no lock meanwhile)."""
    now = utcnow()
    rejected: list[Rejection] = []
    quick = _parse_quick(body, devices, now, only_device) if QUICK_PARSE else None
    if quick is not None:
        good, rejected = quick
    else:
        good = []
        for line, obj in split_body(body):
            parsed = _reference(line, obj, devices, now, only_device)
            if isinstance(parsed, Rejection):
                rejected.append(parsed)
            else:
                good.append(parsed)
    # The same (device, id) twice in one batch: the first wins, the rest are duplicates.
    seen: set[tuple[str, str]] = set()
    unique: list[ParsedEvent] = []
    for ev in good:
        key = (ev.device, ev.event_id)
        if key not in seen:
            seen.add(key)
            unique.append(ev)
    return ParsedBatch(unique, rejected, len(good) - len(unique), now)


#: Off only to compare the two paths (tests, benchmarks): the answers are the same either way.
QUICK_PARSE = True


def _parse_quick(
    body: bytes, devices: dict[str, tuple[str, str, float, float]], now: datetime, only_device: str | None
) -> tuple[list[ParsedEvent], list[Rejection]] | None:
    """``fastparse`` over a batch: a JSON array entirely of plainly valid vehicle events, or NDJSON
    line by line (a line it cannot take goes the reference path). ``None``: parse the batch on
    the reference path."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    stripped = text.lstrip()
    good: list[ParsedEvent] = []
    if stripped.startswith("["):
        items = fastparse.decode_array(text)
        if items is None:
            return None
        for line, item in enumerate(items, start=1):
            ev = fastparse.vehicle(line, item, devices, now, only_device)
            if ev is None:
                return None
            good.append(ev)
        return good, []
    if not stripped.startswith("{"):
        return None
    rejected: list[Rejection] = []
    for n, line_text in ndjson_lines(text):  # numbered as events.split_body numbers them
        one = fastparse.decode_line(line_text)
        quick = None if one is None else fastparse.vehicle(n, one, devices, now, only_device)
        if quick is not None:
            good.append(quick)
            continue
        parsed = _reference(n, ndjson_line(n, line_text), devices, now, only_device)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
        else:
            good.append(parsed)
    return good, rejected


def _reference(
    line: int, obj: Any, devices: dict[str, tuple[str, str, float, float]], now: datetime, only_device: str | None
) -> ParsedEvent | Rejection:
    """One line on the reference path: its event, or why it is refused (``obj`` may already be a
    ``Rejection``: a line that was not JSON)."""
    if isinstance(obj, Rejection):
        return obj
    try:
        return parse_event(line, obj, devices, now, only_device)
    except EventRejected as exc:
        return Rejection(line, str(exc))


def store_batch(
    session: Session,
    batch: ParsedBatch,
    *,
    device_code: str | None,
    who: str,
    heartbeat_s: int | None = None,
    with_settled: bool = False,
) -> dict[str, Any]:
    """Store a parsed batch (duplicates of stored events change nothing); the caller commits
    before answering. ``device_code``: the device whose key sent it (its heartbeat is noted —
    with its interval ``heartbeat_s`` given, at most as often as ``HEARTBEAT_WRITE_S`` allows).
    ``with_settled``: the answer also says how many of the new events the rules settled as they
    were stored (``settled``; ``register_prescreen``)."""
    now = batch.received_at
    rejected = list(batch.rejected)
    kept: list[ParsedEvent] = []
    rows: list[tuple[Any, ...]] = []
    for ev in batch.good:
        hashes = list(ev.image_hashes)
        missing = [h for h in hashes if session.get(Evidence, h) is None]
        if missing:
            rejected.append(
                Rejection(ev.line, f"images: unknown evidence hash {missing[0]} (POST it to /api/v1/evidence first)")
            )
            continue
        hashes += [store_evidence(session, b, "image/jpeg", who) for b in ev.image_blobs]
        kept.append(ev)
        # In INSERT_COLUMNS order.
        row = (ev.device, ev.event_id, ev.type, ev.time, now, ev.plate, ev.plate_color, ev.mmsi, ev.lon, ev.lat)
        rows.append((*row, ev.payload, hashes or None, "pending", 0, False, None))
    for n in _prescreened(session, kept):  # settled by the rules already: stored done
        rows[n] = (*rows[n][:_STATUS], "done", 0, False, now)
    inserted, settled_new = _insert_rows(session, rows, counted=True)
    if device_code is not None:
        heartbeat(session, device_code, now, heartbeat_s)
    rejected.sort(key=lambda r: r.line)
    out: dict[str, Any] = {
        "accepted": inserted,
        "duplicate": len(rows) - inserted + batch.in_batch_dupes,
        "rejected": [r.as_dict() for r in rejected],
    }
    if with_settled:
        out["settled"] = settled_new
    return out


#: Posts of at least this many events go through the rules' prescreen as they are stored
#: (``register_prescreen``); smaller ones (a camera's capture) leave every event to the workers.
#: The prescreen costs a post a few look-ups (≈ 1 ms), which pays from about 100 events: each
#: event it settles saves a worker the read and the update of its row (docs/performance.md).
PRESCREEN_MIN = 100

#: ``(session, events) → positions of the events that certainly raise nothing``: set by the rules'
#: domain when it is loaded (``monitoring.service``), which sits above this one.
_prescreen: Callable[[Session, Sequence[ParsedEvent]], set[int]] | None = None


def register_prescreen(fn: Callable[[Session, Sequence[ParsedEvent]], set[int]] | None) -> None:
    """Install the rules' prescreen (``None``: none). The events it names are stored done, in
    the transaction that stores them, and never queued: the rules have run and found nothing —
    the same rules, on the same data, the worker would have run a moment later. Any other event
    is stored pending and queued as before, so a prescreen that is absent, fails or names
    nothing changes no outcome, only where the work is done."""
    global _prescreen
    _prescreen = fn


def _prescreened(session: Session, events: list[ParsedEvent]) -> set[int]:
    if _prescreen is None or len(events) < PRESCREEN_MIN:
        return set()
    on_sqlite = session.get_bind().dialect.name == "sqlite"
    mode = get_settings().prescreen
    if mode == "off" or (mode == "auto" and on_sqlite):
        return set()
    # SQLite: the look-ups in a read transaction of their own, so the write lock is taken only
    # to store (as the workers do); PostgreSQL: in the storing transaction.
    own_read = on_sqlite and not session.in_transaction()
    if own_read:
        session.connection(execution_options={"sqlite_readonly": True})
    try:
        return _prescreen(session, events)
    finally:
        if own_read:
            session.rollback()  # nothing was written: the read ends


def ingest(
    session: Session,
    body: bytes,
    *,
    device: Device | None = None,
    actor: Actor | None = None,
    with_settled: bool = False,
) -> dict[str, Any]:
    """Validate every line, store the good ones (duplicates change nothing), report the rest.

    ``device``: the batch came with that device's key (its events may name no other device);
    otherwise ``actor`` must be an administrator (bulk files, the CLI)."""
    if device is None:
        if actor is None:
            raise Unauthorized("a device key or an administrator is required", "需要设备密钥或管理员")
        require(actor, "admin")
    batch = parse_batch(body, device_map(session), device.code if device else None)
    who = device.code if device else (actor.username if actor else "?")
    return store_batch(session, batch, device_code=device.code if device else None, who=who, with_settled=with_settled)


#: The columns ``ingest`` writes, in order (the rest take their defaults: id, last_error).
INSERT_COLUMNS = (
    "device_code", "event_id", "type", "event_time", "received_at", "plate", "plate_color", "mmsi",
    "lon", "lat", "payload", "images", "status", "attempts", "raised_lead", "processed_at",
)  # fmt: skip


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    """``_insert_rows`` for rows given as dicts (absent columns take their defaults)."""
    defaults = {"status": "pending", "attempts": 0, "raised_lead": False}
    return _insert_rows(session, [tuple(r.get(name, defaults.get(name)) for name in INSERT_COLUMNS) for r in rows])


@overload
def _insert_rows(session: Session, rows: list[tuple[Any, ...]]) -> int: ...
@overload
def _insert_rows(session: Session, rows: list[tuple[Any, ...]], counted: Literal[True]) -> tuple[int, int]: ...


def _insert_rows(session: Session, rows: list[tuple[Any, ...]], counted: bool = False) -> int | tuple[int, int]:
    """Insert rows (values in ``INSERT_COLUMNS`` order), skipping (device, id) pairs already
    stored, and queue the new ones still pending for the rule workers (``sensing.queue``, same
    transaction); returns how many were new (``counted``: and how many of those were stored done).

    The hot path of ingestion, so it goes below the ORM: values pass through the columns' own
    bind processors (the same stored form as ORM writes: UTC timestamps, JSON text) and reach the
    driver in one statement per batch on the session's connection, inside its transaction —
    SQLite ``executemany`` of ``INSERT … ON CONFLICT DO NOTHING`` (under the write lock, the new
    rows are those above the highest id before); PostgreSQL ``COPY`` with ids drawn from the
    sequence first (``_copy_new_pg``)."""
    if not rows:
        return (0, 0) if counted else 0
    cols = ", ".join(INSERT_COLUMNS)
    if session.get_bind().dialect.name == "sqlite":
        # Encoded before the connection is asked for: on SQLite that begins the transaction and
        # takes the write lock, which the worker and the other requests wait for meanwhile.
        memo: dict[int, str] = {}  # a batch's rows share one received_at: formatted once
        encoded = [sqlite_values(row, memo) for row in rows]
        raw_sqlite: Any = session.connection().connection.driver_connection
        sql = (
            f"INSERT INTO sensing_event ({cols}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
            " ON CONFLICT (device_code, event_id) DO NOTHING"
        )
        cur = raw_sqlite.cursor()
        try:
            # A new rowid is always above the highest one: this transaction holds the write
            # lock, so every id above ``top`` afterwards is one of these rows — numbered in order
            # from ``top + 1`` when all are new (the commonest case: no query to find them).
            top = cur.execute("SELECT coalesce(max(id), 0) FROM sensing_event").fetchone()[0]
            before = raw_sqlite.total_changes
            cur.executemany(sql, encoded)
            if raw_sqlite.total_changes - before == len(rows):
                new = list(range(top + 1, top + 1 + len(rows)))
            else:
                new = [int(r[0]) for r in cur.execute("SELECT id FROM sensing_event WHERE id > ? ORDER BY id", (top,))]
        finally:
            cur.close()
        # Which row each id is from is known only when all are new.
        settled = _enqueue_new(session, rows, new, new if len(new) == len(rows) else None)
        return (len(new), settled) if counted else len(new)
    raw: Any = session.connection().connection.driver_connection
    if len(rows) <= SMALL_POST:
        # A camera's capture, a receiver's few sentences: one statement, not four round trips
        # (ids drawn, savepoint, COPY, release) — the most of a small post's database work.
        ids = _insert_small_pg(raw, cols, rows)
        new = sorted(i for i in ids if i)
    else:
        with raw.cursor() as cur:
            cur.execute("SELECT nextval('sensing_event_id_seq') FROM generate_series(1, %s)", (len(rows),))
            ids = [int(r[0]) for r in cur.fetchall()]
        values = [pg_values(event_id, row) for event_id, row in zip(ids, rows, strict=True)]
        new = _copy_new_pg(raw, "id, " + cols, values)
    settled = _enqueue_new(session, rows, new, ids)
    return (len(new), settled) if counted else len(new)


#: Posts of at most this many events are stored on PostgreSQL by one ``INSERT … RETURNING``
#: (``_insert_small_pg``), larger ones by ``COPY`` (``_copy_new_pg``): measured, the statement
#: costs less for 1 or 2 events (API 0.87 against 1.0 ms a post of one), as much for 5, more
#: from 10 (its parameters adapted one by one; docs/performance.md).
SMALL_POST = 4


def _insert_small_pg(raw: Any, cols: str, rows: list[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL, a small post: its rows in one ``INSERT … ON CONFLICT DO NOTHING RETURNING``;
    returns the id each row was given, 0 for a row already stored (a batch holds each device and
    event id once: ``parse_batch``)."""
    width = len(INSERT_COLUMNS)
    values = [v for row in rows for v in pg_values(0, row)[1:]]
    placeholders = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in rows)
    with raw.cursor() as cur:
        cur.execute(
            f"INSERT INTO sensing_event ({cols}) VALUES {placeholders}"
            " ON CONFLICT (device_code, event_id) DO NOTHING RETURNING id, device_code, event_id",
            values,
        )
        given = {(device, event_id): int(i) for i, device, event_id in cur.fetchall()}
    return [given.get((row[0], row[1]), 0) for row in rows]


_TYPE, _TIME, _STATUS = (INSERT_COLUMNS.index(c) for c in ("type", "event_time", "status"))


def _enqueue_new(session: Session, rows: list[tuple[Any, ...]], new: list[int], row_ids: list[int] | None) -> int:
    """Queue the new events still pending: one ticket for the batch, and one for each ship
    passage, held until its time is behind the worker's cutoff. ``row_ids``: the id each row was
    given (None: unknown — then the stored rows are read). Returns how many of the new events
    were stored done (settled by the rules' prescreen: nothing to queue)."""
    if not new:
        return 0
    if all(r[_STATUS] == "pending" for r in rows) and not any(r[_TYPE] == "ship_passage" for r in rows):
        queue.enqueue(session, new)  # the commonest case: all pending, no passage
        return 0
    if row_ids is None:
        stored = [
            (int(i), typ, t, status)
            for i, typ, t, status in session.execute(
                select(Event.id, Event.type, Event.event_time, Event.status).where(Event.id.in_(new))
            )
        ]
    else:
        keep = set(new)
        stored = [(i, r[_TYPE], r[_TIME], r[_STATUS]) for i, r in zip(row_ids, rows, strict=True) if i in keep]
    pending = sorted((i, typ, t) for i, typ, t, status in stored if status == "pending")
    passages = {i: t for i, typ, t in pending if typ == "ship_passage"}
    queue.enqueue(session, [i for i, _, _ in pending if i not in passages])
    for event_id, t in sorted(passages.items()):
        queue.enqueue(session, [event_id], hold_until=t)
    return len(stored) - len(pending)


def sqlite_values(row: tuple[Any, ...], memo: dict[int, str] | None = None) -> tuple[Any, ...]:
    """One event row (``INSERT_COLUMNS`` order) in the stored form of the columns' own bind
    processors on SQLite — the same values an ORM write stores (tested equal), ≈ 3× quicker:
    times through ``sqlite_time``, JSON through ``jsontext.dumps``, no images as SQL NULL
    (``Event.images`` is ``none_as_null``). ``memo``: the receipt times already formatted, by
    object identity (the rows of a batch share one)."""
    dev, eid, typ, t, received, plate, color, mmsi, lon, lat, payload, images, status, attempts, raised, done_at = row
    if memo is None:
        received_text = sqlite_time(received)
    elif (received_text := memo.get(id(received))) is None:  # type: ignore[assignment]
        received_text = memo[id(received)] = sqlite_time(received)
    if done_at is None:
        done_text = None
    elif done_at is received:  # settled as it was stored: the same instant, formatted once
        done_text = received_text
    else:
        done_text = sqlite_time(done_at)
    return (
        dev,
        eid,
        typ,
        sqlite_time(t),
        received_text,
        plate,
        color,
        mmsi,
        lon,
        lat,
        jsontext.dumps(payload),
        None if images is None else jsontext.dumps(images),
        status,
        attempts,
        1 if raised else 0,
        done_text,
    )


def pg_values(event_id: int, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """One event row (``INSERT_COLUMNS`` order, preceded by its id) as ``COPY`` takes it on
    PostgreSQL: the values the columns' own bind processors give (tested equal to an ORM write),
    without a processor call per column and row — timestamps aware (a naive one refused; the
    server stores the instant), JSON through ``jsontext.dumps``, no images as SQL NULL."""
    *plain, payload, images, status, attempts, raised, done_at = row  # plain: device … lat, as they are
    for value in (plain[3], plain[4], done_at):  # event_time, received_at, processed_at
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("naive datetime refused: store timezone-aware values")
    dumped = None if images is None else jsontext.dumps(images)
    return (event_id, *plain, jsontext.dumps(payload), dumped, status, attempts, bool(raised), done_at)


#: ``pg_values``' columns (the id, then ``INSERT_COLUMNS``) as the binary ``COPY`` sends them:
#: strings and JSON as text (the columns' own input checks their length and the JSON).
COPY_TYPES = ["int8", "text", "text", "text", "timestamptz", "timestamptz", "text", "text", "text",
              "float8", "float8", "text", "text", "text", "int4", "bool", "timestamptz"]  # fmt: skip
assert len(COPY_TYPES) == 1 + len(INSERT_COLUMNS)


def _copy_new_pg(raw: Any, cols: str, values: list[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL: a batch's rows (each starting with its id), skipping those already stored;
    returns the ids stored. Nearly every batch is all new: one ``COPY`` straight into the table,
    inside a savepoint — about two thirds of the database's CPU of the staging path (13–19
    against 19–30 µs a row; docs/performance.md, sixth session). A row already stored (a device
    re-sending, or another process storing the same event meanwhile) fails the whole ``COPY``
    with a unique violation: back to the savepoint, and the staging path skips those rows."""
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT sensing_event_copy")
        try:
            # Binary: times and numbers go as the server keeps them, with no text to format here
            # (1.2 against 3.0 µs a row of Python) or to parse there; text and JSON go as text.
            with cur.copy(f"COPY sensing_event ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(COPY_TYPES)
                for v in values:
                    copy.write_row(v)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            cur.execute("ROLLBACK TO SAVEPOINT sensing_event_copy")
            return _copy_staged_pg(cur, cols, values)
        cur.execute("RELEASE SAVEPOINT sensing_event_copy")
        return [v[0] for v in values]


UNIQUE_VIOLATION = "23505"


def _copy_staged_pg(cur: Any, cols: str, values: list[tuple[Any, ...]]) -> list[int]:
    """``COPY`` into a temporary staging table, then one ``INSERT … SELECT … ON CONFLICT DO
    NOTHING`` in the batch's order: the new rows of a batch holding stored ones (their ids)."""
    # Per connection, emptied at every commit; created inside the transaction, so a rollback
    # takes it away too and the next batch creates it again.
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS sensing_event_stage"
        f" ON COMMIT DELETE ROWS AS SELECT {cols}, 0::bigint AS ord FROM sensing_event WITH NO DATA"
    )
    cur.execute("TRUNCATE sensing_event_stage")
    with cur.copy(f"COPY sensing_event_stage ({cols}, ord) FROM STDIN") as copy:
        for i, v in enumerate(values):
            copy.write_row((*v, i))
    cur.execute(
        f"INSERT INTO sensing_event ({cols}) SELECT {cols} FROM sensing_event_stage"
        " ORDER BY ord ON CONFLICT (device_code, event_id) DO NOTHING RETURNING id"
    )
    return sorted(int(r[0]) for r in cur.fetchall())


# --------------------------------------------------------------------------- raw NMEA


def ingest_nmea(
    session: Session, text: str, device: Device | KeyedDevice, received_at: datetime | None = None
) -> dict[str, Any]:
    """Raw AIS as receivers send it (one sentence a line): checked now, stored as one ``ais``
    event for the worker. Bad checksums, empty payloads and junk are counted, never fatal."""
    from zhifa.sensing.ais import decode_lines

    if device.kind not in ("ais_receiver", "checkpoint"):
        raise BadRequest(f"a {device.kind} device cannot send AIS", f"{device.kind} 设备不能发送 AIS")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    messages, stats = decode_lines(lines)
    now = received_at or utcnow()
    result: dict[str, Any] = {"messages": len(messages), **stats.as_dict(), "stored": 0}
    if not lines:
        return result
    digest = hashlib.sha256(("\n".join(lines) + now.isoformat()).encode()).hexdigest()[:32]
    row = {
        "device_code": device.code,
        "event_id": f"nmea-{digest}",
        "type": "ais",
        "event_time": now,
        "received_at": now,
        "payload": {"nmea": lines, "raw": True},
        "status": "pending",
        "attempts": 0,
        "raised_lead": False,
    }
    result["stored"] = _insert_new(session, [row])
    heartbeat(session, device.code, now, device.heartbeat_s)
    return result
