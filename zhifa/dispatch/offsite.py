"""Off-site enforcement (非现场执法): a weigh-in-motion or camera record taken forward without
stopping the vehicle.

1. The duty officer turns a device lead into an off-site case (the lead leaves the queue).
2. Evidence review: 行政处罚法 第四十一条第二款 — “电子技术监控设备记录违法事实应当真实、清晰、完整、准确。
   行政机关应当审核记录内容是否符合要求；未经审核或者经审核不符合要求的，不得作为行政处罚的证据。” Two
   distinct reviewers must find the record usable; one finding it unusable rejects the case and the
   lead returns to the queue (on-site action or dismissal). A device that is itself not reviewed
   or not published (第四十一条第一款) makes its leads unusable from the start: no off-site case.
3. Notice to the registered owner: a notice document (stored content-addressed, like evidence)
   with a look-up code, delivered by SMS or by post; 第四十一条第三款 — “行政机关应当及时告知当事人违法事实，
   并采取信息化手段或者其他措施，为当事人查询、陈述和申辩提供便利”: the party looks the notice up with
   the code and the plate.
4. Tracking until the party comes in (the hand-over point to the case procedure) or the notice's
   deadline passes (``offsite_notice_days``, default 15 days): the scanner then marks the case
   overdue and escalates to the unit's leader and the command center.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import can_see_pii, require
from zhifa.core.clock import SHANGHAI, to_shanghai, utcnow
from zhifa.core.errors import Conflict, InvalidField, NotFound
from zhifa.dispatch import admin, notify, sla, transitions
from zhifa.dispatch.models import OffsiteCase, OffsiteReview
from zhifa.dispatch.service import TRIAGE_ROLES, get_lead_for_update, lead_transition
from zhifa.monitoring import rules as monitoring_rules
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.org import service as org_service
from zhifa.org.models import Unit
from zhifa.registry.models import Enterprise, Person, Vehicle
from zhifa.sensing.models import Device, Event
from zhifa.sensing.service import read_evidence, store_evidence
from zhifa.validation.masking import mask_name, mask_phone

#: Devices whose records can be taken forward off-site.
OFFSITE_DEVICE_KINDS = ("wim", "camera")
REVIEW_ROLES = ("legal_reviewer", "leader")
REVIEWS_NEEDED = 2
#: Look-up codes avoid characters that are easily misread (0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
PUBLIC = Actor(username="public", kind="public")


def _case(session: Session, case_id: int) -> OffsiteCase:
    case = session.get(OffsiteCase, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise NotFound(f"no off-site case {case_id}", "非现场执法案件不存在")
    return case


def _move(session: Session, actor: Actor, case: OffsiteCase, target: str, note: str | None = None) -> None:
    transitions.check_offsite(case.state, target)
    before = case.state
    case.state = target
    audit.record(session, actor, "transition", "offsite_case", case.id, {"state": before}, {"state": target}, note=note)


def start(session: Session, actor: Actor, lead_id: int, reason: str | None = None) -> OffsiteCase:
    require(actor, *TRIAGE_ROLES)
    lead = get_lead_for_update(session, lead_id, actor)
    transitions.check_lead(lead.status, "dispatched", "offsite")
    kinds = set(
        session.scalars(
            select(Device.kind)
            .join(Event, Event.device_code == Device.code)
            .join(LeadEvent, LeadEvent.event_id == Event.id)
            .where(LeadEvent.lead_id == lead.id)
        )
    )
    if not kinds or not kinds <= set(OFFSITE_DEVICE_KINDS):
        raise Conflict(
            f"lead {lead.id} is not a weigh-in-motion or camera record "
            f"(devices: {', '.join(sorted(kinds)) or 'none'}); only device records go off-site",
            "只有称重检测或卡口抓拍记录可转非现场执法",
        )
    if not lead.usable_as_evidence:
        problems = "; ".join(lead.details.get("evidence_problems", [])) or "device not reviewed"
        raise Conflict(
            f"lead {lead.id} comes from a device whose records cannot be evidence ({problems}); "
            "行政处罚法 第四十一条第一款 — handle it on site instead",
            "该设备未经法制和技术审核或未公布设置地点，其记录不能作为证据，请现场处置",
        )
    if lead.unit_code is None:
        raise InvalidField(
            "lead", "routing named no unit for this lead; dispatch it on site instead", "线索未路由到单位"
        )
    now = utcnow()
    case = OffsiteCase(
        lead_id=lead.id,
        state="review",
        unit_code=lead.unit_code,
        subject=lead.subject,
        created_by=actor.username,
        created_at=now,
        reason=(reason or "").strip() or None,
        sla_cursor=0,
    )
    session.add(case)
    session.flush()
    lead_transition(session, actor, lead, "dispatched", "offsite", f"off-site case {case.id}")
    audit.record(session, actor, "create", "offsite_case", case.id, None, {"lead": lead.id, "unit": case.unit_code})
    return case


def review(session: Session, actor: Actor, case_id: int, verdict: str, notes: str) -> OffsiteCase:
    """One reviewer's verdict. Two distinct reviewers finding the record usable make it usable."""
    require(actor, *REVIEW_ROLES)
    case = _case(session, case_id)
    if case.state != "review":
        raise transitions.IllegalTransition(
            f"case {case.id} is {case.state}: reviews are given while it is in review", "案件不在证据审核阶段"
        )
    if verdict not in ("usable", "unusable"):
        raise InvalidField("verdict", "usable or unusable", "审核结论应为“符合要求”或“不符合要求”")
    notes = (notes or "").strip()
    if not notes:
        raise InvalidField("notes", "say what was checked (真实、清晰、完整、准确)", "请填写审核意见")
    if session.scalar(
        select(OffsiteReview.id).where(OffsiteReview.case_id == case.id, OffsiteReview.reviewer == actor.username)
    ):
        raise Conflict(
            f"{actor.username} has reviewed case {case.id} already; a second, different reviewer is needed",
            "您已审核过该记录，须由另一名审核人员审核",
        )
    now = utcnow()
    session.add(OffsiteReview(case_id=case.id, reviewer=actor.username, verdict=verdict, notes=notes, at=now))
    session.flush()
    audit.record(session, actor, "review", "offsite_case", case.id, None, {"verdict": verdict}, note=notes)
    if verdict == "unusable":
        _move(session, actor, case, "rejected", notes)
        lead = get_lead_for_update(session, case.lead_id)
        lead_transition(session, actor, lead, "confirmed", "reopen", f"off-site evidence refused: {notes}")
        return case
    usable = session.scalar(
        select(func.count(func.distinct(OffsiteReview.reviewer))).where(
            OffsiteReview.case_id == case.id, OffsiteReview.verdict == "usable"
        )
    )
    if (usable or 0) >= REVIEWS_NEEDED:
        case.reviewed_at = now
        _move(session, actor, case, "reviewed", "two reviewers found the record usable")
    return case


def _owner_from_registry(session: Session, subject: str) -> dict[str, str | None]:
    """The registered owner of the vehicle (``plate/colour``), when the registry knows one."""
    plate, _, color = subject.partition("/")
    q = select(Vehicle).where(Vehicle.plate == plate)
    if color:
        q = q.where(Vehicle.plate_color == color)
    vehicle = session.scalar(q.limit(1))
    if vehicle is None or not vehicle.owner:
        return {}
    ent = session.scalar(select(Enterprise).where(Enterprise.uscc == vehicle.owner))
    if ent is not None:
        return {"name": ent.name, "address": ent.address, "phone": ent.phone}
    person = session.scalar(select(Person).where(Person.id_number == vehicle.owner).limit(1))
    if person is not None:
        return {"name": person.name, "address": None, "phone": person.phone}
    return {}


def new_lookup_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


PLATE_COLOR_ZH = {"blue": "蓝", "yellow": "黄", "green": "绿", "yellow_green": "黄绿", "white": "白", "black": "黑"}


def plate_text(subject: str) -> str:
    plate, _, color = subject.partition("/")
    return f"{plate}（{PLATE_COLOR_ZH[color]}牌）" if color in PLATE_COLOR_ZH else plate


def last_day(deadline: datetime) -> str:
    """The deadline (24:00 of a day, local) as the last day on which the party may come in."""
    return f"{to_shanghai(deadline - timedelta(microseconds=1)):%Y年%m月%d日}"


def notice_text(case: OffsiteCase, lead: Lead, unit_name: str, owner_name: str) -> str:
    info = monitoring_rules.RULES.get(lead.kind)
    when = to_shanghai(lead.first_event_time).strftime("%Y年%m月%d日 %H:%M")
    facts = {k: v for k, v in lead.details.items() if k in ("gross_kg", "limit_kg", "excess_kg", "axles", "over")}
    assert case.deadline_at is not None
    deadline = last_day(case.deadline_at)
    lines = [
        f"{unit_name}",
        "交通运输违法行为处理通知书（非现场执法）",
        f"编号：{case.notice_no}",
        "",
        f"{owner_name}：",
        f"你（单位）所有的车辆 {plate_text(case.subject)} 于 {when}（北京时间）经电子技术监控设备记录，"
        f"涉嫌{info.title_zh if info else lead.kind}。",
    ]
    if facts:
        lines.append("记录数据：" + "；".join(f"{k}={v}" for k, v in sorted(facts.items())))
    if info:
        lines.append(f"依据：{info.legal_basis}")
    lines += [
        "上述记录已经两名审核人员审核，符合《中华人民共和国行政处罚法》第四十一条的要求。",
        f"请于 {deadline} 24时前持本通知书及车辆行驶证到 {unit_name} 接受调查处理。"
        "你（单位）依法享有陈述、申辩的权利（《中华人民共和国行政处罚法》第四十四条、第四十五条）。",
        f"查询码：{case.lookup_code}（凭查询码和车牌号码可在线查询本通知）",
    ]
    return "\n".join(lines) + "\n"


def issue_notice(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    delivery: str,
    owner_name: str | None = None,
    owner_address: str | None = None,
    owner_phone: str | None = None,
    post_tracking_no: str | None = None,
) -> OffsiteCase:
    """Notify the registered owner (often in another city): by SMS with the look-up code, or by
    post. Owner details not given are taken from the vehicle registry."""
    require(actor, *TRIAGE_ROLES, "leader")
    case = _case(session, case_id)
    transitions.check_offsite(case.state, "notified")
    if delivery not in ("sms", "post"):
        raise InvalidField("delivery", "sms or post", "送达方式应为短信或邮寄")
    known = _owner_from_registry(session, case.subject)
    name = (owner_name or "").strip() or known.get("name")
    address = (owner_address or "").strip() or known.get("address")
    phone = (owner_phone or "").strip() or known.get("phone")
    if not name:
        raise InvalidField(
            "owner_name", "the registry knows no owner of this vehicle: give the owner's name", "请填写车辆所有人"
        )
    if delivery == "sms" and not phone:
        raise InvalidField("owner_phone", "SMS delivery needs the owner's phone", "短信送达须填写所有人电话")
    if delivery == "post" and not address:
        raise InvalidField("owner_address", "postal delivery needs the owner's address", "邮寄送达须填写所有人地址")
    cfg = admin.current_config(session)
    now = utcnow()
    lead = session.get(Lead, case.lead_id)
    assert lead is not None
    unit_name = session.scalar(select(Unit.name).where(Unit.code == case.unit_code)) or case.unit_code
    code = new_lookup_code()
    while session.scalar(select(OffsiteCase.id).where(OffsiteCase.lookup_code == code)) is not None:
        code = new_lookup_code()
    case.notice_no = f"FXC{to_shanghai(now):%Y%m%d}{case.id:06d}"
    case.lookup_code = code
    case.owner_name, case.owner_address, case.owner_phone = name, address, phone
    case.delivery = delivery
    case.post_tracking_no = (post_tracking_no or "").strip() or None
    case.notified_at = now
    case.deadline_at = sla.end_of_day_after(now, cfg.offsite_notice_days, SHANGHAI)
    text = notice_text(case, lead, unit_name, name)
    case.notice_sha256 = store_evidence(session, text.encode("utf-8"), "text/plain; charset=utf-8", actor.username)
    case.sla_cursor = 0
    case.next_reminder_at = sla.next_at(sla.notice_plan(case.deadline_at), 0, frozenset({"notice"}))
    _move(session, actor, case, "notified", f"notice {case.notice_no} by {delivery}")
    if delivery == "sms" and phone:
        message = notify.Message(
            kind="notice",
            entity_type="offsite_case",
            entity_id=case.id,
            title=f"{unit_name}违法行为处理通知",
            body=(
                f"车辆 {plate_text(case.subject)} 涉嫌交通运输违法，通知书编号 {case.notice_no}，查询码 {code}。"
                f"请于 {last_day(case.deadline_at)} 24时前到 {unit_name} 接受处理。"
            ),
            stage="notice",
            step="notice",
        )
        notify.emit(session, message, [notify.Target(f"owner:{case.id}", "sms", phone)], now)
    audit.record(
        session,
        actor,
        "notify",
        "offsite_case",
        case.id,
        None,
        {
            "notice_no": case.notice_no,
            "delivery": delivery,
            "owner": mask_name(name),
            "phone": mask_phone(phone) if phone else None,
            "deadline": case.deadline_at,
            "notice_sha256": case.notice_sha256,
        },
    )
    return case


def record_appearance(session: Session, actor: Actor, case_id: int, note: str) -> OffsiteCase:
    """The party came in: the hand-over point to the case procedure; the lead's loop closes."""
    require(actor, *TRIAGE_ROLES, "leader")
    case = _case(session, case_id)
    note = (note or "").strip()
    if not note:
        raise InvalidField("note", "who came in, and what happens next", "请填写到案情况")
    _move(session, actor, case, "appeared", note)
    case.appeared_at, case.closed_note, case.next_reminder_at = utcnow(), note, None
    lead = get_lead_for_update(session, case.lead_id)
    lead_transition(session, actor, lead, "closed", "close", f"off-site case {case.id}: party appeared")
    return case


def cancel(session: Session, actor: Actor, case_id: int, reason: str) -> OffsiteCase:
    require(actor, *TRIAGE_ROLES)
    case = _case(session, case_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidField("reason", "a reason is required", "请说明撤销理由")
    _move(session, actor, case, "cancelled", reason)
    case.closed_note, case.next_reminder_at = reason, None
    lead = get_lead_for_update(session, case.lead_id)
    lead_transition(session, actor, lead, "confirmed", "reopen", f"off-site case {case.id} cancelled: {reason}")
    return case


def case_dict(session: Session, case: OffsiteCase, pii: bool) -> dict[str, Any]:
    reviews = session.scalars(select(OffsiteReview).where(OffsiteReview.case_id == case.id).order_by(OffsiteReview.id))
    name, phone, address = case.owner_name, case.owner_phone, case.owner_address
    if not pii:
        name = mask_name(name) if name else None
        phone = mask_phone(phone) if phone else None
        address = (address[:6] + "…") if address else None
    return {
        "id": case.id,
        "lead": case.lead_id,
        "state": case.state,
        "state_zh": transitions.OFFSITE_STATE_ZH[case.state],
        "unit": case.unit_code,
        "subject": case.subject,
        "created_by": case.created_by,
        "created_at": case.created_at.isoformat(),
        "reviews": [
            {"reviewer": r.reviewer, "verdict": r.verdict, "notes": r.notes, "at": r.at.isoformat()} for r in reviews
        ],
        "reviewed_at": case.reviewed_at.isoformat() if case.reviewed_at else None,
        "notice_no": case.notice_no,
        "lookup_code": case.lookup_code,
        "notice_sha256": case.notice_sha256,
        "owner_name": name,
        "owner_phone": phone,
        "owner_address": address,
        "contact_masked": not pii,
        "delivery": case.delivery,
        "post_tracking_no": case.post_tracking_no,
        "notified_at": case.notified_at.isoformat() if case.notified_at else None,
        "deadline_at": case.deadline_at.isoformat() if case.deadline_at else None,
        "appeared_at": case.appeared_at.isoformat() if case.appeared_at else None,
        "closed_note": case.closed_note,
    }


READ_ROLES = ("duty_officer", "leader", "legal_reviewer", "analyst")


def get_case(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    require(actor, *READ_ROLES)
    case = session.get(OffsiteCase, case_id)
    scope = org_service.visible_units(session, actor)
    if case is None or (scope is not None and case.unit_code not in scope):
        raise NotFound(f"no off-site case {case_id}", "非现场执法案件不存在")
    pii = can_see_pii(actor)
    if pii and case.owner_name:
        audit.record(session, actor, "read", "offsite_case", case.id, None, {"fields": ["owner"]})
    return case_dict(session, case, pii)


def list_cases(session: Session, actor: Actor, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    require(actor, *READ_ROLES)
    q = select(OffsiteCase)
    scope = org_service.visible_units(session, actor)
    if scope is not None:
        q = q.where(OffsiteCase.unit_code.in_(sorted(scope)))
    if state:
        q = q.where(OffsiteCase.state == state)
    # Lists are masked for everyone; the owner's details are read one case at a time (audited).
    return [case_dict(session, c, pii=False) for c in session.scalars(q.order_by(OffsiteCase.id.desc()).limit(limit))]


def lookup(session: Session, code: str, plate: str) -> dict[str, Any]:
    """The party's look-up (no login): the look-up code and the plate must both match."""
    code = (code or "").strip().upper()
    plate = (plate or "").strip().upper()
    case = session.scalar(select(OffsiteCase).where(OffsiteCase.lookup_code == code)) if code else None
    if case is None or case.subject.partition("/")[0].upper() != plate:
        raise NotFound("no notice for this code and plate", "查询码或车牌号码不正确")
    text = read_evidence(session, case.notice_sha256)[0].decode("utf-8") if case.notice_sha256 else ""
    audit.record(session, PUBLIC, "read", "offsite_case", case.id, None, {"lookup": True})
    return {
        "notice_no": case.notice_no,
        "state": case.state,
        "state_zh": transitions.OFFSITE_STATE_ZH[case.state],
        "deadline_at": case.deadline_at.isoformat() if case.deadline_at else None,
        "notice": text,
    }
