"""The 案件办理 pages on the server side (TestClient): who may open the workbench, a case and the
legal reviewer's queue (403 page for others), the navigation links, the translations, and that the
case page's boot data carries no transition table: the buttons come from the case's ``allowed``
(the API's answer for its present state), checked here for cases in given states. The scripts
are tested in a real browser in ``test_browser_cases.py``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.cases.conftest import CaseWorld
from zhifa.cases import procedure
from zhifa.web import case_pages

pytestmark = pytest.mark.db

PASSWORD = "correct-horse-battery"  # tests.helpers.make_user's


def _as(w: CaseWorld, username: str) -> Any:
    w.client.cookies.clear()
    r = w.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return w.client


def _boot(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="zhifa-boot">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


@pytest.mark.parametrize("path", ["/cases", "/cases/review", "/cases/1"])
def test_the_pages_need_a_login(client: Any, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")


def test_who_may_open_the_case_pages(cw: CaseWorld) -> None:
    cid = cw.file()["id"]
    access = [
        (user, path, status)
        for user in ("O1", "leader1", "legal1", "duty", "analyst", "admin")
        for path, status in (("/cases", 200), (f"/cases/{cid}", 200))
    ] + [
        ("legal1", "/cases/review", 200),
        ("admin", "/cases/review", 200),
        ("O1", "/cases/review", 403),
        ("leader1", "/cases/review", 403),
        ("duty", "/cases/review", 403),
        ("analyst", "/cases/review", 403),
    ]
    for username, path, status in access:
        r = _as(cw, username).get(path, follow_redirects=False)
        assert r.status_code == status, (username, path, r.text[:300])
        if status == 403:
            assert 'data-testid="page-forbidden"' in r.text and "无权查看此内容" in r.text, (username, path)
            assert "法制审核人员" in r.text or "法制审核" in r.text
            assert 'id="case-table"' not in r.text
        else:
            assert 'data-testid="page-forbidden"' not in r.text, (username, path)
    # A case id that is not a number goes back to the workbench.
    r = _as(cw, "O1").get("/cases/abc", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/cases")


def test_navigation_links_the_case_pages(cw: CaseWorld) -> None:
    html = _as(cw, "legal1").get("/cases/review").text
    assert '<a href="/cases" data-nav="cases"' in html
    assert not re.search(r'aria-disabled="true"[^>]*>案件办理', html)
    assert re.search(r'<a href="/cases" data-nav="cases-list"[^>]*>案件工作台</a>', html)
    assert re.search(r'<a href="/cases/review" data-nav="cases-review" class="active"[^>]*>法制审核待办</a>', html)


def test_workbench_renders_in_chinese_and_english(cw: CaseWorld) -> None:
    client = _as(cw, "O1")
    zh = client.get("/cases").text
    assert "<h1>案件工作台</h1>" in zh
    for text in ("办案状态", "程序", "仅看已超期", "下一法定时限", "全部在办案件"):
        assert text in zh, text
    boot = _boot(zh)
    assert boot["active"] == "cases-list"
    assert boot["page"]["procedures"] == {"general": "普通程序", "simplified": "简易程序"}
    assert boot["page"]["today"] == "2026-06-01"  # the frozen clock's Shanghai date
    assert boot["messages"]["{days} days left"] == "剩 {days} 天"
    client.get("/lang/en")
    en = client.get("/cases").text
    assert "<h1>Case workbench</h1>" in en and "Deadline missed only" in en
    assert "案件工作台" not in en.split("</nav>")[-1]
    assert _boot(en)["page"]["procedures"]["general"] == "General procedure"
    review = _as(cw, "legal1")
    review.get("/lang/en")
    assert "<h1>Legal review queue</h1>" in review.get("/cases/review").text


def _allowed_buttons(w: CaseWorld, user: str, cid: int) -> tuple[dict[str, Any], list[str]]:
    """The case page's boot and the steps its script draws buttons for: the API's ``allowed``
    minus the steps taken through their own routes (as ``case.js``)."""
    client = _as(w, user)
    boot = _boot(client.get(f"/cases/{cid}").text)
    assert boot["page"]["case_id"] == cid
    case = client.get(f"/api/v1/cases/{cid}").json()
    steps = boot["page"]["steps"]
    return boot, [a for a in case["allowed"] if steps[a]["via"] is None]


def test_the_case_page_offers_only_the_steps_the_state_allows(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    boot, buttons = _allowed_buttons(w, "O1", cid)
    # The page gets step labels, reasons and roles, never the sources or targets of the table.
    for meta in boot["page"]["steps"].values():
        assert set(meta) == {"label", "reason", "via", "roles", "fields", "officers"}
    assert "transitions" not in boot["page"]
    assert buttons == ["investigate", "preserve_evidence", "decide_preservation", "seize", "extend_coercive",
                       "release_coercive", "notify", "no_penalty", "refer"]  # fmt: skip
    assert "decide" not in buttons and "pass_review" not in buttons
    # Into legal review: now only the reviewer's two steps (and those of any open state).
    w.post(f"/api/v1/cases/{cid}/discretion", "O1", {"tier": 2, "circumstance": "ordinary"}, 200)
    w.step(cid, "notify", "O1")
    w.at("2026-06-05T09:00:00")  # the party's statement period (3 working days) has ended
    c = w.step(cid, "submit_review", "O1")
    assert c["state"] == "in_review"
    _, buttons = _allowed_buttons(w, "legal1", cid)
    assert buttons == procedure.allowed_actions("in_review", "general")
    assert "pass_review" in buttons and "return_review" in buttons and "notify" not in buttons
    # The review queue's data: this case, in the state the queue asks for.
    queue = _as(w, "legal1").get("/api/v1/cases?state=in_review").json()
    assert [q["id"] for q in queue] == [cid]
    # A step the state does not allow is refused by the API with the steps allowed (the page shows it).
    r = w.post(f"/api/v1/cases/{cid}/transitions", "O1", {"action": "notify"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"


def test_step_fields_name_parameters_of_known_steps() -> None:
    actions = {s.action for s in procedure.STEPS}
    assert set(case_pages.STEP_FIELDS) <= actions
    assert set(case_pages.DEADLINE_STATUS_LABELS) >= {"open", "met", "missed", "expired"}


def test_every_state_step_and_deadline_has_an_english_label() -> None:
    from zhifa.cases import exemptions
    from zhifa.web import case_labels

    assert set(case_labels.STATE_EN) == set(procedure.STATE_ZH)
    assert set(case_labels.STEP_EN) == {s.action for s in procedure.STEPS}
    assert set(case_labels.DEADLINE_EN) == set(procedure.DEADLINES)
    assert set(case_labels.CONDITIONS_EN) == set(exemptions.CONDITIONS)
    assert set(case_labels.DELIVERY_EN) == set(procedure.DELIVERY_METHODS)
    # Chinese is the procedure's own term; English is the web's.
    assert case_labels.states("zh")["in_review"] == procedure.STATE_ZH["in_review"] == "法制审核中"
    assert case_labels.states("en")["in_review"] == "In legal review"
    assert case_labels.steps("zh")["decide"] == procedure.STEP_BY_ACTION["decide"].zh
    assert case_labels.deadlines("en")["payment"] == "Payment"
    # Every option a step form offers has a label in both languages.
    from zhifa.web.case_pages import STEP_FIELDS

    for lang in ("zh", "en"):
        labels = case_labels.options(lang)
        for fields in STEP_FIELDS.values():
            for f in fields:
                for option in f.get("options", []):
                    assert option in labels.get(f["name"], {}), (f["name"], option, lang)
