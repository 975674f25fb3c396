"""Notifications: reminders, escalations, replies to callers and notices to owners, on three
channels.

* ``inapp``: the row itself is the delivery; the UI lists the rows addressed to the user.
* ``webhook``: POSTed as JSON to the configured URL (timeout; attempts, error and next attempt
  recorded on the row; an ``Idempotency-Key`` header carries the row's unique key, so a receiver
  can drop a repeat after a crash between sending and recording).
* ``sms``: handed to an :class:`SmsAdapter`. The one shipped, :class:`LoggingSmsAdapter`, is the
  adapter point, not a sender: it writes the message to the log and no SMS leaves the machine;
  a gateway adapter replaces it with :func:`set_sms_adapter`.

Rows are created in the transaction that decides to notify (the scanner's step, the closing of a
lead), so a notification exists exactly when its decision was committed; ``dedup_key`` is unique
on top of that. External channels are delivered afterwards by :func:`deliver_pending`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import can_see_pii, require
from zhifa.core.clock import utcnow
from zhifa.core.errors import NotFound
from zhifa.dispatch.config import DispatchConfig
from zhifa.dispatch.models import Notification
from zhifa.org.service import visible_units
from zhifa.validation.masking import mask_phone

log = logging.getLogger(__name__)

CHANNELS = ("inapp", "webhook", "sms")


@dataclass(frozen=True)
class Target:
    audience: str
    channel: str
    address: str | None = None


@dataclass(frozen=True)
class Message:
    kind: str  # reminder | escalation | reply | notice
    entity_type: str
    entity_id: int
    title: str
    body: str
    stage: str | None = None
    step: str | None = None
    round: int = 0
    payload: dict[str, Any] = field(default_factory=dict)

    def key(self, target: Target) -> str:
        who = target.audience if target.channel != "sms" else f"{target.audience}:{target.address}"
        return f"{self.entity_type}:{self.entity_id}:r{self.round}:{self.stage}:{self.step}:{target.channel}:{who}"[
            :200
        ]


def targets(audiences: list[str], cfg: DispatchConfig, phones: list[tuple[str, str]] | None = None) -> list[Target]:
    """In-app for each audience, the webhook once if configured, an SMS to each ``(audience, phone)``."""
    out = [Target(a, "inapp") for a in dict.fromkeys(audiences)]
    if cfg.webhook_url:
        out.append(Target("webhook", "webhook", cfg.webhook_url))
    out += [Target(a, "sms", phone) for a, phone in dict.fromkeys(phones or [])]
    return out


def emit(session: Session, message: Message, to: list[Target], now: datetime | None = None) -> list[Notification]:
    """Write one row per target. A row whose key exists already is not written again (and logged:
    the callers' own compare-and-set should have prevented it)."""
    now = now or utcnow()
    rows = []
    for t in to:
        row = Notification(
            dedup_key=message.key(t),
            kind=message.kind,
            entity_type=message.entity_type,
            entity_id=message.entity_id,
            stage=message.stage,
            step=message.step,
            round=message.round,
            audience=t.audience,
            channel=t.channel,
            address=t.address,
            title=message.title[:200],
            body=message.body,
            payload=message.payload,
            # In-app: stored is delivered. Others wait for deliver_pending.
            state="sent" if t.channel == "inapp" else "pending",
            sent_at=now if t.channel == "inapp" else None,
            provider="inapp" if t.channel == "inapp" else None,
            next_attempt_at=None if t.channel == "inapp" else now,
            attempts=0,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            log.warning("notification %s exists already; not sent again", row.dedup_key)
            continue
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- channels


class DeliveryError(Exception):
    """A channel could not deliver; the row records it and retries later."""


class Channel(Protocol):
    name: str

    def deliver(self, n: Notification) -> str:
        """Deliver or raise :class:`DeliveryError`; returns what the provider said (an id, a status)."""
        ...


class SmsAdapter(Protocol):
    """What an SMS gateway must offer: send one text to one number, return the gateway's id."""

    name: str

    def send(self, phone: str, text: str, idempotency_key: str) -> str: ...


class LoggingSmsAdapter:
    """The adapter point for an SMS gateway. It sends nothing: it logs the message (the phone
    number masked) and keeps the last messages in memory for inspection; deliveries through it
    are recorded with provider ``logging``."""

    name = "logging"

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []

    def send(self, phone: str, text: str, idempotency_key: str) -> str:
        log.info("SMS (not sent: logging adapter) to %s: %s", mask_phone(phone), text)
        self.messages.append((phone, text, idempotency_key))
        del self.messages[:-1000]
        return f"logged:{len(self.messages)}"


_sms_adapter: SmsAdapter = LoggingSmsAdapter()


def get_sms_adapter() -> SmsAdapter:
    return _sms_adapter


def set_sms_adapter(adapter: SmsAdapter) -> None:
    global _sms_adapter
    _sms_adapter = adapter


class SmsChannel:
    name = "sms"

    def __init__(self, adapter: SmsAdapter) -> None:
        self.adapter = adapter

    def deliver(self, n: Notification) -> str:
        if not n.address:
            raise DeliveryError("no phone number")
        try:
            return f"{self.adapter.name}:{self.adapter.send(n.address, f'{n.title}：{n.body}', n.dedup_key)}"
        except DeliveryError:
            raise
        except Exception as exc:  # a gateway's own failure is a failed attempt, not a crash
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s

    def deliver(self, n: Notification) -> str:
        body = json.dumps(
            {
                "id": n.id,
                "key": n.dedup_key,
                "kind": n.kind,
                "entity": {"type": n.entity_type, "id": n.entity_id},
                "stage": n.stage,
                "step": n.step,
                "round": n.round,
                "title": n.title,
                "body": n.body,
                "payload": n.payload,
                "created_at": n.created_at.isoformat(),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        req = urllib.request.Request(
            n.address or self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": n.dedup_key},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                return f"http {r.status}"
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}") from exc
        except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections, bad URLs
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def channels_for(cfg: DispatchConfig) -> dict[str, Channel]:
    out: dict[str, Channel] = {"sms": SmsChannel(get_sms_adapter())}
    if cfg.webhook_url:
        out["webhook"] = WebhookChannel(cfg.webhook_url, cfg.webhook_timeout_s)
    return out


def deliver_pending(
    session: Session, cfg: DispatchConfig, now: datetime | None = None, batch: int = 100
) -> dict[str, int]:
    """Deliver due webhook/SMS rows (claimed with SKIP LOCKED on PostgreSQL); record each attempt."""
    now = now or utcnow()
    chans = channels_for(cfg)
    q = (
        select(Notification)
        .where(
            Notification.state == "pending",
            Notification.channel.in_(sorted(chans)),
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for n in session.scalars(q):
        n.attempts += 1
        try:
            n.provider = chans[n.channel].deliver(n)[:32]
        except DeliveryError as exc:
            n.last_error = str(exc)[:2000]
            if n.attempts >= cfg.webhook_max_attempts:
                n.state, n.next_attempt_at = "failed", None
                counts["failed"] += 1
            else:
                n.next_attempt_at = now + retry_delay(n.attempts)
                counts["retry"] += 1
            continue
        n.state, n.sent_at, n.next_attempt_at, n.last_error = "sent", now, None, None
        counts["sent"] += 1
    session.flush()
    return counts


# --------------------------------------------------------------------------- reading


def audience_filter(session: Session, actor: Actor) -> Any:
    """In-app rows the actor is addressed by: as an officer (username = officer code), as a
    leader of a unit in scope, as the command center (duty officers). ``None``: administrators,
    who see all."""
    if actor.has("admin"):
        return None
    conds: list[Any] = [Notification.audience == f"officer:{actor.username}"]
    if "leader" in actor.roles:
        scope = visible_units(session, actor)
        if scope is None:
            conds.append(Notification.audience.like("leader:%"))
        elif scope:
            conds.append(Notification.audience.in_(sorted(f"leader:{u}" for u in scope)))
    if "duty_officer" in actor.roles:
        conds.append(Notification.audience == "center")
    return or_(*conds)


def notification_dict(n: Notification, pii: bool) -> dict[str, Any]:
    address = n.address
    if address and n.channel == "sms" and not pii:
        address = mask_phone(address)
    return {
        "id": n.id,
        "kind": n.kind,
        "entity_type": n.entity_type,
        "entity_id": n.entity_id,
        "stage": n.stage,
        "step": n.step,
        "round": n.round,
        "audience": n.audience,
        "channel": n.channel,
        "address": address,
        "title": n.title,
        "body": n.body,
        "payload": n.payload,
        "state": n.state,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "provider": n.provider,
        "created_at": n.created_at.isoformat(),
        "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


def list_for(
    session: Session,
    actor: Actor,
    *,
    channel: str = "inapp",
    unread: bool = False,
    after_id: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The actor's notifications, newest first (``after_id``: only newer ones, for polling).
    Other channels than in-app (delivery state of webhook and SMS) are for administrators."""
    q = select(Notification).where(Notification.channel == channel, Notification.id > after_id)
    if channel != "inapp":
        require(actor, "admin")
    else:
        cond = audience_filter(session, actor)
        if cond is not None:
            q = q.where(cond)
    if unread:
        q = q.where(Notification.read_at.is_(None))
    pii = can_see_pii(actor)
    return [notification_dict(n, pii) for n in session.scalars(q.order_by(Notification.id.desc()).limit(limit))]


def mark_read(session: Session, actor: Actor, notification_id: int) -> dict[str, Any]:
    q = select(Notification).where(Notification.id == notification_id, Notification.channel == "inapp")
    cond = audience_filter(session, actor)
    if cond is not None:
        q = q.where(cond)
    n = session.scalar(q)
    if n is None:
        raise NotFound(f"no notification {notification_id} for you", "通知不存在")
    if n.read_at is None:
        n.read_at, n.read_by = utcnow(), actor.username
        audit.record(session, actor, "read", "notification", n.id, None, {"read_at": n.read_at})
    return notification_dict(n, can_see_pii(actor))
