"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

18 characters over a 31-symbol alphabet (digits and capitals without I, O, Z, S, V, which are
confusable with 1, 0, 2, 5, U):

====  ==========================================================
pos   meaning
====  ==========================================================
1     registration authority (登记管理部门代码)
2     entity category (机构类别代码)
3-8   administrative division code of the registering office (GB/T 2260)
9-17  organisation identifier (主体标识码, the old GB 11714 organisation code)
18    check character
====  ==========================================================

Check character (GB 32100-2015 §5): with each character's value its index in the alphabet and
weights W_i = 3^(i-1) mod 31, C18 = alphabet[(31 - sum(C_i * W_i) mod 31) mod 31].
"""

from __future__ import annotations

from zhifa.validation._text import fold_drop_separators
from zhifa.validation.errors import IdentifierError

__all__ = ["USCC_ALPHABET", "parse_uscc", "uscc_check_char"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# W_i = 3^(i-1) mod 31 for i = 1..17 (spelled out as printed in the standard; a test recomputes it).
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authorities: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会,
# 9 市场监管 (工商), A 中央军委改革和编制办公室, N 农业, Y 其他. The list was extended after 2015
# (the standard reserves the rest of the alphabet for this), so accept the assigned set only.
_AUTHORITIES = frozenset("123456789ANY")
# Category codes are digits 1-9 under every authority; 0 is not assigned.
_CATEGORIES = frozenset("123456789")
_NOT_USED = frozenset("IOZSV")


def _error(reason: str, reason_zh: str) -> IdentifierError:
    return IdentifierError("uscc", reason, reason_zh)


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters (already uppercase)."""
    if len(first17) != 17:
        raise ValueError("uscc_check_char needs exactly 17 characters")
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(text: str) -> str:
    """Validate a USCC and return it normalised (uppercase, no spaces or hyphens).

    Raises :class:`IdentifierError` (field ``uscc``) naming the problem: length, an illegal
    character and its 1-based position, the authority / category / division part, or the
    check character with the expected value.
    """
    code = fold_drop_separators(text)
    if len(code) != 18:
        raise _error(f"must be 18 characters, got {len(code)}", f"应为18位，实际为{len(code)}位")
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUES:
            if ch in _NOT_USED:
                raise _error(
                    f"illegal character {ch!r} at position {position} (the letters I, O, Z, S, V are not used)",
                    f"第{position}位字符“{ch}”非法（不使用字母I、O、Z、S、V）",
                )
            raise _error(
                f"illegal character {ch!r} at position {position}",
                f"第{position}位字符“{ch}”非法",
            )
    if code[0] not in _AUTHORITIES:
        raise _error(
            f"position 1 {code[0]!r} is not a registration-authority code (1-9, A, N, Y)",
            f"第1位“{code[0]}”不是登记管理部门代码（1-9、A、N、Y）",
        )
    if code[1] not in _CATEGORIES:
        raise _error(
            f"position 2 {code[1]!r} is not an entity-category code (1-9)",
            f"第2位“{code[1]}”不是机构类别代码（1-9）",
        )
    if not code[2:8].isdigit():
        raise _error(
            f"positions 3-8 {code[2:8]!r} must be the 6-digit administrative division code",
            f"第3-8位“{code[2:8]}”应为6位数字行政区划码",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise _error(
            f"bad check character {code[17]!r} at position 18, expected {expected!r}",
            f"第18位校验码“{code[17]}”错误，应为“{expected}”",
        )
    return code
