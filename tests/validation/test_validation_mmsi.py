import dataclasses

import pytest

from zhifa.validation import IdentifierError, Mmsi, is_aton, is_base_station, parse_mmsi


@pytest.mark.parametrize(
    ("value", "digits", "kind", "mid", "chinese"),
    [
        ("412345678", "412345678", "ship", "412", True),
        (412345678, "412345678", "ship", "412", True),
        ("413000001", "413000001", "ship", "413", True),
        ("414123456", "414123456", "ship", "414", True),
        ("235009802", "235009802", "ship", "235", False),
        ("477123456", "477123456", "ship", "477", False),  # Hong Kong: valid, not mainland
        ("453123456", "453123456", "ship", "453", False),  # Macau
        (" 235 009 802 ", "235009802", "ship", "235", False),
        ("２３５００９８０２", "235009802", "ship", "235", False),
        ("002734567", "002734567", "coast_station", "273", False),
        ("004123456", "004123456", "coast_station", "412", True),
        (2734567, "002734567", "coast_station", "273", False),  # integer form lost its zeros
        ("041212345", "041212345", "group", "412", True),
        ("111412123", "111412123", "sar_aircraft", "412", True),
        ("841312345", "841312345", "diver", "413", True),
        ("984121234", "984121234", "auxiliary", "412", True),
        ("992351234", "992351234", "aton", "235", False),
        ("994131234", "994131234", "aton", "413", True),
        ("970011234", "970011234", "sart_mob_epirb", None, False),
        ("972011234", "972011234", "sart_mob_epirb", None, False),
        ("974011234", "974011234", "sart_mob_epirb", None, False),
        ("979011234", "979011234", "amrd", None, False),
    ],
)
def test_valid_mmsi(value: str | int, digits: str, kind: str, mid: str | None, chinese: bool) -> None:
    mmsi = parse_mmsi(value)
    assert mmsi == Mmsi(value=digits, kind=mmsi.kind, mid=mid, chinese=chinese)
    assert mmsi.kind == kind
    assert str(mmsi) == digits


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("12345678", "exactly 9 digits, got 8"),
        ("4123456789", "exactly 9 digits, got 10"),
        ("abc", "digits only"),
        ("41234567A", "digits only"),
        ("", "empty"),
        ("   ", "empty"),
        ("000000000", "placeholder"),
        (0, "placeholder"),
        (-1, "out of the 9-digit"),
        (1_000_000_000, "out of the 9-digit"),
        (True, "boolean"),
        ("123456789", "does not match"),
        ("912345678", "does not match"),
        ("971123456", "does not match"),
        ("112412123", "does not match"),
        ("012345678", "must begin with 2-7"),
        ("001234567", "must begin with 2-7"),
        ("000123456", "must begin with 2-7"),
        ("991231234", "must begin with 2-7"),
        ("811234567", "must begin with 2-7"),
        ("111812123", "must begin with 2-7"),
    ],
)
def test_invalid_mmsi(value: str | int, reason_part: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_mmsi(value)
    assert exc.value.field == "mmsi"
    assert reason_part in exc.value.reason
    assert exc.value.reason_zh


@pytest.mark.parametrize(
    ("value", "base", "aton"),
    [("002734567", True, False), ("992351234", False, True), ("412345678", False, False)],
)
def test_station_predicates(value: str, base: bool, aton: bool) -> None:
    assert is_base_station(parse_mmsi(value)) is base
    assert is_base_station(value) is base
    assert is_aton(parse_mmsi(value)) is aton
    assert is_aton(value) is aton


def test_predicates_reject_invalid_raw_value() -> None:
    with pytest.raises(IdentifierError):
        is_aton("12345678")


def test_mmsi_is_frozen() -> None:
    mmsi = parse_mmsi("412345678")
    with pytest.raises(dataclasses.FrozenInstanceError):
        mmsi.value = "413000000"  # type: ignore[misc]
