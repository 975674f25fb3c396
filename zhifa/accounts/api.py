from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from zhifa.core import auth
from zhifa.core.api import DB, SESSION_COOKIE, CurrentActor, role, token_from
from zhifa.core.audit import Actor, AuditLog
from zhifa.core.clock import to_shanghai
from zhifa.core.config import get_settings

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenIn(BaseModel):
    label: str = Field(default="api", max_length=64)
    hours: int = Field(default=24 * 30, ge=1, le=24 * 366)


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=10, max_length=200)
    display_name: str = Field(min_length=1, max_length=64)
    roles: list[str]
    unit_code: str | None = None


def _me(actor: Actor, session: DB) -> dict[str, Any]:
    user = session.get(auth.User, actor.user_id) if actor.user_id else None
    return {
        "username": actor.username,
        "display_name": user.display_name if user else actor.username,
        "roles": sorted(actor.roles),
        "unit": actor.unit_code,
        "can_see_personal_data": auth.can_see_pii(actor),
    }


@router.post("/auth/login")
def login(body: LoginIn, response: Response, session: DB) -> dict[str, Any]:
    # The password check (argon2, deliberately slow) runs in a read transaction: on SQLite the
    # write lock is taken only to store the token, so a crowd logging in at once queues for
    # milliseconds each, not for the hashing of everyone before them.
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_readonly": True})
    user = auth.authenticate(session, body.username, body.password)
    session.commit()
    hours = get_settings().token_hours
    token = auth.issue_token(session, user, "session", hours)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=hours * 3600, path="/")
    return {"token": token, "token_type": "bearer", "expires_in": hours * 3600, "user": _me(user.actor(), session)}


@router.post("/auth/logout")
def logout(request: Request, response: Response, session: DB) -> dict[str, bool]:
    token = token_from(request)
    if token:
        auth.revoke_token(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me")
def me(actor: CurrentActor, session: DB) -> dict[str, Any]:
    return _me(actor, session)


@router.post("/auth/tokens")
def issue_api_token(body: TokenIn, actor: CurrentActor, session: DB) -> dict[str, Any]:
    user = session.get(auth.User, actor.user_id)
    if user is None:
        from zhifa.core.errors import Forbidden

        raise Forbidden("only users can hold API tokens", "仅用户账号可申请令牌")
    token = auth.issue_token(session, user, "api", body.hours, body.label)
    return {"token": token, "token_type": "bearer", "expires_in": body.hours * 3600}


@router.post("/users", status_code=201)
def create_user(body: UserIn, session: DB, actor: Actor = Depends(role("admin"))) -> dict[str, Any]:
    user = auth.create_user(session, actor, body.username, body.password, body.display_name, body.roles, body.unit_code)
    return {"username": user.username, "roles": user.roles, "unit_code": user.unit_code}


@router.get("/audit")
def audit_log(
    session: DB,
    actor: Actor = Depends(role("admin")),
    entity_type: str | None = None,
    entity_id: str | None = None,
    user: str | None = Query(default=None, alias="actor"),
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=50, ge=1, le=500),
) -> dict[str, Any]:
    q = select(AuditLog)
    if entity_type:
        q = q.where(AuditLog.entity_type == entity_type)
    if entity_id:
        q = q.where(AuditLog.entity_id == entity_id)
    if user:
        q = q.where(AuditLog.actor == user)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(AuditLog.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "items": [_audit_dict(r) for r in rows],
    }


def _audit_dict(r: AuditLog) -> dict[str, Any]:
    at: datetime = r.at
    return {
        "id": r.id,
        "at": at.isoformat(),
        "at_local": to_shanghai(at).isoformat(),
        "actor": r.actor,
        "actor_kind": r.actor_kind,
        "action": r.action,
        "entity_type": r.entity_type,
        "entity_id": r.entity_id,
        "before": r.before,
        "after": r.after,
        "note": r.note,
    }
