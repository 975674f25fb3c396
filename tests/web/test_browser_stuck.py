"""滞留事件 (``/monitoring/stuck``) in a real browser (Debian Chromium) against a real server
(uvicorn in a thread of this test process, as in ``test_browser_dispatch.py``) on a fresh SQLite
database with the dispatch world (map, units, a WIM station, one user per role).

The WIM station posts weighings over HTTP; the monitoring worker's step (``process_pending``,
run by the test as the worker process would) meets a rule that raises for some plates, so those
events fail — two until the worker gives up, one once (still retried). The duty officer sees the
list without the retry; the administrator sees it with the given-up events to tick, queues one
again and sees it reported queued and gone from the list, then ticks the other while a second
administrator queues it first, and sees the API's refusal with its reason. Once the rule is
mended the worker processes them and the page shows its empty state. Screenshots:
``/tmp/zhifa-stuck.png`` and, the duty officer's on a 390 px phone, ``/tmp/zhifa-stuck-390.png``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.dispatch.conftest import build_world
from tests.web.test_browser import Console, NewContext
from tests.web.test_browser_dispatch import WIM_KEY, Site, _call, _login, _token, serve_world
from tests.web.test_browser_monitoring import _post_events
from zhifa.monitoring import service as monitoring
from zhifa.sensing.models import Event

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect

#: What the failing rule says: longer than the table shows, so it is cut there.
LONG_ERROR = "rule exploded: the axle-load table for this vehicle class is missing (" + "配置缺失" * 20 + ")"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_world(tmp_path_factory, "web-stuck", build_world)


def _weigh(site: Site, event_id: str, plate: str) -> None:
    now = site.clock.now().isoformat()
    event = {"id": event_id, "type": "wim", "time": now, "plate": plate, "axles": 2, "gross_kg": 30000}
    result = _post_events(site.url, WIM_KEY, [event | {"plate_color": "yellow"}])
    assert result["accepted"] == 1, result


def _failing_for(plates: set[str]) -> Callable[..., Any]:
    real = monitoring.findings_for

    def findings_for(session: Any, ev: Any, *a: Any, **kw: Any) -> Any:
        if ev.plate in plates:
            raise RuntimeError(LONG_ERROR)
        return real(session, ev, *a, **kw)

    return findings_for


def _ids(site: Site) -> dict[str, int]:
    from zhifa.core.db import session_factory

    with session_factory(site.engine)() as s:
        return dict(s.execute(select(Event.event_id, Event.id)).all())


def test_an_administrator_queues_a_given_up_event_again(
    new_context: NewContext, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Events a rule fails on: s-1 and s-3 until the worker gives up, s-2 once; s-ok is fine.
    _weigh(site, "s-1", "苏L11111")
    _weigh(site, "s-3", "苏L33333")
    _weigh(site, "s-ok", "苏L00000")
    monkeypatch.setattr(monitoring, "findings_for", _failing_for({"苏L11111", "苏L22222", "苏L33333"}))
    for _ in range(monitoring.MAX_ATTEMPTS + 1):
        monitoring.process_pending(site.engine)
    _weigh(site, "s-2", "苏L22222")
    assert monitoring.process_pending(site.engine)["failed"] == 1
    ids = _ids(site)

    # 1. The duty officer sees the list, without the retry (on a 390 px phone: no sideways scroll).
    phone = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    duty_page = phone.new_page()
    duty_console = Console(duty_page)
    _login(duty_page, site, "duty", "/monitoring/stuck")
    expect(duty_page.get_by_test_id("stuck-table")).to_have_attribute("data-ready", "1")
    expect(duty_page.get_by_test_id("stuck-row")).to_have_count(3)
    expect(duty_page.get_by_test_id("stuck-pick")).to_have_count(0)
    expect(duty_page.get_by_test_id("stuck-retry")).to_be_hidden()
    expect(duty_page.get_by_test_id("stuck-all")).to_be_hidden()
    expect(duty_page.get_by_test_id("stuck-readonly")).to_have_text("只有系统管理员可以将已放弃的事件重新排队。")
    assert duty_page.evaluate("document.documentElement.scrollWidth") <= 390
    duty_page.screenshot(path="/tmp/zhifa-stuck-390.png", full_page=True)
    assert duty_console.errors == []

    # 2. The administrator's page, in a browser in London: times in Beijing time all the same.
    context = new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Europe/London")
    page = context.new_page()
    console = Console(page)
    _login(page, site, "admin", "/monitoring/stuck")
    table = page.get_by_test_id("stuck-table")
    expect(table).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("stuck-row")).to_have_count(3)
    expect(page.get_by_test_id("stuck-summary")).to_have_text("共 3 条滞留事件：已放弃 2 条，自动重试中 1 条")
    expect(page.get_by_test_id("stuck-truncated")).to_be_hidden()
    given_up = page.locator(f'[data-testid="stuck-row"][data-id="{ids["s-1"]}"]')
    expect(given_up).to_contain_text(f"#{ids['s-1']}")
    expect(given_up.get_by_test_id("stuck-device")).to_have_text("G312 称重点（WIM1）")
    expect(given_up).to_contain_text("s-1")
    expect(given_up).to_contain_text("称重检测")
    expect(given_up.locator("time")).to_have_text("2026-06-01 10:00:00")
    expect(given_up.get_by_test_id("stuck-attempts")).to_have_text(
        f"{monitoring.MAX_ATTEMPTS} / {monitoring.MAX_ATTEMPTS}"
    )
    expect(given_up.get_by_test_id("stuck-state")).to_have_text("已放弃")
    # The error is cut in the table; the whole text is the tooltip, and opens on a click.
    full = f"RuntimeError: {LONG_ERROR}"
    summary = given_up.locator('[data-testid="stuck-error"] summary')
    assert summary.get_attribute("title") == full
    assert summary.inner_text().endswith("…") and len(summary.inner_text()) < len(full)
    expect(given_up.get_by_test_id("stuck-error-full")).to_be_hidden()
    summary.click()
    expect(given_up.get_by_test_id("stuck-error-full")).to_have_text(full)
    retrying = page.locator(f'[data-testid="stuck-row"][data-id="{ids["s-2"]}"]')
    expect(retrying.get_by_test_id("stuck-state")).to_have_text("自动重试中")
    expect(retrying.get_by_test_id("stuck-attempts")).to_have_text(f"1 / {monitoring.MAX_ATTEMPTS}")
    expect(retrying.get_by_test_id("stuck-pick")).to_be_disabled()
    assert page.locator(f'[data-id="{ids["s-ok"]}"]').count() == 0  # processed: not stuck

    # "Select every given-up event" ticks the two given-up ones, not the one still retried.
    retry = page.get_by_test_id("stuck-retry")
    expect(retry).to_be_disabled()
    page.get_by_test_id("stuck-all").check()
    expect(page.locator('[data-testid="stuck-pick"]:checked')).to_have_count(2)
    expect(retry).to_have_text("重新排队（2）")
    page.get_by_test_id("stuck-all").uncheck()
    expect(page.locator('[data-testid="stuck-pick"]:checked')).to_have_count(0)
    expect(retry).to_be_disabled()
    page.mouse.move(5, 5)
    page.screenshot(path="/tmp/zhifa-stuck.png", full_page=True)

    # 3. Queue s-1 again: reported queued, and gone from the list (its attempts are back to 0).
    given_up.get_by_test_id("stuck-pick").check()
    expect(retry).to_be_enabled()
    retry.click()
    result = page.get_by_test_id("retry-result")
    expect(result.get_by_test_id("retry-queued")).to_have_text(f"已重新排队：#{ids['s-1']}。")
    expect(result.get_by_test_id("retry-refused")).to_have_count(0)
    expect(page.get_by_test_id("stuck-row")).to_have_count(2)
    expect(given_up).to_have_count(0)
    expect(page.get_by_test_id("stuck-summary")).to_have_text("共 2 条滞留事件：已放弃 1 条，自动重试中 1 条")

    # 4. s-3 ticked, but another administrator queues it first: the API refuses it, with why.
    other = page.locator(f'[data-testid="stuck-row"][data-id="{ids["s-3"]}"]')
    other.get_by_test_id("stuck-pick").check()
    first = _call(site, "POST", "/api/v1/events/stuck/retry", _token(site, "admin"), {"ids": [ids["s-3"]]})
    assert first == {"queued": [ids["s-3"]], "refused": []}
    retry.click()
    expect(result.get_by_test_id("retry-queued")).to_have_text("没有事件被重新排队。")
    refused = result.get_by_test_id("retry-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_have_text(f"#{ids['s-3']}: 仍在自动重试（不足 {monitoring.MAX_ATTEMPTS} 次），无需重新排队")
    expect(page.get_by_test_id("stuck-row")).to_have_count(1)  # the list was read again
    expect(retry).to_be_disabled()

    # 5. The rule mended, the worker processes what was queued (the retried ones, and s-2 on its
    #    own retry): the overloads raise their leads, and nothing is stuck any more.
    monkeypatch.undo()
    totals = monitoring.drain(site.engine)
    assert totals["events"] == 3 and totals["failed"] == 0, totals
    page.get_by_test_id("stuck-refresh").click()
    expect(page.get_by_test_id("stuck-empty")).to_have_text("没有滞留事件")
    expect(page.get_by_test_id("stuck-summary")).to_have_text("共 0 条滞留事件：已放弃 0 条，自动重试中 0 条")
    expect(retry).to_be_disabled()
    leads = _call(site, "GET", "/api/v1/leads?kind=overload", _token(site, "admin"))["items"]
    assert {x["subject"] for x in leads} >= {"苏L11111/yellow", "苏L22222/yellow", "苏L33333/yellow"}

    # 6. English.
    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1")).to_have_text("Stuck events")
    expect(page.get_by_test_id("stuck-empty")).to_have_text("No stuck events")
    assert console.errors == []
