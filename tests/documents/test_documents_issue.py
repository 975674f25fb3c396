"""Issuing documents in one transaction: every kind to PDF and DOCX and read back, numbers per
scheme and year, nothing written for a bad context or a failed render, templates versioned."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.documents.readback import docx_text, pdf_fonts, pdf_text, squeeze
from zhifa.core.audit import SYSTEM, Actor, AuditLog
from zhifa.core.clock import FrozenClock
from zhifa.core.errors import Conflict, Forbidden, InvalidField, NotFound
from zhifa.documents import numbering, pdf, service, storage
from zhifa.documents.context import ContextInvalid
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import DocumentIssued
from zhifa.documents.samples import sample
from zhifa.documents.templating import TemplateInvalid

OFFICER = Actor(username="zhao", roles=frozenset({"officer"}), unit_code="ZJ-ZD")

#: Text each kind's PDF must show besides its title and number (taken from the sample context or
#: printed by the template from the law).
KEY_TEXT: dict[str, tuple[str, ...]] = {
    "filing_register": ("镇江市通达货运有限公司", "非现场执法", "第三十五条第一款", "周强"),
    "inquiry_record": (
        "王建国",
        "问：是否办理了超限运输许可？",
        "答：没有办理。",
        "第五十五条第一款",
        "有权申请回避",
        "镇江市通达货运有限公司",
        "赵刚（执法证号：32110001001）",
        "询问同步录音录像",
        "9f" * 32,
        "被询问人签名或者盖章确认",
    ),
    "inspection_record": (
        "苏L12345重型半挂牵引车及所载货物",
        "车货总质量55,000千克",
        "陈明",
        "晴，气温26℃",
        "王建国（驾驶员）",
        "现场方位示意图",
        "a1" * 32,
        "勘验人已出示执法证件",
    ),
    "site_record": (
        "G312国道K1183+500处",
        "责令当事人卸载超限货物",
        "2026年5月30日10时15分",
        "对检测结果无异议，同意卸载。",
        "当事人拒绝签名或者盖章。情况注明：当事人对笔录内容无异议，但拒绝签名",
        "第五十五条第一款",
    ),
    "evidence_preservation_list": ("车辆行驶证", "货物运单", "七日内作出处理决定", "第五十六条"),
    "violation_notice": ("拟对你（单位）作出如下行政处罚：罚款人民币3,000元", "三日内", "第四十四条"),
    "hearing_notice": ("2026年6月15日9时30分", "镇江市交通运输局听证室", "公开举行听证", "吴敏"),
    "hearing_record": (
        "对事实无异议，请求从轻处罚",
        "郑洁",
        "第六十四条第（八）项",
        "钱伟、冯芳",
        "周律（委托代理人）",
        "公开举行",
        "建议罚款3,000元",
        "经出示检定证书后无异议",
        "今后加强车辆装载管理",
    ),
    "referral_letter": (
        "镇江市公安局京口分局：",
        "该案件涉嫌犯罪",
        "《中华人民共和国行政处罚法》第二十七条第一款",
        "涉嫌伪造的道路运输证",
        "当事人涉嫌伪造国家机关证件",
        "2026年6月3日",
    ),
    "on_the_spot_decision": ("王建国", "警告", "《道路运输条例》第三十三条", "六十日内", "六个月内"),
    "penalty_decision": (
        "镇江市通达货运有限公司",
        "超限检测单",
        "当事人称系初次超限，货物为配载，请求不予处罚。",
        "本机关复核意见：不予采纳。理由：超限6,000千克不属于违法行为轻微",
        "本机关复核意见：予以采纳。",
        "违反了《公路安全保护条例》第三十五条第一款的规定",
        "《超限运输车辆行驶公路管理规定》第四十三条第一款第（二）项",
        "一般（超限5吨以上10吨以下）",
        "2,500.00元至5,000.00元",
        "裁量说明：每超1,000千克罚款500元，超限6,000千克计3,000元",
        "人民币叁仟元整",
        "自收到本决定书之日起十五日内",
        "六十日内向镇江市人民政府申请行政复议",
        "六个月内依法向镇江市京口区人民法院提起行政诉讼",
        "镇交执告〔2026〕第0001号",
    ),
    "no_penalty_decision": ("第三十三条第一款", "不予行政处罚", "已对当事人进行法治宣传教育"),
    "correction_order": ("于2026年6月10日前改正", "自行拆除上述广告牌", "第二十八条第一款"),
    "instalment_notice": ("同意你（单位）分期缴纳罚款", "2026年7月5日前", "1,500.00", "第六十六条第二款"),
    "payment_reminder": ("加处罚款人民币玖佰元整", "十日内", "第三十六条"),
    "delivery_receipt": ("《行政处罚决定书》（镇交执罚〔2026〕第0001号）", "直接送达", "赵刚、孙丽"),
    "closing_report": ("行政处罚决定已执行完毕", "2026年6月20日", "镇交执立〔2026〕第0001号"),
}


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count(AuditLog.id))) or 0


def issued_count(session: Session) -> int:
    return session.scalar(select(func.count(DocumentIssued.id))) or 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_issues_a_readable_pdf_and_docx(
    kind: str, session: Session, clock: FrozenClock, tmp_path: Path
) -> None:
    spec = KINDS[kind]
    doc = service.issue(session, OFFICER, kind, sample(kind), case_ref="CASE-2026-0001")
    assert doc.id and doc.kind == kind and doc.case_ref == "CASE-2026-0001" and doc.template_version == 1
    if spec.numbered:
        assert doc.seq == 1 and doc.year == 2026 and doc.number and "〔2026〕第0001号" in doc.number
    else:
        assert doc.number is None and doc.seq is None

    pdf_bytes = storage.get(doc.pdf_sha256)
    assert pdf_bytes.startswith(b"%PDF") and hashlib.sha256(pdf_bytes).hexdigest() == doc.pdf_sha256
    assert len(pdf_bytes) == doc.pdf_size
    text = squeeze(pdf_text(pdf_bytes, tmp_path))
    for needle in (spec.title, doc.number or "", "镇江市交通运输局", *KEY_TEXT[kind]):
        assert squeeze(needle) in text, (kind, needle)
    fonts = pdf_fonts(pdf_bytes, tmp_path)
    assert fonts and all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    # TrueType outlines (fonts-arphic-uming, fonts-wqy-zenhei), not Type 3: every font of the text.
    assert all(f["type"] == "CID TrueType" for f in fonts), fonts

    docx_bytes = storage.get(doc.docx_sha256)
    words, east_asian = docx_text(docx_bytes)
    for needle in (spec.title, doc.number or "", *KEY_TEXT[kind]):
        assert squeeze(needle) in squeeze(words), (kind, needle)
    assert east_asian == {"宋体", "黑体"}

    entry = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document")).one()
    assert (entry.action, entry.actor, entry.entity_id) == ("issue", "zhao", str(doc.id))
    assert entry.after["number"] == doc.number and entry.after["pdf_sha256"] == doc.pdf_sha256
    assert doc.context["agency"] == "镇江市交通运输局" and set(doc.context) == {f.name for f in spec.fields}


def test_numbers_follow_each_other_per_scheme_and_restart_each_year(session: Session, clock: FrozenClock) -> None:
    first = service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    second = service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    other = service.issue(session, OFFICER, "no_penalty_decision", sample("no_penalty_decision"))
    unnumbered = service.issue(session, OFFICER, "inquiry_record", sample("inquiry_record"))
    assert (first.number, second.number) == ("镇交执罚〔2026〕第0001号", "镇交执罚〔2026〕第0002号")
    assert other.number == "镇交执不罚〔2026〕第0001号" and unnumbered.number is None
    # The year is Shanghai's: 2026-12-31 16:30 UTC is already 2027 there.
    clock.set(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    new_year = service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    assert new_year.number == "镇交执罚〔2027〕第0001号" and new_year.year == 2027
    assert numbering.allocate(session, "penalty", 2026) == (3, "镇交执罚〔2026〕第0003号")
    assert numbering.peek(session, "penalty", 2027) == 1 and numbering.peek(session, "penalty", 2030) == 0
    with pytest.raises(NotFound, match="no numbering scheme"):
        numbering.allocate(session, "warrant", 2026)


def test_a_missing_field_writes_nothing_and_takes_no_number(session: Session, clock: FrozenClock) -> None:
    before_audit, before_docs = audit_count(session), issued_count(session)
    ctx = sample("penalty_decision")
    del ctx["party"]["address"]
    with pytest.raises(ContextInvalid) as info:
        service.issue(session, OFFICER, "penalty_decision", ctx)
    assert info.value.details["field"] == "party.address"
    assert "party.address: required: 住址或者住所" in info.value.message
    assert numbering.peek(session, "penalty", 2026) == 0
    assert (audit_count(session), issued_count(session)) == (before_audit, before_docs)
    assert service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision")).seq == 1


def test_a_failed_render_gives_its_number_back(
    session: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(html: str, timeout: float = 1) -> bytes:
        raise pdf.RendererUnavailable("chromium crashed", "PDF 生成失败")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(pdf.RendererUnavailable):
        service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    # The caller carries on with its transaction: the savepoint took the number back.
    assert numbering.peek(session, "penalty", 2026) == 0 and issued_count(session) == 0
    monkeypatch.undo()
    assert service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision")).seq == 1


def test_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIFA_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pdf.RendererUnavailable, match="Chromium not found at /nonexistent/chromium") as info:
        pdf.render_pdf("<p>x</p>")
    assert info.value.status == 503


def test_roles(session: Session, clock: FrozenClock) -> None:
    analyst = Actor(username="an", roles=frozenset({"analyst"}))
    with pytest.raises(Forbidden):
        service.issue(session, analyst, "penalty_decision", sample("penalty_decision"))
    with pytest.raises(Forbidden):
        service.save_template(session, OFFICER, "closing_report", "x")
    with pytest.raises(Forbidden):
        service.set_scheme(session, OFFICER, "penalty", "X〔{year}〕{seq}")
    assert numbering.peek(session, "penalty", 2026) == 0


def test_template_edits_are_versioned_tested_and_audited(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    v1 = service.get_template(session, SYSTEM, "penalty_decision")
    assert v1["version"] == 1 and [h["version"] for h in v1["history"]] == [1]
    edited = v1["source"].replace(
        "{% endblock %}", "<p>本决定书一式两份，一份交当事人，一份存档。</p>\n{% endblock %}", 1
    )
    saved = service.save_template(session, SYSTEM, "penalty_decision", edited, note="一式两份")
    assert saved["version"] == 2 and saved["created_by"] == "system"
    entry = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document_template")).one()
    assert (entry.action, entry.before["version"], entry.after["version"]) == ("update", 1, 2)

    doc = service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    assert doc.template_version == 2
    assert "本决定书一式两份" in squeeze(pdf_text(storage.get(doc.pdf_sha256), tmp_path))
    assert service.get_template(session, SYSTEM, "penalty_decision", version=1)["source"] == v1["source"]

    for bad, reason in (
        ("{% extends '_layout.html' %}{% block body %}{% for x in %}{% endblock %}", "syntax error"),
        ("{% extends '_layout.html' %}{% block body %}{{ ''.__class__.__mro__ }}{% endblock %}", "not allowed"),
        ("{% extends '_layout.html' %}{% block body %}{{ fine }}{% endblock %}", "undefined"),
        ("<p>{{ party.name }}</p>", "lacks the title"),
        ("", "empty"),
    ):
        with pytest.raises(TemplateInvalid, match=reason):
            service.save_template(session, SYSTEM, "penalty_decision", bad)
    assert service.get_template(session, SYSTEM, "penalty_decision")["version"] == 2


def test_scheme_patterns_are_administered(session: Session, clock: FrozenClock) -> None:
    schemes = {s["code"]: s for s in service.list_schemes(session, SYSTEM)}
    assert schemes["penalty"]["example"] == "镇交执罚〔2026〕第0001号"
    assert schemes["penalty"]["kinds"] == ["penalty_decision"] and schemes["penalty"]["updated_by"] == "system"
    service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision"))
    changed = service.set_scheme(session, SYSTEM, "penalty", "镇交罚字〔{year}〕{seq:05d}号")
    assert changed["last_seq"] == 1 and changed["example"] == "镇交罚字〔2026〕00001号"
    # The sequence goes on under the new pattern.
    assert service.issue(session, OFFICER, "penalty_decision", sample("penalty_decision")).number == (
        "镇交罚字〔2026〕00002号"
    )
    entry = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document_scheme")).one()
    assert entry.before["pattern"] == "镇交执罚〔{year}〕第{seq:04d}号" and entry.after["pattern"].startswith(
        "镇交罚字"
    )
    with pytest.raises(Conflict, match="scheme no_penalty has this pattern"):
        service.set_scheme(session, SYSTEM, "penalty", "镇交执不罚〔{year}〕第{seq:04d}号")
    with pytest.raises(InvalidField):
        service.set_scheme(session, SYSTEM, "penalty", "镇交罚字{seq}号")


def test_stored_files_are_checked_against_their_hash(session: Session, clock: FrozenClock, var_dir: Path) -> None:
    doc = service.issue(session, OFFICER, "closing_report", sample("closing_report"))
    path = storage.path_of(doc.pdf_sha256)
    assert path.is_relative_to(var_dir / "documents") and not path.stat().st_mode & 0o222
    path.chmod(0o644)
    path.write_bytes(b"%PDF-forged")
    with pytest.raises(storage.StoredFileDamaged, match="does not match its hash"):
        storage.get(doc.pdf_sha256)
    path.unlink()
    with pytest.raises(storage.StoredFileDamaged, match="missing"):
        service.file_of(session, OFFICER, doc.id, "pdf")
