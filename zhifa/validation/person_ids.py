"""Identity-document numbers of natural persons (当事人证件号码).

* ``resident_id`` — 公民身份号码, GB 11643-1999: 6-digit address code (GB/T 2260), 8-digit birth
  date, 3-digit sequence, 1 check character (ISO 7064 MOD 11-2).
* ``hk_macau_resident_id`` / ``taiwan_resident_id`` — 港澳台居民居住证 (2018): numbered under
  GB 11643 with address codes 81 (Hong Kong), 82 (Macau), 83 (Taiwan).
* ``foreign_permanent_residence`` — 外国人永久居留身份证: the 2017 card's 15 characters (3-letter
  nationality code + 12 digits) or, since 2023-12-01, 18 characters beginning with 9 with the
  GB 11643 check character.
* ``hk_macau_permit`` — 港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macau) + 8 or 10 digits.
* ``taiwan_permit`` — 台湾居民来往大陆通行证 (台胞证): 8 digits (card since 2015), or the older
  10-character form.
* ``passport`` — any country's passport: 5-20 letters/digits (a Chinese e-passport is E + 8
  digits or E + letter + 7 digits, but foreign numbers vary too much to check more).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from zhifa.validation._text import fold, fold_drop_separators
from zhifa.validation.errors import IdentifierError

__all__ = [
    "RESIDENT_ID_PROVINCE_CODES",
    "IdType",
    "birth_date",
    "parse_id_type",
    "parse_person_id",
    "resident_id_check_char",
]


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"  # 护照
    HK_MACAU_PERMIT = "hk_macau_permit"  # 港澳居民来往内地通行证（回乡证）
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证（台胞证）
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证
    HK_MACAU_RESIDENT_ID = "hk_macau_resident_id"  # 港澳居民居住证
    TAIWAN_RESIDENT_ID = "taiwan_resident_id"  # 台湾居民居住证


# Chinese names clerks type into spreadsheets, mapped to the type.
_ID_TYPE_ALIASES: dict[str, IdType] = {
    "身份证": IdType.RESIDENT_ID,
    "居民身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "回乡证": IdType.HK_MACAU_PERMIT,
    "港澳居民来往内地通行证": IdType.HK_MACAU_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "永居证": IdType.FOREIGN_PERMANENT_RESIDENCE,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT_RESIDENCE,
    "港澳居民居住证": IdType.HK_MACAU_RESIDENT_ID,
    "台湾居民居住证": IdType.TAIWAN_RESIDENT_ID,
}

# Provincial address codes (GB/T 2260 first two digits) that begin a GB 11643 number: the 31
# mainland provinces, 71 Taiwan, and 81/82/83 used by the 2018 residence permits for Hong Kong,
# Macau and Taiwan residents.
RESIDENT_ID_PROVINCE_CODES = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)

# GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): W_i = 2^(18-i) mod 11 for positions i = 1..17,
# check = "10X98765432"[sum(a_i * W_i) mod 11] ("X" stands for 10).
_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")
# No GB 11643 number can carry a birth date before the 20th century.
_EARLIEST_BIRTH = date(1900, 1, 1)

_HK_MACAU_PERMIT = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}|[0-9A-Z]{10}")
_PASSPORT = re.compile(r"[0-9A-Z]{5,20}")
_FPR_2017 = re.compile(r"[A-Z]{3}[0-9]{12}")


def _error(reason: str, reason_zh: str) -> IdentifierError:
    return IdentifierError("id_number", reason, reason_zh)


def parse_id_type(text: str) -> IdType:
    """Parse a document type: the English value (any case) or a common Chinese name."""
    key = fold(text).lower()
    for member in IdType:
        if key == member.value:
            return member
    if key in _ID_TYPE_ALIASES:
        return _ID_TYPE_ALIASES[key]
    raise IdentifierError(
        "id_type",
        f"unknown document type {text!r}; use one of {', '.join(t.value for t in IdType)}",
        f"未知的证件类型“{text}”",
    )


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (0-9 or X) for 17 ASCII digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError("resident_id_check_char needs exactly 17 digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def _check_gb11643_syntax(code: str) -> None:
    """18 characters: 17 ASCII digits then a digit or X, and the MOD 11-2 check character."""
    if len(code) != 18:
        raise _error(f"must be 18 characters, got {len(code)}", f"应为18位，实际为{len(code)}位")
    for position, ch in enumerate(code[:17], start=1):
        if ch not in _DIGITS:
            raise _error(
                f"illegal character {ch!r} at position {position}; positions 1-17 are digits",
                f"第{position}位字符“{ch}”非法，前17位应为数字",
            )
    if code[17] not in _DIGITS and code[17] != "X":
        raise _error(
            f"illegal check character {code[17]!r} at position 18; it is a digit or X",
            f"第18位校验码“{code[17]}”非法，应为数字或X",
        )


def _check_gb11643_check_char(code: str) -> None:
    expected = resident_id_check_char(code[:17])
    if code[17] != expected:
        raise _error(
            f"bad check character {code[17]!r} at position 18, expected {expected!r}",
            f"第18位校验码“{code[17]}”错误，应为“{expected}”",
        )


def _birth_date_of(code: str, today: date | None) -> date:
    """The birth date in positions 7-14, checked to be a real date in [1900-01-01, today]."""
    raw = code[6:14]
    try:
        born = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise _error(
            f"positions 7-14 {raw!r} are not a valid birth date (YYYYMMDD)",
            f"第7-14位“{raw}”不是有效的出生日期（年月日）",
        ) from None
    if born < _EARLIEST_BIRTH:
        raise _error(f"birth date {born.isoformat()} is before 1900", f"出生日期{born.isoformat()}早于1900年")
    if today is not None and born > today:
        raise _error(f"birth date {born.isoformat()} is in the future", f"出生日期{born.isoformat()}晚于当前日期")
    return born


def _parse_resident_id(code: str, today: date | None, prefixes: frozenset[str]) -> str:
    if len(code) == 15 and set(code) <= _DIGITS:
        raise _error(
            "15-digit IDs were replaced; give the 18-digit number",
            "15位身份证号码已停止使用，请提供18位公民身份号码",
        )
    _check_gb11643_syntax(code)
    if code[:2] not in prefixes:
        raise _error(
            f"positions 1-2 {code[:2]!r} are not a valid province code",
            f"第1-2位“{code[:2]}”不是有效的省级行政区划代码",
        )
    _birth_date_of(code, today)
    _check_gb11643_check_char(code)
    return code


def _parse_foreign_permanent_residence(code: str) -> str:
    if _FPR_2017.fullmatch(code):
        return code
    if len(code) == 18 and code[0] == "9":
        # The 2023 card follows GB 11643's layout and MOD 11-2 check; the leading 9 marks a
        # foreigner (citizens' numbers begin 1-8).
        _check_gb11643_syntax(code)
        _check_gb11643_check_char(code)
        return code
    raise _error(
        "expected 3 letters + 12 digits (2017 card) or 18 characters beginning with 9 (2023 card)",
        "外国人永久居留身份证号码应为3位字母＋12位数字（2017版）或以9开头的18位号码（2023版）",
    )


_HK_MACAU_PREFIXES = frozenset({"81", "82"})
_TAIWAN_PREFIXES = frozenset({"83"})


def parse_person_id(id_type: IdType | str, text: str, *, today: date | None = None) -> str:
    """Validate a person's document number of the given type and return it normalised
    (full-width folded to ASCII, uppercase, spaces and hyphens removed).

    ``today`` enables the "birth date not in the future" check for GB 11643 numbers; pass the
    caller's clock date (there is no hidden clock here). ``None`` skips that check only.

    Raises :class:`IdentifierError` (field ``id_number``, or ``id_type`` for an unknown type).
    """
    kind = id_type if isinstance(id_type, IdType) else parse_id_type(id_type)
    code = fold_drop_separators(text)
    if not code:
        raise _error("empty document number", "证件号码为空")
    if kind is IdType.RESIDENT_ID:
        return _parse_resident_id(code, today, RESIDENT_ID_PROVINCE_CODES)
    if kind is IdType.HK_MACAU_RESIDENT_ID:
        _check_gb11643_syntax(code)
        if code[:2] not in _HK_MACAU_PREFIXES:
            raise _error(
                "a Hong Kong / Macau residence-permit number begins with 81 or 82",
                "港澳居民居住证号码应以81或82开头",
            )
        return _parse_resident_id(code, today, _HK_MACAU_PREFIXES)
    if kind is IdType.TAIWAN_RESIDENT_ID:
        _check_gb11643_syntax(code)
        if code[:2] not in _TAIWAN_PREFIXES:
            raise _error("a Taiwan residence-permit number begins with 83", "台湾居民居住证号码应以83开头")
        return _parse_resident_id(code, today, _TAIWAN_PREFIXES)
    if kind is IdType.FOREIGN_PERMANENT_RESIDENCE:
        return _parse_foreign_permanent_residence(code)
    if kind is IdType.HK_MACAU_PERMIT:
        if not _HK_MACAU_PERMIT.fullmatch(code):
            raise _error(
                "expected H or M followed by 8 or 10 digits",
                "港澳居民来往内地通行证号码应为H或M加8位或10位数字",
            )
        return code
    if kind is IdType.TAIWAN_PERMIT:
        if not _TAIWAN_PERMIT.fullmatch(code):
            raise _error(
                "expected 8 digits, or 10 letters/digits (older permits)",
                "台湾居民来往大陆通行证号码应为8位数字或10位字母数字（旧版）",
            )
        return code
    # IdType.PASSPORT
    if not _PASSPORT.fullmatch(code):
        raise _error("a passport number is 5-20 letters or digits", "护照号码应为5-20位字母或数字")
    return code


def birth_date(resident_id: str, *, today: date | None = None) -> date:
    """The birth date encoded in a GB 11643 resident ID (validated first, also 81/82/83 permits)."""
    code = parse_person_id(IdType.RESIDENT_ID, resident_id, today=today)
    return _birth_date_of(code, today)
