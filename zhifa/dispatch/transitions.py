"""The state machines of dispatch, as tables (pure: no database, no clock).

A task (指令) moves ``dispatched → accepted → en_route → on_scene → handled → closed``; the command
center reviews a handled task and either closes it or returns it (reopened with a reason, back to
the unit, which accepts it again); a task not yet handled may be cancelled. A lead's status moves
with its triage and its tasks. Every transition not in a table is refused with 409.

Who may make a transition is part of the row, as a party of the task:

* ``unit``: the leader of the task's unit (or of a unit above it), or an officer assigned to it
  (before officers are assigned, that is the leader alone);
* ``center``: the command center (duty officer).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.core.errors import Conflict

TASK_STATES = ("dispatched", "accepted", "en_route", "on_scene", "handled", "closed", "returned", "cancelled")
TASK_STATE_ZH = {
    "dispatched": "已下派",
    "accepted": "已签收",
    "en_route": "出警途中",
    "on_scene": "已到场",
    "handled": "已处置",
    "closed": "已办结",
    "returned": "已退回重办",
    "cancelled": "已撤销",
}
#: States in which the task is still the unit's work (the SLA clock runs).
OPEN_TASK_STATES = ("dispatched", "accepted", "en_route", "on_scene", "returned")
FINAL_TASK_STATES = ("closed", "cancelled")

PARTIES = ("unit", "center")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    by: str  # one of PARTIES
    reason_required: bool = False
    #: Only through a dedicated call (feedback), not the generic transition endpoint.
    via: str | None = None


TASK_TRANSITIONS: tuple[Transition, ...] = (
    Transition("dispatched", "accepted", "unit"),
    Transition("dispatched", "cancelled", "center", reason_required=True),
    Transition("accepted", "en_route", "unit"),
    Transition("accepted", "cancelled", "center", reason_required=True),
    Transition("en_route", "on_scene", "unit"),
    Transition("en_route", "cancelled", "center", reason_required=True),
    Transition("on_scene", "handled", "unit", via="feedback"),
    Transition("on_scene", "cancelled", "center", reason_required=True),
    Transition("handled", "closed", "center"),
    Transition("handled", "returned", "center", reason_required=True),
    Transition("returned", "accepted", "unit"),
    Transition("returned", "cancelled", "center", reason_required=True),
)
_TASK = {(t.source, t.target): t for t in TASK_TRANSITIONS}


class IllegalTransition(Conflict):
    """A transition the table does not allow from the current state (HTTP 409)."""

    code = "illegal_transition"


def allowed_from(state: str, table: tuple[Transition, ...] = TASK_TRANSITIONS) -> list[str]:
    return [t.target for t in table if t.source == state]


def check(source: str, target: str) -> Transition:
    """The task transition ``source → target``, or :class:`IllegalTransition` saying what is allowed."""
    for s in (source, target):
        if s not in TASK_STATES:
            raise IllegalTransition(
                f"unknown task state {s!r}; states: {', '.join(TASK_STATES)}", f"未知的指令状态：{s}", state=s
            )
    found = _TASK.get((source, target))
    if found is None:
        allowed = allowed_from(source)
        raise IllegalTransition(
            f"a task cannot go from {source!r} to {target!r}; from {source!r} it may go to: "
            + (", ".join(allowed) if allowed else "nothing (final state)"),
            f"指令不能从“{TASK_STATE_ZH[source]}”变为“{TASK_STATE_ZH[target]}”"
            + (f"；当前可变为：{'、'.join(TASK_STATE_ZH[a] for a in allowed)}" if allowed else "（已是终态）"),
            current=source,
            requested=target,
            allowed=allowed,
        )
    return found


# --------------------------------------------------------------------------- leads

LEAD_STATUSES = ("new", "confirmed", "dispatched", "dismissed", "merged", "closed")
LEAD_STATUS_ZH = {
    "new": "新线索",
    "confirmed": "已确认",
    "dispatched": "已派发",
    "dismissed": "已排除",
    "merged": "已合并",
    "closed": "已办结",
}


@dataclass(frozen=True)
class LeadTransition:
    source: str
    target: str
    action: str
    reason_required: bool = False


LEAD_TRANSITIONS: tuple[LeadTransition, ...] = (
    LeadTransition("new", "confirmed", "confirm"),
    LeadTransition("new", "dismissed", "dismiss", reason_required=True),
    LeadTransition("new", "merged", "merge", reason_required=True),
    # Confirm and dispatch in one step (the common case at the duty desk).
    LeadTransition("new", "dispatched", "dispatch"),
    LeadTransition("new", "dispatched", "offsite"),
    LeadTransition("confirmed", "dismissed", "dismiss", reason_required=True),
    LeadTransition("confirmed", "merged", "merge", reason_required=True),
    LeadTransition("confirmed", "dispatched", "dispatch"),
    LeadTransition("confirmed", "dispatched", "offsite"),
    # Its last task closed / its off-site case handed over.
    LeadTransition("dispatched", "closed", "close"),
    # Every task cancelled / off-site evidence refused: back to the queue, confirmed.
    LeadTransition("dispatched", "confirmed", "reopen", reason_required=True),
    # More tasks for a lead already dispatched (a second plan step, another unit).
    LeadTransition("dispatched", "dispatched", "dispatch"),
)
_LEAD = {(t.source, t.target, t.action): t for t in LEAD_TRANSITIONS}


def check_lead(source: str, target: str, action: str) -> LeadTransition:
    found = _LEAD.get((source, target, action))
    if found is None:
        allowed = sorted({f"{t.action} → {t.target}" for t in LEAD_TRANSITIONS if t.source == source})
        raise IllegalTransition(
            f"a lead in status {source!r} cannot {action} (to {target!r}); allowed: "
            + (", ".join(allowed) if allowed else "nothing (final status)"),
            f"线索处于“{LEAD_STATUS_ZH.get(source, source)}”状态，不能执行该操作" + ("" if allowed else "（已是终态）"),
            current=source,
            requested=target,
            action=action,
        )
    return found


# --------------------------------------------------------------------------- off-site cases

OFFSITE_STATES = ("review", "reviewed", "notified", "overdue", "appeared", "rejected", "cancelled")
OFFSITE_STATE_ZH = {
    "review": "证据审核中",
    "reviewed": "审核通过",
    "notified": "已通知当事人",
    "overdue": "逾期未到案",
    "appeared": "当事人已到案",
    "rejected": "审核不通过",
    "cancelled": "已撤销",
}
OFFSITE_FINAL_STATES = ("appeared", "rejected", "cancelled")

#: (from, to): the off-site flow. ``review → reviewed`` needs two distinct reviewers finding the
#: record usable; one finding it unusable rejects it (行政处罚法 第四十一条第二款).
OFFSITE_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("review", "reviewed"),
        ("review", "rejected"),
        ("reviewed", "notified"),
        ("notified", "appeared"),
        ("notified", "overdue"),
        ("overdue", "appeared"),
        ("review", "cancelled"),
        ("reviewed", "cancelled"),
        ("notified", "cancelled"),
        ("overdue", "cancelled"),
    }
)


def check_offsite(source: str, target: str) -> None:
    if (source, target) not in OFFSITE_TRANSITIONS:
        allowed = sorted(t for s, t in OFFSITE_TRANSITIONS if s == source)
        raise IllegalTransition(
            f"an off-site case cannot go from {source!r} to {target!r}; allowed: "
            + (", ".join(allowed) if allowed else "nothing (final state)"),
            f"非现场执法案件不能从“{OFFSITE_STATE_ZH.get(source, source)}”变为“{OFFSITE_STATE_ZH.get(target, target)}”",
            current=source,
            requested=target,
            allowed=allowed,
        )
