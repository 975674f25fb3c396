"""The UI message catalogue: every string the web UI shows, in Chinese (first) and English.

Keys are the English text; templates call ``_("Key")``, scripts ``t("Key")`` (the page embeds the
current language's column as JSON), and ``N_("Key")`` marks a key for later translation. Values
may hold ``{name}`` placeholders. Data (unit names, the router's reasons) is not translated: it
is Chinese as entered. ``tests/web/test_i18n.py`` checks that every key used exists here in both
languages and that every entry here is used.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

LANG_COOKIE = "zhifa_lang"
DEFAULT_LANG = "zh"
#: Language names in their own language (the switch shows them as they are).
LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}


def N_(key: str) -> str:
    """Mark a catalogue key where it is defined; it is translated where it is shown."""
    return key


CATALOGUE: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- layout
    "Zhenjiang Transport Comprehensive Law-Enforcement Command Platform": {
        "zh": "镇江市交通运输综合执法指挥平台",
        "en": "Zhenjiang Transport Law-Enforcement Command Platform",
    },
    "Skip to content": {"zh": "跳到正文", "en": "Skip to content"},
    "Menu": {"zh": "菜单", "en": "Menu"},
    "Main navigation": {"zh": "主导航", "en": "Main navigation"},
    "Language": {"zh": "语言", "en": "Language"},
    "Log out": {"zh": "退出登录", "en": "Log out"},
    "Under construction": {"zh": "建设中", "en": "Coming soon"},
    "Command business": {"zh": "指挥业务", "en": "Command operations"},
    # ---------------------------------------------------------------- navigation
    "Command screen": {"zh": "指挥大屏", "en": "Command screen"},
    "Who owns this?": {"zh": "谁来管", "en": "Who owns this?"},
    "Jurisdiction map": {"zh": "辖区地图", "en": "Jurisdiction map"},
    "Organisation": {"zh": "组织机构", "en": "Organisation"},
    "Officers": {"zh": "执法人员", "en": "Officers"},
    "Duty catalogue": {"zh": "职责清单", "en": "Duty catalogue"},
    "Regulated entities": {"zh": "管理对象", "en": "Regulated entities"},
    "Enterprises": {"zh": "企业", "en": "Enterprises"},
    "Vehicles": {"zh": "车辆", "en": "Vehicles"},
    "Vessels": {"zh": "船舶", "en": "Vessels"},
    "Persons": {"zh": "人员", "en": "Persons"},
    "Sites": {"zh": "场站", "en": "Sites"},
    "Oversize permits": {"zh": "超限许可", "en": "Oversize permits"},
    "Power and responsibility list": {"zh": "权责清单", "en": "Powers and responsibilities"},
    "Audit log": {"zh": "审计日志", "en": "Audit log"},
    "Monitoring & early warning": {"zh": "监测预警", "en": "Monitoring & early warning"},
    "Command & dispatch": {"zh": "指挥调度", "en": "Command & dispatch"},
    "Enforcement supervision": {"zh": "执法监督", "en": "Enforcement supervision"},
    "Analysis & judgement": {"zh": "研判分析", "en": "Analysis & judgement"},
    "Emergency response": {"zh": "应急处置", "en": "Emergency response"},
    "Case handling": {"zh": "案件办理", "en": "Case handling"},
    # ---------------------------------------------------------------- roles
    "System administrator": {"zh": "系统管理员", "en": "System administrator"},
    "Duty officer": {"zh": "指挥中心值班员", "en": "Duty officer"},
    "Brigade leader": {"zh": "大队负责人", "en": "Brigade leader"},
    "Enforcement officer": {"zh": "执法队员", "en": "Enforcement officer"},
    "Legal reviewer": {"zh": "法制审核员", "en": "Legal reviewer"},
    "Analyst": {"zh": "研判分析员", "en": "Analyst"},
    # ---------------------------------------------------------------- login
    "Sign in": {"zh": "登录", "en": "Sign in"},
    "Username": {"zh": "用户名", "en": "Username"},
    "Password": {"zh": "密码", "en": "Password"},
    "Signing in…": {"zh": "正在登录…", "en": "Signing in…"},
    "Please enter your username and password.": {
        "zh": "请输入用户名和密码。",
        "en": "Please enter your username and password.",
    },
    # ---------------------------------------------------------------- common
    "Loading…": {"zh": "加载中…", "en": "Loading…"},
    "Yes": {"zh": "是", "en": "Yes"},
    "No": {"zh": "否", "en": "No"},
    "All": {"zh": "全部", "en": "All"},
    "Search": {"zh": "搜索", "en": "Search"},
    "Network error; please check the connection.": {
        "zh": "网络错误，请检查网络连接。",
        "en": "Network error; please check the connection.",
    },
    "Session expired; please sign in again.": {
        "zh": "登录已失效，请重新登录。",
        "en": "Session expired; please sign in again.",
    },
    "You do not have permission to see this.": {
        "zh": "无权查看此内容。",
        "en": "You do not have permission to see this.",
    },
    "Not found.": {"zh": "未找到。", "en": "Not found."},
    "Server error; please try again later.": {
        "zh": "服务器错误，请稍后再试。",
        "en": "Server error; please try again later.",
    },
    "Request failed ({status}).": {"zh": "请求失败（{status}）。", "en": "Request failed ({status})."},
    # ---------------------------------------------------------------- dashboard
    "Beijing time": {"zh": "北京时间", "en": "Beijing time"},
    "Available now": {"zh": "现已可用", "en": "Available now"},
    "The command screen will show live leads, tasks and cases once the monitoring and dispatch modules are built.": {
        "zh": "监测预警、指挥调度等模块建成后，指挥大屏将实时展示线索、任务和案件。",
        "en": "The command screen will show live leads, tasks and cases once the monitoring and dispatch "
        "modules are built.",
    },
    # ---------------------------------------------------------------- map and routing
    "Matter": {"zh": "事项", "en": "Matter"},
    "Pick a matter": {"zh": "请选择事项", "en": "Pick a matter"},
    "Location": {"zh": "位置", "en": "Location"},
    "Stake mark (e.g. G312 K1183+500) or lon,lat": {
        "zh": "桩号（如 G312 K1183+500）或 经度,纬度",
        "en": "Stake mark (e.g. G312 K1183+500) or lon,lat",
    },
    "Coordinate system": {"zh": "坐标系", "en": "Coordinates"},
    "Ask": {"zh": "查询", "en": "Ask"},
    "Or click the map to pick a point.": {"zh": "也可以直接点击地图选点。", "en": "Or click the map to pick a point."},
    "Pick a matter first.": {"zh": "请先选择事项。", "en": "Pick a matter first."},
    "Enter a stake mark or lon,lat, or click the map.": {
        "zh": "请输入桩号或经纬度，或点击地图。",
        "en": "Enter a stake mark or lon,lat, or click the map.",
    },
    "Responsible unit": {"zh": "责任单位", "en": "Responsible unit"},
    "Mode": {"zh": "管辖方式", "en": "Mode"},
    "Outside jurisdiction": {"zh": "超出辖区", "en": "Outside jurisdiction"},
    "Section / block": {"zh": "路段/板块", "en": "Section / block"},
    "Duty": {"zh": "职责", "en": "Duty"},
    "Reason": {"zh": "理由", "en": "Reason"},
    "Strip": {"zh": "条线", "en": "Strip"},
    "Block": {"zh": "板块", "en": "Block"},
    "Referral": {"zh": "移送", "en": "Referral"},
    "Fallback": {"zh": "兜底", "en": "Fallback"},
    "Department": {"zh": "科室", "en": "Department"},
    "Strip matters": {"zh": "条线事项", "en": "Strip matters"},
    "Block matters": {"zh": "板块事项", "en": "Block matters"},
    "Department matters": {"zh": "科室事项", "en": "Department matters"},
    "Referred matters": {"zh": "移送事项", "en": "Referred matters"},
    "Road section": {"zh": "公路路段", "en": "Road section"},
    "Waterway section": {"zh": "航道水域", "en": "Waterway section"},
    "Port area": {"zh": "港区", "en": "Port area"},
    "Enforcement block": {"zh": "执法板块", "en": "Enforcement block"},
    "Legend": {"zh": "图例", "en": "Legend"},
    "Zoom to this unit": {"zh": "定位到该单位辖区", "en": "Zoom to this unit"},
    "No jurisdiction map has been imported yet.": {
        "zh": "尚未导入辖区图。",
        "en": "No jurisdiction map has been imported yet.",
    },
    "Map edition {edition}, {count} features, drawn in {crs}": {
        "zh": "辖区图第 {edition} 版，{count} 个要素，坐标系 {crs}",
        "en": "Map edition {edition}, {count} features, drawn in {crs}",
    },
    # ---------------------------------------------------------------- organisation
    "Unit tree": {"zh": "机构树", "en": "Unit tree"},
    "Expand all": {"zh": "全部展开", "en": "Expand all"},
    "Collapse all": {"zh": "全部收起", "en": "Collapse all"},
    "No units have been imported yet.": {"zh": "尚未导入机构。", "en": "No units have been imported yet."},
    "{count} units": {"zh": "共 {count} 个机构", "en": "{count} units"},
    "Operational share": {"zh": "执法业务机构占比", "en": "Operational share"},
    "Operational units": {"zh": "执法业务机构", "en": "Operational units"},
    "Administrative units": {"zh": "综合管理机构", "en": "Administrative units"},
    "Units counted": {"zh": "参与统计机构", "en": "Units counted"},
    "Requirement": {"zh": "要求", "en": "Requirement"},
    "Meets ≥{pct}%": {"zh": "达到 ≥{pct}% 要求", "en": "Meets ≥{pct}%"},
    "Below {pct}%": {"zh": "低于 {pct}% 要求", "en": "Below {pct}%"},
    "At least 80% of units must be operational.": {
        "zh": "改革要求支队执法业务机构（大队、中队、指挥中心、业务科室）占比不低于 80%。",
        "en": "At least 80% of the detachment's units must be operational (brigades, squadrons, the "
        "command center and business departments).",
    },
    "Detachment": {"zh": "支队", "en": "Detachment"},
    "Command center": {"zh": "指挥中心", "en": "Command center"},
    "Strip brigade": {"zh": "条线大队", "en": "Strip brigade"},
    "Block brigade": {"zh": "板块大队", "en": "Block brigade"},
    "Squadron": {"zh": "中队", "en": "Squadron"},
    "External authority": {"zh": "外部机关", "en": "External authority"},
    "Road administration": {"zh": "路政", "en": "Road administration"},
    "Port administration": {"zh": "港政", "en": "Port administration"},
    "Water": {"zh": "水上", "en": "Water"},
    "Business department": {"zh": "业务科室", "en": "Business department"},
    "Administrative department": {"zh": "综合管理科室", "en": "Administrative department"},
    # ---------------------------------------------------------------- lists
    "Export CSV": {"zh": "导出 CSV", "en": "Export CSV"},
    "Export XLSX": {"zh": "导出 XLSX", "en": "Export XLSX"},
    "Exporting…": {"zh": "正在导出…", "en": "Exporting…"},
    "No records": {"zh": "暂无数据", "en": "No records"},
    "{count} records": {"zh": "共 {count} 条", "en": "{count} records"},
    "Page {page} of {pages}": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "Previous": {"zh": "上一页", "en": "Previous"},
    "Next": {"zh": "下一页", "en": "Next"},
    "Rows per page": {"zh": "每页条数", "en": "Rows per page"},
    "{count} per page": {"zh": "每页 {count} 条", "en": "{count} per page"},
    "All units": {"zh": "全部单位", "en": "All units"},
    "Data service not available yet (404).": {
        "zh": "该数据接口尚未上线（接口返回 404），提供数据的模块正在建设中。",
        "en": "This data service is not available yet (the API answered 404); the module that provides "
        "it is still being built.",
    },
    "Expired": {"zh": "已过期", "en": "Expired"},
    "Code": {"zh": "编码", "en": "Code"},
    "Name": {"zh": "名称", "en": "Name"},
    "Full name": {"zh": "姓名", "en": "Name"},
    "Unit": {"zh": "单位", "en": "Unit"},
    "Phone": {"zh": "电话", "en": "Phone"},
    "Address": {"zh": "地址", "en": "Address"},
    "Owner": {"zh": "所有人", "en": "Owner"},
    "Kind": {"zh": "类别", "en": "Kind"},
    "Title": {"zh": "名称", "en": "Title"},
    "Legal basis": {"zh": "法律依据", "en": "Legal basis"},
    # officers
    "Name, badge number or certificate number": {
        "zh": "姓名、编号或执法证号",
        "en": "Name, badge number or certificate number",
    },
    "Badge number": {"zh": "编号", "en": "Badge number"},
    "Enforcement certificate": {"zh": "执法证号", "en": "Enforcement certificate"},
    "Certificate expiry": {"zh": "证件有效期至", "en": "Certificate expiry"},
    "Roles": {"zh": "角色", "en": "Roles"},
    "On duty": {"zh": "在岗", "en": "On duty"},
    "ID number": {"zh": "身份证号", "en": "ID number"},
    # duties
    "Code, duty, matter or legal basis": {"zh": "编码、职责、事项或依据", "en": "Code, duty, matter or legal basis"},
    "Matters": {"zh": "事项", "en": "Matters"},
    "Unit kind": {"zh": "单位类别", "en": "Unit kind"},
    "Line": {"zh": "条线", "en": "Line"},
    # items
    "Code, title or matter": {"zh": "编码、名称或事项", "en": "Code, title or matter"},
    "Inspection": {"zh": "行政检查", "en": "Inspection"},
    "Penalty": {"zh": "行政处罚", "en": "Penalty"},
    "Coercive measure": {"zh": "行政强制", "en": "Coercive measure"},
    "Discretion benchmarks": {"zh": "裁量基准", "en": "Discretion benchmarks"},
    # entities
    "Name or unified social credit code": {"zh": "名称或统一社会信用代码", "en": "Name or unified social credit code"},
    "Plate or owner": {"zh": "号牌或所有人", "en": "Plate or owner"},
    "Ship name or MMSI": {"zh": "船名或 MMSI", "en": "Ship name or MMSI"},
    "Name or document number": {"zh": "姓名或证件号码", "en": "Name or document number"},
    "Name or code": {"zh": "名称或编码", "en": "Name or code"},
    "Permit number or plate": {"zh": "许可证号或号牌", "en": "Permit number or plate"},
    "Unified social credit code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "Business": {"zh": "经营类别", "en": "Business"},
    "Legal representative": {"zh": "法定代表人", "en": "Legal representative"},
    "Licence number": {"zh": "经营许可证号", "en": "Licence number"},
    "Licence expiry": {"zh": "许可证有效期至", "en": "Licence expiry"},
    "Plate": {"zh": "号牌号码", "en": "Plate"},
    "Plate colour": {"zh": "号牌颜色", "en": "Plate colour"},
    "Vehicle type": {"zh": "车辆类型", "en": "Vehicle type"},
    "Axles": {"zh": "轴数", "en": "Axles"},
    "Transport certificate": {"zh": "道路运输证号", "en": "Transport certificate"},
    "Certificate status": {"zh": "证件状态", "en": "Certificate status"},
    "MMSI": {"zh": "MMSI", "en": "MMSI"},
    "Ship name": {"zh": "船名", "en": "Ship name"},
    "Ship type": {"zh": "船舶类型", "en": "Ship type"},
    "Certificates": {"zh": "船舶证书", "en": "Certificates"},
    "Document type": {"zh": "证件类型", "en": "Document type"},
    "Document number": {"zh": "证件号码", "en": "Document number"},
    "Site type": {"zh": "场站类型", "en": "Site type"},
    "Longitude": {"zh": "经度", "en": "Longitude"},
    "Latitude": {"zh": "纬度", "en": "Latitude"},
    "Permit number": {"zh": "许可证号", "en": "Permit number"},
    "Route": {"zh": "通行路线", "en": "Route"},
    "Valid from": {"zh": "有效期自", "en": "Valid from"},
    "Valid to": {"zh": "有效期至", "en": "Valid to"},
    "Taxi": {"zh": "出租汽车", "en": "Taxi"},
    "Ride-hailing": {"zh": "网约车", "en": "Ride-hailing"},
    "Bus and coach": {"zh": "公交客运", "en": "Bus and coach"},
    "Road freight": {"zh": "道路货运", "en": "Road freight"},
    "Dangerous goods transport": {"zh": "危险货物运输", "en": "Dangerous goods transport"},
    "Logistics": {"zh": "物流", "en": "Logistics"},
    "Vehicle repair": {"zh": "机动车维修", "en": "Vehicle repair"},
    "Driver training": {"zh": "驾驶员培训", "en": "Driver training"},
    "Passenger and freight station": {"zh": "客货运场站", "en": "Passenger and freight station"},
    "Port operation": {"zh": "港口经营", "en": "Port operation"},
    "Waterway transport": {"zh": "水路运输", "en": "Waterway transport"},
    "Other": {"zh": "其他", "en": "Other"},
    "Truck": {"zh": "货车", "en": "Truck"},
    "Tractor unit": {"zh": "牵引车", "en": "Tractor unit"},
    "Trailer": {"zh": "挂车", "en": "Trailer"},
    "Coach": {"zh": "客车", "en": "Coach"},
    "Bus": {"zh": "公交车", "en": "Bus"},
    "Training car": {"zh": "教练车", "en": "Training car"},
    "Cargo ship": {"zh": "货船", "en": "Cargo ship"},
    "Tanker": {"zh": "油船", "en": "Tanker"},
    "Passenger ship": {"zh": "客船", "en": "Passenger ship"},
    "Tug": {"zh": "拖轮", "en": "Tug"},
    "Dredger": {"zh": "疏浚船", "en": "Dredger"},
    "Fishing vessel": {"zh": "渔船", "en": "Fishing vessel"},
    "Registration certificate": {"zh": "船舶登记证书", "en": "Registration certificate"},
    "Survey certificate": {"zh": "船舶检验证书", "en": "Survey certificate"},
    "Minimum safe manning certificate": {"zh": "最低安全配员证书", "en": "Minimum safe manning certificate"},
    "Oil pollution insurance certificate": {
        "zh": "油污损害民事责任保险证书",
        "en": "Oil pollution insurance certificate",
    },
    "Blue": {"zh": "蓝牌", "en": "Blue"},
    "Yellow": {"zh": "黄牌", "en": "Yellow"},
    "Green (new energy)": {"zh": "绿牌（新能源）", "en": "Green (new energy)"},
    "Yellow-green (new energy)": {"zh": "黄绿牌（新能源）", "en": "Yellow-green (new energy)"},
    "Black": {"zh": "黑牌", "en": "Black"},
    "White": {"zh": "白牌", "en": "White"},
    "Valid": {"zh": "有效", "en": "Valid"},
    "Suspended": {"zh": "暂扣", "en": "Suspended"},
    "Revoked": {"zh": "吊销", "en": "Revoked"},
    "None": {"zh": "无", "en": "None"},
    "Railway station": {"zh": "火车站", "en": "Railway station"},
    "Coach station": {"zh": "汽车客运站", "en": "Coach station"},
    "Airport": {"zh": "机场", "en": "Airport"},
    "Logistics park": {"zh": "物流园区", "en": "Logistics park"},
    "Repair shop": {"zh": "维修厂", "en": "Repair shop"},
    "Driving school": {"zh": "驾校", "en": "Driving school"},
    "Service point": {"zh": "服务点", "en": "Service point"},
    "Port terminal": {"zh": "港口码头", "en": "Port terminal"},
    "Resident ID card": {"zh": "居民身份证", "en": "Resident ID card"},
    "Passport": {"zh": "护照", "en": "Passport"},
    "Hong Kong/Macao permit": {"zh": "港澳居民来往内地通行证", "en": "Hong Kong/Macao permit"},
    "Taiwan permit": {"zh": "台湾居民来往大陆通行证", "en": "Taiwan permit"},
    "Foreign permanent residence card": {"zh": "外国人永久居留身份证", "en": "Foreign permanent residence card"},
    # audit
    "Time (Beijing)": {"zh": "时间（北京时间）", "en": "Time (Beijing)"},
    "Done by": {"zh": "操作人", "en": "Done by"},
    "Action": {"zh": "操作", "en": "Action"},
    "Record type": {"zh": "对象类型", "en": "Record type"},
    "Record": {"zh": "对象", "en": "Record"},
    "Changes": {"zh": "变更内容", "en": "Changes"},
    "Note": {"zh": "备注", "en": "Note"},
    "{count} fields": {"zh": "{count} 个字段", "en": "{count} fields"},
    "Create": {"zh": "新增", "en": "Create"},
    "Update": {"zh": "修改", "en": "Update"},
    "Delete": {"zh": "删除", "en": "Delete"},
    "Import": {"zh": "导入", "en": "Import"},
    "Issue API token": {"zh": "签发接口令牌", "en": "Issue API token"},
    "Read": {"zh": "查阅", "en": "Read"},
    "User": {"zh": "用户", "en": "User"},
    "Officer": {"zh": "执法人员", "en": "Officer"},
    "Jurisdiction map edition": {"zh": "辖区图版本", "en": "Jurisdiction map edition"},
    "Party branch": {"zh": "流动党支部", "en": "Party branch"},
    "Enterprise": {"zh": "企业", "en": "Enterprise"},
    "Vehicle": {"zh": "车辆", "en": "Vehicle"},
    "Vessel": {"zh": "船舶", "en": "Vessel"},
    "Person": {"zh": "人员", "en": "Person"},
    "Site": {"zh": "场站", "en": "Site"},
    "Oversize permit": {"zh": "超限运输许可", "en": "Oversize permit"},
    "Enforcement item": {"zh": "执法事项", "en": "Enforcement item"},
}


def lang_of(request: Request) -> str:
    """The UI language: the ``zhifa_lang`` cookie if it names a language, else Chinese."""
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGUAGES else DEFAULT_LANG


def html_lang(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


def translate(key: str, lang: str, **values: Any) -> str:
    """The text of a key in a language; an unknown key shows as itself (the test suite catches it)."""
    entry = CATALOGUE.get(key)
    text = entry.get(lang, key) if entry else key
    return text.format(**values) if values else text


def messages_for(lang: str) -> dict[str, str]:
    """One language's column of the catalogue, for the browser."""
    return {key: entry.get(lang, key) for key, entry in CATALOGUE.items()}
