"""Entity imports: encodings, all-or-nothing per-row reports, upsert and audit."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor, AuditLog
from zhifa.core.errors import BadRequest, Forbidden, ImportRejected
from zhifa.registry import service
from zhifa.registry.models import (
    Enterprise,
    OversizePermit,
    Person,
    Site,
    Vehicle,
    Vessel,
    VesselCertificate,
)

USCC_A = "91321100MA11111103"
USCC_B = "91321102MA1AAAAA1D"
RID_1 = "321102198001011239"
RID_2 = "321102199002152345"

GOOD: dict[str, tuple[str, type, int]] = {
    "enterprise": (
        "uscc,name,business,address,lon,lat,legal_rep,licence_no,licence_expiry,phone\n"
        f"{USCC_A},镇江顺达物流有限公司,logistics,镇江市京口区学府路1号,119.45,32.20,张三,苏交运001,2027-06-30,13912345678\n"
        f"{USCC_B},镇江江天出租汽车公司,taxi,,,,李四,,,\n",
        Enterprise,
        2,
    ),
    "vehicle": (
        "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
        f"苏L12345,blue,小型轿车,2,{USCC_B},,,\n"
        f"苏L12345,yellow,重型半挂牵引车,6,{USCC_A},321100123456,valid,2027-01-31\n"
        f"苏LD12345,green,小型轿车,2,{RID_1},,,\n"
        f"苏L1234挂,黄,重型平板半挂车,3,{USCC_A},,none,\n"
        "苏L67890,yellow,重型货车,3,,,,\n",
        Vehicle,
        5,
    ),
    "vessel": (
        "mmsi,name,ship_type,owner,certificates\n"
        f"413123456,苏镇江货1234,散货船,{USCC_A},国籍证书:2021A0001:2030-01-01;适航证书:SH-9:2027-05-01\n"
        "636012345,OCEAN STAR,bulk carrier,,\n",
        Vessel,
        2,
    ),
    "person": (
        "id_type,id_number,name,phone\n"
        f"resident_id,{RID_1},王五,13800001111\n"
        f"身份证,{RID_2},欧阳娜娜,\n"
        "passport,E12345678,John Smith,\n",
        Person,
        3,
    ),
    "site": (
        "code,name,site_type,lon,lat,address\n"
        "ZJ-RAIL,镇江站,railway_station,119.4305,32.2049,镇江市润州区中山西路\n"
        "SP-001,司机之家（丹徒）,service_point,119.43,32.13,\n",
        Site,
        2,
    ),
    "permit": (
        "permit_no,plate,plate_color,route,valid_from,valid_to\n"
        "CX2026-001,苏L12345,yellow,G312 镇江段,2026-11-01,2026-11-30\n"
        "CX2026-002,苏L67890,yellow,,2026-12-01,2026-12-01\n",
        OversizePermit,
        2,
    ),
}


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audit_rows(session: Session) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).order_by(AuditLog.id)))


def xlsx_bytes(text: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in text.strip().splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_good_file_imports_every_row_with_an_audit_row_each(
    session: Session, admin: Actor, write_csv: Callable[..., Path], kind: str
) -> None:
    text, model, n = GOOD[kind]
    result = service.import_entities(session, admin, write_csv(f"{kind}s.csv", text))
    assert result == {"kind": kind, "rows": n, "created": n, "updated": 0, "unchanged": 0}
    assert count(session, model) == n
    rows = audit_rows(session)
    assert [(a.action, a.entity_type) for a in rows] == [("create", kind)] * n


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("vehicles.csv", "utf-8"),
        ("vehicles.csv", "utf-8-sig"),
        ("vehicles.csv", "gbk"),
        ("vehicles.xlsx", "xlsx"),
    ],
)
def test_encodings_and_xlsx_give_the_same_vehicles(
    session: Session, admin: Actor, tmp_path: Path, name: str, encoding: str
) -> None:
    text = GOOD["vehicle"][0]
    data = xlsx_bytes(text) if encoding == "xlsx" else text.encode(encoding)
    path = tmp_path / name
    path.write_bytes(data)
    service.import_entities(session, admin, path)
    got = session.execute(
        select(Vehicle.plate, Vehicle.plate_color, Vehicle.vehicle_type).order_by(Vehicle.id)
    )
    assert [tuple(r) for r in got] == [
        ("苏L12345", "blue", "小型轿车"),
        ("苏L12345", "yellow", "重型半挂牵引车"),
        ("苏LD12345", "green", "小型轿车"),
        ("苏L1234挂", "yellow", "重型平板半挂车"),
        ("苏L67890", "yellow", "重型货车"),
    ]


def test_derived_and_typed_fields(session: Session, admin: Actor, write_csv: Callable[..., Path]) -> None:
    service.import_entities(session, admin, write_csv("vehicles.csv", GOOD["vehicle"][0]))
    service.import_entities(session, admin, write_csv("vessels.csv", GOOD["vessel"][0]))
    trailer = session.scalar(select(Vehicle).where(Vehicle.plate == "苏L1234挂"))
    ev = session.scalar(select(Vehicle).where(Vehicle.plate == "苏LD12345"))
    assert (
        trailer is not None and trailer.trailer and not trailer.new_energy and trailer.plate_color == "yellow"
    )
    assert ev is not None and ev.new_energy and not ev.trailer and ev.owner == RID_1
    ship = session.scalar(select(Vessel).where(Vessel.mmsi == "413123456"))
    foreign = session.scalar(select(Vessel).where(Vessel.mmsi == "636012345"))
    assert ship is not None and ship.chinese_mid and ship.mid == "413"
    assert foreign is not None and not foreign.chinese_mid and foreign.mid == "636"
    certs = session.execute(
        select(VesselCertificate.kind, VesselCertificate.number).where(VesselCertificate.vessel_id == ship.id)
    )
    assert sorted(tuple(c) for c in certs) == [("国籍证书", "2021A0001"), ("适航证书", "SH-9")]


def test_blue_and_yellow_same_number_are_two_vehicles(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    service.import_entities(session, admin, write_csv("vehicles.csv", GOOD["vehicle"][0]))
    colors = session.scalars(
        select(Vehicle.plate_color).where(Vehicle.plate == "苏L12345").order_by(Vehicle.id)
    )
    assert list(colors) == ["blue", "yellow"]


VEHICLE_HEAD = "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
GOOD_VEHICLES = "苏L12345,blue,小型轿车,2,,,,\n苏L12345,yellow,重型货车,3,,,,\n"
ENTERPRISE_HEAD = "uscc,name,business,address,lon,lat,legal_rep,licence_no,licence_expiry,phone\n"
GOOD_ENTERPRISES = f"{USCC_A},甲公司,freight,,,,,,,\n{USCC_B},乙公司,taxi,,,,,,,\n"
PERSON_HEAD = "id_type,id_number,name,phone\n"
GOOD_PERSONS = f"resident_id,{RID_1},王五,\nresident_id,{RID_2},赵六,\n"
VESSEL_HEAD = "mmsi,name,ship_type,owner,certificates\n"
GOOD_VESSELS = "413123456,甲,,,\n413123457,乙,,,\n"
SITE_HEAD = "code,name,site_type,lon,lat,address\n"
GOOD_SITES = "S1,甲站,bus_station,119.4,32.2,\nS2,乙站,airport,,,\n"
PERMIT_HEAD = "permit_no,plate,plate_color,route,valid_from,valid_to\n"
GOOD_PERMITS = "P1,苏L12345,yellow,,2026-01-01,2026-02-01\nP2,苏L12346,yellow,,2026-01-01,2026-02-01\n"

# (kind, header, two good rows, the bad third data row, field, part of the reason)
BAD_ROWS = [
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L1234,blue,,,,,,", "plate", "expected 5 characters"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏LI2345,blue,,,,,,", "plate", "letter I"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,,,,,,,", "plate_color", "plate colour is required"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,purple,,,,,,", "plate_color", "unknown plate colour"),
    (
        "vehicle",
        VEHICLE_HEAD,
        GOOD_VEHICLES,
        "苏L22222,green,,,,,,",
        "plate_color",
        "new-energy plate colour",
    ),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,blue,,two,,,,", "axles", "whole number"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,blue,,,,,lost,", "cert_status", "unknown value"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,blue,,,,,,2027/01/31", "cert_expiry", "YYYY-MM-DD"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏L22222,blue,,,,,,2027-02-30", "cert_expiry", "YYYY-MM-DD"),
    ("vehicle", VEHICLE_HEAD, GOOD_VEHICLES, "苏l12345,蓝,,,,,,", "plate", "duplicate vehicle 苏L12345/blue"),
    (
        "enterprise",
        ENTERPRISE_HEAD,
        GOOD_ENTERPRISES,
        "91321100MA11111104,丙,,,,,,,,",
        "uscc",
        "check character",
    ),
    ("enterprise", ENTERPRISE_HEAD, GOOD_ENTERPRISES, "91321111MA1BBBBB2R,,,,,,,,,", "name", "empty"),
    (
        "enterprise",
        ENTERPRISE_HEAD,
        GOOD_ENTERPRISES,
        "91321111MA1BBBBB2R,丙,,,200,32,,,,",
        "lon",
        "out of range",
    ),
    (
        "enterprise",
        ENTERPRISE_HEAD,
        GOOD_ENTERPRISES,
        "91321111MA1BBBBB2R,丙,,,119.4,abc,,,,",
        "lat",
        "not a number",
    ),
    ("enterprise", ENTERPRISE_HEAD, GOOD_ENTERPRISES, "91321111MA1BBBBB2R,丙,,,119.4,,,,,", "lat", "both"),
    (
        "enterprise",
        ENTERPRISE_HEAD,
        GOOD_ENTERPRISES,
        "91321111MA1BBBBB2R,丙,bakery,,,,,,,",
        "business",
        "unknown",
    ),
    (
        "enterprise",
        ENTERPRISE_HEAD,
        GOOD_ENTERPRISES,
        "91321111MA1BBBBB2R,丙,,,,,,,,call me",
        "phone",
        "phone",
    ),
    ("enterprise", ENTERPRISE_HEAD, GOOD_ENTERPRISES, f"{USCC_A},重复,,,,,,,,", "uscc", "duplicate"),
    ("person", PERSON_HEAD, GOOD_PERSONS, "resident_id,321102198001011238,钱七,", "id_number", "check"),
    ("person", PERSON_HEAD, GOOD_PERSONS, "driver_licence,X1,钱七,", "id_type", "unknown document type"),
    ("person", PERSON_HEAD, GOOD_PERSONS, "passport,E1234567,,", "name", "empty"),
    ("vessel", VESSEL_HEAD, GOOD_VESSELS, "41312345,丙,,,", "mmsi", "9 digits"),
    ("vessel", VESSEL_HEAD, GOOD_VESSELS, "004131234,海岸台,,,", "mmsi", "not a ship station"),
    ("vessel", VESSEL_HEAD, GOOD_VESSELS, "413123458,丙,,,国籍证书", "certificates", "kind:number:expiry"),
    ("vessel", VESSEL_HEAD, GOOD_VESSELS, "413123458,丙,,,国籍证书:A1:2030-13-01", "certificates", "expiry"),
    ("site", SITE_HEAD, GOOD_SITES, "S 3,丙站,bus_station,,,", "code", "code must be"),
    ("site", SITE_HEAD, GOOD_SITES, "S3,丙站,casino,,,", "site_type", "unknown value"),
    ("site", SITE_HEAD, GOOD_SITES, "S3,丙站,airport,119,-91,", "lat", "out of range"),
    ("permit", PERMIT_HEAD, GOOD_PERMITS, "P3,苏L12347,yellow,,2026-02-01,2026-01-01", "valid_to", "before"),
    ("permit", PERMIT_HEAD, GOOD_PERMITS, "P3,苏L12347,,,2026-01-01,2026-02-01", "plate_color", "required"),
    ("permit", PERMIT_HEAD, GOOD_PERMITS, "P3,苏L12347,yellow,,,2026-02-01", "valid_from", "empty"),
]


@pytest.mark.parametrize(("kind", "head", "good", "bad", "field", "reason"), BAD_ROWS)
def test_one_bad_row_imports_nothing_and_names_row_and_field(
    session: Session,
    admin: Actor,
    write_csv: Callable[..., Path],
    kind: str,
    head: str,
    good: str,
    bad: str,
    field: str,
    reason: str,
) -> None:
    path = write_csv(f"{kind}s.csv", head + good + bad + "\n")
    with pytest.raises(ImportRejected) as exc:
        service.import_entities(session, admin, path)
    errors = exc.value.errors
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].where == "row 4"  # header is row 1, the bad line is the third data row
    assert errors[0].field == field
    assert reason in errors[0].reason
    assert count(session, service.SPECS[kind].model) == 0
    assert audit_rows(session) == []


def test_every_bad_row_is_reported(session: Session, admin: Actor, write_csv: Callable[..., Path]) -> None:
    text = VEHICLE_HEAD + "苏L1234,blue,,,,,,\n苏L12345,blue,,,,,,\n苏L22222,,,,,,,\n苏L33333,blue,,x,,,,\n"
    with pytest.raises(ImportRejected) as exc:
        service.import_entities(session, admin, write_csv("vehicles.csv", text))
    assert [(e.where, e.field) for e in exc.value.errors] == [
        ("row 2", "plate"),
        ("row 4", "plate_color"),
        ("row 5", "axles"),
    ]
    assert "nothing was imported" in exc.value.message


def test_unknown_owner_is_not_an_error(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    text = VEHICLE_HEAD + "苏L12345,blue,,,91321111MA1BBBBB2R,,,\n苏L12346,blue,,,G12345678,,,\n"
    assert service.import_entities(session, admin, write_csv("vehicles.csv", text))["created"] == 2
    owners = session.scalars(select(Vehicle.owner).order_by(Vehicle.plate))
    assert list(owners) == ["91321111MA1BBBBB2R", "G12345678"]


def test_reimport_upserts_and_audits_the_change(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    service.import_entities(session, admin, write_csv("vehicles.csv", VEHICLE_HEAD + GOOD_VEHICLES))
    again = (
        VEHICLE_HEAD
        + "苏L12345,blue,小型轿车,2,,,,\n苏L12345,yellow,重型半挂牵引车,6,,,,\n苏L55555,blue,,,,,,\n"
    )
    result = service.import_entities(session, admin, write_csv("vehicles.csv", again))
    assert result == {"kind": "vehicle", "rows": 3, "created": 1, "updated": 1, "unchanged": 1}
    yellow = session.scalar(
        select(Vehicle).where(Vehicle.plate == "苏L12345", Vehicle.plate_color == "yellow")
    )
    assert yellow is not None and (yellow.vehicle_type, yellow.axles) == ("重型半挂牵引车", 6)
    update = [a for a in audit_rows(session) if a.action == "update"]
    assert len(update) == 1
    assert update[0].entity_id == "苏L12345/yellow"
    assert update[0].before["axles"] == 3 and update[0].after["axles"] == 6
    assert update[0].actor == admin.username


def test_columns_left_out_keep_their_values(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    service.import_entities(session, admin, write_csv("vehicles.csv", VEHICLE_HEAD + GOOD_VEHICLES))
    service.import_entities(
        session, admin, write_csv("vehicles.csv", "plate,plate_color,cert_status\n苏L12345,blue,suspended\n")
    )
    blue = session.scalar(select(Vehicle).where(Vehicle.plate == "苏L12345", Vehicle.plate_color == "blue"))
    assert blue is not None and (blue.cert_status, blue.vehicle_type, blue.axles) == (
        "suspended",
        "小型轿车",
        2,
    )


def test_vessel_certificates_are_replaced(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    service.import_entities(session, admin, write_csv("vessels.csv", GOOD["vessel"][0]))
    service.import_entities(
        session,
        admin,
        write_csv("vessels.csv", VESSEL_HEAD + "413123456,苏镇江货1234,散货船,,检验证书:J-1:\n"),
    )
    rows = session.execute(select(VesselCertificate.kind, VesselCertificate.number, VesselCertificate.expiry))
    assert [tuple(r) for r in rows] == [("检验证书", "J-1", None)]


@pytest.mark.parametrize(
    ("rows", "audit_count", "action"),
    [
        (service.AUDIT_PER_ENTITY_BELOW - 1, service.AUDIT_PER_ENTITY_BELOW - 1, "create"),
        (service.AUDIT_PER_ENTITY_BELOW, 1, "import"),
    ],
)
def test_big_files_get_one_summary_audit_row(
    session: Session, admin: Actor, write_csv: Callable[..., Path], rows: int, audit_count: int, action: str
) -> None:
    text = VEHICLE_HEAD + "".join(f"苏L{n:05d},yellow,,,,,,\n" for n in range(rows))
    service.import_entities(session, admin, write_csv("vehicles.csv", text))
    audits = audit_rows(session)
    assert len(audits) == audit_count
    assert {a.action for a in audits} == {action}
    if action == "import":
        summary = audits[0].after
        assert (summary["created"], summary["updated"], summary["unchanged"]) == (rows, 0, 0)
        assert summary["created_keys"][:2] == ["苏L00000/yellow", "苏L00001/yellow"]
        assert audits[0].entity_id == "vehicles.csv"


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("vehicles.csv", None, "vehicle"),
        ("Vehicle.xlsx", None, "vehicle"),
        ("persons-2026-11.csv", None, "person"),
        ("people.csv", None, "person"),
        ("data.csv", "sites", "site"),
        ("enterprises.csv", "permit", "permit"),
    ],
)
def test_kind_from_argument_or_file_name(name: str, kind: str | None, expected: str) -> None:
    assert (service.normalise_kind(kind) if kind else service.kind_from_filename(Path(name))) == expected


def test_unknown_kind_and_missing_columns_are_refused(
    session: Session, admin: Actor, write_csv: Callable[..., Path]
) -> None:
    with pytest.raises(BadRequest, match="cannot tell the entity kind"):
        service.import_entities(session, admin, write_csv("data.csv", VEHICLE_HEAD + GOOD_VEHICLES))
    with pytest.raises(BadRequest, match="unknown entity kind"):
        service.import_entities(session, admin, write_csv("data.csv", VEHICLE_HEAD), kind="boats")
    with pytest.raises(BadRequest, match="missing column"):
        service.import_entities(session, admin, write_csv("vehicles.csv", "plate,colour\n苏L12345,blue\n"))


def test_data_bytes_override_the_file(session: Session, admin: Actor) -> None:
    data = (SITE_HEAD + GOOD_SITES).encode("gbk")
    result = service.import_entities(session, admin, Path("upload.csv"), kind="site", data=data)
    assert result["created"] == 2


def test_only_admins_import(session: Session, officer: Actor, write_csv: Callable[..., Path]) -> None:
    with pytest.raises(Forbidden):
        service.import_entities(session, officer, write_csv("vehicles.csv", VEHICLE_HEAD + GOOD_VEHICLES))


def test_a_blank_cell_clears_the_stored_value(session: Session, admin: Actor, write_csv: Callable[..., Path]) -> None:
    service.import_entities(session, admin, write_csv("vehicles.csv", VEHICLE_HEAD + GOOD_VEHICLES))
    blue = session.scalar(select(Vehicle).where(Vehicle.plate == "苏L12345", Vehicle.plate_color == "blue"))
    assert blue is not None and blue.vehicle_type == "小型轿车"  # loaded before the bulk update
    cleared = VEHICLE_HEAD + "苏L12345,blue,,2,,,,\n"
    assert service.import_entities(session, admin, write_csv("vehicles.csv", cleared))["updated"] == 1
    assert (blue.vehicle_type, blue.axles) == (None, 2)
