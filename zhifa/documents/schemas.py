"""Request bodies of the documents API (responses are plain JSON built by the service)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class IssueIn(BaseModel):
    kind: str = Field(max_length=48, examples=["penalty_decision"])
    context: dict[str, Any] = Field(description="the kind's fields (GET /api/v1/documents/kinds)")
    case_ref: str | None = Field(default=None, max_length=64, description="the case the document belongs to")


class PreviewIn(BaseModel):
    kind: str = Field(max_length=48)
    context: dict[str, Any]


class TemplateIn(BaseModel):
    source: str = Field(description="Jinja template extending _layout.html (sandboxed)")
    note: str | None = Field(default=None, max_length=500, description="why the template changed")


class SchemeIn(BaseModel):
    pattern: str = Field(max_length=100, examples=["镇交执罚〔{year}〕第{seq:04d}号"])
    name: str | None = Field(default=None, max_length=64)
