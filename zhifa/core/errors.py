"""Typed domain errors. Each carries its HTTP status, a stable code, an English message for the
API and a Chinese message for the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ItemError:
    """One rejected row, feature or field, with the reason."""

    where: str
    reason: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"where": self.where, "reason": self.reason}
        if self.field:
            out["field"] = self.field
        return out

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.field + ': ' if self.field else ''}{self.reason}"


class ZhifaError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, message_zh: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        out.update(self.details)
        return out


class BadRequest(ZhifaError):
    status = 400
    code = "bad_request"


class InvalidField(ZhifaError):
    """A field failed validation (plate, USCC, ID number, MMSI, geometry …)."""

    status = 422
    code = "invalid_field"

    def __init__(self, field_name: str, reason: str, reason_zh: str | None = None) -> None:
        super().__init__(f"{field_name}: {reason}", f"{field_name}：{reason_zh or reason}", field=field_name)
        self.field = field_name
        self.reason = reason


class ImportRejected(ZhifaError):
    """An all-or-nothing import found errors; nothing was written."""

    status = 422
    code = "import_rejected"

    def __init__(self, errors: list[ItemError], what: str = "import") -> None:
        self.errors = errors
        super().__init__(
            f"{what} rejected: {len(errors)} error(s); nothing was imported",
            f"导入失败：{len(errors)} 处错误，未导入任何数据",
            errors=[e.as_dict() for e in errors],
        )


class NotFound(ZhifaError):
    status = 404
    code = "not_found"


class Conflict(ZhifaError):
    status = 409
    code = "conflict"


class Unauthorized(ZhifaError):
    status = 401
    code = "unauthorized"


class Forbidden(ZhifaError):
    status = 403
    code = "forbidden"


@dataclass
class Report:
    """Collects per-item errors during validation of a batch."""

    errors: list[ItemError] = field(default_factory=list)

    def add(self, where: str, reason: str, field_name: str | None = None) -> None:
        self.errors.append(ItemError(where, reason, field_name))

    def raise_if_any(self, what: str) -> None:
        if self.errors:
            raise ImportRejected(self.errors, what)
