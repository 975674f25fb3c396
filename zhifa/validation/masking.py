"""Display masking of personal data (个人信息去标识化展示).

Masking is for display and export only: the functions do not validate and never fail on odd
input, they only ever hide more. The kept parts follow common practice under GB/T 35273-2020
(personal information security specification): enough to let a clerk tell records apart,
never enough to reconstruct the number.
"""

from __future__ import annotations

from zhifa.validation._text import fold_drop_separators

__all__ = ["mask_id_number", "mask_name", "mask_phone"]


def _mask(text: str, head: int, tail: int) -> str:
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(text: str) -> str:
    """Mask a document number: keep the first 3 and last 4 characters of long numbers (15+,
    i.e. resident IDs and permanent-residence cards: ``320***********1234``), the first 1 and
    last 4 of short ones (passports, permits: ``E****5678``); 5-7 characters keep the first 1
    and last 2, and anything shorter is fully masked, so at least 4 characters are always hidden
    when there are that many to hide.
    """
    code = fold_drop_separators(text)
    n = len(code)
    if n >= 15:
        return _mask(code, 3, 4)
    if n >= 8:
        return _mask(code, 1, 4)
    if n >= 5:
        return _mask(code, 1, 2)
    return "*" * n


def mask_name(name: str) -> str:
    """Keep the first character (usually the surname) and star the rest: 张三 -> 张*,
    欧阳娜娜 -> 欧***. A one-character name is fully masked."""
    stripped = name.strip()
    if len(stripped) <= 1:
        return "*" * len(stripped)
    return stripped[0] + "*" * (len(stripped) - 1)


def mask_phone(phone: str) -> str:
    """Mask a phone number: 11+ characters (mobile) keep the first 3 and last 4
    (``139****5678``); 5-10 (landline) keep the last 4; shorter ones are fully masked."""
    digits = fold_drop_separators(phone)
    n = len(digits)
    if n >= 11:
        return _mask(digits, 3, 4)
    if n >= 5:
        return _mask(digits, 0, 4)
    return "*" * n
