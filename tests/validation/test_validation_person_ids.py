from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from zhifa.validation import (
    RESIDENT_ID_PROVINCE_CODES,
    IdentifierError,
    IdType,
    birth_date,
    parse_id_type,
    parse_person_id,
    resident_id_check_char,
)

KNOWN_VALID = "11010519491231002X"  # the public example from GB 11643-1999


def _with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def test_known_valid_resident_id() -> None:
    assert parse_person_id(IdType.RESIDENT_ID, KNOWN_VALID) == KNOWN_VALID
    assert ric.is_valid(KNOWN_VALID)
    assert birth_date(KNOWN_VALID) == date(1949, 12, 31)


def test_weights_are_powers_of_two_mod_11() -> None:
    from zhifa.validation.person_ids import _GB11643_WEIGHTS

    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == _GB11643_WEIGHTS


@pytest.mark.parametrize(
    ("id_type", "text", "expected"),
    [
        (IdType.RESIDENT_ID, "11010519491231002x", KNOWN_VALID),
        ("resident_id", " 110105 19491231 002X ", KNOWN_VALID),
        ("RESIDENT_ID", "１１０１０５１９４９１２３１００２Ｘ", KNOWN_VALID),
        ("身份证", KNOWN_VALID, KNOWN_VALID),
        (IdType.RESIDENT_ID, _with_check("32010219900101123"), _with_check("32010219900101123")),
        (IdType.RESIDENT_ID, _with_check("65010219000101123"), _with_check("65010219000101123")),
        (IdType.RESIDENT_ID, _with_check("81000019800229001"), _with_check("81000019800229001")),
        (IdType.HK_MACAU_RESIDENT_ID, _with_check("81000019800101001"), _with_check("81000019800101001")),
        (IdType.HK_MACAU_RESIDENT_ID, _with_check("82000019800101001"), _with_check("82000019800101001")),
        (IdType.TAIWAN_RESIDENT_ID, _with_check("83000019800101001"), _with_check("83000019800101001")),
        (IdType.FOREIGN_PERMANENT_RESIDENCE, "USA310170012345", "USA310170012345"),
        (IdType.FOREIGN_PERMANENT_RESIDENCE, "usa310170012345", "USA310170012345"),
        (
            IdType.FOREIGN_PERMANENT_RESIDENCE,
            _with_check("93184019800101001"),
            _with_check("93184019800101001"),
        ),
        (IdType.HK_MACAU_PERMIT, "H12345678", "H12345678"),
        (IdType.HK_MACAU_PERMIT, "m1234567890", "M1234567890"),
        (IdType.TAIWAN_PERMIT, "12345678", "12345678"),
        (IdType.TAIWAN_PERMIT, "1234567890", "1234567890"),
        (IdType.TAIWAN_PERMIT, "12345678AB", "12345678AB"),
        (IdType.PASSPORT, "E12345678", "E12345678"),
        (IdType.PASSPORT, "ea1234567", "EA1234567"),
        (IdType.PASSPORT, "X1234", "X1234"),
        (IdType.PASSPORT, "A" * 20, "A" * 20),
        ("护照", "P 1234567", "P1234567"),
    ],
)
def test_valid_person_ids(id_type: IdType | str, text: str, expected: str) -> None:
    assert parse_person_id(id_type, text) == expected


@pytest.mark.parametrize(
    ("id_type", "text", "reason_part"),
    [
        (IdType.RESIDENT_ID, "110105194912310021", "bad check character '1' at position 18, expected 'X'"),
        (IdType.RESIDENT_ID, "11010519491231003X", "bad check character"),
        (IdType.RESIDENT_ID, "110105491231002", "15-digit IDs were replaced; give the 18-digit number"),
        (IdType.RESIDENT_ID, "11010519491231002", "must be 18 characters, got 17"),
        (IdType.RESIDENT_ID, "11010519491231002XX", "must be 18 characters, got 19"),
        (IdType.RESIDENT_ID, "1101051949123100A2", "illegal character 'A' at position 17"),
        (IdType.RESIDENT_ID, "11010519491231002Y", "illegal check character 'Y'"),
        (IdType.RESIDENT_ID, "", "empty"),
        (IdType.RESIDENT_ID, _with_check("99010519491231002"), "province code"),
        (IdType.RESIDENT_ID, _with_check("10010519491231002"), "province code"),
        (IdType.RESIDENT_ID, _with_check("11010519490231002"), "not a valid birth date"),
        (IdType.RESIDENT_ID, _with_check("11010519491301002"), "not a valid birth date"),
        (IdType.RESIDENT_ID, _with_check("11010519010229002"), "not a valid birth date"),
        (IdType.RESIDENT_ID, _with_check("11010518991231002"), "before 1900"),
        (IdType.HK_MACAU_RESIDENT_ID, KNOWN_VALID, "begins with 81 or 82"),
        (IdType.HK_MACAU_RESIDENT_ID, _with_check("83000019800101001"), "begins with 81 or 82"),
        (IdType.TAIWAN_RESIDENT_ID, _with_check("81000019800101001"), "begins with 83"),
        (IdType.TAIWAN_RESIDENT_ID, "8300001980010100", "must be 18 characters"),
        (IdType.FOREIGN_PERMANENT_RESIDENCE, "US3310170012345", "3 letters + 12 digits"),
        (IdType.FOREIGN_PERMANENT_RESIDENCE, KNOWN_VALID, "beginning with 9"),
        (IdType.FOREIGN_PERMANENT_RESIDENCE, "931840198001010010", "bad check character"),
        (IdType.HK_MACAU_PERMIT, "C12345678", "H or M"),
        (IdType.HK_MACAU_PERMIT, "H123456789", "H or M"),
        (IdType.HK_MACAU_PERMIT, "H1234567", "H or M"),
        (IdType.TAIWAN_PERMIT, "1234567", "8 digits"),
        (IdType.TAIWAN_PERMIT, "123456789", "8 digits"),
        (IdType.TAIWAN_PERMIT, "1234567A", "8 digits"),
        (IdType.PASSPORT, "E123", "5-20"),
        (IdType.PASSPORT, "A" * 21, "5-20"),
        (IdType.PASSPORT, "E1234#678", "5-20"),
        (IdType.PASSPORT, "护照12345", "5-20"),
    ],
)
def test_invalid_person_ids(id_type: IdType, text: str, reason_part: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_person_id(id_type, text)
    assert exc.value.field == "id_number"
    assert reason_part in exc.value.reason
    assert exc.value.reason_zh


def test_future_birth_date_needs_today() -> None:
    code = _with_check("32010220300101123")
    # Without a clock the future check is skipped (the caller owns the clock).
    assert parse_person_id(IdType.RESIDENT_ID, code) == code
    with pytest.raises(IdentifierError, match="in the future"):
        parse_person_id(IdType.RESIDENT_ID, code, today=date(2029, 12, 31))
    assert parse_person_id(IdType.RESIDENT_ID, code, today=date(2030, 1, 1)) == code
    with pytest.raises(IdentifierError, match="in the future"):
        birth_date(code, today=date(2025, 6, 1))


def test_birth_date_rejects_invalid() -> None:
    with pytest.raises(IdentifierError):
        birth_date("110105194912310021")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("resident_id", IdType.RESIDENT_ID),
        ("Passport", IdType.PASSPORT),
        (" hk_macau_permit ", IdType.HK_MACAU_PERMIT),
        ("居民身份证", IdType.RESIDENT_ID),
        ("回乡证", IdType.HK_MACAU_PERMIT),
        ("台胞证", IdType.TAIWAN_PERMIT),
        ("永居证", IdType.FOREIGN_PERMANENT_RESIDENCE),
        ("港澳居民居住证", IdType.HK_MACAU_RESIDENT_ID),
        ("台湾居民居住证", IdType.TAIWAN_RESIDENT_ID),
    ],
)
def test_parse_id_type(text: str, expected: IdType) -> None:
    assert parse_id_type(text) is expected


def test_unknown_id_type() -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_person_id("driving_licence", KNOWN_VALID)
    assert exc.value.field == "id_type"


def test_check_char_needs_17_digits() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1234")
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100A")


_resident_body = st.tuples(
    st.sampled_from(sorted(RESIDENT_ID_PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
).map("".join)

_CHECK_ALPHABET = "0123456789X"


@given(_resident_body)
def test_property_computed_check_char_is_valid(first17: str) -> None:
    code = _with_check(first17)
    assert parse_person_id(IdType.RESIDENT_ID, code, today=date(2025, 1, 1)) == code
    # python-stdnum's independent MOD 11-2 implementation agrees.
    assert ric.calc_check_digit(code) == code[17]


@given(_resident_body, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_property_any_single_substitution_is_rejected(first17: str, position: int, shift: int) -> None:
    # Weights 2^k mod 11 are non-zero mod the prime 11 and digit changes are below 11, so one
    # changed digit always changes the sum mod 11 (a changed check character is caught directly).
    code = _with_check(first17)
    if position == 17:
        replacement = _CHECK_ALPHABET[(_CHECK_ALPHABET.index(code[17]) + shift) % 11]
    else:
        replacement = str((int(code[position]) + shift) % 10) if shift < 10 else code[position]
        if replacement == code[position]:
            replacement = str((int(code[position]) + 1) % 10)
    flipped = code[:position] + replacement + code[position + 1 :]
    assert flipped != code
    with pytest.raises(IdentifierError):
        parse_person_id(IdType.RESIDENT_ID, flipped)
