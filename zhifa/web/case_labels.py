"""Labels of the case procedure's codes in the UI's two languages.

Chinese is the law's term, taken from the procedure's own tables (``procedure.STATE_ZH``, each
step's ``zh``, each deadline rule's ``zh``, ``procedure.DELIVERY_ZH`` …) so that it is written
once; English is here, the web's. ``tests/web/test_web_cases.py`` checks that every code of the
procedure has an English label.
"""

from __future__ import annotations

from zhifa.cases import exemptions, procedure

STATE_EN: dict[str, str] = {
    "new": "New",
    "filed": "Filed (investigating)",
    "notified": "Notified (statement period)",
    "hearing_requested": "Hearing requested",
    "hearing_noticed": "Hearing noticed",
    "heard": "Hearing held",
    "in_review": "In legal review",
    "reviewed": "Legal review passed",
    "decided": "Decided (to be delivered)",
    "delivered": "Delivered (to be carried out)",
    "overdue": "Overdue (unpaid)",
    "reminded": "Reminded",
    "court_applied": "Court enforcement applied for",
    "executed": "Carried out",
    "no_penalty": "No penalty",
    "referred": "Referred",
    "revoked": "Decision changed or revoked",
    "closed": "Closed",
}

STEP_EN: dict[str, str] = {
    "file": "File the case",
    "decide_on_spot": "Decide on the spot",
    "investigate": "Investigate",
    "preserve_evidence": "Preserve evidence (registered)",
    "decide_preservation": "Decide on preserved evidence",
    "seize": "Seize or detain",
    "extend_coercive": "Extend the seizure",
    "release_coercive": "Decide on the seizure",
    "notify": "Notify the proposed penalty",
    "statement": "Statement and defence",
    "request_hearing": "Party requests a hearing",
    "notice_hearing": "Notice of hearing",
    "hold_hearing": "Hold the hearing",
    "submit_review": "Submit for legal review",
    "pass_review": "Pass legal review",
    "return_review": "Return from legal review",
    "collective_discussion": "Collective discussion",
    "decide": "Decide the penalty",
    "no_penalty": "No penalty",
    "refer": "Refer",
    "deliver": "Deliver",
    "defer_payment": "Approve deferral or instalments",
    "pay": "Fine paid in full",
    "mark_overdue": "Payment overdue",
    "review_started": "Review or lawsuit brought",
    "review_ended": "Review or lawsuit ended",
    "remind": "Remind to pay",
    "apply_court": "Apply to the court for enforcement",
    "revoke": "Decision changed or revoked",
    "file_copy": "File the on-the-spot decision",
    "publish": "Publish the decision",
    "withdraw_publication": "Withdraw the publication",
    "close": "Close the case",
}

DEADLINE_EN: dict[str, str] = {
    "decision": "Decision",
    "filing_copy": "Filing of the on-the-spot decision",
    "statement": "Statement and defence",
    "hearing_request": "Hearing request",
    "hearing": "Hearing",
    "preservation": "Decision on preserved evidence",
    "coercive": "Seizure period",
    "delivery": "Delivery",
    "payment": "Payment",
    "reminder": "Payment after the reminder",
    "court_application": "Application to the court",
    "publication_withdrawal": "Withdrawal of the publication",
}

#: Codes of step fields and forms that the procedure names without a Chinese table: (zh, en).
RECORD_KINDS: dict[str, tuple[str, str]] = {
    "inquiry_record": ("询问笔录", "Inquiry record"),
    "inspection_record": ("勘验笔录", "Inspection record"),
    "site_record": ("现场笔录", "On-site record"),
}
NO_PENALTY_GROUNDS: dict[str, tuple[str, str]] = {
    "exemption": ("符合免罚清单", "On the exemption list"),
    "first_violation": ("首违不罚", "First violation"),
    "no_fault": ("没有主观过错", "No fault"),
    "facts_not_established": ("违法事实不能成立", "Facts not established"),
}
DELIVERY_EN: dict[str, str] = {
    "in_person": "In person",
    "post": "By post",
    "electronic": "Electronically",
    "announcement": "By public announcement",
}
REVIEW_KINDS: dict[str, tuple[str, str]] = {
    "reconsideration": ("行政复议", "Administrative reconsideration"),
    "lawsuit": ("行政诉讼", "Administrative lawsuit"),
}
REFERRAL_KINDS: dict[str, tuple[str, str]] = {
    "judicial": ("涉嫌犯罪移送司法机关", "To the judicial organs (suspected crime)"),
    "administrative": ("移送有管辖权的行政机关", "To the authority with jurisdiction"),
}
JURISDICTION: dict[str, tuple[str, str]] = {
    "": ("—", "—"),
    "territorial": ("违法行为发生地（第二十二条）", "Place of the act (Art 22)"),
    "level": ("级别管辖（第二十三条）", "Level of authority (Art 23)"),
    "delegated": ("乡镇街道承接（第二十四条）", "Delegated to a township (Art 24)"),
    "concurrent": ("共同管辖（第二十五条）", "Concurrent jurisdiction (Art 25)"),
}
REVOKE_HOW: dict[str, tuple[str, str]] = {
    "revoked": ("撤销", "Revoked"),
    "changed": ("变更", "Changed"),
    "confirmed_illegal": ("确认违法", "Confirmed unlawful"),
    "confirmed_void": ("确认无效", "Confirmed void"),
}
STATEMENT_KINDS: dict[str, tuple[str, str]] = {
    "statement": ("陈述", "Statement"),
    "defence": ("申辩", "Defence"),
    "waiver": ("明确放弃陈述申辩", "Waiver"),
}
STATEMENT_FORMS: dict[str, tuple[str, str]] = {"written": ("书面", "Written"), "oral": ("口头", "Oral")}
CIRCUMSTANCES: dict[str, tuple[str, str]] = {
    "lighter": ("从轻", "Lighter"),
    "ordinary": ("一般", "Ordinary"),
    "heavier": ("从重", "Heavier"),
}
CONDITIONS_EN: dict[str, str] = {
    "first_offence": "First offence",
    "minor": "Minor",
    "corrected_in_time": "Corrected in time",
    "no_harm": "No harmful consequence",
    "minor_harm": "Minor harm",
    "no_fault": "The party proves no fault",
    "cooperated": "Cooperated with the investigation",
}
EVIDENCE_KINDS: dict[str, tuple[str, str]] = {
    "photo": ("照片", "Photo"),
    "video": ("视听资料", "Video"),
    "audio": ("录音", "Audio"),
    "inquiry_record": ("询问笔录", "Inquiry record"),
    "site_record": ("现场笔录", "On-site record"),
    "weighing_ticket": ("称重检测单", "Weighing ticket"),
    "device_record": ("电子技术监控记录", "Device record"),
    "document": ("书证", "Document"),
    "commitment_letter": ("承诺书", "Commitment letter"),
    "delivery_consent": ("电子送达确认书", "Consent to electronic delivery"),
    "other": ("其他", "Other"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def states(lang: str) -> dict[str, str]:
    return {s: STATE_EN[s] if lang == "en" else procedure.STATE_ZH[s] for s in procedure.STATE_ZH}


def steps(lang: str) -> dict[str, str]:
    return {s.action: STEP_EN[s.action] if lang == "en" else s.zh for s in procedure.STEPS}


def deadlines(lang: str) -> dict[str, str]:
    return {k: DEADLINE_EN[k] if lang == "en" else r.zh for k, r in procedure.DEADLINES.items()}


def conditions(lang: str) -> dict[str, str]:
    return {c: CONDITIONS_EN[c] if lang == "en" else zh for c, zh in exemptions.CONDITIONS.items()}


def options(lang: str) -> dict[str, dict[str, str]]:
    """Labels of the codes a form offers, by the name of the field that offers them."""
    delivery = {m: DELIVERY_EN[m] if lang == "en" else procedure.DELIVERY_ZH[m] for m in procedure.DELIVERY_METHODS}
    return {
        "record_kind": {k: _pick(v, lang) for k, v in RECORD_KINDS.items()},
        "method": delivery,
        # ``kind``: of a review or lawsuit (review_started), of a referral (refer).
        "kind": {k: _pick(v, lang) for k, v in (REVIEW_KINDS | REFERRAL_KINDS).items()},
        "jurisdiction": {k: _pick(v, lang) for k, v in JURISDICTION.items()},
        "ground": {k: _pick(v, lang) for k, v in (NO_PENALTY_GROUNDS | JURISDICTION).items() if k},
        "how": {k: _pick(v, lang) for k, v in REVOKE_HOW.items()},
        "statement_kind": {k: _pick(v, lang) for k, v in STATEMENT_KINDS.items()},
        "statement_form": {k: _pick(v, lang) for k, v in STATEMENT_FORMS.items()},
        "circumstance": {k: _pick(v, lang) for k, v in CIRCUMSTANCES.items()},
        "evidence_kind": {k: _pick(v, lang) for k, v in EVIDENCE_KINDS.items()},
    }
