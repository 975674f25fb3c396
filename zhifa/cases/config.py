"""Case settings (pure). The values in force are rows of ``cases_setting`` (seeded by migration
0008, edited by administrators, audited); this module validates them. docs/cases.md lists each
with its source. Where the law says "较大数额" and leaves the figure to the provinces, the value is a
**local standard**, not national law."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhifa.core.records import DictRecord


@dataclass(frozen=True)
class CaseConfig(DictRecord):
    #: 行政处罚法 第六十三条第一款第（一）项 较大数额罚款: the threshold is a local standard (the
    #: province's rule); at or above it the party has the right to a hearing. Yuan.
    hearing_fine_person_yuan: str = "10000"
    hearing_fine_org_yuan: str = "100000"
    #: 第六十三条第一款第（二）项 没收较大数额违法所得、没收较大价值非法财物: local standard, yuan.
    hearing_confiscation_person_yuan: str = "10000"
    hearing_confiscation_org_yuan: str = "100000"
    #: Working days the notice of the proposed penalty gives for statement and defence. 行政处罚法
    #: 第四十四条、第四十五条 fix no figure; local practice default.
    statement_working_days: int = 3
    #: Calendar days before a deadline's last day at which supervision is warned.
    warn_days_before: int = 2
    #: How far ahead of today the scanner looks for years with no working-day schedule.
    calendar_lookahead_days: int = 60
    #: Credit link: fines below these do not make a dishonesty record (local standard).
    credit_min_fine_person_yuan: str = "2000"
    credit_min_fine_org_yuan: str = "10000"
    #: At or above these the record is ``serious`` (local standard).
    credit_serious_fine_person_yuan: str = "10000"
    credit_serious_fine_org_yuan: str = "100000"
    #: Publication periods of the record, months (local standard).
    credit_publish_months_general: int = 12
    credit_publish_months_serious: int = 36
    #: The authority's own particulars, printed on its documents (行政处罚法 第五十九条第（五）、（六）项;
    #: 第六十七条第三款): empty until an administrator enters them; a document that needs one is refused.
    agency_name: str = ""
    review_body: str = ""
    court: str = ""
    payment_bank: str = ""
    payment_account: str = ""
    contact_address: str = ""
    contact_person: str = ""
    contact_phone: str = ""

    def __post_init__(self) -> None:
        for name in (
            "hearing_fine_person_yuan",
            "hearing_fine_org_yuan",
            "hearing_confiscation_person_yuan",
            "hearing_confiscation_org_yuan",
            "credit_min_fine_person_yuan",
            "credit_min_fine_org_yuan",
            "credit_serious_fine_person_yuan",
            "credit_serious_fine_org_yuan",
        ):
            _yuan(name, getattr(self, name))
        _whole("statement_working_days", self.statement_working_days, 1, 30)
        _whole("warn_days_before", self.warn_days_before, 0, 60)
        _whole("calendar_lookahead_days", self.calendar_lookahead_days, 0, 400)
        _whole("credit_publish_months_general", self.credit_publish_months_general, 1, 120)
        _whole("credit_publish_months_serious", self.credit_publish_months_serious, 1, 120)
        for name in TEXT_SETTINGS:
            value = getattr(self, name)
            if not isinstance(value, str) or len(value) > 200:
                raise ValueError(f"{name} must be text of at most 200 characters")

    def yuan(self, name: str) -> Decimal:
        return Decimal(str(getattr(self, name)))


TEXT_SETTINGS = (
    "agency_name",
    "review_body",
    "court",
    "payment_bank",
    "payment_account",
    "contact_address",
    "contact_person",
    "contact_phone",
)

#: Where each setting comes from (stored beside the value; shown by the API and docs/cases.md).
SOURCES: dict[str, str] = {
    "hearing_fine_person_yuan": "行政处罚法 第六十三条第一款第（一）项 较大数额罚款；数额为地方标准",
    "hearing_fine_org_yuan": "行政处罚法 第六十三条第一款第（一）项 较大数额罚款；数额为地方标准",
    "hearing_confiscation_person_yuan": "行政处罚法 第六十三条第一款第（二）项；数额为地方标准",
    "hearing_confiscation_org_yuan": "行政处罚法 第六十三条第一款第（二）项；数额为地方标准",
    "statement_working_days": "行政处罚法 第四十四条、第四十五条；期限为本地执法惯例默认值",
    "warn_days_before": "本地监督设置",
    "calendar_lookahead_days": "本地监督设置",
    "credit_min_fine_person_yuan": "信用信息归集标准：地方标准",
    "credit_min_fine_org_yuan": "信用信息归集标准：地方标准",
    "credit_serious_fine_person_yuan": "信用信息归集标准：地方标准",
    "credit_serious_fine_org_yuan": "信用信息归集标准：地方标准",
    "credit_publish_months_general": "信用信息公示期限：地方标准",
    "credit_publish_months_serious": "信用信息公示期限：地方标准",
    "agency_name": "行政处罚法 第五十九条第（六）项：作出决定的行政机关名称（空：取办案单位的上级机关）",
    "review_body": "行政处罚法 第五十九条第（五）项：申请行政复议的途径（行政复议机关）",
    "court": "行政处罚法 第五十九条第（五）项：提起行政诉讼的途径（管辖人民法院）",
    "payment_bank": "行政处罚法 第五十九条第（四）项、第六十七条第三款：指定的银行或者电子支付系统",
    "payment_account": "行政处罚法 第六十七条第三款：缴款账号或缴款码",
    "contact_address": "本机关联系地址",
    "contact_person": "本机关联系人",
    "contact_phone": "本机关联系电话",
}


def _yuan(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name} must be an amount in yuan (text or whole number)")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{name} must be an amount in yuan") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{name} must be a non-negative amount with at most two decimals")


def _whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
