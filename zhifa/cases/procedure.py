"""The administrative penalty procedure as one table (pure: no database, no clock, no I/O).

A case (案件) moves by **steps**. Each step names the states it may start from, the state it leads
to (or none: it stays, e.g. an inquiry record), who may take it, the document it issues, the legal
deadlines it opens and the ones it meets. A step not allowed from the case's state is refused with
409 (:class:`IllegalStep`). The service writes one row per step.

Procedures (行政处罚法, texts in ``shared/laws``; 交通运输行政执法程序规定 encoded from its text):

* **simplified** (简易程序, 第五十一条、第五十二条): a warning, or a fine of at most 200 yuan for a
  person / 3,000 yuan for an organisation, decided and handed over on the spot; the decision is
  filed with the authority (备案) within five working days.
* **general** (普通程序, 第五十四条起): filing (立案) → investigation → notice of the proposed
  penalty (第四十四条) → statement and defence (第四十五条) → hearing where 第六十三条 gives the right
  (第六十四条) → legal review (第五十八条) and collective discussion (第五十七条第二款) → decision within
  90 days of filing (第六十条) → delivery within seven working days (第六十一条) → payment within 15
  days of receipt (第六十七条) → closing; unpaid: reminder and application to the court (行政强制法
  第五十三条、第五十四条).

Deadlines are counted by :mod:`zhifa.legal.calendar` (行政处罚法 第八十五条, 行政强制法 第六十九条,
民事诉讼法 第八十五条).
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from zhifa.core.errors import Conflict, InvalidField
from zhifa.legal.calendar import WorkCalendar, add_calendar_days, add_working_days, roll_to_working_day

PROCEDURES = ("simplified", "general")
PROCEDURE_ZH = {"simplified": "简易程序", "general": "普通程序"}
#: Where the case came from (交通运输行政执法程序规定: 案件来源).
SOURCES = ("inspection", "lead", "report", "referral", "transfer")
SOURCE_ZH = {
    "inspection": "执法检查发现",
    "lead": "监测线索",
    "report": "投诉举报",
    "referral": "其他机关移送",
    "transfer": "上级交办",
}
PARTY_KINDS = ("person", "organisation")

NEW = "new"  # the state before the first step (not stored)
STATES = (
    "filed",
    "notified",
    "hearing_requested",
    "hearing_noticed",
    "heard",
    "in_review",
    "reviewed",
    "decided",
    "delivered",
    "overdue",
    "reminded",
    "court_applied",
    "executed",
    "no_penalty",
    "referred",
    "revoked",
    "closed",
)
STATE_ZH = {
    "new": "新建",
    "filed": "已立案（调查取证）",
    "notified": "已告知（陈述申辩期）",
    "hearing_requested": "已申请听证",
    "hearing_noticed": "已通知听证",
    "heard": "听证已结束",
    "in_review": "法制审核中",
    "reviewed": "法制审核通过",
    "decided": "已作出处罚决定（待送达）",
    "delivered": "已送达（待履行）",
    "overdue": "逾期未缴纳",
    "reminded": "已催告",
    "court_applied": "已申请法院强制执行",
    "executed": "已履行",
    "no_penalty": "不予行政处罚",
    "referred": "已移送",
    "revoked": "决定已变更或撤销",
    "closed": "已结案",
}
FINAL_STATES = ("referred", "revoked", "closed")
OPEN_STATES = tuple(s for s in STATES if s not in FINAL_STATES)
#: Before the decision: investigation may still go on.
PRE_DECISION = ("filed", "notified", "hearing_requested", "hearing_noticed", "heard", "in_review", "reviewed")
#: After the decision and before it is carried out (surcharge, suspension, revocation).
ENFORCEABLE = ("delivered", "overdue", "reminded", "court_applied")

HANDLERS = ("officer", "leader")
LEADERS = ("leader",)
REVIEWERS = ("legal_reviewer",)

RECORD_DOCUMENTS = ("inquiry_record", "inspection_record", "site_record")


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    #: ``None``: the case stays in its state (a record, a deadline met).
    target: str | None
    roles: tuple[str, ...]
    procedures: tuple[str, ...] = PROCEDURES
    #: The document kind the step issues (``zhifa.documents``); a tuple: one of them, chosen.
    document: str | tuple[str, ...] | None = None
    opens: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    #: Open deadlines of these kinds that the step makes void: no longer owed (payment in full
    #: ends the court application), or replaced by the ones the step opens.
    voids: tuple[str, ...] = ()
    reason_required: bool = False
    #: Taken through its own call, not the generic transition endpoint: ``create`` (filing),
    #: ``statement``, ``payment``, ``publication``, ``system`` (the scanner).
    via: str | None = None
    zh: str = ""


STEPS: tuple[Step, ...] = (
    # -- opening
    Step("file", (NEW,), "filed", HANDLERS, ("general",), "filing_register", ("decision",), via="create", zh="立案"),
    Step(
        "decide_on_spot",
        (NEW,),
        "delivered",
        HANDLERS,
        ("simplified",),
        "on_the_spot_decision",
        ("filing_copy", "payment"),
        via="create",
        zh="当场作出行政处罚决定",
    ),
    # -- investigation (第五十四条、第五十五条)
    Step("investigate", ("filed",), None, HANDLERS, ("general",), RECORD_DOCUMENTS, zh="调查取证"),
    Step(
        "preserve_evidence",
        ("filed", "notified"),
        None,
        HANDLERS,
        ("general",),
        "evidence_preservation_list",
        ("preservation",),
        zh="证据先行登记保存",
    ),
    Step(
        "decide_preservation",
        PRE_DECISION,
        None,
        HANDLERS,
        ("general",),
        None,
        (),
        ("preservation",),
        zh="登记保存处理决定",
    ),
    Step(
        "seize",
        ("filed", "notified"),
        None,
        LEADERS,
        ("general",),
        None,
        ("coercive",),
        reason_required=True,
        zh="查封、扣押",
    ),
    Step(
        "extend_coercive",
        PRE_DECISION,
        None,
        LEADERS,
        ("general",),
        None,
        reason_required=True,
        zh="延长查封、扣押期限",
    ),
    Step(
        "release_coercive",
        (*PRE_DECISION, "decided", "delivered", "no_penalty"),
        None,
        HANDLERS,
        ("general",),
        None,
        (),
        ("coercive",),
        zh="查封、扣押处理决定",
    ),
    # -- notice, statement, hearing (第四十四条、第四十五条、第六十三条、第六十四条)
    Step(
        "notify",
        ("filed",),
        "notified",
        HANDLERS,
        ("general",),
        "violation_notice",
        ("statement", "hearing_request"),
        zh="告知拟作出的行政处罚",
    ),
    Step(
        "statement",
        ("notified", "hearing_requested", "hearing_noticed", "heard"),
        None,
        HANDLERS,
        ("general",),
        via="statement",
        zh="陈述申辩",
    ),
    Step(
        "request_hearing",
        ("notified",),
        "hearing_requested",
        HANDLERS,
        ("general",),
        None,
        (),
        ("hearing_request",),
        zh="当事人要求听证",
    ),
    Step(
        "notice_hearing",
        ("hearing_requested",),
        "hearing_noticed",
        HANDLERS,
        ("general",),
        "hearing_notice",
        ("hearing",),
        zh="听证通知",
    ),
    Step(
        "hold_hearing",
        ("hearing_noticed",),
        "heard",
        LEADERS + REVIEWERS,
        ("general",),
        "hearing_record",
        (),
        ("hearing",),
        zh="举行听证",
    ),
    # -- legal review, collective discussion, decision (第五十七条、第五十八条、第六十条)
    Step("submit_review", ("notified", "heard"), "in_review", HANDLERS, ("general",), zh="提交法制审核"),
    Step("pass_review", ("in_review",), "reviewed", REVIEWERS, ("general",), reason_required=True, zh="法制审核通过"),
    Step("return_review", ("in_review",), "filed", REVIEWERS, ("general",), reason_required=True, zh="法制审核退回"),
    Step("collective_discussion", ("reviewed",), None, LEADERS, ("general",), reason_required=True, zh="集体讨论"),
    Step(
        "decide",
        ("notified", "reviewed"),
        "decided",
        LEADERS,
        ("general",),
        "penalty_decision",
        ("delivery",),
        ("decision",),
        zh="作出行政处罚决定",
    ),
    Step(
        "no_penalty",
        ("filed", "notified", "heard", "reviewed"),
        "no_penalty",
        LEADERS,
        ("general",),
        "no_penalty_decision",
        (),
        ("decision",),
        reason_required=True,
        zh="不予行政处罚",
    ),
    Step(
        "refer",
        ("filed", "notified"),
        "referred",
        LEADERS,
        ("general",),
        "referral_letter",
        (),
        ("decision",),
        reason_required=True,
        zh="移送",
    ),
    # -- delivery and payment (第六十一条、第六十六条、第六十七条)
    Step(
        "deliver",
        ("decided",),
        "delivered",
        HANDLERS,
        ("general",),
        "delivery_receipt",
        ("payment",),
        ("delivery",),
        zh="送达",
    ),
    Step(
        "defer_payment",
        ("delivered", "overdue"),
        "delivered",
        LEADERS,
        PROCEDURES,
        "instalment_notice",
        ("payment",),
        voids=("court_application",),  # 行政处罚法 第七十二条第二款: the periods run from the deferral's end
        reason_required=True,
        zh="批准延期或分期缴纳",
    ),
    Step(
        "pay",
        ENFORCEABLE,
        "executed",
        HANDLERS,
        PROCEDURES,
        None,
        (),
        ("payment", "reminder"),
        voids=("court_application",),
        via="payment",
        zh="缴清罚款",
    ),
    Step(
        "mark_overdue",
        ("delivered",),
        "overdue",
        HANDLERS,
        PROCEDURES,
        None,
        ("court_application",),
        via="system",
        zh="逾期未缴纳",
    ),
    # -- enforcement (第七十二条、第七十三条; 行政强制法 第五十三条、第五十四条)
    Step(
        "review_started", ENFORCEABLE, None, HANDLERS, PROCEDURES, reason_required=True, zh="当事人申请复议或提起诉讼"
    ),
    Step("review_ended", ENFORCEABLE, None, HANDLERS, PROCEDURES, reason_required=True, zh="复议或诉讼终结"),
    Step(
        "remind",
        ("overdue",),
        "reminded",
        HANDLERS,
        PROCEDURES,
        "payment_reminder",
        ("reminder", "court_application"),
        voids=("court_application",),  # replaced by the window counted again at the reminder
        zh="催告",
    ),
    Step(
        "apply_court",
        ("reminded",),
        "court_applied",
        LEADERS,
        PROCEDURES,
        None,
        (),
        ("court_application",),
        zh="申请法院强制执行",
    ),
    Step(
        "revoke",
        (*ENFORCEABLE, "decided", "executed"),
        "revoked",
        LEADERS,
        PROCEDURES,
        None,
        ("publication_withdrawal",),
        reason_required=True,
        zh="处罚决定被变更或撤销",
    ),
    # -- simplified filing, publicity, closing
    Step(
        "file_copy",
        (*ENFORCEABLE, "executed", "closed"),
        None,
        HANDLERS,
        ("simplified",),
        None,
        (),
        ("filing_copy",),
        zh="当场处罚决定备案",
    ),
    Step(
        "publish",
        ("decided", *ENFORCEABLE, "executed", "closed"),
        None,
        LEADERS,
        PROCEDURES,
        via="publication",
        zh="公示处罚决定",
    ),
    Step(
        "withdraw_publication",
        ("revoked",),
        None,
        LEADERS,
        PROCEDURES,
        None,
        (),
        ("publication_withdrawal",),
        reason_required=True,
        via="publication",
        zh="撤回公示信息",
    ),
    Step(
        "close",
        ("executed", "no_penalty", "delivered", "court_applied"),
        "closed",
        LEADERS,
        PROCEDURES,
        "closing_report",
        zh="结案",
    ),
)
STEP_BY_ACTION = {s.action: s for s in STEPS}
ACTIONS = tuple(STEP_BY_ACTION)


class IllegalStep(Conflict):
    """A step the table does not allow from the case's state (HTTP 409)."""

    code = "illegal_transition"


def allowed_actions(state: str, procedure: str) -> list[str]:
    return [s.action for s in STEPS if state in s.sources and procedure in s.procedures]


def check(state: str, action: str, procedure: str) -> Step:
    """The step ``action`` from ``state`` in ``procedure``, or :class:`IllegalStep` saying what is allowed."""
    step = STEP_BY_ACTION.get(action)
    if step is None:
        raise IllegalStep(
            f"unknown step {action!r}; steps: {', '.join(ACTIONS)}", f"未知的办案环节：{action}", requested=action
        )
    if state not in step.sources or procedure not in step.procedures:
        allowed = allowed_actions(state, procedure)
        raise IllegalStep(
            f"a {procedure} case in state {state!r} cannot take the step {action!r}; allowed: "
            + (", ".join(allowed) if allowed else "nothing (final state)"),
            f"案件处于“{STATE_ZH.get(state, state)}”，不能进行“{step.zh}”"
            + (f"；当前可进行：{'、'.join(STEP_BY_ACTION[a].zh for a in allowed)}" if allowed else "（已是终态）"),
            current=state,
            requested=action,
            allowed=allowed,
        )
    return step


# ------------------------------------------------------------------------------------ deadlines

Count = Literal["working", "calendar", "given", "months"]


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    #: ``agency``: the authority must act by then (missed is a supervision finding);
    #: ``party``: a period the party has (when it runs out the case may go on).
    owner: Literal["agency", "party"]
    count: Count
    days: int | None
    basis: str
    zh: str


DEADLINES: dict[str, DeadlineRule] = {
    r.kind: r
    for r in (
        DeadlineRule(
            "decision",
            "agency",
            "calendar",
            90,
            "行政处罚法 第六十条：自立案之日起九十日内作出行政处罚决定（九十日按自然日计算，民事诉讼法 第八十五条）",
            "作出处理决定",
        ),
        DeadlineRule(
            "filing_copy",
            "agency",
            "working",
            5,
            "行政处罚法 第五十二条第三款：当场作出的行政处罚决定应当报所属行政机关备案；交通运输行政执法程序规定："
            "五日内备案（按工作日计算，行政处罚法 第八十五条）",
            "当场处罚决定备案",
        ),
        DeadlineRule(
            "statement",
            "party",
            "working",
            None,
            "行政处罚法 第四十四条、第四十五条：陈述、申辩；期限见告知书（本地设置，工作日）",
            "陈述申辩期",
        ),
        DeadlineRule(
            "hearing_request",
            "party",
            "working",
            5,
            "行政处罚法 第六十四条第（一）项：当事人要求听证的，应当在行政机关告知后五日内提出（第八十五条：工作日）",
            "要求听证期",
        ),
        DeadlineRule(
            "hearing",
            "agency",
            "given",
            None,
            "行政处罚法 第六十四条第（二）项：举行听证的七日前通知当事人听证的时间、地点（第八十五条：工作日）",
            "举行听证",
        ),
        DeadlineRule(
            "preservation",
            "agency",
            "working",
            7,
            "行政处罚法 第五十六条：先行登记保存的，应当在七日内及时作出处理决定（第八十五条：工作日）",
            "登记保存处理决定",
        ),
        DeadlineRule(
            "coercive",
            "agency",
            "calendar",
            30,
            "行政强制法 第二十五条：查封、扣押的期限不得超过三十日；"
            "情况复杂的，经负责人批准可以延长，延长期限不得超过三十日",
            "查封、扣押期限",
        ),
        DeadlineRule(
            "delivery",
            "agency",
            "working",
            7,
            "行政处罚法 第六十一条：当事人不在场的，应当在七日内依照民事诉讼法的有关规定送达（第八十五条：工作日）",
            "送达处罚决定书",
        ),
        DeadlineRule(
            "payment",
            "party",
            "calendar",
            15,
            "行政处罚法 第六十七条第三款：自收到行政处罚决定书之日起十五日内缴纳罚款；"
            "第六十六条第二款：经批准可以暂缓或者分期缴纳",
            "缴纳罚款",
        ),
        DeadlineRule(
            "reminder",
            "party",
            "working",
            10,
            "行政强制法 第五十四条：催告书送达十日后当事人仍未履行义务的，"
            "可以申请人民法院强制执行（第六十九条：工作日）",
            "催告履行期",
        ),
        DeadlineRule(
            "court_application",
            "agency",
            "months",
            None,
            "行政强制法 第五十三条：当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，"
            "自期限届满之日起三个月内申请人民法院强制执行；"
            "行政复议法 第二十条（六十日）、行政诉讼法 第四十六条（六个月）；行政处罚法 第七十二条第二款",
            "申请法院强制执行",
        ),
        DeadlineRule(
            "publication_withdrawal",
            "agency",
            "working",
            3,
            "行政处罚法 第四十八条第二款：公开的行政处罚决定被依法变更、撤销、确认违法或者确认无效的，"
            "应当在三日内撤回（第八十五条：工作日）",
            "撤回公示信息",
        ),
    )
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it has no such day (31 Aug + 6
    months → 28/29 Feb). 民事诉讼法 第八十五条: periods are counted by month as well as by day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def deadline_due(cal: WorkCalendar, kind: str, start: date, days: int | None = None) -> date:
    """The last day of the deadline ``kind`` counted from ``start`` (the start day not counted)."""
    rule = DEADLINES[kind]
    n = days if days is not None else rule.days
    if rule.count in ("given", "months") or n is None:
        raise ValueError(f"the {kind} deadline is not counted from a start date alone")
    if rule.count == "working":
        return add_working_days(cal, start, n)
    return add_calendar_days(cal, start, n)


# --------------------------------------------------------------------------- penalties and rules


@dataclass(frozen=True)
class Penalty:
    """What a decision imposes (行政处罚法 第九条, the kinds a transport authority uses)."""

    warning: bool = False
    fine_yuan: Decimal = Decimal(0)
    confiscation_yuan: Decimal = Decimal(0)
    #: ``downgrade`` (降低资质等级) or ``revoke`` (吊销许可证件).
    permit: str | None = None
    suspension: bool = False  # 责令停产停业、责令关闭
    occupational_ban: bool = False  # 限制从业

    def __post_init__(self) -> None:
        for name in ("fine_yuan", "confiscation_yuan"):
            v = getattr(self, name)
            if not isinstance(v, Decimal) or not v.is_finite() or v < 0 or v != v.quantize(Decimal("0.01")):
                raise InvalidField(name, f"{v!r} is not an amount in yuan", "金额不正确")
        if self.permit not in (None, "downgrade", "revoke"):
            raise InvalidField("permit", "downgrade or revoke", "许可处理应为降低资质等级或吊销")

    @property
    def empty(self) -> bool:
        return not (
            self.warning
            or self.fine_yuan
            or self.confiscation_yuan
            or self.permit
            or self.suspension
            or self.occupational_ban
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "warning": self.warning,
            "fine_yuan": f"{self.fine_yuan:.2f}",
            "confiscation_yuan": f"{self.confiscation_yuan:.2f}",
            "permit": self.permit,
            "suspension": self.suspension,
            "occupational_ban": self.occupational_ban,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Penalty:
        return cls(
            warning=bool(d.get("warning", False)),
            fine_yuan=Decimal(str(d.get("fine_yuan", "0"))),
            confiscation_yuan=Decimal(str(d.get("confiscation_yuan", "0"))),
            permit=d.get("permit"),
            suspension=bool(d.get("suspension", False)),
            occupational_ban=bool(d.get("occupational_ban", False)),
        )

    def text_zh(self) -> str:
        parts = []
        if self.warning:
            parts.append("警告")
        if self.fine_yuan:
            parts.append(f"罚款{self.fine_yuan:.2f}元")
        if self.confiscation_yuan:
            parts.append(f"没收违法所得、非法财物（价值{self.confiscation_yuan:.2f}元）")
        if self.permit == "downgrade":
            parts.append("降低资质等级")
        if self.permit == "revoke":
            parts.append("吊销许可证件")
        if self.suspension:
            parts.append("责令停产停业")
        if self.occupational_ban:
            parts.append("限制从业")
        return "、".join(parts) or "无"


_PERMIT_RANK = {None: 0, "downgrade": 1, "revoke": 2}


def heavier_parts(before: Penalty, after: Penalty) -> list[str]:
    """The parts in which ``after`` is heavier than ``before`` (行政处罚法 第四十五条第二款)."""
    out = []
    if after.warning and not before.warning and before.empty:
        out.append("warning")
    if after.fine_yuan > before.fine_yuan:
        out.append("fine_yuan")
    if after.confiscation_yuan > before.confiscation_yuan:
        out.append("confiscation_yuan")
    if _PERMIT_RANK[after.permit] > _PERMIT_RANK[before.permit]:
        out.append("permit")
    if after.suspension and not before.suspension:
        out.append("suspension")
    if after.occupational_ban and not before.occupational_ban:
        out.append("occupational_ban")
    return out


def hearing_reasons(p: Penalty, party_kind: str, fine_threshold: Decimal, confiscation_threshold: Decimal) -> list[str]:
    """Why the party has the right to a hearing (行政处罚法 第六十三条第一款); empty: no right.
    The thresholds are the local standard for the party's kind ("较大数额"); reaching one counts."""
    out = []
    if p.fine_yuan >= fine_threshold > 0:
        out.append(f"较大数额罚款（{p.fine_yuan:.2f}元，标准{fine_threshold:.2f}元，第六十三条第一款第（一）项）")
    if p.confiscation_yuan >= confiscation_threshold > 0:
        out.append(f"没收较大数额财物（{p.confiscation_yuan:.2f}元，第六十三条第一款第（二）项）")
    if p.permit:
        out.append("降低资质等级、吊销许可证件（第六十三条第一款第（三）项）")
    if p.suspension:
        out.append("责令停产停业、责令关闭（第六十三条第一款第（四）项）")
    if p.occupational_ban:
        out.append("限制从业（第六十三条第一款第（四）项）")
    return out


#: 行政处罚法 第五十一条: on the spot only up to these fines.
SIMPLIFIED_MAX = {"person": Decimal(200), "organisation": Decimal(3000)}


def simplified_problems(p: Penalty, party_kind: str) -> list[str]:
    """Why the simplified procedure may not be used (empty: it may). 行政处罚法 第五十一条:
    违法事实确凿并有法定依据, a warning or a fine of at most 200 yuan (person) / 3,000 yuan
    (organisation); nothing else."""
    if party_kind not in PARTY_KINDS:
        return [f"unknown party kind {party_kind!r}"]
    out = []
    if p.empty:
        out.append("no penalty given: a warning or a fine is needed")
    limit = SIMPLIFIED_MAX[party_kind]
    if p.fine_yuan > limit:
        out.append(f"fine {p.fine_yuan:.2f} yuan exceeds {limit} yuan for a {party_kind} (第五十一条)")
    if p.confiscation_yuan or p.permit or p.suspension or p.occupational_ban:
        out.append("only a warning or a fine may be imposed on the spot (第五十一条)")
    return out


@dataclass(frozen=True)
class Limitation:
    act_end: date
    discovered: date
    years: int
    last_day: date
    barred: bool
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "act_end": self.act_end.isoformat(),
            "discovered": self.discovered.isoformat(),
            "years": self.years,
            "last_day": self.last_day.isoformat(),
            "barred": self.barred,
            "basis": self.basis,
        }


def limitation(act_end: date, discovered: date, harm_to_life_health_or_finance: bool = False) -> Limitation:
    """行政处罚法 第三十六条: not penalised when not discovered within two years (five where citizens'
    life, health or financial safety was endangered with harmful consequences), counted from the day
    of the act, or of its end when it continued. Discovered on the last day of the period is in time."""
    if discovered < act_end:
        raise InvalidField("discovered_on", "discovery cannot precede the act", "发现日期不能早于违法行为终了日期")
    years = 5 if harm_to_life_health_or_finance else 2
    # The start day is not counted (民事诉讼法 第八十五条), so two years from 1 March end on 1 March.
    last = add_months(act_end, 12 * years)
    barred = discovered > last
    basis = (
        f"行政处罚法 第三十六条：违法行为在{'五' if years == 5 else '二'}年内未被发现的，不再给予行政处罚；"
        "期限从违法行为发生之日起计算，有连续或者继续状态的，从行为终了之日起计算"
    )
    return Limitation(act_end, discovered, years, last, barred, basis)


def legal_review_required(heard: bool, major: bool) -> list[str]:
    """行政处罚法 第五十八条: reasons the decision needs legal review (法制审核) first."""
    out = []
    if heard:
        out.append("经过听证程序（第五十八条第一款第（二）项）")
    if major:
        out.append("重大案件：涉及重大公共利益或疑难复杂（第五十八条第一款第（一）、（三）项）")
    return out


def hearing_notice_earliest(cal: WorkCalendar, notice_day: date) -> date:
    """行政处罚法 第六十四条第（二）项: the hearing is held no earlier than seven working days after
    the notice (第八十五条); the earliest allowed date."""
    return add_working_days(cal, notice_day, 7)


DELIVERY_METHODS = ("in_person", "post", "electronic", "announcement")
DELIVERY_ZH = {"in_person": "直接送达", "post": "邮寄送达", "electronic": "电子送达", "announcement": "公告送达"}
#: 民事诉讼法 第九十五条: delivery by public announcement takes effect 30 days after it.
ANNOUNCEMENT_DAYS = 30


def receipt_date(method: str, on: date) -> date:
    """When the party is taken to have received the decision (民事诉讼法 第八十七条至第九十五条):
    the day signed for, or 30 days after a public announcement (第九十五条: 经过三十日，即视为送达)."""
    if method not in DELIVERY_METHODS:
        raise InvalidField("method", f"one of {', '.join(DELIVERY_METHODS)}", "送达方式不正确")
    return on + timedelta(days=ANNOUNCEMENT_DAYS) if method == "announcement" else on


def roll(cal: WorkCalendar, day: date) -> date:
    return roll_to_working_day(cal, day)
