"""After the decision: payment, overdue → 催告书 → court window; the supervision scanner (each
finding exactly once; unscheduled years warned, not failed); publicity with redaction and
withdrawal; credit records; evidence custody and the integrity check; bank statements; and one
end-to-end case with real documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.cases.conftest import PERSON_ID, CaseWorld
from tests.cases.test_cases_paths import deadlines, upload
from zhifa.cases import scanner
from zhifa.cases.models import CaseAlert, CreditRecord
from zhifa.core.audit import AuditLog
from zhifa.dispatch.models import Notification
from zhifa.legal.models import CalendarDay, CalendarYear


def decided(w: CaseWorld, **fields: Any) -> int:
    """A case decided (fine 150 by default) and delivered in person on Fri 5 June 2026."""
    cid = w.file(**fields)["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.step(cid, "notify", "O1")
    w.at("2026-06-05T09:00:00")
    w.step(cid, "decide", "leader1")
    w.step(cid, "deliver", "O1", method="in_person")
    return int(cid)


def test_unpaid_fine_goes_overdue_then_reminder_then_court(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w)
    w.at("2026-06-22T23:00:00")  # the last day of payment (20 June in the holiday → 22 June)
    assert scanner.scan_once(w.session).overdue_cases == []
    w.at("2026-06-23T00:30:00")
    rep = scanner.scan_once(w.session)
    assert rep.overdue_cases == [cid] and rep.expired
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert c["state"] == "overdue" and c["steps"][-1]["actor"] == "system"
    assert scanner.scan_once(w.session).overdue_cases == []  # once
    # Surcharge: 3 % a day of 150 from 23 June: on 2 July 10 days → 45.
    w.at("2026-07-02T10:00:00")
    c = w.step(cid, "remind", "O1")
    assert c["state"] == "reminded" and c["owed"]["surcharge_yuan"] == "45.00"
    d = deadlines(c)
    assert d["reminder"]["due"] == "2026-07-16"  # 10 working days (行政强制法 第五十四条、第六十九条)
    # Court window: received 5 June; lawsuit 6 months → 5 Dec (Saturday) → Mon 7 Dec; opens 8 Dec.
    assert d["court_application"]["start"] == "2026-12-08"
    w.at("2026-07-17T10:00:00")
    r = w.step(cid, "apply_court", "leader1", status=409, court="京口区人民法院")
    assert r["error"]["code"] == "court_window_not_open"
    w.at("2026-12-08T10:00:00")
    c = w.step(cid, "apply_court", "leader1", court="京口区人民法院")
    assert c["state"] == "court_applied"
    # The surcharge stops at the fine (150 × 3 % × 168 days would be 756).
    assert c["owed"]["surcharge_yuan"] == "150.00" and c["owed"]["surcharge_capped"]


def court_rows(c: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d["start"], d["due"], d["status"]) for d in c["deadlines"] if d["kind"] == "court_application"]


def test_an_overdue_case_shows_the_court_window_as_its_next_deadline(cw: CaseWorld) -> None:
    """行政强制法 第五十三条: once payment is overdue the authority's next legal deadline is the
    last day to apply to the court; the reminder counts it again (one open row), payment in full
    ends it."""
    w = cw
    cid = decided(w)
    w.at("2026-06-23T00:30:00")
    assert scanner.scan_once(w.session).overdue_cases == [cid]
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert c["state"] == "overdue"
    # Received 5 June: review 60 days → 4 Aug; lawsuit 6 months → 5 Dec (Sat) → 7 Dec; the window
    # opens 8 Dec and closes three months after the 7th: 7 March 2027 — a year with no schedule
    # here, so the day is not moved off a rest day (the earlier, safe day) and the basis says so.
    assert court_rows(c) == [("2026-12-08", "2027-03-07", "open")]
    assert c["next_deadline"] == {"due": "2027-03-07", "kind": "court_application"}
    assert "2027年节假日安排未录入" in deadlines(c)["court_application"]["basis"]
    assert c["steps"][-1]["data"]["court_window"]["opens"] == "2026-12-08"
    w.at("2026-07-02T10:00:00")
    c = w.step(cid, "remind", "O1")
    assert court_rows(c) == [("2026-12-08", "2027-03-07", "void"), ("2026-12-08", "2027-03-07", "open")]
    assert c["next_deadline"] == {"due": "2026-07-16", "kind": "reminder"}
    # Paid in full (fine 150 + surcharge 3 % a day from 23 June to 20 July = 28 days, 126):
    # nothing is left to enforce, so the window is no longer a deadline.
    w.at("2026-07-20T10:00:00")
    w.post(f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "276", "reference": "L1"}, 201)
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert c["state"] == "executed"
    assert [s for _, _, s in court_rows(c)] == ["void", "void"]
    assert c["next_deadline"] is None


def test_paid_after_overdue_without_a_reminder_ends_the_court_window(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w)
    w.at("2026-06-23T00:30:00")
    scanner.scan_once(w.session)
    w.at("2026-06-24T10:00:00")  # two days late: 150 + 2 × 4.50
    w.post(f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "159", "reference": "L2"}, 201)
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert c["state"] == "executed" and court_rows(c) == [("2026-12-08", "2027-03-07", "void")]
    assert c["next_deadline"] is None
    w.step(cid, "close", "leader1", summary="逾期后缴清罚款及加处罚款")


def test_a_deferral_after_overdue_moves_the_court_window(cw: CaseWorld) -> None:
    """行政处罚法 第七十二条第二款: after an approved deferral the periods count from its end; the
    window opened when payment went overdue is void, and opened again if the plan is missed."""
    w = cw
    cid = decided(w)
    w.at("2026-06-23T00:30:00")
    scanner.scan_once(w.session)
    w.at("2026-06-25T10:00:00")
    c = w.step(
        cid, "defer_payment", "leader1", reason="经济困难", instalments=[{"due": "2026-07-31", "amount_yuan": "150"}]
    )
    assert c["state"] == "delivered" and court_rows(c) == [("2026-12-08", "2027-03-07", "void")]
    assert c["next_deadline"] == {"due": "2026-07-31", "kind": "payment"}
    w.at("2026-08-01T00:30:00")
    assert scanner.scan_once(w.session).overdue_cases == [cid]
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    # Review 60 days from receipt → 4 Aug; lawsuit → 7 Dec; the deferral's end (31 July) is
    # earlier, so the window is the same days, counted again.
    assert court_rows(c)[-1] == ("2026-12-08", "2027-03-07", "open")
    assert c["next_deadline"]["kind"] == "court_application"


def test_a_court_window_in_an_unscheduled_year_is_shown_but_not_applied_on(cw: CaseWorld) -> None:
    """Received Mon 31 Aug 2026: the lawsuit period ends 28 Feb 2027, in a year with no schedule.
    The overdue case still shows its deadline (the earliest the window can close: dates not moved
    off rest days); applying to the court is refused until 2027 is entered, then counted again."""
    w = cw
    w.session.execute(delete(CalendarDay).where(CalendarDay.day >= __import__("datetime").date(2027, 1, 1)))
    w.session.execute(delete(CalendarYear).where(CalendarYear.year >= 2027))
    cid = w.file()["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.step(cid, "notify", "O1")
    w.at("2026-08-31T09:00:00")
    w.step(cid, "decide", "leader1")
    w.step(cid, "deliver", "O1", method="in_person")
    w.at("2026-09-16T00:30:00")  # payment due 15 Sep
    assert scanner.scan_once(w.session).overdue_cases == [cid]
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert court_rows(c) == [("2027-03-01", "2027-05-28", "open")]
    assert c["next_deadline"] == {"due": "2027-05-28", "kind": "court_application"}
    assert "2027年节假日安排未录入：复议、诉讼期限及申请期限末日暂不顺延" in deadlines(c)["court_application"]["basis"]
    assert c["steps"][-1]["data"]["court_window"]["provisional"] is True
    w.at("2026-10-12T10:00:00")
    c = w.step(cid, "remind", "O1")  # ten working days → 26 Oct
    assert deadlines(c)["reminder"]["due"] == "2026-10-26" and court_rows(c)[-1][2] == "open"
    w.at("2027-03-10T10:00:00")
    r = w.step(cid, "apply_court", "leader1", status=409, court="京口区人民法院")
    assert r["error"]["code"] == "unscheduled_year" and r["error"]["years"] == [2027]
    # The administrator enters 2027 (a schedule for the test, not the State Council's).
    days = [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]
    put = w.client.put(
        "/api/v1/legal/calendar/2027", json={"source": "测试用2027年安排", "days": days}, headers=w.h("admin")
    )
    assert put.status_code == 200, put.text
    c = w.step(cid, "apply_court", "leader1", court="京口区人民法院")
    assert c["state"] == "court_applied" and court_rows(c)[-1][2] == "met"


def test_reminder_period_must_run_before_the_court(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w)
    w.at("2026-12-01T10:00:00")
    scanner.scan_once(w.session)
    w.step(cid, "remind", "O1")  # delivered 1 Dec; ten working days → 15 Dec
    w.at("2026-12-15T10:00:00")
    assert w.step(cid, "apply_court", "leader1", status=409, court="x")["error"]["code"] == "reminder_period_running"
    w.at("2026-12-16T10:00:00")
    assert w.step(cid, "apply_court", "leader1", court="x")["state"] == "court_applied"


def test_review_pending_suspends_the_surcharge(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w)
    w.at("2026-06-26T10:00:00")
    w.step(cid, "review_started", "O1", kind="reconsideration", on="2026-06-26", reason="当事人申请行政复议")
    w.at("2026-07-06T10:00:00")
    w.step(cid, "review_ended", "O1", on="2026-07-05", reason="维持")
    w.at("2026-07-07T10:00:00")
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()
    # Late 23 June – 7 July = 15 days, of which 26 June – 5 July (10) suspended: 5 × 4.50 = 22.50.
    assert c["owed"]["surcharge_yuan"] == "22.50"
    r = w.post(f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "172.50", "reference": "P9"}, 201).json()
    assert r["case"]["state"] == "executed"
    # A review was brought: no court application under 第五十三条 even if unpaid (here: paid).


def test_deferral_moves_the_due_date(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w)
    c = w.step(
        cid, "defer_payment", "leader1", reason="经济困难，申请分期",
        instalments=[{"due": "2026-07-15", "amount_yuan": "50"}, {"due": "2026-08-14", "amount_yuan": "100"}],
    )  # fmt: skip
    pays = [d for d in c["deadlines"] if d["kind"] == "payment"]
    assert [(d["due"], d["status"]) for d in pays] == [
        ("2026-06-22", "void"), ("2026-07-15", "open"), ("2026-08-14", "open"),
    ]  # fmt: skip
    assert c["next_deadline"]["due"] == "2026-07-15" and w.docs.kinds()[-1] == "instalment_notice"
    w.at("2026-07-10T10:00:00")
    c = w.post(f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "50", "reference": "I1"}, 201).json()["case"]
    assert c["state"] == "delivered" and c["next_deadline"]["due"] == "2026-08-14"
    w.at("2026-07-16T10:00:00")
    assert scanner.scan_once(w.session).overdue_cases == []  # the first part was paid in time


def test_scanner_warns_and_flags_exactly_once(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]  # decision due 31 Aug; warned 2 days before (29 Aug 00:00)
    w.at("2026-08-28T23:59:00")
    assert scanner.scan_once(w.session).warned == []
    w.at("2026-08-29T00:01:00")
    rep = scanner.scan_once(w.session)
    assert len(rep.warned) == 1
    assert scanner.scan_once(w.session).warned == []
    w.at("2026-09-01T00:01:00")
    rep = scanner.scan_once(w.session)
    assert len(rep.missed) == 1
    assert scanner.scan_once(w.session).missed == []
    alerts = w.session.scalars(select(CaseAlert).where(CaseAlert.case_id == cid)).all()
    assert sorted(a.kind for a in alerts) == ["missed", "warn"]
    audits = w.session.scalar(
        select(func.count(AuditLog.id)).where(
            AuditLog.entity_type == "case", AuditLog.entity_id == str(cid), AuditLog.action.in_(("remind", "escalate"))
        )
    )
    assert audits == 2
    notes = w.session.scalars(select(Notification).where(Notification.entity_type == "case")).all()
    assert {n.audience for n in notes} == {"leader:RD1", "center"}
    sup = w.client.get("/api/v1/cases/supervision", headers=w.h("leader1")).json()
    assert {a["kind"] for a in sup["alerts"]} >= {"warn", "missed"}
    # A missed deadline stays the case's next deadline until it is met.
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()
    assert c["next_deadline"] == {"due": "2026-08-31", "kind": "decision"}
    assert deadlines(c)["decision"]["status"] == "missed"


def test_unscheduled_year_is_warned_by_the_scanner_and_refused_by_counting(cw: CaseWorld) -> None:
    w = cw
    w.session.execute(delete(CalendarDay).where(CalendarDay.day >= __import__("datetime").date(2027, 1, 1)))
    w.session.execute(delete(CalendarYear).where(CalendarYear.year >= 2027))
    w.at("2026-12-28T10:00:00")
    cid = w.file(act_end="2026-12-28")["id"]
    rep = scanner.scan_once(w.session)
    assert rep.unscheduled == [f"unscheduled:{cid}:2027"]
    assert scanner.scan_once(w.session).unscheduled == []
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()
    # 90 days from 28 Dec end on Sun 28 Mar 2027: not moved while 2027 is not entered (the safe day).
    assert (
        deadlines(c)["decision"]["due"] == "2027-03-28"
        and "2027年节假日安排未录入" in deadlines(c)["decision"]["basis"]
    )
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.at("2026-12-30T10:00:00")
    r = w.step(cid, "notify", "O1", status=409)  # 3 working days from 30 Dec reach into 2027
    assert r["error"]["code"] == "unscheduled_year" and r["error"]["years"] == [2027]


def test_publication_redacted_and_withdrawn_within_three_days(cw: CaseWorld) -> None:
    w = cw
    cid = decided(w, party={"id_no": PERSON_ID}, vehicle={"plate": "苏L66666", "plate_color": "blue"})
    pub = w.post(f"/api/v1/cases/{cid}/publication", "leader1", None, 201).json()
    no = pub["decision_no"]
    r = w.client.get(f"/api/v1/public/decisions/{no}")  # no login
    assert r.status_code == 200
    content = r.json()["content"]
    assert content["party"] == "张**" and content["party_id"] is None and content["vehicle"] == "苏L***66"
    assert PERSON_ID not in r.text and "13900001111" not in r.text
    assert w.client.get("/api/v1/public/decisions/NOPE").status_code == 404
    w.at("2026-06-30T10:00:00")
    c = w.step(cid, "revoke", "leader1", how="revoked", reason="行政复议决定撤销")
    assert c["state"] == "revoked"
    # 第四十八条第二款: 3 working days from Tue 30 June → Fri 3 July.
    assert deadlines(c)["publication_withdrawal"]["due"] == "2026-07-03"
    w.post(f"/api/v1/cases/{cid}/publication/withdraw", "leader1", {"reason": "该决定已被行政复议决定撤销"}, 200)
    r = w.client.get(f"/api/v1/public/decisions/{no}").json()
    assert r["withdrawn"] and r["content"] is None and r["withdraw_reason"] == "该决定已被行政复议决定撤销"
    c = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()
    assert deadlines(c)["publication_withdrawal"]["status"] == "met"
    assert all(x["status"] == "revoked" for x in c["credit"])


def test_credit_records_follow_the_criteria(cw: CaseWorld) -> None:
    w = cw
    small = decided(w)  # 150 yuan for an organisation: below 10,000, no record
    big = w.file(item_code="YS-002", vehicle={"plate": "苏L12345", "plate_color": "yellow"})["id"]
    w.post(f"/api/v1/cases/{big}/discretion", "O1", {"tier": 1, "circumstance": "lighter"}, 200)  # 10,000
    w.step(big, "notify", "O1")
    w.at("2026-06-11T09:00:00")
    w.step(big, "decide", "leader1")
    rows = w.session.scalars(select(CreditRecord).order_by(CreditRecord.subject_kind)).all()
    assert {r.case_id for r in rows} == {big}
    assert [(r.subject_kind, r.severity) for r in rows] == [("enterprise", "general"), ("vehicle", "general")]
    assert rows[0].publish_until.isoformat() == "2027-06-11"
    assert small not in {r.case_id for r in rows}


def test_evidence_custody_carry_over_and_integrity(cw: CaseWorld) -> None:
    w = cw
    from zhifa.cases.models import CaseEvidence
    from zhifa.sensing.models import Event
    from zhifa.sensing.service import evidence_dir

    img = upload(w, "O1", b"\xff\xd8 wim photo")
    lead = w.lead(device="WIM1", events=1)
    ev = w.session.scalar(select(Event).where(Event.device_code == "WIM1"))
    assert ev is not None
    ev.images = [img]
    w.session.flush()
    c = w.file(lead_id=lead.id, party={"id_no": None}, source="lead")
    assert (
        c["vehicle"]["plate"] == "苏L12345" and c["party"]["name"] == "合肥远通货运有限公司"
    )  # owner from the registry
    ev_rows = w.client.get(f"/api/v1/cases/{c['id']}/evidence", headers=w.h("O1")).json()
    assert ev_rows[0]["custody"] | {"added_at": None} == {
        "added_by": "O1", "added_at": None, "origin": "lead", "device_code": "WIM1", "event_id": ev.id,
        "lead_id": lead.id, "task_id": None,
    }  # fmt: skip
    photo = upload(w, "O1", b"\xff\xd8 scene photo")
    w.post(f"/api/v1/cases/{c['id']}/evidence", "O1", {"sha256": photo, "kind": "photo", "title": "现场照片"}, 201)
    assert w.post(f"/api/v1/cases/{c['id']}/evidence", "O1", {"sha256": photo, "kind": "photo"}).status_code == 409
    rep = w.post(f"/api/v1/cases/{c['id']}/evidence/check", "leader1", None, 200).json()
    assert rep["checked"] == 2 and rep["problems"] == []
    path = evidence_dir() / photo[:2] / photo[2:4] / photo
    path.write_bytes(b"tampered")
    rep = w.post(f"/api/v1/cases/{c['id']}/evidence/check", "leader1", None, 200).json()
    assert [(p["sha256"], p["problem"]) for p in rep["problems"]] == [(photo, "mismatch")]
    row = w.session.scalar(select(CaseEvidence).where(CaseEvidence.sha256 == photo))
    assert row is not None and row.last_check_ok is False
    path.unlink()
    rep = w.post("/api/v1/cases/evidence/check", "legal1", None, 200).json()
    assert [p["problem"] for p in rep["problems"]] == ["missing"]


def test_bank_statement_import_matches_decisions_all_or_nothing(cw: CaseWorld, tmp_path: Path) -> None:
    w = cw
    cid = decided(w)
    no = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()["decision_no"]
    bad = f"reference,paid_on,amount_yuan,decision_no,payer\nB1,2026-06-05,150.00,{no},远通\nB2,2026-06-05,10,NOPE,x\n"
    r = w.client.post(
        "/api/v1/cases/payments/bank-statement", files={"file": ("s.csv", bad.encode(), "text/csv")}, headers=w.h("O1")
    )
    assert r.status_code == 422 and r.json()["error"]["errors"][0]["where"] == "row 3"
    assert w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()["paid_yuan"] == "0.00"
    good = f"\ufeffreference,paid_on,amount_yuan,decision_no,payer\nB1,2026-06-05,150.00,{no},远通\n"
    r = w.client.post(
        "/api/v1/cases/payments/bank-statement", files={"file": ("s.csv", good.encode(), "text/csv")}, headers=w.h("O1")
    )
    assert r.status_code == 200 and r.json() == {"recorded": 1, "skipped_duplicates": 0}
    assert w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()["state"] == "executed"


def test_payment_channel_adapter(cw: CaseWorld) -> None:
    from datetime import date
    from decimal import Decimal

    from zhifa.cases import service
    from zhifa.core.audit import Actor

    w = cw
    cid = decided(w)
    no = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()["decision_no"]

    class Channel(service.PaymentChannel):
        name = "test"

        def fetch(self, since: date) -> list[service.BankLine]:
            return [service.BankLine("TX1", date(2026, 6, 5), Decimal(150), no)]

    officer = Actor("O1", frozenset({"officer"}), "RD1")
    assert service.import_from_channel(w.session, officer, Channel(), date(2026, 6, 1))["recorded"] == 1
    assert service.import_from_channel(w.session, officer, Channel(), date(2026, 6, 1))["skipped_duplicates"] == 1


def test_discretion_outside_range_needs_reasons_and_supervision_sees_it(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    r = w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2, "fine_yuan": "80"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "justification"
    r = w.post(
        f"/api/v1/cases/{cid}/discretion", "O1",
        {"tier": 2, "fine_yuan": "80", "justification": "当事人主动消除违法后果，依法减轻处罚（第三十二条）"}, 200,
    ).json()  # fmt: skip
    assert r["choice"]["outside_range"]
    sup = w.client.get("/api/v1/cases/supervision", headers=w.h("legal1")).json()
    assert [x["case_id"] for x in sup["outside_range"]] == [cid]


@pytest.mark.slow
def test_end_to_end_with_real_documents(cw_real_docs: CaseWorld) -> None:
    """File → notify → waiver → decide → deliver → pay → close, each document rendered and numbered
    by zhifa.documents and attached to its step."""
    w = cw_real_docs
    party = {"id_no": "91320191MA1MLLDP3L"}
    c = w.file(party=party, officers=["O1", "O2"])
    cid = c["id"]
    assert c["steps"][0]["document"]["number"]
    photo = upload(w, "O1", b"\xff\xd8 scene")
    w.post(f"/api/v1/cases/{cid}/evidence", "O1", {"sha256": photo, "kind": "photo", "title": "现场照片"}, 201)
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.step(cid, "notify", "O1", officers=["O1", "O2"])
    w.post(f"/api/v1/cases/{cid}/statements", "O1", {"kind": "waiver", "content": "当事人书面放弃陈述申辩"}, 201)
    c = w.step(cid, "decide", "leader1", officers=["O1", "O2"])
    assert c["decision_no"] and c["decision_no"] == c["steps"][-1]["document"]["number"]
    c = w.step(cid, "deliver", "O1", method="in_person", officers=["O1", "O2"], place="大队办案区")
    w.post(f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "150", "reference": "E2E"}, 201)
    c = w.step(cid, "close", "leader1", summary="已缴清", officers=["O1", "O2"])
    docs = [s["document"] for s in c["steps"] if s["document"]]
    assert len(docs) == 5
    # 送达回证 and 结案报告 carry no number of their own: none, not the text "None".
    numbers = {s["action"]: s["document"]["number"] for s in c["steps"] if s["document"]}
    assert numbers["deliver"] is None and numbers["close"] is None and numbers["file"]
    r = w.client.get(f"/api/v1/documents/{docs[2]['id']}", headers=w.h("leader1"))
    assert r.status_code == 200, r.text
    # The filing register names the person by name, not by login (O1 is 王一).
    register = w.client.get(f"/api/v1/documents/{docs[0]['id']}", headers=w.h("leader1")).json()
    assert register["context"]["approver"] == "王一"


def test_off_site_share_of_filed_cases(cw: CaseWorld) -> None:
    """行政处罚 from off-site enforcement (非现场执法) is a tracked figure: the share of the cases
    filed in a period that were opened from an off-site case (the party came in)."""
    from zhifa.cases.models import Case
    from zhifa.core.clock import today_shanghai, utcnow
    from zhifa.dispatch.models import OffsiteCase

    w = cw
    lead = w.lead(device="WIM1", events=1)
    off = OffsiteCase(
        lead_id=lead.id, state="notified", unit_code="RD1", subject=lead.subject, created_by="duty",
        created_at=utcnow(),
    )  # fmt: skip
    w.session.add(off)
    w.session.flush()
    body = {
        "unit_code": "RD1", "title": "超限运输", "facts": "非现场执法记录", "item_code": "YS-001",
        "party": {"id_no": None}, "source": "inspection", "officers": ["O1", "O2"], "offsite_case_id": off.id,
    }  # fmt: skip
    w.post("/api/v1/cases", "O1", body, 409)  # not before the party came in
    off.state = "appeared"
    w.session.flush()
    from_offsite = w.file(offsite_case_id=off.id, party={"id_no": None})
    w.file()  # one from an inspection
    c = w.session.get(Case, from_offsite["id"])
    assert c is not None and c.offsite_case_id == off.id and c.lead_id == lead.id
    day = today_shanghai()
    f = w.client.get(f"/api/v1/cases/figures?since={day}&until={day.fromordinal(day.toordinal() + 1)}",
                     headers=w.h("analyst")).json()  # fmt: skip
    assert (f["filed_cases"], f["offsite_cases"], f["offsite_share"]) == (2, 1, 0.5)
