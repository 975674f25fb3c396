import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from zhifa.validation import USCC_ALPHABET, IdentifierError, parse_uscc, uscc_check_char

# Computed with uscc_check_char and cross-checked against python-stdnum below.
VALID = [
    "91110000600037341L",  # python-stdnum's own example
    "91320191MA1MLLDP3L",  # 91320191MA1MLLDP3 + its check character
    "11100000000013127D",  # 机构编制, central organ (division code 100000)
    "52320100MJ55300036",  # 民政 social organisation
    "Y1320100MA0000000J",  # Y (other authority): stdnum rejects non-digit position 1
    "N2320506MF12345675",  # N (agriculture)
]


def test_weights_are_powers_of_three_mod_31() -> None:
    from zhifa.validation.uscc import _WEIGHTS

    assert tuple(pow(3, i, 31) for i in range(17)) == _WEIGHTS


@pytest.mark.parametrize("code", VALID)
def test_valid_uscc(code: str) -> None:
    assert parse_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]
    if code[:8].isdigit():  # stdnum only knows digit-only authority/category/division parts
        assert stdnum_uscc.is_valid(code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91110000600037341l", "91110000600037341L"),
        (" 9111 0000 6000 3734 1L ", "91110000600037341L"),
        ("911100-00600037341L", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
    ],
)
def test_uscc_normalised(text: str, expected: str) -> None:
    assert parse_uscc(text) == expected


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "must be 18 characters, got 0"),
        ("9111000060003734", "must be 18 characters, got 16"),
        ("91110000600037341L0", "must be 18 characters, got 19"),
        ("91320191MA1MLLDP3C", "bad check character 'C' at position 18, expected 'L'"),
        ("91110000600037341X", "expected 'L'"),
        ("9111000060003734IL", "illegal character 'I' at position 17"),
        ("91110000O00037341L", "illegal character 'O' at position 9"),
        ("91110000600037341Z", "position 18"),
        ("9111000060003734#L", "illegal character '#' at position 17"),
        ("01110000600037341L", "registration-authority"),
        ("B1110000600037341L", "registration-authority"),
        ("90110000600037341L", "entity-category"),
        ("911A0000600037341L", "administrative division"),
    ],
)
def test_invalid_uscc(text: str, reason_part: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_uscc(text)
    assert exc.value.field == "uscc"
    assert reason_part in exc.value.reason
    assert exc.value.reason_zh


def test_check_char_needs_17() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("123")


_body = st.tuples(
    st.sampled_from("123456789ANY"),
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(_body)
def test_property_computed_check_char_is_valid(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert parse_uscc(code) == code
    assert uscc_check_char(first17) == stdnum_uscc.calc_check_digit(first17)
    if code[:8].isdigit():
        assert stdnum_uscc.is_valid(code)


@given(_body, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=30))
def test_property_any_single_substitution_is_rejected(first17: str, position: int, shift: int) -> None:
    # Weights 3^i mod 31 are all non-zero mod the prime 31, so changing one character always
    # changes the weighted sum mod 31 and the check character no longer matches.
    code = first17 + uscc_check_char(first17)
    replacement = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % 31]
    flipped = code[:position] + replacement + code[position + 1 :]
    assert flipped != code
    with pytest.raises(IdentifierError):
        parse_uscc(flipped)
