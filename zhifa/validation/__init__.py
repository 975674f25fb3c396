"""Pure validation of the identifiers the platform records: vehicle plates (GA 36-2018),
Unified Social Credit Codes (GB 32100-2015), personal document numbers (GB 11643-1999 and
the permits), MMSIs (ITU-R M.585 / M.1371), and display masking of personal data.

No I/O and no clock: every ``parse_*`` function either returns a normalised value or raises
:class:`IdentifierError` with ``field``, ``reason`` and ``reason_zh``.
"""

from zhifa.validation.errors import IdentifierError
from zhifa.validation.masking import mask_id_number, mask_name, mask_phone
from zhifa.validation.mmsi import CHINESE_MIDS, Mmsi, MmsiKind, is_aton, is_base_station, parse_mmsi
from zhifa.validation.person_ids import (
    RESIDENT_ID_PROVINCE_CODES,
    IdType,
    birth_date,
    parse_id_type,
    parse_person_id,
    resident_id_check_char,
)
from zhifa.validation.plates import (
    NO_PLATE_MARKERS,
    PLATE_SUFFIXES,
    PROVINCE_ABBREVIATIONS,
    Plate,
    PlateColor,
    is_no_plate_marker,
    parse_plate,
    parse_plate_color,
    plate_identity,
)
from zhifa.validation.uscc import USCC_ALPHABET, parse_uscc, uscc_check_char

__all__ = [
    "CHINESE_MIDS",
    "NO_PLATE_MARKERS",
    "PLATE_SUFFIXES",
    "PROVINCE_ABBREVIATIONS",
    "RESIDENT_ID_PROVINCE_CODES",
    "USCC_ALPHABET",
    "IdType",
    "IdentifierError",
    "Mmsi",
    "MmsiKind",
    "Plate",
    "PlateColor",
    "birth_date",
    "is_aton",
    "is_base_station",
    "is_no_plate_marker",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "parse_id_type",
    "parse_mmsi",
    "parse_person_id",
    "parse_plate",
    "parse_plate_color",
    "parse_uscc",
    "plate_identity",
    "resident_id_check_char",
    "uscc_check_char",
]
