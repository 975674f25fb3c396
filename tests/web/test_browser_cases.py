"""A case in a real browser (Debian Chromium) against a real server (uvicorn in a thread of this
test process, as in ``test_browser_plans.py``) on a fresh SQLite database with the case world
(units, officers, one user per role, a penalty item, registered parties) and a recording
document issuer.

A case filed through the API appears on the workbench with its deadline badge; on the case page
the officer sees only the steps its state allows, a refused step shows the API's message, and an
allowed one (调查取证, its inquiry record refused until complete) taken through the form appears on the
timeline. Screenshot:
``/tmp/zhifa-case.png``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.test_browser import Console, NewContext
from tests.web.test_browser_dispatch import T0, Site, _call, _login, _token, served_in_thread

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect


def serve_case_world(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Site]:
    """The case procedure tests' world (tests/cases/conftest.py, recording document issuer, frozen
    clock at ``T0``) in a fresh SQLite database, served in a thread: the browser case tests' site."""
    from tests.cases.conftest import Recorder, _setup
    from zhifa.cases import issuing
    from zhifa.core.clock import FrozenClock, use_clock
    from zhifa.core.config import get_settings
    from zhifa.core.db import make_engine, session_factory, upgrade

    tmp = tmp_path_factory.mktemp(name)
    db = f"sqlite:///{tmp / 'x.db'}"
    upgrade(db)
    engine = make_engine(db)
    clock = FrozenClock(T0)
    with pytest.MonkeyPatch.context() as mp, use_clock(clock), issuing.use_issuer(Recorder()):
        mp.setattr(get_settings(), "var_dir", tmp)
        with session_factory(engine)() as session:
            _setup(session, clock)
            session.commit()
        with served_in_thread(engine, f"uvicorn-{name}") as url:
            yield Site(url, engine, clock)
    engine.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_case_world(tmp_path_factory, "web-cases")


def test_a_step_taken_on_the_case_page_appears_on_the_timeline(new_context: NewContext, site: Site) -> None:
    from tests.cases.conftest import INQUIRY, USCC

    token = _token(site, "O1")
    case = _call(
        site,
        "POST",
        "/api/v1/cases",
        token,
        {
            "unit_code": "RD1",
            "title": "未随车携带道路运输证",
            "facts": "2026年6月1日，当事人驾驶苏L12345货车在G312线检查时未能出示道路运输证。",
            "item_code": "YS-001",
            "party": {"id_no": USCC},
            "source": "inspection",
            "officers": ["O1", "O2"],
        },
    )
    cid = case["id"]
    context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)

    # The workbench lists it with its next deadline: 90 days to decide (行政处罚法 第六十条).
    _login(page, site, "O1", "/cases")
    table = page.get_by_test_id("case-table")
    expect(table).to_have_attribute("data-ready", "1")
    row = page.locator(f'[data-testid="case-row"][data-id="{cid}"]')
    expect(row).to_contain_text(case["case_no"])
    badge = row.get_by_test_id("deadline-badge")
    expect(badge).to_have_attribute("data-level", "ok")
    expect(badge).to_contain_text("剩 91 天")  # 1 June → 31 August
    row.get_by_role("link").click()

    # The case page: only the steps the API allows from 已立案.
    page.wait_for_url(f"**/cases/{cid}")
    body = page.get_by_test_id("case-body")
    expect(body).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("case-state")).to_have_text("已立案（调查取证）")
    buttons = page.get_by_test_id("step-button")
    actions = [buttons.nth(i).get_attribute("data-action") for i in range(buttons.count())]
    assert actions == [a for a in case["allowed"] if a not in ("statement",)], actions
    assert "decide" not in actions and "pass_review" not in actions
    expect(page.locator('[data-testid="step-button"][data-action="seize"]')).to_be_disabled()  # a leader's
    timeline = page.get_by_test_id("timeline-row")
    expect(timeline).to_have_count(1)
    expect(page.get_by_test_id("deadline-row")).to_contain_text("2026-08-31")

    # 告知 without a proposed penalty: the API's 409 is shown in the form.
    page.locator('[data-testid="step-button"][data-action="notify"]').click()
    page.get_by_test_id("step-submit").click()
    error = page.get_by_test_id("step-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("409")
    expect(timeline).to_have_count(1)

    # 调查取证 through the form: an incomplete record is refused (422, naming the fields); complete,
    # a new row on the timeline, by O1.
    page.locator('[data-testid="step-button"][data-action="investigate"]').click()
    expect(page.get_by_test_id("step-form-title")).to_have_text("调查取证")
    page.get_by_test_id("step-submit").click()
    expect(error).to_contain_text("422")
    expect(timeline).to_have_count(1)
    who = INQUIRY["interviewee"]
    for name, value in {
        "started_at": INQUIRY["started_at"],
        "ended_at": INQUIRY["ended_at"],
        "place": INQUIRY["place"],
        "officers": "O1, O2",
        "recorder": "O2",
        "interviewee.name": who["name"],
        "interviewee.gender": who["gender"],
        "interviewee.id_number": who["id_number"],
        "interviewee.address": who["address"],
        "interviewee.relation": who["relation"],
        "qa": "问：是否随车携带道路运输证？\n答：当天忘带了。",
    }.items():
        page.get_by_test_id(f"step-field-{name}").fill(value)
    for name in ("identity_shown", "rights_notified", "signed"):
        page.get_by_test_id(f"step-field-{name}").check()
    page.get_by_test_id("step-submit").click()
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_have_attribute("data-action", "investigate")
    expect(timeline.nth(1)).to_contain_text("O1")
    expect(page.get_by_test_id("step-form")).to_be_hidden()
    api_case = _call(site, "GET", f"/api/v1/cases/{cid}", token)
    assert [s["action"] for s in api_case["steps"]] == ["file", "investigate"]
    page.screenshot(path="/tmp/zhifa-case.png", full_page=True)
    assert console.errors == []
