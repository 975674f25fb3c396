"""The waterborne half of the worker: AIS events (fixes, static data, mismatches, gaps) and
ship passages (one-to-one image ↔ AIS identity). Called by ``monitoring.service``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shapely import wkt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.clock import to_shanghai
from zhifa.jurisdiction.router import Router, RoutingError
from zhifa.monitoring import rules
from zhifa.monitoring.passage import crossings, decide_passage
from zhifa.registry.models import Vessel, VesselCertificate
from zhifa.sensing.ais import Fix, decode_lines, position_fix, position_from_non_ship, static_data
from zhifa.sensing.models import AisFix, AisVessel, Device, Event, VesselPassage


def ais_findings(session: Session, router: Router, ev: Event, cfg: rules.MonitoringConfig) -> tuple[list[Any], int]:
    """Decode an ``ais`` event, store its fixes and static data; return its findings and how many
    ``ais_gap`` leads its fixes raised already ended (a silence opened and closed within what the
    worker saw at once)."""
    from zhifa.monitoring.service import Finding

    # Raw receiver feeds may carry their own times (tag blocks, Gatehouse wrappers): keep them.
    raw = bool(ev.payload.get("raw"))
    messages, stats = decode_lines(ev.payload.get("nmea", []), received_at=None if raw else ev.event_time)
    ev.payload = ev.payload | {"decode": stats.as_dict()}
    out: list[Finding] = []
    gaps = 0  # ais_gap leads raised (already ended) by fixes that closed a silence
    for msg in messages:
        fix = position_fix(msg)
        if fix is not None:
            session.add(
                AisFix(
                    mmsi=fix.mmsi,
                    time=fix.time or ev.event_time,
                    lon=fix.lon,
                    lat=fix.lat,
                    sog_kn=fix.sog_kn,
                    cog=fix.cog,
                    nav_status=fix.nav_status,
                    msg_type=msg.msg_type,
                    event_id=ev.id,
                )
            )
            gaps += _seen(session, router, fix, ev, cfg)
            if position_from_non_ship(msg):
                out.append(
                    Finding(
                        "ais_mismatch",
                        fix.mmsi,
                        {"problem": "station_sends_position", "msg_type": msg.msg_type},
                        lon=fix.lon,
                        lat=fix.lat,
                    )
                )
        static = static_data(msg)
        if static is not None:
            row = session.get(AisVessel, static.mmsi) or AisVessel(mmsi=static.mmsi)
            row.name = static.name or row.name
            row.callsign = static.callsign or row.callsign
            row.ship_type = static.ship_type if static.ship_type is not None else row.ship_type
            row.imo = static.imo or row.imo
            session.add(row)
            vessel = session.scalar(select(Vessel).where(Vessel.mmsi == static.mmsi))
            if vessel is not None:
                problems: dict[str, Any] = {}
                if static.name and vessel.name and rules.name_mismatch(vessel.name, static.name):
                    problems["name"] = {"registry": vessel.name, "ais": static.name}
                if (
                    static.ship_type is not None
                    and vessel.ship_type
                    and rules.ship_type_mismatch(vessel.ship_type, static.ship_type)
                ):
                    problems["ship_type"] = {"registry": vessel.ship_type, "ais": static.ship_type}
                if problems:
                    lon, lat, source = vessel_position(session, static.mmsi, ev)
                    out.append(
                        Finding(
                            "ais_mismatch",
                            static.mmsi,
                            {"problem": "static_data", **problems, "located_by": source},
                            lon=lon,
                            lat=lat,
                        )
                    )
    return out, gaps


def vessel_position(session: Session, mmsi: str, ev: Event) -> tuple[float | None, float | None, str]:
    """Where a finding about a vessel lies: its latest position report (``vessel``), else — static
    data or a watchlist hit before any position — the event's own place, the receiving station
    (``receiver``: the vessel is within its range)."""
    where = session.get(AisVessel, mmsi)
    if where is not None and where.last_lon is not None and where.last_lat is not None:
        return where.last_lon, where.last_lat, "vessel"
    return ev.lon, ev.lat, "receiver"


def _seen(session: Session, router: Router, fix: Fix, ev: Event, cfg: rules.MonitoringConfig) -> bool:
    """Remember the vessel's latest fix (of event ``ev``) and whether it lies in our waters (for
    the gap scan); ``True`` when the fix closed a silence no scan saw open, raised here already
    ended. A gap lead that ends takes ``ev`` as its evidence of the reappearance."""
    from zhifa.monitoring.models import Lead

    row = session.get(AisVessel, fix.mmsi)
    if row is None:
        row = AisVessel(mmsi=fix.mmsi)
        session.add(row)
    t = fix.time or ev.event_time
    if row.last_seen is not None and row.last_seen > t:
        return False  # an older fix arriving late says nothing new about the present
    raised = False
    if (
        row.last_seen is not None
        and row.under_way
        and row.area_unit is not None
        and rules.gap_exceeded(row.last_seen, t, cfg)
        and session.scalar(
            select(Lead.id).where(
                Lead.kind == "ais_gap", Lead.subject == fix.mmsi, Lead.first_event_time == row.last_seen
            )
        )
        is None
    ):
        # The silence opened and closed between two fixes the worker sees together (a file, a
        # batch): the scan between batches never saw it open. Judged in event time like the
        # scan, it is raised already ended.
        _add_gap_lead(session, router, row, t, reappeared=ev)
        raised = True
    row.last_seen, row.last_lon, row.last_lat = t, fix.lon, fix.lat
    row.under_way = rules.gap_watched(fix.mmsi, fix.nav_status, fix.sog_kn, cfg)
    # In our waters: a waterway section or a port area (the rule's "inside a waterway section or
    # port area") — by geometry; routing ``water.ais`` would only ever name waterway sections.
    area = router.water_area(fix.lon, fix.lat)
    row.area_unit, row.area_name = (area.unit_code, area.name) if area is not None else (None, None)
    # 'ends when it reappears'
    for lead in session.scalars(
        select(Lead).where(Lead.kind == "ais_gap", Lead.subject == fix.mmsi, Lead.status.in_(("new", "confirmed")))
    ):
        lead.status = "ended"
        lead.details = lead.details | {"reappeared_at": t.isoformat()}
        _link(session, lead, ev)
    return raised


def _link(session: Session, lead: Any, ev: Event) -> None:
    """``ev`` becomes evidence of gap lead ``lead`` (once: the last fix before a silence and the
    first after it may come in one event)."""
    from zhifa.monitoring.models import LeadEvent

    if session.get(LeadEvent, (lead.id, ev.id)) is None:
        session.add(LeadEvent(lead_id=lead.id, event_id=ev.id, event_time=ev.event_time))
        lead.count += 1
        lead.last_event_time = max(lead.last_event_time, ev.event_time)


def gap_scan(session: Session, router: Router, watermark: datetime, cfg: rules.MonitoringConfig) -> int:
    """Raise ``ais_gap`` for vessels under way in our waters silent longer than the gap, judged
    in event time (the AIS stream's watermark), one open lead per vessel."""
    from zhifa.monitoring.models import Lead

    limit = watermark - timedelta(seconds=cfg.ais_gap_s)
    raised = 0
    silent = session.scalars(
        select(AisVessel).where(
            AisVessel.under_way.is_(True), AisVessel.area_unit.is_not(None), AisVessel.last_seen < limit
        )
    )
    for v in silent:
        assert v.last_seen is not None
        if not rules.gap_exceeded(v.last_seen, watermark, cfg):
            continue
        open_lead = session.scalar(
            select(Lead.id).where(
                Lead.kind == "ais_gap",
                Lead.subject == v.mmsi,
                Lead.status.in_(("new", "confirmed", "dispatched")),
                Lead.first_event_time >= v.last_seen,
            )
        )
        if open_lead is not None:
            continue
        _add_gap_lead(session, router, v, watermark)
        raised += 1
    return raised


def _add_gap_lead(
    session: Session, router: Router, v: AisVessel, now: datetime, reappeared: Event | None = None
) -> None:
    """An ``ais_gap`` lead for vessel ``v`` silent since its last fix, as of ``now`` (event time),
    with the event of that last fix as its evidence; ``reappeared``: the event in which the
    vessel has reappeared at ``now`` (the lead is raised ended, and holds it too)."""
    from zhifa.monitoring.models import Lead, LeadEvent
    from zhifa.monitoring.service import _versioned

    assert v.last_seen is not None
    ended = reappeared is not None
    reason = mode = None
    unit = v.area_unit
    try:
        a = router.route_points("water.ais", [v.last_lon or 0.0], [v.last_lat or 0.0])[0]
        unit, reason, mode = a.unit, a.reason, a.mode
    except RoutingError as exc:
        reason = str(exc)
    info = rules.RULES["ais_gap"]
    details: dict[str, Any] = {
        "last_seen": v.last_seen.isoformat(),
        "silent_since_s": int((now - v.last_seen).total_seconds()),
        "area": v.area_name,
    }
    if ended:
        details["reappeared_at"] = now.isoformat()
    lead = Lead(
        kind="ais_gap",
        subject=v.mmsi,
        matter=info.matter,
        unit_code=unit,
        routing_mode=mode,
        routing_reason=reason,
        status="ended" if ended else "new",
        severity=info.severity,
        rule_version=_versioned(session, info.version),
        first_event_time=v.last_seen,
        last_event_time=v.last_seen,
        count=0,
        lon=v.last_lon,
        lat=v.last_lat,
        details=details,
        images=[],
    )
    session.add(lead)
    session.flush()
    last = session.execute(
        select(Event.id, Event.event_time)
        .join(AisFix, AisFix.event_id == Event.id)
        .where(AisFix.mmsi == v.mmsi, AisFix.time == v.last_seen)
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if last is not None:
        session.add(LeadEvent(lead_id=lead.id, event_id=last.id, event_time=last.event_time))
        lead.count = 1
    if reappeared is not None:
        _link(session, lead, reappeared)
    lead.count = max(lead.count, 1)  # (a fix whose event is gone: archived) the gap itself


def ais_watermark(session: Session) -> datetime | None:
    return session.scalar(select(func.max(AisFix.time)))


def decide(session: Session, ev: Event, device: Device, cfg: rules.MonitoringConfig) -> list[Any]:
    """Link a ship passage to exactly one AIS vessel, or raise ``ais_dark``/``ais_ambiguous``."""
    from zhifa.monitoring.service import Finding

    if not device.crossing_line:
        raise ValueError(f"checkpoint {device.code} has no crossing line")
    line = wkt.loads(device.crossing_line)
    span = timedelta(seconds=cfg.passage_window_s + 600)
    rows = session.scalars(
        select(AisFix).where(AisFix.time >= ev.event_time - span, AisFix.time <= ev.event_time + span)
    )
    fixes = [
        Fix(mmsi=r.mmsi, time=r.time, lon=r.lon, lat=r.lat, sog_kn=r.sog_kn, cog=r.cog, nav_status=r.nav_status)
        for r in rows
    ]
    decision = decide_passage(ev.event_time, crossings(fixes, line), window_s=cfg.passage_window_s)
    candidates = [
        {"mmsi": c.mmsi, "time": c.time.isoformat(), "dt_s": round((c.time - ev.event_time).total_seconds(), 1)}
        for c in decision.candidates
    ]
    mmsi = decision.candidates[0].mmsi if decision.outcome == "linked" else None
    name = None
    if mmsi:
        vessel = session.scalar(select(Vessel).where(Vessel.mmsi == mmsi))
        ais = session.get(AisVessel, mmsi)
        name = (vessel.name if vessel else None) or (ais.name if ais else None)
    session.add(
        VesselPassage(
            event_id=ev.id,
            device_code=ev.device_code,
            time=ev.event_time,
            direction=ev.payload.get("direction", ""),
            outcome=decision.outcome,
            mmsi=mmsi,
            name=name,
            candidates=candidates,
            images=ev.images,
        )
    )
    ev.mmsi = mmsi
    subject = f"passage:{ev.device_code}:{ev.event_id}"
    lon, lat = ev.lon, ev.lat
    if decision.outcome == "dark":
        return [
            Finding(
                "ais_dark",
                subject,
                {"direction": ev.payload.get("direction"), "name_ocr": ev.payload.get("name_ocr")},
                lon=lon,
                lat=lat,
            )
        ]
    if decision.outcome == "ambiguous":
        return [Finding("ais_ambiguous", subject, {"candidates": candidates}, lon=lon, lat=lat)]
    out = []
    assert mmsi is not None
    vessel = session.scalar(select(Vessel).where(Vessel.mmsi == mmsi))
    if vessel is not None:
        day = to_shanghai(ev.event_time).date()
        certs = session.scalars(select(VesselCertificate).where(VesselCertificate.vessel_id == vessel.id))
        expired = [
            {"kind": c.kind, "number": c.number, "expiry": c.expiry.isoformat() if c.expiry else None}
            for c in certs
            if c.expiry is not None and rules.certificate_problem("valid", c.expiry, day)
        ]
        if expired:
            out.append(
                Finding(
                    "certificate_expired",
                    mmsi,
                    {"problem": "expired", "certificates": expired, "vessel": vessel.name},
                    matter="water.vessel",
                    lon=lon,
                    lat=lat,
                )
            )
    return out
