"""The seventeen kinds of enforcement documents (交通运输行政执法文书式样), pure: for each its code,
Chinese title, numbering scheme (or none) and the context fields it requires.

The fields follow what the law asks a document to state; where it does, the field's ``note``
cites the article. :func:`validate_context` checks a context against its kind before anything is
written (a missing field names itself; see :mod:`zhifa.documents.context`).

Terms a decision states by law, not by context:

* 行政复议法 第二十条第一款: review may be applied for within 60 days of knowing the decision;
* 行政诉讼法 第四十六条第一款: a lawsuit may be filed within 6 months of knowing it;
* 行政处罚法 第六十七条第三款: a fine is paid within 15 days of receiving the decision.

They are constants here (:data:`REVIEW_DAYS`, :data:`LAWSUIT_MONTHS`, :data:`PAYMENT_DAYS`) that
the templates print; a decision names the review body and the court from its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zhifa.core.errors import NotFound
from zhifa.documents.context import Field, Problem, validate

#: 行政复议法 第二十条第一款 (2023): 自知道或者应当知道该行政行为之日起六十日内.
REVIEW_DAYS = 60
#: 行政诉讼法 第四十六条第一款 (2017): 应当自知道或者应当知道作出行政行为之日起六个月内提出.
LAWSUIT_MONTHS = 6
#: 行政处罚法 第六十七条第三款: 自收到行政处罚决定书之日起十五日内 … 缴纳罚款.
PAYMENT_DAYS = 15
#: 行政强制法 第五十四条: 催告书送达十日后当事人仍未履行义务的, 可以申请人民法院强制执行.
REMINDER_DAYS = 10
#: 行政处罚法 第五十六条: 先行登记保存 … 应当在七日内及时作出处理决定.
PRESERVATION_DAYS = 7
#: 行政处罚法 第六十四条第（二）项: 在举行听证的七日前, 通知当事人.
HEARING_NOTICE_DAYS = 7
#: 行政处罚法 第六十四条第（一）项: 当事人要求听证的, 应当在行政机关告知后五日内提出.
HEARING_REQUEST_DAYS = 5


# ---------------------------------------------------------------------------- shared field groups

AGENCY = Field("agency", "执法机关", note="行政处罚法 第五十九条第（六）项: 作出决定的行政机关名称")
CAUSE = Field("cause", "案由")
CASE_NUMBER = Field("case_number", "案件编号（立案编号）", required=False)
PARTY = Field(
    "party",
    "当事人",
    "record",
    fields=(
        Field("kind", "当事人类型", choices=("个人", "单位")),
        Field("name", "姓名或者名称"),
        Field("id_number", "身份证件号码或者统一社会信用代码"),
        Field("address", "住址或者住所", note="行政处罚法 第五十九条第（一）项"),
        Field("legal_representative", "法定代表人（负责人）", required=False),
        Field("phone", "联系电话", required=False),
    ),
    note="行政处罚法 第五十九条第（一）项: 当事人的姓名或者名称、地址",
)
OFFICERS = Field(
    "officers",
    "执法人员",
    "records",
    fields=(Field("name", "姓名"), Field("cert_no", "执法证号")),
    min_items=2,
    note="行政处罚法 第四十二条: 执法人员不得少于两人; 第五十二条: 出示执法证件",
)
ARTICLES = (
    Field("law", "法律法规规章名称"),
    Field("article", "条款（如 第六十四条第一款）"),
    Field("text", "条文内容", required=False),
)
VIOLATED = Field(
    "violated", "违反的规定", "records", fields=ARTICLES, note="行政处罚法 第四十四条、第五十九条第（二）项"
)
PENALTY_BASIS = Field(
    "penalty_basis",
    "处罚依据",
    "records",
    fields=ARTICLES,
    note="行政处罚法 第五十九条第（三）项: 行政处罚的种类和依据",
)
EVIDENCE = Field(
    "evidence",
    "证据",
    "records",
    fields=(Field("name", "证据名称"), Field("content", "证明内容")),
    note="行政处罚法 第五十九条第（二）项: 违法的事实和证据",
)
STATEMENTS = Field(
    "statements",
    "当事人陈述申辩及采纳情况",
    "records",
    required=False,
    fields=(
        Field("statement", "当事人的陈述、申辩"),
        Field("adopted", "是否采纳", "bool"),
        Field("reason", "采纳或者不予采纳的理由"),
    ),
    note="行政处罚法 第四十五条: 事实、理由或者证据成立的, 应当采纳",
)
STATEMENTS_WAIVED = Field(
    "statements_waived",
    "当事人放弃陈述申辩",
    "bool",
    required=False,
    note="行政处罚法 第六十二条: 当事人明确放弃陈述或者申辩权利的除外",
)
REVIEW_BODY = Field("review_body", "行政复议机关", note="行政处罚法 第五十九条第（五）项")
COURT = Field("court", "管辖人民法院", note="行政处罚法 第五十九条第（五）项")
CONTACT = Field(
    "contact",
    "联系方式",
    "record",
    fields=(Field("address", "地址"), Field("person", "联系人"), Field("phone", "电话")),
)
PAYMENT = Field(
    "payment",
    "缴款方式",
    "record",
    fields=(
        Field("bank", "代收机构（银行或者电子支付系统）"),
        Field("account", "账号或者缴款码", required=False),
        Field("note", "其他说明", required=False),
    ),
    note="行政处罚法 第五十九条第（四）项、第六十七条第三款",
)
RECORDING = (
    Field("started_at", "开始时间", "datetime"),
    Field("ended_at", "结束时间", "datetime"),
    Field("place", "地点"),
)
RECORDER = Field("recorder", "记录人")
IDENTITY_SHOWN = Field(
    "identity_shown",
    "执法人员已出示执法证件",
    "bool",
    note="行政处罚法 第五十五条第一款: 执法人员应当主动向当事人或者有关人员出示执法证件",
)
ATTACHMENTS = Field(
    "attachments",
    "附件（照片、图纸、录音录像）",
    "records",
    required=False,
    fields=(Field("title", "名称"), Field("sha256", "证据文件SHA-256")),
    note="行政处罚法 第四十七条: 全过程记录; 证据文件以其SHA-256指明",
)
SIGNED = Field("signed", "已签名或者盖章", "bool", note="笔录交核对无误后签名或者盖章")
REFUSAL_NOTE = Field(
    "refusal_note",
    "拒绝签名或者盖章的情况",
    required=False,
    note="行政处罚法 第六十四条第（八）项: 拒绝签字或者盖章的, 在笔录中注明",
)


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    #: Numbering scheme code (:mod:`zhifa.documents.numbers`), or ``None`` for an unnumbered kind.
    scheme: str | None
    fields: tuple[Field, ...]
    #: What the document is for and where the law asks for it.
    basis: str
    checks: tuple[Any, ...] = ()

    @property
    def numbered(self) -> bool:
        return self.scheme is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "numbered": self.numbered,
            "scheme": self.scheme,
            "basis": self.basis,
            "fields": [f.as_dict() for f in self.fields],
        }


def _ended_after_start(ctx: dict[str, Any]) -> list[Problem]:
    if ctx["ended_at"] < ctx["started_at"]:
        return [Problem("ended_at", "ends before it starts", "结束时间早于开始时间")]
    return []


def _signed_or_noted(ctx: dict[str, Any]) -> list[Problem]:
    # 行政处罚法 第六十四条第（八）项 (and the same practice for every record): a refusal is noted.
    if not ctx["signed"] and not ctx["refusal_note"]:
        return [Problem("refusal_note", "not signed: note the refusal", "未签名的，应当注明拒绝签名的情况")]
    return []


def _identity_shown(ctx: dict[str, Any]) -> list[Problem]:
    if not ctx["identity_shown"]:
        return [
            Problem(
                "identity_shown",
                "the officers must show their certificates (行政处罚法 第五十五条第一款)",
                "执法人员应当出示执法证件（行政处罚法 第五十五条第一款）",
            )
        ]
    return []


def _rights_notified(ctx: dict[str, Any]) -> list[Problem]:
    if not ctx["rights_notified"]:
        return [
            Problem(
                "rights_notified",
                "tell the person of the duty to answer truthfully and the right to ask for withdrawal "
                "(行政处罚法 第五十五条第二款、第四十三条第二款)",
                "应当告知如实回答的义务和申请回避的权利",
            )
        ]
    return []


def _party_or_witness(ctx: dict[str, Any]) -> list[Problem]:
    if not ctx["party_present"] and not ctx["witness"]:
        return [Problem("party_present", "name the party present or a witness", "应当载明到场的当事人或者见证人")]
    return []


def _hearing_complete(ctx: dict[str, Any]) -> list[Problem]:
    problems = []
    if ctx["public"] is False and not ctx["not_public_reason"]:
        problems.append(
            Problem(
                "not_public_reason",
                "a hearing not held in public states why (行政处罚法 第六十四条第（三）项)",
                "不公开举行听证的，应当说明理由（行政处罚法 第六十四条第（三）项）",
            )
        )
    if ctx["party_absent"]:
        if not ctx["absence_note"]:
            problems.append(Problem("absence_note", "note how the party was absent", "应当注明当事人缺席的情况"))
        return problems
    labels = {
        "attendees": "当事人及其代理人",
        "party_statement": "当事人的陈述和申辩",
        "cross_examination": "质证意见",
        "final_statement": "当事人的最后陈述",
    }
    for key, label in labels.items():
        if not ctx[key]:
            # 行政处罚法 第六十四条第（七）项: 当事人进行申辩和质证.
            problems.append(Problem(key, f"required: {label}", f"缺少{label}"))
    return problems


def _chosen_in_range(ctx: dict[str, Any]) -> list[Problem]:
    d = ctx["discretion"]
    problems = []
    if d["range_min_yuan"] > d["range_max_yuan"]:
        problems.append(Problem("discretion.range_max_yuan", "below the minimum", "上限低于下限"))
    elif not d["range_min_yuan"] <= d["chosen_yuan"] <= d["range_max_yuan"] and not d.get("outside_range_reason"):
        # A fine outside the benchmark's range is the officer's to decide, but only with its reason
        # written into the decision (说理: the supervision sees it).
        problems.append(
            Problem(
                "discretion.chosen_yuan",
                "outside the discretion range without outside_range_reason",
                "决定罚款不在裁量幅度内且未说明理由",
            )
        )
    if ctx["fine_yuan"] != d["chosen_yuan"]:
        problems.append(Problem("fine_yuan", "differs from discretion.chosen_yuan", "罚款金额与裁量决定金额不一致"))
    return problems


def _statements_or_waived(ctx: dict[str, Any]) -> list[Problem]:
    # 行政处罚法 第六十二条: no decision without hearing the party, unless the party waived it.
    if not ctx["statements"] and not ctx["statements_waived"]:
        return [
            Problem(
                "statements",
                "give the party's statements and how each was answered, or statements_waived: true",
                "须载明当事人的陈述申辩及采纳情况，或者注明当事人放弃陈述申辩",
            )
        ]
    return []


def _schedule_adds_up(ctx: dict[str, Any]) -> list[Problem]:
    total = sum((item["amount_yuan"] for item in ctx["schedule"]), Decimal("0.00"))
    problems = []
    if total != ctx["fine_yuan"]:
        problems.append(
            Problem("schedule", f"instalments add up to {total}, not {ctx['fine_yuan']}", "各期金额之和不等于罚款金额")
        )
    dues = [item["due_on"] for item in ctx["schedule"]]
    if dues != sorted(dues) or len(set(dues)) != len(dues):
        problems.append(Problem("schedule", "due dates must be strictly increasing", "各期缴纳期限应依次递增"))
    if ctx["mode"] == "延期" and len(ctx["schedule"]) != 1:
        problems.append(Problem("schedule", "a deferral (延期) has exactly one due date", "延期缴纳只有一个期限"))
    return problems


_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        "filing_register",
        "立案登记表",
        "filing",
        (
            AGENCY,
            CAUSE,
            Field("source", "案件来源", choices=("执法检查", "投诉举报", "上级交办", "部门移送", "非现场执法", "其他")),
            Field("received_on", "案件来源日期", "date"),
            PARTY,
            Field("facts", "简要案情"),
            Field("suspected", "涉嫌违反的规定", "records", fields=ARTICLES),
            Field("opinion", "立案意见"),
            OFFICERS,
            Field("approver", "负责人"),
            Field("filed_on", "立案日期", "date"),
        ),
        "行政处罚法 第五十四条第二款: 符合立案标准的, 行政机关应当及时立案",
    ),
    DocumentKind(
        "inquiry_record",
        "询问笔录",
        None,
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            *RECORDING,
            Field(
                "interviewee",
                "被询问人",
                "record",
                fields=(
                    Field("name", "姓名"),
                    Field("gender", "性别", choices=("男", "女")),
                    Field("id_number", "身份证件号码"),
                    Field("address", "住址"),
                    Field("phone", "联系电话", required=False),
                    Field("employer", "工作单位", required=False),
                    Field("relation", "与本案关系"),
                ),
            ),
            OFFICERS,
            RECORDER,
            IDENTITY_SHOWN,
            Field(
                "rights_notified",
                "已告知如实回答的义务和申请回避的权利",
                "bool",
                note="行政处罚法 第五十五条第二款、第四十三条第二款",
            ),
            Field("qa", "询问内容", "records", fields=(Field("q", "问"), Field("a", "答"))),
            ATTACHMENTS,
            SIGNED,
            REFUSAL_NOTE,
        ),
        "行政处罚法 第五十五条: 执法人员应当出示执法证件; 询问应当制作笔录",
        (_ended_after_start, _identity_shown, _rights_notified, _signed_or_noted),
    ),
    DocumentKind(
        "inspection_record",
        "勘验笔录",
        None,
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            *RECORDING,
            Field("subject", "勘验对象"),
            Field("conditions", "天气及现场条件"),
            PARTY,
            Field("party_present", "到场的当事人（姓名及身份）", required=False),
            Field("witness", "见证人", required=False),
            OFFICERS,
            RECORDER,
            IDENTITY_SHOWN,
            Field("findings", "勘验情况", "list"),
            ATTACHMENTS,
            SIGNED,
            REFUSAL_NOTE,
        ),
        "行政处罚法 第四十六条第一款第（八）项: 勘验笔录、现场笔录是证据; 第五十五条: 检查应当制作笔录",
        (_ended_after_start, _identity_shown, _party_or_witness, _signed_or_noted),
    ),
    DocumentKind(
        "site_record",
        "现场笔录",
        None,
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            *RECORDING,
            PARTY,
            OFFICERS,
            RECORDER,
            IDENTITY_SHOWN,
            Field("party_present", "现场的当事人或者有关人员（姓名及身份）"),
            Field("findings", "现场情况", "list"),
            Field("measures", "采取的措施", "list", required=False),
            Field("party_opinion", "当事人意见"),
            ATTACHMENTS,
            SIGNED,
            REFUSAL_NOTE,
        ),
        "行政处罚法 第四十六条第一款第（八）项: 勘验笔录、现场笔录是证据; 第五十五条: 检查应当制作笔录",
        (_ended_after_start, _identity_shown, _signed_or_noted),
    ),
    DocumentKind(
        "evidence_preservation_list",
        "证据登记保存清单",
        "preservation",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field(
                "items",
                "登记保存物品",
                "records",
                fields=(
                    Field("name", "名称"),
                    Field("spec", "规格型号", required=False),
                    Field("quantity", "数量"),
                    Field("note", "备注", required=False),
                ),
            ),
            Field("kept_at", "保存地点"),
            Field("preserved_on", "登记保存日期", "date"),
            Field("approver", "批准的负责人", note="行政处罚法 第五十六条: 经行政机关负责人批准"),
            OFFICERS,
        ),
        "行政处罚法 第五十六条: 先行登记保存, 七日内及时作出处理决定",
    ),
    DocumentKind(
        "violation_notice",
        "违法行为通知书",
        "notice",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("facts", "违法事实"),
            VIOLATED,
            PENALTY_BASIS,
            Field("proposed_penalty", "拟作出的行政处罚"),
            Field("statement_days", "陈述申辩期限（日）", "int"),
            Field(
                "hearing_right",
                "是否告知听证权利",
                "bool",
                note="行政处罚法 第六十三条: 较大数额罚款等应当告知听证权利",
            ),
            CONTACT,
        ),
        "行政处罚法 第四十四条: 作出决定前告知拟作出的处罚内容及事实、理由、依据, 以及陈述、申辩、听证权利",
    ),
    DocumentKind(
        "hearing_notice",
        "听证通知书",
        "hearing",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("hearing_at", "听证时间", "datetime"),
            Field("place", "听证地点"),
            Field("host", "听证主持人", note="行政处罚法 第六十四条第（四）项: 非本案调查人员主持"),
            Field("clerk", "书记员"),
            Field("public", "是否公开举行", "bool", note="行政处罚法 第六十四条第（三）项"),
            CONTACT,
        ),
        "行政处罚法 第六十四条第（二）项: 举行听证的七日前通知当事人",
    ),
    DocumentKind(
        "hearing_record",
        "听证笔录",
        None,
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            *RECORDING,
            Field("host", "听证主持人", note="行政处罚法 第六十四条第（四）项: 非本案调查人员主持"),
            Field("members", "听证员", "list", required=False),
            Field("clerk", "书记员"),
            Field("public", "是否公开举行", "bool", note="行政处罚法 第六十四条第（三）项"),
            Field("not_public_reason", "不公开举行的理由", required=False),
            Field("investigators", "案件调查人员", "list"),
            Field("attendees", "当事人及其代理人", "list", required=False, note="行政处罚法 第六十四条第（五）项"),
            Field("party_absent", "当事人缺席", "bool", required=False, note="行政处罚法 第六十四条第（六）项"),
            Field("absence_note", "当事人缺席或者中途退出的情况", required=False),
            Field(
                "case_statement",
                "调查人员提出的违法事实、证据和行政处罚建议",
                note="行政处罚法 第六十四条第（七）项",
            ),
            Field("party_statement", "当事人的陈述和申辩", required=False),
            Field("cross_examination", "质证意见", required=False),
            Field("final_statement", "当事人的最后陈述", required=False),
            Field(
                "proceedings",
                "听证过程的其他记录",
                "records",
                required=False,
                fields=(Field("speaker", "发言人"), Field("content", "内容")),
            ),
            SIGNED,
            REFUSAL_NOTE,
        ),
        "行政处罚法 第六十四条第（八）项: 听证应当制作笔录, 交当事人审核无误后签字或者盖章",
        (_ended_after_start, _hearing_complete, _signed_or_noted),
    ),
    DocumentKind(
        "on_the_spot_decision",
        "当场行政处罚决定书",
        "on_the_spot",
        (
            AGENCY,
            PARTY,
            Field("occurred_at", "违法时间", "datetime"),
            Field("place", "违法地点"),
            Field("facts", "违法事实"),
            VIOLATED,
            PENALTY_BASIS,
            Field("penalty", "处罚内容"),
            Field("fine_yuan", "罚款金额（元）", "money", required=False),
            PAYMENT,
            STATEMENTS,
            STATEMENTS_WAIVED,
            REVIEW_BODY,
            COURT,
            OFFICERS,
        ),
        "行政处罚法 第五十一条、第五十二条: 预定格式、编有号码的行政处罚决定书, 当场交付当事人",
        (_statements_or_waived,),
    ),
    DocumentKind(
        "penalty_decision",
        "行政处罚决定书",
        "penalty",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("facts", "违法事实", note="行政处罚法 第五十九条第（二）项"),
            EVIDENCE,
            Field("notice_number", "违法行为通知书编号", note="行政处罚法 第四十四条: 事先告知"),
            Field("notified_on", "告知日期", "date"),
            STATEMENTS,
            STATEMENTS_WAIVED,
            Field("hearing", "听证情况", required=False),
            VIOLATED,
            PENALTY_BASIS,
            Field(
                "discretion",
                "裁量理由",
                "record",
                fields=(
                    Field("benchmark", "适用的裁量基准"),
                    Field("tier", "裁量阶次"),
                    Field("range_min_yuan", "裁量幅度下限（元）", "money"),
                    Field("range_max_yuan", "裁量幅度上限（元）", "money"),
                    Field("proposed_yuan", "拟罚款金额（元）", "money"),
                    Field("chosen_yuan", "决定罚款金额（元）", "money"),
                    Field("circumstances", "从重、从轻、减轻情节", "list", required=False),
                    Field("justification", "裁量说明"),
                    Field("outside_range_reason", "超出裁量幅度的理由", required=False),
                ),
                note="行政处罚法 第三十四条: 行政处罚裁量基准应当向社会公布",
            ),
            Field("penalty", "处罚决定"),
            Field("fine_yuan", "罚款金额（元）", "money"),
            PAYMENT,
            REVIEW_BODY,
            COURT,
        ),
        "行政处罚法 第五十九条: 行政处罚决定书应当载明的事项; 第四十四条、第四十五条: 告知与陈述申辩",
        (_statements_or_waived, _chosen_in_range),
    ),
    DocumentKind(
        "no_penalty_decision",
        "不予行政处罚决定书",
        "no_penalty",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("facts", "违法事实"),
            EVIDENCE,
            VIOLATED,
            Field(
                "grounds",
                "不予处罚的理由和依据",
                "records",
                fields=ARTICLES,
                note="行政处罚法 第三十三条: 违法行为轻微并及时改正, 没有造成危害后果的, 不予行政处罚",
            ),
            Field("reasoning", "不予处罚的说明"),
            Field(
                "education",
                "教育、责令改正情况",
                required=False,
                note="行政处罚法 第三十三条第三款: 应当对当事人进行教育",
            ),
            REVIEW_BODY,
            COURT,
        ),
        "行政处罚法 第五十七条第一款第（二）项、第三十三条: 依法不予行政处罚",
    ),
    DocumentKind(
        "referral_letter",
        "案件移送书",
        "referral",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("facts", "案件基本情况"),
            Field("receiver", "受移送机关"),
            Field("referral_kind", "移送类型", choices=("涉嫌犯罪移送司法机关", "移送有管辖权的行政机关")),
            Field("reason", "移送理由"),
            Field(
                "basis",
                "移送依据",
                "records",
                fields=ARTICLES,
                note="行政处罚法 第二十七条第一款（涉嫌犯罪）; 第二十二条至第二十五条（管辖）",
            ),
            Field(
                "materials",
                "移送材料",
                "records",
                fields=(Field("name", "材料名称"), Field("quantity", "数量"), Field("note", "备注", required=False)),
                note="行政处罚法 第二十七条第二款: 证据材料移交",
            ),
            Field("referred_on", "移送日期", "date"),
            CONTACT,
        ),
        "行政处罚法 第二十七条: 违法行为涉嫌犯罪的, 及时将案件移送司法机关; 第二十二条至第二十五条: 管辖",
    ),
    DocumentKind(
        "correction_order",
        "责令改正违法行为通知书",
        "correction",
        (
            AGENCY,
            CAUSE,
            CASE_NUMBER,
            PARTY,
            Field("facts", "违法事实"),
            VIOLATED,
            Field("requirement", "改正要求"),
            Field("deadline", "改正期限", "date", required=False),
            Field("immediately", "立即改正", "bool", required=False),
            CONTACT,
            REVIEW_BODY,
            COURT,
        ),
        "行政处罚法 第二十八条第一款: 实施行政处罚时, 应当责令当事人改正或者限期改正违法行为",
        (
            lambda ctx: (
                []
                if bool(ctx["deadline"]) != bool(ctx["immediately"])
                else [
                    Problem(
                        "deadline",
                        "give a deadline or immediately: true (one of them)",
                        "须给出改正期限或者立即改正（二者之一）",
                    )
                ]
            ),
        ),
    ),
    DocumentKind(
        "instalment_notice",
        "分期（延期）缴纳罚款通知书",
        "instalment",
        (
            AGENCY,
            CASE_NUMBER,
            PARTY,
            Field("decision_number", "行政处罚决定书编号"),
            Field("decision_date", "行政处罚决定日期", "date"),
            Field("applied_on", "当事人申请日期", "date"),
            Field("mode", "方式", choices=("分期", "延期")),
            Field("fine_yuan", "罚款金额（元）", "money"),
            Field(
                "schedule",
                "缴纳期限",
                "records",
                fields=(Field("due_on", "缴纳期限", "date"), Field("amount_yuan", "金额（元）", "money")),
            ),
            PAYMENT,
        ),
        "行政处罚法 第六十六条第二款: 经当事人申请和行政机关批准, 可以暂缓或者分期缴纳",
        (_schedule_adds_up,),
    ),
    DocumentKind(
        "payment_reminder",
        "催告书",
        "reminder",
        (
            AGENCY,
            CASE_NUMBER,
            PARTY,
            Field("decision_number", "行政处罚决定书编号"),
            Field("decision_date", "行政处罚决定日期", "date"),
            Field("fine_yuan", "罚款金额（元）", "money"),
            Field("surcharge_yuan", "加处罚款金额（元）", "money", required=False, note="行政处罚法 第七十二条"),
            PAYMENT,
            CONTACT,
        ),
        "行政强制法 第三十五条、第五十四条: 申请强制执行前书面催告, 载明期限、方式、金额和陈述申辩权利",
    ),
    DocumentKind(
        "delivery_receipt",
        "送达回证",
        None,
        (
            AGENCY,
            CASE_NUMBER,
            Field("recipient", "受送达人"),
            Field(
                "documents",
                "送达文书",
                "records",
                fields=(Field("title", "文书名称"), Field("number", "文书编号", required=False)),
            ),
            Field(
                "method",
                "送达方式",
                choices=("直接送达", "留置送达", "委托送达", "邮寄送达", "电子送达", "公告送达"),
                note="行政处罚法 第六十一条: 依照民事诉讼法的有关规定送达",
            ),
            Field("place", "送达地点"),
            Field("delivered_at", "送达时间", "datetime"),
            Field("deliverers", "送达人", "list"),
            Field(
                "witness",
                "见证人",
                required=False,
                note="民事诉讼法 第八十九条: 留置送达可以邀请有关基层组织或者所在单位的代表到场",
            ),
            Field("note", "备注", required=False),
        ),
        "行政处罚法 第六十一条; 民事诉讼法 第八十七条: 送达文书必须有送达回证",
    ),
    DocumentKind(
        "closing_report",
        "结案报告",
        None,
        (
            AGENCY,
            CAUSE,
            Field("case_number", "案件编号（立案编号）"),
            PARTY,
            Field("summary", "案件概况"),
            Field("decision", "处理决定（决定书编号及内容）"),
            Field("execution", "执行情况"),
            Field("closing_reason", "结案理由"),
            OFFICERS,
            Field("approver", "负责人"),
            Field("closed_on", "结案日期", "date"),
        ),
        "交通运输行政执法程序规定: 案件执行完毕等情形, 应当制作结案报告, 经负责人批准后结案",
    ),
)

#: code → kind, in the order of the issue (立案 … 结案).
KINDS: dict[str, DocumentKind] = {k.code: k for k in _KINDS}


def get_kind(code: str) -> DocumentKind:
    kind = KINDS.get(code)
    if kind is None:
        raise NotFound(
            f"unknown document kind {code!r}; one of {', '.join(KINDS)}",
            f"未知的文书种类 {code}",
            field="kind",
        )
    return kind


def validate_context(code: str, context: Any) -> dict[str, Any]:
    """The normalised context of a document of this kind, or
    :class:`~zhifa.documents.context.ContextInvalid` naming every missing or wrong field."""
    kind = get_kind(code)
    return validate(code, kind.fields, context, kind.checks)
