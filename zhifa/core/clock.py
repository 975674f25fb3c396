"""The one clock. Everything that asks "what time is it" asks here, so tests can freeze it.

Times are timezone-aware: stored in UTC, shown in Asia/Shanghai. No production endpoint can move
the clock; only tests (and the simulator, in its own process) install another one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = ensure_aware(at)


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    previous = get_clock()
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def utcnow() -> datetime:
    return get_clock().now().astimezone(UTC)


def today_shanghai() -> date:
    return get_clock().now().astimezone(SHANGHAI).date()


def ensure_aware(value: datetime) -> datetime:
    """Refuse naive datetimes: a time without a zone is a bug waiting to happen."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: give a timezone (e.g. +08:00 or Z)")
    return value


def to_shanghai(value: datetime) -> datetime:
    return ensure_aware(value).astimezone(SHANGHAI)
