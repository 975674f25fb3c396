"""Name material: personal names, company trade names, streets, ship names.

Invented combinations of common characters; any resemblance to a real person or company is
coincidental.
"""

from __future__ import annotations

import random

# Common surnames, weighted towards those frequent in southern Jiangsu.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 60),
    ("张", 45),
    ("陈", 50),
    ("徐", 35),
    ("朱", 30),
    ("李", 40),
    ("周", 28),
    ("吴", 28),
    ("孙", 22),
    ("刘", 30),
    ("杨", 20),
    ("沈", 14),
    ("顾", 12),
    ("蒋", 12),
    ("殷", 8),
    ("戴", 10),
    ("丁", 10),
    ("赵", 14),
    ("黄", 16),
    ("钱", 8),
    ("许", 10),
    ("华", 6),
    ("范", 8),
    ("眭", 4),
    ("汤", 8),
    ("姜", 8),
    ("唐", 10),
    ("韦", 5),
    ("冯", 8),
    ("邱", 6),
    ("严", 6),
    ("贺", 5),
    ("曹", 8),
    ("包", 5),
    ("笪", 3),
    ("尹", 5),
    ("史", 6),
    ("陆", 10),
    ("高", 10),
    ("胡", 12),
    ("郭", 8),
    ("何", 8),
    ("马", 10),
    ("林", 8),
    ("袁", 6),
    ("潘", 6),
    ("梅", 4),
    ("薛", 5),
)
GIVEN_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富"
    "顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕"
    "河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄"
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞"
)

TRADE_WORDS = (
    "长江",
    "金山",
    "北固",
    "焦山",
    "润扬",
    "京口",
    "宝华",
    "茅山",
    "恒顺",
    "大港",
    "谏壁",
    "高资",
    "华东",
    "顺达",
    "通达",
    "宏运",
    "鑫源",
    "汇通",
    "锦程",
    "安顺",
    "永盛",
    "恒通",
    "新港",
    "运河",
    "江南",
    "江天",
    "南徐",
    "铁瓮",
    "丹凤",
    "云阳",
    "华阳",
    "扬子",
    "三山",
    "甘露",
    "西津",
    "梦溪",
    "宏达",
    "瑞丰",
    "昌盛",
    "众诚",
    "远航",
    "畅达",
    "中联",
    "德隆",
    "金港",
    "新世纪",
    "海润",
    "天骄",
    "明辉",
    "佳禾",
    "万顺",
    "广源",
    "泰和",
    "嘉禾",
    "鼎盛",
    "腾飞",
    "宝盛",
    "诚信",
    "利民",
    "众邦",
    "振华",
    "飞驰",
    "路路通",
    "金陵",
    "江淮",
    "银河",
    "亿达",
    "荣昌",
    "兴隆",
    "华盛",
)

# Street names per block (generic names that many Jiangsu towns share).
STREETS: dict[str, tuple[str, ...]] = {
    "JK": ("中山东路", "学府路", "象山路", "京口路", "丁卯桥路", "檀山路", "梦溪路", "长江路"),
    "RZ": ("南徐大道", "黄山西路", "金山路", "润州路", "焦山路", "长江路", "中山西路", "南山路"),
    "DT": ("谷阳大道", "宜城路", "高资大道", "上党路", "辛丰路", "荣炳路", "丹徒新路"),
    "XQ": ("港南路", "金港大道", "大港路", "丁卯路", "经十二路", "姚桥路", "新竹路"),
    "DY": ("金陵西路", "丹凤南路", "云阳路", "中山路", "开发区大道", "齐梁路", "吕城路"),
    "JR": ("华阳路", "宁杭南路", "茅山路", "崇明路", "下蜀大道", "宝华路", "句容大道"),
    "YZ": ("扬子中路", "港隆路", "春柳路", "翠竹路", "新坝路", "油坊路", "三茅大街"),
}
DISTRICT_PREFIX: dict[str, str] = {
    "JK": "镇江市京口区",
    "RZ": "镇江市润州区",
    "DT": "镇江市丹徒区",
    "XQ": "镇江市镇江新区",
    "DY": "丹阳市",
    "JR": "句容市",
    "YZ": "扬中市",
}
# Company-name prefix per block (county-level cities register under their own name).
COMPANY_PREFIX: dict[str, str] = {
    "JK": "镇江市",
    "RZ": "镇江市",
    "DT": "镇江市丹徒区",
    "XQ": "镇江新区",
    "DY": "丹阳市",
    "JR": "句容市",
    "YZ": "扬中市",
}

FOREIGN_GIVEN = (
    "John",
    "Maria",
    "Kim",
    "Hiroshi",
    "Anna",
    "David",
    "Olga",
    "Ahmed",
    "Lee",
    "Peter",
    "Yuki",
    "Sofia",
    "James",
    "Min-jun",
    "Carlos",
    "Elena",
)
FOREIGN_FAMILY = (
    "Smith",
    "Garcia",
    "Park",
    "Tanaka",
    "Muller",
    "Ivanova",
    "Khan",
    "Nguyen",
    "Brown",
    "Sato",
    "Rossi",
    "Choi",
    "Wilson",
    "Silva",
    "Jensen",
    "Lopez",
)
SHIP_WORDS = (
    "OCEAN",
    "GLORY",
    "GRACE",
    "STAR",
    "PACIFIC",
    "FORTUNE",
    "HARMONY",
    "PIONEER",
    "LUCKY",
    "ORIENT",
    "VENUS",
    "DRAGON",
    "PEARL",
    "BRIGHT",
    "UNITY",
    "PROSPER",
    "NOBLE",
    "EVER",
)


def person_name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(length))


def foreign_name(rng: random.Random) -> str:
    return f"{rng.choice(FOREIGN_GIVEN)} {rng.choice(FOREIGN_FAMILY)}"


def street_address(rng: random.Random, block: str) -> str:
    return f"{DISTRICT_PREFIX[block]}{rng.choice(STREETS[block])}{rng.randint(1, 399)}号"
