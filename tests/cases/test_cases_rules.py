"""Pure rules of the case procedure: the step table, deadlines across the 2026 holidays (dates
counted by hand from the State Council's 2026 schedule, not by the package), the hearing and
simplified-procedure rules, the limitation, Art 45, discretion, exemptions, payment and credit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from zhifa.cases import credit, discretion, exemptions, payment, procedure
from zhifa.cases.config import CaseConfig
from zhifa.cases.procedure import NEW, STATES, STEPS, IllegalStep, Penalty
from zhifa.catalog.rules import ItemSpec, LegalBasis, Tier
from zhifa.core.errors import InvalidField
from zhifa.legal.calendar import UnscheduledYear, WorkCalendar
from zhifa.legal.quote import quote


def D(text: str) -> date:
    return date.fromisoformat(text)


def _days(first: str, last: str) -> set[date]:
    a, b = D(first), D(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


#: 国务院办公厅关于2026年部分节假日安排的通知, entered by hand.
HOLIDAYS_2026 = (
    _days("2026-01-01", "2026-01-03")
    | _days("2026-02-15", "2026-02-23")
    | _days("2026-04-04", "2026-04-06")
    | _days("2026-05-01", "2026-05-05")
    | _days("2026-06-19", "2026-06-21")
    | _days("2026-09-25", "2026-09-27")
    | _days("2026-10-01", "2026-10-07")
)
MAKEUP_2026 = {D(x) for x in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")}
CAL = WorkCalendar(frozenset(HOLIDAYS_2026), frozenset(MAKEUP_2026), frozenset({2026}))


# ------------------------------------------------------------------------------------ the table


def test_every_step_of_the_table_is_allowed_exactly_from_its_sources() -> None:
    """Exhaustive: every (state, step, procedure) either passes or is refused with 409."""
    for state in (NEW, *STATES):
        for step in STEPS:
            for proc in procedure.PROCEDURES:
                ok = state in step.sources and proc in step.procedures
                if ok:
                    assert procedure.check(state, step.action, proc) is step
                else:
                    with pytest.raises(IllegalStep) as exc:
                        procedure.check(state, step.action, proc)
                    assert exc.value.status == 409
                    assert exc.value.details["allowed"] == procedure.allowed_actions(state, proc)


def test_final_states_allow_no_change_of_state() -> None:
    for state in procedure.FINAL_STATES:
        for step in STEPS:
            if state in step.sources:
                # Only records that leave the state as it is (publicity after closing, filing copy).
                assert step.target is None, (state, step.action)


def test_the_table_names_known_states_deadlines_and_documents() -> None:
    from zhifa.documents.kinds import KINDS

    for step in STEPS:
        assert set(step.sources) <= {NEW, *STATES}
        assert step.target is None or step.target in STATES
        assert set(step.opens) | set(step.meets) <= set(procedure.DEADLINES)
        docs = step.document if isinstance(step.document, tuple) else (step.document,) if step.document else ()
        assert set(docs) <= set(KINDS), step.action
    opened = {k for s in STEPS for k in s.opens}
    assert opened == set(procedure.DEADLINES) - {"statement"} | {"statement"}


def test_unknown_step_is_refused() -> None:
    with pytest.raises(IllegalStep):
        procedure.check("filed", "teleport", "general")


# -------------------------------------------------------------------- deadlines, hand-counted


@pytest.mark.parametrize(
    ("kind", "start", "due", "why"),
    [
        # 行政处罚法 第六十条: 90 calendar days.
        ("decision", "2026-01-08", "2026-04-08", "8 Jan + 90 days = 8 Apr, a Wednesday"),
        ("decision", "2026-07-06", "2026-10-08", "ends Sun 4 Oct in the National Day holiday: moved to Thu 8 Oct"),
        # 第六十一条: 7 working days; Mid-Autumn and National Day, make-up Saturday 10 Oct counts.
        ("delivery", "2026-09-24", "2026-10-12", "28, 29, 30 Sep; 8, 9, 10 (Sat worked), 12 Oct"),
        # 第六十四条: 5 working days across the Spring Festival, make-up Saturday 14 Feb counts.
        ("hearing_request", "2026-02-12", "2026-02-26", "13, 14 (Sat worked), 24, 25, 26 Feb"),
        # 第五十六条: 7 working days across May Day, make-up Saturday 9 May counts.
        ("preservation", "2026-04-29", "2026-05-12", "30 Apr; 6, 7, 8, 9 (Sat worked), 11, 12 May"),
        # 第六十七条: 15 calendar days, the last day a May Day holiday: moved.
        ("payment", "2026-04-16", "2026-05-06", "ends Fri 1 May (holiday, to 5 May): Wed 6 May"),
        ("payment", "2026-04-22", "2026-05-07", "7 May is a working day"),
        # 行政强制法 第二十五条: 30 calendar days, ending in the Spring Festival.
        ("coercive", "2026-01-16", "2026-02-24", "ends Sun 15 Feb (holiday to 23 Feb): Tue 24 Feb"),
        # 行政强制法 第五十四条、第六十九条: 10 working days.
        ("reminder", "2026-09-23", "2026-10-14", "24, 28, 29, 30 Sep; 8, 9, 10 (Sat worked), 12, 13, 14 Oct"),
        # 第五十二条 filing copy, 5 working days from a make-up Sunday (the start day is not counted).
        ("filing_copy", "2026-09-20", "2026-09-28", "21, 22, 23, 24 Sep; 25–27 holiday; 28 Sep"),
        # 第四十八条: 3 working days across May Day.
        ("publication_withdrawal", "2026-04-30", "2026-05-08", "6, 7, 8 May"),
    ],
)
def test_deadlines_across_2026_holidays(kind: str, start: str, due: str, why: str) -> None:
    assert procedure.deadline_due(CAL, kind, D(start)) == D(due), why


def test_coercive_extension_is_counted_on_from_the_start() -> None:
    # 16 Jan + 60 days = 17 Mar (a Tuesday).
    assert procedure.deadline_due(CAL, "coercive", D("2026-01-16"), 60) == D("2026-03-17")


def test_a_working_day_period_into_an_unscheduled_year_is_refused() -> None:
    with pytest.raises(UnscheduledYear) as exc:
        procedure.deadline_due(CAL, "statement", D("2026-12-30"), 3)
    assert exc.value.years == [2027]


def test_hearing_notice_earliest_date_across_national_day() -> None:
    # 7 working days after Mon 28 Sep: 29, 30 Sep, 8, 9, 10 (Sat worked), 12, 13 Oct.
    assert procedure.hearing_notice_earliest(CAL, D("2026-09-28")) == D("2026-10-13")


def test_receipt_by_public_announcement_takes_30_days() -> None:
    assert procedure.receipt_date("announcement", D("2026-06-01")) == D("2026-07-01")
    assert procedure.receipt_date("post", D("2026-06-01")) == D("2026-06-01")
    with pytest.raises(InvalidField):
        procedure.receipt_date("pigeon", D("2026-06-01"))


# ------------------------------------------------------------------------------ rules of law


def test_hearing_right_thresholds_and_kinds() -> None:
    t, c = Decimal(10000), Decimal(10000)
    assert procedure.hearing_reasons(Penalty(fine_yuan=Decimal(9999)), "person", t, c) == []
    assert len(procedure.hearing_reasons(Penalty(fine_yuan=Decimal(10000)), "person", t, c)) == 1
    assert procedure.hearing_reasons(Penalty(permit="revoke"), "organisation", t, c)
    assert procedure.hearing_reasons(Penalty(suspension=True), "organisation", t, c)
    assert procedure.hearing_reasons(Penalty(occupational_ban=True), "person", t, c)
    assert procedure.hearing_reasons(Penalty(confiscation_yuan=Decimal(20000)), "person", t, c)
    assert procedure.hearing_reasons(Penalty(warning=True), "person", t, c) == []


@pytest.mark.parametrize(
    ("pen", "kind", "ok"),
    [
        (Penalty(warning=True), "person", True),
        (Penalty(fine_yuan=Decimal(200)), "person", True),
        (Penalty(fine_yuan=Decimal("200.01")), "person", False),
        (Penalty(fine_yuan=Decimal(3000)), "organisation", True),
        (Penalty(fine_yuan=Decimal(3001)), "organisation", False),
        (Penalty(fine_yuan=Decimal(100), confiscation_yuan=Decimal(1)), "person", False),
        (Penalty(), "person", False),
    ],
)
def test_simplified_procedure_eligibility(pen: Penalty, kind: str, ok: bool) -> None:
    assert (procedure.simplified_problems(pen, kind) == []) is ok


@pytest.mark.parametrize(
    ("act_end", "discovered", "harm", "barred"),
    [
        ("2024-03-01", "2026-03-01", False, False),  # the last day of two years is in time
        ("2024-03-01", "2026-03-02", False, True),
        ("2022-03-01", "2026-03-02", True, False),  # five years where life or health was harmed
        ("2021-03-01", "2026-03-02", True, True),
        ("2024-02-29", "2026-02-28", False, False),  # no 29 Feb in 2026: the month's last day
        ("2024-02-29", "2026-03-01", False, True),
    ],
)
def test_limitation_of_article_36(act_end: str, discovered: str, harm: bool, barred: bool) -> None:
    assert procedure.limitation(D(act_end), D(discovered), harm).barred is barred


def test_article_45_heavier_parts() -> None:
    before = Penalty(fine_yuan=Decimal(5000))
    assert procedure.heavier_parts(before, Penalty(fine_yuan=Decimal(5000))) == []
    assert procedure.heavier_parts(before, Penalty(fine_yuan=Decimal(4000))) == []
    assert procedure.heavier_parts(before, Penalty(fine_yuan=Decimal(5001))) == ["fine_yuan"]
    assert procedure.heavier_parts(before, Penalty(fine_yuan=Decimal(5000), suspension=True)) == ["suspension"]
    assert procedure.heavier_parts(Penalty(permit="downgrade"), Penalty(permit="revoke")) == ["permit"]


# ------------------------------------------------------------------------------- discretion


SPEC = ItemSpec(
    "YS-001",
    "penalty",
    "未随车携带道路运输证",
    "road.transport_permit",
    (LegalBasis("道路运输条例", "第六十八条"),),
    (
        Tier("轻微", "首次", Decimal(20), Decimal(100), True),
        Tier("一般", "一般", Decimal(100), Decimal(200)),
    ),
)


def test_discretion_proposal_by_tier_and_circumstance() -> None:
    assert discretion.propose(SPEC, 2, "lighter").fine_yuan == Decimal(100)
    assert discretion.propose(SPEC, 2, "ordinary").fine_yuan == Decimal(150)
    assert discretion.propose(SPEC, 2, "heavier").fine_yuan == Decimal(200)
    p = discretion.propose(SPEC, 1, "ordinary")
    assert p.warning and p.fine_yuan == Decimal(60) and "道路运输条例第六十八条" in p.reason


def test_outside_the_range_needs_a_justification_and_never_above_the_ceiling() -> None:
    p = discretion.propose(SPEC, 2, "ordinary")
    assert discretion.choose(p, Decimal(180), None).outside_range is False
    with pytest.raises(InvalidField) as exc:
        discretion.choose(p, Decimal(80), "太轻")
    assert exc.value.field == "justification"
    c = discretion.choose(p, Decimal(80), "当事人主动消除违法行为危害后果，依法减轻处罚")
    assert c.outside_range
    with pytest.raises(InvalidField):
        discretion.choose(p, Decimal(201), "理由充分的说明文字很长很长")


def test_overload_proposal_comes_from_the_quote() -> None:
    p = discretion.propose_from_quote(quote("road.overload", 12345))
    assert p.fine_yuan == Decimal(6000) and p.min_yuan == p.max_yuan == Decimal(6000)


# ------------------------------------------------------------------------------- exemptions


def test_exemption_needs_every_condition_and_history_decides_first_offence() -> None:
    rule = exemptions.ExemptionRule(
        "X", "b", "t", None, ("first_offence", "corrected_in_time", "no_harm"), "must", "行政处罚法 第三十三条"
    )
    facts = {"first_offence": True, "corrected_in_time": True, "no_harm": True}
    assert exemptions.evaluate(rule, facts, first_by_history=True).applies
    assert not exemptions.evaluate(rule, facts, first_by_history=False).applies  # the officer's word is not enough
    assert not exemptions.evaluate(rule, {"corrected_in_time": True}, True).applies  # no_harm not stated
    with pytest.raises(ValueError):
        exemptions.ExemptionRule("Y", "b", "t", None, ("sunny",), "must", "x")


# ---------------------------------------------------------------------- payment and surcharge


def test_surcharge_three_percent_a_day_capped_and_suspended() -> None:
    sched = [payment.Instalment(D("2026-06-16"), Decimal(1000))]
    # 20 days late: 600.
    o = payment.outstanding(Decimal(1000), sched, [], D("2026-07-06"), [])
    assert o.surcharge == Decimal(600) and o.due_now == Decimal(1600)
    # 行政处罚法 第七十三条第三款: review 20–29 June (10 days) is not counted.
    o = payment.outstanding(Decimal(1000), sched, [], D("2026-07-06"), [(D("2026-06-20"), D("2026-06-29"))])
    assert o.surcharge == Decimal(300)
    # A review still running counts up to the day.
    o = payment.outstanding(Decimal(1000), sched, [], D("2026-07-06"), [(D("2026-06-27"), None)])
    assert o.surcharge == Decimal(300)
    # 第七十二条: never more than the fine (76 days would be 2,280).
    o = payment.outstanding(Decimal(1000), sched, [], D("2026-08-31"), [])
    assert o.surcharge == Decimal(1000) and o.capped
    # Paid on the due date: nothing.
    o = payment.outstanding(Decimal(1000), sched, [(D("2026-06-16"), Decimal(1000))], D("2026-08-31"), [])
    assert o.surcharge == 0 and o.due_now == 0


def test_instalments_each_accrue_from_their_own_due_date() -> None:
    sched = payment.plan(
        Decimal(1000), [(D("2026-07-01"), Decimal(500)), (D("2026-08-01"), Decimal(500))], D("2026-06-01")
    )
    # First instalment paid 5 days late (75), second on time.
    o = payment.outstanding(
        Decimal(1000), sched, [(D("2026-07-06"), Decimal(500)), (D("2026-08-01"), Decimal(500))], D("2026-09-01"), []
    )
    assert o.surcharge == Decimal(75) and o.due_now == Decimal(75)
    with pytest.raises(InvalidField):
        payment.plan(Decimal(1000), [(D("2026-07-01"), Decimal(400))], D("2026-06-01"))
    with pytest.raises(InvalidField):
        payment.plan(Decimal(1000), [(D("2026-05-01"), Decimal(1000))], D("2026-06-01"))


def test_court_window_after_review_and_lawsuit_periods() -> None:
    w = payment.court_window(CAL, D("2026-03-02"))
    # review: 2 Mar + 60 = 1 May (holiday) → 6 May; lawsuit: 2 Sep; three months after: 2 Dec.
    assert (w.periods_end, w.opens, w.closes) == (D("2026-09-02"), D("2026-09-03"), D("2026-12-02"))
    # 行政处罚法 第七十二条第二款: after a deferral, from its end (20 Sep + 3 months = Sun 20 Dec → 21 Dec).
    w = payment.court_window(CAL, D("2026-03-02"), deferral_end=D("2026-09-20"))
    assert (w.opens, w.closes) == (D("2026-09-21"), D("2026-12-21"))
    w = payment.court_window(CAL, D("2026-03-02"), deferral_end=D("2026-10-09"))  # ends in 2027: not moved
    assert (w.closes, w.closes_rolled) == (D("2027-01-09"), False)
    assert payment.reminder_due(CAL, D("2026-09-23")) == D("2026-10-14")


# ----------------------------------------------------------------------------------- credit


def test_credit_criteria() -> None:
    cfg = CaseConfig()
    assert not credit.assess(Penalty(warning=True), "person", cfg).record
    assert not credit.assess(Penalty(fine_yuan=Decimal(1999)), "person", cfg).record
    d = credit.assess(Penalty(fine_yuan=Decimal(2000)), "person", cfg)
    assert (d.record, d.severity, d.months) == (True, "general", 12)
    assert not credit.assess(Penalty(fine_yuan=Decimal(5000)), "organisation", cfg).record
    d = credit.assess(Penalty(fine_yuan=Decimal(100000)), "organisation", cfg)
    assert (d.severity, d.months) == ("serious", 36)
    assert credit.assess(Penalty(permit="revoke"), "organisation", cfg).severity == "serious"


def test_migration_seeds_the_defaults_of_the_settings() -> None:
    """The seeded settings and example items are the code's defaults (a change in one must reach the other)."""
    import importlib.util
    from pathlib import Path

    import zhifa

    path = Path(zhifa.__file__).parent / "migrations" / "versions" / "0008_cases.py"
    spec = importlib.util.spec_from_file_location("m0008", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert {k: v for k, v, _ in mod.SETTINGS} == CaseConfig().as_dict()
    assert [e[0] for e in mod.EXEMPTIONS] == [e["code"] for e in exemptions.EXAMPLE_ITEMS]
    assert [list(e[4]) for e in mod.EXEMPTIONS] == [e["conditions"] for e in exemptions.EXAMPLE_ITEMS]


def test_court_window_end_in_an_unscheduled_year_is_not_moved() -> None:
    # Received 2 Sep: lawsuit period to 2 Mar 2027 would need 2027; received 5 June: to 7 Dec
    # (5 Dec is a Saturday), window to 7 Mar 2027 — unmoved without the 2027 schedule.
    w = payment.court_window(CAL, D("2026-06-05"))
    assert (w.opens, w.closes, w.closes_rolled) == (D("2026-12-08"), D("2027-03-07"), False)
    with pytest.raises(UnscheduledYear):
        payment.court_window(CAL, D("2026-09-02"))
    # Provisional (for the case's deadline, never for the application): review 2 Sep + 60 = Sun
    # 1 Nov → 2 Nov; the lawsuit period's 2 Mar 2027 is not moved; the window 3 Mar – 2 Jun 2027.
    w = payment.court_window(CAL, D("2026-09-02"), provisional=True)
    assert (w.periods_end, w.opens, w.closes) == (D("2027-03-02"), D("2027-03-03"), D("2027-06-02"))
    assert w.provisional and not w.closes_rolled
    assert not payment.court_window(CAL, D("2026-06-05"), provisional=True).provisional
