"""Maritime Mobile Service Identities (MMSI), ITU-R M.585 (assignment) and M.1371 (AIS).

An MMSI is 9 digits. Its leading digits say what kind of station it is and, for most kinds,
where the 3-digit Maritime Identification Digits (MID, ITU Radio Regulations Appendix 43) sit:

=============  ===============================  ===========
pattern        kind                              ``kind``
=============  ===============================  ===========
MIDxxxxxx      ship station                      ship
0MIDxxxxx      group of ship stations            group
00MIDxxxx      coast station / AIS base station  coast_station
111MIDxxx      SAR aircraft                      sar_aircraft
8MIDxxxxx      diver's / handheld VHF radio      diver
98MIDxxxx      craft associated with a parent    auxiliary
99MIDxxxx      aid to navigation (AtoN)          aton
970/972/974    AIS-SART / MOB / EPIRB-AIS         sart_mob_epirb
979xxxxxx      autonomous maritime radio device  amrd
=============  ===============================  ===========

MIDs start with 2-7 (the digit is the ITU region). The allocation table itself changes, so
only that range is checked; a foreign MID is just as valid as a Chinese one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zhifa.validation._text import fold
from zhifa.validation.errors import IdentifierError

__all__ = ["CHINESE_MIDS", "Mmsi", "MmsiKind", "is_aton", "is_base_station", "parse_mmsi"]

MmsiKind = Literal[
    "ship",
    "group",
    "coast_station",
    "sar_aircraft",
    "diver",
    "auxiliary",
    "aton",
    "sart_mob_epirb",
    "amrd",
]

# Mainland China's MIDs. 453 (Macau) and 477 (Hong Kong) are separate ITU administrations.
CHINESE_MIDS = frozenset({"412", "413", "414"})


@dataclass(frozen=True, slots=True)
class Mmsi:
    """A validated MMSI: ``value`` the 9 digits, ``mid`` the MID (``None`` for SART/MOB/EPIRB
    and AMRD, which carry a manufacturer code instead), ``chinese`` whether the MID is mainland
    China's (an attribute, not a validity condition)."""

    value: str
    kind: MmsiKind
    mid: str | None
    chinese: bool

    def __str__(self) -> str:
        return self.value


def _error(reason: str, reason_zh: str) -> IdentifierError:
    return IdentifierError("mmsi", reason, reason_zh)


def _classify(value: str) -> tuple[MmsiKind, str | None]:
    """Kind and MID position per ITU-R M.585; raises if no assigned pattern matches."""
    kind: MmsiKind
    mid: str
    if value.startswith("00"):
        kind, mid = "coast_station", value[2:5]
    elif value.startswith("0"):
        kind, mid = "group", value[1:4]
    elif value.startswith("111"):
        kind, mid = "sar_aircraft", value[3:6]
    elif value.startswith("8"):
        kind, mid = "diver", value[1:4]
    elif value.startswith("98"):
        kind, mid = "auxiliary", value[2:5]
    elif value.startswith("99"):
        kind, mid = "aton", value[2:5]
    elif value[:3] in ("970", "972", "974"):
        return "sart_mob_epirb", None
    elif value.startswith("979"):
        return "amrd", None
    elif value[0] in "234567":
        kind, mid = "ship", value[:3]
    else:
        raise _error(
            f"{value} does not match any MMSI pattern of ITU-R M.585",
            f"{value}不符合ITU-R M.585规定的任何MMSI格式",
        )
    if mid[0] not in "234567":
        raise _error(
            f"{value}: the MID {mid} of a {kind.replace('_', ' ')} identity must begin with 2-7",
            f"{value}：海上识别数字（MID）{mid}应以2-7开头",
        )
    return kind, mid


def parse_mmsi(value: str | int) -> Mmsi:
    """Validate an MMSI given as text or as an integer.

    Text must be exactly 9 digits after whitespace is removed (full-width digits are folded).
    An integer is zero-padded to 9 digits: AIS (ITU-R M.1371) transmits the MMSI as a 30-bit
    integer, so the leading zeros of group and coast-station identities are lost in numeric
    form and must be restored.

    Raises :class:`IdentifierError` (field ``mmsi``).
    """
    if isinstance(value, bool):
        raise _error("an MMSI is not a boolean", "MMSI不能是布尔值")
    if isinstance(value, int):
        if not 0 <= value <= 999_999_999:
            raise _error(f"{value} is out of the 9-digit MMSI range", f"{value}超出9位MMSI范围")
        text = f"{value:09d}"
    else:
        text = fold(value)
    if not text:
        raise _error("empty MMSI", "MMSI为空")
    if not all("0" <= ch <= "9" for ch in text):
        raise _error(f"{value!r} must contain digits only", f"“{value}”只能包含数字")
    if len(text) != 9:
        raise _error(f"must be exactly 9 digits, got {len(text)}", f"应为9位数字，实际为{len(text)}位")
    if text == "000000000":
        raise _error("000000000 is the 'no MMSI' placeholder", "000000000表示未设置MMSI，不是有效号码")
    kind, mid = _classify(text)
    return Mmsi(value=text, kind=kind, mid=mid, chinese=mid in CHINESE_MIDS)


def _as_mmsi(mmsi: Mmsi | str | int) -> Mmsi:
    return mmsi if isinstance(mmsi, Mmsi) else parse_mmsi(mmsi)


def is_base_station(mmsi: Mmsi | str | int) -> bool:
    """True for coast / AIS base stations (00MIDxxxx). Raw values are parsed first (and raise
    :class:`IdentifierError` if invalid)."""
    return _as_mmsi(mmsi).kind == "coast_station"


def is_aton(mmsi: Mmsi | str | int) -> bool:
    """True for aids to navigation (99MIDxxxx). Raw values are parsed first (and raise
    :class:`IdentifierError` if invalid)."""
    return _as_mmsi(mmsi).kind == "aton"
