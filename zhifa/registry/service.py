"""Registry services: importing, listing, exporting and locating regulated entities.

Imports are all-or-nothing (docs/import-formats.md, ``entities``): the whole file is validated
into a per-row report first and only a clean file is written, upserting by each kind's natural
key. New rows go in with one bulk INSERT and changed rows with one bulk UPDATE by primary key, so
that a 50,000-vehicle file imports in seconds. Every write is audited in the same transaction:
one row per entity for small files, one summary row (counts and keys) per import for files of
:data:`AUDIT_PER_ENTITY_BELOW` rows or more. Services never commit; the caller does.

Personal data (persons' names, document numbers and phones; enterprises' legal representatives
and phones; vehicle and vessel owners who are natural persons) is masked unless the actor may see
it (``can_see_pii``); an unmasked read of persons is audited (个人信息保护法 第六条、第五十一条).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from math import isfinite
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import ROLES, can_see_pii, require
from zhifa.core.clock import today_shanghai, utcnow
from zhifa.core.errors import BadRequest, InvalidField, Report
from zhifa.core.tabular import Row, read_table, require_columns, split_list
from zhifa.registry.models import (
    BUSINESS_TYPES,
    CERT_STATUSES,
    SITE_TYPE_ZH,
    SITE_TYPES,
    Enterprise,
    OversizePermit,
    Person,
    Site,
    Vehicle,
    Vessel,
    VesselCertificate,
)
from zhifa.validation import (
    IdentifierError,
    IdType,
    Plate,
    PlateColor,
    parse_id_type,
    parse_mmsi,
    parse_person_id,
    parse_plate,
    parse_uscc,
)
from zhifa.validation.masking import mask_id_number, mask_name, mask_phone

#: Files with fewer data rows than this get one audit row per created/updated entity; larger
#: files get one summary row per import (counts and the keys), which keeps big imports fast.
AUDIT_PER_ENTITY_BELOW = 200
#: Upper bound of ``per_page`` in :func:`list_entities`.
MAX_PER_PAGE = 500
#: Keys per ``IN (...)`` query when looking up existing rows (well under SQLite's variable limit).
_CHUNK = 500

KINDS = ("enterprise", "vehicle", "vessel", "person", "site", "permit")
KIND_ZH = {
    "enterprise": "企业",
    "vehicle": "车辆",
    "vessel": "船舶",
    "person": "人员",
    "site": "场站",
    "permit": "超限运输许可",
}
_KIND_ALIASES = {k: k for k in KINDS} | {
    "enterprises": "enterprise",
    "vehicles": "vehicle",
    "vessels": "vessel",
    "persons": "person",
    "people": "person",
    "sites": "site",
    "permits": "permit",
    "oversize_permit": "permit",
    "oversize_permits": "permit",
}
PLATE_COLOR_ZH = {
    "blue": "蓝牌",
    "yellow": "黄牌",
    "green": "绿牌",
    "yellow_green": "黄绿牌",
    "black": "黑牌",
    "white": "白牌",
}
#: Vessel MMSIs must be ship stations (or craft associated with a parent ship, 98MIDxxxx); coast
#: stations, aids to navigation, SARTs and the like are not vessels.
VESSEL_MMSI_KINDS = frozenset({"ship", "auxiliary"})

_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,30}$")
_INT_RE = re.compile(r"^\d+$")
_NO_DATA = ("id", "created_at", "updated_at")


def normalise_kind(kind: str) -> str:
    """``vehicles``/``Vehicle``/``vehicle`` → ``vehicle``; BadRequest for anything else."""
    key = kind.strip().lower().replace("-", "_")
    if key in _KIND_ALIASES:
        return _KIND_ALIASES[key]
    raise BadRequest(
        f"unknown entity kind {kind!r}; one of {', '.join(KINDS)} (singular or plural)",
        f"未知的对象类型“{kind}”，应为 {'、'.join(KINDS)} 之一",
    )


def kind_from_filename(path: Path) -> str:
    """The kind named by a file: ``vehicles.csv``, ``Vehicles.xlsx``, ``vehicles-2026-11.csv``."""
    stem = path.stem.strip().lower()
    candidates = [stem, *re.split(r"[\s_.\-]+", stem)[:1]]
    for candidate in candidates:
        if candidate in _KIND_ALIASES:
            return _KIND_ALIASES[candidate]
    raise BadRequest(
        f"cannot tell the entity kind from the file name {path.name!r}; name it e.g. vehicles.csv "
        f"or give the kind ({', '.join(KINDS)})",
        f"无法从文件名“{path.name}”判断对象类型，请命名为如 vehicles.csv 或指定类型",
    )


# --------------------------------------------------------------------------- row parsing


class _Cells:
    """One row's cells with typed getters that report problems as ``row N: field: reason``."""

    def __init__(self, row: Row, header: frozenset[str], report: Report) -> None:
        self.row = row
        self.header = header
        self.report = report
        self.where = f"row {row.number}"
        self._errors_before = len(report.errors)

    @property
    def ok(self) -> bool:
        return len(self.report.errors) == self._errors_before

    def has(self, col: str) -> bool:
        return col in self.header

    def raw(self, col: str) -> str:
        return self.row.get(col).strip()

    def error(self, col: str, reason: str) -> None:
        self.report.add(self.where, reason, col)

    def text(self, col: str, max_len: int, required: bool = False) -> str | None:
        value = self.raw(col)
        if not value:
            if required:
                self.error(col, f"{col} is empty")
            return None
        if len(value) > max_len:
            self.error(col, f"longer than {max_len} characters")
            return None
        return value

    def choice(self, col: str, choices: Sequence[str], required: bool = False) -> str | None:
        value = self.raw(col).lower()
        if not value:
            if required:
                self.error(col, f"{col} is empty; one of {', '.join(choices)}")
            return None
        if value not in choices:
            self.error(col, f"unknown value {value!r}; one of {', '.join(choices)}")
            return None
        return value

    def date(self, col: str, required: bool = False) -> date | None:
        value = self.raw(col)
        if not value:
            if required:
                self.error(col, f"{col} is empty (YYYY-MM-DD)")
            return None
        if _DATE_RE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(col, f"{value!r} is not a date YYYY-MM-DD")
        return None

    def integer(self, col: str, low: int, high: int) -> int | None:
        value = self.raw(col)
        if not value:
            return None
        if not _INT_RE.match(value) or not low <= int(value) <= high:
            self.error(col, f"{value!r} is not a whole number from {low} to {high}")
            return None
        return int(value)

    def phone(self, col: str) -> str | None:
        value = self.raw(col)
        if not value:
            return None
        if not _PHONE_RE.match(value):
            self.error(col, f"{value!r} is not a phone number (digits, spaces, '-', '+', brackets)")
            return None
        return value

    def coords(self) -> tuple[float | None, float | None]:
        """WGS-84 ``lon``/``lat``: both or neither, numbers within −180..180 / −90..90."""
        lon = self._number("lon", -180.0, 180.0)
        lat = self._number("lat", -90.0, 90.0)
        given_lon, given_lat = bool(self.raw("lon")), bool(self.raw("lat"))
        if given_lon != given_lat:
            missing = "lat" if given_lon else "lon"
            self.error(missing, "give both lon and lat, or neither")
            return None, None
        return lon, lat

    def _number(self, col: str, low: float, high: float) -> float | None:
        value = self.raw(col)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.error(col, f"{value!r} is not a number")
            return None
        if not isfinite(number) or not low <= number <= high:
            self.error(col, f"{value} is out of range {low:g}..{high:g}")
            return None
        return number

    def identifier(self, col: str, parse: Callable[[str], str]) -> str | None:
        value = self.raw(col)
        if not value:
            self.error(col, f"{col} is empty")
            return None
        try:
            return parse(value)
        except IdentifierError as exc:
            self.error(col, exc.reason)
            return None

    def owner(self, col: str = "owner") -> str | None:
        value = self.raw(col)
        if not value:
            return None
        owner = normalise_owner(value)
        if len(owner) > 32:
            self.error(col, "longer than 32 characters (give a USCC or a document number)")
            return None
        return owner

    def plate(self) -> Plate | None:
        """``plate`` and ``plate_color``, both required: the colour is part of the identity."""
        text, color = self.raw("plate"), self.raw("plate_color")
        if not text:
            self.error("plate", "plate is empty")
        if not color:
            self.error(
                "plate_color",
                "plate colour is required: the same number in two colours is two vehicles "
                f"({', '.join(c.value for c in PlateColor)})",
            )
        if not text:
            return None
        try:
            plate = parse_plate(text, color or None)
        except IdentifierError as exc:
            self.error(exc.field, exc.reason)
            return None
        return plate if plate.color is not None else None


@lru_cache(maxsize=65536)  # owners repeat across a fleet's rows
def normalise_owner(text: str) -> str:
    """An owner as stored: a valid USCC or resident ID normalised; anything else (passport and
    permit numbers) folded to upper case without spaces. An unknown owner is not an error."""
    for parse in (parse_uscc, lambda t: parse_person_id(IdType.RESIDENT_ID, t)):
        try:
            return parse(text)
        except IdentifierError:
            pass
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace()).upper()


@lru_cache(maxsize=65536)
def _is_uscc(value: str) -> bool:
    try:
        parse_uscc(value)
    except IdentifierError:
        return False
    return True


def _parse_enterprise(c: _Cells) -> dict[str, Any]:
    v: dict[str, Any] = {"uscc": c.identifier("uscc", parse_uscc), "name": c.text("name", 200, True)}
    if c.has("business"):
        v["business"] = c.choice("business", BUSINESS_TYPES)
    if c.has("address"):
        v["address"] = c.text("address", 300)
    if c.has("lon") or c.has("lat"):
        v["lon"], v["lat"] = c.coords()
    if c.has("legal_rep"):
        v["legal_rep"] = c.text("legal_rep", 64)
    if c.has("licence_no"):
        v["licence_no"] = c.text("licence_no", 64)
    if c.has("licence_expiry"):
        v["licence_expiry"] = c.date("licence_expiry")
    if c.has("phone"):
        v["phone"] = c.phone("phone")
    return v


def _parse_vehicle(c: _Cells) -> dict[str, Any]:
    v: dict[str, Any] = {}
    plate = c.plate()
    if plate is not None and plate.color is not None:
        v |= {
            "plate": plate.number,
            "plate_color": plate.color.value,
            "trailer": plate.trailer,
            "new_energy": plate.new_energy,
        }
    if c.has("vehicle_type"):
        v["vehicle_type"] = c.text("vehicle_type", 64)
    if c.has("axles"):
        v["axles"] = c.integer("axles", 1, 20)
    if c.has("owner"):
        v["owner"] = c.owner()
    if c.has("cert_no"):
        v["cert_no"] = c.text("cert_no", 64)
    if c.has("cert_status"):
        v["cert_status"] = c.choice("cert_status", CERT_STATUSES)
    if c.has("cert_expiry"):
        v["cert_expiry"] = c.date("cert_expiry")
    return v


def _parse_vessel(c: _Cells) -> dict[str, Any]:
    v: dict[str, Any] = {}
    text = c.raw("mmsi")
    if not text:
        c.error("mmsi", "mmsi is empty")
    else:
        try:
            mmsi = parse_mmsi(text)
        except IdentifierError as exc:
            c.error("mmsi", exc.reason)
        else:
            if mmsi.kind not in VESSEL_MMSI_KINDS:
                c.error("mmsi", f"{mmsi.value} is a {mmsi.kind.replace('_', ' ')} identity, not a ship station")
            v |= {"mmsi": mmsi.value, "chinese_mid": mmsi.chinese, "mid": mmsi.mid}
    if c.has("name"):
        v["name"] = c.text("name", 100)
    if c.has("ship_type"):
        v["ship_type"] = c.text("ship_type", 64)
    if c.has("owner"):
        v["owner"] = c.owner()
    if c.has("certificates"):
        v["certificates"] = _parse_certificates(c)
    return v


def _parse_certificates(c: _Cells) -> list[tuple[str, str, date | None]]:
    """``kind:number:expiry`` items separated by ``;`` (expiry may be left out)."""
    out: list[tuple[str, str, date | None]] = []
    for n, item in enumerate(split_list(c.raw("certificates")), start=1):
        parts = [p.strip() for p in item.replace("：", ":").split(":")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            c.error("certificates", f"certificate {n} {item!r}: expected kind:number:expiry")
            continue
        if len(parts[0]) > 64 or len(parts[1]) > 64:
            c.error("certificates", f"certificate {n}: kind and number are at most 64 characters")
            continue
        expiry: date | None = None
        if len(parts) == 3 and parts[2]:
            if not _DATE_RE.match(parts[2]):
                c.error("certificates", f"certificate {n}: expiry {parts[2]!r} is not YYYY-MM-DD")
                continue
            try:
                expiry = date.fromisoformat(parts[2])
            except ValueError:
                c.error("certificates", f"certificate {n}: expiry {parts[2]!r} is not a date")
                continue
        if any((k, num) == (parts[0], parts[1]) for k, num, _ in out):
            c.error("certificates", f"certificate {n}: {parts[0]} {parts[1]} is listed twice")
            continue
        out.append((parts[0], parts[1], expiry))
    return sorted(out, key=_cert_sort_key)


def _cert_sort_key(cert: tuple[str, str, date | None]) -> tuple[str, str, str]:
    return cert[0], cert[1], cert[2].isoformat() if cert[2] else ""


def _parse_person(c: _Cells) -> dict[str, Any]:
    v: dict[str, Any] = {}
    id_type: IdType | None = None
    if not c.raw("id_type"):
        c.error("id_type", f"id_type is empty; one of {', '.join(t.value for t in IdType)}")
    else:
        try:
            id_type = parse_id_type(c.raw("id_type"))
        except IdentifierError as exc:
            c.error("id_type", exc.reason)
    if id_type is not None:
        v["id_type"] = id_type.value
        today = today_shanghai()
        v["id_number"] = c.identifier("id_number", lambda t: parse_person_id(id_type, t, today=today))
    v["name"] = c.text("name", 64, True)
    if c.has("phone"):
        v["phone"] = c.phone("phone")
    return v


def _parse_site(c: _Cells) -> dict[str, Any]:
    code = c.raw("code")
    if not _CODE_RE.match(code):
        c.error("code", "code must be 1–32 letters, digits, '-', '_' or '.'")
    v: dict[str, Any] = {
        "code": code,
        "name": c.text("name", 200, True),
        "site_type": c.choice("site_type", SITE_TYPES, True),
    }
    if c.has("lon") or c.has("lat"):
        v["lon"], v["lat"] = c.coords()
    if c.has("address"):
        v["address"] = c.text("address", 300)
    return v


def _parse_permit(c: _Cells) -> dict[str, Any]:
    v: dict[str, Any] = {"permit_no": c.text("permit_no", 64, True)}
    plate = c.plate()
    if plate is not None and plate.color is not None:
        v["plate"], v["plate_color"] = plate.number, plate.color.value
    if c.has("route"):
        v["route"] = c.text("route", 300)
    v["valid_from"] = c.date("valid_from", True)
    v["valid_to"] = c.date("valid_to", True)
    if v["valid_from"] and v["valid_to"] and v["valid_from"] > v["valid_to"]:
        c.error("valid_to", "valid_to is before valid_from")
    return v


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class _Spec:
    kind: str
    model: Any
    #: Natural key (model attributes); the first one is used for chunked look-ups.
    key: tuple[str, ...]
    #: The contract's columns, in order: the export header.
    columns: tuple[str, ...]
    required: tuple[str, ...]
    parse: Callable[[_Cells], dict[str, Any]]
    #: Columns matched by substring in ``list_entities(q=...)``.
    search: tuple[str, ...]

    def key_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[k] for k in self.key)

    def key_text(self, key: tuple[Any, ...]) -> str:
        if self.kind == "person":
            return f"{key[0]}:{key[1]}"
        return "/".join(str(k) for k in key)

    @property
    def data_columns(self) -> list[str]:
        return [c.key for c in self.model.__table__.columns if c.key not in _NO_DATA]


SPECS: dict[str, _Spec] = {
    s.kind: s
    for s in (
        _Spec(
            "enterprise",
            Enterprise,
            ("uscc",),
            (
                "uscc",
                "name",
                "business",
                "address",
                "lon",
                "lat",
                "legal_rep",
                "licence_no",
                "licence_expiry",
                "phone",
            ),
            ("uscc", "name"),
            _parse_enterprise,
            ("uscc", "name"),
        ),
        _Spec(
            "vehicle",
            Vehicle,
            ("plate", "plate_color"),
            (
                "plate",
                "plate_color",
                "vehicle_type",
                "axles",
                "owner",
                "cert_no",
                "cert_status",
                "cert_expiry",
            ),
            ("plate", "plate_color"),
            _parse_vehicle,
            ("plate",),
        ),
        _Spec(
            "vessel",
            Vessel,
            ("mmsi",),
            ("mmsi", "name", "ship_type", "owner", "certificates"),
            ("mmsi",),
            _parse_vessel,
            ("mmsi", "name"),
        ),
        _Spec(
            "person",
            Person,
            ("id_type", "id_number"),
            ("id_type", "id_number", "name", "phone"),
            ("id_type", "id_number", "name"),
            _parse_person,
            ("name", "id_number"),
        ),
        _Spec(
            "site",
            Site,
            ("code",),
            ("code", "name", "site_type", "lon", "lat", "address"),
            ("code", "name", "site_type"),
            _parse_site,
            ("code", "name"),
        ),
        _Spec(
            "permit",
            OversizePermit,
            ("permit_no",),
            ("permit_no", "plate", "plate_color", "route", "valid_from", "valid_to"),
            ("permit_no", "plate", "plate_color", "valid_from", "valid_to"),
            _parse_permit,
            ("permit_no", "plate"),
        ),
    )
}


# --------------------------------------------------------------------------- import


def import_entities(
    session: Session, actor: Actor, path: Path, kind: str | None = None, data: bytes | None = None
) -> dict[str, Any]:
    """Import one entity file (CSV in UTF-8/BOM/GBK, or XLSX), all-or-nothing, upserting by the
    natural key. Returns ``{"kind", "rows", "created", "updated", "unchanged"}``."""
    require(actor, "admin")
    spec = SPECS[normalise_kind(kind) if kind else kind_from_filename(path)]
    header, rows = read_table(path, data)
    require_columns(header, list(spec.required))
    columns = frozenset(header)
    report = Report()
    if not rows:
        report.add("file", "no data rows")
    parsed: dict[tuple[Any, ...], dict[str, Any]] = {}
    first_row: dict[tuple[Any, ...], int] = {}
    for row in rows:
        cells = _Cells(row, columns, report)
        values = spec.parse(cells)
        if not cells.ok:
            continue
        key = spec.key_of(values)
        if key in parsed:
            cells.error(
                spec.key[-1] if spec.kind == "person" else spec.key[0],
                f"duplicate {spec.kind} {spec.key_text(key)} in file (first at row {first_row[key]})",
            )
            continue
        parsed[key] = values
        first_row[key] = row.number
    report.raise_if_any(f"{spec.kind} import")
    counts = _upsert(session, actor, spec, parsed, path.name)
    return {"kind": spec.kind, "rows": len(parsed), **counts}


def save_entity(session: Session, actor: Actor, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Create or update one entity from the same fields as an import row (API form entry).

    The first invalid field is raised as ``InvalidField`` (HTTP 422 naming the field and why)."""
    require(actor, "admin")
    spec = SPECS[normalise_kind(kind)]
    values_in = {str(k).strip().lower(): "" if v is None else str(v).strip() for k, v in fields.items()}
    missing = [c for c in spec.required if c not in values_in]
    if missing:
        raise InvalidField(missing[0], "is required")
    report = Report()
    cells = _Cells(Row(1, values_in), frozenset(values_in), report)
    values = spec.parse(cells)
    if not cells.ok:
        first = report.errors[0]
        raise InvalidField(first.field or "row", first.reason)
    key = spec.key_of(values)
    counts = _upsert(session, actor, spec, {key: values}, "api")
    return {"kind": spec.kind, "key": spec.key_text(key), **counts}


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_existing(
    session: Session, spec: _Spec, keys: Iterable[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    model = spec.model
    cols = [model.id, *(getattr(model, c) for c in spec.data_columns)]
    first = getattr(model, spec.key[0])
    wanted = set(keys)
    probe = sorted({k[0] for k in wanted})
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for chunk in _chunks(probe):
        for row in session.execute(select(*cols).where(first.in_(chunk))).mappings():
            values = dict(row)
            key = spec.key_of(values)
            if key in wanted:
                out[key] = values
    if spec.kind == "vessel" and out:
        certs = _certificates_by_vessel(session, [v["id"] for v in out.values()])
        for values in out.values():
            values["certificates"] = certs.get(values["id"], [])
    return out


def _certificates_by_vessel(
    session: Session, vessel_ids: Sequence[int]
) -> dict[int, list[tuple[str, str, date | None]]]:
    out: dict[int, list[tuple[str, str, date | None]]] = {}
    for chunk in _chunks(vessel_ids):
        stmt = select(
            VesselCertificate.vessel_id,
            VesselCertificate.kind,
            VesselCertificate.number,
            VesselCertificate.expiry,
        ).where(VesselCertificate.vessel_id.in_(chunk))
        for vessel_id, kind, number, expiry in session.execute(stmt):
            out.setdefault(vessel_id, []).append((kind, number, expiry))
    return {k: sorted(v, key=_cert_sort_key) for k, v in out.items()}


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    snap = {k: v for k, v in values.items() if k not in _NO_DATA}
    if "certificates" in snap:
        snap["certificates"] = [
            {"kind": k, "number": n, "expiry": e.isoformat() if e else None} for k, n, e in snap["certificates"]
        ]
    return snap


def _upsert(
    session: Session, actor: Actor, spec: _Spec, parsed: dict[tuple[Any, ...], dict[str, Any]], source: str
) -> dict[str, int]:
    existing = _load_existing(session, spec, parsed)
    now = utcnow()
    defaults = dict.fromkeys(spec.data_columns)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    new_certs: dict[tuple[Any, ...], list[tuple[str, str, date | None]]] = {}
    per_entity = len(parsed) < AUDIT_PER_ENTITY_BELOW
    created_keys: list[str] = []
    updated_keys: list[str] = []
    for key, values in parsed.items():
        current = existing.get(key)
        if current is None:
            row = defaults | {k: v for k, v in values.items() if k != "certificates"}
            inserts.append(row | {"created_at": now, "updated_at": now})
            if "certificates" in values:
                new_certs[key] = values["certificates"]
            created_keys.append(spec.key_text(key))
            if per_entity:
                audit.record(
                    session,
                    actor,
                    "create",
                    spec.kind,
                    spec.key_text(key),
                    None,
                    _snapshot(defaults | values),
                )
            continue
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            continue
        if "certificates" in changed:
            new_certs[key] = changed.pop("certificates")
        if changed:
            # All of the file's columns, not just the changed ones: rows with the same keys are
            # sent to the database in one batch.
            fields = {k: v for k, v in values.items() if k != "certificates"}
            updates.append({"id": current["id"], **fields, "updated_at": now})
        updated_keys.append(spec.key_text(key))
        if per_entity:
            after = current | values
            audit.record(session, actor, "update", spec.kind, spec.key_text(key), _snapshot(current), _snapshot(after))
    if inserts:
        # render_nulls: every row has the same columns, so all go to the database in one batch.
        session.execute(insert(spec.model).execution_options(render_nulls=True), inserts)
    if updates:
        session.execute(update(spec.model), updates)
    if new_certs:
        _write_certificates(session, new_certs)
    if not per_entity and (created_keys or updated_keys):
        audit.record(
            session,
            actor,
            "import",
            spec.kind,
            source[:128] or "import",
            None,
            {
                "file": source,
                "rows": len(parsed),
                "created": len(created_keys),
                "updated": len(updated_keys),
                "unchanged": len(parsed) - len(created_keys) - len(updated_keys),
                "created_keys": created_keys,
                "updated_keys": updated_keys,
            },
            note=f"bulk import of {len(parsed)} {spec.kind} rows from {source}",
        )
    _expire_loaded(session, (spec.model, VesselCertificate))
    session.flush()
    return {
        "created": len(created_keys),
        "updated": len(updated_keys),
        "unchanged": len(parsed) - len(created_keys) - len(updated_keys),
    }


def _write_certificates(session: Session, certs: dict[tuple[Any, ...], list[tuple[str, str, date | None]]]) -> None:
    """Replace the certificates of the given vessels (keyed by ``(mmsi,)``) with the file's."""
    mmsis = [k[0] for k in certs]
    ids: dict[str, int] = {}
    for chunk in _chunks(mmsis):
        ids.update({m: i for i, m in session.execute(select(Vessel.id, Vessel.mmsi).where(Vessel.mmsi.in_(chunk)))})
    for chunk in _chunks(list(ids.values())):
        session.execute(delete(VesselCertificate).where(VesselCertificate.vessel_id.in_(chunk)))
    rows = [
        {"vessel_id": ids[key[0]], "kind": kind, "number": number, "expiry": expiry}
        for key, items in certs.items()
        for kind, number, expiry in items
    ]
    if rows:
        session.execute(insert(VesselCertificate).execution_options(render_nulls=True), rows)


def _expire_loaded(session: Session, models: tuple[type[Any], ...]) -> None:
    """Bulk statements bypass the identity map: expire loaded instances so they re-read."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, models):
            session.expire(obj)


# --------------------------------------------------------------------------- reading


def _masked(kind: str, values: dict[str, Any], pii: bool) -> dict[str, Any]:
    """The entity as a plain dict for display/export, with personal data masked unless ``pii``."""
    out = {k: v for k, v in values.items() if k not in ("created_at", "updated_at")}
    if pii:
        return out
    if kind == "person":
        out["name"] = mask_name(out["name"]) if out.get("name") else out.get("name")
        out["id_number"] = mask_id_number(out["id_number"])
        out["phone"] = mask_phone(out["phone"]) if out.get("phone") else None
    elif kind == "enterprise":
        out["legal_rep"] = mask_name(out["legal_rep"]) if out.get("legal_rep") else None
        out["phone"] = mask_phone(out["phone"]) if out.get("phone") else None
    elif kind in ("vehicle", "vessel") and out.get("owner") and not _is_uscc(out["owner"]):
        # An owner who is a natural person is personal data too.
        out["owner"] = mask_id_number(out["owner"])
    return out


def _search_filter(spec: _Spec, q: str, pii: bool) -> ColumnElement[bool]:
    text = unicodedata.normalize("NFKC", q).strip()
    model = spec.model
    if spec.kind == "person" and not pii:
        # Without PII access a person can be looked up by the exact document number only:
        # substring or name searches would let masked data be enumerated.
        number = "".join(ch for ch in text if not ch.isspace()).upper()
        return model.id_number == number
    clauses: list[ColumnElement[bool]] = []
    for col in spec.search:
        attr = getattr(model, col)
        needle = text.upper() if col in ("plate", "uscc", "id_number", "permit_no") else text
        clauses.append(attr.icontains(needle, autoescape=True))
    if spec.kind == "vehicle":
        clauses.append(model.owner == normalise_owner(text))
    return or_(*clauses)


def _fetch(
    session: Session, spec: _Spec, q: str | None, pii: bool, page: int | None = None, per_page: int = 50
) -> tuple[list[dict[str, Any]], int]:
    model = spec.model
    cols = [model.id, *(getattr(model, c) for c in spec.data_columns)]
    stmt = select(*cols)
    count = select(func.count()).select_from(model)
    if q and q.strip():
        cond = _search_filter(spec, q, pii)
        stmt, count = stmt.where(cond), count.where(cond)
    stmt = stmt.order_by(*(getattr(model, k) for k in spec.key))
    total = int(session.scalar(count) or 0)
    if page is not None:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    items = [dict(r) for r in session.execute(stmt).mappings()]
    if spec.kind == "vessel" and items:
        certs = _certificates_by_vessel(session, [i["id"] for i in items])
        for item in items:
            item["certificates"] = [{"kind": k, "number": n, "expiry": e} for k, n, e in certs.get(item["id"], [])]
    if spec.kind == "vehicle" and items:
        names = _enterprise_names(session, {i["owner"] for i in items if i["owner"]})
        for item in items:
            item["owner_name"] = names.get(item["owner"]) if item["owner"] else None
    return items, total


def _enterprise_names(session: Session, usccs: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(usccs)):
        out.update(
            {
                u: n
                for u, n in session.execute(select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(chunk)))
            }
        )
    return out


def list_entities(
    session: Session, actor: Actor, kind: str, q: str | None = None, page: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """One page of entities of a kind as plain dicts: ``{items, total, page, per_page}``.

    ``q`` matches substrings of the kind's identifiers and names (plate, USCC, MMSI, name, code);
    for persons without PII access it must be an exact document number. Personal data is masked
    unless ``can_see_pii(actor)``; an unmasked read of persons is audited (action ``read``).
    """
    require(actor, *ROLES)
    spec = SPECS[normalise_kind(kind)]
    if page < 1:
        raise BadRequest("page starts at 1", "页码从 1 开始")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(f"per_page must be 1..{MAX_PER_PAGE}", f"每页条数应为 1 至 {MAX_PER_PAGE}")
    pii = can_see_pii(actor)
    items, total = _fetch(session, spec, q, pii, page, per_page)
    if spec.kind == "person" and pii:
        audit.record(
            session,
            actor,
            "read",
            "person",
            "list",
            None,
            {
                "q": q,
                "page": page,
                "per_page": per_page,
                "total": total,
                "keys": [spec.key_text(spec.key_of(i)) for i in items],
            },
            note="person list read unmasked",
        )
    return {
        "items": [_masked(spec.kind, i, pii) for i in items],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_rows(session: Session, actor: Actor, kind: str) -> tuple[list[str], list[list[str]]]:
    """All entities of a kind as text cells under the import contract's header (so that an
    unmasked export re-imports), masked like :func:`list_entities`; an unmasked export of persons
    is audited (action ``read``)."""
    require(actor, *ROLES)
    spec = SPECS[normalise_kind(kind)]
    pii = can_see_pii(actor)
    items, total = _fetch(session, spec, None, pii)
    if spec.kind == "person" and pii:
        audit.record(session, actor, "read", "person", "export", None, {"total": total}, note="person export unmasked")
    rows: list[list[str]] = []
    for item in items:
        shown = _masked(spec.kind, item, pii)
        if spec.kind == "vessel":
            shown["certificates"] = ";".join(
                f"{c['kind']}:{c['number']}:{_cell(c['expiry'])}" for c in shown["certificates"]
            )
        rows.append([_cell(shown.get(col)) for col in spec.columns])
    return list(spec.columns), rows


# --------------------------------------------------------------------------- locating


def locate(session: Session, kind: str, key: str) -> tuple[float | None, float | None, str] | None:
    """Where a registered site or entity is, for routing (``site:CODE`` / ``entity:ID``).

    ``site`` → a site by code. ``entity`` → an enterprise by USCC, a vehicle by plate (``苏L12345``
    or ``苏L12345/yellow``; a plate without colour that several vehicles share is ambiguous and
    raises BadRequest), a vessel by MMSI; ``enterprise:N``/``vehicle:N``/``vessel:N``/``site:N``
    pick by internal id. A vehicle is where its owner enterprise is (when the owner is a
    registered USCC); vessels have no registered position. Returns ``(lon, lat, label)`` with a
    short Chinese label, coordinates ``None`` when unknown, or ``None`` when nothing matches.
    """
    kind = kind.strip().lower()
    key = key.strip()
    if kind == "site":
        return _locate_site(session, key)
    if kind != "entity":
        raise BadRequest(f"unknown reference kind {kind!r}: site or entity", f"未知的引用类型“{kind}”")
    prefix, sep, rest = key.partition(":")
    if sep and prefix.lower() in ("enterprise", "vehicle", "vessel", "site"):
        return _locate_typed(session, prefix.lower(), rest.strip())
    if "/" in key:
        return _locate_vehicle(session, key)
    try:
        uscc = parse_uscc(key)
    except IdentifierError:
        pass
    else:
        return _locate_enterprise(session, select(Enterprise).where(Enterprise.uscc == uscc))
    try:
        parse_plate(key)
    except IdentifierError:
        pass
    else:
        return _locate_vehicle(session, key)
    try:
        mmsi = parse_mmsi(key)
    except IdentifierError:
        return None
    return _locate_vessel(session, select(Vessel).where(Vessel.mmsi == mmsi.value))


def _locate_typed(session: Session, kind: str, ref: str) -> tuple[float | None, float | None, str] | None:
    by_id = ref.isdigit() and not (kind == "vessel" and len(ref) == 9)
    if kind == "site":
        if by_id:
            return _site_result(session.get(Site, int(ref)))
        return _locate_site(session, ref)
    if kind == "enterprise":
        if by_id:
            return _locate_enterprise(session, select(Enterprise).where(Enterprise.id == int(ref)))
        try:
            uscc = parse_uscc(ref)
        except IdentifierError as exc:
            raise BadRequest(f"uscc: {exc.reason}", f"统一社会信用代码：{exc.reason_zh}") from exc
        return _locate_enterprise(session, select(Enterprise).where(Enterprise.uscc == uscc))
    if kind == "vessel":
        if by_id:
            return _locate_vessel(session, select(Vessel).where(Vessel.id == int(ref)))
        try:
            mmsi = parse_mmsi(ref)
        except IdentifierError as exc:
            raise BadRequest(f"mmsi: {exc.reason}", f"MMSI：{exc.reason_zh}") from exc
        return _locate_vessel(session, select(Vessel).where(Vessel.mmsi == mmsi.value))
    if by_id:
        vehicle = session.get(Vehicle, int(ref))
        return _vehicle_result(session, vehicle) if vehicle is not None else None
    return _locate_vehicle(session, ref)


def _site_result(site: Site | None) -> tuple[float | None, float | None, str] | None:
    if site is None:
        return None
    return site.lon, site.lat, f"{site.name}（{SITE_TYPE_ZH.get(site.site_type, site.site_type)}）"


def _locate_site(session: Session, code: str) -> tuple[float | None, float | None, str] | None:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None and code.upper() != code:
        site = session.scalar(select(Site).where(Site.code == code.upper()))
    return _site_result(site)


def _locate_enterprise(session: Session, stmt: Any) -> tuple[float | None, float | None, str] | None:
    ent = session.scalar(stmt)
    if ent is None:
        return None
    return ent.lon, ent.lat, f"企业 {ent.name}"


def _locate_vessel(session: Session, stmt: Any) -> tuple[float | None, float | None, str] | None:
    vessel = session.scalar(stmt)
    if vessel is None:
        return None
    name = f"{vessel.name}" if vessel.name else "船舶"
    return None, None, f"{name}（MMSI {vessel.mmsi}）"


def _locate_vehicle(session: Session, key: str) -> tuple[float | None, float | None, str] | None:
    text, _, color = key.partition("/")
    try:
        plate = parse_plate(text, color.strip() or None)
    except IdentifierError as exc:
        raise BadRequest(f"{exc.field}: {exc.reason}", exc.reason_zh) from exc
    stmt = select(Vehicle).where(Vehicle.plate == plate.number)
    if plate.color is not None:
        stmt = stmt.where(Vehicle.plate_color == plate.color.value)
    vehicles = list(session.scalars(stmt.order_by(Vehicle.plate_color)))
    if not vehicles:
        return None
    if len(vehicles) > 1:
        colors = ", ".join(v.plate_color for v in vehicles)
        colors_zh = "、".join(PLATE_COLOR_ZH.get(v.plate_color, v.plate_color) for v in vehicles)
        raise BadRequest(
            f"plate {plate.number} is ambiguous: registered in {colors}; add the colour, "
            f"e.g. {plate.number}/{vehicles[0].plate_color}",
            f"号牌 {plate.number} 对应多辆车（{colors_zh}），请加上颜色，如 {plate.number}/{vehicles[0].plate_color}",
        )
    return _vehicle_result(session, vehicles[0])


def _vehicle_result(session: Session, vehicle: Vehicle) -> tuple[float | None, float | None, str]:
    label = f"车辆 {vehicle.plate}（{PLATE_COLOR_ZH.get(vehicle.plate_color, vehicle.plate_color)}）"
    if vehicle.owner and _is_uscc(vehicle.owner):
        owner = session.scalar(select(Enterprise).where(Enterprise.uscc == vehicle.owner))
        if owner is not None:
            return owner.lon, owner.lat, f"{label}，所属企业 {owner.name}"
    return None, None, label
