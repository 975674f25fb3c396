"""A sample context for every kind, pure: what a template edit is test-rendered with before it is
saved, what ``zhifa documents sample`` prints, and what the tests issue. The names, numbers and
places are made up (样例); the articles are real."""

from __future__ import annotations

import copy
from typing import Any

AGENCY = "镇江市交通运输局"
PERSON = {
    "kind": "个人",
    "name": "王建国",
    "id_number": "320102198001010012",
    "address": "江苏省镇江市京口区学府路88号",
    "phone": "13900000000",
}
COMPANY = {
    "kind": "单位",
    "name": "镇江市通达货运有限公司",
    "id_number": "91321100MA00000001",
    "address": "江苏省镇江市丹徒区港南路1号",
    "legal_representative": "李明",
    "phone": "0511-80000000",
}
OFFICERS = [{"name": "赵刚", "cert_no": "32110001001"}, {"name": "孙丽", "cert_no": "32110001002"}]
CONTACT = {"address": "江苏省镇江市润州区南徐大道99号", "person": "赵刚", "phone": "0511-80000001"}
PAYMENT = {"bank": "中国工商银行镇江分行或者“江苏政务服务”网上缴款", "account": "缴款码见缴款通知单"}
REVIEW_BODY = "镇江市人民政府"
COURT = "镇江市京口区人民法院"
CAUSE = "超限运输车辆擅自行驶公路案"
VIOLATED = [
    {
        "law": "《公路安全保护条例》",
        "article": "第三十五条第一款",
        "text": (
            "车辆载物超过公路、公路桥梁、公路隧道或者汽车渡船的限载、限高、限宽、限长标准的，"
            "不得在公路、公路桥梁或者公路隧道行驶"
        ),
    }
]
PENALTY_BASIS = [
    {"law": "《公路安全保护条例》", "article": "第六十四条"},
    {"law": "《超限运输车辆行驶公路管理规定》", "article": "第四十三条第一款第（二）项"},
]
FACTS = (
    "2026年5月30日10时15分，当事人所属车牌号为苏L12345的重型半挂牵引车在G312国道K1183+500处"
    "经检测车货总质量为55,000千克，超过限定标准49,000千克，超限6,000千克，未办理超限运输许可。"
)

_SAMPLES: dict[str, dict[str, Any]] = {
    "filing_register": {
        "agency": AGENCY,
        "cause": CAUSE,
        "source": "非现场执法",
        "received_on": "2026-05-30",
        "party": COMPANY,
        "facts": FACTS,
        "suspected": VIOLATED,
        "opinion": "涉嫌违法事实清楚，符合立案条件，建议立案调查。",
        "officers": OFFICERS,
        "approver": "周强",
        "filed_on": "2026-05-31",
    },
    "inquiry_record": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "started_at": "2026-06-01T09:00:00+08:00",
        "ended_at": "2026-06-01T09:40:00+08:00",
        "place": "镇江市交通运输综合行政执法支队询问室",
        "interviewee": {
            "name": "王建国",
            "gender": "男",
            "id_number": "320102198001010012",
            "address": "江苏省镇江市京口区学府路88号",
            "phone": "13900000000",
            "employer": "镇江市通达货运有限公司",
            "relation": "驾驶员",
        },
        "officers": OFFICERS,
        "recorder": "孙丽（执法证号：32110001002）",
        "identity_shown": True,
        "rights_notified": True,
        "qa": [
            {
                "q": "我们是镇江市交通运输局执法人员，这是我们的执法证件，请过目。你是否看清楚？",
                "a": "看清楚了。",
            },
            {"q": "2026年5月30日苏L12345车辆由谁驾驶？装载何物？", "a": "由我驾驶，装载钢材。"},
            {"q": "是否办理了超限运输许可？", "a": "没有办理。"},
        ],
        "attachments": [{"title": "询问同步录音录像", "sha256": "9f" * 32}],
        "signed": True,
    },
    "inspection_record": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "started_at": "2026-05-30T10:20:00+08:00",
        "ended_at": "2026-05-30T10:50:00+08:00",
        "place": "G312国道K1183+500处超限检测站",
        "subject": "苏L12345重型半挂牵引车及所载货物",
        "conditions": "晴，气温26℃，检测站计重设备检定有效，地面平整",
        "party": PERSON,
        "party_present": "王建国（驾驶员）",
        "witness": "陈明（检测站工作人员）",
        "officers": OFFICERS,
        "recorder": "孙丽（执法证号：32110001002）",
        "identity_shown": True,
        "findings": ["车辆为六轴重型半挂牵引车，所载货物为钢材。", "经复检，车货总质量55,000千克。"],
        "attachments": [
            {"title": "车辆外观照片", "sha256": "a1" * 32},
            {"title": "现场方位示意图", "sha256": "b2" * 32},
        ],
        "signed": True,
    },
    "site_record": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "started_at": "2026-05-30T10:15:00+08:00",
        "ended_at": "2026-05-30T10:45:00+08:00",
        "place": "G312国道K1183+500处",
        "party": PERSON,
        "officers": OFFICERS,
        "recorder": "孙丽（执法证号：32110001002）",
        "identity_shown": True,
        "party_present": "王建国（驾驶员）",
        "findings": [
            "执法人员出示执法证件，表明身份。",
            "苏L12345车辆经检测超限6,000千克，驾驶员未能出示超限运输许可。",
        ],
        "measures": ["责令当事人卸载超限货物。"],
        "party_opinion": "对检测结果无异议，同意卸载。",
        "signed": False,
        "refusal_note": "当事人对笔录内容无异议，但拒绝签名，执法人员赵刚、孙丽在场见证。",
    },
    "evidence_preservation_list": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "items": [
            {"name": "车辆行驶证", "quantity": "1本"},
            {"name": "货物运单", "spec": "A4", "quantity": "2页", "note": "原件"},
        ],
        "kept_at": "镇江市交通运输综合行政执法支队证据保管室",
        "preserved_on": "2026-05-30",
        "approver": "周强",
        "officers": OFFICERS,
    },
    "violation_notice": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "facts": FACTS,
        "violated": VIOLATED,
        "penalty_basis": PENALTY_BASIS,
        "proposed_penalty": "罚款人民币3,000元",
        "statement_days": 3,
        "hearing_right": False,
        "contact": CONTACT,
    },
    "hearing_notice": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "hearing_at": "2026-06-15T09:30:00+08:00",
        "place": "镇江市交通运输局听证室",
        "host": "吴敏",
        "clerk": "郑洁",
        "public": True,
        "contact": CONTACT,
    },
    "hearing_record": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "started_at": "2026-06-15T09:30:00+08:00",
        "ended_at": "2026-06-15T10:30:00+08:00",
        "place": "镇江市交通运输局听证室",
        "host": "吴敏",
        "members": ["钱伟", "冯芳"],
        "clerk": "郑洁",
        "public": True,
        "investigators": ["赵刚（执法证号：32110001001）", "孙丽（执法证号：32110001002）"],
        "attendees": ["李明（法定代表人）", "周律（委托代理人）"],
        "case_statement": "当事人所属车辆超限6,000千克，有检测单、现场笔录为证，建议罚款3,000元。",
        "party_statement": "对事实无异议，请求从轻处罚。",
        "cross_examination": "对检测单的真实性无异议，对计重设备的检定有效期提出疑问，经出示检定证书后无异议。",
        "final_statement": "请求从轻处罚，今后加强车辆装载管理。",
        "proceedings": [
            {"speaker": "主持人", "content": "宣布听证纪律，核对当事人身份，告知当事人权利义务。"},
        ],
        "signed": True,
    },
    "on_the_spot_decision": {
        "agency": AGENCY,
        "party": PERSON,
        "occurred_at": "2026-05-30T10:15:00+08:00",
        "place": "G312国道K1183+500处",
        "facts": "当事人驾驶的苏L12345车辆未随车携带道路运输证。",
        "violated": [{"law": "《道路运输条例》", "article": "第三十三条"}],
        "penalty_basis": [{"law": "《道路运输条例》", "article": "第六十八条"}],
        "penalty": "警告",
        "payment": {"bank": "不适用（警告）"},
        "statements": [],
        "statements_waived": True,
        "review_body": REVIEW_BODY,
        "court": COURT,
        "officers": OFFICERS,
    },
    "penalty_decision": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "facts": FACTS,
        "evidence": [
            {"name": "超限检测单", "content": "证明车货总质量55,000千克，超限6,000千克"},
            {"name": "现场笔录、现场照片", "content": "证明违法行为发生的时间、地点和车辆情况"},
            {"name": "询问笔录", "content": "证明驾驶员确认未办理超限运输许可"},
        ],
        "notice_number": "镇交执告〔2026〕第0001号",
        "notified_on": "2026-06-02",
        "statements": [
            {
                "statement": "当事人称系初次超限，货物为配载，请求不予处罚。",
                "adopted": False,
                "reason": (
                    "超限6,000千克不属于违法行为轻微，不符合《中华人民共和国行政处罚法》第三十三条不予处罚的条件。"
                ),
            },
            {
                "statement": "当事人称已当场卸载超限货物，主动消除违法状态。",
                "adopted": True,
                "reason": "经现场笔录核实属实，作为从轻情节考虑。",
            },
        ],
        "statements_waived": False,
        "violated": VIOLATED,
        "penalty_basis": PENALTY_BASIS,
        "discretion": {
            "benchmark": "江苏省交通运输行政处罚裁量基准（公路路政）",
            "tier": "一般（超限5吨以上10吨以下）",
            "range_min_yuan": "2500",
            "range_max_yuan": "5000",
            "proposed_yuan": "3000",
            "chosen_yuan": "3000",
            "circumstances": ["主动卸载超限货物，消除违法状态（从轻）"],
            "justification": "每超1,000千克罚款500元，超限6,000千克计3,000元；当事人主动卸载，在幅度内不予从重。",
        },
        "penalty": "罚款人民币3,000元",
        "fine_yuan": "3000",
        "payment": PAYMENT,
        "review_body": REVIEW_BODY,
        "court": COURT,
    },
    "no_penalty_decision": {
        "agency": AGENCY,
        "cause": "未随车携带道路运输证案",
        "case_number": "镇交执立〔2026〕第0002号",
        "party": PERSON,
        "facts": "当事人驾驶的苏L12345车辆未随车携带道路运输证，经责令后于当日补正。",
        "evidence": [{"name": "现场笔录", "content": "证明违法事实及当场改正情况"}],
        "violated": [{"law": "《道路运输条例》", "article": "第三十三条"}],
        "grounds": [
            {
                "law": "《中华人民共和国行政处罚法》",
                "article": "第三十三条第一款",
                "text": "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
            }
        ],
        "reasoning": "当事人初次违法，当日改正，未造成危害后果，依法不予行政处罚。",
        "education": "已对当事人进行法治宣传教育。",
        "review_body": REVIEW_BODY,
        "court": COURT,
    },
    "referral_letter": {
        "agency": AGENCY,
        "cause": "涉嫌伪造道路运输证案",
        "case_number": "镇交执立〔2026〕第0004号",
        "party": PERSON,
        "facts": "2026年6月1日，当事人驾驶苏L12345车辆，出示的道路运输证经核查系伪造。",
        "receiver": "镇江市公安局京口分局",
        "referral_kind": "涉嫌犯罪移送司法机关",
        "reason": "当事人涉嫌伪造国家机关证件，依法应当追究刑事责任。",
        "basis": [
            {
                "law": "《中华人民共和国行政处罚法》",
                "article": "第二十七条第一款",
                "text": "违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关，依法追究刑事责任。",
            }
        ],
        "materials": [
            {"name": "《立案登记表》（镇交执立〔2026〕第0004号）", "quantity": "1份"},
            {"name": "涉嫌伪造的道路运输证", "quantity": "1本", "note": "原件"},
            {"name": "现场笔录", "quantity": "2页"},
        ],
        "referred_on": "2026-06-03",
        "contact": CONTACT,
    },
    "correction_order": {
        "agency": AGENCY,
        "cause": "擅自在公路用地范围内设置广告牌案",
        "case_number": "镇交执立〔2026〕第0003号",
        "party": COMPANY,
        "facts": "当事人在G312国道K1190+200处公路用地范围内设置广告牌一块。",
        "violated": [{"law": "《中华人民共和国公路法》", "article": "第五十四条"}],
        "requirement": "自行拆除上述广告牌，恢复公路用地原状。",
        "deadline": "2026-06-10",
        "contact": CONTACT,
        "review_body": REVIEW_BODY,
        "court": COURT,
    },
    "instalment_notice": {
        "agency": AGENCY,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "decision_number": "镇交执罚〔2026〕第0001号",
        "decision_date": "2026-06-05",
        "applied_on": "2026-06-08",
        "mode": "分期",
        "fine_yuan": "3000",
        "schedule": [
            {"due_on": "2026-07-05", "amount_yuan": "1500"},
            {"due_on": "2026-08-05", "amount_yuan": "1500"},
        ],
        "payment": PAYMENT,
    },
    "payment_reminder": {
        "agency": AGENCY,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "decision_number": "镇交执罚〔2026〕第0001号",
        "decision_date": "2026-06-05",
        "fine_yuan": "3000",
        "surcharge_yuan": "900",
        "payment": PAYMENT,
        "contact": CONTACT,
    },
    "delivery_receipt": {
        "agency": AGENCY,
        "case_number": "镇交执立〔2026〕第0001号",
        "recipient": "镇江市通达货运有限公司",
        "documents": [{"title": "行政处罚决定书", "number": "镇交执罚〔2026〕第0001号"}],
        "method": "直接送达",
        "place": "江苏省镇江市丹徒区港南路1号",
        "delivered_at": "2026-06-05T15:00:00+08:00",
        "deliverers": ["赵刚", "孙丽"],
    },
    "closing_report": {
        "agency": AGENCY,
        "cause": CAUSE,
        "case_number": "镇交执立〔2026〕第0001号",
        "party": COMPANY,
        "summary": FACTS,
        "decision": "镇交执罚〔2026〕第0001号：罚款人民币3,000元",
        "execution": "当事人已于2026年6月12日缴纳罚款3,000元。",
        "closing_reason": "行政处罚决定已执行完毕",
        "officers": OFFICERS,
        "approver": "周强",
        "closed_on": "2026-06-20",
    },
}


def sample(kind: str) -> dict[str, Any]:
    """A fresh copy of the kind's sample context (callers may change it)."""
    return copy.deepcopy(_SAMPLES[kind])


def kinds_with_samples() -> list[str]:
    return list(_SAMPLES)
