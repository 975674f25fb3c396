import pickle

import pytest

from zhifa.validation import IdentifierError, parse_uscc


def test_identifier_error_is_value_error_with_fields() -> None:
    err = IdentifierError("uscc", "must be 18 characters, got 3", "应为18位，实际为3位")
    assert isinstance(err, ValueError)
    assert (err.field, err.reason, err.reason_zh) == (
        "uscc",
        "must be 18 characters, got 3",
        "应为18位，实际为3位",
    )
    assert str(err) == "uscc: must be 18 characters, got 3"


def test_identifier_error_pickles() -> None:
    err = IdentifierError("plate", "empty plate number", "车牌号为空")
    back = pickle.loads(pickle.dumps(err))
    assert (back.field, back.reason, back.reason_zh) == (err.field, err.reason, err.reason_zh)


def test_parsers_raise_identifier_error_catchable_as_value_error() -> None:
    with pytest.raises(ValueError):
        parse_uscc("123")
