"""Response plan matching and nearest officers (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zhifa.dispatch import plans

AT = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
STEP = [{"task_kind": "inspection"}]


def plan(pid: int, **criteria: object) -> plans.Plan:
    return plans.parse_plan({"name": f"p{pid}", "steps": STEP} | criteria, pid)


FACTS = plans.LeadFacts("overload", "road.overload", "normal", "RD1", "G312", 119.35, 32.2)


def test_the_most_specific_matching_plan_wins() -> None:
    generic = plan(1, lead_kind="overload")
    g312 = plan(2, lead_kind="overload", route="g312")  # route compared without case
    g312_rd2 = plan(3, lead_kind="overload", route="G312", unit="RD2")  # wrong unit: no match
    s243 = plan(4, lead_kind="overload", route="S243")
    assert plans.match([generic, g312, g312_rd2, s243], FACTS) == g312
    assert plans.match([generic, s243], FACTS) == generic
    assert plans.match([s243], FACTS) is None


def test_ties_go_to_the_oldest_plan_and_inactive_plans_never_match() -> None:
    a, b = plan(7, matter="road.overload"), plan(5, lead_kind="overload")
    assert plans.match([a, b], FACTS) == b
    assert plans.match([plan(5, lead_kind="overload", active=False), a], FACTS) == a


@pytest.mark.parametrize(
    ("criteria", "matches"),
    [
        ({"bbox": [119.3, 32.1, 119.4, 32.3]}, True),
        ({"bbox": [119.36, 32.1, 119.4, 32.3]}, False),
        ({"bbox": [119.35, 32.2, 119.4, 32.3]}, True),  # on the edge: inside
        ({"priority": "normal"}, True),
        ({"priority": "urgent"}, False),
        ({"matter": "road.damage"}, False),
        ({"unit": "RD1"}, True),
    ],
)
def test_each_criterion(criteria: dict[str, object], matches: bool) -> None:
    assert plans.matches(plan(1, **criteria), FACTS) is matches


def test_a_box_needs_a_location() -> None:
    facts = plans.LeadFacts("complaint", "road.overload", "normal", None)
    assert not plans.matches(plan(1, bbox=[119.3, 32.1, 119.4, 32.3]), facts)
    assert plans.matches(plan(2, matter="road.overload"), facts)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": ""}, "name"),
        ({"steps": []}, "steps"),
        ({"steps": [{"task_kind": "party"}]}, r"steps\[0\].task_kind"),
        ({"steps": [{"task_kind": "inspection", "officers": 11}]}, r"steps\[0\].officers"),
        ({"priority": "soon"}, "priority"),
        ({"bbox": [1, 2, 3]}, "bbox"),
        ({"bbox": [120, 32, 119, 33]}, "bbox"),
    ],
)
def test_plan_validation(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plans.parse_plan({"name": "p", "steps": STEP} | values)


def test_distance() -> None:
    # One degree of latitude on the mean sphere: 6,371,008.8 m × π / 180.
    assert plans.distance_m(119.0, 32.0, 119.0, 33.0) == pytest.approx(111_195.08, abs=0.01)
    assert plans.distance_m(119.35, 32.2, 119.35, 32.2) == 0.0
    # Along the parallel at 32.2° N, 0.01° of longitude is about 941 m.
    assert plans.distance_m(119.35, 32.2, 119.36, 32.2) == pytest.approx(941.0, abs=1.0)


def test_nearest_available_officers() -> None:
    def o(code: str, lon: float, available: bool = True) -> plans.OfficerAt:
        return plans.OfficerAt(code, code, "RD1", lon, 32.2, AT, available)

    officers = [o("C", 119.38), o("A", 119.36), o("B", 119.36), o("BUSY", 119.351, available=False), o("D", 119.5)]
    got = plans.nearest(officers, 119.35, 32.2, 3)
    assert [s.officer.code for s in got] == ["A", "B", "C"]  # equal distance: by code
    assert got[0].as_dict()["distance_m"] == 941
    assert plans.nearest(officers, 119.35, 32.2, 10)[-1].officer.code == "D"
