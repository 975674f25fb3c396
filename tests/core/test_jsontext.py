"""The quick JSON helpers answer exactly as the standard library does."""

from __future__ import annotations

import json
import math

import pytest

from zhifa.core import jsontext

SAME = [
    '{"a": 1, "b": [1.5, "苏L12345", true, null]}',
    '{"a": 1, "a": 2}',
    "[123456789012345678901234567890]",  # beyond 64 bits: kept exact
    "[18446744073709551615, -9223372036854775808]",
    '{"id": "e12345678901234567890123"}',
    "[1e400]",  # a double's overflow: json gives inf
    '"\\ud800"',  # a lone surrogate
    "[0.1, 1e-7, 62.5]",
]


@pytest.mark.parametrize("text", SAME)
def test_loads_equals_the_standard_library(text: str) -> None:
    assert repr(jsontext.loads(text)) == repr(json.loads(text))


def test_loads_nan_as_the_standard_library() -> None:
    assert math.isnan(jsontext.loads("[NaN]")[0])


@pytest.mark.parametrize("text", ["{not json", "[1, 2", '{"a": }', ""])
def test_errors_are_the_standard_library_errors(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        jsontext.loads(text)
    with pytest.raises(json.JSONDecodeError) as std:
        json.loads(text)
    assert (ours.value.msg, ours.value.lineno, ours.value.colno) == (std.value.msg, std.value.lineno, std.value.colno)


@pytest.mark.parametrize(
    "value",
    [{"axles": 3, "gross_kg": "12000.5", "plate": "苏L12345"}, [10**30, 1], {"x": [None, True, 1.25]}, ["\ud800"]],
)
def test_dumps_reads_back_the_same(value: object) -> None:
    assert json.loads(jsontext.dumps(value)) == value
