"""SLA ladders (pure: no database, no clock; ``now`` is always given).

A ladder says, per task type and priority, how long a unit has from dispatch to accept the task,
to arrive on scene and to give feedback. Each of these three *stages* has a due time and three
*steps*:

* ``remind``  — ``remind_before_min`` before the due time, to whoever must act;
* ``leader``  — at the due time, the stage is overdue: escalation to the unit's leader;
* ``center``  — ``center_after_min`` after the due time: escalation to the command center.

The steps of a task form one list ordered by time (:func:`plan`); the task row keeps a cursor
into it and the time of the next step (``next_reminder_at``). :func:`advance` decides, at
``now``, which steps from the cursor fire and which are skipped: a step of a stage already
satisfied (the task was accepted before its acceptance escalation) is skipped, and so is a
reminder whose due time has already passed (too late to remind; the escalation speaks instead).
A task returned for rework starts a new *round* with due times counted from the return.

The same machinery serves the hotline reply deadline and the off-site notice deadline, with
their own stages (:func:`reply_plan`, :func:`notice_plan`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

STAGES = ("accept", "arrive", "feedback")
STAGE_ZH = {"accept": "签收", "arrive": "到场", "feedback": "反馈", "reply": "答复来电人", "notice": "当事人到案"}
STEP_KINDS = ("remind", "leader", "center")
STEP_ZH = {"remind": "提醒", "leader": "超时升级至大队负责人", "center": "超时升级至指挥中心"}
TASK_KINDS = ("inspection", "enforcement", "complaint")
TASK_KIND_ZH = {"inspection": "核查", "enforcement": "执法查处", "complaint": "投诉举报处置"}
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_ZH = {"urgent": "特急", "high": "紧急", "normal": "一般", "low": "较缓"}

#: The stages still to be met in each task state (the state machine is linear, so the state says
#: which stages are behind it). A returned task must be accepted, reached and reported again.
_PENDING: dict[str, frozenset[str]] = {
    "dispatched": frozenset(STAGES),
    "returned": frozenset(STAGES),
    "accepted": frozenset({"arrive", "feedback"}),
    "en_route": frozenset({"arrive", "feedback"}),
    "on_scene": frozenset({"feedback"}),
    "handled": frozenset(),
    "closed": frozenset(),
    "cancelled": frozenset(),
}


def pending_stages(state: str) -> frozenset[str]:
    return _PENDING[state]


@dataclass(frozen=True)
class Ladder:
    """Minutes from dispatch (or from a return) to each due time, and the reminder/escalation offsets."""

    accept_min: int
    arrive_min: int
    feedback_min: int
    remind_before_min: int
    center_after_min: int

    def __post_init__(self) -> None:
        for name in ("accept_min", "arrive_min", "feedback_min", "remind_before_min", "center_after_min"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number of minutes")
            if value < 0 or value > 60 * 24 * 365:
                raise ValueError(f"{name} must be between 0 and 525600 minutes")
        if not 0 < self.accept_min <= self.arrive_min <= self.feedback_min:
            raise ValueError("need 0 < accept_min <= arrive_min <= feedback_min")
        if self.remind_before_min >= self.accept_min:
            raise ValueError("remind_before_min must be shorter than accept_min (the reminder comes after dispatch)")

    def as_dict(self) -> dict[str, int]:
        return {
            "accept_min": self.accept_min,
            "arrive_min": self.arrive_min,
            "feedback_min": self.feedback_min,
            "remind_before_min": self.remind_before_min,
            "center_after_min": self.center_after_min,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Ladder:
        missing = [
            k
            for k in ("accept_min", "arrive_min", "feedback_min", "remind_before_min", "center_after_min")
            if k not in values
        ]
        if missing:
            raise ValueError(f"missing: {', '.join(missing)}")
        return cls(
            accept_min=values["accept_min"],
            arrive_min=values["arrive_min"],
            feedback_min=values["feedback_min"],
            remind_before_min=values["remind_before_min"],
            center_after_min=values["center_after_min"],
        )


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: give a timezone")
    return value


def due_times(ladder: Ladder, start: datetime) -> dict[str, datetime]:
    """The three due times, each counted from ``start`` (dispatch, or the return for rework)."""
    _aware(start)
    return {
        "accept": start + timedelta(minutes=ladder.accept_min),
        "arrive": start + timedelta(minutes=ladder.arrive_min),
        "feedback": start + timedelta(minutes=ladder.feedback_min),
    }


@dataclass(frozen=True)
class Step:
    at: datetime
    stage: str
    kind: str  # remind | leader | center
    due: datetime

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.kind}"


_STAGE_ORDER = {s: i for i, s in enumerate((*STAGES, "reply", "notice"))}
_KIND_ORDER = {k: i for i, k in enumerate(STEP_KINDS)}


def _ordered(steps: list[Step]) -> list[Step]:
    return sorted(steps, key=lambda s: (s.at, _STAGE_ORDER[s.stage], _KIND_ORDER[s.kind]))


def plan(ladder: Ladder, dues: dict[str, datetime]) -> list[Step]:
    """Every step of a task's round, ordered by time (ties: stage, then remind/leader/center)."""
    steps: list[Step] = []
    for stage in STAGES:
        due = _aware(dues[stage])
        if ladder.remind_before_min > 0:
            steps.append(Step(due - timedelta(minutes=ladder.remind_before_min), stage, "remind", due))
        steps.append(Step(due, stage, "leader", due))
        steps.append(Step(due + timedelta(minutes=ladder.center_after_min), stage, "center", due))
    return _ordered(steps)


def reply_plan(reply_due: datetime, remind_before: timedelta) -> list[Step]:
    """The hotline reply deadline: a reminder to the command center before it, escalation at it.
    Always two steps (a zero lead time puts the reminder at the deadline, where it is skipped), so
    a cursor stays valid when the setting changes."""
    _aware(reply_due)
    return _ordered(
        [
            Step(reply_due - max(remind_before, timedelta(0)), "reply", "remind", reply_due),
            Step(reply_due, "reply", "center", reply_due),
        ]
    )


def notice_plan(deadline: datetime) -> list[Step]:
    """The off-site notice deadline: when it passes without the party coming in, escalation to
    the unit's leader and to the command center at once."""
    _aware(deadline)
    return _ordered([Step(deadline, "notice", "leader", deadline), Step(deadline, "notice", "center", deadline)])


@dataclass(frozen=True)
class Decision:
    fire: tuple[Step, ...]
    skip: tuple[Step, ...]
    cursor: int
    next_at: datetime | None


def next_at(steps: list[Step], cursor: int, pending: frozenset[str]) -> datetime | None:
    """When the next step that can still fire is due (``None``: nothing left this round)."""
    for s in steps[cursor:]:
        if s.stage in pending:
            return s.at
    return None


def advance(steps: list[Step], cursor: int, pending: frozenset[str], now: datetime) -> Decision:
    """Which steps fire at ``now``, starting at ``cursor``: each step due by ``now`` either fires or
    is skipped (stage already met; a reminder after its due time), and the cursor moves past it."""
    _aware(now)
    fire: list[Step] = []
    skip: list[Step] = []
    i = cursor
    while i < len(steps) and steps[i].at <= now:
        s = steps[i]
        if s.stage not in pending or (s.kind == "remind" and s.due <= now):
            skip.append(s)
        else:
            fire.append(s)
        i += 1
    return Decision(tuple(fire), tuple(skip), i, next_at(steps, i, pending))


def on_time(done_at: datetime, due: datetime) -> bool:
    """Met exactly at the due time counts as on time."""
    return _aware(done_at) <= _aware(due)


# --------------------------------------------------------------------------- working days

WorkingDay = Callable[[date], bool]


def weekdays_only(day: date) -> bool:
    """Monday to Friday. An approximation that ignores statutory holidays and make-up working
    days; the legal working-day calendar replaces it where one is wired in."""
    return day.weekday() < 5


def add_working_days(
    start: datetime, days: int, zone: ZoneInfo, is_working_day: WorkingDay = weekdays_only
) -> datetime:
    """The end (24:00 local time) of the ``days``-th working day after the day of ``start``: the
    start day is not counted (民事诉讼法 第八十五条 counts periods from the next day)."""
    _aware(start)
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start.astimezone(zone).date()
    counted = 0
    for _ in range(days * 7 + 60):  # bounded: a calendar with no working day would loop forever
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
            if counted == days:
                return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
    raise ValueError(f"no {days} working days found after {start.date()}")


def end_of_day_after(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """24:00 local time of the ``days``-th calendar day after the day of ``start`` (the start day
    is not counted, as 民事诉讼法 第八十五条 counts periods)."""
    _aware(start)
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start.astimezone(zone).date() + timedelta(days=days + 1)
    return datetime.combine(day, time(0, 0), tzinfo=zone)
