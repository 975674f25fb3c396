"""API schemas of routing answers (documentation for OpenAPI; the routes return JSON directly)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class RouteAnswer(BaseModel):
    matter: str
    unit: str
    unit_name: str
    mode: Literal["strip", "block", "referral", "department", "fallback"]
    outside_jurisdiction: bool
    section: dict[str, Any] | None = None
    block: dict[str, Any] | None = None
    duty: dict[str, Any] | None = None
    reason: str
    location: dict[str, Any]


class RouteError(BaseModel):
    error: dict[str, Any]
