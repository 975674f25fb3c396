"""Listing, masking, export and locating registered entities."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core.audit import Actor, AuditLog
from zhifa.core.errors import BadRequest, Forbidden
from zhifa.registry import service
from zhifa.registry.models import Enterprise, Vehicle

USCC_A = "91321100MA11111103"
USCC_B = "91321102MA1AAAAA1D"
RID_1 = "321102198001011239"
RID_2 = "321102199002152345"

FILES = {
    "enterprises.csv": (
        "uscc,name,business,address,lon,lat,legal_rep,licence_no,licence_expiry,phone\n"
        f"{USCC_A},镇江顺达物流有限公司,logistics,京口区学府路1号,119.45,32.20,张三丰,L-1,2027-06-30,13912345678\n"
        f"{USCC_B},镇江江天出租汽车公司,taxi,,,,李四,,,\n"
    ),
    "vehicles.csv": (
        "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
        f"苏L12345,blue,小型轿车,2,{USCC_B},,,\n"
        f"苏L12345,yellow,重型半挂牵引车,6,{USCC_A},C-1,valid,2027-01-31\n"
        f"苏L67890,yellow,重型货车,3,{RID_1},,,\n"
        "苏L11111,yellow,重型货车,3,91321111MA1BBBBB2R,,,\n"
    ),
    "vessels.csv": (
        "mmsi,name,ship_type,owner,certificates\n"
        f"413123456,苏镇江货1234,散货船,{RID_2},国籍证书:2021A0001:2030-01-01\n"
    ),
    "persons.csv": (
        "id_type,id_number,name,phone\n"
        f"resident_id,{RID_1},王五,13800001111\n"
        f"resident_id,{RID_2},欧阳娜娜,\n"
    ),
    "sites.csv": (
        "code,name,site_type,lon,lat,address\n"
        "ZJ-RAIL,镇江站,railway_station,119.4305,32.2049,\n"
        "SP-9,无坐标点,service_point,,,\n"
    ),
}


@pytest.fixture
def loaded(session: Session, admin: Actor, write_csv: Callable[..., Path]) -> Session:
    for name, text in FILES.items():
        service.import_entities(session, admin, write_csv(name, text))
    return session


def reads(session: Session) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == "read")))


def test_persons_are_masked_for_an_officer_and_not_audited(loaded: Session, officer: Actor) -> None:
    page = service.list_entities(loaded, officer, "persons")
    assert page["total"] == 2
    first = page["items"][0]
    assert (first["id_number"], first["name"], first["phone"]) == ("321***********1239", "王*", "138****1111")
    assert page["items"][1]["name"] == "欧***"
    assert reads(loaded) == []


def test_persons_are_plain_for_an_admin_and_the_read_is_audited(loaded: Session, admin: Actor) -> None:
    page = service.list_entities(loaded, admin, "person", q="王")
    assert [(i["id_number"], i["name"]) for i in page["items"]] == [(RID_1, "王五")]
    (row,) = reads(loaded)
    assert (row.entity_type, row.actor) == ("person", admin.username)
    assert row.after["keys"] == [f"resident_id:{RID_1}"] and row.after["q"] == "王"


@pytest.mark.parametrize(
    ("actor_roles", "legal_rep", "phone"),
    [(frozenset({"officer"}), "张**", "139****5678"), (frozenset({"leader"}), "张三丰", "13912345678")],
)
def test_enterprise_contact_masking(
    loaded: Session, actor_roles: frozenset[str], legal_rep: str, phone: str
) -> None:
    page = service.list_entities(loaded, Actor("x", actor_roles), "enterprise", q="顺达")
    (item,) = page["items"]
    assert (item["legal_rep"], item["phone"], item["uscc"]) == (legal_rep, phone, USCC_A)


def test_owner_who_is_a_person_is_masked_but_a_company_is_not(loaded: Session, officer: Actor) -> None:
    items = {
        (i["plate"], i["plate_color"]): i for i in service.list_entities(loaded, officer, "vehicle")["items"]
    }
    assert items[("苏L67890", "yellow")]["owner"] == "321***********1239"
    assert items[("苏L12345", "yellow")]["owner"] == USCC_A
    assert items[("苏L12345", "yellow")]["owner_name"] == "镇江顺达物流有限公司"
    assert items[("苏L11111", "yellow")]["owner_name"] is None
    vessel = service.list_entities(loaded, officer, "vessel")["items"][0]
    assert vessel["owner"] == "321***********2345"
    assert vessel["certificates"][0]["number"] == "2021A0001"


@pytest.mark.parametrize(
    ("kind", "q", "expected"),
    [
        ("vehicle", "l1234", [("苏L12345", "blue"), ("苏L12345", "yellow")]),
        ("vehicle", USCC_A, [("苏L12345", "yellow")]),
        ("enterprise", "江天", [USCC_B]),
        ("enterprise", "MA1AAA", [USCC_B]),
        ("vessel", "4131", ["413123456"]),
        ("vessel", "镇江货", ["413123456"]),
        ("site", "rail", ["ZJ-RAIL"]),
        ("site", "50%", []),
    ],
)
def test_search(loaded: Session, officer: Actor, kind: str, q: str, expected: list[object]) -> None:
    items = service.list_entities(loaded, officer, kind, q=q)["items"]
    spec = service.SPECS[kind]
    got = [tuple(i[k] for k in spec.key) if len(spec.key) > 1 else i[spec.key[0]] for i in items]
    assert got == expected


def test_officer_finds_a_person_only_by_exact_number(loaded: Session, officer: Actor) -> None:
    assert service.list_entities(loaded, officer, "person", q="王")["total"] == 0
    assert service.list_entities(loaded, officer, "person", q=RID_1[:6])["total"] == 0
    found = service.list_entities(loaded, officer, "person", q=RID_1)
    assert [i["id_number"] for i in found["items"]] == ["321***********1239"]


def test_pagination(loaded: Session, officer: Actor) -> None:
    page = service.list_entities(loaded, officer, "vehicle", page=2, per_page=3)
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 3, 1)
    with pytest.raises(BadRequest):
        service.list_entities(loaded, officer, "vehicle", page=0)
    with pytest.raises(BadRequest):
        service.list_entities(loaded, officer, "vehicle", per_page=service.MAX_PER_PAGE + 1)


def test_listing_needs_a_role(loaded: Session) -> None:
    with pytest.raises(Forbidden):
        service.list_entities(loaded, Actor("nobody"), "vehicle")


def test_export_is_masked_like_the_list(loaded: Session, officer: Actor, admin: Actor) -> None:
    header, rows = service.export_rows(loaded, officer, "persons")
    assert header == ["id_type", "id_number", "name", "phone"]
    assert rows[0] == ["resident_id", "321***********1239", "王*", "138****1111"]
    assert reads(loaded) == []
    _, plain = service.export_rows(loaded, admin, "persons")
    assert plain[0] == ["resident_id", RID_1, "王五", "13800001111"]
    assert [r.entity_id for r in reads(loaded)] == ["export"]


def test_unmasked_export_reimports(loaded: Session, admin: Actor, write_csv: Callable[..., Path]) -> None:
    for kind in ("enterprise", "vehicle", "vessel", "site"):
        header, rows = service.export_rows(loaded, admin, kind)
        text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
        result = service.import_entities(loaded, admin, write_csv("export.csv", text), kind=kind)
        assert result["unchanged"] == result["rows"] == len(rows), kind


# --------------------------------------------------------------------------- locate


@pytest.mark.parametrize(
    ("kind", "key", "expected"),
    [
        ("site", "ZJ-RAIL", (119.4305, 32.2049, "镇江站（火车站）")),
        ("site", "zj-rail", (119.4305, 32.2049, "镇江站（火车站）")),
        ("site", "SP-9", (None, None, "无坐标点（服务点）")),
        ("site", "NOPE", None),
        ("entity", USCC_A, (119.45, 32.20, "企业 镇江顺达物流有限公司")),
        ("entity", USCC_B, (None, None, "企业 镇江江天出租汽车公司")),
        ("entity", "91321111MA1BBBBB2R", None),
        (
            "entity",
            "苏L12345/yellow",
            (119.45, 32.20, "车辆 苏L12345（黄牌），所属企业 镇江顺达物流有限公司"),
        ),
        ("entity", "苏L12345/黄", (119.45, 32.20, "车辆 苏L12345（黄牌），所属企业 镇江顺达物流有限公司")),
        ("entity", "苏L12345/blue", (None, None, "车辆 苏L12345（蓝牌），所属企业 镇江江天出租汽车公司")),
        ("entity", "苏L67890", (None, None, "车辆 苏L67890（黄牌）")),
        ("entity", "苏L11111", (None, None, "车辆 苏L11111（黄牌）")),
        ("entity", "苏L99999", None),
        ("entity", "413123456", (None, None, "苏镇江货1234（MMSI 413123456）")),
        ("entity", "413999999", None),
        ("entity", f"enterprise:{USCC_A}", (119.45, 32.20, "企业 镇江顺达物流有限公司")),
        ("entity", "vessel:413123456", (None, None, "苏镇江货1234（MMSI 413123456）")),
        ("entity", "site:ZJ-RAIL", (119.4305, 32.2049, "镇江站（火车站）")),
        ("entity", "not an id", None),
    ],
)
def test_locate(loaded: Session, kind: str, key: str, expected: object) -> None:
    assert service.locate(loaded, kind, key) == expected


def test_locate_by_internal_id(loaded: Session) -> None:
    ent_id = loaded.scalar(select(Enterprise.id).where(Enterprise.uscc == USCC_A))
    veh_id = loaded.scalar(select(Vehicle.id).where(Vehicle.plate == "苏L12345", Vehicle.plate_color == "blue"))
    assert service.locate(loaded, "entity", f"enterprise:{ent_id}") == (119.45, 32.20, "企业 镇江顺达物流有限公司")
    found = service.locate(loaded, "entity", f"vehicle:{veh_id}")
    assert found is not None and found[2].startswith("车辆 苏L12345（蓝牌）")


def test_plate_without_colour_shared_by_two_vehicles_is_ambiguous(loaded: Session) -> None:
    with pytest.raises(BadRequest) as exc:
        service.locate(loaded, "entity", "苏L12345")
    assert "ambiguous" in exc.value.message and "/blue" in exc.value.message
    assert "请加上颜色" in exc.value.message_zh


@pytest.mark.parametrize("key", ["苏L12345/purple", "苏L12345/green", "vehicle:苏L1234"])
def test_locate_with_a_malformed_plate_is_a_bad_request(loaded: Session, key: str) -> None:
    with pytest.raises(BadRequest):
        service.locate(loaded, "entity", key)
