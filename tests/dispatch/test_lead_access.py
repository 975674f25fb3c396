"""Unit-scoped leads (``zhifa.monitoring.access``): the detachment-wide roles and administrators
see every lead; a leader or an officer the leads routed to their unit and the units below it;
outside that a lead answers 404, as a missing one does — in the list, the lead's API, the lead
page's API and the live feed."""

from __future__ import annotations

import pytest

from tests.dispatch.conftest import World
from zhifa.monitoring import access
from zhifa.web.pages import _in_scope


@pytest.fixture()
def leads(api: World) -> dict[str, int]:
    return {
        "RD1": api.lead(unit="RD1", subject="苏L10001/yellow").id,
        "RD2": api.lead(unit="RD2", subject="苏L20002/yellow").id,
        "none": api.lead(unit=None, subject="苏L30003/yellow").id,
    }


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("duty", {"RD1", "RD2", "none"}),
        ("analyst", {"RD1", "RD2", "none"}),
        ("legal1", {"RD1", "RD2", "none"}),
        ("admin", {"RD1", "RD2", "none"}),
        ("leader1", {"RD1"}),
        ("O1", {"RD1"}),
        ("leader2", {"RD2"}),
        ("O5", {"RD2"}),
    ],
)
def test_who_sees_which_lead(api: World, leads: dict[str, int], user: str, visible: set[str]) -> None:
    listed = api.client.get("/api/v1/leads?per_page=1000", headers=api.h(user)).json()
    assert {i["id"] for i in listed["items"]} == {leads[k] for k in visible}
    assert listed["total"] == len(visible)
    for key, lead_id in leads.items():
        for path in (f"/api/v1/leads/{lead_id}", f"/web/api/leads/{lead_id}"):
            r = api.client.get(path, headers=api.h(user))
            if key in visible:
                assert r.status_code == 200, (user, path, r.text)
            else:
                assert r.status_code == 404, (user, path, r.text)
                missing = api.client.get(path.rsplit("/", 1)[0] + "/999999", headers=api.h(user)).json()
                assert r.json()["error"]["code"] == missing["error"]["code"]  # the same answer


def test_the_live_feed_shows_events_and_new_leads_within_the_viewers_units_only() -> None:
    raised = [{"id": 10, "kind": "overload", "unit": "RD1"}, {"id": 11, "kind": "watchlist", "unit": "RD2"}]
    messages = [
        ("sensing", {"id": 1, "unit": "RD1", "leads": raised}),
        ("sensing", {"id": 2, "unit": "RD2", "leads": []}),
        ("processed", {"id": 1, "unit": "RD1", "leads": raised}),
        ("processed", {"id": 2, "unit": "RD2", "leads": []}),
        ("lead", {"id": 10, "unit": "RD1"}),
        ("lead", {"id": 11, "unit": "RD2"}),
        ("lead", {"id": 12, "unit": None}),
        ("end", {"reason": "unauthorized"}),
    ]
    assert _in_scope(messages, None) == messages
    seen = _in_scope(messages, {"RD1"})
    assert [(name, m.get("id")) for name, m in seen] == [
        ("sensing", 1),
        ("processed", 1),
        ("lead", 10),
        ("end", None),
    ]
    # An event of the viewer's device that raised leads for two units names only the viewer's.
    assert [m["leads"] for name, m in seen if name != "lead" and "leads" in m] == [[raised[0]], [raised[0]]]
    # RD2 gets its own lead 11, but not the RD1 device's event that raised it (nor its plate).
    assert [(name, m.get("id")) for name, m in _in_scope(messages, {"RD2"})] == [
        ("sensing", 2),
        ("processed", 2),
        ("lead", 11),
        ("end", None),
    ]
    assert messages[0][1]["leads"] == raised  # the poll's own messages are left as they were
    assert access.sees(None, None) and not access.sees({"RD1"}, None)
