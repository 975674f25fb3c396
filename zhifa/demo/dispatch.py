"""The command-and-dispatch loop of the demo: response plans (预案), officers' positions near their
units, and a handful of leads and tasks in every state — all made through the dispatch services
(authorised, audited) by the demo's logins, in the demo's one unit of work.

Times: the story is told on the clock. Each step runs with the one clock (``zhifa.core.clock``) set
to "now minus so many minutes", so reports, dispatches, acceptances and arrivals carry times
before the load and the SLA due times count from them: when the demo starts, one task is well
past its acceptance deadline (the scanner escalates it), one is about to be due, the others run.
What is said, where and by whom depends on the seed only.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core.audit import SYSTEM, Actor
from zhifa.core.auth import User
from zhifa.core.clock import FrozenClock, today_shanghai, use_clock, utcnow
from zhifa.demo import ids, patrol
from zhifa.demo.names import person_name
from zhifa.demo.organisation import login_officer_codes
from zhifa.demo.registry import FIXED_SITES
from zhifa.dispatch import hotline, planning, service
from zhifa.dispatch.models import Task, TaskOfficer
from zhifa.org.models import Officer

_STATION = next((lon, lat) for _, name, _, lon, lat in FIXED_SITES if name == "镇江站")
_SOUTH_STATION = next((lon, lat) for _, name, _, lon, lat in FIXED_SITES if name == "镇江南站")
#: Around 镇江站 and its squares (the hub cameras lie within 400 m of the station).
STATION_BBOX = [
    round(_STATION[0] - 0.008, 3),
    round(_STATION[1] - 0.006, 3),
    round(_STATION[0] + 0.008, 3),
    round(_STATION[1] + 0.006, 3),
]
STATION_SQUADRON = "ZJ-BLK-RZ-1"  # 润州大队一中队: the station district
WEIGH_CHECK_UNIT = "ZJ-LZ"  # 路政管理科: the weigh-in-motion stations' records

#: Response plans as data (docs/dispatch.md §7): criteria, and one task per step.
PLANS: tuple[dict[str, Any], ...] = (
    {
        "name": "G312超限超载：路面拦截＋称重数据复核",
        "matter": "road.overload",
        "route": "G312",
        "steps": [
            {
                "task_kind": "inspection",
                "unit": "routed",
                "officers": 2,
                "title": "路面巡查拦截",
                "instructions": (
                    "就近巡查组前往拦截，引导车辆至最近的超限检测站复磅；核对车辆、驾驶员证件，全程执法记录仪记录。"
                ),
            },
            {
                "task_kind": "inspection",
                "unit": WEIGH_CHECK_UNIT,
                "officers": 0,
                "title": "称重检测数据复核",
                "instructions": (
                    "调取动态称重记录、抓拍图像和设备检定证书，核对轴数、总质量与超限幅度，结果反馈现场组。"
                ),
            },
        ],
    },
    {
        "name": "超限超载（其他路段）：路面拦截",
        "lead_kind": "overload",
        "steps": [
            {
                "task_kind": "inspection",
                "unit": "routed",
                "officers": 2,
                "title": "路面巡查拦截",
                "instructions": "就近巡查组前往拦截，引导车辆至最近的超限检测站复磅。",
            }
        ],
    },
    {
        "name": "镇江站非法营运：站区中队查处",
        "matter": "passenger.illegal_operation",
        "bbox": STATION_BBOX,
        "steps": [
            {
                "task_kind": "enforcement",
                "unit": STATION_SQUADRON,
                "officers": 2,
                "title": "站区非法营运查处",
                "instructions": (
                    "两名持证执法人员到北广场、南广场和社会停车场蹲守，对揽客车辆调查取证，全程执法记录仪记录。"
                ),
            }
        ],
    },
    {
        "name": "船舶未开启AIS：水上巡航核查",
        "lead_kind": "ais_dark",
        "steps": [
            {
                "task_kind": "inspection",
                "unit": "routed",
                "officers": 2,
                "title": "水上巡航核查",
                "instructions": "执法艇前往卡口下游拦截核查，查验船舶证书和AIS设备，必要时通报海事。",
            }
        ],
    },
    {
        "name": "AIS信息与登记不符：核查",
        "lead_kind": "ais_mismatch",
        "steps": [
            {
                "task_kind": "inspection",
                "unit": "routed",
                "officers": 1,
                "title": "AIS静态信息核查",
                "instructions": "核对AIS船名、船型与船舶登记信息，联系船方更正。",
            }
        ],
    },
)


# --------------------------------------------------------------------------- the story


@dataclass(frozen=True)
class Step:
    """One thing someone does, ``at`` minutes before the load."""

    at: float
    who: str  # duty | leader | patrol1 | patrol2
    what: str  # confirm | dispatch | assign | transition | feedback
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """A lead (a hotline call or a patrol officer's report) and what happened to it."""

    key: str
    at: float  # minutes before the load
    who: str
    report: dict[str, Any]
    steps: tuple[Step, ...] = ()
    #: The state each of its tasks is in at the load (in the order they were dispatched).
    expected: tuple[str, ...] = ()


def stories(seed: int) -> list[Story]:
    """The demo's leads and tasks; texts, callers and tickets drawn from the seed."""
    rng = random.Random(f"{seed}:dispatch")

    def ticket(hotline_no: str) -> str:
        return f"{hotline_no}-ZJ{rng.randrange(10**7):07d}"

    def caller() -> dict[str, str]:
        return {"caller_name": person_name(rng), "caller_phone": ids.mobile_phone(rng)}

    km = rng.randrange(1158, 1163)
    overload = f"G312 K{km}+{rng.randrange(0, 10) * 100}"
    spill = f"G312 K{rng.randrange(1168, 1175)}+{rng.randrange(0, 10) * 100}"
    stalls = f"G312 K{rng.randrange(1178, 1186)}+{rng.randrange(0, 10) * 100}"
    guardrail = f"G312 K{rng.randrange(1164, 1178)}+{rng.randrange(0, 10) * 100}"
    works = f"G312 K{rng.randrange(1192, 1205)}+{rng.randrange(0, 10) * 100}"
    plate = f"皖{rng.choice('ABEL')}{rng.randrange(10**5):05d}"
    return [
        # Closed yesterday: the loop went all the way round.
        Story(
            "closed",
            26 * 60,
            "patrol2",
            {
                "source": "patrol",
                "matter": "road.spill",
                "at": spill,
                "content": "巡查发现路面有大片遗洒砂石，影响通行，疑似货车未密闭运输。",
            },
            (
                Step(26 * 60 - 3, "duty", "dispatch", {"kind": "inspection", "title": "路面遗洒核查处置"}),
                Step(26 * 60 - 6, "leader", "assign", {"officers": ["patrol2"]}),
                Step(26 * 60 - 7, "patrol2", "transition", {"to": "accepted"}),
                Step(26 * 60 - 8, "patrol2", "transition", {"to": "en_route"}),
                Step(26 * 60 - 25, "patrol2", "transition", {"to": "on_scene", "where": "lead"}),
                Step(
                    26 * 60 - 55,
                    "patrol2",
                    "feedback",
                    {
                        "outcome": "referred",
                        "notes": "已设置警示标志并通知养护单位清扫，遗洒车辆线索移交交警查找。",
                        "referred_to": "镇江市公安局交通警察支队",
                    },
                ),
                Step(26 * 60 - 70, "duty", "transition", {"to": "closed", "reason": "处置到位，同意办结"}),
            ),
            ("closed",),
        ),
        # A 12345 complaint, handled: waiting for the command center's review.
        Story(
            "handled",
            5 * 60,
            "duty",
            {
                "source": "12345",
                "ticket_no": ticket("12345"),
                "matter": "road.obstruction",
                "at": stalls,
                "content": "市民反映：公路边有人摆摊卖水果，还堆放了建材，车辆经过很危险。",
                **caller(),
            },
            (
                Step(5 * 60 - 8, "duty", "dispatch", {"kind": "complaint", "title": "公路占道摆摊、堆放物品核查"}),
                Step(5 * 60 - 20, "leader", "transition", {"to": "accepted"}),
                Step(5 * 60 - 22, "leader", "assign", {"officers": ["patrol1", "patrol2"]}),
                Step(5 * 60 - 30, "patrol1", "transition", {"to": "en_route"}),
                Step(4 * 60, "patrol1", "transition", {"to": "on_scene", "where": "lead"}),
                Step(
                    3 * 60 + 30,
                    "patrol1",
                    "feedback",
                    {"outcome": "not_found", "notes": "到场时摊点已撤离，建材已清运，公路用地范围内未发现占道物品。"},
                ),
            ),
            ("handled",),
        ),
        # 12328: a damaged guardrail; the brigade accepted and is about to send a patrol.
        Story(
            "accepted",
            40,
            "duty",
            {
                "source": "12328",
                "ticket_no": ticket("12328"),
                "matter": "road.damage",
                "at": guardrail,
                "content": "来电反映：公路护栏被车辆撞坏一段，散落在路肩。",
                **caller(),
            },
            (
                Step(35, "duty", "dispatch", {"kind": "inspection", "title": "护栏损坏核查、路产损失取证"}),
                Step(25, "leader", "transition", {"to": "accepted"}),
            ),
            ("accepted",),
        ),
        # A patrol officer stops an overloaded truck on G312: the plan sends the patrol (now on
        # scene) and asks for the weigh-in-motion records (just dispatched, due in minutes).
        Story(
            "on_scene",
            8,
            "patrol1",
            {
                "source": "patrol",
                "matter": "road.overload",
                "at": overload,
                "severity": "high",
                "content": f"巡查发现一辆六轴半挂车（{plate}）明显超载，轮胎变形，已示意靠边停车。",
            },
            (
                Step(6, "duty", "dispatch", {"plan": PLANS[0]["name"]}),
                Step(5.5, "leader", "assign", {"officers": ["patrol1", "patrol2"]}),
                Step(5, "patrol1", "transition", {"to": "accepted"}),
                Step(4.5, "patrol1", "transition", {"to": "en_route"}),
                Step(1, "patrol1", "transition", {"to": "on_scene", "where": "lead"}),
            ),
            ("on_scene", "dispatched"),
        ),
        # 12328: touting at 镇江站; the plan sends the station squadron, which has not accepted:
        # overdue, escalated to the brigade's leader and the command center.
        Story(
            "overdue",
            100,
            "duty",
            {
                "source": "12328",
                "ticket_no": ticket("12328"),
                "matter": "passenger.illegal_operation",
                "at": f"{_STATION[0] + 0.0003:.6f},{_STATION[1] + 0.0012:.6f}",
                "location_text": "镇江站北广场",
                "content": "旅客反映：镇江站北广场出站口有私家车拉客，喊价去扬州每人80元。",
                **caller(),
            },
            (Step(95, "duty", "dispatch", {"plan": PLANS[2]["name"]}),),
            ("dispatched",),
        ),
        # The queue: a new 12345 complaint and a confirmed one, waiting for dispatch.
        Story(
            "queue_new",
            15,
            "duty",
            {
                "source": "12345",
                "ticket_no": ticket("12345"),
                "matter": "passenger.taxi",
                "at": f"{_SOUTH_STATION[0]:.6f},{_SOUTH_STATION[1]:.6f}",
                "location_text": "镇江南站出租车上客区",
                "content": "市民反映：镇江南站出租车拒载短途乘客，不打表议价。",
                **caller(),
            },
        ),
        Story(
            "queue_confirmed",
            30,
            "duty",
            {
                "source": "12345",
                "ticket_no": ticket("12345"),
                "matter": "road.construction",
                "at": works,
                "content": "市民反映：国道边有施工队开挖路肩铺设管道，没有看到施工许可公示。",
                **caller(),
            },
            (Step(28, "duty", "confirm", {"note": "已电话回访核实，待派单"}),),
        ),
    ]


# --------------------------------------------------------------------------- loading


def _actors(session: Session) -> dict[str, Actor]:
    codes = login_officer_codes()
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(sorted(codes.values()))))}
    missing = sorted(set(codes.values()) - set(users))
    if missing:
        raise LookupError(f"demo logins missing: {', '.join(missing)} (create the demo accounts first)")
    return {key: users[code].actor() for key, code in codes.items()}


def _run(session: Session, actors: dict[str, Actor], story: Story, tasks: list[Task], lead_id: int, s: Step) -> None:
    actor = actors[s.who]
    a = s.args
    if s.what == "confirm":
        service.confirm_lead(session, actor, lead_id, a.get("note"))
    elif s.what == "dispatch":
        plan_id = None
        if "plan" in a:
            plan_id = next(p["id"] for p in planning.list_plans(session) if p["name"] == a["plan"])
        tasks += service.dispatch_lead(
            session, actor, lead_id, kind=a.get("kind", "inspection"), title=a.get("title"), plan_id=plan_id
        )
    elif s.what == "assign":
        codes = login_officer_codes()
        service.assign_officers(session, actor, tasks[0].id, [codes[k] for k in a["officers"]])
    elif s.what == "transition":
        lon = lat = None
        if a.get("where") == "lead":
            lon, lat = tasks[0].lon, tasks[0].lat
        service.transition_task(session, actor, tasks[0].id, a["to"], a.get("reason"), lon, lat)
    elif s.what == "feedback":
        service.submit_feedback(
            session,
            actor,
            tasks[0].id,
            outcome=a["outcome"],
            notes=a["notes"],
            referred_to=a.get("referred_to"),
            lon=tasks[0].lon,
            lat=tasks[0].lat,
        )
    else:  # pragma: no cover - the stories above use only these
        raise ValueError(f"story {story.key}: unknown step {s.what!r}")


def load(session: Session, seed: int) -> dict[str, Any]:
    """Plans, the stories' leads and tasks, and every on-duty field officer's position, in the
    caller's transaction (flushed, never committed). Needs the units, officers, map, duties and
    the demo logins loaded first."""
    actors = _actors(session)
    now = utcnow()
    clock = FrozenClock(now)
    counts: dict[str, Any] = {}
    with use_clock(clock):
        for values in PLANS:
            planning.create_plan(session, actors["duty"], dict(values))
        counts["plans"] = len(PLANS)
        # Every action in time order across the stories, as it happened.
        timeline: list[tuple[float, int, int]] = []
        all_stories = stories(seed)
        for i, story in enumerate(all_stories):
            timeline.append((story.at, i, -1))
            timeline += [(s.at, i, j) for j, s in enumerate(story.steps)]
        timeline.sort(key=lambda x: (-x[0], x[1], x[2]))
        leads: dict[int, int] = {}
        tasks: dict[int, list[Task]] = {i: [] for i in range(len(all_stories))}
        for minutes, i, j in timeline:
            clock.set(now - timedelta(minutes=minutes))
            story = all_stories[i]
            if j < 0:
                leads[i] = hotline.create_report(session, actors[story.who], **story.report).lead_id
            else:
                _run(session, actors, story, tasks[i], leads[i], story.steps[j])
        counts["leads"] = len(leads)
        states = Counter(t.state for ts in tasks.values() for t in ts)
        counts["tasks"] = dict(sorted(states.items()))
        clock.set(now)
        counts["positions"] = _positions(session, actors, seed, now)
    return counts


def _positions(session: Session, actors: dict[str, Actor], seed: int, now: datetime) -> int:
    """Where every on-duty field officer with a valid certificate is now: on scene at his task, or
    on his unit's patrol route (reported as by his phone; by the system for officers without a
    demo login). The simulator (``zhifa simulate``) moves the demo logins on from there."""
    today = today_shanghai()
    on_scene = {
        code: (lon, lat)
        for code, lon, lat in session.execute(
            select(TaskOfficer.officer_code, Task.lon, Task.lat)
            .join(Task, Task.id == TaskOfficer.task_id)
            .where(Task.state == "on_scene")
        )
    }
    by_code = {a.username: a for a in actors.values()}
    n = 0
    for o in session.scalars(select(Officer).where(Officer.on_duty.is_(True)).order_by(Officer.code)):
        if not o.cert_no or o.cert_expiry is None or o.cert_expiry < today:
            continue
        where = on_scene.get(o.code) or patrol.position(seed, o.code, o.unit_code, now.timestamp())
        if where is None or where[0] is None or where[1] is None:
            continue
        planning.report_position(session, by_code.get(o.code, SYSTEM), o.code, where[0], where[1], at=now)
        n += 1
    return n
