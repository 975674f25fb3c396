"""Users, roles, passwords (argon2) and tokens (web session cookies and API bearer tokens).

Tokens are random, shown once, stored as SHA-256 hashes, and expire; a session cookie is just a
token of kind ``session``. Role checks live here so that nothing bypasses them.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.clock import utcnow
from zhifa.core.db import Base, TimestampMixin, UTCDateTime
from zhifa.core.errors import BadRequest, Conflict, Forbidden, Unauthorized

ROLES = ("admin", "duty_officer", "leader", "officer", "legal_reviewer", "analyst")
ROLE_NAMES_ZH = {
    "admin": "系统管理员",
    "duty_officer": "指挥中心值班员",
    "leader": "大队负责人",
    "officer": "执法队员",
    "legal_reviewer": "法制审核员",
    "analyst": "研判分析员",
}
#: Roles that may see personal data (ID numbers, phones, names of private persons) unmasked.
#: 个人信息保护法 第五条、第六条: minimum necessary; others see masked values.
PII_ROLES = frozenset({"admin", "legal_reviewer", "leader"})

_hasher = PasswordHasher()


class User(Base, TimestampMixin):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(64), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    unit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def actor(self) -> Actor:
        return Actor(username=self.username, roles=frozenset(self.roles), unit_code=self.unit_code, user_id=self.id)


class AuthToken(Base):
    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # session | api
    label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "unit_code": user.unit_code,
        "active": user.active,
    }


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    roles: list[str],
    unit_code: str | None = None,
) -> User:
    require(actor, "admin")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise BadRequest(f"unknown role(s): {', '.join(unknown)}", f"未知角色：{'、'.join(unknown)}")
    if len(password) < 10:
        raise BadRequest("password must have at least 10 characters", "密码至少 10 位")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username} exists", f"用户 {username} 已存在")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=sorted(set(roles)),
        unit_code=unit_code,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.username, None, _user_snapshot(user))
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    failure = Unauthorized("wrong username or password", "用户名或密码错误")
    if user is None or not user.active:
        # Spend the same effort for unknown users, so timing does not reveal who exists.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, password)
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def issue_token(session: Session, user: User, kind: str, hours: int, label: str | None = None) -> str:
    if kind not in ("session", "api"):
        raise ValueError(kind)
    token = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            token_hash=_token_hash(token),
            user_id=user.id,
            kind=kind,
            label=label,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    audit.record(session, user.actor(), "login" if kind == "session" else "issue_token", "user", user.username)
    return token


def resolve_token(session: Session, token: str) -> User:
    # One round trip: the token and its user together.
    row = session.execute(
        select(AuthToken.revoked, AuthToken.expires_at, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == _token_hash(token))
    ).first()
    if row is None or row.revoked or row.expires_at <= utcnow():
        raise Unauthorized("invalid or expired token", "登录已失效，请重新登录")
    user: User = row.User
    if not user.active:
        raise Unauthorized("user disabled", "账号已停用")
    return user


#: Seconds a resolved token is trusted in this process before the database is asked again. A
#: logout or revocation in this process takes effect at once; in another process within this time.
TOKEN_CACHE_S = 5.0
_token_cache: dict[str, tuple[float, datetime, Actor]] = {}
_token_lock = threading.Lock()


def resolve_actor(session: Session, token: str) -> Actor:
    """The actor behind a session or API token (runs on every request; cached briefly)."""
    digest = _token_hash(token)
    now = time.monotonic()
    with _token_lock:
        hit = _token_cache.get(digest)
    if hit is not None and now - hit[0] < TOKEN_CACHE_S and hit[1] > utcnow():
        return hit[2]
    row = session.execute(
        select(
            AuthToken.revoked,
            AuthToken.expires_at,
            User.id,
            User.username,
            User.roles,
            User.unit_code,
            User.active,
        )
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == digest)
    ).first()
    if row is None or row.revoked or row.expires_at <= utcnow():
        _forget(digest)
        raise Unauthorized("invalid or expired token", "登录已失效，请重新登录")
    if not row.active:
        _forget(digest)
        raise Unauthorized("user disabled", "账号已停用")
    actor = Actor(username=row.username, roles=frozenset(row.roles), unit_code=row.unit_code, user_id=row.id)
    with _token_lock:
        if len(_token_cache) > 10_000:
            _token_cache.clear()
        _token_cache[digest] = (now, row.expires_at, actor)
    return actor


def _forget(digest: str) -> None:
    with _token_lock:
        _token_cache.pop(digest, None)


def revoke_token(session: Session, token: str) -> None:
    digest = _token_hash(token)
    _forget(digest)
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest))
    if row is not None:
        row.revoked = True


def require(actor: Actor, *roles: str) -> None:
    """Raise 403 unless the actor has one of the roles (admin has all)."""
    if not actor.has(*roles):
        raise Forbidden(
            f"requires role: {' or '.join(roles)}",
            f"需要角色：{'或'.join(ROLE_NAMES_ZH.get(r, r) for r in roles)}",
        )


def can_see_pii(actor: Actor) -> bool:
    return actor.has(*PII_ROLES)
