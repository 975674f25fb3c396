"""Dispatch settings (pure). The values in force are rows of ``dispatch_setting`` (seeded by the
migration, edited by administrators, audited); this module validates them. docs/dispatch.md lists
each with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from zhifa.core.records import DictRecord

HOTLINES = ("12345", "12328")
SOURCES = (*HOTLINES, "patrol")
SOURCE_ZH = {"12345": "12345政务服务便民热线", "12328": "12328交通运输服务监督电话", "patrol": "执法队员巡查发现"}


@dataclass(frozen=True)
class DispatchConfig(DictRecord):
    #: Days the owner has, from the notice, to come in about an off-site record (local practice;
    #: the issue's default). Calendar days.
    offsite_notice_days: int = 15
    #: Working days to reply to the caller, per hotline (local practice, not national law).
    hotline_reply_working_days: dict[str, int] = field(default_factory=lambda: {"12345": 5, "12328": 5})
    #: Hours before the reply deadline at which the command center is reminded.
    hotline_remind_before_hours: int = 24
    #: A phone position older than this is not used for "nearest officer" suggestions.
    position_max_age_min: int = 30
    #: Where reminders and escalations are also POSTed as JSON; empty = no webhook channel.
    webhook_url: str = ""
    webhook_timeout_s: float = 5.0
    webhook_max_attempts: int = 5
    #: Minutes within which the duty desk aims to triage a new lead, by severity (the wall's
    #: queue countdown). Local practice: no law fixes it; the SLA ladders start at dispatch.
    triage_target_min: dict[str, int] = field(default_factory=lambda: {"high": 10, "normal": 30, "low": 120})

    def __post_init__(self) -> None:
        _whole("offsite_notice_days", self.offsite_notice_days, 1, 365)
        if not isinstance(self.hotline_reply_working_days, dict) or set(self.hotline_reply_working_days) != set(
            HOTLINES
        ):
            raise ValueError(f"hotline_reply_working_days needs exactly the hotlines {', '.join(HOTLINES)}")
        for line, days in self.hotline_reply_working_days.items():
            _whole(f"hotline_reply_working_days[{line}]", days, 1, 60)
        _whole("hotline_remind_before_hours", self.hotline_remind_before_hours, 0, 240)
        _whole("position_max_age_min", self.position_max_age_min, 1, 24 * 60)
        _whole("webhook_max_attempts", self.webhook_max_attempts, 1, 20)
        if not isinstance(self.triage_target_min, dict) or set(self.triage_target_min) != {"high", "normal", "low"}:
            raise ValueError("triage_target_min needs exactly the severities high, normal, low")
        for severity, minutes in self.triage_target_min.items():
            _whole(f"triage_target_min[{severity}]", minutes, 1, 24 * 60)
        if not isinstance(self.webhook_url, str):
            raise ValueError("webhook_url must be text")
        if self.webhook_url:
            u = urlparse(self.webhook_url)
            if u.scheme not in ("http", "https") or not u.netloc:
                raise ValueError("webhook_url must be an http(s) URL")
        t = self.webhook_timeout_s
        if isinstance(t, bool) or not isinstance(t, int | float) or not 0.1 <= t <= 60:
            raise ValueError("webhook_timeout_s must be 0.1 to 60 seconds")


def _whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
