"""The demo's devices go through the real devices importer on a migrated database, each routed to
its owning unit, with the evidence grade the demo intends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhifa.core.audit import SYSTEM
from zhifa.demo import devices as demo_devices
from zhifa.demo.generate import generate
from zhifa.imports import run_import
from zhifa.monitoring import rules
from zhifa.monitoring.service import hub_devices
from zhifa.sensing import service as sensing
from zhifa.sensing.models import Device


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("demo"), scale=0.02)


def test_devices_import_cleanly_and_are_routed(session: Session, clock: Any, files: dict[str, Path]) -> None:
    run_import(session, SYSTEM, "units", files["units"])
    run_import(session, SYSTEM, "jurisdiction", files["jurisdiction"])
    result = run_import(session, SYSTEM, "devices", files["devices"])
    assert (result["created"], result["updated"], result["api_keys"]) == (39, 0, {})  # every key given

    devices = {d.code: d for d in session.scalars(select(Device))}
    assert len(devices) == 39
    for d in devices.values():
        if d.kind == "wim":  # strip: the road section's brigade
            assert d.unit_code in ("ZJ-RD1", "ZJ-RD2", "ZJ-RD3", "ZJ-RD4"), (d.code, d.routing_reason)
            assert d.accuracy_pct in ("3", "5")
        elif d.kind == "camera":  # block: the district's brigade
            assert d.unit_code and d.unit_code.startswith("ZJ-BLK-"), (d.code, d.routing_reason)
        else:  # the Yangtze: the water brigade
            assert d.unit_code == "ZJ-WT1", (d.code, d.routing_reason)
    assert devices["WIM-G312-K1158"].unit_code == "ZJ-RD1" and devices["WIM-S338-K18"].unit_code == "ZJ-RD4"
    assert devices["CP-JS"].crossing_line and devices["CP-JS"].crossing_line.startswith("LINESTRING")

    # The key in the file is the device's key (stored hashed).
    key = demo_devices.api_key(20260101, "CAM-ZJZ-N")
    assert sensing.keyed_device(session, key).code == "CAM-ZJZ-N"

    grades = {d["code"]: d for d in sensing.list_devices(session)}
    unusable = {code for code, d in grades.items() if not d["evidence_grade"]}
    assert unusable == (
        demo_devices.NOT_REVIEWED
        | demo_devices.NOT_PUBLISHED
        | demo_devices.VERIFICATION_EXPIRED
        | demo_devices.NEVER_VERIFIED
    )
    assert any("计量检定" in p for p in grades["WIM-S122-K80"]["evidence_problems"])

    # With the sites loaded, the worker sees the hub cameras as hub devices (illegal operation).
    run_import(session, SYSTEM, "entities", files["sites"], kind="site")
    assert hub_devices(session, devices, rules.MonitoringConfig()) == set(demo_devices.hub_camera_codes())

    # Importing again updates in place (upsert by code), keys unchanged.
    again = run_import(session, SYSTEM, "devices", files["devices"])
    assert (again["created"], again["updated"]) == (0, 39)
    assert sensing.keyed_device(session, key).code == "CAM-ZJZ-N"
