"""The detachment's units, officers, mobile Party branches and demo logins."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TypedDict

from zhifa.demo import ids
from zhifa.demo.names import person_name

ROOT = "ZJ"
COMMAND_CENTER = "ZJ-CC"
LEGAL_DEPARTMENT = "ZJ-FZ"
MSA = "EXT-MSA"
TRAFFIC_POLICE = "EXT-TP"
URBAN_MANAGEMENT = "EXT-CG"
MARKET_REGULATION = "EXT-SAMR"

# The reference date of the demo: expiries before it are expired. Fixed, never the clock.
DEMO_TODAY = dt.date(2026, 1, 1)
DEMO_PASSWORD = "zhifa-demo-2026"

# Officers who log in to the demo's command-and-dispatch loop. Dispatch links a user to an officer
# when the username is the officer code, so these are fixed posts (their codes depend neither on
# the seed nor on the scale), on duty, with an enforcement certificate valid well past the demo
# date (行政处罚法 第四十二条: only certified officers are assigned). (key, unit, roles, display name)
PATROL_UNIT = "ZJ-RD1-1"
LOGIN_POSTS: tuple[tuple[str, str, str, str], ...] = (
    ("duty", COMMAND_CENTER, "duty_officer", "指挥中心值班员（调度）"),
    ("leader", "ZJ-RD1", "leader", "路政一大队负责人（调度）"),
    ("patrol1", PATROL_UNIT, "officer", "路政一大队一中队执法队员（手机）"),
    ("patrol2", PATROL_UNIT, "officer", "路政一大队一中队执法队员（手机）"),
    # The legal reviewer of the case demo: reviews, and hosts hearings (the host is an officer).
    ("legal", LEGAL_DEPARTMENT, "legal_reviewer", "法制科法制审核员（案件）"),
)
LOGIN_CERT_EXPIRY = dt.date(2030, 12, 31)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str = ""
    line: str = ""
    category: str = ""
    squadrons: int = 0  # squadrons to create under a brigade
    block: str = ""  # block key (geography.BLOCK_CENTRES) for block brigades


# (code, name, category): business departments are operational "nerves"; administrative ones are
# kept few so that brigades + business departments stay well above 80 % of the operational units.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("ZJ-FZ", "法制科", "business"),
    ("ZJ-JD", "执法监督科", "business"),
    ("ZJ-LZ", "路政管理科", "business"),
    ("ZJ-YZ", "运政管理科", "business"),
    ("ZJ-GH", "港航管理科", "business"),
    ("ZJ-ZJ", "工程质量监督科", "business"),
    ("ZJ-KX", "科技信息科", "business"),
    ("ZJ-BGS", "办公室", "administrative"),
    ("ZJ-ZZC", "政治处", "administrative"),
)

BRIGADES: tuple[Unit, ...] = (
    Unit("ZJ-RD1", "路政一大队（G312西段）", "strip_brigade", ROOT, line="road", squadrons=3),
    Unit("ZJ-RD2", "路政二大队（G312东段、G104）", "strip_brigade", ROOT, line="road", squadrons=4),
    Unit("ZJ-RD3", "路政三大队（S243、S238、S122）", "strip_brigade", ROOT, line="road", squadrons=3),
    Unit("ZJ-RD4", "路政四大队（S338）", "strip_brigade", ROOT, line="road", squadrons=2),
    Unit("ZJ-PT1", "港政一大队（高资、龙门港区）", "strip_brigade", ROOT, line="port", squadrons=2),
    Unit("ZJ-PT2", "港政二大队（谏壁、大港港区）", "strip_brigade", ROOT, line="port", squadrons=2),
    Unit("ZJ-WT1", "水上执法一大队（长江）", "strip_brigade", ROOT, line="water", squadrons=3),
    Unit("ZJ-WT2", "水上执法二大队（京杭运河）", "strip_brigade", ROOT, line="water", squadrons=2),
    Unit("ZJ-BLK-JK", "京口综合执法大队", "block_brigade", ROOT, squadrons=3, block="JK"),
    Unit("ZJ-BLK-RZ", "润州综合执法大队", "block_brigade", ROOT, squadrons=3, block="RZ"),
    Unit("ZJ-BLK-DT", "丹徒综合执法大队", "block_brigade", ROOT, squadrons=3, block="DT"),
    Unit("ZJ-BLK-XQ", "镇江新区综合执法大队", "block_brigade", ROOT, squadrons=3, block="XQ"),
    Unit("ZJ-BLK-DY", "丹阳综合执法大队", "block_brigade", ROOT, squadrons=4, block="DY"),
    Unit("ZJ-BLK-JR", "句容综合执法大队", "block_brigade", ROOT, squadrons=4, block="JR"),
    Unit("ZJ-BLK-YZ", "扬中综合执法大队", "block_brigade", ROOT, squadrons=2, block="YZ"),
)

EXTERNAL: tuple[Unit, ...] = (
    Unit(MSA, "长江镇江海事局", "external_authority"),
    Unit(TRAFFIC_POLICE, "镇江市公安局交通警察支队", "external_authority"),
    Unit(URBAN_MANAGEMENT, "镇江市城市管理局", "external_authority"),
    Unit(MARKET_REGULATION, "镇江市市场监督管理局", "external_authority"),
)

ORDINALS = "一二三四五六七八九十"


def squadrons_of(brigade: Unit) -> list[Unit]:
    short = brigade.name.split("（")[0]
    return [
        Unit(f"{brigade.code}-{i}", f"{short}{ORDINALS[i - 1]}中队", "squadron", brigade.code)
        for i in range(1, brigade.squadrons + 1)
    ]


def all_units() -> list[Unit]:
    units = [
        Unit(ROOT, "镇江市交通运输综合行政执法支队", "detachment"),
        Unit(COMMAND_CENTER, "指挥中心", "command_center", ROOT),
    ]
    units += [Unit(code, name, "department", ROOT, category=cat) for code, name, cat in DEPARTMENTS]
    units += list(BRIGADES)
    for brigade in BRIGADES:
        units += squadrons_of(brigade)
    units += list(EXTERNAL)
    return units


# Block key → map name of the block (the district or county-level city it covers).
BLOCK_NAMES: dict[str, str] = {
    "JK": "京口片区",
    "RZ": "润州片区",
    "DT": "丹徒片区",
    "XQ": "新区片区",
    "DY": "丹阳片区",
    "JR": "句容片区",
    "YZ": "扬中片区",
}


def block_units() -> dict[str, tuple[str, str]]:
    """Block key → (unit code, block name) for the jurisdiction map."""
    return {b.block: (b.code, BLOCK_NAMES[b.block]) for b in BRIGADES if b.block}


def squadron_codes() -> list[str]:
    return [sq.code for brigade in BRIGADES for sq in squadrons_of(brigade)]


# ---------------------------------------------------------------------------------------------
# Officers
# ---------------------------------------------------------------------------------------------

OFFICER_COLUMNS = ("code", "name", "unit", "cert_no", "cert_expiry", "roles", "on_duty", "phone", "id_number")


def _staffing() -> list[tuple[str, str]]:
    """Fixed posts (unit, roles) that exist whatever the scale."""
    posts: list[tuple[str, str]] = [(ROOT, "leader"), (ROOT, "leader"), ("ZJ-KX", "officer;admin")]
    posts += [(COMMAND_CENTER, "leader;duty_officer")]
    posts += [(COMMAND_CENTER, "duty_officer")] * 7
    posts += [(COMMAND_CENTER, "analyst")] * 2 + [("ZJ-JD", "analyst")]
    posts += [(LEGAL_DEPARTMENT, "legal_reviewer")] * 4
    posts += [(code, "leader") for code, _, _ in DEPARTMENTS]
    posts += [(brigade.code, "leader") for brigade in BRIGADES]
    # The two patrol officers with a demo login (the duty officer and the leader hold posts above).
    posts += [(PATROL_UNIT, "officer")] * 2
    return posts


def officer_code(number: int) -> str:
    return f"321100{number:04d}"


def login_officer_codes() -> dict[str, str]:
    """Key of ``LOGIN_POSTS`` → the officer code of its post (the first free post of that unit and
    roles among the fixed posts)."""
    posts = _staffing()
    taken: set[int] = set()
    codes = {}
    for key, unit, roles, _ in LOGIN_POSTS:
        i = next(i for i, post in enumerate(posts) if post == (unit, roles) and i not in taken)
        taken.add(i)
        codes[key] = officer_code(i + 1)
    return codes


def _field_units() -> list[tuple[str, int]]:
    """Where rank-and-file officers work, with weights (squadrons carry most of the force)."""
    weights: list[tuple[str, int]] = [(code, 1) for code, _, cat in DEPARTMENTS if cat == "business"]
    weights += [(code, 1) for code, _, cat in DEPARTMENTS if cat == "administrative"]
    for brigade in BRIGADES:
        weights.append((brigade.code, 1))
        weights += [(sq.code, 4) for sq in squadrons_of(brigade)]
    return weights


def officers(rng: random.Random, count: int) -> list[dict[str, str]]:
    posts = _staffing()
    field = _field_units()
    extra = max(0, count - len(posts))
    posts += [(unit, "officer") for unit in rng.choices([u for u, _ in field], [w for _, w in field], k=extra)]
    cert_numbers = rng.sample(range(10_000), len(posts))
    logins = set(login_officer_codes().values())
    rows = []
    for i, (unit, roles) in enumerate(posts, start=1):
        birth = ids.random_birth(rng, 1965, 2000)
        # 执法证 valid for several years; about 3 % lapsed before the demo date.
        if rng.random() < 0.03:
            expiry = DEMO_TODAY - dt.timedelta(days=rng.randint(10, 300))
        else:
            expiry = dt.date(rng.randint(2026, 2029), rng.randint(1, 12), rng.randint(1, 28))
        code = officer_code(i)
        name = person_name(rng)
        on_duty = rng.random() < 0.35 or "duty_officer" in roles
        if code in logins:  # drawn like the others (the stream stays aligned), then fixed
            expiry, on_duty = LOGIN_CERT_EXPIRY, True
        rows.append(
            {
                "code": code,
                "name": name,
                "unit": unit,
                "cert_no": f"32110023{cert_numbers[i - 1]:04d}",
                "cert_expiry": expiry.isoformat(),
                "roles": roles,
                "on_duty": "true" if on_duty else "false",
                "phone": ids.mobile_phone(rng),
                "id_number": ids.ric_number(rng, birth),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Party branches and demo logins
# ---------------------------------------------------------------------------------------------

PARTY_BRANCH_COUNT = 20  # 20 mobile Party branches attached to squadrons (mission, §4)


def party_branches() -> list[dict[str, str]]:
    """One branch per squadron, spread over brigades (every other squadron in list order)."""
    squadrons = [sq for brigade in BRIGADES for sq in squadrons_of(brigade)]
    chosen = squadrons[::2][:PARTY_BRANCH_COUNT]
    if len(chosen) < PARTY_BRANCH_COUNT:
        chosen += [sq for sq in squadrons if sq not in chosen][: PARTY_BRANCH_COUNT - len(chosen)]
    return [
        {"code": f"PB-{i:02d}", "name": f"{sq.name}流动党支部", "squadron": sq.code}
        for i, sq in enumerate(chosen, start=1)
    ]


class DemoAccount(TypedDict):
    username: str
    password: str
    display_name: str
    roles: list[str]
    unit: str  # unit code


def demo_accounts() -> list[DemoAccount]:
    """Demo logins, one per typical role (the password is public: demo data only)."""
    accounts = [
        ("admin", "系统管理员", ["admin"], ROOT),
        ("duty", "值班员（指挥中心）", ["duty_officer"], COMMAND_CENTER),
        ("leader", "路政一大队大队长", ["leader"], "ZJ-RD1"),
        ("officer", "京口综合执法大队执法队员", ["officer"], "ZJ-BLK-JK-1"),
        ("legal", "法制审核员", ["legal_reviewer"], LEGAL_DEPARTMENT),
        ("analyst", "研判分析员", ["analyst"], COMMAND_CENTER),
    ]
    out = [
        DemoAccount(username=f"demo-{user}", password=DEMO_PASSWORD, display_name=display, roles=roles, unit=unit)
        for user, display, roles, unit in accounts
    ]
    # The dispatch loop's logins: the username is the officer code (so the user acts as the officer).
    codes = login_officer_codes()
    out += [
        DemoAccount(username=codes[key], password=DEMO_PASSWORD, display_name=display, roles=[roles], unit=unit)
        for key, unit, roles, display in LOGIN_POSTS
    ]
    return out


def login_accounts() -> dict[str, DemoAccount]:
    """The demo logins of officers by ``LOGIN_POSTS`` key (duty, leader, patrol1, patrol2, legal)."""
    by_username = {a["username"]: a for a in demo_accounts()}
    return {key: by_username[code] for key, code in login_officer_codes().items()}
