"""The duty catalogue (部门工作职责, 191 duties) and the enforcement item catalogue (权责清单).

Article numbers were checked against the full texts in /work/shared/laws/ unless marked
"outside the law folder" (departmental rules not shipped there; cited from their published text).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.demo.organisation import MARKET_REGULATION, MSA, TRAFFIC_POLICE, URBAN_MANAGEMENT

DUTY_COUNT = 191  # the real catalogue's size (mission, §1)

# Matter codes that the router's base matter list knows; each must be covered by exactly one duty.
BASE_MATTERS: tuple[str, ...] = (
    "road.overload",
    "road.damage",
    "road.encroachment",
    "port.operation",
    "port.dangerous_goods",
    "water.vessel",
    "water.ais",
    "water.navigation",
    "passenger.taxi",
    "passenger.ride_hailing",
    "passenger.bus",
    "passenger.illegal_operation",
    "freight.operation",
    "station.logistics",
    "repair.shop",
    "driving.school",
)

# Departmental rules outside /work/shared/laws.
TAXI_RULE = "巡游出租汽车经营服务管理规定 第四十五条"  # outside the law folder
RIDE_HAILING_RULE = "网络预约出租汽车经营服务管理暂行办法 第三十四条"  # outside the law folder
OVERSIZE_RULE = "超限运输车辆行驶公路管理规定 第四十三条"  # 交通运输部令2016年第62号, outside the folder
URBAN_ROAD_RULE = "城市道路管理条例 第二十七条、第四十二条"  # outside the law folder


@dataclass(frozen=True)
class Duty:
    title: str
    matters: str  # ';'-separated matter codes, may be blank
    mode: str
    unit: str
    unit_kind: str
    line: str
    legal_basis: str


def _strip(line: str, rows: list[tuple[str, str, str]]) -> list[Duty]:
    return [Duty(t, m, "strip", "", "strip_brigade", line, b) for t, m, b in rows]


def _block(rows: list[tuple[str, str, str]]) -> list[Duty]:
    return [Duty(t, m, "block", "", "block_brigade", "", b) for t, m, b in rows]


def _referral(rows: list[tuple[str, str, str, str]]) -> list[Duty]:
    return [Duty(t, m, "referral", u, "external_authority", "", b) for t, m, u, b in rows]


def _department(unit: str, rows: list[tuple[str, str, str]], unit_kind: str = "department") -> list[Duty]:
    return [Duty(t, m, "department", unit, unit_kind, "", b) for t, m, b in rows]


ROAD_DUTIES = _strip(
    "road",
    [
        ("查处车辆违法超限运输行为", "road.overload", "公路安全保护条例 第三十三条、第六十四条"),
        (
            "查处造成公路、公路附属设施损坏的行为，依法处理路产损害赔（补）偿",
            "road.damage",
            "公路法 第八十五条；公路安全保护条例 第七十一条",
        ),
        ("查处擅自占用、挖掘公路的行为", "road.encroachment", "公路法 第四十四条、第七十六条"),
        ("查处在公路用地范围内设置公路标志以外其他标志的行为", "road.signage", "公路法 第五十四条、第七十九条"),
        (
            "查处在公路建筑控制区内修建、扩建建筑物、地面构筑物的行为",
            "road.building_control",
            "公路安全保护条例 第十三条、第五十六条",
        ),
        ("查处未经批准在公路上增设平面交叉道口的行为", "road.crossing", "公路法 第五十五条、第八十条"),
        ("查处未经许可进行涉路施工活动的行为", "road.construction", "公路安全保护条例 第二十七条、第六十二条"),
        (
            "查处经批准超限运输车辆未按指定时间、路线和速度行驶的行为",
            "road.permit_route",
            "公路安全保护条例 第六十五条",
        ),
        ("查处租借、转让或使用伪造、变造超限运输车辆通行证的行为", "road.permit_fraud", "公路安全保护条例 第六十五条"),
        ("查处扰乱超限检测秩序、短途驳载逃避超限检测的行为", "road.checkpoint_evasion", "公路安全保护条例 第六十七条"),
        (
            "查处车辆装载物触地拖行、掉落、遗洒、飘散造成公路损坏污染的行为",
            "road.spill",
            "公路安全保护条例 第四十三条、第六十九条",
        ),
        ("查处将公路作为试车场地的行为", "road.test_drive", "公路法 第五十一条、第七十七条"),
        (
            "查处铁轮车、履带车等可能损害路面的机具擅自在公路上行驶的行为",
            "road.tracked_vehicle",
            "公路法 第四十八条、第七十六条",
        ),
        (
            "查处在公路上及公路用地范围内摆摊设点、堆放物品、倾倒垃圾的行为",
            "road.obstruction",
            "公路法 第四十六条、第七十七条",
        ),
        (
            "查处在大中型公路桥梁和渡口周围挖砂、采石、取土等危及公路安全作业的行为",
            "road.hazardous_work",
            "公路法 第四十七条、第七十六条",
        ),
        (
            "查处利用公路桥梁进行牵拉、吊装等危及桥梁安全施工作业的行为",
            "road.bridge_safety",
            "公路安全保护条例 第二十二条、第五十九条",
        ),
        ("查处损坏、擅自移动、涂改、遮挡公路附属设施的行为", "road.facility", "公路安全保护条例 第二十五条、第六十条"),
        ("查处造成公路损坏未报告的行为", "road.unreported_damage", "公路法 第五十三条、第七十八条"),
        ("查处未经批准更新采伐护路林的行为", "road.greenery", "公路安全保护条例 第二十六条、第六十一条"),
        (
            "查处未经同意在公路用地范围内架设、埋设管线、电缆等设施的行为",
            "road.pipeline",
            "公路法 第四十五条、第七十六条",
        ),
        (
            "查处公路养护作业单位未按技术规范和操作规程作业的行为",
            "road.maintenance",
            "公路安全保护条例 第四十五条、第七十条",
        ),
        ("查处涉路工程设施影响公路完好、安全和畅通的行为", "road.works_impact", "公路安全保护条例 第六十条"),
        (
            "对造成公路损坏拒不接受现场调查处理的车辆、工具实施扣留",
            "road.refuse_investigation",
            "公路安全保护条例 第七十二条",
        ),
        ("开展国省干线公路路政巡查，制止侵占、损坏公路的行为", "road.patrol", "公路法 第七十条"),
        (
            "查处建筑控制区外建筑物、构筑物遮挡公路标志或妨碍安全视距的行为",
            "road.sight_distance",
            "公路安全保护条例 第五十六条",
        ),
    ],
)

PORT_DUTIES = _strip(
    "port",
    [
        ("查处未依法取得港口经营许可从事港口经营的行为", "port.operation", "港口法 第二十二条、第四十九条"),
        (
            "查处未经报告同意在港口内进行危险货物装卸、过驳作业的行为",
            "port.dangerous_goods",
            "港口法 第三十五条、第五十四条",
        ),
        (
            "查处港口危险货物作业场所与人口密集区距离不符合规定的行为",
            "port.hazmat_storage",
            "港口法 第十七条、第四十七条",
        ),
        (
            "查处码头或港口装卸设施、客运设施未经验收合格擅自投入使用的行为",
            "port.facility_acceptance",
            "港口法 第十九条、第四十八条",
        ),
        ("查处港口理货业务经营人兼营货物装卸、仓储经营业务的行为", "port.tally", "港口法 第四十九条"),
        (
            "查处港口经营人不优先安排抢险、救灾和国防急需物资作业的行为",
            "port.priority_cargo",
            "港口法 第二十七条、第五十条",
        ),
        ("查处未经批准在港口进行采掘、爆破或向港口水域倾倒泥土、砂石的行为", "port.blasting", "港口法 第五十六条"),
        ("查处违反港口规划建设港口设施或未经批准使用港口岸线的行为", "port.shoreline", "港口法 第十四条、第四十六条"),
        ("查处港口经营人违反安全生产规定的行为", "port.safety", "港口法 第三十二条、第五十二条"),
        ("对港口安全生产情况实施监督检查，重点巡查客运和危险货物码头", "port.inspection", "港口法 第三十六条"),
        ("配合开展疏港，处置旅客滞留、货物积压阻塞港口的情况", "port.congestion", "港口法 第四十条"),
    ],
)

WATER_DUTIES = _strip(
    "water",
    [
        (
            "查处船舶、浮动设施未持有合格检验证书、登记证书擅自航行或作业的行为",
            "water.vessel",
            "内河交通安全管理条例 第六条、第六十四条",
        ),
        (
            "查处船舶未按规定开启船舶自动识别系统（AIS）并持续显示记录的行为",
            "water.ais",
            "海上交通安全法 第三十六条、第一百零三条",
        ),
        (
            "查处在航道内设置渔具、倾倒砂石等危害航道通航安全的行为",
            "water.channel_safety",
            "航道法 第三十五条、第四十二条",
        ),
        (
            "查处与航道有关的工程未及时清除临时设施及其残留物的行为",
            "water.channel_works",
            "航道法 第三十二条、第四十条",
        ),
        (
            "查处未依法报送航道通航条件影响评价材料而开工建设的行为",
            "water.navigability_assessment",
            "航道法 第二十八条、第三十九条",
        ),
        ("查处通航水域桥梁等建筑物未按规定设置航标等设施的行为", "water.bridge_aids", "航道法 第三十四条、第四十一条"),
        ("查处船舶未按规定配备船员擅自航行的行为", "water.manning", "内河交通安全管理条例 第六十五条"),
        ("查处未取得适任证书的人员擅自从事船舶航行的行为", "water.crew", "内河交通安全管理条例 第九条、第六十六条"),
        (
            "查处船舶不具备安全技术条件从事运输或超载运输货物、旅客的行为",
            "water.overload",
            "内河交通安全管理条例 第二十一条、第八十二条",
        ),
        (
            "查处船舶未在码头、泊位或依法公布的锚地、停泊区、作业区停泊的行为",
            "water.berthing",
            "内河交通安全管理条例 第二十四条、第六十九条",
        ),
        (
            "查处在通航水域或岸线上未经批准或备案进行作业、活动的行为",
            "water.works",
            "内河交通安全管理条例 第二十五条、第七十条",
        ),
        (
            "查处船舶未取得污染损害责任、沉船打捞责任保险文书的行为",
            "water.insurance",
            "内河交通安全管理条例 第十二条、第六十七条",
        ),
        (
            "查处伪造、变造、买卖、转借、冒用船舶证书或船员适任证件的行为",
            "water.certificate_fraud",
            "内河交通安全管理条例 第十三条、第七十九条",
        ),
        (
            "查处渡口船舶未标明识别标志、载客定额、安全注意事项的行为",
            "water.ferry",
            "内河交通安全管理条例 第三十九条、第七十三条",
        ),
        (
            "查处京杭运河等地方水域船舶不遵守航行、避让和信号显示规则的行为",
            "water.navigation_rules",
            "内河交通安全管理条例 第八十一条",
        ),
        ("查处在航道内污染环境、破坏生态的行为并移送", "water.pollution", "航道法 第四十四条"),
        (
            "查处应当报废的船舶、浮动设施在内河航行或作业的行为",
            "water.scrapped_vessel",
            "内河交通安全管理条例 第六十三条",
        ),
        (
            "查处沉没物、漂流物、搁浅物未设置标志或未按期打捞清除的行为",
            "water.obstruction",
            "内河交通安全管理条例 第四十二条、第七十五条",
        ),
    ],
)

REFERRAL_DUTIES = _referral(
    [
        # 长江干线 navigation safety belongs to 长江海事局, not to the local detachment.
        (
            "长江干线船舶航行、停泊、作业的通航安全监督管理（移交长江镇江海事局）",
            "water.navigation",
            MSA,
            "内河交通安全管理条例 第四条",
        ),
        (
            "长江干线水上交通事故的调查处理（移交长江镇江海事局）",
            "water.accident",
            MSA,
            "内河交通安全管理条例 第五十条、第五十一条",
        ),
        ("港口水域内从事养殖、种植活动的处理（移交海事管理机构）", "port.aquaculture", MSA, "港口法 第五十五条"),
        (
            "船舶进出港口未向海事管理机构报告的处理（移交海事管理机构）",
            "port.vessel_report",
            MSA,
            "港口法 第三十四条、第五十三条",
        ),
        ("涉嫌犯罪案件移送公安机关", "case.criminal_transfer", TRAFFIC_POLICE, "行政处罚法 第二十七条"),
        (
            "阻碍公路建设、抢修或公路监督检查等违反治安管理行为的移送",
            "road.public_security",
            TRAFFIC_POLICE,
            "公路法 第八十三条；公路安全保护条例 第七十四条",
        ),
        (
            "道路运输车辆超速、疲劳驾驶等道路交通安全违法行为的移交",
            "traffic.violation",
            TRAFFIC_POLICE,
            "道路运输条例 第五十三条",
        ),
        ("城市道路范围内占道经营、堆放物品的移交", "city.road_occupation", URBAN_MANAGEMENT, URBAN_ROAD_RULE),
        (
            "无营业执照从事机动车维修、驾培等经营活动的移送",
            "market.unlicensed_business",
            MARKET_REGULATION,
            "道路运输条例 第五十三条",
        ),
    ]
)

BLOCK_DUTIES = _block(
    [
        ("查处巡游出租汽车经营违法行为", "passenger.taxi", TAXI_RULE),
        ("查处网络预约出租汽车平台公司未取得经营许可从事网约车经营的行为", "passenger.ride_hailing", RIDE_HAILING_RULE),
        ("查处城市公共汽车客运经营违法行为", "passenger.bus", "道路运输条例 第八十一条"),
        (
            "查处未取得道路运输经营许可擅自从事道路客运经营（非法营运）的行为",
            "passenger.illegal_operation",
            "道路运输条例 第六十三条",
        ),
        (
            "查处客运经营者不按批准的站点停靠或不按规定线路、班次行驶的行为",
            "passenger.route",
            "道路运输条例 第六十八条",
        ),
        (
            "查处客运途中擅自变更运输车辆或将旅客移交他人运输的行为",
            "passenger.vehicle_swap",
            "道路运输条例 第二十条、第六十八条",
        ),
        (
            "查处客运经营者未报告原许可机关擅自终止客运经营的行为",
            "passenger.termination",
            "道路运输条例 第十五条、第六十八条",
        ),
        ("查处客运经营者强行招揽旅客的行为", "passenger.touting", "道路运输条例 第六十八条"),
        ("查处包车客运不按约定的起始地、目的地和线路运输的行为", "passenger.charter_bus", "道路运输条例 第十九条"),
        (
            "查处客运车辆超过核定人数载客或违反规定载货的行为",
            "passenger.overcrowding",
            "道路运输条例 第三十四条、第六十一条",
        ),
        (
            "查处客运、危险货物运输经营者未按规定投保承运人责任险的行为",
            "transport.liability_insurance",
            "道路运输条例 第三十五条、第六十七条",
        ),
        (
            "查处未取得网络预约出租汽车运输证的车辆从事网约车经营的行为",
            "passenger.ride_hailing_vehicle",
            RIDE_HAILING_RULE,
        ),
        (
            "查处未取得网络预约出租汽车驾驶员证的人员从事网约车经营的行为",
            "passenger.ride_hailing_driver",
            RIDE_HAILING_RULE,
        ),
        (
            "查处未取得道路运输经营许可擅自从事道路普通货物运输经营的行为",
            "freight.operation",
            "道路运输条例 第六十三条",
        ),
        (
            "查处未取得道路运输经营许可擅自从事道路危险货物运输经营的行为",
            "freight.dangerous_goods",
            "道路运输条例 第六十三条",
        ),
        (
            "查处货运源头单位指使、强令车辆驾驶人超限运输货物的行为",
            "freight.overload_source",
            "公路安全保护条例 第六十八条",
        ),
        (
            "对1年内违法超限运输超过3次的货运车辆、驾驶人和运输企业依法处理",
            "freight.repeat_overload",
            "公路安全保护条例 第六十六条",
        ),
        ("查处货运经营者未采取必要措施防止货物脱落、扬撒的行为", "freight.cargo_securing", "道路运输条例 第六十八条"),
        (
            "查处运输危险货物未配备押运人员或未悬挂危险货物运输标志的行为",
            "freight.dangerous_escort",
            "道路运输条例 第二十七条",
        ),
        ("查处货运经营者运输法律、行政法规禁止运输的货物的行为", "freight.prohibited_cargo", "道路运输条例 第二十五条"),
        (
            "督促货物集散地、货运站经营人防止不符合载运标准的车辆出场（站）",
            "freight.source_loading",
            "公路安全保护条例 第四十一条",
        ),
        (
            "查处客运、货运经营者不按规定维护和检测运输车辆的行为",
            "transport.vehicle_maintenance",
            "道路运输条例 第三十条、第六十九条",
        ),
        ("查处擅自改装已取得车辆营运证的车辆的行为", "transport.vehicle_modification", "道路运输条例 第六十九条"),
        (
            "查处非法转让、出租道路运输许可证件的行为",
            "transport.licence_transfer",
            "道路运输条例 第三十三条、第六十六条",
        ),
        (
            "查处不符合从业条件的人员驾驶道路运输经营车辆的行为",
            "transport.driver_qualification",
            "道路运输条例 第九条、第二十二条、第六十四条",
        ),
        ("检查道路运输车辆随车携带车辆营运证的情况", "transport.vehicle_certificate", "道路运输条例 第三十三条"),
        (
            "对没有车辆营运证又无法当场提供其他有效证明的车辆予以暂扣",
            "transport.vehicle_detention",
            "道路运输条例 第六十二条",
        ),
        ("督促客运、货运经营者制定突发事件道路运输应急预案", "transport.emergency_plan", "道路运输条例 第三十一条"),
        (
            "对道路运输企业从业人员安全教育和安全生产开展监督检查",
            "transport.safety_inspection",
            "道路运输条例 第二十八条、第五十八条",
        ),
        (
            "查处道路货物运输站（场）、物流园区不按操作规程装卸、储存、保管货物的行为",
            "station.logistics",
            "道路运输条例 第四十二条、第六十五条",
        ),
        (
            "查处未经许可擅自从事道路旅客运输站（场）经营的行为",
            "station.passenger",
            "道路运输条例 第三十九条、第六十五条",
        ),
        (
            "查处客运站允许无证车辆进站经营、放行超载或未经安检车辆出站的行为",
            "station.exit_check",
            "道路运输条例 第四十条、第七十条",
        ),
        ("查处道路货物运输站（场）经营未按规定备案的行为", "station.filing", "道路运输条例 第六十五条"),
        (
            "查处机动车维修经营者使用假冒伪劣配件、承修报废车或擅自改装机动车的行为",
            "repair.shop",
            "道路运输条例 第四十三条、第四十五条、第七十一条",
        ),
        (
            "查处机动车维修经营者签发虚假机动车维修合格证的行为",
            "repair.false_certificate",
            "道路运输条例 第四十四条、第七十二条",
        ),
        ("查处机动车维修经营不符合维修经营业务标准的行为", "repair.standard", "道路运输条例 第三十七条、第六十五条"),
        ("查处机动车维修经营未按规定备案的行为", "repair.filing", "道路运输条例 第六十五条"),
        (
            "查处机动车驾驶员培训机构不严格按规定培训或结业证书弄虚作假的行为",
            "driving.school",
            "道路运输条例 第四十六条、第七十三条",
        ),
        ("查处机动车驾驶员培训业务未按规定备案的行为", "driving.filing", "道路运输条例 第六十五条"),
        ("查处出租汽车、网约车聚集揽客扰乱车站、景区运输秩序的行为", "passenger.hub_order", "道路运输条例 第六十八条"),
    ]
)

DEPARTMENT_DUTIES = (
    _department(
        "ZJ-FZ",
        [
            ("对重大执法决定进行法制审核", "legal.review", "行政处罚法 第五十八条"),
            (
                "制定并动态调整行政处罚裁量基准",
                "legal.discretion_benchmark",
                "行政处罚法 第三十四条；优化营商环境条例 第六十条",
            ),
            ("制定轻微违法行为不予处罚清单并指导适用", "legal.minor_exemption", "行政处罚法 第三十三条"),
            ("组织行政处罚听证", "legal.hearing", "行政处罚法 第六十三条、第六十四条"),
            ("办理行政复议答复和行政诉讼应诉", "legal.litigation", "行政复议法 第四十八条"),
            ("制定执法文书式样并规范文书制作", "legal.document_template", "行政处罚法 第五十九条"),
            ("公开具有一定社会影响的行政处罚决定", "legal.publicity", "行政处罚法 第四十八条"),
            ("申请人民法院强制执行", "legal.court_enforcement", "行政强制法 第五十三条、第五十四条"),
            (
                "对逾期不缴纳罚款的当事人催告并加处罚款",
                "legal.late_payment",
                "行政处罚法 第七十二条；行政强制法 第四十五条",
            ),
            ("对电子技术监控设备收集的违法事实组织法制和技术审核", "legal.device_evidence", "行政处罚法 第四十一条"),
            ("对本单位规范性文件进行合法性审核", "", "行政处罚法 第十六条"),
            ("开展普法宣传和以案释法", "", "优化营商环境条例 第六十七条"),
            ("编制和动态管理权责清单", "", "行政处罚法 第三十九条"),
            ("推行说理式执法，指导行政处罚决定书说理", "legal.reasoned_decision", "行政处罚法 第四十四条、第五十九条"),
        ],
    ),
    _department(
        "ZJ-JD",
        [
            ("检查执法全过程记录情况", "supervision.full_record", "行政处罚法 第四十七条"),
            ("组织执法案卷评查", "supervision.case_review", "行政处罚法 第七十五条"),
            ("审核执法人员资格并管理执法证件", "supervision.certificate", "行政处罚法 第四十二条"),
            ("审查执法人员回避申请", "supervision.recusal", "行政处罚法 第四十三条"),
            ("受理并核查对执法行为的投诉举报", "supervision.complaint", "道路运输条例 第五十六条"),
            ("开展行政执法评议考核", "supervision.evaluation", "行政处罚法 第七十五条"),
            ("追究执法过错责任", "supervision.accountability", "行政处罚法 第七十六条"),
            ("监督罚没财物的管理和处置", "supervision.confiscated_property", "行政处罚法 第七十四条"),
            ("检查罚缴分离执行情况", "supervision.fine_collection", "行政处罚法 第六十七条"),
            ("制定“双随机、一公开”抽查计划并组织实施", "supervision.random_inspection", "优化营商环境条例 第五十四条"),
            ("监督案件办理期限，对超期案件督办", "supervision.deadline", "行政处罚法 第六十条"),
            ("监督执法公示、全过程记录和法制审核“三项制度”落实", "", "优化营商环境条例 第五十八条"),
        ],
    ),
    _department(
        "ZJ-LZ",
        [
            ("审查公路超限运输许可申请", "road.oversize_permit", "公路安全保护条例 第三十五条、第三十六条"),
            ("审查涉路施工许可并监督实施", "road.construction_permit", "公路安全保护条例 第二十七条、第二十九条"),
            ("管理固定超限检测站点", "road.checkpoint", "公路安全保护条例 第三十九条、第四十条"),
            ("配合划定公路建筑控制区范围", "", "公路安全保护条例 第十一条"),
            ("建立路政管理档案，登记路产", "road.asset_register", "公路安全保护条例 第十条"),
            ("制定公路突发事件应急预案", "road.emergency_plan", "公路安全保护条例 第七条"),
            ("制定路政巡查标准并考核", "", "公路法 第七十二条"),
            ("运行科技治超非现场执法系统", "road.offsite_overload", "行政处罚法 第四十一条"),
            ("抄告违法超限运输车辆及所属企业信息", "", "公路安全保护条例 第六十六条"),
            ("推进G312国道全线智慧监管", "road.smart_g312", "公路法 第七十条"),
        ],
    ),
    _department(
        "ZJ-YZ",
        [
            ("制定道路运输市场监督检查计划", "", "道路运输条例 第五十八条"),
            ("记录并公示道路运输经营者违法行为信用", "transport.credit", "道路运输条例 第七十五条"),
            ("核查信用承诺履约情况，办理“承诺即修复”", "credit.commitment", "优化营商环境条例 第五十三条"),
            ("配合公布客运市场供求状况", "", "道路运输条例 第十三条"),
            ("受理道路运输举报", "transport.complaint", "道路运输条例 第五十七条"),
            ("开展道路运输安全生产执法检查", "", "道路运输条例 第二十八条"),
            ("配合开展出租汽车服务质量信誉考核", "", "道路运输条例 第八十一条"),
            ("建立跨部门信息共享和协同监管机制", "transport.joint_supervision", "道路运输条例 第五十三条"),
            ("建设和管理司机之家、货车司机关爱驿站等服务点", "service.driver_home", "优化营商环境条例 第三十四条"),
        ],
    ),
    _department(
        "ZJ-GH",
        [
            ("开展港口经营许可后监督检查", "port.licence_supervision", "港口法 第四十二条、第四十三条"),
            ("审核港口危险货物作业报告", "port.dangerous_report", "港口法 第三十五条"),
            ("制定港口危险货物事故应急预案", "port.emergency_plan", "港口法 第三十三条"),
            ("组织航道巡查", "water.channel_patrol", "航道法 第十七条"),
            ("协调航道养护作业", "", "航道法 第二十条"),
            ("配合公布航道维护尺度和内河航道图", "", "航道法 第十六条"),
            ("核查港口统计资料", "", "港口法 第三十条"),
            ("公布港口章程", "", "港口法 第四十一条"),
            ("组织修复抢通受损、阻塞的航道", "water.channel_emergency", "航道法 第二十一条"),
        ],
    ),
    _department(
        "ZJ-ZJ",
        [
            ("监督检查公路建设工程质量", "quality.highway", "公路法 第二十条"),
            (
                "查处公路建设项目未经批准擅自施工的行为",
                "quality.unapproved_construction",
                "公路法 第二十五条、第七十五条",
            ),
            ("监督检查航道建设工程质量和安全", "quality.waterway", "航道法 第十二条"),
            ("监督公路工程竣工验收", "quality.acceptance", "公路法 第三十三条"),
            ("查处航道建设活动中违反招标投标规定的行为", "quality.waterway_bidding", "航道法 第三十八条"),
            ("建设市县一体工程质量项目库", "", "公路法 第二十三条"),
            ("监督航道建设工程竣工验收", "quality.waterway_acceptance", "航道法 第十三条"),
        ],
    ),
    _department(
        "ZJ-KX",
        [
            ("建设执法数据资源目录，推进数据共享交换", "data.sharing", "数据安全法 第三十七条、第三十八条"),
            ("落实执法数据安全管理制度", "data.security", "数据安全法 第三十九条"),
            ("保护执法活动中处理的个人信息", "data.personal_info", "个人信息保护法 第三十四条"),
            ("维护智能抓拍、AR+水上巡航等非现场执法设备", "device.maintenance", "行政处罚法 第四十一条"),
            ("运行维护综合执法信息平台", "", "优化营商环境条例 第五十六条"),
        ],
    ),
    _department(
        "ZJ-CC",
        [
            ("监测预警：汇聚感知数据，生成违法线索", "command.monitoring", "优化营商环境条例 第五十六条"),
            ("指挥调度：按条块职责分派线索和任务", "command.dispatch", "行政处罚法 第二十二条"),
            ("执法监督：跟踪任务办理进度，提醒和督办", "command.tracking", "行政处罚法 第六十条"),
            ("研判分析：统计执法数据，编制定期分析报告", "command.analysis", "行政处罚法 第七十五条"),
            (
                "应急处置：组织内河水上搜救“1+N”联动",
                "emergency.water_rescue",
                "内河交通安全管理条例 第四十八条、第四十九条",
            ),
            ("应急处置：公路突发事件联动处置", "emergency.road", "公路安全保护条例 第七条、第五十三条"),
            ("值班值守和突发信息报送", "", "公路安全保护条例 第七条"),
            ("编发典型案例", "", "优化营商环境条例 第六十七条"),
            ("审核推送非现场执法案件", "command.offsite_case", "行政处罚法 第四十一条"),
            ("转办12328服务监督热线工单", "command.hotline", "道路运输条例 第五十七条"),
            ("建立跨区域执法联动和协作机制", "command.joint_enforcement", "优化营商环境条例 第五十七条"),
        ],
        unit_kind="command_center",
    ),
    _department(
        "ZJ-BGS",
        [
            ("办理信访事项", "admin.petition", "道路运输条例 第五十六条"),
            ("推进政务公开", "admin.publicity", "数据安全法 第四十一条"),
            ("管理罚没款收缴和财务", "", "行政处罚法 第六十七条"),
            ("管理执法案卷档案", "", "行政处罚法 第四十七条"),
            ("管理执法车辆、船艇和装备标志", "", "公路法 第七十三条"),
            ("做好保密工作", "", "行政处罚法 第五十条"),
        ],
    ),
    _department(
        "ZJ-ZZC",
        [
            ("组织执法人员培训和执法资格考试", "training.certificate", "道路运输条例 第五十四条"),
            ("加强队伍纪律作风和廉政教育", "", "公路法 第七十二条"),
            ("建设流动党支部，推行“党建+服务”", "", "道路运输条例 第五十四条"),
            ("管理人员编制和岗位", "", "道路运输条例 第五十四条"),
            ("考核执法人员履职情况", "", "行政处罚法 第七十五条"),
        ],
    ),
)


def all_duties() -> list[Duty]:
    duties = ROAD_DUTIES + PORT_DUTIES + WATER_DUTIES + REFERRAL_DUTIES + BLOCK_DUTIES
    for group in DEPARTMENT_DUTIES:
        duties += group
    return duties


def duty_rows() -> list[dict[str, str]]:
    duties = all_duties()
    if len(duties) != DUTY_COUNT:
        raise ValueError(f"duty catalogue has {len(duties)} duties, expected {DUTY_COUNT}")
    return [
        {
            "code": f"D{i:03d}",
            "title": d.title,
            "matters": d.matters,
            "mode": d.mode,
            "unit": d.unit,
            "unit_kind": d.unit_kind,
            "line": d.line,
            "legal_basis": d.legal_basis,
        }
        for i, d in enumerate(duties, start=1)
    ]
