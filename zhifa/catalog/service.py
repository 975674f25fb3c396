"""Catalogue services: importing and listing enforcement items with their discretion benchmarks.

The import (docs/import-formats.md, ``items``) is all-or-nothing: every item is validated by
:mod:`zhifa.catalog.rules` first, errors are reported per item (``item N (code): field: reason``),
and only a clean file is written. Items are upserted by code; a changed item's tiers are replaced
as a whole. Every created or changed item gets an audit row; services never commit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhifa.catalog.models import DiscretionTier, EnforcementItem
from zhifa.catalog.rules import ITEM_KINDS, ItemSpec, LegalBasis, RuleError, Tier, parse_item
from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.errors import BadRequest, NotFound, Report
from zhifa.core.tabular import decode_text


def _load_json(path: Path, data: bytes | None) -> Any:
    raw = path.read_bytes() if data is None else data
    try:
        return json.loads(decode_text(raw))
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列",
        ) from exc


def import_items(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, int]:
    """Import an items file (a JSON list of objects), all-or-nothing; upsert by code.
    Returns ``{"items", "created", "updated", "unchanged"}``."""
    require(actor, "admin")
    doc = _load_json(path, data)
    if not isinstance(doc, list):
        raise BadRequest("the items file must be a JSON list of objects", "权责清单文件应为 JSON 数组")
    report = Report()
    if not doc:
        report.add("file", "no items")
    specs: dict[str, ItemSpec] = {}
    first: dict[str, int] = {}
    for n, obj in enumerate(doc, start=1):
        code = obj.get("code") if isinstance(obj, dict) else None
        where = f"item {n} ({code})" if isinstance(code, str) and code.strip() else f"item {n}"
        try:
            spec = parse_item(obj)
        except RuleError as exc:
            for problem in exc.problems:
                report.add(where, problem.reason, problem.field)
            continue
        if spec.code in specs:
            report.add(where, f"duplicate code {spec.code} (first as item {first[spec.code]})", "code")
            continue
        specs[spec.code] = spec
        first[spec.code] = n
    report.raise_if_any("items import")

    stmt = select(EnforcementItem).where(EnforcementItem.code.in_(list(specs)))
    existing = {i.code: i for i in session.scalars(stmt)}
    tiers = _tiers_by_item(session, [i.id for i in existing.values()])
    created = updated = 0
    for code, spec in specs.items():
        after = spec.as_dict()
        item = existing.get(code)
        before = _snapshot(item, tiers.get(item.id, [])) if item is not None else None
        if before == after:
            continue
        if item is None:
            item = EnforcementItem(code=code)
            session.add(item)
            created += 1
        else:
            for old in tiers.get(item.id, []):
                session.delete(old)
            updated += 1
        item.kind, item.title, item.matter = spec.kind, spec.title, spec.matter
        item.legal_basis = [b.as_dict() for b in spec.legal_basis]
        session.flush()  # old tiers gone (UNIQUE item_id, seq) and a new item has its id
        for seq, tier in enumerate(spec.tiers, start=1):
            session.add(
                DiscretionTier(
                    item_id=item.id,
                    seq=seq,
                    tier=tier.tier,
                    condition=tier.condition,
                    min_yuan=tier.min_yuan,
                    max_yuan=tier.max_yuan,
                    warning=tier.warning,
                )
            )
        audit.record(session, actor, "create" if before is None else "update", "enforcement_item", code, before, after)
    session.flush()
    return {"items": len(specs), "created": created, "updated": updated, "unchanged": len(specs) - created - updated}


def _tiers_by_item(session: Session, item_ids: list[int]) -> dict[int, list[DiscretionTier]]:
    out: dict[int, list[DiscretionTier]] = {}
    if not item_ids:
        return out
    stmt = (
        select(DiscretionTier)
        .where(DiscretionTier.item_id.in_(item_ids))
        .order_by(DiscretionTier.item_id, DiscretionTier.seq)
        .execution_options(populate_existing=True)
    )
    for tier in session.scalars(stmt):
        out.setdefault(tier.item_id, []).append(tier)
    return out


def _spec(item: EnforcementItem, tiers: list[DiscretionTier]) -> ItemSpec:
    """The stored item as the pure representation (re-validated: a bad row cannot slip out)."""
    return ItemSpec(
        code=item.code,
        kind=item.kind,
        title=item.title,
        matter=item.matter,
        legal_basis=tuple(LegalBasis(b["law"], b["article"]) for b in item.legal_basis),
        tiers=tuple(
            Tier(
                tier=t.tier,
                condition=t.condition,
                min_yuan=None if t.min_yuan is None else t.min_yuan.quantize(_CENT),
                max_yuan=None if t.max_yuan is None else t.max_yuan.quantize(_CENT),
                warning=t.warning,
            )
            for t in tiers
        ),
    )


_CENT = Decimal("0.01")


def _snapshot(item: EnforcementItem, tiers: list[DiscretionTier]) -> dict[str, Any]:
    return _spec(item, tiers).as_dict()


def list_items(session: Session, kind: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
    """Items as plain dicts (``code, kind, title, matter, legal_basis, discretion``), ordered by
    code; amounts are decimal strings (``"500.00"``) or ``None``. ``q`` matches code, title or
    matter by substring."""
    stmt = select(EnforcementItem).order_by(EnforcementItem.code)
    if kind:
        if kind not in ITEM_KINDS:
            raise BadRequest(f"unknown kind {kind!r}; one of {', '.join(ITEM_KINDS)}", f"未知的事项类别“{kind}”")
        stmt = stmt.where(EnforcementItem.kind == kind)
    if q and q.strip():
        needle = q.strip()
        stmt = stmt.where(
            or_(
                EnforcementItem.code.icontains(needle, autoescape=True),
                EnforcementItem.title.icontains(needle, autoescape=True),
                EnforcementItem.matter.icontains(needle, autoescape=True),
            )
        )
    items = list(session.scalars(stmt))
    tiers = _tiers_by_item(session, [i.id for i in items])
    return [_snapshot(i, tiers.get(i.id, [])) for i in items]


def get_item(session: Session, code: str) -> ItemSpec:
    """One item as the pure representation (Decimal amounts), for discretion decisions."""
    item = session.scalar(select(EnforcementItem).where(EnforcementItem.code == code))
    if item is None:
        raise NotFound(f"enforcement item {code} not found", f"执法事项 {code} 不存在")
    return _spec(item, _tiers_by_item(session, [item.id]).get(item.id, []))
