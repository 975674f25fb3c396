"""Settings records: frozen-shape dataclasses stored as JSON and changed as a whole (pure)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Self


class DictRecord:
    """A dataclass mixin: ``as_dict`` for storing, ``from_dict`` that refuses unknown keys and
    turns a wrong shape into ``ValueError`` (the caller answers 400 with the message)."""

    __dataclass_fields__: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        unknown = sorted(set(values) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValueError(str(exc)) from exc
