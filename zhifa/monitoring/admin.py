"""Monitoring administration: the rules' thresholds (audited, versioned) and the watchlist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.errors import BadRequest, InvalidField, NotFound, Report
from zhifa.core.tabular import read_table, require_columns
from zhifa.monitoring import rules
from zhifa.monitoring.models import MonitoringSetting, WatchEntry
from zhifa.org.matters import is_valid_matter_code
from zhifa.validation import IdentifierError, parse_mmsi, parse_plate

#: Settings already checked, by their stored text (a worker reads them every batch, the API every
#: large post; checking them again each time cost ≈ 0.2 ms). Keyed by the values themselves,
#: not the version: two databases (tests) may hold different values under one version number.
_CHECKED: dict[str, rules.MonitoringConfig] = {}


def current_config(session: Session) -> tuple[rules.MonitoringConfig, int]:
    """The settings in force and their version (0: none stored, the defaults)."""
    row = session.execute(
        select(MonitoringSetting.version, MonitoringSetting.values).order_by(MonitoringSetting.version.desc()).limit(1)
    ).first()
    if row is None:
        return rules.MonitoringConfig(), 0
    version, values = row
    key = json.dumps(values, sort_keys=True)
    cfg = _CHECKED.get(key)
    if cfg is None:
        cfg = rules.MonitoringConfig.from_dict(values)  # raises for values no longer valid
        if len(_CHECKED) > 64:
            _CHECKED.clear()
        _CHECKED[key] = cfg
    return cfg, version


def update_config(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Change thresholds (admin); validated as a whole, audited with before and after."""
    require(actor, "admin")
    before, version = current_config(session)
    merged = before.as_dict() | changes
    try:
        cfg = rules.MonitoringConfig.from_dict(merged)
    except ValueError as exc:
        raise BadRequest(f"invalid monitoring settings: {exc}", f"监测规则参数无效：{exc}") from exc
    values = cfg.as_dict()
    session.add(MonitoringSetting(version=version + 1, values=values, updated_by=actor.username))
    audit.record(session, actor, "update", "monitoring_config", version + 1, before.as_dict(), values)
    session.flush()
    return {"version": version + 1, "values": values}


def watch_dict(w: WatchEntry) -> dict[str, Any]:
    return {
        "id": w.id,
        "plate": w.plate,
        "plate_color": w.plate_color,
        "mmsi": w.mmsi,
        "reason": w.reason,
        "matter": w.matter,
        "active": w.active,
        "added_by": w.added_by,
        "created_at": w.created_at.isoformat(),
    }


def _parse_watch(values: dict[str, str]) -> dict[str, Any]:
    plate_text = (values.get("plate") or "").strip()
    mmsi_text = (values.get("mmsi") or "").strip()
    if bool(plate_text) == bool(mmsi_text):
        raise InvalidField("plate", "give either a plate or an MMSI")
    out: dict[str, Any] = {"plate": None, "plate_color": None, "mmsi": None}
    try:
        if plate_text:
            p = parse_plate(plate_text, (values.get("plate_color") or "").strip() or None)
            out["plate"], out["plate_color"] = p.number, p.color.value if p.color else None
        else:
            out["mmsi"] = parse_mmsi(mmsi_text).value
    except IdentifierError as exc:
        raise InvalidField(exc.field, exc.reason, exc.reason_zh) from exc
    reason = (values.get("reason") or "").strip()
    if not reason:
        raise InvalidField("reason", "is required")
    matter = (values.get("matter") or "").strip() or ("water.vessel" if out["mmsi"] else "freight.operation")
    if not is_valid_matter_code(matter):
        raise InvalidField("matter", f"malformed matter code {matter!r}")
    return out | {"reason": reason[:500], "matter": matter}


def add_watch(session: Session, actor: Actor, values: dict[str, str]) -> WatchEntry:
    require(actor, "admin", "duty_officer")
    w = WatchEntry(**_parse_watch(values), active=True, added_by=actor.username)
    session.add(w)
    session.flush()
    audit.record(session, actor, "create", "watchlist", w.id, None, watch_dict(w))
    return w


def deactivate_watch(session: Session, actor: Actor, entry_id: int) -> WatchEntry:
    require(actor, "admin", "duty_officer")
    w = session.get(WatchEntry, entry_id)
    if w is None:
        raise NotFound(f"no watchlist entry {entry_id}", "监控名单条目不存在")
    before = watch_dict(w)
    w.active = False
    audit.record(session, actor, "deactivate", "watchlist", w.id, before, watch_dict(w))
    return w


def import_watchlist(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, int]:
    """CSV ``plate,plate_color,mmsi,reason,matter``; all-or-nothing; adds active entries."""
    require(actor, "admin")
    header, rows = read_table(path, data)
    require_columns(header, ["plate", "mmsi", "reason"])
    report = Report()
    parsed = []
    for row in rows:
        try:
            parsed.append(_parse_watch(row.values))
        except InvalidField as exc:
            report.add(f"row {row.number}", exc.reason, exc.field)
    report.raise_if_any("watchlist import")
    for p in parsed:
        w = WatchEntry(**p, active=True, added_by=actor.username)
        session.add(w)
        session.flush()
        audit.record(session, actor, "create", "watchlist", w.id, None, watch_dict(w))
    return {"added": len(parsed)}


def list_watch(session: Session, active_only: bool = True) -> list[dict[str, Any]]:
    q = select(WatchEntry).order_by(WatchEntry.id)
    if active_only:
        q = q.where(WatchEntry.active.is_(True))
    return [watch_dict(w) for w in session.scalars(q)]
