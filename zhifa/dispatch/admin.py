"""Dispatch configuration stored in the database: the SLA ladders (task kind × priority) and the
settings of docs/dispatch.md. The migration seeds the defaults; administrators edit them, and
every edit is audited with before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import utcnow
from zhifa.core.errors import BadRequest, NotFound
from zhifa.dispatch.config import DispatchConfig
from zhifa.dispatch.models import DispatchSetting, SlaPolicy
from zhifa.dispatch.sla import PRIORITIES, TASK_KINDS, Ladder


def policy_dict(p: SlaPolicy) -> dict[str, Any]:
    return {
        "task_kind": p.task_kind,
        "priority": p.priority,
        "accept_min": p.accept_min,
        "arrive_min": p.arrive_min,
        "feedback_min": p.feedback_min,
        "remind_before_min": p.remind_before_min,
        "center_after_min": p.center_after_min,
        "source": p.source,
        "updated_by": p.updated_by,
        "updated_at": p.updated_at.isoformat(),
    }


def list_policies(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(SlaPolicy))
    order = {k: i for i, k in enumerate(TASK_KINDS)} | {p: i for i, p in enumerate(PRIORITIES)}
    return [policy_dict(p) for p in sorted(rows, key=lambda p: (order.get(p.task_kind, 99), order.get(p.priority, 99)))]


def ladder_for(session: Session, task_kind: str, priority: str) -> Ladder:
    """The ladder in force for a task kind and priority; a missing row is a configuration error
    the duty officer must see, never a silent default."""
    row = session.scalar(select(SlaPolicy).where(SlaPolicy.task_kind == task_kind, SlaPolicy.priority == priority))
    if row is None:
        raise BadRequest(
            f"no SLA policy for task kind {task_kind!r} and priority {priority!r}: an administrator must add one "
            "(PUT /api/v1/sla-policies/{kind}/{priority})",
            f"未配置“{task_kind}/{priority}”的时限标准，请管理员配置",
        )
    return Ladder(row.accept_min, row.arrive_min, row.feedback_min, row.remind_before_min, row.center_after_min)


def put_policy(session: Session, actor: Actor, task_kind: str, priority: str, values: dict[str, Any]) -> dict[str, Any]:
    require(actor, "admin")
    if task_kind not in TASK_KINDS:
        raise NotFound(f"unknown task kind {task_kind!r}; kinds: {', '.join(TASK_KINDS)}", "未知的指令类型")
    if priority not in PRIORITIES:
        raise NotFound(f"unknown priority {priority!r}; priorities: {', '.join(PRIORITIES)}", "未知的优先级")
    source = values.get("source")
    try:
        ladder = Ladder.from_dict({k: v for k, v in values.items() if k != "source"})
    except ValueError as exc:
        raise BadRequest(f"invalid SLA ladder: {exc}", f"时限标准无效：{exc}") from exc
    row = session.scalar(select(SlaPolicy).where(SlaPolicy.task_kind == task_kind, SlaPolicy.priority == priority))
    before = policy_dict(row) if row else None
    if row is None:
        row = SlaPolicy(task_kind=task_kind, priority=priority)
        session.add(row)
    for k, v in ladder.as_dict().items():
        setattr(row, k, v)
    if source is not None:
        row.source = str(source)[:2000] or None
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    after = policy_dict(row)
    audit.record(
        session, actor, "update" if before else "create", "sla_policy", f"{task_kind}/{priority}", before, after
    )
    return after


# --------------------------------------------------------------------------- settings


def current_config(session: Session) -> DispatchConfig:
    """The settings in force: the stored rows over the defaults (a key never stored keeps its default)."""
    stored = {row.key: row.value for row in session.scalars(select(DispatchSetting))}
    known = {k: v for k, v in stored.items() if k in DispatchConfig.__dataclass_fields__}
    return DispatchConfig.from_dict(known)


def settings_rows(session: Session) -> list[dict[str, Any]]:
    cfg = current_config(session).as_dict()
    rows = {r.key: r for r in session.scalars(select(DispatchSetting))}
    return [
        {
            "key": k,
            "value": v,
            "source": rows[k].source if k in rows else None,
            "updated_by": rows[k].updated_by if k in rows else None,
            "updated_at": rows[k].updated_at.isoformat() if k in rows else None,
        }
        for k, v in cfg.items()
    ]


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    require(actor, "admin")
    before = current_config(session)
    try:
        after = DispatchConfig.from_dict(before.as_dict() | changes)
    except ValueError as exc:
        raise BadRequest(f"invalid dispatch settings: {exc}", f"指挥调度参数无效：{exc}") from exc
    rows = {r.key: r for r in session.scalars(select(DispatchSetting))}
    old, new = before.as_dict(), after.as_dict()
    for key in changes:
        row = rows.get(key)
        if row is None:
            row = DispatchSetting(key=key)
            session.add(row)
        row.value, row.updated_by, row.updated_at = new[key], actor.username, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "dispatch_settings",
        "dispatch",
        {k: old[k] for k in changes},
        {k: new[k] for k in changes},
    )
    return new
