"""The records of the investigation and of the hearing (询问、勘验、现场、听证笔录) and the referral
letter (案件移送书): what each must state, checked field by field without a database; then each
taken through the case API with real documents, its PDF read back with pdftotext for the detailed
content, and its personal data masked for those who may not see it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cases.conftest import HEARING, INQUIRY, CaseWorld
from tests.documents.readback import docx_text, pdf_fonts, pdf_text, squeeze
from zhifa.cases import records
from zhifa.documents import storage

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 Shanghai, the suite's clock
PHOTO = "ab" * 32
INSPECTION: dict[str, Any] = {
    "record_kind": "inspection_record",
    "started_at": "2026-06-01T08:10:00+08:00",
    "ended_at": "2026-06-01T08:50:00+08:00",
    "place": "G312国道K1183+500处超限检测站",
    "officers": ["O1", "O2"],
    "recorder": "O2",
    "identity_shown": True,
    "subject": "苏L12345重型货车及所载钢材",
    "conditions": "晴，路面干燥，检测站计重设备检定有效",
    "party_present": "周某（当事人的法定代表人）",
    "witness": "陈明（检测站工作人员）",
    "findings": ["车辆为两轴重型货车，车厢内装载钢材约20吨。", "车辆未随车携带道路运输证。"],
    "signed": True,
}
SITE: dict[str, Any] = {
    "record_kind": "site_record",
    "started_at": "2026-06-01T08:00:00+08:00",
    "ended_at": "2026-06-01T08:30:00+08:00",
    "place": "G312国道K1183+500处",
    "officers": ["O1", "O2"],
    "recorder": "O1",
    "identity_shown": True,
    "party_present": "周某（驾驶员）",
    "findings": ["苏L12345货车驾驶员未能出示道路运输证。"],
    "measures": ["责令当事人补正道路运输证。"],
    "party_opinion": "承认未带证件，愿意接受处理。",
    "signed": False,
    "refusal_note": "当事人对笔录内容无异议但拒绝签名，执法人员王一、王二在场。",
}
INTERVIEWEE_MISSING = {f"interviewee.{k}" for k in ("gender", "id_number", "address", "relation")}
HEARING_NOTICE = {"host": "legal2", "place": "大队会议室", "public": True}
VALID = {
    "inquiry_record": INQUIRY,
    "inspection_record": INSPECTION,
    "site_record": SITE,
    "hearing_record": HEARING | {"place": "大队会议室"},
}


def problems_of(kind: str, params: dict[str, Any], now: datetime = NOW) -> set[str]:
    with pytest.raises(records.RecordInvalid) as info:
        records.validate(kind, params, now, HEARING_NOTICE)
    assert info.value.status == 422 and info.value.code == "invalid_field"
    assert info.value.field == info.value.problems[0].field
    return {p.field for p in info.value.problems}


HEARING_NOW = datetime(2026, 6, 17, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(VALID))
def test_a_complete_record_is_accepted(kind: str) -> None:
    now = HEARING_NOW if kind == "hearing_record" else NOW
    out = records.validate(kind, copy.deepcopy(VALID[kind]), now, HEARING_NOTICE)
    assert out["started_at"].utcoffset().total_seconds() == 8 * 3600 and out["place"]


@pytest.mark.parametrize(
    ("kind", "change", "fields"),
    [
        # Times: with their zone, in order, not in the future.
        ("inquiry_record", {"started_at": "2026-06-01T09:00:00"}, {"started_at"}),
        ("inquiry_record", {"ended_at": "2026-06-01T08:00:00+08:00"}, {"ended_at"}),
        ("inquiry_record", {"ended_at": "2026-06-01T10:30:00+08:00"}, {"ended_at"}),
        ("inquiry_record", {"started_at": "yesterday"}, {"started_at"}),
        # 行政处罚法 第四十二条: two officers at least, none twice.
        ("inquiry_record", {"officers": ["O1"]}, {"officers"}),
        ("inquiry_record", {"officers": ["O1", "O1"]}, {"officers"}),
        # 第五十五条第一款 certificates shown; 第五十五条第二款、第四十三条第二款 rights told.
        ("inquiry_record", {"identity_shown": False}, {"identity_shown"}),
        ("inquiry_record", {"rights_notified": False}, {"rights_notified"}),
        ("inquiry_record", {"rights_notified": "yes"}, {"rights_notified"}),
        ("inquiry_record", {"qa": []}, {"qa"}),
        ("inquiry_record", {"qa": [{"q": "是否携带证件？", "a": " "}]}, {"qa[1].a"}),
        ("inquiry_record", {"qa": [{"q": "x", "a": "y", "note": "z"}]}, {"qa[1].note"}),
        ("inquiry_record", {"qa": "随便说说"}, {"qa"}),
        ("inquiry_record", {"interviewee": {"name": "周某"}}, INTERVIEWEE_MISSING),
        ("inquiry_record", {"interviewee": INQUIRY["interviewee"] | {"gender": "M"}}, {"interviewee.gender"}),
        ("inquiry_record", {"signed": False}, {"refusal_note"}),
        ("inquiry_record", {"signed": None}, {"signed"}),
        ("inquiry_record", {"attachments": ["not-a-hash"]}, {"attachments[1].sha256"}),
        ("inquiry_record", {"contents": "typo"}, {"contents"}),
        ("inspection_record", {"party_present": None, "witness": None}, {"party_present"}),
        ("inspection_record", {"conditions": ""}, {"conditions"}),
        ("inspection_record", {"findings": []}, {"findings"}),
        ("inspection_record", {"findings": ["车辆超限", ""]}, {"findings[2]"}),
        ("site_record", {"party_opinion": None}, {"party_opinion"}),
        ("site_record", {"refusal_note": None}, {"refusal_note"}),
        ("site_record", {"party_present": ""}, {"party_present"}),
        # 第六十四条: public unless a stated secret (三), host not an investigator (四), at most two
        # agents (五), the statements and cross-examination (七), an absence recorded (六).
        ("hearing_record", {"public": False}, {"not_public_reason"}),
        ("hearing_record", {"investigators": ["legal2"]}, {"investigators"}),
        ("hearing_record", {"host": "legal1"}, {"host"}),
        ("hearing_record", {"attendees": [{"name": n, "role": "委托代理人"} for n in "甲乙丙"]}, {"attendees"}),
        ("hearing_record", {"attendees": [{"name": "周某", "role": "朋友"}]}, {"attendees[1].role"}),
        ("hearing_record", {"party_statement": None, "final_statement": ""}, {"party_statement", "final_statement"}),
        ("hearing_record", {"cross_examination": None}, {"cross_examination"}),
        ("hearing_record", {"case_statement": None}, {"case_statement"}),
        ("hearing_record", {"party_absent": True, "attendees": None}, {"absence_note"}),
        ("hearing_record", {"clerk": None}, {"clerk"}),
    ],
)
def test_every_missing_or_wrong_field_is_named(kind: str, change: dict[str, Any], fields: set[str]) -> None:
    now = HEARING_NOW if kind == "hearing_record" else NOW
    params = copy.deepcopy(VALID[kind]) | change
    assert problems_of(kind, {k: v for k, v in params.items() if v is not None}, now) == fields


def test_the_old_minimal_parameters_are_refused_with_every_missing_field() -> None:
    fields = problems_of("inquiry_record", {"record_kind": "inquiry_record", "content": "当事人承认"})
    assert fields == {
        "started_at", "ended_at", "place", "officers", "recorder", "identity_shown", "interviewee",
        "rights_notified", "qa", "signed", "content",
    }  # fmt: skip
    hearing = problems_of("hearing_record", {"record": "当事人到场申辩"}, HEARING_NOW)
    assert {"case_statement", "investigators", "attendees", "party_statement", "record"} <= hearing


def test_questions_and_answers_may_be_given_as_text() -> None:
    qa = "问：是否携带道路运输证？\n答：没有带。\n证件放在公司。\n问：车辆由谁驾驶？\n答：我本人。"
    out = records.validate("inquiry_record", INQUIRY | {"qa": qa}, NOW)
    assert out["qa"] == [
        {"q": "是否携带道路运输证？", "a": "没有带。证件放在公司。"},
        {"q": "车辆由谁驾驶？", "a": "我本人。"},
    ]


def test_an_absent_party_ends_the_hearing_without_statements() -> None:
    params = {k: v for k, v in HEARING.items() if k not in ("attendees", "party_statement", "final_statement")}
    params |= {"party_absent": True, "absence_note": "当事人经合法通知无正当理由未到场（第六十四条第（六）项）"}
    out = records.validate("hearing_record", params | {"place": "大队会议室"}, HEARING_NOW, HEARING_NOTICE)
    assert out["party_absent"] and out["attendees"] == [] and out["party_statement"] is None


def test_personal_data_of_a_record_is_masked() -> None:
    rec = {"interviewee": {"name": "周某", "id_number": "320102198001010011", "phone": "13800000009"}}
    rec |= {"attendees": [{"name": "周某", "role": "当事人", "id_number": "320102198001010011"}]}
    out = records.masked(rec, lambda s: s[:3] + "*", lambda s: s[:3] + "#")
    assert out["interviewee"]["id_number"] == "320*" and out["interviewee"]["phone"] == "138#"
    assert out["attendees"][0]["id_number"] == "320*" and rec["interviewee"]["id_number"].endswith("0011")


# ---------------------------------------------------------------------- through the API, real PDFs


def _upload(w: CaseWorld, blob: bytes, ctype: str = "image/jpeg") -> str:
    r = w.client.post("/api/v1/evidence", files={"file": ("f", blob, ctype)}, headers=w.h("O1"))
    assert r.status_code == 200, r.text
    return str(r.json()["sha256"])


def _read_back(w: CaseWorld, step: dict[str, Any], tmp_path: Path) -> str:
    doc = w.client.get(f"/api/v1/documents/{step['document']['id']}", headers=w.h("leader1")).json()
    pdf = storage.get(doc["pdf_sha256"])
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(f["type"] == "CID TrueType" and f["emb"] == "yes" for f in fonts), fonts
    words, _ = docx_text(storage.get(doc["docx_sha256"]))
    text = squeeze(pdf_text(pdf, tmp_path))
    assert squeeze(doc["title"]) in squeeze(words)
    return text


def _assert_in(text: str, *needles: str) -> None:
    for needle in needles:
        assert squeeze(needle) in text, needle


@pytest.mark.slow
def test_investigation_records_render_their_detail(cw_real_docs: CaseWorld, tmp_path: Path) -> None:
    w = cw_real_docs
    cid = w.file()["id"]
    photo = _upload(w, b"\xff\xd8 photo of the truck")
    drawing = _upload(w, b"%PDF-1.4 drawing", "application/pdf")

    c = w.step(cid, "investigate", "O1", **INQUIRY)
    text = _read_back(w, c["steps"][-1], tmp_path)
    _assert_in(
        text, "询问笔录", "2026年6月1日9时00分至2026年6月1日9时40分", "路政一大队询问室",
        "王一（执法证号：JZ-001）、王二（执法证号：JZ-002）", "王二（执法证号：JZ-002）", "周某，男",
        "合肥远通货运有限公司", "当事人的法定代表人", "已向被询问人出示执法证件", "有权申请回避",
        "问：苏L12345货车是否随车携带道路运输证？", "答：当天忘带了，证件放在公司。", "被询问人签名或者盖章确认",
    )  # fmt: skip

    attachments = [{"sha256": photo, "title": "车辆外观照片"}, {"sha256": drawing, "title": "现场示意图"}]
    c = w.step(cid, "investigate", "O1", **INSPECTION | {"attachments": attachments})
    text = _read_back(w, c["steps"][-1], tmp_path)
    _assert_in(
        text, "勘验笔录", "苏L12345重型货车及所载钢材", "晴，路面干燥，检测站计重设备检定有效",
        "周某（当事人的法定代表人）", "陈明（检测站工作人员）", "车厢内装载钢材约20吨", "车辆外观照片", photo,
        "现场示意图", drawing,
    )  # fmt: skip
    # The photos are linked to the case as evidence, with their custody.
    ev = {e["sha256"]: e for e in w.client.get(f"/api/v1/cases/{cid}/evidence", headers=w.h("O1")).json()}
    assert (
        ev[photo]["kind"] == "photo" and ev[drawing]["kind"] == "document" and ev[photo]["custody"]["added_by"] == "O1"
    )
    assert ev[photo]["note"] == "勘验笔录附件"

    c = w.step(cid, "investigate", "O1", **SITE)
    text = _read_back(w, c["steps"][-1], tmp_path)
    _assert_in(
        text, "现场笔录", "周某（驾驶员）", "驾驶员未能出示道路运输证", "责令当事人补正道路运输证",
        "承认未带证件，愿意接受处理。", "当事人拒绝签名或者盖章。情况注明：当事人对笔录内容无异议但拒绝签名",
        "第五十五条第一款",
    )  # fmt: skip

    # An officer without a valid certificate cannot record (O3's expired 31 May, O4 has none).
    r = w.step(cid, "investigate", "O1", status=422, **SITE | {"officers": ["O3", "O4"], "recorder": "O9"})
    assert {p["field"] for p in r["error"]["problems"]} == {"officers[1]", "officers[2]", "recorder"}
    assert "2026-05-31" in r["error"]["problems"][0]["reason"]
    r = w.step(cid, "investigate", "O1", status=422, **SITE | {"attachments": ["cd" * 32]})
    assert r["error"]["field"] == "attachments[1].sha256"


@pytest.mark.slow
def test_hearing_record_renders_the_statements(cw_real_docs: CaseWorld, tmp_path: Path) -> None:
    w = cw_real_docs
    c = w.file(item_code="YS-002", title="无证经营道路货运", source="report")
    cid = c["id"]
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2, "circumstance": "heavier"}, 200)
    w.step(cid, "notify", "O1", officers=["O1", "O2"])
    w.step(cid, "request_hearing", "O1")
    w.step(
        cid, "notice_hearing", "O1", hearing_on="2026-06-17", host="legal2", place="大队会议室", clerk="王二",
        public=False,
    )  # fmt: skip
    w.at("2026-06-17T11:00:00")
    r = w.step(cid, "hold_hearing", "legal2", status=422, **HEARING)
    assert r["error"]["field"] == "not_public_reason"  # noticed as not public: say why (第六十四条第（三）项)
    c = w.step(cid, "hold_hearing", "legal2", **HEARING | {"not_public_reason": "涉及当事人的商业秘密"})
    text = _read_back(w, c["steps"][-1], tmp_path)
    _assert_in(
        text, "听证笔录", "2026年6月17日9时00分至2026年6月17日10时30分", "大队会议室", "钱伟", "王二",
        "王一（执法证号：JZ-001）", "周某（法定代表人）、吴律（委托代理人）", "不公开举行。理由：涉及当事人的商业秘密",
        "建议罚款100,000元", "对事实无异议，经营时间短，请求从轻处罚。", "对违法所得的计算有异议",
        "请求从轻处罚，已申请办理经营许可。", "第六十四条第（八）项",
    )  # fmt: skip
    # The attendees' ID numbers are masked for an officer, shown to a leader (PII role).
    officer = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("O1")).json()["steps"][-1]["data"]["record"]
    leader = w.client.get(f"/api/v1/cases/{cid}", headers=w.h("leader1")).json()["steps"][-1]["data"]["record"]
    assert officer["attendees"][0]["id_number"] == "320***********0011"
    assert leader["attendees"][0]["id_number"] == "320102198001010011"


@pytest.mark.slow
def test_referral_issues_the_referral_letter_and_ends_the_case(cw_real_docs: CaseWorld, tmp_path: Path) -> None:
    w = cw_real_docs
    c = w.file()
    cid = c["id"]
    filing_no = c["steps"][0]["document"]["number"]
    c = w.step(
        cid, "refer", "leader1", to="丹阳市交通运输局", kind="administrative", jurisdiction="territorial",
        reason="违法行为发生地在丹阳市，不属本机关管辖",
        materials=[{"name": "道路运输证复印件", "quantity": "1页"}, "询问笔录"],
    )  # fmt: skip
    assert c["state"] == "referred" and c["outcome"] == "referred" and "refer" not in c["allowed"]
    step = c["steps"][-1]
    assert step["document"]["kind"] == "referral_letter" and step["document"]["number"] == "镇交执移〔2026〕第0001号"
    assert step["data"]["ground"] == "territorial" and step["data"]["materials"][1] == {
        "name": "询问笔录",
        "quantity": "1份",
    }
    text = _read_back(w, step, tmp_path)
    _assert_in(
        text, "案件移送书", "镇交执移〔2026〕第0001号", "丹阳市交通运输局：", "该案件依法不属于本机关管辖",
        "《中华人民共和国行政处罚法》第二十二条", "行政处罚由违法行为发生地的行政机关管辖",
        "违法行为发生地在丹阳市，不属本机关管辖", "道路运输证复印件", "合肥远通货运有限公司", "2026年6月1日",
    )  # fmt: skip
    assert (
        filing_no and w.step(cid, "investigate", "O1", status=409, **INQUIRY)["error"]["code"] == "illegal_transition"
    )
