"""The demo's cases: every stage of the procedure, made through the case service by the demo's
logins on the clock, so that the legal deadlines mean something at the load — and what the
workbench and the legal reviewer's queue show through the API."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.cases.models import Case, CaseDeadline, CaseEvidence, CaseStep
from zhifa.cases.procedure import FINAL_STATES
from zhifa.core.audit import AuditLog
from zhifa.core.clock import FrozenClock, today_shanghai
from zhifa.demo import cases as cases_demo
from zhifa.demo.generate import generate
from zhifa.demo.load import load_into
from zhifa.demo.organisation import DEMO_PASSWORD, login_officer_codes

CODES = login_officer_codes()
#: At the suite's clock (Monday 2026-06-01 10:00 Beijing).
EXPECTED = {
    "closed": 1,
    "decided": 1,
    "delivered": 2,
    "executed": 1,
    "filed": 2,
    "hearing_noticed": 1,
    "in_review": 2,
    "no_penalty": 1,
    "notified": 1,
    "referred": 1,
    "reminded": 1,
    "overdue": 1,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("demo-cases"), scale=0.02)


@pytest.fixture()
def demo(session: Session, clock: FrozenClock, files: dict[str, Path]) -> dict[str, Any]:
    return load_into(session, files)


def test_cases_at_every_stage_through_the_service(session: Session, demo: dict[str, Any]) -> None:
    counts = demo["cases"]
    assert counts["skipped"] == []
    assert counts["cases"] == dict(sorted(EXPECTED.items()))
    cases = list(session.scalars(select(Case).order_by(Case.id)))
    assert Counter(c.state for c in cases) == EXPECTED
    assert {c.procedure for c in cases} == {"general", "simplified"}
    # Made by the demo's logins: each case's creation and steps are audited under the officer.
    created = Counter(r.actor for r in session.scalars(select(AuditLog).where(AuditLog.entity_type == "case")))
    assert created[CODES["patrol1"]] and created[CODES["patrol2"]] and created[CODES["leader"]]
    assert created[CODES["legal"]]  # the review passed, the hearing held
    # Each case's steps run in time order; none is dated after the load.
    today = today_shanghai()
    for c in cases:
        days = [s.on for s in session.scalars(select(CaseStep).where(CaseStep.case_id == c.id).order_by(CaseStep.seq))]
        assert days == sorted(days) and days[-1] <= today, c.case_no


def test_deadlines_count_from_the_days_the_steps_were_taken(session: Session, demo: dict[str, Any]) -> None:
    today = today_shanghai()
    by_state: dict[str, list[Case]] = {}
    for c in session.scalars(select(Case).order_by(Case.id)):
        by_state.setdefault(c.state, []).append(c)

    def deadline(case: Case, kind: str) -> CaseDeadline:
        return session.scalars(
            select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.kind == kind)
        ).one()

    # Filed today from the overload the patrol stopped: 90 days to decide (行政处罚法 第六十条) —
    # Sunday 30 August, moved to the Monday.
    from_task = next(c for c in by_state["filed"] if c.task_id is not None)
    assert from_task.lead_id is not None and from_task.proposal is not None
    assert today == date(2026, 6, 1)
    assert from_task.next_deadline_kind == "decision" and from_task.next_deadline == date(2026, 8, 31)
    assert session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == from_task.id)).all()
    # Filed 95 days ago and never decided: the decision deadline is missed (the scanner ran).
    missed = next(c for c in by_state["filed"] if c.task_id is None)
    assert deadline(missed, "decision").status == "missed" and missed.next_deadline < today
    # Delivered 13 days ago: payment due within 15 days of receipt (第六十七条第三款).
    delivered = next(c for c in by_state["delivered"] if c.procedure == "general")
    assert deadline(delivered, "payment").status == "open"
    assert delivered.next_deadline is not None and 0 <= (delivered.next_deadline - today).days <= 4
    # Overdue: the payment period expired, the surcharge runs (第七十二条).
    [overdue] = by_state["overdue"]
    assert deadline(overdue, "payment").status == "expired"
    assert session.scalars(
        select(CaseStep).where(CaseStep.case_id == overdue.id, CaseStep.action == "mark_overdue")
    ).one()
    # Its next deadline is the authority's: the last day to apply to the court (行政强制法 第五十三条).
    assert overdue.next_deadline_kind == "court_application" and overdue.next_deadline > today
    # Every case the procedure still runs shows its next legal deadline (paid or exempted cases
    # wait only for the closing report, which has none).
    waiting = {s: cs for s, cs in by_state.items() if s not in (*FINAL_STATES, "executed", "no_penalty")}
    assert waiting and [c.case_no for cs in waiting.values() for c in cs if c.next_deadline is None] == []
    # The hearing is noticed for a working day ahead, its host the legal reviewer who logs in.
    [noticed] = by_state["hearing_noticed"]
    hearing = deadline(noticed, "hearing")
    assert hearing.status == "open" and hearing.due > today
    assert deadline(noticed, "coercive").status == "open"  # the car detained, 30 days
    notice = session.scalars(
        select(CaseStep).where(CaseStep.case_id == noticed.id, CaseStep.action == "notice_hearing")
    ).one()
    assert notice.data["host"] == CODES["legal"]
    assert all(isinstance(d, date) for d in (hearing.start, hearing.due))


def test_workbench_and_review_queue_through_the_api(session: Session, demo: dict[str, Any], client: TestClient) -> None:
    def login(username: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    queue = client.get("/api/v1/cases?state=in_review", headers=login(CODES["legal"]))
    assert queue.status_code == 200 and len(queue.json()) == 2
    leader = client.get("/api/v1/cases", headers=login(CODES["leader"])).json()
    assert len(leader) >= 10  # the brigade's open cases, nearest deadline first
    dues = [c["next_deadline"]["due"] for c in leader if c["next_deadline"]]
    assert dues == sorted(dues)


def test_the_stories_name_only_known_acts() -> None:
    parties = {
        "trucks": [{"plate": f"苏L{i}", "plate_color": "yellow", "axles": 6} for i in range(6)],
        "people": [{"id_number": str(i), "address": "镇江"} for i in range(3)],
        "firm": {"uscc": "a"},
        "firm2": {"uscc": "b"},
        "firm3": {"uscc": "c"},
        "firm4": {"uscc": "d"},
        "task_id": 1,
        "task_plate": "皖A00000",
    }
    stories = cases_demo.stories(parties)
    assert len({s.key for s in stories}) == len(stories) == 15
    for s in stories:
        assert s.acts[0].what in ("file", "on_the_spot"), s.key
        days = [a.days for a in s.acts if a.days >= 0]
        assert days == sorted(days, reverse=True), s.key  # told in time order
