import pytest

from zhifa.validation import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002X", "110***********002X"),
        ("320102199001011234", "320***********1234"),
        ("USA310170012345", "USA********2345"),
        ("H1234567890", "H******7890"),
        ("E12345678", "E****5678"),
        ("12345678", "1***5678"),
        ("X1234", "X**34"),
        ("1234", "****"),
        ("", ""),
        (" 3201 0219 9001 011234 ", "320***********1234"),
    ],
)
def test_mask_id_number(text: str, expected: str) -> None:
    assert mask_id_number(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李小龙", "李**"), ("张", "*"), ("", ""), (" 王五 ", "王*")],
)
def test_mask_name(name: str, expected: str) -> None:
    assert mask_name(name) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13912345678", "139****5678"),
        ("139 1234 5678", "139****5678"),
        ("139-1234-5678", "139****5678"),
        ("02584123456", "025****3456"),
        ("84123456", "****3456"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, expected: str) -> None:
    assert mask_phone(phone) == expected


@pytest.mark.parametrize("text", ["11010519491231002X", "USA310170012345", "E12345678", "13912345678"])
def test_masks_keep_length_and_hide_at_least_four(text: str) -> None:
    for masked in (mask_id_number(text), mask_phone(text)):
        assert len(masked) == len(text)
        assert masked.count("*") >= 4
