"""JSON text on the hot paths (event ingestion and the worker's claim), through ``orjson``
(several times quicker than the standard library) with the standard library behind it.

The fallback keeps the standard library's answers exactly: ``orjson`` refuses what ``json``
accepts — ``NaN``/``Infinity``, numbers beyond a double, lone surrogates — so whatever ``orjson``
refuses is handed to ``json``, which either reads it as before or raises its own error (with its
message, line and column). ``orjson`` also reads an integer beyond 64 bits as a float, where
``json`` keeps it exact: text holding a run of 20 or more digits goes to ``json`` directly.
Text written here is compact UTF-8; it reads back the same through ``json.loads`` and the
columns' own JSON types.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: A digit run long enough to be an integer ``orjson`` would not keep exact (> 18446744073709551615).
_LONG_DIGITS = re.compile(r"[0-9]{20}")


def loads(text: str) -> Any:
    """``json.loads``, quicker; errors are the standard library's ``json.JSONDecodeError``."""
    if _LONG_DIGITS.search(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def dumps(value: Any) -> str:
    """JSON text of ``value`` (what ``json.dumps`` accepts; ``orjson`` for the common case)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # e.g. an int beyond 64 bits, a Decimal: the standard library's answer
        return json.dumps(value)
