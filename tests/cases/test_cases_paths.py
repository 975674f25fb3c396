"""Every procedure path through the API, on the frozen clock (2026-06-01 10:00 Shanghai, Monday):
simplified; general without and with a hearing (in time / late); exemption; first violation;
evidence preservation; coercive measures with one extension; referral; Art 45; every step a row,
every deadline attached to the step that opened it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.cases.conftest import HEARING, INQUIRY, PERSON_ID, USCC, CaseWorld
from zhifa.cases.models import CaseDeadline, CaseStep
from zhifa.core.audit import AuditLog


def upload(w: CaseWorld, user: str, blob: bytes, name: str = "a.jpg", ctype: str = "image/jpeg") -> str:
    r = w.client.post("/api/v1/evidence", files={"file": (name, blob, ctype)}, headers=w.h(user))
    assert r.status_code == 200, r.text
    return str(r.json()["sha256"])


def deadlines(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in c["deadlines"]}


def test_general_procedure_without_hearing(cw: CaseWorld) -> None:
    w = cw
    c = w.file()
    cid = c["id"]
    assert c["state"] == "filed" and c["case_no"].startswith("RD1-2026-")
    assert c["party"]["name"] == "合肥远通货运有限公司"  # from the registry by USCC
    # 行政处罚法 第六十条: 90 days from filing 1 June → 30 Aug (Sunday) → 31 Aug.
    assert deadlines(c)["decision"]["due"] == "2026-08-31"
    assert c["next_deadline"] == {"due": "2026-08-31", "kind": "decision"}
    # The old minimal record is refused, naming every missing field.
    r = w.step(cid, "investigate", "O1", status=422, record_kind="inquiry_record", content="当事人承认未携带道路运输证")
    assert r["error"]["code"] == "invalid_field" and r["error"]["field"] == "started_at"
    assert {"qa", "interviewee", "officers", "signed", "content"} <= {p["field"] for p in r["error"]["problems"]}
    c = w.step(cid, "investigate", "O1", **INQUIRY)
    inquiry = c["steps"][-1]["data"]["record"]
    assert inquiry["officers"][1] == {"code": "O2", "name": "王二", "cert_no": "JZ-002"}
    assert inquiry["interviewee"]["id_number"] == "320***********0011"  # masked for an officer
    r = w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2, "circumstance": "ordinary"}, 200).json()
    assert r["proposal"]["fine_yuan"] == "150.00" and not r["choice"]["outside_range"]
    c = w.step(cid, "notify", "O1")
    assert c["state"] == "notified" and c["hearing_reasons"] == []
    d = deadlines(c)
    # Statement period: 3 working days from Mon 1 June → Thu 4 June; no hearing right.
    assert d["statement"]["due"] == "2026-06-04" and "hearing_request" not in d
    s = w.post(
        f"/api/v1/cases/{cid}/statements", "O1", {"kind": "defence", "content": "初次违法，请求从轻"}, 201
    ).json()
    # The case cannot be decided while the party's period runs.
    r = w.step(cid, "decide", "leader1", status=409)
    assert r["error"]["code"] == "party_period_running"
    w.at("2026-06-05T09:00:00")
    r = w.step(cid, "decide", "leader1", status=409)
    assert r["error"]["code"] == "statement_not_answered"  # 第四十五条: re-checked first
    w.post(f"/api/v1/cases/{cid}/statements/{s['id']}/answer", "O1", {"accepted": False, "answer": "未提供新证据"}, 200)
    # 第四十五条第二款: not heavier after the defence.
    r = w.step(cid, "decide", "leader1", status=409, penalty={"fine_yuan": "200"})
    assert r["error"]["code"] == "heavier_after_defence"
    c = w.step(cid, "decide", "leader1")
    assert c["state"] == "decided" and c["decision_no"] == "T-penalty_decision-4"
    # 第六十一条: 7 working days from Fri 5 June: 8–12, 15, 16 June.
    assert deadlines(c)["delivery"]["due"] == "2026-06-16"
    c = w.step(cid, "deliver", "O1", method="in_person")
    assert c["state"] == "delivered"
    # 第六十七条: 15 days from receipt 5 June → 20 June, in the Dragon Boat holiday (19–21) → Mon 22 June.
    assert deadlines(c)["payment"]["due"] == "2026-06-22"
    r = w.post(
        f"/api/v1/cases/{cid}/payments", "O1", {"amount_yuan": "150", "paid_on": "2026-06-05", "reference": "R1"}, 201
    )
    assert r.json()["case"]["state"] == "executed"
    c = w.step(cid, "close", "leader1", summary="罚款已缴清，结案")
    assert c["state"] == "closed" and c["next_deadline"] is None
    assert [s["action"] for s in c["steps"]] == [
        "file", "investigate", "notify", "statement", "decide", "deliver", "pay", "close",
    ]  # fmt: skip
    assert w.docs.kinds() == [
        "filing_register", "inquiry_record", "violation_notice",
        "penalty_decision", "delivery_receipt", "closing_report",
    ]  # fmt: skip
    # Every deadline is attached to the step that opened it and met by a later one.
    steps = {s["id"]: s["action"] for s in c["steps"]}
    opened = {d["kind"]: (steps[d["opened_by_step"]], d["status"]) for d in c["deadlines"]}
    assert opened["decision"] == ("file", "met") and opened["delivery"] == ("decide", "met")
    assert opened["payment"] == ("deliver", "met")
    transitions = w.session.scalars(
        select(AuditLog).where(
            AuditLog.entity_type == "case", AuditLog.action == "transition", AuditLog.entity_id == str(cid)
        )
    ).all()
    assert len(transitions) == len(c["steps"])
    # A closed case takes no further step.
    assert w.step(cid, "notify", "O1", status=409)["error"]["code"] == "illegal_transition"


def test_roles_and_generic_endpoint_limits(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.step(cid, "notify", "O1")
    w.at("2026-06-05T09:00:00")
    assert w.step(cid, "decide", "O1", status=403)["error"]["code"] == "forbidden"  # a leader decides
    assert w.step(cid, "pay", "O1", status=409)["error"]["code"] == "illegal_transition"  # only via payments


def test_simplified_procedure(cw: CaseWorld) -> None:
    w = cw
    body = {
        "unit_code": "RD1",
        "title": "未随车携带道路运输证",
        "facts": "当场查获",
        "item_code": "YS-001",
        "party": {"kind": "person", "name": "李四", "id_no": "320102198001010011", "address": "南京市"},
        "penalty": {"fine_yuan": "201"},
    }
    r = w.post("/api/v1/cases/on-the-spot", "O1", body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "simplified_not_allowed"  # 第五十一条: ≤ 200
    c = w.post("/api/v1/cases/on-the-spot", "O1", body | {"penalty": {"fine_yuan": "200"}}, 201).json()
    assert c["procedure"] == "simplified" and c["state"] == "delivered"
    assert c["decision_no"] == "T-on_the_spot_decision-1"
    d = deadlines(c)
    assert d["filing_copy"]["due"] == "2026-06-08"  # 5 working days from Mon 1 June
    assert d["payment"]["due"] == "2026-06-16"  # 15 days
    assert c["party"]["name"] == "李*"  # an officer sees a person's name masked
    r = w.step(c["id"], "close", "leader1", status=409)
    assert r["error"]["code"] == "unpaid"
    w.post(f"/api/v1/cases/{c['id']}/payments", "O1", {"amount_yuan": "200", "reference": "S1"}, 201)
    r = w.step(c["id"], "close", "leader1", status=409, summary="x")
    assert r["error"]["code"] == "steps_pending"  # the copy is not filed yet
    w.step(c["id"], "file_copy", "O1")
    c = w.step(c["id"], "close", "leader1", summary="当场处罚，已缴款、已备案")
    assert c["state"] == "closed"
    # A warning on the spot has nothing to pay.
    c = w.post("/api/v1/cases/on-the-spot", "O1", body | {"penalty": {"warning": True}}, 201).json()
    assert "payment" not in deadlines(c)


def test_simplified_procedure_states_what_the_party_said(cw: CaseWorld) -> None:
    """The party is heard on the spot (第五十二条 with 第四十四、四十五条): the statements and how
    each was answered, or the waiver, reach the decision's context; bad input is refused whole."""
    w = cw
    body = {
        "unit_code": "RD1",
        "title": "未随车携带道路运输证",
        "facts": "当场查获",
        "item_code": "YS-001",
        "party": {"kind": "person", "name": "李四", "id_no": "320102198001010011", "address": "南京市"},
        "penalty": {"fine_yuan": "50"},
    }
    heard = [{"statement": "证件忘在家中", "adopted": False, "reason": "未随车携带即构成违法"}]
    c = w.post("/api/v1/cases/on-the-spot", "O1", body | {"statements": heard}, 201).json()
    kind, ctx, _ = w.docs.issued[-1]
    assert kind == "on_the_spot_decision"
    assert ctx["statements"] == [{"statement": "证件忘在家中", "adopted": False, "reason": "未随车携带即构成违法"}]
    assert ctx["statements_waived"] is False
    w.post("/api/v1/cases/on-the-spot", "O1", body | {"statements_waived": True}, 201)
    assert w.docs.issued[-1][1]["statements_waived"] is True and w.docs.issued[-1][1]["statements"] == []
    before = len(w.client.get("/api/v1/cases", headers=w.h("O1")).json())
    for bad, field in (
        ({"statements": heard, "statements_waived": True}, "statements_waived"),
        ({"statements": [{"statement": "x", "reason": "y"}]}, "statements[0].adopted"),
        ({"statements": [{"statement": "", "adopted": True, "reason": "y"}]}, "statements[0].statement"),
        ({"statements": "说了"}, "statements"),
    ):
        r = w.post("/api/v1/cases/on-the-spot", "O1", body | bad, 422)
        assert r.json()["error"]["field"] == field
    assert len(w.client.get("/api/v1/cases", headers=w.h("O1")).json()) == before  # nothing half-written
    assert c["state"] == "delivered"


def _hearing_case(w: CaseWorld) -> int:
    c = w.file(item_code="YS-002", title="无证经营道路货运", source="report")
    cid = c["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2, "circumstance": "heavier"}, 200)
    c = w.step(cid, "notify", "O1")
    assert c["penalty"]["fine_yuan"] == "100000.00" and c["hearing_reasons"]  # org threshold 100,000 reached
    assert deadlines(c)["hearing_request"]["due"] == "2026-06-08"  # 5 working days
    return cid


def test_general_procedure_with_hearing_requested_in_time(cw: CaseWorld) -> None:
    w = cw
    cid = _hearing_case(w)
    w.at("2026-06-08T16:00:00")  # the last day
    c = w.step(cid, "request_hearing", "O1")
    assert c["state"] == "hearing_requested"
    # 第六十四条第（二）项: at least 7 working days' notice: from Mon 8 June → Wed 17 June.
    r = w.step(cid, "notice_hearing", "O1", status=422, hearing_on="2026-06-16", host="legal2", place="大队会议室")
    assert "2026-06-17" in r["error"]["message"]
    r = w.step(cid, "notice_hearing", "O1", status=422, hearing_on="2026-06-17", host="O1", place="大队会议室")
    assert r["error"]["field"] == "host"  # an investigator may not preside
    c = w.step(cid, "notice_hearing", "O1", hearing_on="2026-06-17", host="legal2", place="大队会议室", clerk="O2")
    assert deadlines(c)["hearing"]["due"] == "2026-06-17"
    w.at("2026-06-17T09:00:00")
    assert w.step(cid, "hold_hearing", "legal1", status=409)["error"]["code"] == "conflict"  # not the host
    r = w.step(cid, "hold_hearing", "legal2", status=422, record="当事人到场申辩")
    assert r["error"]["field"] == "started_at" and "case_statement" in {p["field"] for p in r["error"]["problems"]}
    r = w.step(cid, "hold_hearing", "legal2", status=422, **HEARING)
    assert r["error"]["field"] == "ended_at"  # 10:30 has not come yet: a record states what took place
    w.at("2026-06-17T11:00:00")
    r = w.step(cid, "hold_hearing", "legal2", status=422, **HEARING | {"investigators": ["legal2"]})
    assert r["error"]["field"] == "investigators"  # 第六十四条第（四）项: the host did not investigate
    c = w.step(cid, "hold_hearing", "legal2", **HEARING)
    assert c["state"] == "heard"
    heard = c["steps"][-1]["data"]["record"]
    assert heard["host"] == {"code": "legal2", "name": "legal2"} and heard["place"] == "大队会议室"
    assert w.docs.issued[-1][0] == "hearing_record"
    ctx = w.docs.issued[-1][1]
    assert ctx["investigators"] == ["王一（执法证号：JZ-001）"] and ctx["public"] is True
    assert ctx["attendees"] == ["周某（法定代表人）", "吴律（委托代理人）"]
    # 第五十八条: after a hearing the decision needs legal review.
    assert w.step(cid, "decide", "leader1", status=409)["error"]["code"] == "illegal_transition"
    w.step(cid, "submit_review", "O1")
    w.step(cid, "pass_review", "legal1", reason="事实清楚，证据充分，程序合法")
    c = w.step(cid, "decide", "leader1")
    assert c["state"] == "decided"
    assert [s["action"] for s in c["steps"]][-5:] == [
        "notice_hearing",
        "hold_hearing",
        "submit_review",
        "pass_review",
        "decide",
    ]


def test_hearing_requested_late_is_refused(cw: CaseWorld) -> None:
    w = cw
    cid = _hearing_case(w)
    w.at("2026-06-09T09:00:00")
    r = w.step(cid, "request_hearing", "O1", status=409)
    assert r["error"]["code"] == "hearing_request_late" and r["error"]["due"] == "2026-06-08"
    # A request received on time and recorded late still counts.
    c = w.step(cid, "request_hearing", "O1", requested_on="2026-06-05")
    assert c["state"] == "hearing_requested"


def test_major_and_serious_cases_need_review_and_collective_discussion(cw: CaseWorld) -> None:
    w = cw
    cid = w.file(major=True, serious=True)["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    w.step(cid, "notify", "O1")
    w.post(f"/api/v1/cases/{cid}/statements", "O1", {"kind": "waiver", "content": "放弃陈述申辩"}, 201)
    assert w.step(cid, "decide", "leader1", status=409)["error"]["code"] == "legal_review_required"
    w.step(cid, "submit_review", "O1")
    w.step(cid, "pass_review", "legal1", reason="同意")
    assert w.step(cid, "decide", "leader1", status=409)["error"]["code"] == "collective_discussion_required"
    w.step(cid, "collective_discussion", "leader1", reason="同意处罚", participants=["甲", "乙", "丙"])
    assert w.step(cid, "decide", "leader1")["state"] == "decided"


def test_exemption_ends_with_no_penalty_education_and_commitment(cw: CaseWorld) -> None:
    w = cw
    c = w.file(matter="road.transport_permit")
    cid = c["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2}, 200)
    chk = w.post(
        f"/api/v1/cases/{cid}/exemptions/check",
        "O1",
        {"facts": {"minor": True, "corrected_in_time": True, "no_harm": True}},
        200,
    ).json()
    assert chk["must_exempt"] == ["EX-ROAD-01"]
    w.step(cid, "notify", "O1")
    w.at("2026-06-05T09:00:00")
    assert w.step(cid, "decide", "leader1", status=409)["error"]["code"] == "exempt"  # checked before the decision
    r = w.step(cid, "no_penalty", "leader1", status=422, ground="exemption", reason="符合免罚清单")
    assert r["error"]["field"] == "education_record"
    letter = upload(w, "O1", b"%PDF-1.4 signed commitment", "c.pdf", "application/pdf")
    c = w.step(
        cid,
        "no_penalty",
        "leader1",
        ground="exemption",
        reason="符合免罚清单第一批第1项",
        education_record="向当事人宣讲道路运输条例，当事人表示今后随车携带证件",
        commitment_sha256=letter,
    )
    assert c["state"] == "no_penalty" and c["outcome"] == "no_penalty" and c["decision_no"].startswith("T-no_penalty")
    ev = w.client.get(f"/api/v1/cases/{cid}/evidence", headers=w.h("O1")).json()
    assert any(e["kind"] == "commitment_letter" and e["sha256"] == letter for e in ev)
    f = w.client.get("/api/v1/cases/figures?since=2026-06-01&until=2026-07-01", headers=w.h("analyst")).json()
    assert f["exempt_cases"] == 1 and f["fines_not_imposed_yuan"] == "150.00"
    c = w.step(cid, "close", "leader1", summary="不予处罚，已教育")
    assert c["state"] == "closed"


def test_first_violation_is_checked_against_history(cw: CaseWorld) -> None:
    w = cw
    facts = {"facts": {"minor_harm": True, "corrected_in_time": True, "first_offence": True}}
    # A person with no history: first violation holds.
    c = w.file(party={"id_no": PERSON_ID}, vehicle={"plate": "苏L66666", "plate_color": "blue"})
    chk = w.post(f"/api/v1/cases/{c['id']}/exemptions/check", "O1", facts, 200).json()
    assert chk["history"]["first"] and "FIRST-VIOLATION" in chk["may_exempt"]
    # The enterprise, with an earlier decided penalty for the same matter: not first.
    first = w.post(
        "/api/v1/cases/on-the-spot",
        "O1",
        {
            "unit_code": "RD1",
            "title": "t",
            "facts": "f",
            "matter": "road.transport_permit",
            "party": {"id_no": USCC},
            "penalty": {"fine_yuan": "100"},
        },
        201,
    ).json()
    c2 = w.file(matter="road.transport_permit")
    chk = w.post(f"/api/v1/cases/{c2['id']}/exemptions/check", "O1", facts, 200).json()
    assert not chk["history"]["first"] and chk["history"]["prior"][0]["case_no"] == first["case_no"]
    assert "FIRST-VIOLATION" not in chk["may_exempt"]
    r = w.step(c2["id"], "no_penalty", "leader1", status=409, ground="first_violation", reason="首违")
    assert r["error"]["code"] == "not_exempt"
    letter = upload(w, "O1", b"commitment of zhang")
    c = w.step(
        c["id"], "no_penalty", "leader1", ground="first_violation", reason="首违不罚",
        education_record="已教育", commitment_sha256=letter,
    )  # fmt: skip
    assert c["no_penalty_ground"] == "first_violation"


def test_evidence_preservation_decided_within_seven_working_days(cw: CaseWorld) -> None:
    w = cw
    w.at("2026-04-29T10:00:00")
    cid = w.file(act_end="2026-04-29")["id"]
    c = w.step(cid, "preserve_evidence", "O1", items=["道路运输证复印件"], reason="证据可能灭失", kept_at="大队物证室")
    # 第五十六条: 7 working days across May Day (make-up Saturday 9 May) → Tue 12 May.
    assert deadlines(c)["preservation"]["due"] == "2026-05-12"
    assert c["next_deadline"] == {"due": "2026-05-12", "kind": "preservation"}
    c = w.step(cid, "decide_preservation", "O1", decision="解除登记保存，返还当事人")
    assert deadlines(c)["preservation"]["status"] == "met"
    assert w.docs.kinds()[-1] == "evidence_preservation_list"


def test_coercive_measure_30_days_one_extension_and_no_second(cw: CaseWorld) -> None:
    w = cw
    w.at("2026-01-16T10:00:00")
    cid = w.file(act_end="2026-01-16")["id"]
    c = w.step(cid, "seize", "leader1", reason="暂扣车辆", items=["苏L12345货车"])
    # 行政强制法 第二十五条: 30 days ending Sun 15 Feb in the Spring Festival → Tue 24 Feb.
    assert deadlines(c)["coercive"]["due"] == "2026-02-24"
    c = w.step(cid, "extend_coercive", "leader1", reason="情况复杂，经负责人批准延长")
    d = deadlines(c)["coercive"]
    assert (d["due"], d["extensions"]) == ("2026-03-17", 1)
    r = w.step(cid, "extend_coercive", "leader1", status=409, reason="再次延长")
    assert r["error"]["code"] == "extension_refused"
    c = w.step(cid, "release_coercive", "O1", decision="解除扣押")
    assert deadlines(c)["coercive"]["status"] == "met"


def test_referral_ends_the_case(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    c = w.step(cid, "refer", "leader1", status=422)
    r = w.step(cid, "refer", "leader1", status=422, to="镇江市公安局交通警察支队", reason="涉嫌犯罪")
    assert r["error"]["field"] == "kind"
    r = w.step(
        cid, "refer", "leader1", status=422, to="丹阳市交通运输局", kind="administrative", reason="不属本机关管辖"
    )
    assert r["error"]["field"] == "jurisdiction"
    c = w.step(
        cid,
        "refer",
        "leader1",
        to="镇江市公安局交通警察支队",
        kind="judicial",
        reason="涉嫌犯罪，依法移送（第二十七条）",
    )
    assert c["state"] == "referred" and c["outcome"] == "referred"
    kind, ctx, _ = w.docs.issued[-1]
    assert kind == "referral_letter" and c["steps"][-1]["document"]["number"] == "T-referral_letter-2"
    assert ctx["receiver"] == "镇江市公安局交通警察支队" and ctx["referral_kind"] == "涉嫌犯罪移送司法机关"
    assert ctx["basis"][0]["article"] == "第二十七条第一款"
    # What is handed over, by default: the case's documents (here the filing register).
    assert ctx["materials"] == [{"name": "《立案登记表》（T-filing_register-1）", "quantity": "1份"}]
    assert deadlines(c)["decision"]["status"] == "met"
    assert w.step(cid, "investigate", "O1", status=409)["error"]["code"] == "illegal_transition"


def test_limitation_is_checked_at_filing(cw: CaseWorld) -> None:
    w = cw
    r = w.post("/api/v1/cases", "O1", {
        "unit_code": "RD1", "title": "t", "facts": "f", "party": {"id_no": USCC}, "act_end": "2024-05-31",
    })  # fmt: skip
    assert r.status_code == 409 and r.json()["error"]["code"] == "limitation_expired"
    assert w.file(act_end="2024-06-01")["state"] == "filed"  # the last day of two years


def test_every_step_writes_one_row_and_the_deadline_rows_name_it(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    w.step(cid, "preserve_evidence", "O1", items=["x"])
    rows = w.session.scalars(select(CaseStep).where(CaseStep.case_id == cid).order_by(CaseStep.seq)).all()
    assert [(r.seq, r.action, r.from_state, r.to_state) for r in rows] == [
        (1, "file", "new", "filed"),
        (2, "preserve_evidence", "filed", "filed"),
    ]
    assert rows[0].document_number == "T-filing_register-1"
    ds = w.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == cid).order_by(CaseDeadline.id)).all()
    assert [(d.kind, d.opened_by) for d in ds] == [("decision", rows[0].id), ("preservation", rows[1].id)]
