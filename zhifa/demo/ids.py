"""Identifier builders: USCC, resident ID, plates, MMSI.

Every number is built from a `random.Random` passed in by the caller, so the output is
reproducible; the check characters follow the national standards and are verified with
python-stdnum in the tests.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

# GB 32100-2015 alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Plate characters: digits and letters without I and O (GA 36).
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_DIGITS = "0123456789"

# Administrative division codes of Zhenjiang with the years they were in force, as listed in
# GB/T 2260 (and in stdnum's cn/loc table, which validates the birth place against the birth
# year). Codes before 1983 belong to the former 镇江地区 (3226xx).
ZHENJIANG_AREA_CODES: tuple[tuple[str, int, int], ...] = (
    ("322601", 1900, 1982),  # 镇江市 (镇江地区)
    ("322621", 1900, 1982),  # 丹徒县
    ("322623", 1900, 1982),  # 丹阳县
    ("322624", 1900, 1982),  # 句容县
    ("322630", 1900, 1982),  # 扬中县
    ("321101", 1983, 2099),  # 市辖区
    ("321102", 1984, 2099),  # 京口区
    ("321111", 1984, 2099),  # 润州区
    ("321112", 2002, 2099),  # 丹徒区
    ("321121", 1983, 2002),  # 丹徒县
    ("321122", 1983, 1987),  # 丹阳县
    ("321123", 1983, 1995),  # 句容县
    ("321124", 1983, 1994),  # 扬中县
    ("321181", 1989, 2099),  # 丹阳市
    ("321182", 1994, 2099),  # 扬中市
    ("321183", 1995, 2099),  # 句容市
)
# Drivers and boatmen from other provinces: county codes that existed throughout 1960–2004, so
# they are valid for any birth year used here.
OTHER_AREA_CODES: tuple[str, ...] = (
    "340121",  # 安徽 长丰县
    "340421",  # 安徽 凤台县
    "340621",  # 安徽 濉溪县
    "360121",  # 江西 南昌县
    "510121",  # 四川 金堂县
    "510321",  # 四川 荣县
)

# USCC region codes (registering authority's division) for companies registered in Zhenjiang.
USCC_REGIONS: dict[str, str] = {
    "JK": "321102",
    "RZ": "321111",
    "DT": "321112",
    "XQ": "321100",  # 镇江新区 companies register with the city bureau
    "DY": "321181",
    "JR": "321183",
    "YZ": "321182",
}


def ric_number(rng: random.Random, birth: dt.date, area: str | None = None) -> str:
    """A resident ID (GB 11643) born on `birth`, with a valid check digit.

    Without `area`, a Zhenjiang code in force in the birth year is chosen, because stdnum (like
    the real register) rejects a division code that did not exist when the number was issued.
    """
    if area is None:
        candidates = [code for code, start, end in ZHENJIANG_AREA_CODES if start <= birth.year <= end]
        area = rng.choice(candidates)
    body = f"{area}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def random_birth(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


def _org_code_check(body: str) -> str:
    """GB 11714 check character of the 9-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_number(rng: random.Random, region: str, entity_type: str = "1") -> str:
    """A Unified Social Credit Code (GB 32100-2015): 9 (market regulator) + type + region + org code."""
    if rng.random() < 0.7:
        # Registered after 2015: the organisation code starts with "MA".
        org = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    else:
        org = "".join(rng.choice(PLATE_DIGITS) for _ in range(8))
    org += _org_code_check(org)
    body = f"9{entity_type}{region}{org}"
    return body + uscc.calc_check_digit(body)


def mobile_phone(rng: random.Random) -> str:
    prefix = rng.choice(
        (
            "139",
            "138",
            "137",
            "136",
            "135",
            "158",
            "159",
            "150",
            "151",
            "152",
            "187",
            "188",
            "182",
            "183",
            "130",
            "131",
            "132",
            "155",
            "156",
            "185",
            "186",
            "133",
            "153",
            "180",
            "181",
            "189",
            "177",
            "199",
            "198",
            "166",
        )
    )
    return prefix + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    # 0511 is Zhenjiang's area code; local numbers have 8 digits.
    return f"0511-{rng.choice('58')}{rng.randrange(10**7):07d}"


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def ordinary_plate(rng: random.Random) -> str:
    """苏L + 5 characters, at most two letters (the usual allocation patterns)."""
    pattern = rng.choices(("A9999", "99999", "AA999", "9A999", "99A99", "A999A"), (40, 20, 15, 10, 8, 7))[0]
    return "苏L" + "".join(rng.choice(PLATE_LETTERS if p == "A" else PLATE_DIGITS) for p in pattern)


def taxi_plate(rng: random.Random) -> str:
    # Taxis get a dedicated series (here T) in most Jiangsu cities.
    return "苏LT" + _chars(rng, PLATE_DIGITS, 4)


def small_nev_plate(rng: random.Random) -> str:
    """Green new-energy plate for small vehicles: D (pure electric) / F (hybrid) + 5 characters."""
    second = rng.choice(PLATE_LETTERS) if rng.random() < 0.3 else rng.choice(PLATE_DIGITS)
    return "苏L" + rng.choice("DDDF") + second + _chars(rng, PLATE_DIGITS, 4)


def large_nev_plate(rng: random.Random) -> str:
    """Yellow-green new-energy plate for large vehicles: 5 digits + D/F."""
    return "苏L" + _chars(rng, PLATE_DIGITS, 5) + rng.choice("DDDF")


def trailer_plate(rng: random.Random) -> str:
    head = rng.choice(PLATE_LETTERS) if rng.random() < 0.4 else rng.choice(PLATE_DIGITS)
    return "苏L" + head + _chars(rng, PLATE_DIGITS, 3) + "挂"


# Maritime identification digits: China (412/413/414) and flags often seen on the Yangtze.
CHINESE_MIDS = ("412", "413", "414")
FOREIGN_MIDS = {
    "477": "Hong Kong",
    "351": "Panama",
    "538": "Marshall Islands",
    "636": "Liberia",
    "440": "Korea",
    "563": "Singapore",
    "431": "Japan",
    "372": "Panama",
}


def mmsi_number(rng: random.Random, foreign: bool) -> str:
    mid = rng.choice(sorted(FOREIGN_MIDS)) if foreign else rng.choices(CHINESE_MIDS, (60, 25, 15))[0]
    return mid + f"{rng.randrange(10**6):06d}"
