"""Items import: good JSON, all-or-nothing per-item errors, re-import replaces tiers, audit."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.catalog import service
from zhifa.catalog.models import DiscretionTier, EnforcementItem
from zhifa.core.audit import Actor, AuditLog
from zhifa.core.errors import BadRequest, Forbidden, ImportRejected

OVERLOAD: dict[str, Any] = {
    "code": "CF-001",
    "kind": "penalty",
    "title": "车辆超限运输",
    "matter": "road.overload",
    "legal_basis": [
        {"law": "公路安全保护条例", "article": "第六十四条"},
        {"law": "超限运输车辆行驶公路管理规定", "article": "第四十三条"},
    ],
    "discretion": [
        {"tier": "轻微", "condition": "超限 1000 千克以下", "min_yuan": None, "max_yuan": None, "warning": True},
        {
            "tier": "一般",
            "condition": "每超限 1000 千克罚款 500 元",
            "min_yuan": 500,
            "max_yuan": 30000,
            "warning": False,
        },
    ],
}
INSPECTION: dict[str, Any] = {
    "code": "JC-001",
    "kind": "inspection",
    "title": "道路运输经营监督检查",
    "matter": "freight.operation",
    "legal_basis": [{"law": "道路运输条例", "article": "第六十条"}],
}
DETENTION: dict[str, Any] = {
    "code": "QZ-001",
    "kind": "coercive",
    "title": "暂扣无车辆营运证的车辆",
    "matter": None,
    "legal_basis": [{"law": "道路运输条例", "article": "第六十二条"}],
    "discretion": [],
}


def write(tmp_path: Path, items: Any, encoding: str = "utf-8") -> Path:
    path = tmp_path / "items.json"
    path.write_bytes(json.dumps(items, ensure_ascii=False).encode(encoding))
    return path


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_file(session: Session, admin: Actor, tmp_path: Path, encoding: str) -> None:
    result = service.import_items(session, admin, write(tmp_path, [OVERLOAD, INSPECTION, DETENTION], encoding))
    assert result == {"items": 3, "created": 3, "updated": 0, "unchanged": 0}
    items = service.list_items(session)
    assert [i["code"] for i in items] == ["CF-001", "JC-001", "QZ-001"]
    assert items[0]["discretion"][1] == {
        "tier": "一般",
        "condition": "每超限 1000 千克罚款 500 元",
        "min_yuan": "500.00",
        "max_yuan": "30000.00",
        "warning": False,
    }
    assert items[0]["legal_basis"][1] == {"law": "超限运输车辆行驶公路管理规定", "article": "第四十三条"}
    assert items[2]["matter"] is None and items[2]["discretion"] == []
    audits = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert [(a.action, a.entity_type, a.entity_id) for a in audits] == [
        ("create", "enforcement_item", "CF-001"),
        ("create", "enforcement_item", "JC-001"),
        ("create", "enforcement_item", "QZ-001"),
    ]


@pytest.mark.parametrize(
    ("bad", "where", "field"),
    [
        (
            OVERLOAD | {"discretion": [{"tier": "一般", "condition": "x", "min_yuan": 800, "max_yuan": 500}]},
            "item 2 (CF-001)",
            "discretion[1].max_yuan",
        ),
        (INSPECTION | {"code": "CF-009", "discretion": OVERLOAD["discretion"]}, "item 2 (CF-009)", "discretion"),
        (OVERLOAD | {"discretion": []}, "item 2 (CF-001)", "discretion"),
        (OVERLOAD | {"legal_basis": [{"law": "公路法", "article": " "}]}, "item 2 (CF-001)", "legal_basis[1].article"),
        (INSPECTION, "item 2 (JC-001)", "code"),  # the same code twice
        ("CF-002", "item 2", "item"),
    ],
)
def test_one_bad_item_imports_nothing_and_is_named(
    session: Session, admin: Actor, tmp_path: Path, bad: Any, where: str, field: str
) -> None:
    with pytest.raises(ImportRejected) as exc:
        service.import_items(session, admin, write(tmp_path, [INSPECTION, bad, DETENTION]))
    assert [(e.where, e.field) for e in exc.value.errors] == [(where, field)]
    assert "item 2" in str(exc.value.errors[0])
    assert count(session, EnforcementItem) == 0
    assert count(session, AuditLog) == 0


def test_reimport_replaces_tiers_and_audits_before_and_after(session: Session, admin: Actor, tmp_path: Path) -> None:
    service.import_items(session, admin, write(tmp_path, [OVERLOAD, INSPECTION]))
    new_tiers = [
        {
            "tier": "一般",
            "condition": "超限 1000 至 5000 千克",
            "min_yuan": "500",
            "max_yuan": "2500",
            "warning": False,
        },
        {"tier": "较重", "condition": "超限 5000 千克以上", "min_yuan": 2500, "max_yuan": 30000},
        {"tier": "严重", "condition": "一年内三次以上", "min_yuan": 30000, "max_yuan": 30000},
    ]
    result = service.import_items(session, admin, write(tmp_path, [OVERLOAD | {"discretion": new_tiers}, INSPECTION]))
    assert result == {"items": 2, "created": 0, "updated": 1, "unchanged": 1}
    stored = session.execute(
        select(DiscretionTier.seq, DiscretionTier.tier, DiscretionTier.max_yuan).order_by(DiscretionTier.seq)
    )
    assert [tuple(r) for r in stored] == [
        (1, "一般", Decimal("2500")),
        (2, "较重", Decimal("30000")),
        (3, "严重", Decimal("30000")),
    ]
    spec = service.get_item(session, "CF-001")
    assert [t.tier for t in spec.tiers] == ["一般", "较重", "严重"] and spec.tiers[0].min_yuan == Decimal("500.00")
    (update,) = session.scalars(select(AuditLog).where(AuditLog.action == "update"))
    assert update.entity_id == "CF-001"
    assert [t["tier"] for t in update.before["discretion"]] == ["轻微", "一般"]
    assert [t["tier"] for t in update.after["discretion"]] == ["一般", "较重", "严重"]


@pytest.mark.parametrize(
    ("kind", "q", "codes"),
    [
        (None, None, ["CF-001", "JC-001", "QZ-001"]),
        ("penalty", None, ["CF-001"]),
        (None, "暂扣", ["QZ-001"]),
        (None, "road.", ["CF-001"]),
        ("inspection", "超限", []),
    ],
)
def test_list_filters(
    session: Session, admin: Actor, tmp_path: Path, kind: str | None, q: str | None, codes: list[str]
) -> None:
    service.import_items(session, admin, write(tmp_path, [OVERLOAD, INSPECTION, DETENTION]))
    assert [i["code"] for i in service.list_items(session, kind=kind, q=q)] == codes


@pytest.mark.parametrize(
    ("content", "message"),
    [(b'{"code": "x"}', "JSON list"), (b"[{", "not valid JSON")],
)
def test_malformed_files_are_refused(session: Session, admin: Actor, content: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        service.import_items(session, admin, Path("items.json"), data=content)


def test_only_admins_import(session: Session, tmp_path: Path) -> None:
    with pytest.raises(Forbidden):
        service.import_items(session, Actor("u", frozenset({"officer"})), write(tmp_path, [INSPECTION]))
