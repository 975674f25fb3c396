import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.validation import (
    NO_PLATE_MARKERS,
    IdentifierError,
    Plate,
    PlateColor,
    is_no_plate_marker,
    parse_plate,
    parse_plate_color,
    plate_identity,
)
from zhifa.validation._text import fold


@pytest.mark.parametrize(
    ("text", "color", "number", "new_energy", "trailer", "suffix"),
    [
        ("苏L12345", "blue", "苏L12345", False, False, None),
        ("苏L12345", "yellow", "苏L12345", False, False, None),
        ("苏L12345", None, "苏L12345", False, False, None),
        ("苏LD12345", "green", "苏LD12345", True, False, None),
        ("苏LFA1234", "green", "苏LFA1234", True, False, None),
        ("苏L12345D", "yellow_green", "苏L12345D", True, False, None),
        ("苏L12345F", "黄绿", "苏L12345F", True, False, None),
        ("苏L1234挂", "yellow", "苏L1234挂", False, True, "挂"),
        ("苏A1234学", "黄色", "苏A1234学", False, False, "学"),
        ("苏A1234警", "white", "苏A1234警", False, False, "警"),
        ("粤Z1234港", "black", "粤Z1234港", False, False, "港"),
        ("沪A1234领", "黑", "沪A1234领", False, False, "领"),
        ("苏LD1234", "blue", "苏LD1234", False, False, None),  # 5 chars: an ordinary plate with D
        ("沪A·12345", None, "沪A12345", False, False, None),
        ("沪A•12345", None, "沪A12345", False, False, None),
        ("沪A-12345", None, "沪A12345", False, False, None),
        (" 沪 a 12345 ", None, "沪A12345", False, False, None),
        ("苏Ｌ１２３４５", None, "苏L12345", False, False, None),
        ("苏ｌｄ１２３４５", "GREEN", "苏LD12345", True, False, None),
    ],
)
def test_valid_plates(
    text: str, color: str | None, number: str, new_energy: bool, trailer: bool, suffix: str | None
) -> None:
    plate = parse_plate(text, color)
    assert plate.number == number
    assert plate.new_energy is new_energy
    assert plate.trailer is trailer
    assert plate.suffix == suffix
    assert plate.province == number[0]
    assert plate.issuer == number[1]


def test_plate_fields() -> None:
    plate = parse_plate("苏L12345", "蓝色")
    assert plate == Plate(
        number="苏L12345",
        color=PlateColor.BLUE,
        province="苏",
        issuer="L",
        new_energy=False,
        trailer=False,
        suffix=None,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        plate.number = "苏L00000"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "color", "field", "reason_part"),
    [
        ("苏LD12345", "blue", "plate_color", "must be green"),
        ("苏LD12345", "yellow_green", "plate_color", "must be green"),
        ("苏L12345D", "green", "plate_color", "must be yellow_green"),
        ("苏L12345D", "blue", "plate_color", "must be yellow_green"),
        ("苏L1234挂", "blue", "plate_color", "trailer"),
        ("苏A1234学", "blue", "plate_color", "driving-school"),
        ("苏A1234警", "blue", "plate_color", "police"),
        ("苏L12345", "green", "plate_color", "new-energy plate colour"),
        ("苏L12345", "purple", "plate_color", "unknown plate colour"),
        ("苏LI2345", None, "plate", "letter I at position 3"),
        ("苏L1234O", None, "plate", "letter O at position 7"),
        ("XX123", None, "plate", "not a province abbreviation"),
        ("AB12345X", None, "plate", "not a province abbreviation"),
        ("无牌", None, "plate", "no plate / unreadable marker"),
        ("未识别", "blue", "plate", "no plate / unreadable marker"),
        ("", None, "plate", "empty"),
        ("使123456", None, "plate", "embassy"),
        ("领A1234", None, "plate", "consulate"),
        ("VA12345", None, "plate", "military"),
        ("WJ0112345", None, "plate", "military"),
        ("苏1234567", None, "plate", "issuing-authority letter"),
        ("苏", None, "plate", "issuing-authority letter"),
        ("苏L1234", None, "plate", "expected 5 characters"),
        ("苏L1234567", None, "plate", "expected 5 characters"),
        ("苏L12345挂", None, "plate", "4 characters before it"),
        ("苏L12挂45", None, "plate", "only be the last character"),
        ("苏L12#45", None, "plate", "'#' at position 5"),
        ("苏LA12345", None, "plate", "6-character (new-energy)"),
        ("苏LD1234A", None, "plate", "6-character (new-energy)"),
        ("苏L1234AD", None, "plate", "6-character (new-energy)"),
        ("苏LDI1234", None, "plate", "letter I"),
    ],
)
def test_invalid_plates(text: str, color: str | None, field: str, reason_part: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_plate(text, color)
    assert exc.value.field == field
    assert reason_part in exc.value.reason
    assert exc.value.reason_zh


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blue", PlateColor.BLUE),
        ("BLUE", PlateColor.BLUE),
        ("Yellow", PlateColor.YELLOW),
        ("yellow_green", PlateColor.YELLOW_GREEN),
        ("Yellow-Green", PlateColor.YELLOW_GREEN),
        ("yellow green", PlateColor.YELLOW_GREEN),
        ("蓝", PlateColor.BLUE),
        ("蓝色", PlateColor.BLUE),
        ("蓝牌", PlateColor.BLUE),
        ("黄", PlateColor.YELLOW),
        ("绿", PlateColor.GREEN),
        ("渐变绿", PlateColor.GREEN),
        ("黄绿", PlateColor.YELLOW_GREEN),
        ("黄绿色", PlateColor.YELLOW_GREEN),
        ("黄绿双拼", PlateColor.YELLOW_GREEN),
        ("黑色", PlateColor.BLACK),
        ("白", PlateColor.WHITE),
        (PlateColor.GREEN, PlateColor.GREEN),
    ],
)
def test_parse_plate_color(text: str, expected: PlateColor) -> None:
    assert parse_plate_color(text) is expected


@pytest.mark.parametrize("text", ["", "红", "bleu", "蓝绿"])
def test_parse_plate_color_rejects(text: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_plate_color(text)
    assert exc.value.field == "plate_color"


@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_color_means_not_given(blank: str) -> None:
    assert parse_plate("苏LD12345", blank).color is None


def test_plate_identity_includes_colour() -> None:
    blue = parse_plate("苏L12345", "blue")
    yellow = parse_plate("苏L12345", "黄")
    assert plate_identity(blue) == ("苏L12345", "blue")
    assert plate_identity(yellow) == ("苏L12345", "yellow")
    assert plate_identity(blue) != plate_identity(yellow)
    assert plate_identity(parse_plate("苏L 12345")) == ("苏L12345", None)
    # Same vehicle however it was typed.
    assert plate_identity(parse_plate("苏ｌ·１２３４５", "蓝色")) == plate_identity(blue)


@pytest.mark.parametrize(("text", "expected"), [("无牌", True), (" 未识别 ", True), ("苏L12345", False), ("", False)])
def test_is_no_plate_marker(text: str, expected: bool) -> None:
    assert is_no_plate_marker(text) is expected


@given(st.text(alphabet=st.sampled_from("无牌未识别 \u3000⽆苏LA1１ａ"), max_size=6))
def test_is_no_plate_marker_quick_answer_equals_folding(text: str) -> None:
    # The quick negative (an ASCII letter or digit second) never contradicts the folded comparison.
    assert is_no_plate_marker(text) is (fold(text) in NO_PLATE_MARKERS)


def test_no_plate_markers_constant() -> None:
    assert frozenset({"无牌", "未识别"}) == NO_PLATE_MARKERS


def test_fast_path_for_canonical_plates_answers_as_the_full_parser() -> None:
    """``_parse_plate`` answers canonical ordinary plates without folding; on a spread of random
    near-canonical inputs it must agree with the full path (same plate, or the same refusal)."""
    import random
    from dataclasses import replace

    from zhifa.validation import plates

    def full(text: str, color: str | None) -> object:
        try:
            plate = plates._parse_number(text)
            if color is None:
                return plate
            c = plates.parse_plate_color(color)
            plates._check_color(plate, c)
            return replace(plate, color=c)
        except IdentifierError as exc:
            return ("error", exc.field, exc.reason)

    def fast(text: str, color: str | None) -> object:
        try:
            return plates._parse_plate.__wrapped__(text, color)  # type: ignore[attr-defined]
        except IdentifierError as exc:
            return ("error", exc.field, exc.reason)

    rng = random.Random(7)
    heads = "苏京沪粤使领WX"
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789挂学警"
    colors = [None, "blue", "yellow", "black", "white", "green", "yellow_green", "Blue", "蓝"]
    fast_answers = 0
    for _ in range(20_000):
        text = (
            rng.choice(heads)
            + rng.choice("LAIOW1")
            + "".join(rng.choice(chars) for _ in range(rng.choice((4, 5, 5, 5, 6))))
        )
        color = rng.choice(colors)
        assert fast(text, color) == full(text, color), (text, color)
        fast_answers += bool(plates._CANONICAL_ORDINARY.fullmatch(text))
    assert fast_answers > 1000  # the fast path was really exercised
