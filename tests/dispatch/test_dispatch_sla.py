"""SLA ladders, steps and working-day deadlines (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from zhifa.core.clock import SHANGHAI
from zhifa.dispatch import sla
from zhifa.dispatch.config import DispatchConfig

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
LADDER = sla.Ladder(accept_min=10, arrive_min=60, feedback_min=240, remind_before_min=5, center_after_min=30)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def keys(steps: tuple[sla.Step, ...] | list[sla.Step]) -> list[str]:
    return [s.key for s in steps]


def test_due_times_count_from_the_start() -> None:
    assert sla.due_times(LADDER, T0) == {"accept": m(10), "arrive": m(60), "feedback": m(240)}
    with pytest.raises(ValueError, match="naive"):
        sla.due_times(LADDER, datetime(2026, 6, 1))  # noqa: DTZ001 - the point of the test


def test_plan_orders_every_step() -> None:
    steps = sla.plan(LADDER, sla.due_times(LADDER, T0))
    assert [(s.at, s.key) for s in steps] == [
        (m(5), "accept:remind"),
        (m(10), "accept:leader"),
        (m(40), "accept:center"),
        (m(55), "arrive:remind"),
        (m(60), "arrive:leader"),
        (m(90), "arrive:center"),
        (m(235), "feedback:remind"),
        (m(240), "feedback:leader"),
        (m(270), "feedback:center"),
    ]


def test_plan_without_reminders() -> None:
    ladder = sla.Ladder(10, 60, 240, 0, 0)
    steps = sla.plan(ladder, sla.due_times(ladder, T0))
    assert keys(steps) == [
        "accept:leader",
        "accept:center",
        "arrive:leader",
        "arrive:center",
        "feedback:leader",
        "feedback:center",
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"accept_min": 0}, "0 < accept_min"),
        ({"arrive_min": 5}, "accept_min <= arrive_min"),
        ({"feedback_min": 30}, "arrive_min <= feedback_min"),
        ({"remind_before_min": 10}, "remind_before_min must be shorter"),
        ({"center_after_min": -1}, "between 0"),
        ({"accept_min": 1.5}, "whole number"),
        ({"accept_min": True}, "whole number"),
    ],
)
def test_ladder_validation(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sla.Ladder.from_dict(LADDER.as_dict() | values)


def test_ladder_from_dict_names_missing_fields() -> None:
    with pytest.raises(ValueError, match="missing: arrive_min"):
        sla.Ladder.from_dict({k: v for k, v in LADDER.as_dict().items() if k != "arrive_min"})


STEPS = sla.plan(LADDER, sla.due_times(LADDER, T0))
ALL = frozenset(sla.STAGES)


def test_nothing_before_the_first_step() -> None:
    d = sla.advance(STEPS, 0, ALL, m(4))
    assert d.fire == () and d.skip == () and d.cursor == 0 and d.next_at == m(5)


def test_reminder_before_the_due_time() -> None:
    d = sla.advance(STEPS, 0, ALL, m(5))  # exactly at the reminder time: it fires
    assert keys(d.fire) == ["accept:remind"] and d.cursor == 1 and d.next_at == m(10)


def test_escalation_to_leader_then_center() -> None:
    d1 = sla.advance(STEPS, 1, ALL, m(10))
    assert keys(d1.fire) == ["accept:leader"] and d1.next_at == m(40)
    d2 = sla.advance(STEPS, d1.cursor, ALL, m(40))
    assert keys(d2.fire) == ["accept:center"] and d2.next_at == m(55)


def test_a_late_reminder_is_skipped_but_escalations_fire() -> None:
    # The scanner was down for an hour: the acceptance reminder is pointless now, the escalations are not.
    d = sla.advance(STEPS, 0, ALL, m(45))
    assert keys(d.fire) == ["accept:leader", "accept:center"]
    assert keys(d.skip) == ["accept:remind"]
    assert d.cursor == 3 and d.next_at == m(55)


def test_met_stages_are_skipped() -> None:
    # Accepted at minute 7: no acceptance escalation; the arrival steps remain.
    pending = sla.pending_stages("accepted")
    assert pending == {"arrive", "feedback"}
    assert sla.next_at(STEPS, 1, pending) == m(55)
    d = sla.advance(STEPS, 1, pending, m(56))
    assert keys(d.skip) == ["accept:leader", "accept:center"] and keys(d.fire) == ["arrive:remind"]
    # Handled: nothing is left this round.
    assert sla.next_at(STEPS, 0, sla.pending_stages("handled")) is None
    d = sla.advance(STEPS, 0, sla.pending_stages("handled"), m(1000))
    assert d.fire == () and len(d.skip) == 9 and d.next_at is None


def test_on_time_includes_the_due_instant() -> None:
    assert sla.on_time(m(10), m(10)) and not sla.on_time(m(10) + timedelta(microseconds=1), m(10))


def test_pending_stages_of_every_state() -> None:
    assert sla.pending_stages("dispatched") == sla.pending_stages("returned") == set(sla.STAGES)
    assert sla.pending_stages("en_route") == {"arrive", "feedback"}
    assert sla.pending_stages("on_scene") == {"feedback"}
    for s in ("handled", "closed", "cancelled"):
        assert sla.pending_stages(s) == frozenset()


def test_reply_plan_always_has_two_steps() -> None:
    due = m(10_000)
    assert [(s.at, s.key) for s in sla.reply_plan(due, timedelta(hours=24))] == [
        (due - timedelta(hours=24), "reply:remind"),
        (due, "reply:center"),
    ]
    zero = sla.reply_plan(due, timedelta(0))
    assert keys(zero) == ["reply:remind", "reply:center"]
    # A zero lead time: the reminder falls on the deadline and is skipped there.
    d = sla.advance(zero, 0, frozenset({"reply"}), due)
    assert keys(d.fire) == ["reply:center"] and keys(d.skip) == ["reply:remind"]


def test_notice_plan_escalates_to_both_at_the_deadline() -> None:
    due = m(100)
    d = sla.advance(sla.notice_plan(due), 0, frozenset({"notice"}), due)
    assert keys(d.fire) == ["notice:leader", "notice:center"] and d.next_at is None


# --------------------------------------------------------------------------- working days

FRIDAY_NOON = datetime(2026, 6, 5, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # The start day is not counted; Saturday and Sunday are skipped.
        (FRIDAY_NOON, 1, datetime(2026, 6, 9, 0, 0, tzinfo=SHANGHAI)),  # Monday ends
        (FRIDAY_NOON, 5, datetime(2026, 6, 13, 0, 0, tzinfo=SHANGHAI)),  # next Friday ends
        (datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI), 5, datetime(2026, 6, 9, 0, 0, tzinfo=SHANGHAI)),
        # 23:30 UTC on Sunday is Monday 07:30 in Shanghai: counting starts on Tuesday.
        (datetime(2026, 6, 7, 23, 30, tzinfo=UTC), 1, datetime(2026, 6, 10, 0, 0, tzinfo=SHANGHAI)),
    ],
)
def test_add_working_days(start: datetime, days: int, end: datetime) -> None:
    assert sla.add_working_days(start, days, SHANGHAI) == end


def test_add_working_days_takes_a_calendar() -> None:
    holidays = {date(2026, 6, 8), date(2026, 6, 9)}
    got = sla.add_working_days(FRIDAY_NOON, 1, SHANGHAI, lambda d: d.weekday() < 5 and d not in holidays)
    assert got == datetime(2026, 6, 11, 0, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError, match="no 1 working days"):
        sla.add_working_days(FRIDAY_NOON, 1, SHANGHAI, lambda d: False)


def test_end_of_day_after() -> None:
    # Notice on 1 June (any hour): 15 days → the end of 16 June.
    assert sla.end_of_day_after(datetime(2026, 6, 1, 23, 59, tzinfo=SHANGHAI), 15, SHANGHAI) == datetime(
        2026, 6, 17, 0, 0, tzinfo=SHANGHAI
    )


# --------------------------------------------------------------------------- settings


def test_settings_defaults_and_validation() -> None:
    cfg = DispatchConfig()
    assert cfg.offsite_notice_days == 15 and cfg.hotline_reply_working_days == {"12345": 5, "12328": 5}
    for bad, message in (
        ({"offsite_notice_days": 0}, "offsite_notice_days"),
        ({"hotline_reply_working_days": {"12345": 5}}, "exactly the hotlines"),
        ({"hotline_reply_working_days": {"12345": 0, "12328": 5}}, "from 1 to 60"),
        ({"webhook_url": "ftp://x"}, "http"),
        ({"nonsense": 1}, "unknown setting"),
        ({"offsite_notice_days": "15"}, "whole number"),
        ({"webhook_timeout_s": 0}, "webhook_timeout_s"),
    ):
        with pytest.raises(ValueError, match=message):
            DispatchConfig.from_dict(cfg.as_dict() | bad)
