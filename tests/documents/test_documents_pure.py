"""The pure parts of documents, without a database: kinds and their context checks, number
patterns, the Chinese amounts and numerals, the sandboxed templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from zhifa.core.errors import InvalidField, NotFound
from zhifa.documents import templating
from zhifa.documents.context import ContextInvalid
from zhifa.documents.kinds import KINDS, get_kind, validate_context
from zhifa.documents.numbers import DEFAULT_SCHEMES, check_pattern, format_number
from zhifa.documents.samples import sample

ISSUE_TITLES = {
    "filing_register": "立案登记表",
    "inquiry_record": "询问笔录",
    "inspection_record": "勘验笔录",
    "site_record": "现场笔录",
    "evidence_preservation_list": "证据登记保存清单",
    "violation_notice": "违法行为通知书",
    "hearing_notice": "听证通知书",
    "hearing_record": "听证笔录",
    "on_the_spot_decision": "当场行政处罚决定书",
    "penalty_decision": "行政处罚决定书",
    "no_penalty_decision": "不予行政处罚决定书",
    "correction_order": "责令改正违法行为通知书",
    "instalment_notice": "分期（延期）缴纳罚款通知书",
    "payment_reminder": "催告书",
    "delivery_receipt": "送达回证",
    "closing_report": "结案报告",
    "referral_letter": "案件移送书",
}


def problems(kind: str, context: Any) -> dict[str, str]:
    with pytest.raises(ContextInvalid) as info:
        validate_context(kind, context)
    return {p.field: p.reason for p in info.value.problems}


def test_the_kinds_of_the_issue() -> None:
    assert {code: k.title for code, k in KINDS.items()} == ISSUE_TITLES
    schemes = {s.code for s in DEFAULT_SCHEMES}
    for kind in KINDS.values():
        assert kind.scheme is None or kind.scheme in schemes, kind.code
        assert kind.basis, kind.code
    # Decisions and notices are numbered; records of an investigation are not.
    assert {k.code for k in KINDS.values() if k.numbered} >= {
        "filing_register",
        "penalty_decision",
        "on_the_spot_decision",
        "no_penalty_decision",
        "violation_notice",
    }
    assert not KINDS["inquiry_record"].numbered and not KINDS["delivery_receipt"].numbered
    with pytest.raises(NotFound, match="unknown document kind"):
        get_kind("warrant")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_sample_is_a_valid_context(kind: str) -> None:
    values = validate_context(kind, sample(kind))
    assert set(values) == {f.name for f in KINDS[kind].fields}


def test_a_missing_field_is_named_top_level_and_nested() -> None:
    ctx = sample("penalty_decision")
    del ctx["facts"]
    ctx["party"]["name"] = "  "
    del ctx["discretion"]["justification"]
    ctx["evidence"][1]["content"] = ""
    found = problems("penalty_decision", ctx)
    assert set(found) == {"facts", "party.name", "discretion.justification", "evidence[2].content"}
    assert found["facts"] == "required: 违法事实"
    with pytest.raises(ContextInvalid) as info:
        validate_context("penalty_decision", ctx)
    assert info.value.status == 422 and "no document was issued" in info.value.message
    assert info.value.as_dict()["field"] in found


def test_wrong_values_are_refused() -> None:
    ctx = sample("penalty_decision")
    ctx["fine_yuan"] = 3000.0  # a float: money is exact
    ctx["notified_on"] = "2026-02-30"
    ctx["party"]["kind"] = "公司"
    ctx["evidence"] = []
    ctx["number"] = "镇交执罚〔2026〕第9999号"  # the system numbers
    ctx["fine"] = "3000"  # a typing error
    found = problems("penalty_decision", ctx)
    assert set(found) == {"fine_yuan", "notified_on", "party.kind", "evidence", "number", "fine"}
    assert found["evidence"] == "required: 证据" and "set by the system" in found["number"]

    on_spot = sample("on_the_spot_decision")
    on_spot["occurred_at"] = "2026-05-30T10:15:00"  # no zone
    assert "zone" in problems("on_the_spot_decision", on_spot)["occurred_at"]
    on_spot = sample("on_the_spot_decision")
    on_spot["officers"] = on_spot["officers"][:1]  # 行政处罚法 第四十二条: at least two
    assert "at least 2" in problems("on_the_spot_decision", on_spot)["officers"]
    assert problems("penalty_decision", ["not", "a", "dict"]) == {"context": "must be an object"}


def test_rules_across_fields() -> None:
    ctx = sample("penalty_decision")
    ctx["discretion"]["chosen_yuan"] = "6000"
    ctx["fine_yuan"] = "6000"
    assert set(problems("penalty_decision", ctx)) == {"discretion.chosen_yuan"}
    ctx["discretion"]["outside_range_reason"] = "当事人多次超限且拒不卸载，经集体讨论决定超出基准幅度处罚"
    validate_context("penalty_decision", ctx)  # outside the range, with its reason stated: accepted
    ctx = sample("penalty_decision")
    ctx["fine_yuan"] = "3500"
    assert set(problems("penalty_decision", ctx)) == {"fine_yuan"}
    # 行政处罚法 第六十二条: the party's statements and their answers, or a waiver.
    ctx = sample("penalty_decision")
    ctx["statements"], ctx["statements_waived"] = [], False
    assert set(problems("penalty_decision", ctx)) == {"statements"}
    ctx["statements_waived"] = True
    validate_context("penalty_decision", ctx)

    ctx = sample("instalment_notice")
    ctx["schedule"][1]["amount_yuan"] = "1000"
    assert "add up to 2500.00" in problems("instalment_notice", ctx)["schedule"]
    ctx = sample("instalment_notice")
    ctx["mode"] = "延期"
    assert "exactly one" in problems("instalment_notice", ctx)["schedule"]

    ctx = sample("correction_order")
    ctx["immediately"] = True
    assert set(problems("correction_order", ctx)) == {"deadline"}
    del ctx["deadline"]
    validate_context("correction_order", ctx)

    ctx = sample("inquiry_record")
    ctx["ended_at"] = "2026-06-01T08:00:00+08:00"
    assert set(problems("inquiry_record", ctx)) == {"ended_at"}


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        # 行政处罚法 第五十五条第一款: certificates shown; 第五十五条第二款、第四十三条第二款: rights told.
        ("inquiry_record", {"identity_shown": False}, "identity_shown"),
        ("inquiry_record", {"rights_notified": False}, "rights_notified"),
        ("inquiry_record", {"qa": []}, "qa"),
        # A record not signed notes the refusal (第六十四条第（八）项 and the same practice).
        ("inquiry_record", {"signed": False}, "refusal_note"),
        ("inspection_record", {"party_present": None, "witness": None}, "party_present"),
        ("inspection_record", {"conditions": ""}, "conditions"),
        ("site_record", {"party_opinion": ""}, "party_opinion"),
        ("site_record", {"refusal_note": None}, "refusal_note"),
        ("hearing_record", {"public": False}, "not_public_reason"),
        ("hearing_record", {"party_statement": None}, "party_statement"),
        ("hearing_record", {"case_statement": None}, "case_statement"),
        ("hearing_record", {"party_absent": True}, "absence_note"),
        ("referral_letter", {"basis": []}, "basis"),
        ("referral_letter", {"referral_kind": "移送"}, "referral_kind"),
    ],
)
def test_record_rules(kind: str, change: dict[str, Any], field: str) -> None:
    ctx = sample(kind) | change
    assert set(problems(kind, ctx)) == {field}


def test_an_absent_party_needs_no_statements() -> None:
    ctx = sample("hearing_record") | {"party_absent": True, "absence_note": "当事人经通知无正当理由未到场"}
    for key in ("attendees", "party_statement", "cross_examination", "final_statement"):
        ctx.pop(key)
    validate_context("hearing_record", ctx)


def test_optional_fields_are_present_as_empty() -> None:
    ctx = sample("delivery_receipt")
    assert "witness" not in ctx
    values = validate_context("delivery_receipt", ctx)
    assert values["witness"] is None and values["note"] is None
    assert values["delivered_at"].isoformat() == "2026-06-05T15:00:00+08:00"
    assert validate_context("penalty_decision", sample("penalty_decision"))["fine_yuan"] == Decimal("3000.00")


@pytest.mark.parametrize(
    ("pattern", "year", "seq", "expected"),
    [
        ("镇交执罚〔{year}〕第{seq:04d}号", 2026, 1, "镇交执罚〔2026〕第0001号"),
        ("镇交执不罚〔{year}〕第{seq:04d}号", 2027, 123, "镇交执不罚〔2027〕第0123号"),
        ("镇交执当〔{year}〕{seq}号", 2026, 12345, "镇交执当〔2026〕12345号"),
        ("{{X}}-{year}-{seq:06d}", 2026, 7, "{X}-2026-000007"),
    ],
)
def test_number_formats(pattern: str, year: int, seq: int, expected: str) -> None:
    assert format_number(pattern, year, seq) == expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("镇交执罚第{seq:04d}号", "{year} must appear exactly once"),
        ("镇交执罚〔{year}〕", "{seq} must appear exactly once"),
        ("〔{year}〕{seq}{seq}", "{seq} must appear exactly once"),
        ("〔{year}〕{seq.__class__}", "unknown placeholder"),
        ("〔{year}〕{seq!r}", "conversions are not allowed"),
        ("〔{year}〕{seq:>10}", "use {seq} or a width"),
        ("〔{year}〕{seq", "not a valid pattern"),
        ("〔{year}〕{unit}{seq}", "unknown placeholder {unit}"),
        ("   ", "required"),
    ],
)
def test_bad_number_patterns_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(InvalidField) as info:
        check_pattern(pattern)
    assert reason in info.value.message and info.value.field == "pattern"


def test_default_schemes_are_zhenjiang_and_distinct() -> None:
    patterns = [s.pattern for s in DEFAULT_SCHEMES]
    assert len(set(patterns)) == len(patterns)
    assert all(p.startswith("镇交执") and check_pattern(p) == p for p in patterns)
    assert {s.code: format_number(s.pattern, 2026, 1) for s in DEFAULT_SCHEMES}["no_penalty"] == (
        "镇交执不罚〔2026〕第0001号"
    )


@pytest.mark.parametrize(
    ("amount", "upper"),
    [
        ("3000", "叁仟元整"),
        ("10005.05", "壹万零伍元零伍分"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("3000.5", "叁仟元伍角整"),
        ("0.5", "伍角整"),
        ("0", "零元整"),
        ("100010000", "壹亿零壹万元整"),
        ("10100", "壹万零壹佰元整"),
        ("200000", "贰拾万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    ],
)
def test_amounts_in_capitals(amount: str, upper: str) -> None:
    assert templating.yuan_upper(Decimal(amount)) == upper


def test_numerals_and_dates() -> None:
    assert [templating.cn_num(n) for n in (3, 10, 15, 60, 105, 110)] == [
        "三",
        "十",
        "十五",
        "六十",
        "一百零五",
        "一百一十",
    ]
    assert templating.cn_date(date(2026, 6, 1)) == "2026年6月1日"
    assert templating.yuan(Decimal("3000")) == "3,000.00"
    values = validate_context("site_record", sample("site_record"))
    assert templating.cn_datetime(values["started_at"]) == "2026年5月30日10时15分"


def _render(kind: str, source: str) -> str:
    values = validate_context(kind, sample(kind))
    extra = {"number": "N1", "issued_on": date(2026, 6, 1), "title": KINDS[kind].title, "kind": kind}
    return templating.render_html(source, values | extra)


def test_the_penalty_decision_is_reasoned() -> None:
    html = _render("penalty_decision", templating.packaged_source("penalty_decision"))
    for text in (
        "镇江市通达货运有限公司",  # party
        "超限检测单",  # evidence
        "当事人称系初次超限",  # a statement …
        "不予采纳",  # … and how it was answered
        "予以采纳",
        "《公路安全保护条例》第三十五条第一款",  # legal basis
        "第四十三条第一款第（二）项",
        "一般（超限5吨以上10吨以下）",  # discretion: tier, range, proposed and chosen fine, why
        "2,500.00元至5,000.00元",
        "裁量说明：每超1,000千克罚款500元",
        "叁仟元整",
        "十五日内",  # payment, 行政处罚法 第六十七条
        "六十日内向镇江市人民政府申请行政复议",  # 行政复议法 第二十条
        "六个月内依法向镇江市京口区人民法院提起行政诉讼",  # 行政诉讼法 第四十六条
    ):
        assert text in html, text


def test_templates_are_sandboxed_and_strict() -> None:
    base = '{% extends "_layout.html" %}{% block body %}'
    with pytest.raises(templating.TemplateInvalid, match="syntax error") as info:
        _render("closing_report", base + "{% if %}{% endblock %}")
    assert info.value.details["line"] == 1
    with pytest.raises(templating.TemplateInvalid, match="not allowed"):
        _render("closing_report", base + "{{ party.__class__.__mro__ }}{% endblock %}")
    with pytest.raises(templating.TemplateInvalid, match="not allowed"):
        _render("closing_report", base + "{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}")
    with pytest.raises(templating.TemplateInvalid, match="undefined"):
        _render("closing_report", base + "{{ no_such_field }}{% endblock %}")
    # The context's text is escaped, not markup.
    ctx = sample("closing_report")
    ctx["summary"] = "<script>alert(1)</script>"
    values = validate_context("closing_report", ctx)
    extra = {"number": None, "issued_on": date(2026, 6, 1), "title": "结案报告", "kind": "closing_report"}
    html = templating.render_html(templating.packaged_source("closing_report"), values | extra)
    assert "<script>" not in html and "&lt;script&gt;" in html
