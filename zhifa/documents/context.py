"""The context of a document: the fields a kind requires, checked before anything is written.

Pure: no database, no I/O, no clock. :func:`validate` either returns the normalised context (dates
as :class:`~datetime.date`, amounts as :class:`~decimal.Decimal`, every declared field present,
optional ones as ``None`` or ``[]``) or raises :class:`ContextInvalid` naming *every* problem by
its path (``party.name``, ``evidence[2].content``). A template therefore never meets a missing
field, and a document is never issued half filled.

Amounts are exact: a float is refused, as everywhere money is handled (docs/documents.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.core.errors import ZhifaError

TYPES = ("text", "date", "datetime", "money", "int", "bool", "list", "record", "records")
TYPE_ZH = {
    "text": "文字",
    "date": "日期（YYYY-MM-DD）",
    "datetime": "带时区的时间（ISO 8601）",
    "money": "金额（元，最多两位小数）",
    "int": "整数",
    "bool": "是/否",
    "list": "文字列表",
    "record": "对象",
    "records": "对象列表",
}
#: Keys the service fills in itself; a context may not set them.
RESERVED = frozenset({"number", "issued_on", "title", "kind"})
MAX_TEXT = 20_000
MAX_ITEMS = 500
MAX_YUAN = Decimal("9999999999.99")


@dataclass(frozen=True)
class Field:
    """One context field: ``name`` is the key, ``label`` the Chinese caption shown in the UI."""

    name: str
    label: str
    type: str = "text"
    required: bool = True
    #: Sub-fields of a ``record`` or of each item of ``records``.
    fields: tuple[Field, ...] = ()
    #: Allowed values of a ``text`` field (empty: any).
    choices: tuple[str, ...] = ()
    #: Fewest items of a required ``list`` or ``records``.
    min_items: int = 1
    #: Why the field is required or what it is for, with the article where the law asks for it.
    note: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}")
        if (self.type in ("record", "records")) != bool(self.fields):
            raise ValueError(f"{self.name}: sub-fields go with record/records only")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type, "required": self.required}
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        if self.choices:
            out["choices"] = list(self.choices)
        if self.type in ("list", "records") and self.required:
            out["min_items"] = self.min_items
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Problem:
    field: str
    reason: str
    reason_zh: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "reason_zh": self.reason_zh}


class ContextInvalid(ZhifaError):
    """The context of a document lacks a field or has a wrong one; nothing was written."""

    status = 422
    code = "invalid_context"

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        more_zh = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        super().__init__(
            f"{kind}: {first.field}: {first.reason}{more}; no document was issued",
            f"{kind}：{first.field}：{first.reason_zh}{more_zh}；未制作文书",
            field=first.field,
            problems=[p.as_dict() for p in problems],
        )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def _one(f: Field, value: Any, path: str, problems: list[Problem]) -> Any:
    """The normalised value of one present field, or ``None`` after adding its problem."""

    def bad(reason: str, reason_zh: str) -> None:
        problems.append(Problem(path, reason, reason_zh))

    if f.type == "text":
        if not isinstance(value, str):
            return bad(f"must be text, got {type(value).__name__}", "应为文字")
        text = value.strip()
        if len(text) > MAX_TEXT:
            return bad(f"longer than {MAX_TEXT} characters", f"超过 {MAX_TEXT} 字")
        if f.choices and text not in f.choices:
            return bad(f"{text!r} is not one of {'|'.join(f.choices)}", f"应为：{'、'.join(f.choices)}")
        return text
    if f.type == "date":
        if isinstance(value, datetime):
            return bad("must be a date without a time", "应为日期，不含时间")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            return bad(f"{value!r} is not a date (YYYY-MM-DD)", "不是日期（YYYY-MM-DD）")
    if f.type == "datetime":
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
        except ValueError:
            return bad(f"{value!r} is not a time (ISO 8601 with a zone)", "不是时间（ISO 8601，带时区）")
        if moment.tzinfo is None or moment.utcoffset() is None:
            return bad("a time needs its zone (e.g. +08:00)", "时间须带时区（如 +08:00）")
        return moment
    if f.type == "money":
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            return bad(f"{value!r} is not an amount in yuan (give text or an integer)", "不是以元为单位的金额")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            return bad(f"{value!r} is not an amount in yuan", "不是以元为单位的金额")
        if not amount.is_finite() or amount < 0 or amount > MAX_YUAN:
            return bad(f"{value!r} is out of range", "金额超出范围")
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            return bad(f"{value!r} has more than two decimals", "金额最多两位小数")
        return amount.quantize(Decimal("0.01"))
    if f.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return bad(f"{value!r} is not an integer", "应为整数")
        return value
    if f.type == "bool":
        if not isinstance(value, bool):
            return bad(f"{value!r} is not true or false", "应为是或否")
        return value
    if f.type == "list":
        if not isinstance(value, list):
            return bad("must be a list of texts", "应为文字列表")
        items = []
        for i, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                bad(f"item {i} must be non-empty text", f"第 {i} 项应为非空文字")
            else:
                items.append(item.strip())
        return _count(f, items, path, problems)
    if f.type == "record":
        if not isinstance(value, dict):
            return bad("must be an object", "应为对象")
        return _fields(f.fields, value, path + ".", problems)
    # records
    if not isinstance(value, list):
        return bad("must be a list of objects", "应为对象列表")
    out = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(f"{path}[{i}]", "must be an object", "应为对象"))
            continue
        out.append(_fields(f.fields, item, f"{path}[{i}].", problems))
    return _count(f, out, path, problems)


def _count(f: Field, items: list[Any], path: str, problems: list[Problem]) -> list[Any]:
    if len(items) > MAX_ITEMS:
        problems.append(Problem(path, f"more than {MAX_ITEMS} items", f"超过 {MAX_ITEMS} 项"))
    elif f.required and len(items) < f.min_items:
        problems.append(
            Problem(path, f"needs at least {f.min_items} item(s), got {len(items)}", f"至少 {f.min_items} 项")
        )
    return items


def _fields(fields: tuple[Field, ...], given: dict[str, Any], prefix: str, problems: list[Problem]) -> dict[str, Any]:
    known = {f.name for f in fields}
    for key in sorted(set(given) - known):
        problems.append(Problem(prefix + str(key), "unknown field (a typing error?)", "未定义的字段"))
    out: dict[str, Any] = {}
    for f in fields:
        path = prefix + f.name
        value = given.get(f.name)
        if _missing(value):
            if f.required:
                problems.append(Problem(path, f"required: {f.label}", f"缺少{f.label}"))
            out[f.name] = [] if f.type in ("list", "records") else None
            continue
        out[f.name] = _one(f, value, path, problems)
    return out


def validate(
    kind: str,
    fields: tuple[Field, ...],
    context: Any,
    checks: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = (),
) -> dict[str, Any]:
    """The normalised context, or :class:`ContextInvalid` listing every problem. The ``checks``
    (rules across fields) run once every field is well formed."""
    if not isinstance(context, dict):
        raise ContextInvalid(kind, [Problem("context", "must be an object", "应为对象")])
    problems: list[Problem] = [
        Problem(k, "set by the system, not by the context", "由系统填写，不得在内容中给出")
        for k in sorted(RESERVED & set(context))
    ]
    out = _fields(fields, {k: v for k, v in context.items() if k not in RESERVED}, "", problems)
    if not problems:
        for check in checks:
            problems += check(out)
    if problems:
        raise ContextInvalid(kind, problems)
    return out


def to_json(value: Any) -> Any:
    """A normalised context as JSON (dates and times in ISO 8601, amounts as text)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
