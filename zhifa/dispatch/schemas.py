"""Request bodies of the dispatch API (responses are plain dicts built by the services)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Reason = Field(default=None, max_length=2000)


class Note(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class Dismiss(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    #: True: the rule was wrong (counted per rule). False: right, but no action is needed.
    false_positive: bool = True


class Merge(BaseModel):
    into: int = Field(description="the lead the duplicate folds into")
    reason: str = Field(min_length=1, max_length=2000)


class Dispatch(BaseModel):
    unit: str | None = Field(default=None, max_length=32, description="omit: the unit routing named")
    override_reason: str | None = Reason
    kind: Literal["inspection", "enforcement", "complaint"] = "inspection"
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    title: str | None = Field(default=None, max_length=200)
    instructions: str | None = Field(default=None, max_length=2000)
    plan_id: int | None = Field(default=None, description="dispatch one task per step of this response plan")


class Offsite(BaseModel):
    reason: str | None = Reason


class TransitionBody(BaseModel):
    to: str = Field(max_length=12)
    reason: str | None = Reason
    lon: float | None = None
    lat: float | None = None


class Assign(BaseModel):
    officers: list[str] = Field(max_length=20)


class Feedback(BaseModel):
    outcome: Literal["violation_confirmed", "not_found", "case_opened", "referred"]
    notes: str = Field(max_length=4000)
    photos: list[str] = Field(default_factory=list, max_length=50)
    videos: list[str] = Field(default_factory=list, max_length=20)
    case_ref: str | None = Field(default=None, max_length=64)
    referred_to: str | None = Field(default=None, max_length=100)
    lon: float | None = None
    lat: float | None = None


class Hotline(BaseModel):
    source: Literal["12345", "12328", "patrol"]
    content: str = Field(max_length=4000)
    matter: str = Field(max_length=64)
    at: str | None = Field(default=None, max_length=200, description="'lon,lat', a stake mark, site:CODE or entity:ID")
    crs: str | None = Field(default=None, max_length=16)
    location_text: str | None = Field(default=None, max_length=200)
    ticket_no: str | None = Field(default=None, max_length=64)
    caller_name: str | None = Field(default=None, max_length=64)
    caller_phone: str | None = Field(default=None, max_length=32)
    received_at: datetime | None = None
    severity: Literal["high", "normal", "low"] = "normal"


class Reply(BaseModel):
    text: str = Field(min_length=1, max_length=1000)


class Position(BaseModel):
    lon: float
    lat: float
    crs: str | None = Field(default=None, max_length=16)
    at: datetime | None = None
    accuracy_m: float | None = None


class PlanBody(BaseModel):
    name: str = Field(max_length=100)
    lead_kind: str | None = Field(default=None, max_length=24)
    matter: str | None = Field(default=None, max_length=64)
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    route: str | None = Field(default=None, max_length=16)
    unit: str | None = Field(default=None, max_length=32)
    bbox: list[float] | None = None
    steps: list[dict[str, Any]]
    active: bool = True


class PlanPatch(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    lead_kind: str | None = Field(default=None, max_length=24)
    matter: str | None = Field(default=None, max_length=64)
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    route: str | None = Field(default=None, max_length=16)
    unit: str | None = Field(default=None, max_length=32)
    bbox: list[float] | None = None
    steps: list[dict[str, Any]] | None = None
    active: bool | None = None


class SlaPolicyBody(BaseModel):
    accept_min: int
    arrive_min: int
    feedback_min: int
    remind_before_min: int
    center_after_min: int
    source: str | None = Field(default=None, max_length=2000)


class Review(BaseModel):
    verdict: Literal["usable", "unusable"]
    notes: str = Field(max_length=2000)


class Notice(BaseModel):
    delivery: Literal["sms", "post"]
    owner_name: str | None = Field(default=None, max_length=200)
    owner_address: str | None = Field(default=None, max_length=300)
    owner_phone: str | None = Field(default=None, max_length=32)
    post_tracking_no: str | None = Field(default=None, max_length=64)


class Appearance(BaseModel):
    note: str = Field(max_length=2000)


class Cancel(BaseModel):
    reason: str = Field(max_length=2000)
