"""Chinese motor-vehicle plate numbers (机动车号牌), after GA 36-2018 《中华人民共和国机动车号牌》.

A plate is ``province abbreviation + issuing-authority letter + serial``:

* ordinary plates: a 5-character serial of letters and digits (``苏L12345``), the last of which
  may be replaced by a use character (``苏L1234挂`` trailer, ``苏A1234学`` driving school …);
* new-energy plates: a 6-character serial, with D (battery electric) or F (other new energy)
  first on small vehicles (``苏LD12345``) and last on large ones (``苏L12345D``).

The plate colour is part of a vehicle's identity: a blue and a yellow ``苏L12345`` are two
different vehicles, so :func:`plate_identity` keys on (number, colour).

Out of scope, rejected with a reason: embassy (使) and consulate-prefixed (领) plates and military
/ armed-police plates, which are not registered by the traffic police.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from zhifa.validation._text import fold, fold_drop_separators
from zhifa.validation.errors import IdentifierError

__all__ = [
    "NO_PLATE_MARKERS",
    "PLATE_SUFFIXES",
    "PROVINCE_ABBREVIATIONS",
    "Plate",
    "PlateColor",
    "is_no_plate_marker",
    "parse_plate",
    "parse_plate_color",
    "plate_identity",
]

# The 31 mainland provincial-level abbreviations used as the first plate character (GA 36-2018).
# Hong Kong / Macau / Taiwan do not issue plates under GA 36.
PROVINCE_ABBREVIATIONS = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")

# Use characters that replace the last serial character (GA 36-2018): 挂 trailer, 学 driving-school
# car, 警 police, 港/澳 Hong Kong / Macau cross-border vehicles, 领 consulate, 试 test-drive
# temporary, 超 oversize-vehicle temporary.
PLATE_SUFFIXES = frozenset("挂学警港澳领试超")

# Markers that cameras and clerks write instead of a number. They are facts about a sighting,
# not plates, so they are never accepted as a plate number here.
NO_PLATE_MARKERS = frozenset({"无牌", "未识别"})

# GA 36-2018 forbids the letters I and O in serials: on a plate they read as 1 and 0.
_SERIAL_CHARS = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
_SMALL_NEW_ENERGY = re.compile(r"[DF][A-HJ-NP-Z0-9][0-9]{4}")  # D/F, letter or digit, 4 digits
_LARGE_NEW_ENERGY = re.compile(r"[0-9]{5}[DF]")  # 5 digits, then D/F
_MILITARY = re.compile(r"(?:WJ.*)|(?:[A-Z]{2}[0-9]{5})")  # 武警 WJ…, PLA two letters + 5 digits


class PlateColor(StrEnum):
    """Plate background colour (GA 36-2018)."""

    BLUE = "blue"  # 蓝: small passenger cars
    YELLOW = "yellow"  # 黄: large vehicles, trailers, driving-school cars
    GREEN = "green"  # 渐变绿: small new-energy vehicles
    YELLOW_GREEN = "yellow_green"  # 黄绿双拼: large new-energy vehicles
    BLACK = "black"  # 黑: Hong Kong / Macau cross-border and consulate vehicles
    WHITE = "white"  # 白: police (and military, out of scope)


_CHINESE_COLORS: dict[str, PlateColor] = {
    "蓝": PlateColor.BLUE,
    "黄": PlateColor.YELLOW,
    "绿": PlateColor.GREEN,
    "渐变绿": PlateColor.GREEN,
    "黄绿": PlateColor.YELLOW_GREEN,
    "黄绿双拼": PlateColor.YELLOW_GREEN,
    "黑": PlateColor.BLACK,
    "白": PlateColor.WHITE,
}


@dataclass(frozen=True, slots=True)
class Plate:
    """A validated, normalised plate.

    ``number`` is the normalised number (``苏L12345``); ``province`` its first character and
    ``issuer`` the issuing-authority letter (``L`` for 苏L); ``suffix`` the use character
    (挂/学/警/港/澳/领/试/超) or ``None``.
    """

    number: str
    color: PlateColor | None
    province: str
    issuer: str
    new_energy: bool
    trailer: bool
    suffix: str | None


def _plate_error(reason: str, reason_zh: str) -> IdentifierError:
    return IdentifierError("plate", reason, reason_zh)


def _color_error(reason: str, reason_zh: str) -> IdentifierError:
    return IdentifierError("plate_color", reason, reason_zh)


def parse_plate_color(text: str) -> PlateColor:
    """Parse a plate colour: English value (case-insensitive, ``_``/``-``/space tolerated) or
    Chinese (蓝/黄/绿/黄绿/黑/白, optionally followed by 色 or 牌; also 渐变绿, 黄绿双拼)."""
    key = fold(text).lower().replace("-", "").replace("_", "")
    for color in PlateColor:
        if key == color.value.replace("_", ""):
            return color
    zh = key.removesuffix("牌").removesuffix("色")
    if zh in _CHINESE_COLORS:
        return _CHINESE_COLORS[zh]
    raise _color_error(
        f"unknown plate colour {text!r}; use one of {', '.join(c.value for c in PlateColor)}",
        f"未知的号牌颜色“{text}”，应为蓝、黄、绿、黄绿、黑、白之一",
    )


def is_no_plate_marker(text: str) -> bool:
    """True for the no-plate / unreadable markers (无牌, 未识别), whitespace ignored."""
    if len(text) > 1 and text[1].isascii() and text[1].isalnum():
        # Folding keeps an ASCII letter or digit (苏L… has one second), and no marker holds one:
        # the common answer without the Unicode normalisation.
        return False
    return fold(text) in NO_PLATE_MARKERS


def _check_serial_char(ch: str, position: int) -> None:
    if ch in _SERIAL_CHARS:
        return
    if ch in "IO":
        looks_like = "1" if ch == "I" else "0"
        raise _plate_error(
            f"letter {ch} at position {position} is not used on plates (it reads as {looks_like})",
            f"第{position}位的字母{ch}不用于号牌（易与数字混淆）",
        )
    if ch in PLATE_SUFFIXES:
        raise _plate_error(
            f"use character {ch} may only be the last character (position {position})",
            f"第{position}位：“{ch}”只能作为号牌最后一位",
        )
    raise _plate_error(
        f"character {ch!r} at position {position} is not allowed; serials use letters and digits",
        f"第{position}位的字符“{ch}”不允许，序号只能由字母和数字组成",
    )


def _parse_number(text: str) -> Plate:
    """Validate the plate number alone (colour not considered); returns a colourless Plate."""
    number = fold_drop_separators(text)
    if not number:
        raise _plate_error("empty plate number", "车牌号为空")
    if number in NO_PLATE_MARKERS:
        raise _plate_error("no plate / unreadable marker", "“无牌/未识别”是标记，不是车牌号")

    head = number[0]
    if head == "使":
        raise _plate_error("embassy plates (使) are out of scope", "使馆号牌（使）不在本系统管理范围")
    if head == "领":
        raise _plate_error(
            "consulate plates beginning with 领 are out of scope", "以“领”开头的领馆号牌不在本系统管理范围"
        )
    if _MILITARY.fullmatch(number):
        raise _plate_error("military / armed-police plates are out of scope", "军队、武警号牌不在本系统管理范围")
    if head not in PROVINCE_ABBREVIATIONS:
        raise _plate_error(
            f"first character {head!r} is not a province abbreviation",
            f"首位“{head}”不是省、自治区、直辖市简称",
        )
    if len(number) < 2 or not ("A" <= number[1] <= "Z"):
        got = number[1] if len(number) > 1 else "nothing"
        raise _plate_error(
            f"the second character must be the issuing-authority letter A-Z, got {got!r}",
            "第二位应为发牌机关代号（字母A-Z）",
        )
    issuer = number[1]
    serial = number[2:]

    if len(serial) not in (5, 6):
        raise _plate_error(
            f"expected 5 characters after {number[:2]} (6 for new-energy plates), got {len(serial)}",
            f"{number[:2]}之后应为5位序号（新能源号牌为6位），实际为{len(serial)}位",
        )

    suffix = serial[-1] if serial[-1] in PLATE_SUFFIXES else None
    if suffix is not None and len(serial) == 6:
        raise _plate_error(
            f"a plate ending in {suffix} has 4 characters before it, got 5",
            f"以“{suffix}”结尾的号牌前面应为4位序号",
        )
    body = serial[:-1] if suffix else serial
    for offset, ch in enumerate(body):
        _check_serial_char(ch, offset + 3)

    new_energy = len(serial) == 6
    if new_energy and not (_SMALL_NEW_ENERGY.fullmatch(serial) or _LARGE_NEW_ENERGY.fullmatch(serial)):
        raise _plate_error(
            "a 6-character (new-energy) serial must be D/F + letter or digit + 4 digits (small vehicles) "
            "or 5 digits + D/F (large vehicles)",
            "新能源号牌序号应为：小型车D/F＋1位字母或数字＋4位数字；大型车5位数字＋D/F",
        )
    return Plate(
        number=number,
        color=None,
        province=head,
        issuer=issuer,
        new_energy=new_energy,
        trailer=suffix == "挂",
        suffix=suffix,
    )


# Use characters whose plate colour GA 36-2018 fixes.
_SUFFIX_COLORS: dict[str, tuple[PlateColor, str, str]] = {
    "挂": (PlateColor.YELLOW, "trailer plates (挂)", "挂车号牌"),
    "学": (PlateColor.YELLOW, "driving-school plates (学)", "教练汽车号牌（学）"),
    "警": (PlateColor.WHITE, "police plates (警)", "警用汽车号牌"),
    "港": (PlateColor.BLACK, "Hong Kong cross-border plates (港)", "香港入出境车号牌"),
    "澳": (PlateColor.BLACK, "Macau cross-border plates (澳)", "澳门入出境车号牌"),
    "领": (PlateColor.BLACK, "consulate plates (领)", "领馆汽车号牌"),
}

_COLOR_ZH = {
    PlateColor.BLUE: "蓝色",
    PlateColor.YELLOW: "黄色",
    PlateColor.GREEN: "渐变绿色",
    PlateColor.YELLOW_GREEN: "黄绿双拼色",
    PlateColor.BLACK: "黑色",
    PlateColor.WHITE: "白色",
}


def _check_color(plate: Plate, color: PlateColor) -> None:
    if plate.new_energy:
        # GA 36-2018: small new-energy plates are gradient green, large ones yellow-green.
        small = plate.number[2] in "DF"
        expected = PlateColor.GREEN if small else PlateColor.YELLOW_GREEN
        if color != expected:
            size, size_zh = ("small", "小型") if small else ("large", "大型")
            raise _color_error(
                f"a {size} new-energy plate must be {expected.value}, not {color.value}",
                f"{size_zh}新能源汽车号牌应为{_COLOR_ZH[expected]}，不能是{_COLOR_ZH[color]}",
            )
        return
    if plate.suffix in _SUFFIX_COLORS:
        expected, what, what_zh = _SUFFIX_COLORS[plate.suffix]
        if color != expected:
            raise _color_error(
                f"{what} must be {expected.value}, not {color.value}",
                f"{what_zh}应为{_COLOR_ZH[expected]}，不能是{_COLOR_ZH[color]}",
            )
        return
    if color in (PlateColor.GREEN, PlateColor.YELLOW_GREEN):
        # Green backgrounds are reserved for new-energy plates, which always have 6 serial characters.
        raise _color_error(
            f"{color.value} is a new-energy plate colour, but {plate.number} has a 5-character serial",
            f"{_COLOR_ZH[color]}为新能源号牌颜色，而{plate.number}不是6位序号的新能源号牌",
        )


def parse_plate(text: str, color: str | None = None) -> Plate:
    """Validate and normalise a plate number, optionally with its colour.

    Normalisation: full-width letters/digits folded to ASCII, uppercase, whitespace and the
    separators ``·``/``•``/``-`` removed (``沪A·12345`` -> ``沪A12345``).

    ``color`` may be a :class:`PlateColor`, its English value (any case) or Chinese
    (蓝/黄/绿/黄绿/黑/白, 蓝色 …); ``None`` or blank means "not given", and then no colour
    consistency check is made.

    Raises :class:`IdentifierError` (field ``plate`` or ``plate_color``).
    """
    return _parse_plate(text, color)


# The shape almost every sensor event has: an ordinary plate already in canonical form (province,
# issuer letter, 5 serial characters without I/O, no use character), with a colour spelt as its
# English value. Such input needs no folding and no further checks but one: a green background
# belongs to new-energy plates only. ``_parse_plate`` answers it directly (tested equal to the
# full path).
_CANONICAL_ORDINARY = re.compile(f"[{''.join(sorted(PROVINCE_ABBREVIATIONS))}][A-Z][A-HJ-NP-Z0-9]{{5}}")
_ORDINARY_COLORS = {c.value: c for c in (PlateColor.BLUE, PlateColor.YELLOW, PlateColor.BLACK, PlateColor.WHITE)}


@functools.lru_cache(maxsize=65536)
def _parse_plate(text: str, color: str | None) -> Plate:
    # Pure and on every sensor event's path; the same vehicles pass again and again, so a
    # bounded memo of answers (never of errors: exceptions are not cached) saves the parsing.
    if _CANONICAL_ORDINARY.fullmatch(text) and (color is None or color in _ORDINARY_COLORS):
        return Plate(
            number=text,
            color=_ORDINARY_COLORS[color] if color is not None else None,
            province=text[0],
            issuer=text[1],
            new_energy=False,
            trailer=False,
            suffix=None,
        )
    plate = _parse_number(text)
    if color is None or not color.strip():
        return plate
    parsed_color = parse_plate_color(color)
    _check_color(plate, parsed_color)
    return replace(plate, color=parsed_color)


def plate_identity(plate: Plate) -> tuple[str, str | None]:
    """The key identifying a vehicle by plate: (number, colour value or None).

    Colour is part of the key because the same number is issued in different colours to
    different vehicles (blue and yellow 苏L12345 are two vehicles).
    """
    return (plate.number, plate.color.value if plate.color is not None else None)
