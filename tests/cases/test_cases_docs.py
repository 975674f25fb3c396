"""docs/cases.md names every step, deadline, setting and route (a test fails when one is added
without its documentation)."""

from __future__ import annotations

from pathlib import Path

from zhifa.cases import procedure
from zhifa.cases.config import CaseConfig

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cases.md").read_text("utf-8")


def test_every_step_deadline_and_setting_is_documented() -> None:
    missing = [f"`{s.action}`" for s in procedure.STEPS if f"`{s.action}`" not in DOC]
    missing += [f"`{k}`" for k in procedure.DEADLINES if f"`{k}`" not in DOC]
    missing += [f"`{k}`" for k in CaseConfig.__dataclass_fields__ if f"`{k}`" not in DOC]
    missing += [f"`{s}`" for s in procedure.STATES if f"`{s}`" not in DOC]
    assert missing == []


def test_every_route_is_documented() -> None:
    from zhifa.cases.api import public_router, router

    paths = {r.path for r in (*router.routes, *public_router.routes)}  # type: ignore[attr-defined]
    assert sorted(p for p in paths if f"`{p}`" not in DOC) == []
