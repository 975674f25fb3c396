"""The case world: the dispatch world (units, officers, users per role, devices), a penalty item
with a discretion benchmark, registered parties, the authority's particulars, and — unless a test
asks for real documents — a recording document issuer (numbers ``T-<kind>-<n>``), so that
procedure tests do not render PDFs. The clock is the suite's frozen clock (2026-06-01 10:00
Asia/Shanghai, a Monday)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.dispatch.conftest import World, build_world
from zhifa.cases.issuing import IssuedRef
from zhifa.core.audit import SYSTEM
from zhifa.core.clock import FrozenClock
from zhifa.imports import run_import

USCC = "91320191MA1MLLDP3L"
PERSON_ID = "11010519491231002X"
ITEMS = [
    {
        "code": "YS-001",
        "kind": "penalty",
        "title": "未随车携带道路运输证",
        "matter": "road.transport_permit",
        "legal_basis": [{"law": "道路运输条例", "article": "第六十八条"}],
        "discretion": [
            {"tier": "轻微", "condition": "首次且及时改正", "min_yuan": 20, "max_yuan": 100, "warning": True},
            {"tier": "一般", "condition": "一般情形", "min_yuan": 100, "max_yuan": 200, "warning": False},
        ],
    },
    {
        "code": "YS-002",
        "kind": "penalty",
        "title": "未取得道路运输经营许可擅自从事道路货物运输经营",
        "matter": "freight.operation",
        "legal_basis": [{"law": "道路运输条例", "article": "第六十三条"}],
        "discretion": [
            {"tier": "一般", "condition": "违法所得不足2万元", "min_yuan": 10000, "max_yuan": 50000},
            {"tier": "严重", "condition": "情节严重", "min_yuan": 50000, "max_yuan": 100000},
        ],
    },
]
ENTERPRISES = (
    "uscc,name,business,address,lon,lat,legal_rep,licence_no,licence_expiry,phone\n"
    f"{USCC},合肥远通货运有限公司,freight,安徽省合肥市蜀山区长江西路1号,,,周某,,,13800000009\n"
)
VEHICLES = (
    "plate,plate_color,vehicle_type,axles,owner,cert_no,cert_status,cert_expiry\n"
    f"苏L12345,yellow,重型货车,2,{USCC},,,\n"
    f"苏L66666,blue,小型客车,2,{PERSON_ID},,,\n"
)
PERSONS = f"id_type,id_number,name,phone\nresident_id,{PERSON_ID},张三丰,13900001111\n"
AUTHORITY = {
    "review_body": "镇江市人民政府",
    "court": "镇江市京口区人民法院",
    "payment_bank": "中国银行镇江分行（非税收入代收）",
    "contact_address": "镇江市京口区示例路1号",
    "contact_person": "值班室",
    "contact_phone": "0511-80000000",
}

#: A complete 询问笔录 of the investigate step (on the suite's clock, 2026-06-01 10:00 Shanghai).
INQUIRY: dict[str, Any] = {
    "record_kind": "inquiry_record",
    "started_at": "2026-06-01T09:00:00+08:00",
    "ended_at": "2026-06-01T09:40:00+08:00",
    "place": "路政一大队询问室",
    "officers": ["O1", "O2"],
    "recorder": "O2",
    "interviewee": {
        "name": "周某",
        "gender": "男",
        "id_number": "320102198001010011",
        "address": "安徽省合肥市蜀山区长江西路1号",
        "phone": "13800000009",
        "employer": "合肥远通货运有限公司",
        "relation": "当事人的法定代表人",
    },
    "identity_shown": True,
    "rights_notified": True,
    "qa": [
        {"q": "我们是镇江市交通运输综合行政执法支队的执法人员，这是我们的执法证件，你是否看清楚？", "a": "看清楚了。"},
        {"q": "苏L12345货车是否随车携带道路运输证？", "a": "当天忘带了，证件放在公司。"},
    ],
    "signed": True,
}
#: A complete 听证笔录 of the hold_hearing step, for a hearing noticed with host legal2 and clerk O2
#: (to be taken on 2026-06-17 after 11:00 Shanghai).
HEARING: dict[str, Any] = {
    "started_at": "2026-06-17T09:00:00+08:00",
    "ended_at": "2026-06-17T10:30:00+08:00",
    "clerk": "O2",
    "members": ["钱伟"],
    "investigators": ["O1"],
    "attendees": [
        {"name": "周某", "role": "法定代表人", "id_number": "320102198001010011"},
        {"name": "吴律", "role": "委托代理人"},
    ],
    "case_statement": "当事人未取得道路运输经营许可从事货运经营，有运单、询问笔录为证，建议罚款100,000元。",
    "party_statement": "对事实无异议，经营时间短，请求从轻处罚。",
    "cross_examination": "对运单的真实性无异议，对违法所得的计算有异议。",
    "final_statement": "请求从轻处罚，已申请办理经营许可。",
    "signed": True,
}


@dataclass
class Recorder:
    """A document issuer for procedure tests: records what it was asked for, numbers it."""

    issued: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)

    def __call__(self, session: Session, actor: Any, kind: str, context: dict[str, Any], *, case_ref: str | None):
        self.issued.append((kind, context, case_ref))
        n = len(self.issued)
        return IssuedRef(n, f"T-{kind}-{n}")

    def kinds(self) -> list[str]:
        return [k for k, _, _ in self.issued]


@dataclass
class CaseWorld(World):
    docs: Recorder | None = None

    def post(self, path: str, user: str, body: Any = None, status: int | None = None) -> Any:
        r = self.client.post(path, json=body or {}, headers=self.h(user))
        if status is not None:
            assert r.status_code == status, r.text
        return r

    def file(self, user: str = "O1", **fields: Any) -> dict[str, Any]:
        body = {
            "unit_code": "RD1",
            "title": "未随车携带道路运输证",
            "facts": "2026年6月1日，当事人驾驶苏L12345货车在G312线检查时未能出示道路运输证。",
            "item_code": "YS-001",
            "party": {"id_no": USCC},
            "source": "inspection",
            "officers": ["O1", "O2"],
        } | fields
        return self.post("/api/v1/cases", user, body, 201).json()

    def step(self, case_id: int, action: str, user: str, status: int = 200, **params: Any) -> Any:
        r = self.post(f"/api/v1/cases/{case_id}/transitions", user, {"action": action, **params})
        assert r.status_code == status, r.text
        return r.json()

    def at(self, text: str) -> None:
        """Move the frozen clock (Asia/Shanghai wall time) and log in again."""
        self.clock.set(datetime.fromisoformat(text + "+08:00").astimezone(UTC))
        self.forget_logins()


def _setup(session: Session, clock: FrozenClock) -> CaseWorld:
    base = build_world(session, clock)
    run_import(session, SYSTEM, "items", Path("items.json"), json.dumps(ITEMS, ensure_ascii=False).encode())
    run_import(session, SYSTEM, "entities", Path("enterprises.csv"), ENTERPRISES.encode())
    run_import(session, SYSTEM, "entities", Path("vehicles.csv"), VEHICLES.encode())
    run_import(session, SYSTEM, "entities", Path("persons.csv"), PERSONS.encode())
    from zhifa.cases import service

    service.update_settings(session, SYSTEM, AUTHORITY)
    session.flush()
    return CaseWorld(base.session, base.clock)
