"""The demo's cases: every stage of the procedure, made through the case service by the demo's
logins on the clock, so that the legal deadlines mean something at the load — and what the
workbench and the legal reviewer's queue show through the API. Most tests load the cases without
documents (a few seconds); one loads them as ``zhifa demo`` does, with their real documents
(numbered, PDF through Chromium, DOCX: about half a minute)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.documents.readback import docx_text, pdf_text, squeeze
from zhifa.cases.models import Case, CaseDeadline, CaseEvidence, CaseStep
from zhifa.cases.procedure import FINAL_STATES
from zhifa.core.audit import AuditLog
from zhifa.core.clock import FrozenClock, today_shanghai
from zhifa.core.config import get_settings
from zhifa.demo import cases as cases_demo
from zhifa.demo import load as demo_load
from zhifa.demo.generate import generate
from zhifa.demo.load import load_into
from zhifa.demo.organisation import DEMO_PASSWORD, login_officer_codes
from zhifa.documents import storage
from zhifa.documents.kinds import get_kind
from zhifa.documents.models import DocumentCounter, DocumentIssued, DocumentScheme
from zhifa.documents.numbers import format_number
from zhifa.org.models import Officer

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
    return load_into(session, files, documents=False)


@pytest.fixture()
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Issued files stored in the test's own folder."""
    monkeypatch.setenv("ZHIFA_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


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


#: The documents of each decided case's steps, in order (at the suite's clock every story is told).
DECIDED_DOCUMENTS: dict[tuple[str, str], list[str]] = {
    ("reminded", "general"): [
        "filing_register",
        "inquiry_record",
        "violation_notice",
        "penalty_decision",
        "delivery_receipt",
        "payment_reminder",
    ],
    **{
        (state, "general"): ["filing_register", "inquiry_record", "violation_notice", "penalty_decision"]
        + (["delivery_receipt"] if state != "decided" else [])
        for state in ("overdue", "executed", "delivered", "decided")
    },
    ("delivered", "simplified"): ["on_the_spot_decision"],
    ("closed", "simplified"): ["on_the_spot_decision", "closing_report"],
    ("no_penalty", "general"): ["filing_register", "inquiry_record", "no_penalty_decision"],
}
DECISIONS = ("penalty_decision", "on_the_spot_decision", "no_penalty_decision")


def test_the_demo_issues_the_cases_real_documents(
    session: Session, clock: FrozenClock, files: dict[str, Path], var_dir: Path, client: TestClient, tmp_path: Path
) -> None:
    before = {(c.scheme_code, c.year): c.last_seq for c in session.scalars(select(DocumentCounter))}
    counts = load_into(session, files)["cases"]
    # As without documents: every story told, every case at its stage.
    assert counts["skipped"] == [] and counts["cases"] == dict(sorted(EXPECTED.items()))
    cases = list(session.scalars(select(Case).order_by(Case.id)))
    refs = [c.case_no for c in cases]
    docs = {d.id: d for d in session.scalars(select(DocumentIssued).where(DocumentIssued.case_ref.in_(refs)))}
    steps = list(
        session.scalars(
            select(CaseStep).where(CaseStep.case_id.in_([c.id for c in cases]), CaseStep.document_id.is_not(None))
        )
    )
    assert counts["documents"] == len(docs) == len(steps) >= 45
    # Every step named its document (and its number, when numbered); the document names the case.
    by_case = {c.id: c for c in cases}
    for st in steps:
        doc = docs[st.document_id]
        assert (doc.kind, doc.case_ref) == (st.document_kind, by_case[st.case_id].case_no)
        if doc.number is not None:
            assert st.document_number == doc.number

    # Numbered by the schemes, without a gap: each (scheme, year) goes on from where it stood.
    patterns = {code: pattern for code, pattern in session.execute(select(DocumentScheme.code, DocumentScheme.pattern))}
    seqs: dict[tuple[str, int], list[int]] = {}
    for doc in docs.values():
        if doc.scheme_code is None:
            assert doc.number is None and not get_kind(doc.kind).numbered
            continue
        assert doc.year is not None and doc.seq is not None
        assert doc.number == format_number(patterns[doc.scheme_code], doc.year, doc.seq)
        seqs.setdefault((doc.scheme_code, doc.year), []).append(doc.seq)
    after = {(c.scheme_code, c.year): c.last_seq for c in session.scalars(select(DocumentCounter))}
    assert {"filing", "notice", "penalty", "on_the_spot", "no_penalty"} <= {k for k, _ in seqs}
    for key, got in seqs.items():
        assert sorted(got) == list(range(before.get(key, 0) + 1, after[key] + 1)), key

    # The decided cases carry the documents of their steps; the decision number is the decision's.
    decided = [c for c in cases if (c.state, c.procedure) in DECIDED_DOCUMENTS]
    assert sorted((c.state, c.procedure) for c in decided) == sorted(DECIDED_DOCUMENTS)
    leader = session.scalars(select(Officer).where(Officer.code == CODES["leader"])).one().name
    for c in decided:
        kinds = [st.document_kind for st in sorted((st for st in steps if st.case_id == c.id), key=lambda st: st.seq)]
        assert kinds == DECIDED_DOCUMENTS[(c.state, c.procedure)], c.case_no
        decision = next(docs[st.document_id] for st in steps if st.case_id == c.id and st.document_kind in DECISIONS)
        assert decision.number, c.case_no
        if decision.kind != "no_penalty_decision":
            assert c.decision_no == decision.number, c.case_no

        # The files: stored by hash (read back checked), the PDF's text and the DOCX's hold the
        # party, the number, the title and — where the kind states it — the case number (a decision
        # on the spot is known by its own number).
        pdf = squeeze(pdf_text(storage.get(decision.pdf_sha256), tmp_path))
        docx = squeeze(docx_text(storage.get(decision.docx_sha256))[0])
        musts = [c.party_name, decision.number, decision.title, cases_demo.AUTHORITY["agency_name"]]
        if "case_number" in {f.name for f in get_kind(decision.kind).fields}:
            musts.append(c.case_no)
        for must in musts:
            assert must in pdf and must in docx, (c.case_no, must)
        if decision.kind == "penalty_decision":
            assert "超限检测站称重检测单" in pdf and re.search(r"罚款\d", pdf), c.case_no
        # The filing register names the brigade's leader who approved it, not a login.
        if c.procedure == "general":
            filing = next(docs[st.document_id] for st in steps if st.case_id == c.id and st.action == "file")
            text = squeeze(pdf_text(storage.get(filing.pdf_sha256), tmp_path))
            assert "立案登记表" in text and f"负责人：{leader}" in text, c.case_no

    # Through the API, as the brigade's leader: the case shows its documents, the PDF downloads.
    r = client.post("/api/v1/auth/login", json={"username": CODES["leader"], "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    [case] = [c for c in decided if c.state == "decided"]
    shown = client.get(f"/api/v1/cases/{case.id}", headers=headers).json()
    documents = [s["document"] for s in shown["steps"] if s["document"]]
    assert [d["kind"] for d in documents] == DECIDED_DOCUMENTS[("decided", "general")]
    got = client.get(f"/api/v1/documents/{documents[-1]['id']}.pdf", headers=headers)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.content == storage.get(docs[documents[-1]["id"]].pdf_sha256)


def test_the_demo_command_issues_documents_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(demo_load.DOCUMENTS_ENV, raising=False)
    assert demo_load.documents_wanted()
    for value, wanted in (("0", False), ("off", False), ("No", False), ("1", True), ("yes", True)):
        monkeypatch.setenv(demo_load.DOCUMENTS_ENV, value)
        assert demo_load.documents_wanted() is wanted, value


def test_without_chromium_the_demo_says_why_it_issues_no_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIFA_CHROMIUM", "/nonexistent/chromium")
    problem = demo_load._renderer_problem()
    assert problem is not None and "Chromium not found at /nonexistent/chromium" in problem
