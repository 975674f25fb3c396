"""Enforcement item catalogue (权责清单): inspections, penalties with discretion tiers, coercive measures.

Ranges are the statutory ones (articles checked against /work/shared/laws/, except the departmental
rules marked in `catalogue.py`); the tiers split them the way a discretion benchmark
(自由裁量基准, 行政处罚法 第三十四条) usually does. Fines set as a multiple of illegal income
cannot be written as a yuan range, so those tiers only cover the fixed-amount branch and say so.
"""

from __future__ import annotations

from typing import Any

# (tier, condition, min_yuan, max_yuan, warning)
Tier = tuple[str, str, int, int, bool]
Basis = list[tuple[str, str]]

HIGHWAY = "公路法"
ROAD_PROTECTION = "公路安全保护条例"
OVERSIZE = "超限运输车辆行驶公路管理规定"
ROAD_TRANSPORT = "道路运输条例"
PORT = "港口法"
WATERWAY = "航道法"
INLAND = "内河交通安全管理条例"
MARITIME = "海上交通安全法"
TAXI = "巡游出租汽车经营服务管理规定"
RIDE_HAILING = "网络预约出租汽车经营服务管理暂行办法"
COERCION = "行政强制法"
BUSINESS_ENV = "优化营商环境条例"

FIRST_MINOR = "初次违法、危害后果轻微并及时改正"


def _basis(pairs: Basis) -> list[dict[str, str]]:
    return [{"law": law, "article": article} for law, article in pairs]


def _tiers(tiers: list[Tier]) -> list[dict[str, Any]]:
    return [
        {"tier": tier, "condition": cond, "min_yuan": lo, "max_yuan": hi, "warning": warn}
        for tier, cond, lo, hi, warn in tiers
    ]


def _up_to(cap: int) -> list[Tier]:
    """Tiers for "可以处 N 元以下罚款": the first tier may go without a fine (责令改正)."""
    return [
        ("轻微", FIRST_MINOR + "，责令改正，可不予罚款", 0, cap // 10, False),
        ("一般", "违法行为情节一般", cap // 10, cap * 2 // 5, False),
        ("较重", "逾期不改正或造成一定危害后果", cap * 2 // 5, cap * 4 // 5, False),
        ("严重", "造成严重危害后果或拒不改正", cap * 4 // 5, cap, False),
    ]


def _between(lo: int, hi: int) -> list[Tier]:
    """Tiers for "处 lo 元以上 hi 元以下罚款" (three equal-ish steps)."""
    step1 = lo + (hi - lo) // 3
    step2 = lo + (hi - lo) * 2 // 3
    return [
        ("一般", "违法行为情节一般", lo, step1, False),
        ("较重", "违法行为持续时间较长或涉及数量较大", step1, step2, False),
        ("严重", "造成严重危害后果或多次违法", step2, hi, False),
    ]


def _income_note(text: str) -> str:
    return f"（{text}，不适用本档）"


# Notes for statutes whose fine is a multiple of illegal income when that income is large.
INCOME_OVER_10K_1_5X = _income_note("违法所得超过1万元的，处违法所得1倍以上5倍以下罚款")
INCOME_OVER_20K_2_10X = _income_note("违法所得超过2万元的，处违法所得2倍以上10倍以下罚款")
INCOME_OVER_10K_2_10X = _income_note("违法所得1万元以上的，处违法所得2倍以上10倍以下罚款")
INCOME_OVER_3K_2_10X = _income_note("违法所得3000元以上的，处违法所得2倍以上10倍以下罚款")
INCOME_OVER_100K_2_5X = _income_note("违法所得十万元以上的，处违法所得二倍以上五倍以下罚款")

# (code, title, matter, basis, tiers)
PENALTIES: list[tuple[str, str, str, Basis, list[Tier]]] = [
    (
        "XZCF-001",
        "对车辆违法超限运输的行政处罚",
        "road.overload",
        [(ROAD_PROTECTION, "第六十四条"), (OVERSIZE, "第四十三条")],
        [
            # 超限运输车辆行驶公路管理规定 (2016) 第四十三条: ≤1000 kg warning; else 500 yuan per 1000 kg, cap 30,000.
            ("轻微", "车货总质量超过限定标准未超过1000千克", 0, 0, True),
            ("一般", "超过限定标准1000千克以上至10000千克，每超1000千克罚款500元", 500, 5000, False),
            ("较重", "超过限定标准10000千克以上至30000千克，每超1000千克罚款500元", 5000, 15000, False),
            ("严重", "超过限定标准30000千克以上，每超1000千克罚款500元，最高不超过30000元", 15000, 30000, False),
        ],
    ),
    ("XZCF-002", "对擅自占用、挖掘公路的行政处罚", "road.encroachment", [(HIGHWAY, "第七十六条")], _up_to(30000)),
    (
        "XZCF-003",
        "对在公路用地范围内设置非公路标志的行政处罚",
        "road.signage",
        [(HIGHWAY, "第七十九条")],
        _up_to(20000),
    ),
    (
        "XZCF-004",
        "对未经批准增设平面交叉道口的行政处罚",
        "road.crossing",
        [(HIGHWAY, "第八十条")],
        [
            ("一般", "及时恢复原状，未影响公路安全", 0, 20000, False),
            ("较重", "影响公路通行安全", 20000, 40000, False),
            ("严重", "拒不恢复原状或造成交通事故", 40000, 50000, False),
        ],
    ),
    (
        "XZCF-005",
        "对在公路建筑控制区内违法修建建筑物、地面构筑物的行政处罚",
        "road.building_control",
        [(ROAD_PROTECTION, "第五十六条")],
        _up_to(50000),
    ),
    (
        "XZCF-006",
        "对未经许可进行涉路施工活动的行政处罚",
        "road.construction",
        [(ROAD_PROTECTION, "第六十二条")],
        _up_to(30000),
    ),
    (
        "XZCF-007",
        "对租借、转让超限运输车辆通行证的行政处罚",
        "road.permit_fraud",
        [(ROAD_PROTECTION, "第六十五条")],
        _between(1000, 5000),
    ),
    (
        "XZCF-008",
        "对扰乱超限检测秩序、逃避超限检测的行政处罚",
        "road.checkpoint_evasion",
        [(ROAD_PROTECTION, "第六十七条")],
        _up_to(30000),
    ),
    (
        "XZCF-009",
        "对车辆装载物掉落、遗洒造成公路损坏污染的行政处罚",
        "road.spill",
        [(ROAD_PROTECTION, "第六十九条")],
        _up_to(5000),
    ),
    ("XZCF-010", "对将公路作为试车场地的行政处罚", "road.test_drive", [(HIGHWAY, "第七十七条")], _up_to(5000)),
    ("XZCF-011", "对在公路上摆摊设点、堆放物品的行政处罚", "road.obstruction", [(HIGHWAY, "第七十七条")], _up_to(5000)),
    (
        "XZCF-012",
        "对造成公路损坏未报告的行政处罚",
        "road.unreported_damage",
        [(HIGHWAY, "第七十八条")],
        [
            ("一般", "损坏轻微，事后主动报告", 0, 500, False),
            ("严重", "损坏较大，经查证后才承认", 500, 1000, False),
        ],
    ),
    (
        "XZCF-013",
        "对损坏、擅自移动、遮挡公路附属设施的行政处罚",
        "road.facility",
        [(ROAD_PROTECTION, "第六十条")],
        _up_to(30000),
    ),
    (
        "XZCF-014",
        "对利用公路桥梁进行牵拉、吊装作业的行政处罚",
        "road.bridge_safety",
        [(ROAD_PROTECTION, "第五十九条")],
        _between(20000, 100000),
    ),
    (
        "XZCF-015",
        "对公路养护作业不符合技术规范的行政处罚",
        "road.maintenance",
        [(ROAD_PROTECTION, "第七十条")],
        _between(10000, 50000),
    ),
    (
        "XZCF-016",
        "对指使、强令驾驶人超限运输货物的行政处罚",
        "freight.overload_source",
        [(ROAD_PROTECTION, "第六十八条")],
        _up_to(30000),
    ),
    (
        "XZCF-017",
        "对未取得道路运输经营许可擅自从事道路普通货物运输经营的行政处罚",
        "freight.operation",
        [(ROAD_TRANSPORT, "第六十三条")],
        [
            ("一般", "没有违法所得或者违法所得不足1万元" + INCOME_OVER_10K_1_5X, 3000, 10000, False),
            ("严重", "没有违法所得或者违法所得不足1万元，情节严重", 10000, 50000, False),
        ],
    ),
    (
        "XZCF-018",
        "对未取得道路运输经营许可擅自从事道路客运经营（非法营运）的行政处罚",
        "passenger.illegal_operation",
        [(ROAD_TRANSPORT, "第六十三条")],
        [
            ("一般", "没有违法所得或者违法所得不足2万元，初次查获" + INCOME_OVER_20K_2_10X, 10000, 30000, False),
            ("较重", "没有违法所得或者违法所得不足2万元，再次查获或招揽多人", 30000, 60000, False),
            ("严重", "没有违法所得或者违法所得不足2万元，造成严重后果", 60000, 100000, False),
        ],
    ),
    (
        "XZCF-019",
        "对未取得道路运输经营许可擅自从事道路危险货物运输经营的行政处罚",
        "freight.dangerous_goods",
        [(ROAD_TRANSPORT, "第六十三条")],
        [
            ("一般", "没有违法所得或者违法所得不足2万元" + INCOME_OVER_20K_2_10X, 30000, 50000, False),
            ("较重", "没有违法所得或者违法所得不足2万元，运输剧毒、爆炸等高危货物", 50000, 80000, False),
            ("严重", "没有违法所得或者违法所得不足2万元，发生泄漏等事故", 80000, 100000, False),
        ],
    ),
    (
        "XZCF-020",
        "对不符合条件人员驾驶道路运输经营车辆的行政处罚",
        "transport.driver_qualification",
        [(ROAD_TRANSPORT, "第六十四条")],
        _between(200, 2000),
    ),
    (
        "XZCF-021",
        "对非法转让、出租道路运输许可证件的行政处罚",
        "transport.licence_transfer",
        [(ROAD_TRANSPORT, "第六十六条")],
        _between(2000, 10000),
    ),
    (
        "XZCF-022",
        "对客运经营者不按批准站点停靠或不按规定线路、班次行驶的行政处罚",
        "passenger.route",
        [(ROAD_TRANSPORT, "第六十八条")],
        _between(1000, 2000),
    ),
    (
        "XZCF-023",
        "对客运途中擅自变更运输车辆或将旅客移交他人运输的行政处罚",
        "passenger.vehicle_swap",
        [(ROAD_TRANSPORT, "第六十八条")],
        _between(1000, 2000),
    ),
    (
        "XZCF-024",
        "对客运经营者强行招揽旅客的行政处罚",
        "passenger.touting",
        [(ROAD_TRANSPORT, "第六十八条")],
        _between(1000, 3000),
    ),
    (
        "XZCF-025",
        "对货运经营者未采取措施防止货物脱落、扬撒的行政处罚",
        "freight.cargo_securing",
        [(ROAD_TRANSPORT, "第六十八条")],
        _between(1000, 3000),
    ),
    (
        "XZCF-026",
        "对不按规定维护和检测运输车辆的行政处罚",
        "transport.vehicle_maintenance",
        [(ROAD_TRANSPORT, "第六十九条")],
        _between(1000, 5000),
    ),
    (
        "XZCF-027",
        "对擅自改装已取得车辆营运证的车辆的行政处罚",
        "transport.vehicle_modification",
        [(ROAD_TRANSPORT, "第六十九条")],
        _between(5000, 20000),
    ),
    (
        "XZCF-028",
        "对未经许可擅自从事道路旅客运输站（场）经营的行政处罚",
        "station.passenger",
        [(ROAD_TRANSPORT, "第六十五条")],
        _between(20000, 50000),
    ),
    (
        "XZCF-029",
        "对客运站允许无证车辆进站或放行超载车辆出站的行政处罚",
        "station.exit_check",
        [(ROAD_TRANSPORT, "第七十条")],
        _between(10000, 30000),
    ),
    (
        "XZCF-030",
        "对道路货物运输站（场）经营未备案且拒不改正的行政处罚",
        "station.filing",
        [(ROAD_TRANSPORT, "第六十五条")],
        _between(5000, 20000),
    ),
    (
        "XZCF-031",
        "对机动车驾驶员培训业务未备案且拒不改正的行政处罚",
        "driving.filing",
        [(ROAD_TRANSPORT, "第六十五条")],
        _between(5000, 20000),
    ),
    (
        "XZCF-032",
        "对机动车维修经营未备案且拒不改正的行政处罚",
        "repair.filing",
        [(ROAD_TRANSPORT, "第六十五条")],
        _between(3000, 10000),
    ),
    (
        "XZCF-033",
        "对机动车维修使用假冒伪劣配件、承修报废车、擅自改装的行政处罚",
        "repair.shop",
        [(ROAD_TRANSPORT, "第七十一条")],
        [
            ("一般", "没有违法所得或者违法所得不足1万元" + INCOME_OVER_10K_2_10X, 20000, 30000, False),
            ("较重", "没有违法所得或者违法所得不足1万元，涉及安全部件", 30000, 40000, False),
            ("严重", "没有违法所得或者违法所得不足1万元，造成事故", 40000, 50000, False),
        ],
    ),
    (
        "XZCF-034",
        "对机动车维修经营者签发虚假维修合格证的行政处罚",
        "repair.false_certificate",
        [(ROAD_TRANSPORT, "第七十二条")],
        [
            ("一般", "没有违法所得或者违法所得不足3000元" + INCOME_OVER_3K_2_10X, 5000, 10000, False),
            ("严重", "没有违法所得或者违法所得不足3000元，签发多份", 10000, 20000, False),
        ],
    ),
    (
        "XZCF-035",
        "对巡游出租汽车未取得经营许可擅自经营的行政处罚",
        "passenger.taxi",
        [(TAXI, "第四十五条")],
        _between(5000, 20000),
    ),
    (
        "XZCF-036",
        "对网约车平台公司未取得经营许可从事网约车经营的行政处罚",
        "passenger.ride_hailing",
        [(RIDE_HAILING, "第三十四条")],
        _between(10000, 30000),
    ),
    (
        "XZCF-037",
        "对未取得网络预约出租汽车运输证从事网约车经营的行政处罚",
        "passenger.ride_hailing_vehicle",
        [(RIDE_HAILING, "第三十四条")],
        _between(3000, 10000),
    ),
    (
        "XZCF-038",
        "对未取得网络预约出租汽车驾驶员证从事网约车经营的行政处罚",
        "passenger.ride_hailing_driver",
        [(RIDE_HAILING, "第三十四条")],
        _between(200, 2000),
    ),
    (
        "XZCF-039",
        "对未依法取得港口经营许可从事港口经营的行政处罚",
        "port.operation",
        [(PORT, "第四十九条")],
        [
            ("一般", "违法所得不足十万元" + INCOME_OVER_100K_2_5X, 50000, 100000, False),
            ("严重", "违法所得不足十万元，经营危险货物或拒不停止经营", 100000, 200000, False),
        ],
    ),
    (
        "XZCF-040",
        "对未经同意在港口内进行危险货物装卸、过驳作业的行政处罚",
        "port.dangerous_goods",
        [(PORT, "第五十四条")],
        _between(5000, 50000),
    ),
    (
        "XZCF-041",
        "对港口危险货物作业场所距离不符合规定的行政处罚",
        "port.hazmat_storage",
        [(PORT, "第四十七条")],
        _up_to(50000),
    ),
    (
        "XZCF-042",
        "对码头、港口设施未经验收擅自投入使用的行政处罚",
        "port.facility_acceptance",
        [(PORT, "第四十八条")],
        _up_to(50000),
    ),
    (
        "XZCF-043",
        "对未经批准在港口进行采掘、爆破或向港口水域倾倒泥土砂石的行政处罚",
        "port.blasting",
        [(PORT, "第五十六条")],
        _between(5000, 50000),
    ),
    ("XZCF-044", "对违反港口规划建设港口设施的行政处罚", "port.shoreline", [(PORT, "第四十六条")], _up_to(50000)),
    (
        "XZCF-045",
        "对危害航道通航安全行为的行政处罚",
        "water.channel_safety",
        [(WATERWAY, "第四十二条")],
        [
            ("一般", "个人在航道内设置渔具或倾倒废弃物", 0, 2000, False),
            ("较重", "单位实施危害航道通航安全的行为", 0, 25000, False),
            ("严重", "单位实施且危害航道设施安全", 25000, 50000, False),
        ],
    ),
    (
        "XZCF-046",
        "对未及时清除影响航道通航条件的临时设施的行政处罚",
        "water.channel_works",
        [(WATERWAY, "第四十条")],
        [
            ("一般", "在责令期限内清除", 0, 20000, False),
            ("严重", "逾期仍未清除", 30000, 200000, False),
        ],
    ),
    (
        "XZCF-047",
        "对未报送航道通航条件影响评价材料开工建设的行政处罚",
        "water.navigability_assessment",
        [(WATERWAY, "第三十九条")],
        [
            ("一般", "责令停止建设后限期补办手续", 0, 30000, False),
            ("严重", "逾期不补办手续继续建设", 200000, 500000, False),
        ],
    ),
    (
        "XZCF-048",
        "对桥梁未按规定设置航标等设施的行政处罚",
        "water.bridge_aids",
        [(WATERWAY, "第四十一条")],
        _up_to(50000),
    ),
    (
        "XZCF-049",
        "对船舶未按规定配备船员擅自航行的行政处罚",
        "water.manning",
        [(INLAND, "第六十五条")],
        _between(10000, 100000),
    ),
    (
        "XZCF-050",
        "对聘用未取得适任证书人员从事船舶航行的行政处罚",
        "water.crew",
        [(INLAND, "第六十六条")],
        [
            ("一般", "对直接责任人员", 2000, 20000, False),
            ("严重", "对聘用单位", 10000, 100000, False),
        ],
    ),
    (
        "XZCF-051",
        "对船舶超载或不具备安全技术条件从事运输的行政处罚",
        "water.overload",
        [(INLAND, "第八十二条")],
        _between(20000, 100000),
    ),
    (
        "XZCF-052",
        "对未经批准或备案在通航水域进行作业的行政处罚",
        "water.works",
        [(INLAND, "第七十条")],
        _between(5000, 50000),
    ),
    (
        "XZCF-053",
        "对船舶未取得污染损害、沉船打捞责任保险文书的行政处罚",
        "water.insurance",
        [(INLAND, "第六十七条")],
        _between(10000, 100000),
    ),
    (
        "XZCF-054",
        "对船舶不遵守航行、避让和信号显示规则的行政处罚",
        "water.navigation_rules",
        [(INLAND, "第八十一条")],
        _between(1000, 10000),
    ),
    (
        "XZCF-055",
        "对船舶未按规定开启AIS并持续显示记录的行政处罚",
        "water.ais",
        [(MARITIME, "第三十六条"), (MARITIME, "第一百零三条")],
        [
            ("一般", "对船长、责任船员", 2000, 20000, False),
            ("严重", "对船舶所有人、经营人或者管理人", 20000, 200000, False),
        ],
    ),
    (
        "XZCF-056",
        "对渡口船舶未标明识别标志、载客定额的行政处罚",
        "water.ferry",
        [(INLAND, "第七十三条")],
        _between(2000, 10000),
    ),
]

# (code, title, matter, basis)
INSPECTIONS: list[tuple[str, str, str, Basis]] = [
    ("XZJC-001", "公路路政巡查", "road.patrol", [(HIGHWAY, "第七十条"), (HIGHWAY, "第七十一条")]),
    (
        "XZJC-002",
        "超限运输车辆检测",
        "road.checkpoint",
        [(ROAD_PROTECTION, "第三十九条"), (ROAD_PROTECTION, "第四十条")],
    ),
    (
        "XZJC-003",
        "道路运输经营者监督检查",
        "transport.safety_inspection",
        [(ROAD_TRANSPORT, "第五十八条"), (ROAD_TRANSPORT, "第五十九条"), (ROAD_TRANSPORT, "第六十条")],
    ),
    ("XZJC-004", "客运站出站车辆安全检查情况检查", "station.exit_check", [(ROAD_TRANSPORT, "第四十条")]),
    ("XZJC-005", "机动车维修经营监督检查", "repair.standard", [(ROAD_TRANSPORT, "第五十八条")]),
    ("XZJC-006", "机动车驾驶员培训机构监督检查", "driving.school", [(ROAD_TRANSPORT, "第五十八条")]),
    ("XZJC-007", "港口安全生产监督检查", "port.inspection", [(PORT, "第三十六条"), (PORT, "第四十二条")]),
    (
        "XZJC-008",
        "港口经营监督检查",
        "port.licence_supervision",
        [(PORT, "第四十二条"), (PORT, "第四十三条"), (PORT, "第四十四条")],
    ),
    ("XZJC-009", "航道巡查", "water.channel_patrol", [(WATERWAY, "第十七条")]),
    ("XZJC-010", "地方水域船舶安全检查", "water.vessel", [(INLAND, "第五十九条"), (INLAND, "第六十二条")]),
    ("XZJC-011", "“双随机、一公开”抽查", "supervision.random_inspection", [(BUSINESS_ENV, "第五十四条")]),
    ("XZJC-012", "信用承诺履约情况核查", "credit.commitment", [(BUSINESS_ENV, "第五十三条")]),
    ("XZJC-013", "公路建设工程质量监督检查", "quality.highway", [(HIGHWAY, "第二十条")]),
]

COERCIVE: list[tuple[str, str, str, Basis]] = [
    (
        "XZQZ-001",
        "强制拖离或扣留扰乱超限检测秩序、逃避超限检测的车辆",
        "road.checkpoint_evasion",
        [(ROAD_PROTECTION, "第六十七条")],
    ),
    ("XZQZ-002", "扣留未随车携带超限运输车辆通行证的车辆", "road.permit_route", [(ROAD_PROTECTION, "第六十五条")]),
    (
        "XZQZ-003",
        "扣留造成公路损坏拒不接受现场调查处理的车辆、工具",
        "road.refuse_investigation",
        [(ROAD_PROTECTION, "第七十二条")],
    ),
    (
        "XZQZ-004",
        "暂扣没有车辆营运证又无法当场提供有效证明的车辆",
        "transport.vehicle_detention",
        [(ROAD_TRANSPORT, "第六十二条")],
    ),
    (
        "XZQZ-005",
        "对超载客车安排旅客改乘、对超载货车强制卸货",
        "passenger.overcrowding",
        [(ROAD_TRANSPORT, "第六十一条")],
    ),
    ("XZQZ-006", "暂扣拒不停止航行或作业的无证船舶、浮动设施", "water.vessel", [(INLAND, "第六十四条")]),
    ("XZQZ-007", "强行拖离未在规定地点停泊的船舶", "water.berthing", [(INLAND, "第六十九条")]),
    ("XZQZ-008", "强制消除港口内采掘、爆破造成的安全隐患", "port.blasting", [(PORT, "第五十六条")]),
    (
        "XZQZ-009",
        "拆除公路建筑控制区内逾期不拆除的违法建筑",
        "road.building_control",
        [(ROAD_PROTECTION, "第五十六条")],
    ),
    ("XZQZ-010", "代履行清除公路上的遗洒物、障碍物", "road.spill", [(COERCION, "第五十二条")]),
]


def item_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for code, title, matter, basis in INSPECTIONS:
        rows.append(
            {"code": code, "kind": "inspection", "title": title, "matter": matter, "legal_basis": _basis(basis)}
        )
    for code, title, matter, basis, tiers in PENALTIES:
        rows.append(
            {
                "code": code,
                "kind": "penalty",
                "title": title,
                "matter": matter,
                "legal_basis": _basis(basis),
                "discretion": _tiers(tiers),
            }
        )
    for code, title, matter, basis in COERCIVE:
        rows.append({"code": code, "kind": "coercive", "title": title, "matter": matter, "legal_basis": _basis(basis)})
    return rows
