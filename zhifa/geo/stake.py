"""Stake marks (桩号): ``G312 K1183+500`` = route G312, kilometre 1183 plus 500 metres.

Kilometres are kept as ``Decimal`` so that half-open ranges ``[from_km, to_km)`` compare exactly
(no float edge errors at a section boundary).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_STAKE_RE = re.compile(
    r"""^\s*(?P<route>[A-Z]{1,2}\d{1,5}[A-Z]?)\s*
        K\s*(?P<km>\d{1,5})
        (?:\s*\+\s*(?P<m>\d{1,3}(?:\.\d+)?))?\s*$""",
    re.VERBOSE,
)
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋ＫＧＳＸＹＺＣ．", "0123456789+KGSXYZC.")


class StakeError(ValueError):
    pass


@dataclass(frozen=True)
class Stake:
    route: str
    km: Decimal

    def __str__(self) -> str:
        return format_stake(self.route, self.km)


def looks_like_stake(text: str) -> bool:
    t = text.translate(_FULLWIDTH).upper()
    return bool(re.search(r"K\s*\d", t)) and bool(re.match(r"^\s*[A-Z]{1,2}\d", t))


def parse_stake(text: str) -> Stake:
    t = text.translate(_FULLWIDTH).upper()
    m = _STAKE_RE.match(t)
    if not m:
        raise StakeError(f"malformed stake mark {text!r}; expected e.g. 'G312 K1183+500'")
    metres = Decimal(m.group("m") or "0")
    if metres >= 1000:
        raise StakeError(f"metres after '+' must be below 1000 in {text!r}")
    return Stake(m.group("route"), Decimal(m.group("km")) + metres / Decimal(1000))


def to_decimal_km(value: float | int | str | Decimal) -> Decimal:
    """Exact decimal of a kilometre figure as written in a file (1183.1 stays 1183.1)."""
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise StakeError(f"not a number: {value!r}") from exc
    if not d.is_finite():
        raise StakeError(f"not a finite number: {value!r}")
    return d


def format_stake(route: str, km: Decimal | float) -> str:
    d = to_decimal_km(km)
    whole = int(d)
    metres = (d - whole) * 1000
    m_text = f"{metres:.0f}" if metres == metres.to_integral_value() else f"{metres.normalize()}"
    return f"{route} K{whole}+{int(float(m_text)):03d}" if "." not in m_text else f"{route} K{whole}+{m_text}"
