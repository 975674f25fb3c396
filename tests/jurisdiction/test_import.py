"""Jurisdiction and unit imports: all-or-nothing, an error per feature, editions kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import DATA, load_small_map, map_doc
from zhifa.core.audit import SYSTEM, AuditLog
from zhifa.core.errors import ImportRejected
from zhifa.imports import run_import
from zhifa.jurisdiction import service
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature


def _import_doc(session: Session, doc: dict[str, Any]) -> dict[str, Any]:
    return run_import(session, SYSTEM, "jurisdiction", Path("map.geojson"), json.dumps(doc).encode())


def _count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_and_route(session: Session) -> None:
    load_small_map(session)
    assert _count(session, JurisdictionEdition) == 1
    assert _count(session, JurisdictionFeature) == 8
    a = service.route(session, "road.overload", "G312 K110+000")
    assert (a.unit, a.mode) == ("RD2", "strip")
    audit_rows = session.scalars(select(AuditLog).where(AuditLog.entity_type == "jurisdiction_edition")).all()
    assert len(audit_rows) == 1 and audit_rows[0].after["features"] == 8


def test_a_new_import_is_a_new_edition_and_routing_follows_it(session: Session) -> None:
    load_small_map(session)
    doc = map_doc()
    for f in doc["features"]:
        if f["properties"]["name"] == "G312 西段":
            f["properties"]["unit"] = "RD2"
    _import_doc(session, doc)
    assert _count(session, JurisdictionEdition) == 2
    assert service.route(session, "road.overload", "G312 K105+000").unit == "RD2"
    # The first edition is still there, for the audit trail.
    first = service.list_editions(session)[-1]
    assert len(service.edition_features(session, first.id)) == 8


def _mutate(doc: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    for f in doc["features"]:
        if f["properties"]["name"] == name:
            geometry = changes.pop("geometry", None)
            if geometry is not None:
                f["geometry"] = geometry
            f["properties"].update(changes)
    return doc


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[119.28, 32.1], [119.45, 32.3], [119.45, 32.1], [119.28, 32.3], [119.28, 32.1]]],
}


@pytest.mark.parametrize(
    ("name", "changes", "expect"),
    [
        ("甲板块", {"unit": "NOPE"}, "unknown unit 'NOPE'"),
        ("甲板块", {"geometry": BOWTIE}, "invalid geometry"),
        (
            "甲板块",
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[119.28, 32.1], [119.46, 32.1], [119.46, 32.3], [119.28, 32.3], [119.28, 32.1]]],
                }
            },
            "overlaps",
        ),
        ("G312 东段", {"from_km": 111}, "gap"),
        ("G312 东段", {"from_km": 109}, "overlaps"),
        ("G312 东段", {"from_km": 121}, "less than to_km"),
        ("G312 东段", {"route": ""}, "needs its route"),
        (
            "测试港区",
            {"geometry": {"type": "LineString", "coordinates": [[119.35, 32.24], [119.36, 32.24]]}},
            "must be Polygon",
        ),
        ("测试港区", {"kind": "harbour"}, "unknown kind"),
        ("S243 全段", {"geometry": {"type": "LineString", "coordinates": [[119.42, 32.12]]}}, "at least 2 positions"),
        (
            "S243 全段",
            {"geometry": {"type": "LineString", "coordinates": [[32.12, 119.42], [32.18, 119.42]]}},
            "outside lon",
        ),
        (
            "乙板块",
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[119.45, 32.1], [119.62, 32.1], [119.62, 32.3], [119.45, 32.3]]],
                }
            },
            "closed",
        ),
        ("乙板块", {"unit": "MSA"}, "external authority"),
    ],
)
def test_bad_features_import_nothing(session: Session, name: str, changes: dict[str, Any], expect: str) -> None:
    load_small_map(session)
    before = (_count(session, JurisdictionEdition), _count(session, JurisdictionFeature), _count(session, AuditLog))
    with pytest.raises(ImportRejected) as exc:
        _import_doc(session, _mutate(map_doc(), name, **changes))
    messages = [str(e) for e in exc.value.errors]
    assert any(expect in m for m in messages), messages
    assert any(name in m for m in messages), messages  # the report names the feature
    after = (_count(session, JurisdictionEdition), _count(session, JurisdictionFeature), _count(session, AuditLog))
    assert after == before


def test_every_bad_feature_is_reported(session: Session) -> None:
    load_small_map(session)
    doc = _mutate(_mutate(map_doc(), "甲板块", unit="X1"), "乙板块", unit="X2")
    with pytest.raises(ImportRejected) as exc:
        _import_doc(session, doc)
    assert len(exc.value.errors) == 2


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"type": "FeatureCollection", "features": []}', b"\xff\xfe"])
def test_not_a_feature_collection(session: Session, raw: bytes) -> None:
    load_small_map(session)
    with pytest.raises(ImportRejected):
        run_import(session, SYSTEM, "jurisdiction", Path("x.geojson"), raw)


def test_units_need_exactly_one_command_center(session: Session) -> None:
    text = (DATA / "units.csv").read_text("utf-8").replace("CC,指挥中心,command_center", "CC,指挥中心,department")
    with pytest.raises(ImportRejected, match="units import"):
        run_import(session, SYSTEM, "units", Path("units.csv"), text.encode())
    two = (DATA / "units.csv").read_text("utf-8") + "CC2,第二指挥中心,command_center,ZJ,,\n"
    with pytest.raises(ImportRejected) as exc:
        run_import(session, SYSTEM, "units", Path("units.csv"), two.encode())
    assert "exactly one unit of kind command_center" in str(exc.value.errors[0])


def test_units_csv_in_gbk_and_with_bom(session: Session) -> None:
    text = (DATA / "units.csv").read_text("utf-8")
    assert run_import(session, SYSTEM, "units", Path("u.csv"), text.encode("gbk"))["created"] == 12
    again = run_import(
        session, SYSTEM, "units", Path("u.csv"), b"\xef\xbb\xbf" + text.replace("测试支队", "镇江支队").encode()
    )
    assert again == {"created": 0, "updated": 1, "unchanged": 11}


@pytest.mark.parametrize(
    ("row", "expect"),
    [
        ("X,某单位,brigade,ZJ,,", "unknown kind"),
        ("X,某单位,strip_brigade,ZJ,,", "needs line"),
        ("X,某单位,block_brigade,ZJ,road,", "line is only for strip_brigade"),
        ("X,某单位,squadron,NOPE,,", "unknown parent"),
        ("X,,squadron,ZJ,,", "name is empty"),
        ("X Y,某单位,squadron,ZJ,,", "code must be"),
    ],
)
def test_bad_unit_rows(session: Session, row: str, expect: str) -> None:
    text = (DATA / "units.csv").read_text("utf-8") + row + "\n"
    with pytest.raises(ImportRejected) as exc:
        run_import(session, SYSTEM, "units", Path("units.csv"), text.encode())
    assert any(expect in str(e) and "row 14" in str(e) for e in exc.value.errors), exc.value.errors


def test_duties_validation(session: Session) -> None:
    load_small_map(session, duties=False)
    bad = (DATA / "duties.csv").read_text(
        "utf-8"
    ) + "D006,重复事项,road.overload,strip,,,road,x\nD007,移送给科室,x.y,referral,FZ,,,x\n"
    with pytest.raises(ImportRejected) as exc:
        run_import(session, SYSTEM, "duties", Path("duties.csv"), bad.encode())
    text = " | ".join(str(e) for e in exc.value.errors)
    assert "already covered by duty D001" in text and "external_authority" in text
