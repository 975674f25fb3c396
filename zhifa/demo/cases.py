"""The demo's cases (案件): a dozen and a half cases of the Zhenjiang detachment at every stage of
the procedure — all made through the case service (authorised, audited, documents issued) by the
demo's logins, in the demo's one unit of work.

Times: as in ``zhifa.demo.dispatch``, the story is told on the clock. Each act runs with the one
clock set to "so many days before the load" (10:00 Beijing that day), so the legal deadlines count
from those days and mean something when the demo starts: a case filed today has 90 days to be
decided, a decision delivered twelve days ago is due for payment in three, one delivered two months
ago is overdue with its surcharge and was reminded, a case filed three months ago and never
decided has missed its deadline. The parties are the demo's registered enterprises, vehicles and
persons (the first few of each, in id order: the same for a seed). The case scanner runs where the
worker would have run it (an unpaid fine becomes overdue), and once more at the load.

A story that the law refuses at the load's date (a working-day count into a year whose holiday
schedule is not published yet, say) is left out — in its own savepoint — and counted as skipped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.cases import procedure, scanner
from zhifa.cases import service as cases
from zhifa.cases.models import Case, CaseDeadline, CaseStep
from zhifa.core.audit import SYSTEM, Actor
from zhifa.core.auth import User
from zhifa.core.clock import SHANGHAI, FrozenClock, to_shanghai, use_clock, utcnow
from zhifa.core.errors import ZhifaError
from zhifa.demo import dispatch as dispatch_demo
from zhifa.demo.organisation import login_officer_codes
from zhifa.dispatch.models import Task
from zhifa.legal import service as legal_service
from zhifa.org.models import Officer
from zhifa.registry.models import Enterprise, Person, Vehicle
from zhifa.sensing import service as sensing

#: The authority's particulars that the documents print (docs/cases.md §11).
AUTHORITY = {
    "agency_name": "镇江市交通运输综合行政执法支队",
    "review_body": "镇江市人民政府",
    "court": "镇江市京口区人民法院",
    "payment_bank": "中国银行镇江分行（非税收入代收）",
    "payment_account": "4700 5821 0000 0326",
    "contact_address": "镇江市润州区南徐大道88号",
    "contact_person": "支队法制科",
    "contact_phone": "0511-85020000",
}
POLICE = "镇江市公安局交通警察支队"
HIGHWAY_BRIGADE = "ZJ-RD1"


@dataclass(frozen=True)
class Act:
    """One thing someone does, ``days`` before the load (10:00 Beijing; 0: just now)."""

    days: int
    who: str  # patrol1 | patrol2 | leader | legal
    what: str  # file | on_the_spot | step | propose | statement | answer | exemptions | pay | evidence | scan
    args: dict[str, Any] = field(default_factory=dict)
    #: Left out (and noted) when the law refuses it at the load's date; the story goes on.
    optional: bool = False


@dataclass(frozen=True)
class Story:
    key: str
    acts: tuple[Act, ...]
    expected: str  # the case's state at the load


def _investigate(days: int, who: str, content: str, kind: str = "inquiry_record") -> Act:
    """调查取证: a record of ``kind`` (its details filled in by :func:`_record`), ``content`` its gist."""
    return Act(days, who, "investigate", {"record_kind": kind, "content": content})


def _waiver(days: int) -> Act:
    return Act(
        days,
        "patrol1",
        "statement",
        {
            "kind": "waiver",
            "form": "written",
            "content": "当事人书面表示放弃陈述、申辩和听证权利。",
            "waive_hearing": True,
        },
    )


def stories(p: dict[str, Any]) -> list[Story]:
    """The demo's cases; ``p`` names the parties and vehicles drawn from the registry."""
    trucks, people = p["trucks"], p["people"]

    def overload(v: dict[str, Any], at: str, gross: int, excess: int) -> dict[str, Any]:
        return {
            "unit_code": HIGHWAY_BRIGADE,
            "title": "车辆违法超限运输",
            "item_code": "XZCF-001",
            "vehicle": {"plate": v["plate"], "plate_color": v["plate_color"]},
            "facts": (
                f"当事人所属{v['plate']}号{v['axles']}轴货车在{at}经超限检测站复磅，车货总质量{gross}千克，"
                f"超过限定标准{excess}千克，违反《公路安全保护条例》第三十三条第一款。"
            ),
            "place": at,
            "source": "inspection",
        }

    def weighing(days: int, who: str, v: dict[str, Any], at: str, gross: int, excess: int) -> Act:
        """The weighing station's ticket (称重检测单): the evidence a decision states (第五十九条)."""
        return Act(
            days,
            who,
            "evidence",
            {
                "kind": "weighing_ticket",
                "title": "超限检测站称重检测单",
                "text": (
                    f"称重检测单 {v['plate']}（{v['axles']}轴） 地点 {at} "
                    f"车货总质量 {gross} kg 限定标准 {gross - excess} kg 超限 {excess} kg"
                ),
            },
        )

    return [
        # Two months ago: decided, delivered, not paid — overdue, then reminded (行政强制法 第五十四条).
        Story(
            "reminded",
            (
                Act(75, "patrol1", "file", overload(trucks[0], "G312 K1183+500", 49_800, 6_800)),
                weighing(75, "patrol1", trucks[0], "G312 K1183+500", 49_800, 6_800),
                _investigate(75, "patrol1", "当事人驾驶员承认车辆装载钢材，未办理超限运输许可。"),
                Act(74, "patrol1", "propose", {"overload": {"excess_kg": 6_800}}),
                Act(73, "patrol1", "step", {"action": "notify"}),
                _waiver(72),
                Act(70, "leader", "step", {"action": "decide"}),
                Act(69, "patrol1", "step", {"action": "deliver", "method": "in_person"}),
                Act(45, "leader", "scan"),
                # The reminder opens the court window, months ahead: refused while next year's
                # holiday schedule is not entered (the case then stays overdue).
                Act(40, "patrol1", "step", {"action": "remind"}, optional=True),
            ),
            "reminded",
        ),
        # Delivered forty days ago and not paid: overdue, the surcharge running (行政处罚法 第七十二条).
        Story(
            "overdue",
            (
                Act(44, "patrol2", "file", overload(trucks[1], "G312 K1196+200", 46_300, 3_300)),
                weighing(44, "patrol2", trucks[1], "G312 K1196+200", 46_300, 3_300),
                _investigate(44, "patrol2", "当事人驾驶员称货物为建筑用砂石，装载时未过磅。"),
                Act(43, "patrol2", "propose", {"overload": {"excess_kg": 3_300}}),
                Act(43, "patrol2", "step", {"action": "notify"}),
                _waiver(42),
                Act(41, "leader", "step", {"action": "decide"}),
                Act(40, "patrol2", "step", {"action": "deliver", "method": "in_person"}),
                Act(22, "leader", "scan"),
            ),
            "overdue",
        ),
        # Paid within the period: carried out (已履行).
        Story(
            "executed",
            (
                Act(30, "patrol1", "file", overload(trucks[2], "G312 K1160+300", 45_400, 2_400)),
                weighing(30, "patrol1", trucks[2], "G312 K1160+300", 45_400, 2_400),
                _investigate(30, "patrol1", "当事人驾驶员对超限事实无异议，现场已卸载超限部分货物。"),
                Act(29, "patrol1", "propose", {"overload": {"excess_kg": 2_400}}),
                Act(29, "patrol1", "step", {"action": "notify"}),
                _waiver(28),
                Act(27, "leader", "step", {"action": "decide"}),
                Act(26, "patrol1", "step", {"action": "deliver", "method": "in_person"}),
                Act(20, "patrol1", "pay", {"reference": "ZJ-FS-20260001"}),
            ),
            "executed",
        ),
        # 简易程序, a week ago: filed with the authority, paid, closed.
        Story(
            "simplified_closed",
            (
                Act(
                    8,
                    "patrol2",
                    "on_the_spot",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "货运车辆未采取措施防止货物脱落、扬撒",
                        "item_code": "XZCF-025",
                        "party": {"id_no": p["firm"]["uscc"]},
                        "facts": "当事人货车在G312线运输渣土未覆盖篷布，沿途扬撒，执法人员当场检查发现。",
                        "place": "G312 K1171+100",
                        "penalty": {"fine_yuan": "1000"},
                    },
                ),
                Act(6, "patrol2", "step", {"action": "file_copy", "note": "已报所属大队备案"}),
                Act(5, "patrol2", "pay", {}),
                Act(4, "leader", "step", {"action": "close", "summary": "当场处罚决定已备案，罚款已缴清，结案。"}),
            ),
            "closed",
        ),
        # 简易程序, today: a stall on the highway, 200 yuan handed over on the spot.
        Story(
            "simplified_today",
            (
                Act(
                    0,
                    "patrol1",
                    "on_the_spot",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "在公路上摆摊设点",
                        "item_code": "XZCF-011",
                        "party": _person(people[0]),
                        "facts": "当事人在G312线路肩摆摊销售水果，妨碍通行，经劝导已自行撤离。",
                        "place": "G312 K1181+600",
                        "penalty": {"fine_yuan": "200"},
                    },
                ),
            ),
            "delivered",
        ),
        # Today, from the overload the patrol stopped on G312 (the dispatch demo's task on scene).
        Story(
            "from_task",
            (
                Act(
                    0,
                    "patrol1",
                    "file",
                    {
                        "task_id": p["task_id"],
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "车辆违法超限运输",
                        "item_code": "XZCF-001",
                        "party": {
                            "kind": "organisation",
                            "name": "合肥通达物流有限公司",
                            "id_no": "91340100MA2NXT0A1K",
                            "address": "安徽省合肥市包河区花园大道188号",
                            "phone": "0551-63300000",
                        },
                        "facts": (
                            f"当事人所属{p['task_plate']}号六轴半挂车在G312线被巡查拦截，经复磅车货总质量61400千克，"
                            "超过限定标准12400千克。"
                        ),
                        "place": "G312",
                    },
                ),
                Act(
                    0,
                    "patrol2",
                    "evidence",
                    {
                        "kind": "weighing_ticket",
                        "title": "超限检测站称重检测单",
                        "text": "复磅 61400 kg / 限值 49000 kg",
                    },
                ),
                Act(0, "patrol1", "propose", {"overload": {"excess_kg": 12_400}}),
            ),
            "filed",
        ),
        # Notified two days ago: the party's statement period runs; evidence preserved.
        Story(
            "notified",
            (
                Act(
                    9,
                    "patrol2",
                    "file",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "擅自占用公路",
                        "item_code": "XZCF-002",
                        "party": {"id_no": p["firm2"]["uscc"]},
                        "facts": "当事人未经许可在G312线公路用地范围内堆放建筑材料约60平方米，占用公路。",
                        "place": "G312 K1189+300",
                    },
                ),
                _investigate(
                    8, "patrol2", "现场勘验：建材堆放于右侧路肩及边沟，长约30米、宽约2米。", "inspection_record"
                ),
                Act(
                    8,
                    "patrol2",
                    "step",
                    {
                        "action": "preserve_evidence",
                        "items": [
                            {"name": "堆放建材现场照片", "quantity": "12张"},
                            {"name": "施工队工作日志", "quantity": "1本"},
                        ],
                        "approved_by": "路政一大队负责人",
                        "reason": "证据可能灭失",
                        "kept_at": "路政一大队证据保管室",
                    },
                ),
                Act(6, "patrol2", "propose", {"tier": 1, "circumstance": "ordinary"}),
                Act(2, "patrol2", "step", {"action": "notify"}),
            ),
            "notified",
        ),
        # 非法营运 at 镇江站: a large fine gives the right to a hearing; noticed, to be held.
        Story(
            "hearing_noticed",
            (
                Act(12, "patrol1", "file", _touting(people[1], "苏L9A6D2", "镇江站北广场")),
                Act(
                    12,
                    "leader",
                    "step",
                    {"action": "seize", "items": ["苏L9A6D2小型轿车1辆"], "reason": "涉嫌非法营运，依法暂扣车辆"},
                ),
                _investigate(11, "patrol1", "乘客陈述：在北广场出站口被招揽，约定去扬州每人80元。"),
                Act(10, "patrol1", "propose", {"tier": 1, "circumstance": "ordinary"}),
                Act(8, "patrol1", "step", {"action": "notify"}),
                Act(6, "patrol1", "step", {"action": "request_hearing"}),
                Act(3, "leader", "hearing_notice", {"place": "支队三楼听证室"}),
            ),
            "hearing_noticed",
        ),
        # Heard, then submitted: waits in the legal reviewer's queue (every heard case is reviewed).
        Story(
            "heard_in_review",
            (
                Act(30, "patrol2", "file", _touting(people[2], "苏L7C3K5", "镇江南站出租车上客区")),
                _investigate(29, "patrol2", "当事人承认在镇江南站揽客，收取车费每人60元。"),
                Act(28, "patrol2", "propose", {"tier": 1, "circumstance": "ordinary"}),
                Act(26, "patrol2", "step", {"action": "notify"}),
                Act(25, "patrol2", "step", {"action": "request_hearing"}),
                Act(24, "leader", "hearing_notice", {"place": "支队三楼听证室"}),
                Act(
                    -1,
                    "legal",
                    "hold_hearing",
                    {"record": "听证会公开举行。当事人对违法事实无异议，请求从轻处罚，称系初次。"},
                ),
                Act(1, "patrol2", "step", {"action": "submit_review"}),
            ),
            "in_review",
        ),
        # No hearing right, a defence answered, submitted: also in the queue.
        Story(
            "in_review",
            (
                Act(
                    14,
                    "patrol1",
                    "file",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "车辆装载物遗洒污染公路",
                        "item_code": "XZCF-009",
                        "party": {"id_no": p["firm3"]["uscc"]},
                        "facts": "当事人货车运输泥浆未密闭，在G312线遗洒约200米，污染路面。",
                        "place": "G312 K1169+800",
                    },
                ),
                _investigate(13, "patrol1", "现场笔录：路面遗洒泥浆长约200米，已通知养护单位清扫。", "site_record"),
                Act(12, "patrol1", "propose", {"tier": 2, "circumstance": "ordinary"}),
                Act(10, "patrol1", "step", {"action": "notify"}),
                Act(
                    9,
                    "patrol1",
                    "statement",
                    {
                        "kind": "defence",
                        "form": "written",
                        "content": "遗洒系车厢密封条老化所致，已更换，请求减轻处罚。",
                    },
                ),
                Act(
                    8,
                    "patrol1",
                    "answer",
                    {"accepted": False, "answer": "密封条老化不属于免责事由，拟处罚款已在裁量幅度内。"},
                ),
                Act(1, "patrol1", "step", {"action": "submit_review"}),
            ),
            "in_review",
        ),
        # Reviewed and decided two days ago: to be delivered within seven working days.
        Story(
            "decided",
            (
                Act(20, "patrol2", "file", overload(trucks[3], "G312 K1175+000", 47_900, 4_900)),
                weighing(20, "patrol2", trucks[3], "G312 K1175+000", 47_900, 4_900),
                _investigate(20, "patrol2", "当事人驾驶员承认车辆超载运输煤炭。"),
                Act(19, "patrol2", "propose", {"overload": {"excess_kg": 4_900}}),
                Act(15, "patrol2", "step", {"action": "notify"}),
                _waiver(14),
                Act(5, "patrol2", "step", {"action": "submit_review"}),
                Act(
                    4,
                    "legal",
                    "step",
                    {"action": "pass_review", "reason": "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当。"},
                ),
                Act(2, "leader", "step", {"action": "decide"}),
            ),
            "decided",
        ),
        # Delivered thirteen days ago: the fine is due in two days.
        Story(
            "delivered",
            (
                Act(24, "patrol1", "file", overload(trucks[4], "G312 K1199+400", 44_100, 1_100)),
                weighing(24, "patrol1", trucks[4], "G312 K1199+400", 44_100, 1_100),
                _investigate(24, "patrol1", "当事人驾驶员对称重结果无异议。"),
                Act(23, "patrol1", "propose", {"overload": {"excess_kg": 1_100}}),
                Act(20, "patrol1", "step", {"action": "notify"}),
                _waiver(19),
                Act(15, "leader", "step", {"action": "decide"}),
                Act(13, "patrol1", "step", {"action": "deliver", "method": "in_person"}),
            ),
            "delivered",
        ),
        # 800 kg over, a first offence, unloaded on the spot: no penalty by the exemption list.
        Story(
            "no_penalty",
            (
                Act(5, "patrol2", "file", overload(trucks[5], "G312 K1186+000", 43_800, 800)),
                weighing(5, "patrol2", trucks[5], "G312 K1186+000", 43_800, 800),
                _investigate(5, "patrol2", "当事人当场卸载超限货物，车货总质量已符合标准。"),
                Act(
                    4,
                    "patrol2",
                    "exemptions",
                    {"facts": {"first_offence": True, "minor_harm": True, "corrected_in_time": True}},
                ),
                Act(
                    3,
                    "leader",
                    "no_penalty",
                    {"education_record": "向驾驶员讲解《公路安全保护条例》超限运输规定，当事人表示今后合法装载。"},
                ),
            ),
            "no_penalty",
        ),
        # Referred: the damage looks deliberate — a matter for the police.
        Story(
            "referred",
            (
                Act(
                    3,
                    "patrol1",
                    "file",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "损坏公路附属设施",
                        "item_code": "XZCF-013",
                        "party": _person(people[0]),
                        "facts": "当事人在G312线K1177处拆卸波形护栏约40米装车运走，涉嫌盗窃。",
                        "place": "G312 K1177+200",
                    },
                ),
                Act(
                    1,
                    "leader",
                    "step",
                    {
                        "action": "refer",
                        "to": POLICE,
                        "kind": "judicial",
                        "materials": ["立案登记表", "现场照片12张", "护栏被拆卸现场视频1段"],
                        "reason": "涉嫌盗窃公路设施，依法移送公安机关",
                    },
                ),
            ),
            "referred",
        ),
        # Filed three months ago and never decided: the 90 days are missed (行政处罚法 第六十条).
        Story(
            "missed",
            (
                Act(
                    95,
                    "patrol2",
                    "file",
                    {
                        "unit_code": HIGHWAY_BRIGADE,
                        "title": "未经许可进行涉路施工",
                        "item_code": "XZCF-006",
                        "party": {"id_no": p["firm4"]["uscc"]},
                        "facts": "当事人未经许可在G312线K1201处开挖路肩铺设通信管道。",
                        "place": "G312 K1201+000",
                    },
                ),
                _investigate(94, "patrol2", "现场勘验：开挖长约50米、深约1.2米。", "inspection_record"),
            ),
            "filed",
        ),
    ]


def _person(person: dict[str, Any]) -> dict[str, Any]:
    """A registered person (the registry has no address: the one on the ID card is asked for)."""
    return {"id_no": person["id_number"], "address": person["address"]}


def _touting(person: dict[str, Any], plate: str, where: str) -> dict[str, Any]:
    return {
        "unit_code": "ZJ-BLK-RZ-1",
        "title": "未取得道路运输经营许可擅自从事道路客运经营",
        "item_code": "XZCF-018",
        "party": _person(person),
        "vehicle": {"plate": plate, "plate_color": "blue"},
        "facts": f"当事人驾驶{plate}小型轿车在{where}招揽旅客，未取得道路运输经营许可从事道路旅客运输经营。",
        "place": where,
        "source": "inspection",
    }


# --------------------------------------------------------------------------- loading


def _actors(session: Session) -> dict[str, Actor]:
    codes = login_officer_codes()
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(sorted(codes.values()))))}
    return {key: users[code].actor() for key, code in codes.items() if code in users}


def _parties(session: Session, seed: int) -> dict[str, Any]:
    """The first registered goods vehicles owned by enterprises, enterprises and persons."""
    trucks = [
        {"plate": v.plate, "plate_color": v.plate_color, "axles": v.axles or 6}
        for v in session.scalars(
            select(Vehicle)
            .where(Vehicle.vehicle_type.in_(("truck", "tractor")), Vehicle.owner.like("91%"))
            .order_by(Vehicle.id)
            .limit(6)
        )
    ]
    firms = [{"uscc": e.uscc} for e in session.scalars(select(Enterprise).order_by(Enterprise.id).limit(4))]
    streets = ("京口区中山东路", "润州区金山路", "丹徒区谷阳大道")
    people = [
        {"id_number": x.id_number, "address": f"江苏省镇江市{streets[i % 3]}{18 + 7 * i}号"}
        for i, x in enumerate(session.scalars(select(Person).order_by(Person.id).limit(3)))
    ]
    task = session.scalar(select(Task).where(Task.state == "on_scene", Task.lead_id.is_not(None)).order_by(Task.id))
    # The plate the patrol officer reported (in the words of the dispatch demo's story).
    content = next(s.report["content"] for s in dispatch_demo.stories(seed) if s.key == "on_scene")
    plate = content.split("（", 1)[1].split("）", 1)[0]
    return {
        "trucks": trucks,
        "firm": firms[0],
        "firm2": firms[1],
        "firm3": firms[2],
        "firm4": firms[3],
        "people": people,
        "task_id": task.id if task else None,
        "task_plate": plate,
    }


def _at(now: datetime, days: int) -> datetime:
    if days == 0:
        return now - timedelta(minutes=20)
    day = to_shanghai(now).date() - timedelta(days=days)
    return datetime.combine(day, time(10, 0), tzinfo=SHANGHAI).astimezone(UTC)


#: Acts whose step may issue a document: named with the two officers who acted (行政处罚法 第四十二条).
_WITH_OFFICERS = ("file", "on_the_spot", "step", "no_penalty", "hearing_notice", "investigate")
#: Steps (besides filing) whose document names the leader who approved: with filing, 立案登记表,
#: 证据登记保存清单, 结案报告 name the brigade's leader (else they print the acting officer's login).
_APPROVED = ("preserve_evidence", "close")


def _act(
    session: Session, actors: dict[str, Actor], case_id: int | None, a: Act, documents: bool, approver: str
) -> int | None:
    actor = actors[a.who]
    args = dict(a.args)
    if a.what in _WITH_OFFICERS:
        args.setdefault("officers", [actors["patrol1"].username, actors["patrol2"].username])
    if (a.what == "file" or args.get("action") in _APPROVED) and approver:
        args.setdefault("approver", approver)
    if a.what == "file":
        return cases.file_case(session, actor, args, issue_documents=documents).id
    if a.what == "on_the_spot":
        return cases.on_the_spot(session, actor, args | {"statements_waived": True}, issue_documents=documents).id
    assert case_id is not None
    if a.what == "step":
        action = args.pop("action")
        cases.take_step(session, actor, case_id, action, args, issue_documents=documents)
    elif a.what == "propose":
        cases.propose(session, actor, case_id, args)
    elif a.what == "statement":
        cases.add_statement(session, actor, case_id, args)
    elif a.what == "answer":
        statement = cases.case_dict(session, cases.get_case(session, case_id), actor, full=True)["statements"][-1]
        cases.answer_statement(session, actor, case_id, statement["id"], args)
    elif a.what == "exemptions":
        cases.check_exemptions(session, actor, case_id, args["facts"])
    elif a.what == "pay":
        case = cases.get_case(session, case_id)
        owed = cases.outstanding(session, case).due_now
        ref = args.get("reference") or f"ZJ-XC-{case.id:08d}"
        cases.record_payment(session, actor, case_id, owed, None, ref, "manual", case.party_name)
    elif a.what == "evidence":
        digest = sensing.store_evidence(session, args["text"].encode(), "text/plain; charset=utf-8", actor.username)
        cases.add_evidence(session, actor, case_id, {"sha256": digest, "kind": args["kind"], "title": args["title"]})
    elif a.what == "no_penalty":
        letter = f"承诺书：本单位/本人承诺今后严格遵守公路超限运输管理规定。案件{case_id}".encode()
        digest = sensing.store_evidence(session, letter, "text/plain; charset=utf-8", actor.username)
        cases.take_step(
            session,
            actor,
            case_id,
            "no_penalty",
            {"ground": "exemption", "commitment_sha256": digest, "reason": "符合免罚清单情形", **args},
            issue_documents=documents,
        )
    elif a.what == "hearing_notice":
        cal = legal_service.load_calendar(session)
        earliest = procedure.hearing_notice_earliest(cal, cases.today())
        host = login_officer_codes()["legal"]
        cases.take_step(
            session,
            actor,
            case_id,
            "notice_hearing",
            {"hearing_on": earliest.isoformat(), "host": host, "clerk": actors["patrol1"].username, **args},
            issue_documents=documents,
        )
    elif a.what == "investigate":
        record = _record(session, case_id, args)
        cases.take_step(session, actor, case_id, "investigate", record, issue_documents=documents)
    elif a.what == "hold_hearing":
        record = _hearing_record(session, case_id, actors, args)
        cases.take_step(session, actor, case_id, "hold_hearing", record, issue_documents=documents)
    elif a.what == "scan":
        scanner.scan_once(session, utcnow())
    else:  # pragma: no cover - the stories above use only these
        raise ValueError(f"unknown act {a.what!r}")
    return case_id


def _times() -> dict[str, str]:
    """A record made in the last hour (a record's times may not be in the future)."""
    now = to_shanghai(utcnow())
    return {
        "started_at": (now - timedelta(minutes=55)).isoformat(timespec="seconds"),
        "ended_at": (now - timedelta(minutes=10)).isoformat(timespec="seconds"),
    }


def _record(session: Session, case_id: int, args: dict[str, Any]) -> dict[str, Any]:
    """The detailed record of an investigation step (zhifa.cases.records): the two officers, the
    person inquired (the party, or the driver of its vehicle), what was asked and found."""
    case = session.get(Case, case_id)
    assert case is not None
    kind, gist = args["record_kind"], args["content"]
    officers = args["officers"]
    base = _times() | {
        "record_kind": kind,
        "place": case.place or "现场",
        "officers": officers,
        "recorder": officers[-1],
        "identity_shown": True,
        "signed": True,
    }
    party = f"{case.party_name}（当事人）"
    if kind == "inquiry_record":
        persons = list(session.scalars(select(Person).order_by(Person.id).limit(24)))
        person = persons[case_id % len(persons)]
        # An organisation's case: its driver (or staff) is inquired; a person's: the party.
        own = case.party_kind == "person" and bool(case.party_id_no)
        id_no = (case.party_id_no if own else person.id_number) or ""
        return base | {
            "interviewee": {
                "name": case.party_name if own else person.name,
                "gender": "男" if id_no[16:17].isdigit() and int(id_no[16]) % 2 else "女",
                "id_number": id_no,
                "address": case.party_address or "江苏省镇江市京口区中山东路18号",
                "relation": "当事人" if own else ("驾驶员" if case.vehicle_plate else "工作人员"),
            },
            "rights_notified": True,
            "qa": [
                {"q": "我们是镇江市交通运输综合行政执法支队的执法人员，已出示执法证件。你是否看清？", "a": "看清了。"},
                {"q": "请你如实说明情况。", "a": gist},
                {"q": "以上记录是否属实？", "a": "属实。"},
            ],
        }
    if kind == "inspection_record":
        return base | {
            "subject": case.title,
            "conditions": "晴，能见度良好",
            "party_present": party,
            "findings": [gist],
        }
    return base | {
        "party_present": party,
        "findings": [gist],
        "measures": ["责令改正"],
        "party_opinion": "无异议",
    }


def _hearing_record(session: Session, case_id: int, actors: dict[str, Actor], args: dict[str, Any]) -> dict[str, Any]:
    case = session.get(Case, case_id)
    assert case is not None
    return _times() | {
        "clerk": actors["patrol1"].username if case.created_by != actors["patrol1"].username else "书记员",
        "investigators": [case.created_by],
        "case_statement": f"调查人员陈述：{case.facts}建议依法处罚。",
        "attendees": [{"name": case.party_name, "role": "当事人"}],
        "party_statement": args["record"],
        "cross_examination": "对证据的真实性无异议。",
        "final_statement": "请求从轻处罚。",
        "signed": True,
    }


def _hearing_day(session: Session, case_id: int) -> date:
    due = session.scalar(
        select(CaseDeadline.due).where(CaseDeadline.case_id == case_id, CaseDeadline.kind == "hearing")
    )
    if due is None:
        raise LookupError(f"case {case_id}: no hearing noticed")
    return due


def _leader_name(session: Session) -> str:
    officer = session.scalar(select(Officer).where(Officer.code == login_officer_codes()["leader"]))
    return officer.name if officer else ""


def load(session: Session, seed: int, documents: bool = False) -> dict[str, Any]:
    """The stories' cases, in the caller's transaction (flushed, never committed). Needs the demo
    (units, officers, items, registry, logins) and the dispatch loop loaded first.

    ``documents``: the steps issue their documents through the documents service (numbered by its
    schemes, rendered to PDF through Chromium and laid out as DOCX): some fifty, about half a second
    each — ``zhifa demo`` does (``zhifa.demo.load``). Off, as tests of the stories want it; the
    steps, their deadlines and the evidence are the same either way. A story left out rolls back
    its savepoint with the numbers it took, so the numbering has no gap."""
    actors = _actors(session)
    approver = _leader_name(session)
    now = utcnow()
    clock = FrozenClock(now)
    states: Counter[str] = Counter()
    skipped: list[str] = []
    case_ids: list[int] = []
    with use_clock(clock):
        cases.update_settings(session, SYSTEM, AUTHORITY)
        for story in stories(_parties(session, seed)):
            savepoint = session.begin_nested()
            case_id: int | None = None
            try:
                for a in story.acts:
                    # Negative days: the hearing, on the day it was noticed for.
                    if a.days < 0 and case_id is not None:
                        day = _hearing_day(session, case_id)
                        clock.set(datetime.combine(day, time(9, 30), tzinfo=SHANGHAI).astimezone(UTC))
                    else:
                        clock.set(_at(now, a.days))
                    if a.optional:
                        inner = session.begin_nested()
                        try:
                            _act(session, actors, case_id, a, documents, approver)
                        except ZhifaError as exc:
                            inner.rollback()
                            skipped.append(f"{story.key}/{a.args.get('action', a.what)}: {exc}")
                        else:
                            inner.commit()
                        continue
                    case_id = _act(session, actors, case_id, a, documents, approver)
            except ZhifaError as exc:
                savepoint.rollback()
                skipped.append(f"{story.key}: {exc}")
                continue
            savepoint.commit()
            assert case_id is not None
            case_ids.append(case_id)
            states[session.get(Case, case_id).state] += 1  # type: ignore[union-attr]
        clock.set(now)
        report = scanner.scan_once(session, now)
    issued = session.scalar(
        select(func.count())
        .select_from(CaseStep)
        .where(CaseStep.case_id.in_(case_ids), CaseStep.document_id.is_not(None))
    )
    return {
        "cases": dict(sorted(states.items())),
        "documents": issued or 0,
        "skipped": skipped,
        "scan": report.as_dict(),
    }
