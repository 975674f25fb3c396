"""Every change to a case: filing, the procedural steps of :mod:`zhifa.cases.procedure`, statements,
evidence, discretion, exemptions, payments, publicity and credit. Each function validates,
authorises (``require``), writes its rows and the audit row in the caller's transaction, and never
commits.

One function moves a case: :func:`_record_step`. It checks the table, issues the step's document
(:mod:`zhifa.cases.issuing`), writes the step row, meets the deadlines the step meets, opens the
ones it opens (attached to the step row) and recomputes the case's ``next_deadline``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.cases import credit, discretion, exemptions, issuing, paperwork, payment, procedure, records
from zhifa.cases.config import SOURCES as SETTING_SOURCES
from zhifa.cases.config import CaseConfig
from zhifa.cases.models import (
    Case,
    CaseAlert,
    CaseDeadline,
    CaseEvidence,
    CasePayment,
    CaseSetting,
    CaseStatement,
    CaseStep,
    CreditRecord,
    ExemptionItem,
    Publication,
)
from zhifa.cases.procedure import DEADLINES, NEW, Penalty, Step
from zhifa.catalog import service as catalog_service
from zhifa.core import audit
from zhifa.core.audit import SYSTEM, Actor
from zhifa.core.auth import can_see_pii, require
from zhifa.core.clock import SHANGHAI, utcnow
from zhifa.core.errors import BadRequest, Conflict, InvalidField, NotFound
from zhifa.dispatch.models import OffsiteCase, Task, TaskEvidence
from zhifa.documents.context import to_json
from zhifa.documents.kinds import KINDS
from zhifa.legal import service as legal_service
from zhifa.legal.calendar import UnscheduledYear, WorkCalendar, shanghai_date
from zhifa.legal.quote import quote as overload_quote
from zhifa.legal.settings import legal_settings
from zhifa.legal.surcharge import parse_yuan
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.org.models import Officer, Unit
from zhifa.registry.models import Enterprise, Person, Vehicle
from zhifa.sensing.models import Event, Evidence
from zhifa.sensing.service import evidence_dir
from zhifa.validation.masking import mask_id_number, mask_name, mask_phone

PUBLIC = Actor(username="public", kind="public")
EVIDENCE_KINDS = (
    "photo",
    "video",
    "audio",
    "inquiry_record",
    "site_record",
    "weighing_ticket",
    "device_record",
    "document",
    "commitment_letter",
    "delivery_consent",
    "other",
)
NO_PENALTY_GROUNDS = ("exemption", "first_violation", "no_fault", "facts_not_established")
REVIEW_KINDS = ("reconsideration", "lawsuit")


class HeavierAfterDefence(Conflict):
    code = "heavier_after_defence"


# ------------------------------------------------------------------------------------ settings


def load_config(session: Session) -> CaseConfig:
    values = {row.key: row.value for row in session.scalars(select(CaseSetting))}
    return CaseConfig.from_dict({k: v for k, v in values.items() if k in CaseConfig.__dataclass_fields__})


def settings_rows(session: Session) -> list[dict[str, Any]]:
    cfg = load_config(session).as_dict()
    rows = {r.key: r for r in session.scalars(select(CaseSetting))}
    return [
        {
            "key": k,
            "value": v,
            "source": rows[k].source if k in rows else SETTING_SOURCES.get(k),
            "updated_by": rows[k].updated_by if k in rows else None,
        }
        for k, v in cfg.items()
    ]


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> list[dict[str, Any]]:
    require(actor, "admin")
    before = load_config(session)
    try:
        after = CaseConfig.from_dict(before.as_dict() | changes)
    except ValueError as exc:
        raise BadRequest(str(exc), f"设置不正确：{exc}") from None
    now = utcnow()
    for key in changes:
        row = session.get(CaseSetting, key)
        value = getattr(after, key)
        if row is None:
            session.add(CaseSetting(key=key, value=value, source=SETTING_SOURCES.get(key), updated_by=actor.username))
        else:
            row.value, row.updated_by, row.updated_at = value, actor.username, now
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "cases_setting",
        "settings",
        {k: getattr(before, k) for k in changes},
        {k: getattr(after, k) for k in changes},
    )
    return settings_rows(session)


# ---------------------------------------------------------------------------------- small helpers


def today() -> date:
    return shanghai_date(utcnow())


def end_of_day(day: date) -> datetime:
    """24:00 of ``day`` in Asia/Shanghai: a deadline's last day runs to its end."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)


def _yuan(value: Any, name: str) -> Decimal:
    return parse_yuan(value if not isinstance(value, float) else str(value), name)


def _date(value: Any, name: str, default: date | None = None) -> date:
    if value is None or value == "":
        if default is None:
            raise InvalidField(name, "a date (YYYY-MM-DD) is required", "请填写日期")
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidField(name, f"{value!r} is not a date (YYYY-MM-DD)", "日期格式应为YYYY-MM-DD") from None


def _text(value: Any, name: str, required: bool = True, limit: int = 5000) -> str | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise InvalidField(name, "is required", "不能为空")
        return None
    if len(text) > limit:
        raise InvalidField(name, f"longer than {limit} characters", f"不能超过{limit}字")
    return text


def penalty_from(data: Any) -> Penalty:
    if not isinstance(data, dict):
        raise InvalidField("penalty", "an object with warning, fine_yuan, …", "处罚内容格式不正确")
    unknown = set(data) - {"warning", "fine_yuan", "confiscation_yuan", "permit", "suspension", "occupational_ban"}
    if unknown:
        raise InvalidField("penalty", f"unknown field(s) {', '.join(sorted(unknown))}", "处罚内容包含未知字段")
    return Penalty(
        warning=bool(data.get("warning", False)),
        fine_yuan=_yuan(data.get("fine_yuan", "0"), "penalty.fine_yuan"),
        confiscation_yuan=_yuan(data.get("confiscation_yuan", "0"), "penalty.confiscation_yuan"),
        permit=data.get("permit"),
        suspension=bool(data.get("suspension", False)),
        occupational_ban=bool(data.get("occupational_ban", False)),
    )


def get_case_for_update(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise NotFound(f"no case {case_id}", "案件不存在")
    return case


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}", "案件不存在")
    return case


def _unit_name(session: Session, code: str) -> str:
    return session.scalar(select(Unit.name).where(Unit.code == code)) or code


def _steps(session: Session, case_id: int, action: str | None = None) -> list[CaseStep]:
    q = select(CaseStep).where(CaseStep.case_id == case_id)
    if action:
        q = q.where(CaseStep.action == action)
    return list(session.scalars(q.order_by(CaseStep.seq)))


def _deadlines(
    session: Session, case_id: int, kind: str | None = None, status: str | None = None
) -> list[CaseDeadline]:
    q = select(CaseDeadline).where(CaseDeadline.case_id == case_id)
    if kind:
        q = q.where(CaseDeadline.kind == kind)
    if status:
        q = q.where(CaseDeadline.status == status)
    return list(session.scalars(q.order_by(CaseDeadline.due, CaseDeadline.id)))


def refresh_next_deadline(session: Session, case: Case) -> None:
    """The earliest deadline still outstanding: open, or missed by the authority and not yet met."""
    session.flush()
    row = session.execute(
        select(CaseDeadline.due, CaseDeadline.kind)
        .where(
            CaseDeadline.case_id == case.id,
            (CaseDeadline.status == "open") | ((CaseDeadline.status == "missed") & CaseDeadline.met_at.is_(None)),
        )
        .order_by(CaseDeadline.due, CaseDeadline.id)
        .limit(1)
    ).first()
    case.next_deadline, case.next_deadline_kind = (row.due, row.kind) if row else (None, None)


# -------------------------------------------------------------------------------- the one mover


@dataclass
class Opening:
    kind: str
    start: date
    due: date
    basis: str | None = None


def _open_deadline(session: Session, case: Case, step_row: CaseStep, o: Opening, cfg: CaseConfig) -> CaseDeadline:
    rule = DEADLINES[o.kind]
    warn_at = None
    if rule.owner == "agency":
        warn_at = datetime.combine(o.due - timedelta(days=cfg.warn_days_before), time(0), tzinfo=SHANGHAI).astimezone(
            UTC
        )
    row = CaseDeadline(
        case_id=case.id,
        kind=o.kind,
        owner=rule.owner,
        start=o.start,
        due=o.due,
        due_at=end_of_day(o.due),
        warn_at=warn_at,
        basis=o.basis or rule.basis,
        opened_by=step_row.id,
        status="open",
        extensions=0,
    )
    session.add(row)
    return row


def _record_step(
    session: Session,
    actor: Actor,
    case: Case,
    action: str,
    *,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    on: date | None = None,
    document: str | None = None,
    doc_extra: dict[str, Any] | None = None,
    openings: list[Opening] | None = None,
    meets: tuple[str, ...] | None = None,
    issue_documents: bool = True,
    source_state: str | None = None,
) -> CaseStep:
    """Take the step ``action`` (table-checked), write its row, its document, its deadlines."""
    state = source_state or case.state
    step: Step = procedure.check(state, action, case.procedure)
    if step.reason_required and not (reason or "").strip():
        raise InvalidField("reason", f"the step {action} needs a reason", f"“{step.zh}”须填写理由")
    target = step.target or state
    now = utcnow()
    seq = (session.scalar(select(func.max(CaseStep.seq)).where(CaseStep.case_id == case.id)) or 0) + 1
    kind = document if document is not None else (step.document if isinstance(step.document, str) else None)
    doc = None
    cfg = load_config(session)
    if kind and issue_documents:
        doc = issuing.issue(
            session,
            actor,
            kind,
            paperwork.context(session, actor, case, kind, cfg, doc_extra or {}),
            case_ref=case.case_no,
        )
    row = CaseStep(
        case_id=case.id,
        seq=seq,
        action=action,
        from_state=state,
        to_state=target,
        at=now,
        on=on or today(),
        actor=actor.username,
        reason=(reason or "").strip() or None,
        data=audit._jsonable(data or {}),
        document_kind=kind if doc else None,
        document_id=doc.id if doc else None,
        document_number=doc.number if doc else None,
    )
    session.add(row)
    session.flush()
    for kind_met in meets if meets is not None else step.meets:
        for d in _deadlines(session, case.id, kind_met):
            if d.status in ("open", "missed", "expired") and d.met_at is None:
                d.met_at, d.met_by = now, row.id
                if d.status == "open":
                    d.status = "met"
    for kind_void in step.voids:
        for d in _deadlines(session, case.id, kind_void, "open"):
            d.status = "void"
    if action in ("submit_review", "decide", "no_penalty", "refer"):
        # The party's periods of the notice are over (checked before these steps): closed as run out.
        for d in _deadlines(session, case.id, status="open"):
            if d.kind in ("statement", "hearing_request") and d.due < row.on:
                d.status = "expired"
    if target in procedure.FINAL_STATES:
        for d in _deadlines(session, case.id, status="open"):
            d.status = "void"
    for o in openings or []:
        _open_deadline(session, case, row, o, cfg)
    before = case.state
    case.state = target
    refresh_next_deadline(session, case)
    audit.record(
        session,
        actor,
        "transition",
        "case",
        case.id,
        {"state": before},
        {"state": target, "action": action, "seq": seq, "document": row.document_number},
        note=reason,
    )
    return row


def _calendar(session: Session) -> WorkCalendar:
    return legal_service.load_calendar(session)


def _opening(cal: WorkCalendar, kind: str, start: date, days: int | None = None) -> Opening:
    """The deadline ``kind`` from ``start``. A calendar period of the authority whose last day lies
    in a year with no schedule is not moved off a rest day (moving only makes it later, so the
    unmoved day is the safe one) and says so; any other count into such a year is refused."""
    try:
        return Opening(kind, start, procedure.deadline_due(cal, kind, start, days))
    except UnscheduledYear:
        rule = DEADLINES[kind]
        if rule.owner != "agency" or rule.count != "calendar":
            raise
        due = start + timedelta(days=days if days is not None else rule.days or 0)
        return Opening(kind, start, due, rule.basis + f"（{due.year}年节假日安排未录入：末日暂不顺延）")


# ------------------------------------------------------------------------------------- parties


def _resolve_party(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The party from the registry (by USCC / document number, or the vehicle's registered owner),
    or as given."""
    party = data.get("party") or {}
    if not isinstance(party, dict):
        raise InvalidField("party", "an object", "当事人格式不正确")
    out: dict[str, Any] = {
        "party_kind": party.get("kind"),
        "party_name": _text(party.get("name"), "party.name", required=False, limit=200),
        "party_id_no": _text(party.get("id_no"), "party.id_no", required=False, limit=32),
        "party_address": _text(party.get("address"), "party.address", required=False, limit=300),
        "party_phone": _text(party.get("phone"), "party.phone", required=False, limit=32),
        "enterprise_id": None,
        "person_id": None,
        "vehicle_plate": None,
        "vehicle_plate_color": None,
        "vehicle_id": None,
    }
    vehicle = data.get("vehicle")
    if vehicle:
        plate = _text(vehicle.get("plate"), "vehicle.plate", limit=16)
        color = _text(vehicle.get("plate_color"), "vehicle.plate_color", required=False, limit=16)
        out["vehicle_plate"], out["vehicle_plate_color"] = plate, color
        q = select(Vehicle).where(Vehicle.plate == plate)
        if color:
            q = q.where(Vehicle.plate_color == color)
        v = session.scalar(q.limit(1))
        if v is not None:
            out["vehicle_id"] = v.id
            if not out["party_id_no"] and v.owner:
                out["party_id_no"] = v.owner
    if out["party_id_no"]:
        ent = session.scalar(select(Enterprise).where(Enterprise.uscc == out["party_id_no"]))
        if ent is not None:
            out.update(
                party_kind=out["party_kind"] or "organisation",
                enterprise_id=ent.id,
                party_name=out["party_name"] or ent.name,
                party_address=out["party_address"] or ent.address,
                party_phone=out["party_phone"] or ent.phone,
            )
        else:
            person = session.scalar(select(Person).where(Person.id_number == out["party_id_no"]).limit(1))
            if person is not None:
                out.update(
                    party_kind=out["party_kind"] or "person",
                    person_id=person.id,
                    party_name=out["party_name"] or person.name,
                    party_phone=out["party_phone"] or person.phone,
                )
    if out["party_kind"] not in procedure.PARTY_KINDS:
        raise InvalidField("party.kind", "person or organisation", "当事人类型应为个人或单位")
    if not out["party_name"]:
        raise InvalidField("party.name", "is required (or a registered USCC, ID number or vehicle)", "请填写当事人")
    out["party_masked"] = out["party_name"] if out["party_kind"] == "organisation" else mask_name(out["party_name"])
    return out


def _case_no(session: Session, case: Case) -> str:
    return f"{case.unit_code}-{shanghai_date(case.created_at).year}-{case.id:06d}"


# ------------------------------------------------------------------------------------- opening


def _common_fields(session: Session, actor: Actor, data: dict[str, Any], procedure_kind: str) -> dict[str, Any]:
    unit = data.get("unit_code") or actor.unit_code
    if not unit or session.scalar(select(Unit.id).where(Unit.code == unit)) is None:
        raise InvalidField("unit_code", "a known unit is required", "请填写办案单位")
    source = data.get("source") or "inspection"
    if source not in procedure.SOURCES:
        raise InvalidField("source", f"one of {', '.join(procedure.SOURCES)}", "案件来源不正确")
    item_code = _text(data.get("item_code"), "item_code", required=False, limit=32)
    matter = _text(data.get("matter"), "matter", required=False, limit=64)
    if item_code:
        spec = catalog_service.get_item(session, item_code)
        matter = matter or spec.matter
    t = today()
    act_end = _date(data.get("act_end") or data.get("act_date"), "act_end", t)
    discovered = _date(data.get("discovered_on"), "discovered_on", t)
    harm = bool(data.get("harm_to_life_health_or_finance", False))
    lim = procedure.limitation(act_end, discovered, harm)
    if lim.barred:
        raise Conflict(
            f"the act ended {act_end} and was discovered {discovered}, after the {lim.years}-year limit "
            f"(last day {lim.last_day}): no penalty may be given (行政处罚法 第三十六条)",
            f"违法行为已超过{lim.years}年追责期限（至{lim.last_day}），不再给予行政处罚（行政处罚法 第三十六条）",
            code="limitation_expired",
            limitation=lim.as_dict(),
        )
    return {
        "procedure": procedure_kind,
        "unit_code": unit,
        "source": source,
        "source_note": _text(data.get("source_note"), "source_note", required=False),
        "item_code": item_code,
        "matter": matter,
        "title": _text(data.get("title"), "title", limit=300),
        "facts": _text(data.get("facts"), "facts"),
        "place": _text(data.get("place"), "place", required=False, limit=300),
        "act_end": act_end,
        "discovered_on": discovered,
        "harm_to_life_health_or_finance": harm,
        "major": bool(data.get("major", False)),
        "serious": bool(data.get("serious", False)),
        "created_by": actor.username,
    }


def file_case(session: Session, actor: Actor, data: dict[str, Any], *, issue_documents: bool = True) -> Case:
    """立案 (general procedure), from an inspection, a lead, an off-site case, a task, a report,
    a referral or a transfer; evidence of the lead / off-site case / task is carried over."""
    step = procedure.check(NEW, "file", "general")
    require(actor, *step.roles)
    fields = _common_fields(session, actor, data, "general")
    lead_id, offsite_id, task_id = data.get("lead_id"), data.get("offsite_case_id"), data.get("task_id")
    lead = offsite = task = None
    if offsite_id is not None:
        offsite = session.get(OffsiteCase, int(offsite_id))
        if offsite is None:
            raise NotFound(f"no off-site case {offsite_id}", "非现场执法案件不存在")
        if offsite.state != "appeared":
            raise Conflict(
                f"off-site case {offsite.id} is {offsite.state}: a case is filed once the party came in (appeared)",
                "非现场执法案件当事人尚未到案，不能立案",
            )
        lead_id = offsite.lead_id
        fields["source"] = "lead"
    if lead_id is not None:
        lead = session.get(Lead, int(lead_id))
        if lead is None:
            raise NotFound(f"no lead {lead_id}", "线索不存在")
        fields["source"] = "lead" if fields["source"] == "inspection" else fields["source"]
        fields["matter"] = fields["matter"] or lead.matter
    if task_id is not None:
        task = session.get(Task, int(task_id))
        if task is None:
            raise NotFound(f"no task {task_id}", "指令不存在")
        lead = lead or (session.get(Lead, task.lead_id) if task.lead_id else None)
    for existing, what in ((offsite, "offsite_case_id"), (task, "task_id")):
        if existing is not None:
            col = Case.offsite_case_id if what == "offsite_case_id" else Case.task_id
            other = session.scalar(select(Case.case_no).where(col == existing.id, Case.state != "referred"))
            if other:
                raise Conflict(f"{what} {existing.id} is already case {other}", f"已立案：{other}", case_no=other)
    if lead is not None and not data.get("vehicle") and "/" in (lead.subject or ""):
        plate, _, color = lead.subject.partition("/")
        data = data | {"vehicle": {"plate": plate, "plate_color": color}}
    party = _resolve_party(session, data)
    case = Case(
        **fields,
        **party,
        state=NEW,
        lead_id=lead.id if lead else None,
        offsite_case_id=offsite.id if offsite else None,
        task_id=task.id if task else None,
        fine_yuan=Decimal(0),
        paid_yuan=Decimal(0),
    )
    session.add(case)
    session.flush()
    case.case_no = _case_no(session, case)
    audit.record(session, actor, "create", "case", case.id, None, {"case_no": case.case_no, "procedure": "general"})
    cal = _calendar(session)
    t = today()
    _record_step(
        session,
        actor,
        case,
        "file",
        data={"source": case.source, "lead": case.lead_id, "offsite_case": case.offsite_case_id, "task": case.task_id},
        openings=[_opening(cal, "decision", t)],
        doc_extra=data,
        issue_documents=issue_documents,
    )
    if lead is not None:
        _carry_lead_evidence(session, actor, case, lead, "offsite" if offsite else "lead")
    if offsite is not None and offsite.notice_sha256:
        _add_evidence_row(session, actor, case, offsite.notice_sha256, "document", "非现场执法通知书", origin="offsite")
    if task is not None:
        for te in session.scalars(select(TaskEvidence).where(TaskEvidence.task_id == task.id)):
            _add_evidence_row(
                session, actor, case, te.sha256, te.kind, None, origin="task", task_id=task.id, added_by=te.added_by
            )
            te.case_ref = case.case_no
    session.flush()
    return case


def on_the_spot(session: Session, actor: Actor, data: dict[str, Any], *, issue_documents: bool = True) -> Case:
    """简易程序: a warning or a small fine decided and handed over on the spot (行政处罚法 第五十一条、
    第五十二条); the decision is filed with the authority within five working days."""
    step = procedure.check(NEW, "decide_on_spot", "simplified")
    require(actor, *step.roles)
    fields = _common_fields(session, actor, data, "simplified")
    party = _resolve_party(session, data)
    pen = penalty_from(data.get("penalty"))
    problems = procedure.simplified_problems(pen, party["party_kind"])
    if problems:
        raise Conflict(
            "the simplified procedure may not be used: " + "; ".join(problems),
            "不适用简易程序（行政处罚法 第五十一条）：罚款超过限额或处罚种类不符，请按普通程序立案",
            code="simplified_not_allowed",
            problems=problems,
        )
    t = today()
    case = Case(**fields, **party, state=NEW, fine_yuan=pen.fine_yuan, paid_yuan=Decimal(0))
    case.penalty = pen.as_dict()
    case.outcome = "penalty"
    case.decided_on = case.delivered_on = case.received_on = t
    case.delivery_method = "in_person"
    session.add(case)
    session.flush()
    case.case_no = _case_no(session, case)
    audit.record(session, actor, "create", "case", case.id, None, {"case_no": case.case_no, "procedure": "simplified"})
    heard = _spot_statements(session, actor, case, data, t)
    cal = _calendar(session)
    openings = [_opening(cal, "filing_copy", t)]
    if pen.fine_yuan > 0:
        due = payment.payment_due(cal, t)
        openings.append(Opening("payment", t, due))
        case.payment_plan = [payment.Instalment(due, pen.fine_yuan).as_dict()]
    row = _record_step(
        session,
        actor,
        case,
        "decide_on_spot",
        data={"penalty": pen.as_dict(), "statements": heard},
        openings=openings,
        doc_extra=data,
        issue_documents=issue_documents,
    )
    case.decision_no = row.document_number
    _credit_for(session, case, pen)
    return case


def _spot_statements(session: Session, actor: Actor, case: Case, data: dict[str, Any], on: date) -> list[int]:
    """简易程序: the party is told the facts, reasons and basis and heard on the spot (行政处罚法
    第四十四条、第四十五条、第五十二条). ``statements``: what the party said and how each was answered
    (``[{"statement", "adopted", "reason"}]``), or ``statements_waived: true`` when the party
    expressly gives them up; recorded as the case's statements, so the decision states them.
    Returns the ids of the rows recorded."""
    given = data.get("statements")
    waived = data.get("statements_waived", False)
    if given is None:
        given = []
    if not isinstance(given, list):
        raise InvalidField("statements", "a list of {statement, adopted, reason}", "陈述申辩应为列表")
    if not isinstance(waived, bool):
        raise InvalidField("statements_waived", "true or false", "应为 true 或 false")
    if given and waived:
        raise InvalidField(
            "statements_waived", "either the statements heard or a waiver, not both", "不能同时记录陈述申辩和放弃"
        )
    now = utcnow()
    rows = []
    for i, item in enumerate(given):
        where = f"statements[{i}]"
        if not isinstance(item, dict):
            raise InvalidField(where, "an object {statement, adopted, reason}", "每项应包含陈述内容、是否采纳及理由")
        adopted = item.get("adopted")
        if not isinstance(adopted, bool):
            raise InvalidField(f"{where}.adopted", "true or false: whether the statement was adopted", "应说明是否采纳")
        rows.append(
            CaseStatement(
                case_id=case.id,
                kind="statement",
                form="oral",
                content=_text(item.get("statement"), f"{where}.statement") or "",
                received_on=on,
                recorded_by=actor.username,
                recorded_at=now,
                answer=_text(item.get("reason"), f"{where}.reason"),
                accepted=adopted,
                answered_by=actor.username,
                answered_at=now,
            )
        )
    if waived:
        rows.append(
            CaseStatement(
                case_id=case.id,
                kind="waiver",
                form="oral",
                content="当事人当场明确表示放弃陈述和申辩",
                received_on=on,
                recorded_by=actor.username,
                recorded_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    if any(r.kind != "waiver" for r in rows):
        case.defended = True
    return [r.id for r in rows]


# ------------------------------------------------------------------------------- evidence


def _add_evidence_row(
    session: Session,
    actor: Actor,
    case: Case,
    sha256: str,
    kind: str,
    title: str | None,
    *,
    origin: str = "upload",
    device_code: str | None = None,
    event_id: int | None = None,
    lead_id: int | None = None,
    task_id: int | None = None,
    note: str | None = None,
    added_by: str | None = None,
) -> CaseEvidence | None:
    digest = sha256.lower()
    if session.get(Evidence, digest) is None:
        raise NotFound(
            f"no file {digest} in the evidence store: upload it first (POST /api/v1/evidence)",
            "证据文件不存在，请先上传",
        )
    if session.scalar(select(CaseEvidence.id).where(CaseEvidence.case_id == case.id, CaseEvidence.sha256 == digest)):
        return None
    row = CaseEvidence(
        case_id=case.id,
        sha256=digest,
        kind=kind if kind in EVIDENCE_KINDS else "other",
        title=title,
        added_by=added_by or actor.username,
        added_at=utcnow(),
        origin=origin,
        device_code=device_code,
        event_id=event_id,
        lead_id=lead_id,
        task_id=task_id,
        note=note,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "add_evidence",
        "case",
        case.id,
        None,
        {"sha256": digest, "kind": row.kind, "origin": origin, "device": device_code, "event": event_id},
    )
    return row


def _carry_lead_evidence(session: Session, actor: Actor, case: Case, lead: Lead, origin: str) -> None:
    """The device records behind a lead (their images) go into the case with their custody: which
    device, which event."""
    rows = session.execute(
        select(Event.id, Event.device_code, Event.images)
        .join(LeadEvent, LeadEvent.event_id == Event.id)
        .where(LeadEvent.lead_id == lead.id)
        .order_by(Event.id)
    ).all()
    seen: set[str] = set()
    for ev_id, device, images in rows:
        for digest in images or []:
            if digest in seen or session.get(Evidence, digest) is None:
                continue
            seen.add(digest)
            _add_evidence_row(
                session,
                actor,
                case,
                digest,
                "device_record",
                None,
                origin=origin,
                device_code=device,
                event_id=ev_id,
                lead_id=lead.id,
            )
    for digest in lead.images or []:
        if digest not in seen and session.get(Evidence, digest) is not None:
            seen.add(digest)
            _add_evidence_row(session, actor, case, digest, "device_record", None, origin=origin, lead_id=lead.id)


def add_evidence(session: Session, actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    require(actor, *procedure.HANDLERS, "legal_reviewer")
    case = get_case_for_update(session, case_id)
    if case.state in procedure.FINAL_STATES:
        raise Conflict(f"case {case.case_no} is {case.state}: its file is closed", "案件已终结，不能再添加证据")
    kind = data.get("kind") or "other"
    if kind not in EVIDENCE_KINDS:
        raise InvalidField("kind", f"one of {', '.join(EVIDENCE_KINDS)}", "证据类型不正确")
    sha = _text(data.get("sha256"), "sha256", limit=64) or ""
    row = _add_evidence_row(
        session,
        actor,
        case,
        sha,
        kind,
        _text(data.get("title"), "title", required=False, limit=200),
        device_code=_text(data.get("device_code"), "device_code", required=False, limit=32),
        event_id=data.get("event_id"),
        note=_text(data.get("note"), "note", required=False),
    )
    if row is None:
        raise Conflict(f"file {sha} is already evidence of case {case.case_no}", "该证据已在案卷中")
    return evidence_dict(row)


def evidence_dict(e: CaseEvidence) -> dict[str, Any]:
    return {
        "id": e.id,
        "sha256": e.sha256,
        "kind": e.kind,
        "title": e.title,
        "custody": {
            "added_by": e.added_by,
            "added_at": e.added_at.isoformat(),
            "origin": e.origin,
            "device_code": e.device_code,
            "event_id": e.event_id,
            "lead_id": e.lead_id,
            "task_id": e.task_id,
        },
        "note": e.note,
        "last_check": {
            "at": e.last_checked_at.isoformat() if e.last_checked_at else None,
            "ok": e.last_check_ok,
        },
    }


def list_evidence(session: Session, case_id: int) -> list[dict[str, Any]]:
    get_case(session, case_id)
    return [
        evidence_dict(e)
        for e in session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case_id).order_by(CaseEvidence.id))
    ]


def integrity_check(
    session: Session, actor: Actor, case_id: int | None = None, units: Collection[str] | None = None
) -> dict[str, Any]:
    """Re-hash every evidence file (of one case, or of all — of cases of ``units`` when given) and
    report each one whose content no longer matches its SHA-256 or that is missing."""
    require(actor, "legal_reviewer", "leader")
    q = select(CaseEvidence).order_by(CaseEvidence.id)
    if case_id is not None:
        get_case(session, case_id)
        q = q.where(CaseEvidence.case_id == case_id)
    if units is not None:
        q = q.join(Case, Case.id == CaseEvidence.case_id).where(Case.unit_code.in_(sorted(units)))
    now = utcnow()
    checked, problems = 0, []
    base = evidence_dir()
    cache: dict[str, str | None] = {}
    for e in session.scalars(q):
        checked += 1
        if e.sha256 not in cache:
            path = base / e.sha256[:2] / e.sha256[2:4] / e.sha256
            if not path.exists():
                cache[e.sha256] = None
            else:
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                cache[e.sha256] = h.hexdigest()
        actual = cache[e.sha256]
        ok = actual == e.sha256
        e.last_checked_at, e.last_check_ok = now, ok
        if not ok:
            problems.append(
                {
                    "case_id": e.case_id,
                    "evidence_id": e.id,
                    "sha256": e.sha256,
                    "actual": actual,
                    "problem": "missing" if actual is None else "mismatch",
                }
            )
    report = {"checked": checked, "ok": checked - len(problems), "problems": problems, "at": now.isoformat()}
    audit.record(
        session,
        actor,
        "integrity_check",
        "case" if case_id is not None else "case_evidence",
        case_id if case_id is not None else "all",
        None,
        {"checked": checked, "problems": len(problems)},
    )
    return report


# ----------------------------------------------------------------------------- discretion


def propose(session: Session, actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The engine's proposal; with ``fine_yuan`` the officer's choice too (outside the range only
    with a justification). The chosen penalty becomes the case's proposed penalty."""
    require(actor, *procedure.HANDLERS, "legal_reviewer")
    case = get_case_for_update(session, case_id)
    if case.state not in ("filed", "notified") or case.procedure != "general":
        raise Conflict(
            f"case {case.case_no} is {case.state}: the penalty is proposed before the notice", "当前阶段不能拟定处罚"
        )
    matter = case.matter
    if data.get("overload") is not None or (matter == "road.overload" and not data.get("tier")):
        o = data.get("overload") or {}
        q = overload_quote(
            "road.overload",
            int(o.get("excess_kg", 0)),
            o.get("height_m"),
            o.get("width_m"),
            o.get("length_m"),
            legal_settings().overload_round_part_tonnes_up,
        )
        prop = discretion.propose_from_quote(q, case.item_code)
    else:
        if not case.item_code:
            raise InvalidField(
                "item_code", "the case has no enforcement item to take a benchmark from", "案件未关联执法事项"
            )
        spec = catalog_service.get_item(session, case.item_code)
        prop = discretion.propose(spec, int(data.get("tier", 1)), data.get("circumstance", "ordinary"))
    chosen = data.get("fine_yuan")
    fine = prop.fine_yuan if chosen is None else _yuan(chosen, "fine_yuan")
    choice = discretion.choose(prop, fine, data.get("justification"))
    extra = data.get("penalty") or {}
    pen = penalty_from({"warning": prop.warning or bool(extra.get("warning"))} | extra | {"fine_yuan": str(fine)})
    before = {"proposal": case.proposal, "penalty": case.penalty}
    case.proposal = prop.as_dict()
    case.penalty = pen.as_dict()
    case.outside_range = choice.outside_range
    case.discretion_justification = choice.justification
    audit.record(
        session,
        actor,
        "propose",
        "case",
        case.id,
        before,
        {"proposal": case.proposal, "penalty": case.penalty, "outside_range": choice.outside_range},
        note=choice.justification,
    )
    return {"proposal": prop.as_dict(), "choice": choice.as_dict(), "penalty": pen.as_dict()}


# ----------------------------------------------------------------------------- exemptions


def exemption_rules(session: Session, include_inactive: bool = False) -> list[exemptions.ExemptionRule]:
    q = select(ExemptionItem).order_by(ExemptionItem.batch, ExemptionItem.code)
    if not include_inactive:
        q = q.where(ExemptionItem.active.is_(True))
    return [
        exemptions.ExemptionRule(i.code, i.batch, i.title, i.matter, tuple(i.conditions), i.effect, i.basis)
        for i in session.scalars(q)
    ]


def list_exemption_items(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "batch": i.batch,
            "title": i.title,
            "matter": i.matter,
            "conditions": [{"code": c, "text": exemptions.CONDITIONS[c]} for c in i.conditions],
            "effect": i.effect,
            "basis": i.basis,
            "example": i.example,
            "active": i.active,
        }
        for i in session.scalars(select(ExemptionItem).order_by(ExemptionItem.batch, ExemptionItem.code))
    ]


def put_exemption_item(session: Session, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Add or replace one item of the list (administrators; audited)."""
    require(actor, "admin")
    try:
        rule = exemptions.ExemptionRule(
            code,
            _text(data.get("batch"), "batch", limit=64) or "",
            _text(data.get("title"), "title", limit=300) or "",
            _text(data.get("matter"), "matter", required=False, limit=64),
            tuple(data.get("conditions") or ()),
            data.get("effect", "must"),
            _text(data.get("basis"), "basis") or "",
        )
    except ValueError as exc:
        raise InvalidField("conditions", str(exc), str(exc)) from None
    row = session.scalar(select(ExemptionItem).where(ExemptionItem.code == code))
    before = None
    if row is None:
        row = ExemptionItem(code=code, updated_by=actor.username)
        session.add(row)
    else:
        before = {"batch": row.batch, "title": row.title, "conditions": row.conditions, "active": row.active}
    row.batch, row.title, row.matter, row.conditions = rule.batch, rule.title, rule.matter, list(rule.conditions)
    row.effect, row.basis, row.example = rule.effect, rule.basis, bool(data.get("example", False))
    row.active, row.updated_by, row.updated_at = bool(data.get("active", True)), actor.username, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "create" if before is None else "update",
        "cases_exemption_item",
        code,
        before,
        {"batch": row.batch, "title": row.title, "conditions": row.conditions, "active": row.active},
    )
    return next(i for i in list_exemption_items(session) if i["code"] == code)


def first_violation(session: Session, case: Case) -> dict[str, Any]:
    """首违不罚 (行政处罚法 第三十三条第一款): has the party (or the vehicle) had an earlier penalty
    decided for the same matter? Cases ended with no penalty are not violations on record."""
    q = select(Case.case_no, Case.decided_on).where(Case.id != case.id, Case.outcome == "penalty")
    conds: list[Any] = []
    if case.party_id_no:
        conds.append((Case.party_kind == case.party_kind) & (Case.party_id_no == case.party_id_no))
    if case.vehicle_plate:
        conds.append(Case.vehicle_plate == case.vehicle_plate)
    if not conds:
        conds.append((Case.party_kind == case.party_kind) & (Case.party_name == case.party_name))
    q = q.where(conds[0] if len(conds) == 1 else (conds[0] | conds[1]))
    if case.matter:
        q = q.where(Case.matter == case.matter)
    prior = [
        {"case_no": r.case_no, "decided_on": r.decided_on.isoformat() if r.decided_on else None}
        for r in session.execute(q)
    ]
    return {"first": not prior, "prior": prior}


def check_exemptions(session: Session, actor: Actor, case_id: int, facts: dict[str, Any]) -> dict[str, Any]:
    """Evaluate the list and the first-violation rule for the case; stored on the case."""
    require(actor, *procedure.HANDLERS, "legal_reviewer")
    case = get_case_for_update(session, case_id)
    unknown = set(facts) - set(exemptions.CONDITIONS)
    if unknown:
        raise InvalidField("facts", f"unknown condition(s) {', '.join(sorted(unknown))}", "未知的免罚条件")
    stated = {k: bool(v) for k, v in facts.items()}
    history = first_violation(session, case)
    results = [
        exemptions.evaluate(r, stated, history["first"]).as_dict()
        | {"title": r.title, "batch": r.batch, "basis": r.basis}
        for r in exemptions.applicable(exemption_rules(session), case.matter)
    ]
    out = {
        "facts": stated,
        "history": history,
        "items": results,
        "must_exempt": [r["code"] for r in results if r["applies"] and r["effect"] == "must"],
        "may_exempt": [r["code"] for r in results if r["applies"] and r["effect"] == "may"],
        "checked_at": utcnow().isoformat(),
        "checked_by": actor.username,
    }
    case.exemption_check = out
    audit.record(
        session, actor, "exemption_check", "case", case.id, None, {k: out[k] for k in ("must_exempt", "may_exempt")}
    )
    return out


# ------------------------------------------------------------------------------ statements


def add_statement(session: Session, actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """陈述、申辩 (行政处罚法 第四十五条), or the party's waiver of them (第六十二条)."""
    require(actor, *procedure.HANDLERS)
    case = get_case_for_update(session, case_id)
    kind = data.get("kind", "statement")
    if kind not in ("statement", "defence", "waiver"):
        raise InvalidField("kind", "statement, defence or waiver", "类型应为陈述、申辩或放弃")
    form = data.get("form", "written")
    if form not in ("oral", "written"):
        raise InvalidField("form", "oral or written", "形式应为口头或书面")
    content = _text(data.get("content"), "content") or ""
    received = _date(data.get("received_on"), "received_on", today())
    row = CaseStatement(
        case_id=case.id,
        kind=kind,
        form=form,
        content=content,
        received_on=received,
        recorded_by=actor.username,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    meets: tuple[str, ...] = ()
    if kind == "waiver":
        # 第六十二条: the party may expressly give up statement and defence (and the hearing).
        meets = ("statement", "hearing_request") if data.get("waive_hearing") else ("statement",)
    else:
        case.defended = True
    _record_step(
        session,
        actor,
        case,
        "statement",
        data={"statement": row.id, "kind": kind, "form": form},
        on=received,
        meets=meets,
    )
    return statement_dict(row)


def answer_statement(
    session: Session, actor: Actor, case_id: int, statement_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """复核: the authority re-checks the facts, reasons and evidence the party gave (第四十五条第一款)."""
    require(actor, *procedure.HANDLERS, "legal_reviewer")
    get_case_for_update(session, case_id)
    row = session.get(CaseStatement, statement_id)
    if row is None or row.case_id != case_id:
        raise NotFound(f"no statement {statement_id} in case {case_id}", "陈述申辩记录不存在")
    if row.kind == "waiver":
        raise Conflict("a waiver is not answered", "放弃陈述申辩无需复核")
    if "accepted" not in data or not isinstance(data["accepted"], bool):
        raise InvalidField("accepted", "true or false: whether the party's points hold", "请说明是否采纳")
    before = {"answer": row.answer, "accepted": row.accepted}
    row.answer = _text(data.get("answer"), "answer")
    row.accepted = data["accepted"]
    row.answered_by, row.answered_at = actor.username, utcnow()
    audit.record(
        session, actor, "answer_statement", "case", case_id, before, {"statement": row.id, "accepted": row.accepted}
    )
    return statement_dict(row)


def statement_dict(s: CaseStatement) -> dict[str, Any]:
    return {
        "id": s.id,
        "kind": s.kind,
        "form": s.form,
        "content": s.content,
        "received_on": s.received_on.isoformat(),
        "recorded_by": s.recorded_by,
        "answer": s.answer,
        "accepted": s.accepted,
        "answered_by": s.answered_by,
    }


# ------------------------------------------------------------------------------ the steps


def _party_periods_running(session: Session, case: Case, on: date) -> list[CaseDeadline]:
    return [
        d
        for d in _deadlines(session, case.id, status="open")
        if d.kind in ("statement", "hearing_request") and d.due >= on
    ]


def _check_party_periods(session: Session, case: Case) -> None:
    running = _party_periods_running(session, case, today())
    if running:
        d = running[0]
        raise Conflict(
            f"the party's {d.kind} period runs until {d.due}: the case cannot go on before it ends or the party "
            "waives it (行政处罚法 第四十四条、第四十五条、第六十二条)",
            f"当事人{DEADLINES[d.kind].zh}至{d.due}，期满或当事人明确放弃前不能作出决定",
            code="party_period_running",
            kind=d.kind,
            due=d.due.isoformat(),
        )


def _statement_pending(session: Session, case: Case) -> None:
    pending = session.scalar(
        select(func.count(CaseStatement.id)).where(
            CaseStatement.case_id == case.id, CaseStatement.kind != "waiver", CaseStatement.answer.is_(None)
        )
    )
    if pending:
        raise Conflict(
            f"{pending} statement(s) of the party are not yet re-checked (复核, 行政处罚法 第四十五条第一款)",
            "当事人的陈述申辩尚未复核",
            code="statement_not_answered",
        )


def _last_step(session: Session, case: Case, action: str) -> CaseStep | None:
    return session.scalar(
        select(CaseStep)
        .where(CaseStep.case_id == case.id, CaseStep.action == action)
        .order_by(CaseStep.seq.desc())
        .limit(1)
    )


def _review_periods(session: Session, case: Case) -> list[tuple[date, date | None]]:
    periods: list[tuple[date, date | None]] = []
    for s in _steps(session, case.id):
        if s.action == "review_started":
            periods.append((s.on, None))
        elif s.action == "review_ended" and periods and periods[-1][1] is None:
            periods[-1] = (periods[-1][0], s.on)
    return periods


def _schedule(case: Case) -> list[payment.Instalment]:
    return [
        payment.Instalment(date.fromisoformat(i["due"]), Decimal(i["amount_yuan"])) for i in (case.payment_plan or [])
    ]


def _payments(session: Session, case: Case) -> list[tuple[date, Decimal]]:
    return [
        (p.paid_on, p.amount_yuan)
        for p in session.scalars(
            select(CasePayment).where(CasePayment.case_id == case.id).order_by(CasePayment.paid_on)
        )
    ]


def outstanding(session: Session, case: Case, on: date | None = None) -> payment.Outstanding:
    return payment.outstanding(
        case.fine_yuan, _schedule(case), _payments(session, case), on or today(), _review_periods(session, case)
    )


def _credit_for(session: Session, case: Case, pen: Penalty) -> None:
    cfg = load_config(session)
    d = credit.assess(pen, case.party_kind, cfg)
    if not d.record or d.severity is None:
        return
    start = case.decided_on or today()
    until = credit.publish_until(start, d.months)
    subjects = [
        (
            "enterprise" if case.party_kind == "organisation" else "person",
            case.party_id_no or case.party_name,
            case.party_masked,
        )
    ]
    if case.vehicle_plate:
        plate = f"{case.vehicle_plate}/{case.vehicle_plate_color or ''}".rstrip("/")
        subjects.append(("vehicle", plate, plate))
    for kind, key, name in subjects:
        session.add(
            CreditRecord(
                case_id=case.id,
                subject_kind=kind,
                subject_key=key[:40],
                subject_name=name,
                severity=d.severity,
                reason=f"{case.case_no}：{d.reason}",
                publish_from=start,
                publish_until=until,
                status="active",
                created_at=utcnow(),
            )
        )
    session.flush()
    audit.record(
        session, SYSTEM, "create", "cases_credit_record", case.id, None, {"severity": d.severity, "until": until}
    )


def take_step(
    session: Session, actor: Actor, case_id: int, action: str, params: dict[str, Any], *, issue_documents: bool = True
) -> Case:
    """One step of the procedure by its name, with its parameters (docs/cases.md lists them)."""
    case = get_case_for_update(session, case_id)
    step = procedure.check(case.state, action, case.procedure)
    if step.via is not None:
        raise procedure.IllegalStep(
            f"the step {action} is taken through its own call ({step.via}), not as a generic transition",
            f"“{step.zh}”须通过专门的功能办理",
            requested=action,
        )
    require(actor, *step.roles)
    handler = _HANDLERS[action]
    handler(session, actor, case, params, issue_documents)
    return case


Handler = Any
_HANDLERS: dict[str, Handler] = {}


def _handles(action: str) -> Any:
    def deco(fn: Any) -> Any:
        _HANDLERS[action] = fn
        return fn

    return deco


@_handles("investigate")
def _investigate(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    """调查取证: one record — 询问笔录, 勘验笔录 or 现场笔录 — with what it must state
    (:mod:`zhifa.cases.records`); its officers' certificates checked, its photos linked."""
    kind = p.get("record_kind", "inquiry_record")
    if kind not in procedure.RECORD_DOCUMENTS:
        raise InvalidField("record_kind", f"one of {', '.join(procedure.RECORD_DOCUMENTS)}", "笔录类型不正确")
    record = records.validate(kind, p, utcnow())
    resolved = _resolve_record(session, actor, case, kind, record)
    _record_step(
        session,
        actor,
        case,
        "investigate",
        data={"record_kind": kind, "record": to_json(resolved)},
        document=kind,
        doc_extra=_record_doc(p, paperwork.record_context(kind, resolved)),
        issue_documents=docs,
    )


def _record_doc(p: dict[str, Any], record_context: dict[str, Any]) -> dict[str, Any]:
    """The step's parameters for the document: the record's fields, then what ``document`` corrects."""
    given = p.get("document")
    extra: dict[str, Any] = given if isinstance(given, dict) else {}
    return {k: v for k, v in p.items() if k not in ("officers", "place", "recorder")} | {
        "document": record_context | extra
    }


def _officer_entries(
    session: Session, codes: list[str], path: str, on: date, problems: list[records.Problem], single: bool = False
) -> list[dict[str, str]]:
    """Officers by code with name and certificate: each must hold an enforcement certificate valid
    on the day (行政处罚法 第四十二条: 具有行政执法资格; 第五十五条: 出示执法证件)."""
    rows = {o.code: o for o in session.scalars(select(Officer).where(Officer.code.in_(codes)))}
    out = []
    for i, code in enumerate(codes, start=1):
        where = path if single else f"{path}[{i}]"
        o = rows.get(code)
        if o is None:
            problems.append(records.Problem(where, f"no officer with the code {code}", f"执法人员{code}不存在"))
            continue
        if not o.cert_no:
            problems.append(
                records.Problem(
                    where,
                    f"{code} holds no enforcement certificate (行政处罚法 第四十二条)",
                    f"{o.name}无执法证件，不得从事执法（行政处罚法 第四十二条）",
                )
            )
            continue
        if o.cert_expiry is not None and o.cert_expiry < on:
            problems.append(
                records.Problem(
                    where,
                    f"{code}'s certificate expired on {o.cert_expiry} (行政处罚法 第四十二条)",
                    f"{o.name}的执法证件已于{o.cert_expiry}过期（行政处罚法 第四十二条）",
                )
            )
            continue
        out.append({"code": code, "name": o.name, "cert_no": o.cert_no})
    return out


_EVIDENCE_BY_TYPE = (("image/", "photo"), ("video/", "video"), ("audio/", "audio"))


def _resolve_record(session: Session, actor: Actor, case: Case, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its officers as name and certificate number, its attachments linked to the
    case (custody: who, when); any unknown officer, invalid certificate or missing file named."""
    problems: list[records.Problem] = []
    on = shanghai_date(record["started_at"])
    out = dict(record)
    if "officers" in record:
        out["officers"] = _officer_entries(session, record["officers"], "officers", on, problems)
        recorder = _officer_entries(session, [record["recorder"]], "recorder", on, problems, single=True)
        out["recorder"] = recorder[0] if recorder else None
    if "investigators" in record:
        out["investigators"] = _officer_entries(session, record["investigators"], "investigators", on, problems)
        out["host"] = _person_name(session, record["host"])
        out["clerk"] = _person_name(session, record["clerk"])
    for i, a in enumerate(record.get("attachments") or [], start=1):
        if session.get(Evidence, a["sha256"]) is None:
            problems.append(
                records.Problem(
                    f"attachments[{i}].sha256",
                    "no such file in the evidence store: upload it first (POST /api/v1/evidence)",
                    "证据文件不存在，请先上传",
                )
            )
    if problems:
        raise records.RecordInvalid(kind, problems)
    for a in record.get("attachments") or []:
        ctype = session.get(Evidence, a["sha256"]).content_type  # type: ignore[union-attr]
        ev_kind = next((k for prefix, k in _EVIDENCE_BY_TYPE if ctype.startswith(prefix)), "document")
        _add_evidence_row(session, actor, case, a["sha256"], ev_kind, a["title"], note=f"{_RECORD_ZH[kind]}附件")
    return out


_RECORD_ZH = {
    "inquiry_record": "询问笔录",
    "inspection_record": "勘验笔录",
    "site_record": "现场笔录",
    "hearing_record": "听证笔录",
}


def _person_name(session: Session, who: str) -> dict[str, str]:
    """A hearing's host or clerk: an officer by code (name), else as written."""
    o = session.scalar(select(Officer).where(Officer.code == who))
    return {"code": who, "name": o.name if o else who}


@_handles("preserve_evidence")
def _preserve(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    items = p.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidField("items", "list what is preserved", "请列明登记保存的物品")
    cal = _calendar(session)
    _record_step(
        session,
        actor,
        case,
        "preserve_evidence",
        reason=p.get("reason"),
        data={"items": items, "approved_by": p.get("approved_by")},
        doc_extra=p | {"items": items},
        openings=[_opening(cal, "preservation", today())],
        issue_documents=docs,
    )


@_handles("decide_preservation")
def _decide_preservation(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if not _deadlines(session, case.id, "preservation"):
        raise Conflict("nothing is preserved in this case", "本案未先行登记保存证据")
    decision = _text(p.get("decision"), "decision")
    _record_step(
        session, actor, case, "decide_preservation", reason=decision, data={"decision": decision}, issue_documents=docs
    )


@_handles("seize")
def _seize(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    cal = _calendar(session)
    _record_step(
        session,
        actor,
        case,
        "seize",
        reason=p.get("reason"),
        data={"items": p.get("items") or []},
        openings=[_opening(cal, "coercive", today())],
        issue_documents=docs,
    )


@_handles("extend_coercive")
def _extend(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    open_ = _deadlines(session, case.id, "coercive", "open")
    if not open_:
        raise Conflict("no seizure or detention is running in this case", "本案没有正在进行的查封、扣押")
    d = open_[-1]
    if d.extensions >= 1:
        raise Conflict(
            "the seizure was extended once already: 行政强制法 第二十五条 allows one extension of at most 30 days",
            "查封、扣押期限已延长过一次，不得再次延长（行政强制法 第二十五条）",
            code="extension_refused",
        )
    if today() > d.due:
        raise Conflict("the seizure period has run out: it can no longer be extended", "查封、扣押期限已届满，不能延长")
    cal = _calendar(session)
    # 30 more days on the original 30 (the extension runs on from the original period, 第二十五条).
    new_due = procedure.deadline_due(cal, "coercive", d.start, 60)
    row = _record_step(
        session,
        actor,
        case,
        "extend_coercive",
        reason=p.get("reason"),
        data={"deadline": d.id, "from": d.due.isoformat(), "to": new_due.isoformat()},
        issue_documents=docs,
    )
    d.due, d.due_at, d.extensions = new_due, end_of_day(new_due), d.extensions + 1
    cfg = load_config(session)
    d.warn_at = datetime.combine(new_due - timedelta(days=cfg.warn_days_before), time(0), tzinfo=SHANGHAI).astimezone(
        UTC
    )
    d.warned_at = None
    d.basis = DEADLINES["coercive"].basis + f"（经负责人批准延长，步骤{row.seq}）"
    refresh_next_deadline(session, case)


@_handles("release_coercive")
def _release(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if not _deadlines(session, case.id, "coercive"):
        raise Conflict("no seizure or detention in this case", "本案没有查封、扣押")
    decision = _text(p.get("decision"), "decision")
    _record_step(
        session, actor, case, "release_coercive", reason=decision, data={"decision": decision}, issue_documents=docs
    )


@_handles("notify")
def _notify(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if p.get("penalty") is not None:
        pen = penalty_from(p["penalty"])
        case.penalty = pen.as_dict()
    if not case.penalty:
        raise Conflict(
            "propose the penalty first (discretion) or give it", "请先拟定处罚内容", code="no_penalty_proposed"
        )
    pen = Penalty.from_dict(case.penalty)
    if pen.empty:
        raise InvalidField(
            "penalty", "the notice proposes a penalty; for none, end the case with no penalty", "告知须有拟处罚内容"
        )
    if case.penalty_notified and case.defended:
        heavier = procedure.heavier_parts(Penalty.from_dict(case.penalty_notified), pen)
        if heavier and not (p.get("new_facts") or "").strip():
            raise HeavierAfterDefence(
                f"the new notice is heavier ({', '.join(heavier)}) than the one the party defended against: "
                "行政处罚法 第四十五条第二款 forbids a heavier penalty because of the defence; only new facts "
                "(state them in new_facts) justify a new, heavier notice",
                "不得因当事人陈述、申辩而给予更重的处罚（行政处罚法 第四十五条第二款）",
                parts=heavier,
            )
    cfg = load_config(session)
    org = case.party_kind == "organisation"
    reasons = procedure.hearing_reasons(
        pen,
        case.party_kind,
        cfg.yuan("hearing_fine_org_yuan" if org else "hearing_fine_person_yuan"),
        cfg.yuan("hearing_confiscation_org_yuan" if org else "hearing_confiscation_person_yuan"),
    )
    case.hearing_reasons = reasons
    case.penalty_notified = pen.as_dict()
    cal = _calendar(session)
    t = today()
    openings = [_opening(cal, "statement", t, cfg.statement_working_days)]
    if reasons:
        openings.append(_opening(cal, "hearing_request", t))
    _record_step(
        session,
        actor,
        case,
        "notify",
        data={"penalty": pen.as_dict(), "hearing_reasons": reasons, "new_facts": p.get("new_facts")},
        doc_extra=p
        | {
            "rights": ["陈述", "申辩"] + (["要求听证"] if reasons else []),
            "deadlines": [o.due.isoformat() for o in openings],
        },
        openings=openings,
        issue_documents=docs,
    )


@_handles("request_hearing")
def _request_hearing(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if not case.hearing_reasons:
        raise Conflict(
            "the proposed penalty gives no right to a hearing (行政处罚法 第六十三条)",
            "拟作出的处罚不属于听证范围",
            code="no_hearing_right",
        )
    requested = _date(p.get("requested_on"), "requested_on", today())
    if requested > today():
        raise InvalidField("requested_on", "cannot be in the future", "申请日期不能晚于今日")
    d = _deadlines(session, case.id, "hearing_request")
    due = d[-1].due if d else None
    if due is None or requested > due:
        raise Conflict(
            f"the hearing was requested on {requested}, after the period ended on {due} "
            "(行政处罚法 第六十四条第（一）项: within five working days of the notice)",
            f"听证申请已超过告知后五日的期限（至{due}）",
            code="hearing_request_late",
            due=due.isoformat() if due else None,
        )
    _record_step(
        session,
        actor,
        case,
        "request_hearing",
        data={"requested_on": requested.isoformat()},
        on=requested,
        issue_documents=docs,
    )


_INVESTIGATION_ACTIONS = ("file", "investigate", "preserve_evidence", "seize", "notify")


@_handles("notice_hearing")
def _notice_hearing(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    cal = _calendar(session)
    t = today()
    hearing_on = _date(p.get("hearing_on"), "hearing_on")
    earliest = procedure.hearing_notice_earliest(cal, t)
    if hearing_on < earliest:
        raise InvalidField(
            "hearing_on",
            f"the hearing must be noticed at least seven working days before: {earliest} at the earliest "
            "(行政处罚法 第六十四条第（二）项、第八十五条)",
            f"应当在举行听证的七日前通知，最早为{earliest}",
        )
    host = _text(p.get("host"), "host", limit=64) or ""
    investigators = {s.actor for s in _steps(session, case.id) if s.action in _INVESTIGATION_ACTIONS}
    if host in investigators:
        raise InvalidField(
            "host",
            f"{host} investigated this case: the hearing is presided over by someone who did not "
            "(第六十四条第（四）项)",
            "听证主持人应为非本案调查人员",
        )
    place = _text(p.get("place"), "place", limit=200)
    _record_step(
        session,
        actor,
        case,
        "notice_hearing",
        data={"hearing_on": hearing_on.isoformat(), "host": host, "place": place, "public": p.get("public", True)},
        doc_extra=p | {"hearing_on": hearing_on.isoformat(), "host": host, "place": place},
        openings=[Opening("hearing", t, hearing_on)],
        issue_documents=docs,
    )


@_handles("hold_hearing")
def _hold_hearing(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    """举行听证 and its 听证笔录 (行政处罚法 第六十四条): presided over by the host of the notice."""
    notice = _last_step(session, case, "notice_hearing")
    noticed = (notice.data or {}) if notice else {}
    host = noticed.get("host")
    if host and actor.username != host and "admin" not in actor.roles:
        raise Conflict(f"the hearing is presided over by {host}, as noticed", f"听证应由通知的主持人{host}主持")
    record = records.validate(
        "hearing_record", p | {"place": p.get("place") or noticed.get("place")}, utcnow(), noticed
    )
    resolved = _resolve_record(session, actor, case, "hearing_record", record)
    _record_step(
        session,
        actor,
        case,
        "hold_hearing",
        data={"record": to_json(resolved), "party_absent": resolved["party_absent"]},
        doc_extra=_record_doc(p, paperwork.record_context("hearing_record", resolved)),
        issue_documents=docs,
    )


@_handles("submit_review")
def _submit_review(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    _check_party_periods(session, case)
    _statement_pending(session, case)
    _record_step(session, actor, case, "submit_review", reason=p.get("reason"), issue_documents=docs)


@_handles("pass_review")
def _pass_review(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    _record_step(session, actor, case, "pass_review", reason=p.get("reason"), issue_documents=docs)


@_handles("return_review")
def _return_review(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    # Back to investigation: the party's periods of the earlier notice no longer run.
    for d in _deadlines(session, case.id, status="open"):
        if d.kind in ("statement", "hearing_request", "hearing"):
            d.status = "void"
    _record_step(session, actor, case, "return_review", reason=p.get("reason"), issue_documents=docs)


@_handles("collective_discussion")
def _discussion(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    participants = p.get("participants") or []
    if not isinstance(participants, list) or len(participants) < 3:
        raise InvalidField(
            "participants", "list the leaders who discussed (at least three)", "请列明参加集体讨论的负责人（至少三人）"
        )
    _record_step(
        session,
        actor,
        case,
        "collective_discussion",
        reason=p.get("reason"),
        data={"participants": participants},
        issue_documents=docs,
    )


@_handles("decide")
def _decide(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    pen = (
        penalty_from(p["penalty"])
        if p.get("penalty") is not None
        else (Penalty.from_dict(case.penalty) if case.penalty else None)
    )
    if pen is None or pen.empty:
        raise InvalidField(
            "penalty", "a decision imposes a penalty; otherwise end the case with no penalty", "请填写处罚内容"
        )
    if case.state == "notified":
        _check_party_periods(session, case)
    _statement_pending(session, case)
    heard = _last_step(session, case, "hold_hearing") is not None
    needs_review = procedure.legal_review_required(heard, case.major)
    if needs_review and case.state != "reviewed":
        raise Conflict(
            "legal review (法制审核) is required before the decision: " + "；".join(needs_review),
            "未经法制审核不得作出决定（行政处罚法 第五十八条）：" + "；".join(needs_review),
            code="legal_review_required",
        )
    if case.serious:
        passed = _last_step(session, case, "pass_review")
        discussed = _last_step(session, case, "collective_discussion")
        if discussed is None or (passed is not None and discussed.seq < passed.seq):
            raise Conflict(
                "a serious case is decided by the collective discussion of the authority's leaders "
                "(行政处罚法 第五十七条第二款)",
                "情节复杂或者重大违法行为，应当经负责人集体讨论决定",
                code="collective_discussion_required",
            )
    if case.penalty_notified is None:
        raise Conflict("the party was not notified of the proposed penalty (第四十四条)", "未告知拟作出的处罚")
    heavier = procedure.heavier_parts(Penalty.from_dict(case.penalty_notified), pen)
    if heavier:
        if case.defended:
            raise HeavierAfterDefence(
                f"the decision is heavier ({', '.join(heavier)}) than the penalty notified before the party's defence "
                "(行政处罚法 第四十五条第二款: 不得因当事人陈述、申辩而给予更重的处罚)",
                "不得因当事人陈述、申辩而给予更重的处罚（行政处罚法 第四十五条第二款）",
                parts=heavier,
            )
        raise Conflict(
            f"the decision is heavier ({', '.join(heavier)}) than the penalty the party was notified of: notify "
            "again first (行政处罚法 第四十四条、第六十二条)",
            "处罚决定重于告知内容，须重新告知（行政处罚法 第四十四条、第六十二条）",
            code="heavier_than_notified",
            parts=heavier,
        )
    check = case.exemption_check or {}
    if check.get("must_exempt"):
        raise Conflict(
            f"the exemption list item(s) {', '.join(check['must_exempt'])} apply: no penalty may be given "
            "(行政处罚法 第三十三条第一款); end the case with no penalty",
            "符合免罚清单情形，依法不予行政处罚",
            code="exempt",
            items=check["must_exempt"],
        )
    cal = _calendar(session)
    t = today()
    case.penalty = pen.as_dict()
    case.fine_yuan = pen.fine_yuan
    case.outcome = "penalty"
    case.decided_on = t
    row = _record_step(
        session,
        actor,
        case,
        "decide",
        data={"penalty": pen.as_dict(), "exemption_check": {k: check.get(k) for k in ("must_exempt", "may_exempt")}},
        doc_extra=p,
        openings=[_opening(cal, "delivery", t)],
        issue_documents=docs,
    )
    case.decision_no = row.document_number
    _credit_for(session, case, pen)


@_handles("no_penalty")
def _no_penalty(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    ground = p.get("ground")
    if ground not in NO_PENALTY_GROUNDS:
        raise InvalidField("ground", f"one of {', '.join(NO_PENALTY_GROUNDS)}", "不予处罚的理由不正确")
    code = None
    if ground in ("exemption", "first_violation"):
        check = case.exemption_check or {}
        applying = check.get("must_exempt", []) + check.get("may_exempt", [])
        if ground == "first_violation":
            applying = [c for c in applying if c == exemptions.FIRST_VIOLATION.code]
        else:
            applying = [c for c in applying if c != exemptions.FIRST_VIOLATION.code]
        if not applying:
            raise Conflict(
                "the exemption check found no item whose conditions all hold: run it first (POST …/exemptions/check)",
                "经核查不符合免罚清单或首违不罚的条件",
                code="not_exempt",
            )
        code = str(p.get("exemption_code") or applying[0])
        if code not in applying:
            raise InvalidField("exemption_code", f"one of {', '.join(applying)}", "免罚事项不正确")
    education = None
    commitment = None
    if ground in ("exemption", "first_violation", "no_fault"):
        # 第三十三条第三款: 对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育.
        education = _text(p.get("education_record"), "education_record")
    if ground in ("exemption", "first_violation"):
        commitment = _text(p.get("commitment_sha256"), "commitment_sha256", limit=64) or ""
        _add_evidence_row(session, actor, case, commitment, "commitment_letter", "当事人承诺书")
    case.outcome = "no_penalty"
    case.no_penalty_ground = ground
    case.exemption_code = code
    not_imposed = Penalty.from_dict(case.penalty).fine_yuan if case.penalty else Decimal(0)
    if case.proposal and not not_imposed:
        not_imposed = Decimal(case.proposal["fine_yuan"])
    case.fine_not_imposed_yuan = not_imposed
    case.decided_on = today()
    row = _record_step(
        session,
        actor,
        case,
        "no_penalty",
        reason=p.get("reason"),
        data={"ground": ground, "exemption_code": code, "education_record": education, "commitment_sha256": commitment},
        doc_extra=p | {"ground": ground, "exemption_code": code, "education_record": education},
        issue_documents=docs,
    )
    case.decision_no = row.document_number


#: The legal basis of a referral: to the judicial organs when the act may be a crime, or to the
#: administrative authority that has jurisdiction (行政处罚法 第二十二条至第二十五条).
REFERRAL_KINDS = ("judicial", "administrative")
REFERRAL_ZH = {"judicial": "涉嫌犯罪移送司法机关", "administrative": "移送有管辖权的行政机关"}
REFERRAL_GROUNDS: dict[str, dict[str, str]] = {
    "crime": {
        "law": "《中华人民共和国行政处罚法》",
        "article": "第二十七条第一款",
        "text": "违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关，依法追究刑事责任。",
    },
    "territorial": {
        "law": "《中华人民共和国行政处罚法》",
        "article": "第二十二条",
        "text": "行政处罚由违法行为发生地的行政机关管辖。法律、行政法规、部门规章另有规定的，从其规定。",
    },
    "level": {
        "law": "《中华人民共和国行政处罚法》",
        "article": "第二十三条",
        "text": "行政处罚由县级以上地方人民政府具有行政处罚权的行政机关管辖。法律、行政法规另有规定的，从其规定。",
    },
    "delegated": {
        "law": "《中华人民共和国行政处罚法》",
        "article": "第二十四条第一款",
        "text": "省、自治区、直辖市根据当地实际情况，可以决定将基层管理迫切需要的县级人民政府部门的行政处罚权"
        "交由能够有效承接的乡镇人民政府、街道办事处行使，并定期组织评估。决定应当公布。",
    },
    "concurrent": {
        "law": "《中华人民共和国行政处罚法》",
        "article": "第二十五条",
        "text": "两个以上行政机关都有管辖权的，由最先立案的行政机关管辖。对管辖发生争议的，应当协商解决，"
        "协商不成的，报请共同的上一级行政机关指定管辖；也可以直接由共同的上一级行政机关指定管辖。",
    },
}
ADMINISTRATIVE_GROUNDS = ("territorial", "level", "delegated", "concurrent")
JURISDICTION_ZH = {
    "territorial": "违法行为发生地管辖（第二十二条）",
    "level": "级别管辖（第二十三条）",
    "delegated": "乡镇人民政府、街道办事处承接（第二十四条）",
    "concurrent": "共同管辖、指定管辖（第二十五条）",
}


@_handles("refer")
def _refer(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    """移送 with its 案件移送书: to the judicial organs (行政处罚法 第二十七条第一款) or to the
    administrative authority with jurisdiction (第二十二条至第二十五条), with the materials handed over."""
    to = _text(p.get("to"), "to", limit=200)
    kind = p.get("kind")
    if kind not in REFERRAL_KINDS:
        raise InvalidField(
            "kind",
            "judicial (a suspected crime, 行政处罚法 第二十七条) or administrative (another authority's "
            "jurisdiction, 第二十二条至第二十五条)",
            "移送类型应为涉嫌犯罪移送司法机关或者移送有管辖权的行政机关",
        )
    ground = "crime" if kind == "judicial" else str(p.get("jurisdiction") or "")
    if kind == "administrative" and ground not in ADMINISTRATIVE_GROUNDS:
        raise InvalidField(
            "jurisdiction",
            "territorial (第二十二条), level (第二十三条), delegated (第二十四条) or concurrent (第二十五条)",
            "请选择管辖依据：违法行为发生地、级别管辖、乡镇街道承接或者共同管辖",
        )
    materials = _referral_materials(session, case, p.get("materials"))
    case.outcome, case.referred_to = "referred", to
    basis = [REFERRAL_GROUNDS[ground]]
    _record_step(
        session,
        actor,
        case,
        "refer",
        reason=p.get("reason"),
        data={"to": to, "kind": kind, "ground": ground, "materials": materials},
        doc_extra=p
        | {
            "receiver": to,
            "referral_kind": REFERRAL_ZH[kind],
            "basis": basis,
            "materials": materials,
        },
        issue_documents=docs,
    )


def _referral_materials(session: Session, case: Case, given: Any) -> list[dict[str, str]]:
    """What is handed over: as listed (objects, or names — one a line), else the case's documents
    and evidence (行政处罚法 第二十七条第二款: 证据材料移交)."""
    if isinstance(given, str):
        given = [line.strip() for line in given.splitlines() if line.strip()]
    if given:
        if not isinstance(given, list) or len(given) > 500:
            raise InvalidField("materials", "a list of {name, quantity, note?} or of names", "移送材料应为列表")
        out = []
        for i, item in enumerate(given, start=1):
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or set(item) - {"name", "quantity", "note"}:
                raise InvalidField(f"materials[{i}]", "an object {name, quantity, note?}", "移送材料格式不正确")
            out.append(
                {
                    "name": _text(item.get("name"), f"materials[{i}].name", limit=200) or "",
                    "quantity": _text(item.get("quantity"), f"materials[{i}].quantity", required=False, limit=50)
                    or "1份",
                    **({"note": str(item["note"]).strip()} if item.get("note") else {}),
                }
            )
        return out
    out = [
        {
            "name": f"《{KINDS[s.document_kind].title}》" + (f"（{s.document_number}）" if s.document_number else ""),
            "quantity": "1份",
        }
        for s in _steps(session, case.id)
        if s.document_id and s.document_kind in KINDS
    ]
    out += [
        {"name": e.title or paperwork.EVIDENCE_ZH.get(e.kind, e.kind), "quantity": "1份", "note": f"SHA-256 {e.sha256}"}
        for e in session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case.id).order_by(CaseEvidence.id))
    ]
    if not out:
        raise InvalidField(
            "materials",
            "list what is handed over (the case has no document or evidence yet)",
            "请列明移送的案卷材料",
        )
    return out


@_handles("deliver")
def _deliver(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    method = p.get("method")
    on = _date(p.get("on"), "on", today())
    if on > today():
        raise InvalidField("on", "cannot be in the future", "送达日期不能晚于今日")
    if case.decided_on and on < case.decided_on:
        raise InvalidField("on", "cannot precede the decision", "送达日期不能早于决定日期")
    data: dict[str, Any] = {"method": method, "on": on.isoformat()}
    if method == "post":
        data["tracking_no"] = _text(p.get("tracking_no"), "tracking_no", limit=64)
    if method == "electronic":
        # 行政处罚法 第六十一条第二款: only with the party's consent and signed confirmation.
        consent = _text(p.get("consent_sha256"), "consent_sha256", limit=64) or ""
        _add_evidence_row(session, actor, case, consent, "delivery_consent", "电子送达确认书")
        data["consent_sha256"] = consent
        data["address"] = _text(p.get("address"), "address", limit=200)
    if method == "announcement":
        data["reason"] = _text(p.get("reason"), "reason")  # 民事诉讼法 第九十五条第二款: 记明原因和经过
    received = procedure.receipt_date(method or "", on)
    data["received_on"] = received.isoformat()
    cal = _calendar(session)
    openings: list[Opening] = []
    case.delivery_method, case.delivered_on, case.received_on = method, on, received
    if case.fine_yuan > 0:
        due = payment.payment_due(cal, received)
        openings.append(Opening("payment", received, due))
        case.payment_plan = [payment.Instalment(due, case.fine_yuan).as_dict()]
    _record_step(
        session,
        actor,
        case,
        "deliver",
        data=data,
        on=on,
        doc_extra=p | {"delivery": data, "method_zh": procedure.DELIVERY_ZH[method or "in_person"]},
        openings=openings,
        issue_documents=docs,
    )


@_handles("defer_payment")
def _defer(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if case.fine_yuan <= 0:
        raise Conflict("no fine to defer", "没有罚款可暂缓或分期")
    raw = p.get("instalments")
    if not isinstance(raw, list):
        raise InvalidField("instalments", "a list of {due, amount_yuan}", "请给出分期计划")
    owed = outstanding(session, case)
    paid = owed.paid
    items = [
        (_date(i.get("due"), f"instalments[{n}].due"), _yuan(i.get("amount_yuan"), f"instalments[{n}].amount_yuan"))
        for n, i in enumerate(raw)
    ]
    sched = payment.plan(case.fine_yuan - paid, items, today())
    for d in _deadlines(session, case.id, "payment"):
        if d.status in ("open", "expired") and d.met_at is None:
            d.status = "void"
    t = today()
    # The approved plan replaces the old one; what was paid already stays as a settled first part.
    done = [payment.Instalment(t, paid).as_dict()] if paid > 0 else []
    case.payment_plan = done + [i.as_dict() for i in sched]
    _record_step(
        session,
        actor,
        case,
        "defer_payment",
        reason=p.get("reason"),
        data={"instalments": [i.as_dict() for i in sched], "kind": "deferral" if len(sched) == 1 else "instalments"},
        doc_extra=p | {"instalments": [i.as_dict() for i in sched]},
        openings=[Opening("payment", t, i.due, DEADLINES["payment"].basis + "（经批准暂缓或分期）") for i in sched],
        issue_documents=docs,
    )


def mark_overdue(session: Session, actor: Actor, case: Case) -> CaseStep:
    """Payment is overdue: the case's next legal deadline is now the authority's — the three
    months to apply to the court (行政强制法 第五十三条)."""
    window, opening = _court_opening(session, case, _calendar(session), case.received_on or today())
    return _record_step(
        session,
        actor,
        case,
        "mark_overdue",
        reason="缴款期限届满未缴清罚款",
        data={"court_window": window.as_dict()},
        openings=[opening],
    )


def _court_window(
    session: Session, case: Case, cal: WorkCalendar, receipt: date, *, provisional: bool
) -> payment.CourtWindow:
    """Counted from the decision's receipt, or from the end of an approved deferral or instalment
    plan (行政处罚法 第七十二条第二款)."""
    sched = _schedule(case)
    deferral_end = sched[-1].due if sched and _last_step(session, case, "defer_payment") else None
    return payment.court_window(cal, receipt, deferral_end, provisional=provisional)


def _court_opening(
    session: Session, case: Case, cal: WorkCalendar, receipt: date
) -> tuple[payment.CourtWindow, Opening]:
    """The court-application window as a deadline of the authority (行政强制法 第五十三条). Days in
    a year with no schedule are not moved off rest days, and the basis says so: the last day
    shown is then the earliest it can be (the authority is warned in time); the application
    itself counts the window again (:func:`_apply_court`)."""
    window = _court_window(session, case, cal, receipt, provisional=True)
    basis = DEADLINES["court_application"].basis
    if window.provisional:
        basis += f"（{window.periods_end.year}年节假日安排未录入：复议、诉讼期限及申请期限末日暂不顺延，申请前须录入）"
    elif not window.closes_rolled:
        basis += f"（{window.closes.year}年节假日安排未录入：末日暂不顺延）"
    return window, Opening("court_application", window.opens, window.closes, basis)


@_handles("review_started")
def _review_started(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    kind = p.get("kind")
    if kind not in REVIEW_KINDS:
        raise InvalidField("kind", "reconsideration or lawsuit", "应为行政复议或行政诉讼")
    periods = _review_periods(session, case)
    if periods and periods[-1][1] is None:
        raise Conflict("a review or lawsuit is already running", "已有复议或诉讼正在进行")
    on = _date(p.get("on"), "on", today())
    _record_step(
        session, actor, case, "review_started", reason=p.get("reason"), data={"kind": kind}, on=on, issue_documents=docs
    )


@_handles("review_ended")
def _review_ended(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    periods = _review_periods(session, case)
    if not periods or periods[-1][1] is not None:
        raise Conflict("no review or lawsuit is running", "没有正在进行的复议或诉讼")
    on = _date(p.get("on"), "on", today())
    _record_step(
        session,
        actor,
        case,
        "review_ended",
        reason=p.get("reason"),
        data={"result": p.get("result")},
        on=on,
        issue_documents=docs,
    )


@_handles("remind")
def _remind(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    owed = outstanding(session, case)
    if owed.due_now <= 0:
        raise Conflict("nothing is owed", "罚款已缴清")
    on = _date(p.get("delivered_on"), "delivered_on", today())
    cal = _calendar(session)
    window, court = _court_opening(session, case, cal, case.received_on or on)
    openings = [Opening("reminder", on, payment.reminder_due(cal, on)), court]
    _record_step(
        session,
        actor,
        case,
        "remind",
        data={"delivered_on": on.isoformat(), "owed": owed.as_dict(), "court_window": window.as_dict()},
        on=on,
        doc_extra=p | {"owed": owed.as_dict()},
        openings=openings,
        issue_documents=docs,
    )


@_handles("apply_court")
def _apply_court(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    t = today()
    reminder = _deadlines(session, case.id, "reminder")
    if reminder and t <= reminder[-1].due:
        raise Conflict(
            f"ten working days after the reminder end on {reminder[-1].due}: the court may be asked from the day after "
            "(行政强制法 第五十四条、第六十九条)",
            f"催告书送达十日后方可申请（{reminder[-1].due}后）",
            code="reminder_period_running",
        )
    periods = _review_periods(session, case)
    if periods:
        raise Conflict(
            "the party applied for review or brought a lawsuit: 行政强制法 第五十三条 applies only when "
            "neither was brought",
            "当事人已申请行政复议或者提起行政诉讼，不适用行政强制法第五十三条",
            code="review_brought",
        )
    # Counted again, without a guess: a window opened while a year had no schedule may open later
    # once that year is entered; with the year still missing, the application is refused (409).
    window = _court_window(session, case, _calendar(session), case.received_on or t, provisional=False)
    if t < window.opens:
        raise Conflict(
            f"the periods for review and lawsuit run until {window.periods_end}: the court may be "
            f"asked from {window.opens} (行政强制法 第五十三条)",
            f"复议、诉讼期限尚未届满，{window.opens}起方可申请法院强制执行",
            code="court_window_not_open",
        )
    if t > window.closes:
        raise Conflict(
            f"the three months to apply ended on {window.closes} (行政强制法 第五十三条)",
            f"申请法院强制执行的三个月期限已于{window.closes}届满",
            code="court_window_closed",
        )
    _record_step(
        session,
        actor,
        case,
        "apply_court",
        data={"court": _text(p.get("court"), "court", limit=200), "owed": outstanding(session, case).as_dict()},
        issue_documents=docs,
    )


@_handles("revoke")
def _revoke(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    how = p.get("how", "revoked")
    if how not in ("changed", "revoked", "confirmed_illegal", "confirmed_void"):
        raise InvalidField("how", "changed, revoked, confirmed_illegal or confirmed_void", "变更或撤销方式不正确")
    pub = session.scalar(select(Publication).where(Publication.case_id == case.id, Publication.withdrawn_at.is_(None)))
    cal = _calendar(session)
    openings = [_opening(cal, "publication_withdrawal", today())] if pub else []
    for r in session.scalars(select(CreditRecord).where(CreditRecord.case_id == case.id)):
        r.status = "revoked"
    _record_step(
        session,
        actor,
        case,
        "revoke",
        reason=p.get("reason"),
        data={"how": how},
        openings=openings,
        issue_documents=docs,
    )


@_handles("file_copy")
def _file_copy(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if not _deadlines(session, case.id, "filing_copy", "open") and not _deadlines(
        session, case.id, "filing_copy", "missed"
    ):
        raise Conflict("the decision is filed already", "已备案")
    _record_step(session, actor, case, "file_copy", data={"note": p.get("note")}, issue_documents=docs)


@_handles("close")
def _close(session: Session, actor: Actor, case: Case, p: dict[str, Any], docs: bool) -> None:
    if case.state == "delivered" and case.fine_yuan > 0:
        raise Conflict("the fine is not paid: the case cannot be closed", "罚款尚未缴纳，不能结案", code="unpaid")
    pending = [
        d.kind
        for d in _deadlines(session, case.id)
        if d.owner == "agency" and d.met_at is None and d.status in ("open", "missed") and d.kind != "court_application"
    ]
    if pending:
        raise Conflict(
            f"steps still owed by the authority: {', '.join(pending)}",
            "尚有未完成的法定事项：" + "、".join(DEADLINES[k].zh for k in pending),
            code="steps_pending",
            pending=pending,
        )
    summary = _text(p.get("summary"), "summary")
    _record_step(
        session,
        actor,
        case,
        "close",
        data={"summary": summary},
        doc_extra=p | {"summary": summary},
        issue_documents=docs,
    )


# ------------------------------------------------------------------------------ payments


def record_payment(
    session: Session,
    actor: Actor,
    case_id: int,
    amount: Any,
    paid_on: Any,
    reference: str,
    channel: str = "manual",
    payer: str | None = None,
) -> dict[str, Any]:
    """Money received for a decision (by hand, or from a bank statement / a payment channel)."""
    require(actor, *procedure.HANDLERS)
    case = get_case_for_update(session, case_id)
    if case.state not in procedure.ENFORCEABLE:
        raise procedure.IllegalStep(
            f"case {case.case_no} is {case.state}: payments are recorded for a delivered decision",
            "案件当前状态不能登记缴款",
            current=case.state,
        )
    amt = _yuan(amount, "amount_yuan")
    if amt <= 0:
        raise InvalidField("amount_yuan", "must be positive", "金额须为正数")
    day = _date(paid_on, "paid_on", today())
    if day > today():
        raise InvalidField("paid_on", "cannot be in the future", "缴款日期不能晚于今日")
    ref = _text(reference, "reference", limit=64) or ""
    if session.scalar(select(CasePayment.id).where(CasePayment.channel == channel, CasePayment.reference == ref)):
        raise Conflict(f"payment {channel}:{ref} is recorded already", "该笔缴款已登记", code="duplicate_payment")
    row = CasePayment(
        case_id=case.id,
        amount_yuan=amt,
        paid_on=day,
        channel=channel,
        reference=ref,
        payer=payer,
        recorded_by=actor.username,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    case.paid_yuan = (case.paid_yuan or Decimal(0)) + amt
    owed = outstanding(session, case, day)
    audit.record(
        session,
        actor,
        "payment",
        "case",
        case.id,
        None,
        {"amount": amt, "paid_on": day, "channel": channel, "reference": ref},
    )
    # Instalments settled by now meet their deadlines.
    settled = {x["due"] for x in owed.details if x["settled"]}
    if owed.due_now <= 0:
        _record_step(session, actor, case, "pay", data={"payment": row.id, "owed": owed.as_dict()}, on=day)
    else:
        for d in _deadlines(session, case.id, "payment"):
            if d.due.isoformat() in settled and d.met_at is None and d.status in ("open", "expired"):
                d.status, d.met_at = "met", utcnow()
        refresh_next_deadline(session, case)
    return {"payment": row.id, "case": case_dict(session, case, actor), "owed": owed.as_dict()}


@dataclass(frozen=True)
class BankLine:
    """One credit of a bank statement or a payment channel, matched to a decision by its number."""

    reference: str
    paid_on: date
    amount_yuan: Decimal
    decision_no: str
    payer: str | None = None


BANK_COLUMNS = ("reference", "paid_on", "amount_yuan", "decision_no", "payer")


def parse_bank_csv(data: bytes) -> tuple[list[BankLine], list[tuple[int, str, str]]]:
    """The bank statement format of docs/cases.md: UTF-8 CSV (a BOM is allowed) with the header
    ``reference,paid_on,amount_yuan,decision_no,payer``; returns lines and problems (row, field, reason)."""
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, "file", "not UTF-8")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in BANK_COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, "header", f"missing column(s): {', '.join(missing)}")]
    lines, problems = [], []
    for n, rec in enumerate(reader, start=2):
        try:
            ref = (rec.get("reference") or "").strip()
            if not ref:
                raise ValueError("reference: empty")
            day = date.fromisoformat((rec.get("paid_on") or "").strip())
            amt = Decimal((rec.get("amount_yuan") or "").strip())
            if not amt.is_finite() or amt <= 0 or amt != amt.quantize(Decimal("0.01")):
                raise ValueError("amount_yuan: a positive amount with at most two decimals")
            dec = (rec.get("decision_no") or "").strip()
            if not dec:
                raise ValueError("decision_no: empty")
            lines.append(BankLine(ref, day, amt, dec, (rec.get("payer") or "").strip() or None))
        except (ValueError, InvalidOperation) as exc:
            problems.append((n, "row", str(exc)))
    return lines, problems


class PaymentChannel:
    """An adapter to a payment channel (非税收入收缴系统, a bank's API): it lists the credits since a
    day. No channel is shipped: this is the adapter point; :func:`import_lines` does the matching."""

    name = "channel"

    def fetch(self, since: date) -> list[BankLine]:  # pragma: no cover - an interface
        raise NotImplementedError


def import_lines(
    session: Session, actor: Actor, lines: list[BankLine], channel: str, units: Collection[str] | None = None
) -> dict[str, Any]:
    """Match each line to a decision by its number and record it; all or nothing: an unmatched
    line rejects the whole file. A line recorded before (same channel and reference) is skipped.
    ``units``: only decisions of cases of these units match (others read as unknown numbers)."""
    from zhifa.core.errors import Report

    require(actor, *procedure.HANDLERS)
    report = Report()
    todo: list[tuple[BankLine, Case]] = []
    skipped = 0
    for n, line in enumerate(lines, start=2):
        if session.scalar(
            select(CasePayment.id).where(CasePayment.channel == channel, CasePayment.reference == line.reference)
        ):
            skipped += 1
            continue
        case = session.scalar(select(Case).where(Case.decision_no == line.decision_no))
        if case is not None and units is not None and case.unit_code not in units:
            case = None
        if case is None:
            report.add(f"row {n}", f"no decision numbered {line.decision_no}", "decision_no")
        elif case.state not in procedure.ENFORCEABLE:
            report.add(f"row {n}", f"decision {line.decision_no} is {case.state}: not awaiting payment", "decision_no")
        else:
            todo.append((line, case))
    report.raise_if_any("bank statement")
    for line, case in todo:
        record_payment(session, actor, case.id, line.amount_yuan, line.paid_on, line.reference, channel, line.payer)
    return {"recorded": len(todo), "skipped_duplicates": skipped}


def import_bank_csv(
    session: Session, actor: Actor, filename: str, data: bytes, units: Collection[str] | None = None
) -> dict[str, Any]:
    from zhifa.core.errors import ImportRejected, ItemError

    lines, problems = parse_bank_csv(data)
    if problems:
        raise ImportRejected([ItemError(f"row {r}", reason, f) for r, f, reason in problems], "bank statement")
    return import_lines(session, actor, lines, "bank", units)


def import_from_channel(session: Session, actor: Actor, channel: PaymentChannel, since: date) -> dict[str, Any]:
    return import_lines(session, actor, channel.fetch(since), f"adapter:{channel.name}"[:24])


# ------------------------------------------------------------------------------ publicity


def _redacted(session: Session, case: Case) -> dict[str, Any]:
    """What the public sees of a decision: an organisation by name; a person by a masked name, no
    document number, no address, no phone (个人信息保护法 第六条; 行政处罚法 第五十条)."""
    pen = Penalty.from_dict(case.penalty) if case.penalty else None
    plate = None
    if case.vehicle_plate:
        plate = (
            case.vehicle_plate
            if case.party_kind == "organisation"
            else case.vehicle_plate[:2] + "***" + case.vehicle_plate[-2:]
        )
    basis = []
    if case.item_code:
        try:
            basis = [f"{b.law}{b.article}" for b in catalog_service.get_item(session, case.item_code).legal_basis]
        except NotFound:
            basis = []
    return {
        "decision_no": case.decision_no,
        "authority": _unit_name(session, case.unit_code),
        "party": case.party_masked,
        "party_kind": case.party_kind,
        "party_id": case.party_id_no if case.party_kind == "organisation" else None,
        "vehicle": plate,
        "violation": case.title,
        "legal_basis": basis,
        "penalty": pen.text_zh() if pen else None,
        "decided_on": case.decided_on.isoformat() if case.decided_on else None,
    }


def publish(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """行政处罚法 第四十八条第一款: a decision of some social impact is made public."""
    case = get_case_for_update(session, case_id)
    step = procedure.check(case.state, "publish", case.procedure)
    require(actor, *step.roles)
    if not case.decision_no:
        raise Conflict("the decision has no number (its document was not issued)", "处罚决定书未编号，不能公示")
    if session.scalar(select(Publication.id).where(Publication.case_id == case.id)):
        raise Conflict("the decision is published already", "该决定已公示")
    content = _redacted(session, case)
    pub = Publication(
        case_id=case.id,
        decision_no=case.decision_no,
        content=content,
        published_at=utcnow(),
        published_by=actor.username,
    )
    session.add(pub)
    _record_step(session, actor, case, "publish", data={"decision_no": case.decision_no})
    return publication_dict(pub)


def withdraw(session: Session, actor: Actor, case_id: int, reason: str) -> dict[str, Any]:
    """行政处罚法 第四十八条第二款: withdrawn within three working days, with the reasons made public."""
    case = get_case_for_update(session, case_id)
    step = procedure.check(case.state, "withdraw_publication", case.procedure)
    require(actor, *step.roles)
    pub = session.scalar(select(Publication).where(Publication.case_id == case.id))
    if pub is None or pub.withdrawn_at is not None:
        raise Conflict("nothing published to withdraw", "没有可撤回的公示信息")
    text = _text(reason, "reason", limit=1000)
    pub.withdrawn_at, pub.withdrawn_by, pub.withdraw_reason = utcnow(), actor.username, text
    _record_step(session, actor, case, "withdraw_publication", reason=text, data={"decision_no": pub.decision_no})
    return publication_dict(pub)


def publication_dict(pub: Publication) -> dict[str, Any]:
    return {
        "decision_no": pub.decision_no,
        "content": None if pub.withdrawn_at else pub.content,
        "published_at": pub.published_at.isoformat(),
        "withdrawn": pub.withdrawn_at is not None,
        "withdrawn_at": pub.withdrawn_at.isoformat() if pub.withdrawn_at else None,
        "withdraw_reason": pub.withdraw_reason,
    }


def public_lookup(session: Session, decision_no: str) -> dict[str, Any]:
    """The public look-up by decision number (no login): the redacted decision, or the notice of
    its withdrawal with the reasons (第四十八条第二款: 公开说明理由). Each look-up is audited."""
    pub = session.scalar(select(Publication).where(Publication.decision_no == decision_no.strip()))
    if pub is None:
        raise NotFound("no published decision with this number", "未查询到该决定书的公示信息")
    audit.record(session, PUBLIC, "read", "cases_publication", pub.decision_no)
    return publication_dict(pub)


# ------------------------------------------------------------------------------- reading


def deadline_dict(d: CaseDeadline) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "zh": DEADLINES[d.kind].zh,
        "owner": d.owner,
        "start": d.start.isoformat(),
        "due": d.due.isoformat(),
        "status": d.status,
        "basis": d.basis,
        "opened_by_step": d.opened_by,
        "met_by_step": d.met_by,
        "extensions": d.extensions,
    }


def step_dict(s: CaseStep, pii: bool = True) -> dict[str, Any]:
    data = s.data
    if not pii and isinstance(data, dict) and isinstance(data.get("record"), dict):
        data = data | {"record": records.masked(data["record"], mask_id_number, mask_phone)}
    return {
        "seq": s.seq,
        "action": s.action,
        "zh": procedure.STEP_BY_ACTION[s.action].zh,
        "from": s.from_state,
        "to": s.to_state,
        "at": s.at.isoformat(),
        "on": s.on.isoformat(),
        "actor": s.actor,
        "reason": s.reason,
        "data": data,
        "document": {"kind": s.document_kind, "id": s.document_id, "number": s.document_number}
        if s.document_id
        else None,
        "id": s.id,
    }


def case_dict(session: Session, case: Case, actor: Actor, full: bool = False) -> dict[str, Any]:
    pii = can_see_pii(actor)
    person = case.party_kind == "person"
    out: dict[str, Any] = {
        "id": case.id,
        "case_no": case.case_no,
        "procedure": case.procedure,
        "state": case.state,
        "state_zh": procedure.STATE_ZH[case.state],
        "unit_code": case.unit_code,
        "source": case.source,
        "lead_id": case.lead_id,
        "offsite_case_id": case.offsite_case_id,
        "task_id": case.task_id,
        "item_code": case.item_code,
        "matter": case.matter,
        "title": case.title,
        "party": {
            "kind": case.party_kind,
            "name": case.party_name if (pii or not person) else case.party_masked,
            "id_no": (case.party_id_no if (pii or not person) else mask_id_number(case.party_id_no))
            if case.party_id_no
            else None,
            "phone": (case.party_phone if pii else mask_phone(case.party_phone)) if case.party_phone else None,
        },
        "vehicle": {"plate": case.vehicle_plate, "plate_color": case.vehicle_plate_color}
        if case.vehicle_plate
        else None,
        "penalty": case.penalty,
        "proposal": case.proposal,
        "outside_range": case.outside_range,
        "hearing_reasons": case.hearing_reasons,
        "outcome": case.outcome,
        "no_penalty_ground": case.no_penalty_ground,
        "decision_no": case.decision_no,
        "decided_on": case.decided_on.isoformat() if case.decided_on else None,
        "received_on": case.received_on.isoformat() if case.received_on else None,
        "fine_yuan": f"{case.fine_yuan:.2f}",
        "paid_yuan": f"{case.paid_yuan:.2f}",
        "next_deadline": {"due": case.next_deadline.isoformat(), "kind": case.next_deadline_kind}
        if case.next_deadline
        else None,
        "allowed": procedure.allowed_actions(case.state, case.procedure),
    }
    if full:
        if pii and person:
            audit.record(session, actor, "read", "case", case.id, note="personal data of the party")
        out["facts"] = case.facts
        out["place"] = case.place
        out["steps"] = [step_dict(s, pii) for s in _steps(session, case.id)]
        out["deadlines"] = [deadline_dict(d) for d in _deadlines(session, case.id)]
        out["statements"] = [
            statement_dict(s)
            for s in session.scalars(
                select(CaseStatement).where(CaseStatement.case_id == case.id).order_by(CaseStatement.id)
            )
        ]
        out["exemption_check"] = case.exemption_check
        out["discretion_justification"] = case.discretion_justification
        if case.fine_yuan > 0 and case.state in (*procedure.ENFORCEABLE, "executed"):
            out["owed"] = outstanding(session, case).as_dict()
        out["credit"] = [
            {
                "subject_kind": r.subject_kind,
                "subject": r.subject_name,
                "severity": r.severity,
                "until": r.publish_until.isoformat(),
                "status": r.status,
            }
            for r in session.scalars(select(CreditRecord).where(CreditRecord.case_id == case.id))
        ]
    return out


def list_cases(
    session: Session,
    actor: Actor,
    state: str | None = None,
    due_before: date | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    q = select(Case).order_by(Case.next_deadline.is_(None), Case.next_deadline, Case.id)
    q = q.where(Case.state == state) if state else q.where(Case.state.in_(procedure.OPEN_STATES))
    if due_before:
        q = q.where(Case.next_deadline <= due_before)
    from zhifa.cases import access  # the one place that decides who sees which case

    sc = access.scope(session, actor)
    return [case_dict(session, c, sc.actor_for(c.unit_code)) for c in session.scalars(sc.where(q).limit(limit))]


def list_deadlines(
    session: Session, status: str | None = "open", kind: str | None = None, units: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Deadlines by status and kind; ``units``: only cases of these units (``None``: all)."""
    q = select(CaseDeadline, Case.case_no).join(Case, Case.id == CaseDeadline.case_id).order_by(CaseDeadline.due)
    if units is not None:
        q = q.where(Case.unit_code.in_(sorted(units)))
    if status:
        q = q.where(CaseDeadline.status == status)
    if kind:
        q = q.where(CaseDeadline.kind == kind)
    return [deadline_dict(d) | {"case_id": d.case_id, "case_no": no} for d, no in session.execute(q.limit(1000))]


def supervision(session: Session, units: Collection[str] | None = None) -> dict[str, Any]:
    """What supervision looks at: choices outside the discretion range and the scanner's alerts
    (``units``: of cases of these units only; ``None``: all)."""
    outside_q = select(Case).where(Case.outside_range.is_(True)).order_by(Case.id)
    alerts_q = select(CaseAlert).order_by(CaseAlert.id.desc()).limit(500)
    if units is not None:
        outside_q = outside_q.where(Case.unit_code.in_(sorted(units)))
        alerts_q = alerts_q.join(Case, Case.id == CaseAlert.case_id).where(Case.unit_code.in_(sorted(units)))
    outside = [
        {
            "case_id": c.id,
            "case_no": c.case_no,
            "proposal": c.proposal,
            "penalty": c.penalty,
            "justification": c.discretion_justification,
        }
        for c in session.scalars(outside_q)
    ]
    alerts = [
        {
            "case_id": a.case_id,
            "kind": a.kind,
            "message": a.message,
            "at": a.at.isoformat(),
            "deadline_id": a.deadline_id,
        }
        for a in session.scalars(alerts_q)
    ]
    return {"outside_range": outside, "alerts": alerts}


def figures(session: Session, since: date, until: date, units: Collection[str] | None = None) -> dict[str, Any]:
    """Exempt cases and the fines not imposed, decided cases and fines, per period [since, until);
    ``units``: of cases of these units only (``None``: all)."""
    base = select(Case).where(Case.decided_on >= since, Case.decided_on < until)
    if units is not None:
        base = base.where(Case.unit_code.in_(sorted(units)))
    exempt = list(session.scalars(base.where(Case.outcome == "no_penalty")))
    decided = list(session.scalars(base.where(Case.outcome == "penalty")))
    by_ground: dict[str, int] = {}
    for c in exempt:
        by_ground[c.no_penalty_ground or "?"] = by_ground.get(c.no_penalty_ground or "?", 0) + 1
    not_imposed = sum((c.fine_not_imposed_yuan or Decimal(0) for c in exempt), Decimal(0))
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "no_penalty_cases": len(exempt),
        "no_penalty_by_ground": by_ground,
        "exempt_cases": sum(1 for c in exempt if c.no_penalty_ground in ("exemption", "first_violation")),
        "fines_not_imposed_yuan": f"{not_imposed:.2f}",
        "penalty_cases": len(decided),
        "fines_imposed_yuan": f"{sum((c.fine_yuan for c in decided), Decimal(0)):.2f}",
        "outside_range_cases": sum(1 for c in decided if c.outside_range),
        "simplified_cases": sum(1 for c in decided if c.procedure == "simplified"),
        **_offsite_share(session, since, until, units),
    }


def _offsite_share(session: Session, since: date, until: date, units: Collection[str] | None = None) -> dict[str, Any]:
    """Cases filed in [since, until) (Shanghai dates) and how many of them rest on off-site
    evidence (filed from an off-site enforcement case, 非现场执法): the issue's tracked share."""
    from datetime import datetime, time

    lo = datetime.combine(since, time(0), tzinfo=SHANGHAI)
    hi = datetime.combine(until, time(0), tzinfo=SHANGHAI)
    q = select(Case.offsite_case_id).where(Case.created_at >= lo, Case.created_at < hi)
    if units is not None:
        q = q.where(Case.unit_code.in_(sorted(units)))
    rows = session.execute(q).all()
    offsite = sum(1 for (o,) in rows if o is not None)
    return {
        "filed_cases": len(rows),
        "offsite_cases": offsite,
        "offsite_share": round(offsite / len(rows), 4) if rows else None,
    }
