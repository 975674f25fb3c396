"""Monitoring services: the worker that turns stored events into routed, deduplicated leads, and
reading leads.

Exactly once: an event is processed in the same transaction that writes its leads and marks it
done. A killed worker rolls back and the event stays pending for the next one; a rule that raises
leaves the event pending with its error and attempt count (visible in the API), never done.
Several workers on PostgreSQL claim queue tickets (``sensing.queue``) with ``FOR UPDATE SKIP
LOCKED`` and serialise leads of one subject with a transaction-scoped advisory lock, so none is
lost or doubled.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Engine, and_, func, literal_column, or_, select, text, update
from sqlalchemy.orm import Session

from zhifa.core import audit, jsontext
from zhifa.core.audit import Actor
from zhifa.core.clock import to_shanghai, utcnow
from zhifa.core.config import get_settings
from zhifa.core.db import session_factory
from zhifa.jurisdiction import service as jurisdiction
from zhifa.jurisdiction.router import Router, RoutingError
from zhifa.monitoring import rules
from zhifa.monitoring.bulk import EventRow
from zhifa.monitoring.models import Lead, LeadEvent, WatchEntry
from zhifa.registry.models import OversizePermit, Vehicle
from zhifa.sensing import queue
from zhifa.sensing import service as sensing_service
from zhifa.sensing.events import ParsedEvent
from zhifa.sensing.models import PENDING, Device, Event, EventTicket
from zhifa.sensing.service import evidence_grade

log = logging.getLogger(__name__)

#: After this many failed attempts an event is no longer retried automatically; it stays pending
#: and visible (GET /api/v1/events/stuck) for a person to look at.
MAX_ATTEMPTS = 5
OPEN_STATUSES = ("new", "confirmed", "dispatched")

#: An event as the vehicle rules read it: a claimed row, or the ORM object.
AnyEvent = Event | EventRow


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        # Field by field (the recursion below converts what they hold): ``asdict`` would
        # deep-copy every value first, ≈ 50 µs a lead on the worker's path.
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class Finding:
    """What a rule found about one event, before folding into a lead."""

    def __init__(
        self,
        kind: str,
        subject: str,
        details: dict[str, Any],
        *,
        matter: str | None = None,
        lon: float | None = None,
        lat: float | None = None,
        permitted: bool = False,
        evidence: Sequence[tuple[int, datetime, list[str] | None]] = (),
    ) -> None:
        self.kind, self.subject, self.details = kind, subject, details
        self.matter = matter or rules.RULES[kind].matter
        self.lon, self.lat, self.permitted = lon, lat, permitted
        #: Earlier stored events (id, event time, image hashes) the finding rests on besides the
        #: event itself — the other hub captures of an ``illegal_operation`` — linked to the lead
        #: it opens as evidence.
        self.evidence = tuple(evidence)


def vehicle_subject(plate: str | None, color: str | None, ev: AnyEvent) -> str:
    if plate is None:
        return f"{ev.payload.get('unidentified', '未识别')}@{ev.device_code}"
    return f"{plate}/{color}" if color else plate


# --------------------------------------------------------------------------- rules per event


@functools.lru_cache(maxsize=256)
def _tolerance(accuracy_pct: str | None) -> Decimal:
    """A WIM device's tolerance (its accuracy, 5 % when none is recorded), checked once."""
    tolerance = Decimal(accuracy_pct or rules.DEFAULT_WIM_TOLERANCE_PCT)
    if not tolerance.is_finite() or not Decimal(0) <= tolerance < 100:
        raise ValueError(f"device accuracy_pct {accuracy_pct!r} is not a percentage from 0 to below 100")
    return tolerance


def _local_day(ev: AnyEvent) -> date:
    """The event's calendar date in Shanghai (permits and certificates run by local dates)."""
    return to_shanghai(ev.event_time).date()


def findings_for(session: Session, ev: AnyEvent, device: Device, cfg: rules.MonitoringConfig) -> list[Finding]:
    out: list[Finding] = []
    p = ev.payload
    subject = vehicle_subject(ev.plate, ev.plate_color, ev)
    if ev.type == "wim":
        tolerance = _tolerance(device.accuracy_pct)
        gross, axles = Decimal(p["gross_kg"]), int(p["axles"])
        combination, single = bool(p.get("combination")), bool(p.get("single_drive_axle"))
        # Most trucks weigh no more than their limit, which no tolerance (≥ 0) can turn into an
        # overload: an exact comparison decides it without the full rule.
        light = gross <= rules.overload_limit_kg(axles, combination, single)
        found = None if light else rules.check_overload(gross, axles, combination, single, tolerance)
        if found is not None:
            permit = _valid_permit(session, ev, _local_day(ev))
            # ``permitted`` as the lead has it (the rule's own result is computed without the permit).
            details = _jsonable(found) | {"axles": p["axles"], "permit": permit, "permitted": permit is not None}
            out.append(Finding("overload", subject, details, lon=ev.lon, lat=ev.lat, permitted=permit is not None))
        if "height_m" in p or "width_m" in p or "length_m" in p:
            dims = [Decimal(p[k]) if p.get(k) is not None else None for k in ("height_m", "width_m", "length_m")]
            over = rules.check_oversize(dims[0], dims[1], dims[2], cfg)
            if over is not None:
                permit = _valid_permit(session, ev, _local_day(ev))
                out.append(
                    Finding(
                        "oversize",
                        subject,
                        _jsonable(over) | {"permit": permit},
                        lon=ev.lon,
                        lat=ev.lat,
                        permitted=permit is not None,
                    )
                )
    if ev.type in ("wim", "plate_capture") and ev.plate is not None:
        vehicle = _vehicle(session, ev.plate, ev.plate_color)
        if vehicle is not None and vehicle.cert_status not in (None, "none"):
            problem = rules.certificate_problem(vehicle.cert_status, vehicle.cert_expiry, _local_day(ev))
            if problem is not None:
                out.append(
                    Finding(
                        "certificate_expired",
                        subject,
                        {
                            "problem": problem,
                            "cert_no": vehicle.cert_no,
                            "cert_expiry": vehicle.cert_expiry.isoformat() if vehicle.cert_expiry else None,
                            "vehicle_type": vehicle.vehicle_type,
                        },
                        matter=rules.business_matter(vehicle.vehicle_type),
                        lon=ev.lon,
                        lat=ev.lat,
                    )
                )
    if ev.type == "plate_capture" and ev.plate is not None and ev.device_code in HUB_DEVICES.get(id(session), set()):
        vehicle = _vehicle(session, ev.plate, ev.plate_color)
        valid = (
            vehicle is not None
            and vehicle.cert_status == "valid"
            and rules.certificate_problem(vehicle.cert_status, vehicle.cert_expiry, _local_day(ev)) is None
        )
        if not valid:
            captures = _hub_captures(session, ev, HUB_DEVICES[id(session)], cfg)
            times = [t for t, _, _ in captures]
            if rules.is_illegal_operation(times, ev.event_time, False, cfg):
                out.append(
                    Finding(
                        "illegal_operation",
                        subject,
                        {
                            "hub_captures_7d": rules.count_in_window(
                                times, ev.event_time, cfg.illegal_operation_window
                            ),
                            "registered": vehicle is not None,
                        },
                        lon=ev.lon,
                        lat=ev.lat,
                        evidence=[(i, t, images) for t, i, images in captures if i != ev.id],
                    )
                )
    out += _watchlist(session, ev, subject)
    return out


class BatchCache:
    """Registry rows a batch needs, fetched with a few set queries instead of several per event."""

    def __init__(self, session: Session, events: Sequence[Any], permits: bool = True) -> None:
        """``events``: anything with a ``plate``. ``permits`` False: none read (the prescreen
        leaves every event over a limit to the workers); a look-up then queries."""
        from zhifa.monitoring.models import WatchEntry

        plates = sorted({e.plate for e in events if e.plate})
        self.vehicles: dict[str, list[Vehicle]] = {}
        self.permits: dict[str, list[OversizePermit]] | None = {} if permits else None
        from sqlalchemy import String

        from zhifa.monitoring.bulk import chunk_size, one_of

        step = chunk_size(session)
        for i in range(0, len(plates), step):
            chunk = plates[i : i + step]
            for v in session.scalars(select(Vehicle).where(one_of(session, Vehicle.plate, chunk, String()))):
                self.vehicles.setdefault(v.plate, []).append(v)
            if self.permits is not None:
                query = select(OversizePermit).where(one_of(session, OversizePermit.plate, chunk, String()))
                for p in session.scalars(query):
                    self.permits.setdefault(p.plate, []).append(p)
        self.watch_plate: dict[str, list[WatchEntry]] = {}
        self.watch_mmsi: dict[str, list[WatchEntry]] = {}
        for w in session.scalars(select(WatchEntry).where(WatchEntry.active.is_(True))):
            if w.plate:
                self.watch_plate.setdefault(w.plate, []).append(w)
            if w.mmsi:
                self.watch_mmsi.setdefault(w.mmsi, []).append(w)


#: The batch cache of a worker session (absent: every lookup queries).
CACHE: dict[int, BatchCache] = {}

#: The settings version in force for a worker session (recorded with each lead's rule version).
CONFIG_VERSION: dict[int, int] = {}

#: Camera devices at passenger hubs (railway/bus stations, airports), per worker session.
HUB_DEVICES: dict[int, set[str]] = {}
HUB_RADIUS_M = 300.0


def hub_devices(session: Session, devices: dict[str, Any], cfg: rules.MonitoringConfig) -> set[str]:
    """Cameras within 300 m of a passenger hub site (great-circle distance). ``devices``: by
    code, each with ``code``, ``kind``, ``lon`` and ``lat`` (``Device`` rows or plain rows)."""
    import math

    from zhifa.registry.models import Site

    sites = [
        (s.lon, s.lat)
        for s in session.scalars(select(Site).where(Site.site_type.in_(sorted(cfg.hub_site_types))))
        if s.lon is not None and s.lat is not None
    ]
    out: set[str] = set()
    for d in devices.values():
        if d.kind not in ("camera", "wim"):
            continue
        for lon, lat in sites:
            p1, p2 = math.radians(d.lat), math.radians(lat)
            dp, dl = p2 - p1, math.radians(lon - d.lon)
            a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            if 2 * 6371008.8 * math.asin(math.sqrt(a)) <= HUB_RADIUS_M:
                out.add(d.code)
                break
    return out


def _hub_captures(
    session: Session, ev: AnyEvent, hubs: set[str], cfg: rules.MonitoringConfig
) -> list[tuple[datetime, int, list[str] | None]]:
    """The vehicle's captures at hub cameras in the window up to the event (the event itself
    included): (event time, id, image hashes), in time order."""
    q = select(Event.event_time, Event.id, Event.images).where(
        Event.plate == ev.plate,
        Event.type == "plate_capture",
        Event.device_code.in_(sorted(hubs)),
        Event.event_time >= ev.event_time - cfg.illegal_operation_window,
        Event.event_time <= ev.event_time,
    )
    if ev.plate_color:
        q = q.where(Event.plate_color == ev.plate_color)
    return sorted((t, i, images) for t, i, images in session.execute(q))


def _watchlist(session: Session, ev: AnyEvent, subject: str) -> list[Finding]:
    if ev.plate is None and ev.mmsi is None:
        return []
    cache = CACHE.get(id(session))
    if cache is not None:
        if not cache.watch_plate and not cache.watch_mmsi:
            return []
        entries = (cache.watch_plate.get(ev.plate, []) if ev.plate else []) + (
            cache.watch_mmsi.get(ev.mmsi, []) if ev.mmsi else []
        )
    else:
        conds = []
        if ev.plate is not None:
            conds.append(WatchEntry.plate == ev.plate)
        if ev.mmsi is not None:
            conds.append(WatchEntry.mmsi == ev.mmsi)
        entries = list(session.scalars(select(WatchEntry).where(WatchEntry.active.is_(True), or_(*conds))))
    out = []
    for w in entries:
        if w.plate is not None and w.plate_color and ev.plate_color and w.plate_color != ev.plate_color:
            continue
        subj = ev.mmsi if w.mmsi is not None else subject
        out.append(
            Finding(
                "watchlist",
                subj or subject,
                {"reason": w.reason, "entry": w.id},
                matter=w.matter,
                lon=ev.lon,
                lat=ev.lat,
            )
        )
    return out


def _vehicle(session: Session, plate: str, color: str | None) -> Vehicle | None:
    cache = CACHE.get(id(session))
    if cache is not None:
        known = cache.vehicles.get(plate)
        if not known:
            return None
        found = [v for v in known if not color or v.plate_color == color]
    else:
        q = select(Vehicle).where(Vehicle.plate == plate)
        if color:
            q = q.where(Vehicle.plate_color == color)
        found = list(session.scalars(q.limit(2)))
    return found[0] if len(found) == 1 else None


def _valid_permit(session: Session, ev: AnyEvent, day: date) -> str | None:
    """An oversize-transport permit (超限运输许可) for this vehicle valid on that date."""
    if ev.plate is None:
        return None
    cache = CACHE.get(id(session))
    if cache is not None and cache.permits is not None:
        candidates = cache.permits.get(ev.plate, [])
    else:
        candidates = list(session.scalars(select(OversizePermit).where(OversizePermit.plate == ev.plate)))
    for permit in sorted(candidates, key=lambda p: p.permit_no):
        if permit.valid_from <= day <= permit.valid_to and (not ev.plate_color or permit.plate_color == ev.plate_color):
            return permit.permit_no
    return None


def _previous_overloads(session: Session, subject: str, lead_id: int, at: datetime) -> list[datetime]:
    """Earlier overload violations of the vehicle: one per overload lead (the events a lead folds
    within 24 h are one trip), not permitted, not dismissed or merged away."""
    rows = session.execute(
        select(Lead.first_event_time).where(
            Lead.kind == "overload",
            Lead.subject == subject,
            Lead.id != lead_id,
            Lead.permitted.is_(False),
            Lead.status.not_in(("dismissed", "merged")),
            Lead.first_event_time > at - timedelta(days=366),
            Lead.first_event_time < at,
        )
    ).scalars()
    return sorted(rows)


# --------------------------------------------------------------------------- folding into leads


def _versioned(session: Session, version: str) -> str:
    n = CONFIG_VERSION.get(id(session), 0)
    return f"{version}@cfg{n}" if n else version


def _transient(exc: BaseException) -> bool:
    """Deadlock, serialisation failure or lock timeout (PostgreSQL): retry later, not a failure."""
    if isinstance(exc, SubjectBusy):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in ("40P01", "40001", "55P03")


class SubjectBusy(Exception):
    """Another worker holds this subject's lock; the event waits for a later batch."""


def _subject_key(kind: str, subject: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}|{subject}".encode()).digest()[:8], "big", signed=True)


def _lock_subject(session: Session, kind: str, subject: str, required: bool = False) -> bool:
    """Serialise leads of one subject across workers (transaction-scoped advisory lock, held to
    the batch's commit). Never waits: it answers whether the lock is ours, or with ``required``
    raises SubjectBusy (the caller defers the event)."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: one writer at a time already
    key = _subject_key(kind, subject)
    got = bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())
    if not got and required:
        raise SubjectBusy(f"{kind}|{subject}")
    return got


def _lock_subjects(session: Session, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """``_lock_subject`` for many subjects in one round trip; returns those another worker holds."""
    if session.get_bind().dialect.name != "postgresql" or not keys:
        return set()
    from sqlalchemy import bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    ids = [_subject_key(kind, subject) for kind, subject in keys]
    stmt = text(
        "SELECT k.ord, pg_try_advisory_xact_lock(k.key)"
        " FROM unnest(:keys) WITH ORDINALITY AS k(key, ord) ORDER BY k.ord"
    ).bindparams(bindparam("keys", type_=ARRAY(BigInteger)))
    got: dict[int, bool] = {int(k): bool(v) for k, v in session.execute(stmt, {"keys": ids})}
    return {key for i, key in enumerate(keys, start=1) if not got[i]}


def fold(
    session: Session,
    router: Router,
    ev: Event,
    f: Finding,
    device: Device,
    rule_versions: dict[str, str],
    cfg: rules.MonitoringConfig,
) -> tuple[Lead, bool]:
    """Fold finding ``f`` of event ``ev`` into the open lead it belongs with, or open one:
    returns the lead and whether it was opened now."""
    _lock_subject(session, f.kind, f.subject, required=True)
    candidates = session.scalars(
        select(Lead)
        .where(
            Lead.kind == f.kind,
            Lead.subject == f.subject,
            Lead.status.in_(OPEN_STATUSES),
            Lead.first_event_time <= ev.event_time,
        )
        .order_by(Lead.first_event_time.desc())
        .limit(5)
    )
    for lead in candidates:
        if rules.folds(f.kind, lead.first_event_time, lead.status, ev.event_time, cfg):
            if session.get(LeadEvent, (lead.id, ev.id)) is not None:
                return lead, False  # already its evidence (linked when the lead opened)
            lead.count += 1
            lead.last_event_time = max(lead.last_event_time, ev.event_time)
            lead.images = [*lead.images, *[h for h in (ev.images or []) if h not in lead.images]]
            lead.details = lead.details | {"latest": f.details}
            session.add(LeadEvent(lead_id=lead.id, event_id=ev.id, event_time=ev.event_time))
            return lead, False
    usable, problems = evidence_grade(device, to_shanghai(ev.event_time).date())
    unit = mode = reason = None
    if f.lon is not None and f.lat is not None and f.matter:
        try:
            answer = router.route_points(f.matter, [f.lon], [f.lat])[0]
            unit, mode, reason = answer.unit, answer.mode, answer.reason
        except RoutingError as exc:
            reason = f"未能路由：{exc}"
    info = rules.RULES[f.kind]
    lead = Lead(
        kind=f.kind,
        subject=f.subject,
        matter=f.matter,
        unit_code=unit,
        routing_mode=mode,
        routing_reason=reason,
        status="new",
        severity=info.severity,
        rule_version=_versioned(session, rule_versions.get(f.kind, info.version)),
        first_event_time=ev.event_time,
        last_event_time=ev.event_time,
        count=1 + len(f.evidence),
        lon=f.lon,
        lat=f.lat,
        details=f.details | ({"evidence_problems": problems} if problems else {}),
        images=evidence_images(ev.images, f.evidence),
        usable_as_evidence=usable,
        permitted=f.permitted,
    )
    session.add(lead)
    session.flush()
    session.add(LeadEvent(lead_id=lead.id, event_id=ev.id, event_time=ev.event_time))
    for event_id, t, _ in f.evidence:
        session.add(LeadEvent(lead_id=lead.id, event_id=event_id, event_time=t))
    return lead, True


def evidence_images(own: list[str] | None, evidence: Sequence[tuple[int, datetime, list[str] | None]]) -> list[str]:
    """A new lead's images: its event's, then those of the earlier events it rests on, once each."""
    out = list(own or [])
    for _, _, images in evidence:
        out += [h for h in images or [] if h not in out]
    return out


# --------------------------------------------------------------------------- the worker


def process_event(
    session: Session,
    router: Router,
    ev: Event,
    devices: dict[str, Device],
    cfg: rules.MonitoringConfig,
    found: list[Finding] | None = None,
) -> tuple[int, int]:
    """Run the rules on one event and fold what they find; marks it done. Returns (findings
    folded, leads opened)."""
    from zhifa.monitoring import vessels

    device = devices[ev.device_code]
    raised = opened = 0
    if ev.type == "ais":
        found, gaps = vessels.ais_findings(session, router, ev, cfg)
        raised = opened = gaps  # gaps that opened and ended between two of its fixes
        for mmsi in sorted({f.subject for f in found} | _fix_mmsis(session, ev)):
            found += _watchlist(session, _as_vessel_event(session, ev, mmsi), mmsi)
    elif ev.type == "ship_passage":
        found = vessels.decide(session, ev, device, cfg)
        if ev.mmsi:
            found += _watchlist(session, ev, ev.mmsi)
    elif found is None:
        found = findings_for(session, ev, device, cfg)
    for f in found:
        lead, new = fold(session, router, ev, f, device, {}, cfg)
        raised, opened = raised + 1, opened + new
        if f.kind == "overload" and lead.count == 1 and not f.permitted and ev.plate is not None:
            # 公路安全保护条例 第六十六条: more than 3 overloads within a year → repeat_overload.
            previous = _previous_overloads(session, f.subject, lead.id, ev.event_time)
            if rules.is_repeat_overload(previous, ev.event_time, cfg):
                rep = Finding(
                    "repeat_overload",
                    f.subject,
                    {"overloads_in_window": len(previous) + 1, "overload_leads": len(previous) + 1},
                    lon=ev.lon,
                    lat=ev.lat,
                )
                _, new = fold(session, router, ev, rep, device, {}, cfg)
                raised, opened = raised + 1, opened + new
    ev.status, ev.processed_at, ev.raised_lead, ev.last_error = "done", utcnow(), raised > 0, None
    return raised, opened


def _fix_mmsis(session: Session, ev: Event) -> set[str]:
    from zhifa.sensing.models import AisFix

    session.flush()
    return set(session.scalars(select(AisFix.mmsi).where(AisFix.event_id == ev.id)))


def _as_vessel_event(session: Session, ev: Event, mmsi: str) -> Event:
    """A stand-in carrying one vessel's MMSI and position (its latest report; the receiver's
    place before any), for the watchlist check (never added to the session)."""
    from zhifa.monitoring.vessels import vessel_position

    lon, lat, _ = vessel_position(session, mmsi, ev)
    probe = Event(
        device_code=ev.device_code,
        event_id=ev.event_id,
        type=ev.type,
        event_time=ev.event_time,
        payload={},
        lon=lon,
        lat=lat,
    )
    probe.mmsi = mmsi
    return probe


VEHICLE_TYPES = ("wim", "plate_capture")
_VEHICLE_TYPES_SQL = "(" + ", ".join(f"'{t}'" for t in VEHICLE_TYPES) + ")"


@dataclass
class Claimed:
    """What a worker claimed: queue tickets (``sensing.queue``) and their events still pending
    and not given up, in arrival order."""

    tickets: list[queue.Ticket]
    events: list[EventRow]
    #: The vehicle events among ``events`` were marked done as they were read (``claim`` with
    #: ``take_vehicles``): what is not done in the end goes back to pending (``unmark``).
    vehicles_taken: bool = False
    #: Of those, the ones a rule had failed on before: their last error is cleared once they are
    #: done (``clear_errors``), kept while they are not.
    retried: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [i for t in self.tickets for i in t.ids]


def claim(session: Session, batch: int, passage_cutoff: datetime | None = None, take_vehicles: bool = False) -> Claimed:
    """Tickets naming about ``batch`` events, and those events (locked tickets on PostgreSQL,
    ``SKIP LOCKED``). Ship passages wait until the AIS stream's watermark has moved past passage
    + window + lateness (``passage_cutoff``); ``None`` holds them all.

    ``take_vehicles`` (PostgreSQL; the caller holds the tickets locked until it commits): the
    vehicle events are marked done by the statement that reads them (``UPDATE … RETURNING``),
    one pass over their rows instead of a read and, later, an update — most of them raise nothing
    and need no other write. The caller puts back to pending those it does not finish
    (``unmark``), in the same transaction; a worker killed before it commits rolls back the mark
    with everything else."""
    tickets = queue.claim(session, batch, passage_cutoff)
    claimed = Claimed(tickets, [])
    if tickets:
        if take_vehicles and session.get_bind().dialect.name == "postgresql":
            claimed.events, claimed.retried = _take_raw(session, claimed.ids)
            claimed.vehicles_taken = True
        else:
            claimed.events = _load_raw(session, claimed.ids)
    return claimed


def unmark(session: Session, ids: Sequence[int]) -> None:
    """Events marked done by ``claim(take_vehicles=True)`` that this batch did not finish
    (deferred behind another worker's subject, or left to the per-event path): pending again,
    as they were."""
    from zhifa.monitoring.bulk import one_of

    if ids:
        session.execute(
            update(Event)
            .where(one_of(session, Event.id, list(ids), BigInteger()))
            .values(status="pending", processed_at=None),
            execution_options={"synchronize_session": False},
        )


def settle(session: Session, claimed: Claimed) -> None:
    """Put the claimed events still pending and not given up back in the queue (the tickets
    were taken): deferred behind another worker's subject, or failed fewer than
    ``MAX_ATTEMPTS`` times."""
    from zhifa.monitoring.bulk import one_of

    ids = claimed.ids
    if not ids:
        return
    still = session.scalars(
        select(Event.id).where(one_of(session, Event.id, ids, BigInteger()), PENDING, Event.attempts < MAX_ATTEMPTS)
    ).all()
    queue.requeue(session, claimed.tickets, list(still))


def retry_given_up(session: Session, actor: Actor, ids: Sequence[int]) -> dict[str, Any]:
    """Queue again events a rule failed on ``MAX_ATTEMPTS`` times (once the cause is mended): their
    attempt count goes back to 0 (the last error stays until they are done) and they join the
    queue in one ticket; one audit row. Only given-up events are taken — the others are still
    queued, and an event in two tickets could be processed twice — and each only once even when
    two administrators ask at the same moment (the update's condition is re-checked under its
    row lock). Answers the ids queued and those refused, each with its reason."""
    from zhifa.core.auth import require
    from zhifa.core.errors import BadRequest

    require(actor, "admin")
    wanted = sorted({int(i) for i in ids})
    if not wanted or len(wanted) > 1000:
        raise BadRequest("ids: give 1 to 1,000 event ids", "ids：请给出 1 至 1000 个事件编号")
    taken = sorted(
        session.scalars(
            update(Event)
            .where(Event.id.in_(wanted), PENDING, Event.attempts >= MAX_ATTEMPTS)
            .values(attempts=0)
            .returning(Event.id),
            execution_options={"synchronize_session": False},
        ).all()
    )
    queue.enqueue(session, taken)
    refused = []
    if len(taken) < len(wanted):
        known = dict(session.execute(select(Event.id, Event.status).where(Event.id.in_(wanted))).all())
        for i in sorted(set(wanted) - set(taken)):
            reason = (
                "no such event"
                if i not in known
                else "already done"
                if known[i] != "pending"
                else f"still being retried (fewer than {MAX_ATTEMPTS} attempts)"
            )
            refused.append({"id": i, "reason": reason})
    if taken:
        listed = ",".join(map(str, taken))
        entity = listed if len(listed) <= 128 else f"{len(taken)} events"  # the column's width; every id: ``after``
        audit.record(
            session, actor, "retry", "sensing_event", entity, {"attempts": MAX_ATTEMPTS}, {"attempts": 0, "ids": taken}
        )
    return {"queued": taken, "refused": refused}


#: The most events ``stuck_events`` lists (the oldest); it counts them all when there are more.
STUCK_LIMIT = 500


def stuck_events(
    session: Session, scope: set[str] | None, limit: int = STUCK_LIMIT
) -> tuple[list[dict[str, Any]], int]:
    """Events a rule failed on (still pending, ``attempts > 0``), oldest first, at most
    ``limit``, and how many there are in all. ``scope``: the units whose devices' events the
    caller sees (``monitoring.access.lead_scope``; ``None``: every device's)."""
    where = [PENDING, Event.attempts > 0]
    if scope is not None:
        where.append(Event.device_code.in_(select(Device.code).where(Device.unit_code.in_(sorted(scope)))))
    rows = session.execute(
        select(
            Event.id,
            Event.device_code,
            Device.name,
            Event.event_id,
            Event.type,
            Event.event_time,
            Event.attempts,
            Event.last_error,
        )
        .outerjoin(Device, Device.code == Event.device_code)
        .where(*where)
        .order_by(Event.id)
        .limit(limit + 1)  # one more: whether there are more, without counting them all
    ).all()
    total = session.scalar(select(func.count()).select_from(Event).where(*where)) if len(rows) > limit else len(rows)
    items = [
        {
            "id": r.id,
            "device": r.device_code,
            "device_name": r.name,
            "event_id": r.event_id,
            "type": r.type,
            "event_time": r.event_time.isoformat(),
            "attempts": r.attempts,
            "given_up": r.attempts >= MAX_ATTEMPTS,
            "last_error": r.last_error,
        }
        for r in rows[:limit]
    ]
    return items, int(total or 0)


def load_through_types(session: Session, ids: list[int]) -> list[EventRow]:
    """``_load_raw`` through SQLAlchemy's column types: the reference it is tested against."""
    t = Event.__table__.c
    q = (
        select(
            t.id,
            t.device_code,
            t.event_id,
            t.type,
            t.event_time,
            t.plate,
            t.plate_color,
            t.mmsi,
            t.lon,
            t.lat,
            t.payload,
            t.images,
        )
        .where(t.id.in_(ids), PENDING, t.attempts < MAX_ATTEMPTS)
        .order_by(t.id)
    )
    return [EventRow(**row._mapping) for row in session.execute(q)]


_RAW_COLUMNS = "id, device_code, event_id, type, event_time, plate, plate_color, mmsi, lon, lat"


def _load_raw(session: Session, ids: list[int]) -> list[EventRow]:
    """The events ``ids`` still pending and not given up, as plain rows in arrival order: the
    worker's hot read, below the ORM — the same values as the column types give (tested equal
    against ``load_through_types``), decoded at once (the batch's JSON payloads in one
    ``jsontext.loads``) instead of a result processor per column and row."""
    from zhifa.monitoring.bulk import pg_array_text

    on_pg = session.get_bind().dialect.name == "postgresql"
    sql = (
        f"SELECT {_RAW_COLUMNS},"
        + (" payload::text, images::text" if on_pg else " payload, images")
        + " FROM sensing_event WHERE "
        + ("id = ANY(%s::bigint[])" if on_pg else "id IN (SELECT value FROM json_each(?))")
        + " AND status = 'pending' AND attempts < "
        + ("%s" if on_pg else "?")
        + " ORDER BY id"
    )
    raw: Any = session.connection().connection.driver_connection
    cur = raw.cursor()
    try:
        if on_pg:  # binary results: times and numbers as the server keeps them, no text to parse
            cur.execute(sql, (pg_array_text(ids), MAX_ATTEMPTS), binary=True)
        else:
            cur.execute(sql, (jsontext.dumps(ids), MAX_ATTEMPTS))
        rows = cur.fetchall()
    finally:
        cur.close()
    return _event_rows(rows, on_pg)


def _take_raw(session: Session, ids: list[int]) -> tuple[list[EventRow], list[int]]:
    """PostgreSQL: ``_load_raw``'s rows, the vehicle events among them marked done by the same
    statement (``claim(take_vehicles=True)``); the others (AIS, ship passages: the per-event
    path marks them itself) read as they are. Arrival order; and the ids of the vehicle events
    taken that a rule had failed on before (their last error stays until they are done)."""
    from zhifa.monitoring.bulk import pg_array_text

    array = pg_array_text(ids)
    out = f"{_RAW_COLUMNS}, payload::text, images::text, attempts"
    raw: Any = session.connection().connection.driver_connection
    cur = raw.cursor()
    try:
        cur.execute(
            "UPDATE sensing_event SET status = 'done', processed_at = %s"
            " WHERE id = ANY(%s::bigint[]) AND status = 'pending' AND attempts < %s"
            f" AND type IN {_VEHICLE_TYPES_SQL} RETURNING {out}",
            (utcnow(), array, MAX_ATTEMPTS),
            binary=True,
        )
        rows = cur.fetchall()
        retried = [r[0] for r in rows if r[12]]
        if len(rows) < len(ids):  # others, or some no longer pending
            cur.execute(
                f"SELECT {out} FROM sensing_event WHERE id = ANY(%s::bigint[]) AND status = 'pending'"
                f" AND attempts < %s AND type NOT IN {_VEHICLE_TYPES_SQL}",
                (array, MAX_ATTEMPTS),
                binary=True,
            )
            rows += cur.fetchall()
        rows.sort(key=lambda r: r[0])
    finally:
        cur.close()
    return _event_rows(rows, True), retried


def clear_errors(session: Session, ids: Sequence[int]) -> None:
    """The last error of events now done (those of ``Claimed.retried`` that were not set back)."""
    from zhifa.monitoring.bulk import one_of

    if ids:
        session.execute(
            update(Event)
            .where(one_of(session, Event.id, list(ids), BigInteger()), Event.status == literal_column("'done'"))
            .values(last_error=None),
            execution_options={"synchronize_session": False},
        )


def _event_rows(rows: list[Any], on_pg: bool) -> list[EventRow]:
    if not rows:
        return []
    try:
        payloads = jsontext.loads("[" + ",".join(r[10] for r in rows) + "]")
    except (TypeError, ValueError):  # a payload that is not one JSON value: decode one by one
        payloads = [jsontext.loads(r[10]) for r in rows]
    out = []
    fromiso = datetime.fromisoformat
    for r, payload in zip(rows, payloads, strict=True):
        images = r[11]
        out.append(
            EventRow(
                r[0],
                r[1],
                r[2],
                r[3],
                # SQLite's text is UTC without a zone: read with one (≈ 0.15 µs, where
                # ``.replace(tzinfo=UTC)`` after reading costs ≈ 1.2–1.8 µs here).
                r[4].astimezone(UTC) if on_pg else fromiso(r[4] + "+00:00"),
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                payload,
                None if images is None else jsontext.loads(images),
            )
        )
    return out


def _record_failure(session: Session, event_id: int, exc: BaseException) -> None:
    """The event stays pending (also when ``claim`` marked it done as it read it), with the error
    and one attempt more."""
    session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(
            status="pending",
            processed_at=None,
            attempts=Event.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        ),
        execution_options={"synchronize_session": False},
    )


def _process_orm(
    session: Session,
    router: Router,
    ev: Event,
    devices: dict[str, Device],
    cfg: rules.MonitoringConfig,
    found: list[Finding] | None,
) -> tuple[int, int, int, int]:
    """One event on the per-event path, in its own savepoint: (done, findings, leads opened, failed)."""
    sp = session.begin_nested()
    try:
        findings, opened = process_event(session, router, ev, devices, cfg, found)
        sp.commit()
        return 1, findings, opened, 0
    except Exception as exc:  # a rule that fails must not stop the others
        sp.rollback()
        if _transient(exc):
            # A lock conflict with another worker is not the event's fault: leave it pending,
            # uncounted, for the next batch.
            log.info("event %s deferred: %s", ev.id, type(exc).__name__)
            return 0, 0, 0, 0
        ev.attempts += 1
        ev.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("event %s failed", ev.id)
        return 0, 0, 0, 1


def process_pending(
    engine: Engine, batch: int = 2000, cfg: rules.MonitoringConfig | None = None, final: bool = False
) -> dict[str, int]:
    """Process one batch of pending events; returns counts: events done, findings folded
    (each into a lead, new or open), leads opened, events failed. ``final``: the input has ended, so
    ship passages are decided whatever the watermark.

    Vehicle events (most of the stream) go the batch path: rules per event against a batch
    cache, then ``bulk.fold_batch`` folds every finding of the batch at once. AIS and ship
    passages, and any vehicle batch whose bulk fold fails, go the per-event path with a savepoint
    each.

    On SQLite the reading and the rules run in a read transaction, and the write lock is taken
    only for the writes (the API's inserts need not wait for the rules); the writes first take
    the batch's tickets off the queue on condition that they are still there, so a second
    worker cannot make it count twice. On PostgreSQL one transaction holds the claimed tickets
    (``FOR UPDATE SKIP LOCKED``) from the claim to the commit. Events left pending (deferred,
    or failed fewer than ``MAX_ATTEMPTS`` times) go back in the queue in the same commit."""
    from zhifa.monitoring import bulk, vessels
    from zhifa.monitoring.admin import current_config

    done = failed = findings = leads = 0
    with session_factory(engine)() as session:
        on_sqlite = session.get_bind().dialect.name == "sqlite"
        if on_sqlite:
            session.connection(execution_options={"sqlite_readonly": True})
        stored, cfg_version = current_config(session)
        cfg = cfg or stored
        CONFIG_VERSION[id(session)] = cfg_version
        watermark = vessels.ais_watermark(session)
        if final:
            cutoff: datetime | None = datetime.max.replace(tzinfo=UTC)
        elif watermark is not None:
            cutoff = watermark - timedelta(seconds=cfg.passage_window_s + cfg.passage_lateness_s)
        else:
            cutoff = None
        claimed = claim(session, batch, cutoff, take_vehicles=not on_sqlite)
        events = claimed.events
        taken = claimed.vehicles_taken  # vehicle events already marked done (PostgreSQL)
        if not claimed.tickets:
            session.rollback()
            return {"events": 0, "findings": 0, "leads": 0, "failed": 0}
        router = jurisdiction.get_router(session)
        devices = {d.code: d for d in session.scalars(select(Device))}
        HUB_DEVICES[id(session)] = hub_devices(session, devices, cfg)
        CACHE[id(session)] = BatchCache(session, events)
        quiet: list[int] = []
        with_leads: list[tuple[bulk.EventRow, list[Finding]]] = []
        failures: list[tuple[int, BaseException]] = []
        others: list[bulk.EventRow] = []
        for row in events:
            if row.type not in VEHICLE_TYPES:
                others.append(row)
                continue
            # Most vehicle events raise nothing: find out without a savepoint, and mark those
            # done together below (same transaction, so still exactly once).
            try:
                found = findings_for(session, row, devices[row.device_code], cfg)
            except Exception as exc:
                failures.append((row.id, exc))
                log.exception("event %s failed", row.id)
                continue
            if found:
                with_leads.append((row, found))
            else:
                quiet.append(row.id)
        HUB_DEVICES.pop(id(session), None)
        CACHE.pop(id(session), None)
        if on_sqlite:
            session.commit()  # end the read; the writes below take the write lock

        # ---- writes
        if not queue.take(session, claimed.tickets):
            session.rollback()  # another worker took this batch meanwhile (SQLite): theirs
            log.warning("batch taken by another worker meanwhile; skipped")
            return {"events": 0, "findings": 0, "leads": 0, "failed": 0}
        for event_id, err in failures:
            _record_failure(session, event_id, err)
        failed += len(failures)
        if taken:
            pass  # marked done as they were claimed: the quiet ones need nothing more
        elif bulk.mark_done(session, quiet, raised_lead=False) != len(quiet):
            session.rollback()  # another worker took some of this batch meanwhile: leave it to them
            log.warning("batch taken by another worker meanwhile; skipped")
            return {"events": 0, "findings": 0, "leads": 0, "failed": 0}
        done += len(quiet)
        # Claim every subject an event will touch before writing. Workers never wait for each
        # other's subjects (no deadlock): a subject another worker holds defers the event — and
        # every later event of that subject in this batch, to keep order.
        subjects = [
            {(f.kind, f.subject) for f in found}
            | {("repeat_overload", f.subject) for f in found if f.kind == "overload"}
            for _, found in with_leads
        ]
        busy = _lock_subjects(session, sorted(set().union(*subjects)))
        ready: list[tuple[bulk.EventRow, list[Finding]]] = []
        deferred: list[int] = []
        for (row, found), keys in zip(with_leads, subjects, strict=True):
            if keys & busy:
                busy |= keys
                deferred.append(row.id)
                continue
            ready.append((row, found))
        if taken:
            unmark(session, deferred)
        if ready:
            sp = session.begin_nested()
            try:
                ids = [r.id for r, _ in ready]
                marked = bulk.mark_raised(session, ids) if taken else bulk.mark_done(session, ids, raised_lead=True)
                if marked != len(ids):
                    raise SubjectBusy("batch taken by another worker meanwhile")
                raised, opened, _ = bulk.fold_batch(
                    session,
                    router,
                    ready,
                    devices,
                    cfg,
                    lambda kind: _versioned(session, rules.RULES[kind].version),
                )
                sp.commit()
                done, findings, leads = done + len(ids), findings + raised, leads + opened
            except Exception as exc:
                sp.rollback()
                if taken:
                    unmark(session, ids)  # deferred, or done one by one below: pending again
                if _transient(exc):
                    log.info("batch of %d events deferred: %s", len(ready), exc)
                else:
                    # Find the culprit: the same events one by one, each in its own savepoint.
                    log.warning("bulk fold failed (%s); per event instead", exc)
                    rows = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)))}
                    for row, found in ready:
                        if rows[row.id].status != "pending":
                            continue
                        d, f, n, x = _process_orm(session, router, rows[row.id], devices, cfg, found)
                        done, findings, leads, failed = done + d, findings + f, leads + n, failed + x
        if others:
            orm = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_([r.id for r in others])))}
            for row in others:
                if orm[row.id].status != "pending":
                    continue  # another worker did it meanwhile (SQLite: claimed without a lock)
                d, f, n, x = _process_orm(session, router, orm[row.id], devices, cfg, None)
                done, findings, leads, failed = done + d, findings + f, leads + n, failed + x
            if any(r.type == "ais" for r in others):
                mark = vessels.ais_watermark(session)
                if mark is not None:
                    gaps = vessels.gap_scan(session, router, mark, cfg)
                    findings, leads = findings + gaps, leads + gaps
        CONFIG_VERSION.pop(id(session), None)
        if claimed.retried:
            clear_errors(session, claimed.retried)
        if done < len(claimed.ids):
            settle(session, claimed)
        session.commit()
    return {"events": done, "findings": findings, "leads": leads, "failed": failed}


def prescreen(session: Session, events: Sequence[ParsedEvent]) -> set[int]:
    """The positions of ``events`` (parsed, about to be stored) that certainly raise nothing:
    vehicle events for which ``findings_for`` — the rules the worker runs, on the same registry,
    permits, watch list and settings, read now — finds nothing. ``sensing.service`` stores those
    done and never queues them (``register_prescreen``, installed below): most of the stream
    raises nothing, and each such event then costs no worker a read and an update of its row.

    Left to the workers, as before: AIS and ship passages, a capture by a camera at a passenger
    hub (its rule counts the vehicle's stored captures, this one among them once stored), any
    event of a device not found, and any event whose rules fail here (the worker records the
    failure)."""
    vehicles = [(n, ev) for n, ev in enumerate(events) if ev.type in VEHICLE_TYPES]
    if not vehicles:
        return set()
    from zhifa.monitoring.admin import current_config

    cfg, _version = current_config(session)
    codes = sorted({ev.device for _, ev in vehicles})
    devices = {
        d.code: d
        for d in session.execute(
            select(Device.code, Device.kind, Device.lon, Device.lat, Device.accuracy_pct).where(Device.code.in_(codes))
        )
    }
    hubs = hub_devices(session, devices, cfg) if any(ev.type == "plate_capture" for _, ev in vehicles) else set()
    quiet: set[int] = set()
    CACHE[id(session)] = BatchCache(session, [ev for _, ev in vehicles], permits=False)
    try:
        for n, ev in vehicles:
            device = devices.get(ev.device)
            if device is None or (ev.type == "plate_capture" and ev.device in hubs):
                continue
            if ev.type == "wim" and _over_limit(ev.payload):
                continue  # the tolerance, a permit, earlier overloads: the workers decide
            try:
                # A parsed event reads as a stored one (``ParsedEvent.device_code``, ``event_time``).
                found = findings_for(session, ev, device, cfg)  # type: ignore[arg-type]
            except Exception:  # the worker will meet it again, and record it
                continue
            if not found:
                quiet.add(n)
    finally:
        CACHE.pop(id(session), None)
    return quiet


def _over_limit(p: dict[str, Any]) -> bool:
    """A WIM payload over its vehicle's limit (before any tolerance); ``True`` when unreadable."""
    try:
        limit = rules.overload_limit_kg(int(p["axles"]), bool(p.get("combination")), bool(p.get("single_drive_axle")))
        return bool(Decimal(p["gross_kg"]) > limit)
    except Exception:
        return True


sensing_service.register_prescreen(prescreen)


def warm_up(engine: Engine) -> None:
    """Before a worker's first batch: import what processing imports on first use, build the
    routing map and read the rule settings, so that neither the first events' latency nor the
    first batch's CPU pays for them (≈ 0.2 s of imports and the map's build on this machine).
    Called before ``settle_heap``, so what it loads is frozen out of the collector's sight too.
    Nothing here is needed for correctness: a failure (no map imported yet, the database not up)
    is logged, and the first batch then does the same work."""
    try:
        from zhifa.monitoring import admin, vessels  # noqa: F401  (imported for their load)
        from zhifa.registry.models import Site  # noqa: F401
        from zhifa.sensing.models import AisFix  # noqa: F401

        with session_factory(engine)() as session:
            if session.get_bind().dialect.name == "sqlite":
                session.connection(execution_options={"sqlite_readonly": True})
            jurisdiction.get_router(session)
            admin.current_config(session)
            session.rollback()
    except Exception:
        log.warning("worker warm-up failed; the first batch will load what it needs", exc_info=True)


def drain(engine: Engine, cfg: rules.MonitoringConfig | None = None, final: bool = False) -> dict[str, int]:
    """Process until nothing processable is pending (the embedded ``zhifa ingest`` waits on it).
    ``final``: the input has ended, so event-time windows still open count as passed."""
    total = {"events": 0, "findings": 0, "leads": 0, "failed": 0}
    for last_pass in (False, True) if final else (False,):
        while True:
            r = process_pending(engine, cfg=cfg, final=last_pass)
            for k in total:
                total[k] += r[k]
            if r["events"] == 0 and r["failed"] == 0:
                break
    return total


@dataclass
class PeriodicJob:
    """Something the worker does every ``interval_s`` beside processing events (a failure is
    logged and tried again at the next interval)."""

    name: str
    interval_s: float
    run: Callable[[Engine], object]
    next_at: float = 0.0


#: A batch of fewer events than this is small: the worker lingers after it (``Worker.linger_s``).
SMALL_BATCH = 500
#: While lingering, the worker looks this often whether new tickets still arrive.
LINGER_STEP_S = 0.05


class Worker(threading.Thread):
    """Processes pending events as they come; between batches runs its periodic jobs (composed
    by ``zhifa.worker``: device heartbeats, dispatch SLA scans, daily archive and retention)."""

    def __init__(
        self,
        engine: Engine,
        idle_s: float = 0.1,
        jobs: Sequence[PeriodicJob] = (),
        linger_s: float | None = None,
    ) -> None:
        super().__init__(name="zhifa-worker", daemon=True)
        self.engine, self.idle_s, self.jobs = engine, idle_s, list(jobs)
        #: After a small batch (fewer than ``SMALL_BATCH`` events), wait this long before claiming
        #: again (``Settings.worker_linger_s``): under load the queue's tickets — one a post —
        #: then gather into one batch instead of one batch each.
        self.linger_s = get_settings().worker_linger_s if linger_s is None else linger_s
        self.stopping = threading.Event()

    def run(self) -> None:
        busy = False  # the last round processed events: claim again without the cheap look first
        while not self.stopping.is_set():
            for job in self.jobs:
                if time.monotonic() >= job.next_at:
                    job.next_at = time.monotonic() + job.interval_s
                    try:
                        job.run(self.engine)
                    except Exception:
                        log.exception("%s failed", job.name)
            try:
                r = process_pending(self.engine) if busy or self._anything_pending() else {"events": 0}
            except Exception:
                log.exception("worker batch failed")
                r = {"events": 0}
            handled = r["events"] + r.get("failed", 0)
            busy = handled > 0
            if not handled:
                self.stopping.wait(self.idle_s)
            elif handled < SMALL_BATCH and self.linger_s:
                self._linger()

    def _linger(self) -> None:
        """Wait up to ``linger_s`` while tickets keep arriving (a look every ``LINGER_STEP_S``);
        as soon as a look finds none new — the stream paused, or ended — claim at once. Under
        load the wait gathers the posts' tickets into one batch; when posts are few it ends at
        the first look, and adds at most that to a lead's delay."""
        deadline = time.monotonic() + self.linger_s
        last = self._newest_ticket()
        while (left := deadline - time.monotonic()) > 0:
            if self.stopping.wait(min(LINGER_STEP_S, left)):
                return
            newest = self._newest_ticket()
            if newest == last:
                return
            last = newest

    def _newest_ticket(self) -> int | None:
        """The queue's newest ticket (its primary key's last entry), in a read of its own."""
        with self.engine.connect().execution_options(sqlite_readonly=True) as c:
            newest = c.execute(select(func.max(EventTicket.id))).scalar()
            c.rollback()
        return newest

    def _anything_pending(self) -> bool:
        """A cheap read (no write lock on SQLite) before claiming, so an idle worker does not
        hold up the API every time it looks."""
        return self._newest_ticket() is not None

    def stop(self) -> None:
        self.stopping.set()


def heartbeat_job(engine: Engine) -> list[str]:
    """Flip silent devices offline (one transaction)."""
    from zhifa.sensing.service import mark_offline

    with session_factory(engine)() as s:
        flipped = mark_offline(s)
        if flipped:
            s.commit()
    return flipped


# --------------------------------------------------------------------------- reading


def lead_dict(lead: Lead, unit_names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "id": lead.id,
        "kind": lead.kind,
        "subject": lead.subject,
        "matter": lead.matter,
        "unit": lead.unit_code,
        "unit_name": (unit_names or {}).get(lead.unit_code or ""),
        "routing_mode": lead.routing_mode,
        "routing_reason": lead.routing_reason,
        "status": lead.status,
        "severity": lead.severity,
        "rule_version": lead.rule_version,
        "legal_basis": rules.RULES[lead.kind].legal_basis if lead.kind in rules.RULES else None,
        "first_event_time": lead.first_event_time.isoformat(),
        "last_event_time": lead.last_event_time.isoformat(),
        "count": lead.count,
        "lon": lead.lon,
        "lat": lead.lat,
        "details": lead.details,
        "images": lead.images,
        "usable_as_evidence": lead.usable_as_evidence,
        "permitted": lead.permitted,
        "created_at": lead.created_at.isoformat(),
    }


def list_leads(
    session: Session,
    *,
    kind: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 100,
    with_events: bool = False,
    newest_first: bool = False,
    scope: set[str] | None = None,
) -> dict[str, Any]:
    """``scope``: only leads routed to these units (``monitoring.access.lead_scope``; None: all)."""
    conds: list[Any] = []
    if scope is not None:
        conds.append(Lead.unit_code.in_(sorted(scope)))
    if kind:
        conds.append(Lead.kind == kind)
    if unit:
        conds.append(Lead.unit_code == unit)
    if status:
        conds.append(Lead.status == status)
    if since:
        conds.append(Lead.last_event_time >= since)
    if until:
        conds.append(Lead.first_event_time <= until)
    where = and_(*conds) if conds else None
    q = select(Lead) if where is None else select(Lead).where(where)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = Lead.id.desc() if newest_first else Lead.id
    leads = list(session.scalars(q.order_by(order).offset((page - 1) * per_page).limit(per_page)))
    from zhifa.org.models import Unit

    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name)).all()}
    items = [lead_dict(x, names) for x in leads]
    if with_events and leads:
        rows = session.execute(
            select(LeadEvent.lead_id, Event.device_code, Event.event_id)
            .join(Event, Event.id == LeadEvent.event_id)
            .where(LeadEvent.lead_id.in_([x.id for x in leads]))
            .order_by(LeadEvent.event_time, Event.id)  # events of one time: in arrival order, as the lead page
        ).all()
        by_lead: dict[int, list[dict[str, str]]] = {}
        for lid, dev, eid in rows:
            by_lead.setdefault(lid, []).append({"device": dev, "id": eid})
        for item in items:
            item["events"] = by_lead.get(item["id"], [])
    return {"total": total, "page": page, "per_page": per_page, "items": items}


def get_lead(session: Session, lead_id: int, actor: Actor | None = None) -> dict[str, Any]:
    """One lead with its events (device, plate/MMSI, images), rule and legal basis; with
    ``actor``, 404 outside what they see (``monitoring.access``)."""
    from zhifa.core.errors import NotFound
    from zhifa.monitoring import access
    from zhifa.org.models import Unit

    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}", f"线索 {lead_id} 不存在")
    if actor is not None:
        access.check(session, actor, lead_id, lead.unit_code)
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name)).all()}
    out = lead_dict(lead, names)
    rows = session.execute(
        select(Event, Device.name)
        .join(LeadEvent, LeadEvent.event_id == Event.id)
        .join(Device, Device.code == Event.device_code, isouter=True)
        .where(LeadEvent.lead_id == lead_id)
        .order_by(Event.event_time, Event.id)
    ).all()
    out["events"] = [
        {
            "device": e.device_code,
            "device_name": dname,
            "id": e.event_id,
            "type": e.type,
            "time": e.event_time.isoformat(),
            "plate": e.plate,
            "plate_color": e.plate_color,
            "mmsi": e.mmsi,
            "images": e.images or [],
        }
        for e, dname in rows
    ]
    info = rules.RULES.get(lead.kind)
    out["rule"] = {
        "kind": lead.kind,
        "title": info.title_zh if info else lead.kind,
        "version": lead.rule_version,
        "current_version": info.version if info else None,
        "legal_basis": info.legal_basis if info else None,
    }
    return out


def wait_for_idle(engine: Engine, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with session_factory(engine)() as s:
            n = s.scalar(select(func.count()).select_from(EventTicket))
        if not n:
            return
        time.sleep(0.05)
