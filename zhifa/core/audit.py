"""The audit trail: one row for every write (who, when, what, before, after), written by the
service that makes the change, in the same transaction. Reads of personal data and of vehicle or
vessel histories are audited too (action ``read``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, UTCDateTime


@dataclass(frozen=True)
class Actor:
    """Who does something: a user, a device or the system (CLI run by the local administrator)."""

    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    unit_code: str | None = None
    user_id: int | None = None
    kind: str = "user"  # user | device | system

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


SYSTEM = Actor(username="system", roles=frozenset({"admin"}), kind="system")


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False, default="user")
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(48), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(128), nullable=False)
    before: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    after: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)

    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> AuditLog:
    row = AuditLog(
        at=utcnow(),
        actor=actor.username,
        actor_kind=actor.kind,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
        note=note[:500] if note else None,
    )
    session.add(row)
    return row
