"""The dispatch world: the small map and units, officers with and without valid enforcement
certificates, one user per role, and a factory for leads (with their device events when the
test needs them). Fixed values throughout; the clock is the suite's frozen clock
(2026-06-01 10:00 Asia/Shanghai, a Monday)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.helpers import load_small_map, login, make_user
from zhifa.core.audit import SYSTEM
from zhifa.core.clock import FrozenClock, utcnow
from zhifa.imports import run_import
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.sensing.models import Event

OFFICERS = """code,name,unit,cert_no,cert_expiry,roles,on_duty,phone,id_number
O1,王一,RD1,JZ-001,2027-12-31,officer,true,13900000001,
O2,王二,RD1,JZ-002,2027-12-31,officer,true,13900000002,
O3,王三,RD1,JZ-003,2026-05-31,officer,true,13900000003,
O4,王四,RD1,,,officer,true,13900000004,
O5,赵五,RD2,JZ-005,2027-12-31,officer,true,13900000005,
L1,李队,RD1,JZ-101,2027-12-31,leader,true,13900000101,
D1,值班甲,CC,JZ-201,2027-12-31,duty_officer,true,13900000201,
"""

#: Reviewed, published and verified devices: their records can be evidence. CAM9 is neither
#: reviewed nor published: its leads cannot go off-site.
DEVICES = """code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until
WIM1,wim,G312 称重点,119.35,32.2002,,,wim1-key-dispatch-0123456789,2026-01-01,true,2027-01-01
CAM9,camera,未审核卡口,119.36,32.2,,,cam9-key-dispatch-0123456789,,,
"""

USERS = {
    "admin": ("admin",),
    "duty": ("duty_officer",),
    "leader1": ("leader",),
    "leader2": ("leader",),
    "O1": ("officer",),
    "O2": ("officer",),
    "O3": ("officer",),
    "O5": ("officer",),
    "analyst": ("analyst",),
    "legal1": ("legal_reviewer",),
    "legal2": ("legal_reviewer",),
}
USER_UNITS = {"duty": "CC", "leader1": "RD1", "leader2": "RD2", "O1": "RD1", "O2": "RD1", "O3": "RD1", "O5": "RD2"}


@dataclass
class World:
    session: Session
    clock: FrozenClock
    client: Any = None
    _tokens: dict[str, dict[str, str]] | None = None

    def h(self, username: str) -> dict[str, str]:
        """Bearer headers of a user (logged in once per test)."""
        assert self.client is not None, "this world has no API client"
        if self._tokens is None:
            self._tokens = {}
        if username not in self._tokens:
            self._tokens[username] = login(self.client, username)
        return self._tokens[username]

    def forget_logins(self) -> None:
        """After the clock moved past the tokens' lifetime (12 h), log in again."""
        self._tokens = None

    def lead(
        self,
        *,
        kind: str = "overload",
        subject: str = "苏L12345/yellow",
        unit: str | None = "RD1",
        lon: float | None = 119.35,
        lat: float | None = 32.2,
        severity: str = "normal",
        matter: str = "road.overload",
        device: str | None = None,
        events: int = 1,
        usable: bool = True,
    ) -> Lead:
        """A lead as the monitoring worker leaves it (status ``new``), with ``events`` device
        events of ``device`` when given."""
        now = utcnow()
        lead = Lead(
            kind=kind,
            subject=subject,
            matter=matter,
            unit_code=unit,
            routing_mode="strip" if unit else None,
            routing_reason=f"测试路由：{unit}" if unit else "未能路由",
            status="new",
            severity=severity,
            rule_version=f"{kind}/test/1",
            first_event_time=now - timedelta(minutes=5),
            last_event_time=now - timedelta(minutes=5),
            count=events if device else 1,
            lon=lon,
            lat=lat,
            details={"gross_kg": 30000, "limit_kg": 18000, "excess_kg": 12000, "axles": 2},
            images=[],
            usable_as_evidence=usable,
            permitted=False,
        )
        self.session.add(lead)
        self.session.flush()
        if device:
            plate, _, color = subject.partition("/")
            for i in range(events):
                ev = Event(
                    device_code=device,
                    event_id=f"L{lead.id}-E{i}",
                    type="wim" if device.startswith("WIM") else "plate_capture",
                    event_time=now - timedelta(minutes=5),
                    received_at=now,
                    plate=plate,
                    plate_color=color or None,
                    lon=lon,
                    lat=lat,
                    payload={"gross_kg": 30000, "axles": 2},
                    status="done",
                    attempts=0,
                    processed_at=now,
                    raised_lead=True,
                )
                self.session.add(ev)
                self.session.flush()
                self.session.add(LeadEvent(lead_id=lead.id, event_id=ev.id, event_time=ev.event_time))
            self.session.flush()
        return lead


def build_world(session: Session, clock: FrozenClock) -> World:
    load_small_map(session)
    run_import(session, SYSTEM, "officers", Path("officers.csv"), OFFICERS.encode())
    run_import(session, SYSTEM, "devices", Path("devices.csv"), DEVICES.encode())
    for username, roles in USERS.items():
        make_user(session, username, roles, USER_UNITS.get(username))
    session.flush()
    return World(session, clock)


@pytest.fixture()
def world(session: Session, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    from zhifa.core.config import get_settings

    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)  # the evidence store of this test
    return build_world(session, clock)


@pytest.fixture()
def api(world: World, client: Any) -> World:
    world.client = client
    return world


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
