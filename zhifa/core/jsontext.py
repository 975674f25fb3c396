"""JSON text on the hot paths (event ingestion and the worker's claim), through ``msgspec``
(several times quicker than the standard library) with the standard library behind it.

Reading keeps the standard library's answers exactly: whatever ``msgspec`` refuses that ``json``
accepts — ``NaN``/``Infinity``, numbers beyond a double, lone surrogates — is handed to
``json``, which either reads it as before or raises its own ``JSONDecodeError`` (with its
message, line and column). Integers of any size stay exact either way.

Writing is for JSON-shaped values (dicts with string keys, lists, strings, numbers, booleans,
``None``): compact UTF-8 that reads back equal through ``json.loads`` and the columns' own JSON
types. A non-finite float would be written ``null``; the ingestion path refuses those earlier.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def loads(text: str | bytes) -> Any:
    """``json.loads``, quicker; errors are the standard library's ``json.JSONDecodeError``."""
    try:
        return _decode(text)
    except (msgspec.MsgspecError, UnicodeError):
        return json.loads(text)


def dumps(value: Any) -> str:
    """JSON text of a JSON-shaped ``value``."""
    try:
        return _encode(value).decode("utf-8")
    except (TypeError, UnicodeError, msgspec.MsgspecError):
        return json.dumps(value)
