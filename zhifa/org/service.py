"""Organisation services: every change to units, officers, duties and Party branches, audited.

Imports are all-or-nothing: the whole file is validated first, errors are collected per row, and
only a clean file is written. Services never commit; the caller's unit of work does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import ROLES, require
from zhifa.core.errors import BadRequest, NotFound, Report
from zhifa.core.tabular import Row, parse_bool, read_table, require_columns, split_list
from zhifa.org.matters import BASE_MATTERS, is_valid_matter_code
from zhifa.org.models import (
    DEPARTMENT_CATEGORIES,
    LINES,
    UNIT_KINDS,
    Duty,
    Officer,
    PartyBranch,
    Unit,
)

CODE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def unit_snapshot(u: Unit) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "parent": u.parent_code,
        "line": u.line,
        "category": u.category,
    }


def _invalidate_router() -> None:
    """Units and duties feed the router; tell this process's router cache (see jurisdiction)."""
    for hook in ROUTING_CHANGED:
        hook()


#: Callbacks run after units or duties change (the jurisdiction domain registers its cache here,
#: so that org, which sits below jurisdiction, need not import it).
ROUTING_CHANGED: list[Any] = []


def _valid_code(code: str) -> bool:
    return bool(code) and len(code) <= 32 and set(code) <= CODE_CHARS


# --------------------------------------------------------------------------- units


def import_units(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, int]:
    require(actor, "admin")
    header, rows = read_table(path, data)
    require_columns(header, ["code", "name", "kind", "parent", "line"])
    report = Report()
    incoming: dict[str, dict[str, Any]] = {}
    for row in rows:
        parsed = _parse_unit_row(row, report)
        if parsed is None:
            continue
        if parsed["code"] in incoming:
            report.add(f"row {row.number}", f"duplicate code {parsed['code']} in file", "code")
            continue
        incoming[parsed["code"]] = parsed | {"row": row.number}
    if not rows:
        report.add("file", "no data rows")

    existing = {u.code: u for u in session.scalars(select(Unit))}
    merged: dict[str, dict[str, Any]] = {c: unit_snapshot(u) for c, u in existing.items()}
    merged.update({c: {k: v for k, v in p.items() if k != "row"} for c, p in incoming.items()})
    for code, p in incoming.items():
        parent = p["parent"]
        if parent and parent not in merged:
            report.add(f"row {p['row']}", f"unknown parent unit {parent}", "parent")
        elif parent == code:
            report.add(f"row {p['row']}", "a unit cannot be its own parent", "parent")
    _check_cycles(merged, incoming, report)
    centers = sorted(c for c, p in merged.items() if p["kind"] == "command_center")
    if len(centers) != 1:
        report.add(
            "file",
            f"there must be exactly one unit of kind command_center (the routing fallback); found "
            f"{len(centers)}{': ' + ', '.join(centers) if centers else ''}",
            "kind",
        )
    report.raise_if_any("units import")

    created = updated = 0
    for code, p in incoming.items():
        values = {k: v for k, v in p.items() if k != "row"}
        unit = existing.get(code)
        if unit is None:
            unit = Unit(
                code=code,
                name=values["name"],
                kind=values["kind"],
                parent_code=values["parent"],
                line=values["line"],
                category=values["category"],
            )
            session.add(unit)
            audit.record(session, actor, "create", "unit", code, None, values)
            created += 1
        else:
            before = unit_snapshot(unit)
            if before == values:
                continue
            unit.name, unit.kind, unit.parent_code = values["name"], values["kind"], values["parent"]
            unit.line, unit.category = values["line"], values["category"]
            audit.record(session, actor, "update", "unit", code, before, values)
            updated += 1
    session.flush()
    _invalidate_router()
    return {"created": created, "updated": updated, "unchanged": len(incoming) - created - updated}


def _parse_unit_row(row: Row, report: Report) -> dict[str, Any] | None:
    where = f"row {row.number}"
    code, name, kind = row.get("code"), row.get("name"), row.get("kind").lower()
    parent, line = row.get("parent") or None, row.get("line").lower() or None
    category = row.get("category").lower() or None
    ok = True
    if not _valid_code(code):
        report.add(where, "code must be 1–32 letters, digits, '-', '_' or '.'", "code")
        ok = False
    if not name:
        report.add(where, "name is empty", "name")
        ok = False
    if kind not in UNIT_KINDS:
        report.add(where, f"unknown kind {kind!r}; one of {', '.join(UNIT_KINDS)}", "kind")
        ok = False
    if kind == "strip_brigade":
        if line not in LINES:
            report.add(where, "a strip_brigade needs line road, port or water", "line")
            ok = False
    elif line:
        report.add(where, "line is only for strip_brigade units", "line")
        ok = False
    if kind == "department":
        category = category or "business"
        if category not in DEPARTMENT_CATEGORIES:
            report.add(where, "category must be business or administrative", "category")
            ok = False
    elif category:
        report.add(where, "category is only for department units", "category")
        ok = False
    if not ok:
        return None
    return {"code": code, "name": name, "kind": kind, "parent": parent, "line": line, "category": category}


def _check_cycles(merged: dict[str, dict[str, Any]], incoming: dict[str, dict[str, Any]], report: Report) -> None:
    for code, p in incoming.items():
        seen = {code}
        cur = p["parent"]
        while cur and cur in merged:
            if cur in seen:
                report.add(f"row {p['row']}", f"parent chain of {code} forms a cycle", "parent")
                break
            seen.add(cur)
            cur = merged[cur]["parent"]


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.code)))


def get_unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"unit {code} not found", f"单位 {code} 不存在")
    return unit


def unit_tree(session: Session) -> list[dict[str, Any]]:
    units = list_units(session)
    children: dict[str | None, list[Unit]] = {}
    codes = {u.code for u in units}
    for u in units:
        parent = u.parent_code if u.parent_code in codes else None
        children.setdefault(parent, []).append(u)

    def node(u: Unit) -> dict[str, Any]:
        return unit_snapshot(u) | {"children": [node(c) for c in children.get(u.code, [])]}

    return [node(u) for u in children.get(None, [])]


def descendants(session: Session, code: str) -> set[str]:
    """The unit and every unit below it (for unit-scoped access)."""
    units = list_units(session)
    out, frontier = {code}, [code]
    while frontier:
        cur = frontier.pop()
        for u in units:
            if u.parent_code == cur and u.code not in out:
                out.add(u.code)
                frontier.append(u.code)
    return out


#: Operational units (执法业务机构): brigades, squadrons, the command center and business
#: departments. The reform requires at least 80 % of the detachment's units to be operational.
OPERATIONAL_REQUIRED_PCT = 80


def operational_share(session: Session) -> dict[str, Any]:
    units = [u for u in list_units(session) if u.kind not in ("external_authority", "detachment")]
    operational = [
        u
        for u in units
        if u.kind in ("strip_brigade", "block_brigade", "squadron", "command_center")
        or (u.kind == "department" and (u.category or "business") == "business")
    ]
    total = len(units)
    pct = round(100.0 * len(operational) / total, 1) if total else 0.0
    return {
        "total_units": total,
        "operational_units": len(operational),
        "administrative_units": total - len(operational),
        "operational_pct": pct,
        "required_pct": OPERATIONAL_REQUIRED_PCT,
        "meets_requirement": pct >= OPERATIONAL_REQUIRED_PCT,
    }


# --------------------------------------------------------------------------- officers


def officer_snapshot(o: Officer) -> dict[str, Any]:
    return {
        "code": o.code,
        "name": o.name,
        "unit": o.unit_code,
        "cert_no": o.cert_no,
        "cert_expiry": o.cert_expiry.isoformat() if o.cert_expiry else None,
        "roles": sorted(o.roles),
        "on_duty": o.on_duty,
        "phone": o.phone,
        "id_number": o.id_number,
    }


def import_officers(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, int]:
    from zhifa.validation import IdentifierError, parse_person_id

    require(actor, "admin")
    header, rows = read_table(path, data)
    require_columns(header, ["code", "name", "unit", "cert_no", "cert_expiry", "roles", "on_duty"])
    units = {u.code for u in session.scalars(select(Unit))}
    report = Report()
    parsed: dict[str, dict[str, Any]] = {}
    for row in rows:
        where = f"row {row.number}"
        code = row.get("code")
        errors_before = len(report.errors)
        if not _valid_code(code):
            report.add(where, "code must be 1–32 letters, digits, '-', '_' or '.'", "code")
        if code in parsed:
            report.add(where, f"duplicate code {code} in file", "code")
        if not row.get("name"):
            report.add(where, "name is empty", "name")
        if row.get("unit") not in units:
            report.add(where, f"unknown unit {row.get('unit')!r}", "unit")
        roles = split_list(row.get("roles"))
        bad_roles = [r for r in roles if r not in ROLES]
        if bad_roles:
            report.add(where, f"unknown role(s) {', '.join(bad_roles)}", "roles")
        expiry: date | None = None
        if row.get("cert_expiry"):
            try:
                expiry = date.fromisoformat(row.get("cert_expiry"))
            except ValueError:
                report.add(where, "cert_expiry must be YYYY-MM-DD", "cert_expiry")
        try:
            on_duty = parse_bool(row.get("on_duty"))
        except ValueError:
            report.add(where, "on_duty must be true or false", "on_duty")
            on_duty = False
        id_number = row.get("id_number") or None
        if id_number:
            try:
                id_number = parse_person_id("resident_id", id_number)
            except IdentifierError as exc:
                report.add(where, exc.reason, "id_number")
        if len(report.errors) > errors_before:
            continue
        parsed[code] = {
            "code": code,
            "name": row.get("name"),
            "unit": row.get("unit"),
            "cert_no": row.get("cert_no") or None,
            "cert_expiry": expiry.isoformat() if expiry else None,
            "roles": sorted(set(roles)),
            "on_duty": on_duty,
            "phone": row.get("phone") or None,
            "id_number": id_number,
        }
    report.raise_if_any("officers import")
    existing = {o.code: o for o in session.scalars(select(Officer))}
    created = updated = 0
    for code, p in parsed.items():
        officer = existing.get(code)
        before = officer_snapshot(officer) if officer else None
        if before == p:
            continue
        if officer is None:
            officer = Officer(code=code)
            session.add(officer)
            created += 1
        else:
            updated += 1
        officer.name, officer.unit_code, officer.cert_no = p["name"], p["unit"], p["cert_no"]
        officer.cert_expiry = date.fromisoformat(p["cert_expiry"]) if p["cert_expiry"] else None
        officer.roles, officer.on_duty = p["roles"], p["on_duty"]
        officer.phone, officer.id_number = p["phone"], p["id_number"]
        audit.record(session, actor, "create" if before is None else "update", "officer", code, before, p)
    session.flush()
    return {"created": created, "updated": updated, "unchanged": len(parsed) - created - updated}


#: Roles whose work spans the whole detachment (the command center, legal review, analysis).
DETACHMENT_WIDE_ROLES = ("duty_officer", "analyst", "legal_reviewer")


def visible_units(session: Session, actor: Actor) -> set[str] | None:
    """The unit codes an actor may see records of; ``None`` = all (unit-scoped access)."""
    if actor.has(*DETACHMENT_WIDE_ROLES) or actor.kind == "system":
        return None
    if not actor.unit_code:
        return set()
    return descendants(session, actor.unit_code)


def list_officers(
    session: Session, actor: Actor, unit: str | None = None, page: int = 1, per_page: int = 50
) -> dict[str, Any]:
    from zhifa.core.auth import can_see_pii
    from zhifa.validation.masking import mask_id_number, mask_phone

    q = select(Officer)
    scope = visible_units(session, actor)
    if unit:
        wanted = descendants(session, unit)
        scope = wanted if scope is None else scope & wanted
    if scope is not None:
        q = q.where(Officer.unit_code.in_(sorted(scope)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    pii = can_see_pii(actor)
    items = []
    for o in session.scalars(q.order_by(Officer.code).offset((page - 1) * per_page).limit(per_page)):
        snap = officer_snapshot(o)
        if not pii:
            snap["phone"] = mask_phone(o.phone) if o.phone else None
            snap["id_number"] = mask_id_number(o.id_number) if o.id_number else None
        items.append(snap)
    if pii and items:
        # 个人信息保护法: reads of personal data are traced like writes.
        audit.record(
            session, actor, "read", "officer", f"page {page}", None, {"codes": [i["code"] for i in items], "unit": unit}
        )
    return {"total": total, "page": page, "per_page": per_page, "items": items}


# --------------------------------------------------------------------------- duty catalogue

DUTY_MODES = ("strip", "block", "department", "referral")


def duty_snapshot(d: Duty) -> dict[str, Any]:
    return {
        "code": d.code,
        "title": d.title,
        "matters": list(d.matters),
        "mode": d.mode,
        "unit": d.unit_code,
        "unit_kind": d.unit_kind,
        "line": d.line,
        "legal_basis": d.legal_basis,
    }


def import_duties(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, int]:
    """Replace the duty catalogue with the file's (all-or-nothing)."""
    require(actor, "admin")
    header, rows = read_table(path, data)
    require_columns(header, ["code", "title", "matters", "mode", "unit", "unit_kind", "line", "legal_basis"])
    units = {u.code: u for u in session.scalars(select(Unit))}
    report = Report()
    parsed: list[dict[str, Any]] = []
    seen_codes: set[str] = set()
    matter_owner: dict[str, str] = {}
    for row in rows:
        where = f"row {row.number}"
        n0 = len(report.errors)
        code, mode = row.get("code"), row.get("mode").lower()
        unit_code, line = row.get("unit") or None, row.get("line").lower() or None
        unit_kind = row.get("unit_kind").lower() or None
        matters = split_list(row.get("matters"))
        if not _valid_code(code):
            report.add(where, "code must be 1–32 letters, digits, '-', '_' or '.'", "code")
        elif code in seen_codes:
            report.add(where, f"duplicate duty code {code}", "code")
        seen_codes.add(code)
        if not row.get("title"):
            report.add(where, "title is empty", "title")
        if mode not in DUTY_MODES:
            report.add(where, f"unknown mode {mode!r}; one of {', '.join(DUTY_MODES)}", "mode")
        for m in matters:
            if not is_valid_matter_code(m):
                report.add(where, f"malformed matter code {m!r} (e.g. road.overload)", "matters")
            elif m in matter_owner:
                report.add(where, f"matter {m} is already covered by duty {matter_owner[m]}", "matters")
            else:
                matter_owner[m] = code
        if unit_code is not None and unit_code not in units:
            report.add(where, f"unknown unit {unit_code!r}", "unit")
        if mode in ("department", "referral") and unit_code is None:
            report.add(where, f"mode {mode} needs an owning unit", "unit")
        if mode == "referral" and unit_code in units and units[unit_code].kind != "external_authority":
            report.add(where, f"a referral goes to an external_authority unit, not {units[unit_code].kind}", "unit")
        if unit_kind is not None and unit_kind not in UNIT_KINDS:
            report.add(where, f"unknown unit_kind {unit_kind!r}", "unit_kind")
        if mode == "strip":
            implied = {BASE_MATTERS[m].line for m in matters if m in BASE_MATTERS and BASE_MATTERS[m].line}
            if line is None and len(implied) == 1:
                line = implied.pop()
            if line is None:
                line = _line_from_prefix(matters)
            if line not in LINES:
                report.add(where, "a strip duty needs line road, port or water", "line")
        elif line:
            report.add(where, "line is only for strip duties", "line")
        if len(report.errors) > n0:
            continue
        parsed.append(
            {
                "code": code,
                "title": row.get("title"),
                "matters": matters,
                "mode": mode,
                "unit": unit_code,
                "unit_kind": unit_kind,
                "line": line,
                "legal_basis": row.get("legal_basis") or None,
            }
        )
    report.raise_if_any("duties import")
    before = {d.code: duty_snapshot(d) for d in session.scalars(select(Duty))}
    session.execute(delete(Duty))
    for p in parsed:
        session.add(
            Duty(
                code=p["code"],
                title=p["title"],
                matters=p["matters"],
                mode=p["mode"],
                unit_code=p["unit"],
                unit_kind=p["unit_kind"],
                line=p["line"],
                legal_basis=p["legal_basis"],
            )
        )
    audit.record(
        session,
        actor,
        "replace",
        "duty_catalogue",
        "current",
        {"count": len(before), "codes": sorted(before)},
        {"count": len(parsed), "codes": sorted(p["code"] for p in parsed)},
    )
    session.flush()
    _invalidate_router()
    return {"duties": len(parsed), "replaced": len(before)}


def _line_from_prefix(matters: list[str]) -> str | None:
    lines = {m.split(".", 1)[0] for m in matters} & {"road", "port", "water"}
    return lines.pop() if len(lines) == 1 else None


def list_duties(session: Session) -> list[Duty]:
    return list(session.scalars(select(Duty).order_by(Duty.code)))


# --------------------------------------------------------------------------- Party branches


def import_party_branches(session: Session, actor: Actor, path: Path) -> dict[str, int]:
    require(actor, "admin")
    header, rows = read_table(path)
    require_columns(header, ["code", "name", "squadron"])
    units = {u.code: u for u in session.scalars(select(Unit))}
    report = Report()
    for row in rows:
        unit = units.get(row.get("squadron"))
        if unit is None or unit.kind != "squadron":
            report.add(f"row {row.number}", f"{row.get('squadron')!r} is not a squadron", "squadron")
    report.raise_if_any("party branches import")
    existing = {b.code: b for b in session.scalars(select(PartyBranch))}
    for row in rows:
        b = existing.get(row.get("code")) or PartyBranch(code=row.get("code"))
        b.name, b.squadron_code = row.get("name"), row.get("squadron")
        session.add(b)
        audit.record(session, actor, "upsert", "party_branch", b.code, None, dict(row.values))
    session.flush()
    return {"branches": len(rows)}


def require_unit_exists(session: Session, code: str) -> None:
    if session.scalar(select(Unit.id).where(Unit.code == code)) is None:
        raise BadRequest(f"unknown unit {code}", f"未知单位 {code}")
