"""What a case document is filled with: the fields each kind of ``zhifa.documents`` requires, taken
from the case, its steps, statements and evidence, the officers named in the step, and the
authority's particulars (case settings). A step may add or correct fields through its
``document`` parameter (e.g. an inquiry record's questions and answers); the documents domain
validates the result and names any field still missing."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.cases import procedure
from zhifa.cases.config import CaseConfig
from zhifa.cases.models import Case, CaseEvidence, CaseStatement, CaseStep
from zhifa.cases.procedure import Penalty
from zhifa.catalog import service as catalog_service
from zhifa.core.audit import Actor
from zhifa.core.auth import User
from zhifa.core.clock import SHANGHAI, to_shanghai, utcnow
from zhifa.core.errors import NotFound
from zhifa.documents.kinds import get_kind
from zhifa.org.models import Officer, Unit

SOURCE_DOC = {
    "inspection": "执法检查",
    "report": "投诉举报",
    "transfer": "上级交办",
    "referral": "部门移送",
    "lead": "其他",
}
METHOD_DOC = {"in_person": "直接送达", "post": "邮寄送达", "electronic": "电子送达", "announcement": "公告送达"}
EVIDENCE_ZH = {
    "photo": "照片",
    "video": "视听资料",
    "audio": "录音",
    "inquiry_record": "询问笔录",
    "site_record": "现场笔录",
    "weighing_ticket": "称重单",
    "device_record": "电子技术监控设备记录",
    "document": "书证",
    "commitment_letter": "承诺书",
    "delivery_consent": "电子送达确认书",
    "other": "其他证据",
}


def agency(session: Session, case: Case, cfg: CaseConfig) -> str:
    """The authority in whose name the case is decided: the setting, else the unit's top unit."""
    if cfg.agency_name:
        return cfg.agency_name
    code, name = case.unit_code, None
    for _ in range(10):
        row = session.scalar(select(Unit).where(Unit.code == code))
        if row is None:
            break
        name = row.name
        if not row.parent_code:
            break
        code = row.parent_code
    return name or case.unit_code


def officers(session: Session, codes: list[str] | None, actor: Actor) -> list[dict[str, str]]:
    """The officers named in the step (行政处罚法 第四十二条: at least two), else the actor."""
    wanted = codes or [actor.username]
    rows = {o.code: o for o in session.scalars(select(Officer).where(Officer.code.in_(wanted)))}
    return [{"name": rows[c].name, "cert_no": rows[c].cert_no or ""} for c in wanted if c in rows]


def person_name(session: Session, actor: Actor) -> str:
    """The name a document prints for the user taking the step: the officer's name (logins of
    officers are their codes), else the user's display name, else the login."""
    officer = session.scalar(select(Officer.name).where(Officer.code == actor.username))
    if officer:
        return str(officer)
    shown = session.scalar(select(User.display_name).where(User.username == actor.username))
    return str(shown or actor.username)


def _articles(session: Session, case: Case) -> list[dict[str, str]]:
    if not case.item_code:
        return []
    try:
        return [b.as_dict() for b in catalog_service.get_item(session, case.item_code).legal_basis]
    except NotFound:
        return []


def _party(case: Case) -> dict[str, Any]:
    return {
        "kind": "单位" if case.party_kind == "organisation" else "个人",
        "name": case.party_name,
        "id_number": case.party_id_no,
        "address": case.party_address,
        "phone": case.party_phone,
    }


def _step(session: Session, case: Case, action: str) -> CaseStep | None:
    return session.scalar(
        select(CaseStep)
        .where(CaseStep.case_id == case.id, CaseStep.action == action)
        .order_by(CaseStep.seq.desc())
        .limit(1)
    )


def _statements(session: Session, case: Case) -> tuple[list[dict[str, Any]], bool]:
    rows = list(session.scalars(select(CaseStatement).where(CaseStatement.case_id == case.id)))
    given = [
        {"statement": s.content, "adopted": bool(s.accepted), "reason": s.answer}
        for s in rows
        if s.kind != "waiver" and s.answer
    ]
    return given, any(s.kind == "waiver" for s in rows)


def _evidence(session: Session, case: Case) -> list[dict[str, str]]:
    return [
        {"name": e.title or EVIDENCE_ZH.get(e.kind, e.kind), "content": e.note or "证明违法事实"}
        for e in session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case.id).order_by(CaseEvidence.id))
    ]


def context(
    session: Session,
    actor: Actor,
    case: Case,
    kind: str,
    cfg: CaseConfig,
    params: dict[str, Any],
) -> dict[str, Any]:
    """The context of a ``kind`` document for this case and step, restricted to the kind's fields."""
    pen = Penalty.from_dict(case.penalty) if case.penalty else None
    articles = _articles(session, case)
    team = officers(session, params.get("officers"), actor)
    statements, waived = _statements(session, case)
    contact = {"address": cfg.contact_address, "person": cfg.contact_person, "phone": cfg.contact_phone}
    pay = {"bank": cfg.payment_bank, "account": cfg.payment_account or None}
    notice = _step(session, case, "notify")
    proposal = case.proposal or {}
    today = utcnow().astimezone(SHANGHAI).date()
    item_title = None
    if case.item_code:
        try:
            item_title = catalog_service.get_item(session, case.item_code).title
        except NotFound:
            item_title = None
    values: dict[str, Any] = {
        "agency": agency(session, case, cfg),
        "cause": case.title,
        "case_number": case.case_no,
        "party": _party(case),
        "facts": case.facts,
        "place": params.get("place") or case.place,
        "officers": team,
        "approver": params.get("approver") or person_name(session, actor),
        "violated": articles,
        "penalty_basis": articles,
        "suspected": articles,
        "review_body": cfg.review_body,
        "court": cfg.court,
        "contact": contact,
        "payment": pay,
        "statements": statements,
        "statements_waived": waived,
        "evidence": _evidence(session, case),
        "penalty": pen.text_zh() if pen else None,
        "fine_yuan": f"{case.fine_yuan:.2f}",
        "decision_number": case.decision_no,
        "decision_date": case.decided_on.isoformat() if case.decided_on else None,
        # filing
        "source": "非现场执法" if case.offsite_case_id else SOURCE_DOC.get(case.source, "其他"),
        "received_on": case.discovered_on.isoformat(),
        "opinion": params.get("opinion") or "违法事实初步查实，符合立案条件，建议立案调查",
        "filed_on": today.isoformat(),
        # notice
        "proposed_penalty": pen.text_zh() if pen else None,
        "statement_days": cfg.statement_working_days,
        "hearing_right": bool(case.hearing_reasons),
        # decision
        "notice_number": notice.document_number if notice else None,
        "notified_on": notice.on.isoformat() if notice else None,
        "hearing": "已举行听证" if _step(session, case, "hold_hearing") else None,
        "discretion": {
            "benchmark": item_title or "超限运输车辆行驶公路管理规定 第四十三条",
            "tier": proposal.get("tier") or "法定标准",
            "range_min_yuan": (proposal.get("range_yuan") or {}).get("min"),
            "range_max_yuan": (proposal.get("range_yuan") or {}).get("max"),
            "proposed_yuan": proposal.get("fine_yuan"),
            "chosen_yuan": f"{case.fine_yuan:.2f}",
            "justification": case.discretion_justification or proposal.get("reason"),
            "outside_range_reason": case.discretion_justification if _outside(proposal, case.fine_yuan) else None,
        }
        if proposal
        else None,
        # on the spot
        "occurred_at": datetime.combine(case.act_end, time(12, 0), tzinfo=SHANGHAI).isoformat(),
        # no penalty
        "grounds": [{"law": "中华人民共和国行政处罚法", "article": "第三十三条第一款"}],
        "reasoning": params.get("reason"),
        "education": params.get("education_record"),
        # delivery
        "recipient": case.party_name,
        "documents": [{"title": "行政处罚决定书", "number": case.decision_no}],
        "method": METHOD_DOC.get(str(params.get("method")), "直接送达"),
        "delivered_at": datetime.combine(
            case.delivered_on or today, to_shanghai(utcnow()).time().replace(microsecond=0), tzinfo=SHANGHAI
        ).isoformat(),
        "deliverers": [o["name"] for o in team],
        # instalments
        "applied_on": params.get("applied_on") or today.isoformat(),
        "mode": "延期" if len(params.get("instalments") or []) == 1 else "分期",
        "schedule": [
            {"due_on": i.get("due"), "amount_yuan": i.get("amount_yuan")} for i in params.get("instalments") or []
        ],
        # reminder
        "surcharge_yuan": ((params.get("owed") or {}).get("surcharge_yuan")),
        # hearing
        "hearing_at": datetime.combine(
            datetime.fromisoformat(params["hearing_on"]).date() if params.get("hearing_on") else today,
            time(9, 0),
            tzinfo=SHANGHAI,
        ).isoformat(),
        "host": params.get("host"),
        "clerk": params.get("clerk"),
        "public": bool(params.get("public", True)),
        # referral (移送书)
        "receiver": params.get("receiver"),
        "referral_kind": params.get("referral_kind"),
        "reason": params.get("reason"),
        "basis": params.get("basis"),
        "materials": params.get("materials"),
        "referred_on": today.isoformat(),
        # closing
        "summary": params.get("summary"),
        "decision": " ".join(x for x in (case.decision_no, pen.text_zh() if pen else case.outcome) if x),
        "execution": "罚款已缴清" if case.state == "executed" else procedure.STATE_ZH.get(case.state, case.state),
        "closing_reason": params.get("closing_reason") or "案件执行完毕",
        "closed_on": today.isoformat(),
        # preservation
        "items": [
            {"name": str(i), "quantity": "1"} if not isinstance(i, dict) else i for i in params.get("items") or []
        ],
        "kept_at": params.get("kept_at"),
        "preserved_on": today.isoformat(),
    }
    names = {f.name for f in get_kind(kind).fields}
    out = {k: v for k, v in values.items() if k in names and v is not None and v != ""}
    overrides = params.get("document") or {}
    if isinstance(overrides, dict):
        out.update(overrides)
    return out


def _outside(proposal: dict[str, Any], fine: Any) -> bool:
    """Whether the decided fine lies outside the proposal's range (the decision then states why)."""
    rng = proposal.get("range_yuan") or {}
    if fine is None or rng.get("min") is None or rng.get("max") is None:
        return False
    return not Decimal(str(rng["min"])) <= Decimal(str(fine)) <= Decimal(str(rng["max"]))


def record_context(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The document fields of a record (询问、勘验、现场、听证笔录) from the record as the step
    validated and resolved it (:mod:`zhifa.cases.records`): officers with their certificate
    numbers, times in ISO 8601 with their zone, the attachments by name and SHA-256."""
    out: dict[str, Any] = {
        "started_at": record["started_at"].isoformat(),
        "ended_at": record["ended_at"].isoformat(),
        "place": record["place"],
        "signed": record["signed"],
        "refusal_note": record.get("refusal_note"),
    }
    if "officers" in record:
        out["officers"] = [{"name": o["name"], "cert_no": o["cert_no"]} for o in record["officers"]]
        out["recorder"] = f"{record['recorder']['name']}（执法证号：{record['recorder']['cert_no']}）"
        out["identity_shown"] = record["identity_shown"]
    if "attachments" in record:
        out["attachments"] = [{"title": a["title"], "sha256": a["sha256"]} for a in record["attachments"]]
    if kind == "inquiry_record":
        out["interviewee"] = {k: v for k, v in record["interviewee"].items() if v}
        out["rights_notified"] = record["rights_notified"]
        out["qa"] = record["qa"]
    elif kind == "inspection_record":
        for key in ("subject", "conditions", "party_present", "witness", "findings"):
            out[key] = record[key]
    elif kind == "site_record":
        for key in ("party_present", "findings", "measures", "party_opinion"):
            out[key] = record[key]
    elif kind == "hearing_record":
        out["host"] = record["host"]["name"]
        out["clerk"] = record["clerk"]["name"]
        out["investigators"] = [f"{o['name']}（执法证号：{o['cert_no']}）" for o in record["investigators"]]
        out["attendees"] = [f"{a['name']}（{a['role']}）" for a in record["attendees"]]
        for key in (
            "members",
            "public",
            "not_public_reason",
            "party_absent",
            "absence_note",
            "case_statement",
            "party_statement",
            "cross_examination",
            "final_statement",
            "proceedings",
        ):
            out[key] = record[key]
    return {k: v for k, v in out.items() if v is not None}
