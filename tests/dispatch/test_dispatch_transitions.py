"""The transition tables, exhaustively: every (from, to) pair is allowed or refused with 409."""

from __future__ import annotations

import itertools

import pytest

from zhifa.dispatch import transitions as t

#: The issue's task flow, written out independently of the module's table.
ALLOWED_TASK = {
    ("dispatched", "accepted"),
    ("accepted", "en_route"),
    ("en_route", "on_scene"),
    ("on_scene", "handled"),
    ("handled", "closed"),
    ("handled", "returned"),
    ("returned", "accepted"),
    ("dispatched", "cancelled"),
    ("accepted", "cancelled"),
    ("en_route", "cancelled"),
    ("on_scene", "cancelled"),
    ("returned", "cancelled"),
}
STATES = ("dispatched", "accepted", "en_route", "on_scene", "handled", "closed", "returned", "cancelled")


def test_states_are_the_issues() -> None:
    assert set(t.TASK_STATES) == set(STATES)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(STATES, STATES)))
def test_every_task_pair(source: str, target: str) -> None:
    if (source, target) in ALLOWED_TASK:
        row = t.check(source, target)
        assert (row.source, row.target) == (source, target)
        return
    with pytest.raises(t.IllegalTransition) as exc:
        t.check(source, target)
    err = exc.value
    assert err.status == 409 and err.code == "illegal_transition"
    assert source in err.message and target in err.message
    assert set(err.details["allowed"]) == {b for a, b in ALLOWED_TASK if a == source}


def test_final_states_allow_nothing() -> None:
    for state in ("closed", "cancelled"):
        with pytest.raises(t.IllegalTransition, match="final state"):
            t.check(state, "accepted")


def test_unknown_state_is_refused() -> None:
    with pytest.raises(t.IllegalTransition, match="unknown task state"):
        t.check("dispatched", "teleported")


def test_who_and_why() -> None:
    # The command center reviews (close, return) and cancels; cancelling and returning need a reason.
    for (source, target), row in ((k, t.check(*k)) for k in ALLOWED_TASK):
        assert row.by == ("center" if target in ("closed", "returned", "cancelled") else "unit"), (source, target)
        assert row.reason_required == (target in ("returned", "cancelled")), (source, target)
    assert t.check("on_scene", "handled").via == "feedback"


ALLOWED_LEAD = {
    ("new", "confirmed", "confirm"),
    ("new", "dismissed", "dismiss"),
    ("new", "merged", "merge"),
    ("new", "dispatched", "dispatch"),
    ("new", "dispatched", "offsite"),
    ("confirmed", "dismissed", "dismiss"),
    ("confirmed", "merged", "merge"),
    ("confirmed", "dispatched", "dispatch"),
    ("confirmed", "dispatched", "offsite"),
    ("dispatched", "dispatched", "dispatch"),
    ("dispatched", "closed", "close"),
    ("dispatched", "confirmed", "reopen"),
}
LEAD_STATUSES = ("new", "confirmed", "dispatched", "dismissed", "merged", "closed")
ACTIONS = ("confirm", "dismiss", "merge", "dispatch", "offsite", "close", "reopen")


@pytest.mark.parametrize(("source", "target", "action"), list(itertools.product(LEAD_STATUSES, LEAD_STATUSES, ACTIONS)))
def test_every_lead_triple(source: str, target: str, action: str) -> None:
    if (source, target, action) in ALLOWED_LEAD:
        assert t.check_lead(source, target, action).action == action
    else:
        with pytest.raises(t.IllegalTransition):
            t.check_lead(source, target, action)


ALLOWED_OFFSITE = {
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


@pytest.mark.parametrize(("source", "target"), list(itertools.product(t.OFFSITE_STATES, t.OFFSITE_STATES)))
def test_every_offsite_pair(source: str, target: str) -> None:
    if (source, target) in ALLOWED_OFFSITE:
        t.check_offsite(source, target)
    else:
        with pytest.raises(t.IllegalTransition):
            t.check_offsite(source, target)
