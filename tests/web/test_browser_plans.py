"""预案 and 时限标准 in a real browser (Debian Chromium) against a real server (uvicorn in a thread
of this test process, as in ``test_browser_dispatch.py``) on a fresh SQLite database with the
dispatch world (units, officers, one user per role).

The duty officer creates a response plan through the form (a refused save shows the API's message
next to the field), edits it (the version goes up) and retires it; the administrator reads its
version history, edits a cell of the SLA ladder (a ladder the API refuses shows its message in
the row) and a setting. Each change is checked after a reload and through the API. A duty officer
sees the ladders without inputs or save buttons, and the API refuses his PUT; a leader sees the
API's refusal of the settings. Screenshots: ``/tmp/zhifa-plans.png``, ``/tmp/zhifa-sla.png``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dispatch.conftest import build_world
from tests.web.test_browser import Console, NewContext
from tests.web.test_browser_dispatch import Site, _call, _login, _token, serve_world

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_world(tmp_path_factory, "web-plans", build_world)


def _status(site: Site, method: str, path: str, token: str, body: Any) -> int:
    req = urllib.request.Request(
        f"{site.url}{path}",
        json.dumps(body).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _plan(site: Site, plan_id: int) -> dict[str, Any]:
    plans = _call(site, "GET", "/api/v1/plans", _token(site, "duty"))
    return next(p for p in plans if p["id"] == plan_id)


def test_plans_created_edited_retired_and_the_sla_ladder_edited(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)
    _login(page, site, "duty", "/plans")
    table = page.get_by_test_id("plans-table")
    expect(table).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("plan-row")).to_have_count(0)

    # 1. A new plan through the form: an overload on G312 → the routed unit's nearest patrol plus
    #    a check by 路政二大队. Without a name the API refuses, and says so next to the name.
    page.get_by_test_id("plan-new").click()
    form = page.get_by_test_id("plan-form")
    expect(form).to_be_visible()
    form.get_by_test_id("pf-lead_kind").select_option("overload")
    form.get_by_test_id("pf-route").fill("g312")
    form.get_by_test_id("pf-add-step").click()
    steps = form.get_by_test_id("pf-step")
    expect(steps).to_have_count(2)
    steps.nth(0).get_by_test_id("ps-title").fill("就近巡查核查")
    steps.nth(1).get_by_test_id("ps-unit").select_option("RD2")
    steps.nth(1).get_by_test_id("ps-officers").fill("1")
    steps.nth(1).get_by_test_id("ps-title").fill("称重点数据复核")
    form.get_by_test_id("pf-submit").click()
    name_error = form.locator('[data-field="name"] [data-testid="field-error"]')
    expect(name_error).to_be_visible()
    expect(name_error).to_contain_text("name")
    expect(form.get_by_test_id("plan-error")).to_be_visible()
    # A step the API refuses (more than 10 officers) is marked on that step's field.
    form.get_by_test_id("pf-name").fill("G312 超限运输处置")
    steps.nth(1).get_by_test_id("ps-officers").fill("11")
    form.get_by_test_id("pf-submit").click()
    expect(steps.nth(1).locator('[data-step-field="officers"] [data-testid="field-error"]')).to_be_visible()
    expect(form.locator('[data-field="name"] [data-testid="field-error"]')).to_have_count(0)
    steps.nth(1).get_by_test_id("ps-officers").fill("1")
    form.get_by_test_id("pf-submit").click()
    expect(form).to_be_hidden()
    row = page.get_by_test_id("plan-row")
    expect(row).to_have_count(1)
    plan_id = int(row.get_attribute("data-plan-id") or 0)
    expect(row.get_by_test_id("plan-version")).to_have_text("v1")
    expect(row).to_contain_text("G312")
    expect(row.get_by_test_id("plan-steps")).to_contain_text("核查 → 系统指定单位（按分派） ×2（就近巡查核查）")
    expect(row.get_by_test_id("plan-steps")).to_contain_text("路政二大队（RD2） ×1（称重点数据复核）")
    page.reload()
    expect(page.get_by_test_id("plan-row")).to_have_count(1)
    expect(page.get_by_test_id("plan-name")).to_have_text("G312 超限运输处置")
    api_plan = _plan(site, plan_id)
    assert api_plan["version"] == 1 and api_plan["active"] is True
    assert (api_plan["lead_kind"], api_plan["route"], api_plan["priority"]) == ("overload", "G312", None)
    assert api_plan["steps"] == [
        {"task_kind": "inspection", "unit": "routed", "officers": 2, "title": "就近巡查核查", "instructions": ""},
        {"task_kind": "inspection", "unit": "RD2", "officers": 1, "title": "称重点数据复核", "instructions": ""},
    ]

    # 2. Edit: the form holds the plan; a priority and an enforcement step; the version goes up.
    page.get_by_test_id("plan-row").get_by_test_id("plan-edit").click()
    expect(form).to_be_visible()
    expect(form.get_by_test_id("plan-form-title")).to_contain_text(f"#{plan_id}")
    expect(form.get_by_test_id("pf-name")).to_have_value("G312 超限运输处置")
    expect(form.get_by_test_id("pf-step")).to_have_count(2)
    expect(form.get_by_test_id("pf-step").nth(1).get_by_test_id("ps-unit")).to_have_value("RD2")
    form.get_by_test_id("pf-priority").select_option("high")
    form.get_by_test_id("pf-step").nth(1).get_by_test_id("ps-task_kind").select_option("enforcement")
    form.get_by_test_id("pf-step").nth(1).get_by_test_id("ps-instructions").fill("调取称重数据，依法处置")
    form.get_by_test_id("pf-submit").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("plan-version")).to_have_text("v2")
    page.reload()
    expect(page.get_by_test_id("plan-version")).to_have_text("v2")
    expect(page.get_by_test_id("plan-row")).to_contain_text("紧急")
    expect(page.get_by_test_id("plan-steps")).to_contain_text("执法查处 → 路政二大队（RD2）")
    api_plan = _plan(site, plan_id)
    assert (api_plan["version"], api_plan["priority"]) == (2, "high")
    assert api_plan["steps"][1]["task_kind"] == "enforcement"
    assert api_plan["steps"][1]["instructions"] == "调取称重数据，依法处置"
    assert api_plan["route"] == "G312" and api_plan["steps"][0]["title"] == "就近巡查核查"  # kept

    # 3. Retire it.
    page.get_by_test_id("plan-toggle").click()
    expect(page.get_by_test_id("plan-row")).to_have_attribute("data-active", "0")
    page.reload()
    expect(page.get_by_test_id("plan-row")).to_have_attribute("data-active", "0")
    expect(page.get_by_test_id("plan-active")).to_have_text("已停用")
    expect(page.get_by_test_id("plan-version")).to_have_text("v3")
    api_plan = _plan(site, plan_id)
    assert (api_plan["active"], api_plan["version"]) == (False, 3)
    assert _call(site, "GET", "/api/v1/plans?active=true", _token(site, "duty")) == []
    # No history button for the duty officer (the audit log is the administrators').
    expect(page.get_by_test_id("plan-history-open")).to_have_count(0)
    page.screenshot(path="/tmp/zhifa-plans.png", full_page=True)

    # 4. The duty officer reads the ladders but cannot save them: no inputs, no buttons; the API
    #    refuses him as well.
    page.goto(f"{site.url}/sla")
    expect(page.get_by_test_id("sla-table")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("sla-row")).to_have_count(12)
    expect(page.get_by_test_id("sla-save")).to_have_count(0)
    expect(page.get_by_test_id("sla-table").locator("input")).to_have_count(0)
    expect(page.get_by_test_id("settings-save")).to_be_hidden()
    expect(page.get_by_test_id("setting-row")).to_have_count(8)  # he may read the settings
    ladder = {"accept_min": 8, "arrive_min": 60, "feedback_min": 240, "remind_before_min": 5, "center_after_min": 30}
    assert _status(site, "PUT", "/api/v1/sla-policies/inspection/high", _token(site, "duty"), ladder) == 403
    assert console.errors == []

    # 5. The administrator: the plan's version history, then one cell of the SLA ladder.
    admin = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
    admin_console = Console(admin)
    _login(admin, site, "admin", "/plans")
    admin.get_by_test_id("plan-history-open").click()
    history = admin.get_by_test_id("history-row")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("v3")
    expect(history.nth(0)).to_contain_text("active")
    expect(history.nth(2)).to_contain_text("新建")

    admin.goto(f"{site.url}/sla")
    expect(admin.get_by_test_id("sla-table")).to_have_attribute("data-ready", "1")
    cell_row = admin.locator('[data-testid="sla-row"][data-kind="inspection"][data-priority="high"]')
    expect(cell_row.get_by_test_id("sla-accept_min")).to_have_value("10")
    # A ladder the API refuses (accept after arrive) shows its message in the row.
    cell_row.get_by_test_id("sla-accept_min").fill("90")
    cell_row.get_by_test_id("sla-save").click()
    expect(cell_row.get_by_test_id("sla-row-error")).to_contain_text("accept_min")
    cell_row.get_by_test_id("sla-accept_min").fill("8")
    cell_row.get_by_test_id("sla-save").click()
    cell_row = admin.locator('[data-testid="sla-row"][data-kind="inspection"][data-priority="high"]')
    expect(cell_row.get_by_test_id("sla-changed")).to_contain_text("admin")
    expect(cell_row.get_by_test_id("sla-row-error")).to_be_hidden()
    admin.reload()
    cell_row = admin.locator('[data-testid="sla-row"][data-kind="inspection"][data-priority="high"]')
    expect(cell_row.get_by_test_id("sla-accept_min")).to_have_value("8")
    policies = _call(site, "GET", "/api/v1/sla-policies", _token(site, "admin"))
    got = next(p for p in policies if (p["task_kind"], p["priority"]) == ("inspection", "high"))
    assert (got["accept_min"], got["arrive_min"], got["updated_by"]) == (8, 60, "admin")
    other = next(p for p in policies if (p["task_kind"], p["priority"]) == ("inspection", "normal"))
    assert other["accept_min"] == 30  # only the row saved changed

    # A setting, with its documented source shown.
    setting = admin.locator('[data-testid="setting-row"][data-key="offsite_notice_days"]')
    expect(setting.get_by_test_id("setting-source")).not_to_have_text("—")
    admin.get_by_test_id("setting-triage_target_min-high").fill("12")
    admin.get_by_test_id("settings-save").click()
    expect(admin.get_by_test_id("settings-status")).to_contain_text("triage_target_min")
    admin.reload()
    expect(admin.get_by_test_id("setting-triage_target_min-high")).to_have_value("12")
    settings = _call(site, "GET", "/api/v1/dispatch/settings", _token(site, "admin"))
    triage = next(s for s in settings if s["key"] == "triage_target_min")
    assert triage["value"] == {"high": 12, "normal": 30, "low": 120}
    admin.screenshot(path="/tmp/zhifa-sla.png", full_page=True)
    assert admin_console.errors == []

    # 6. The duty officer's page, reloaded, shows the administrator's value.
    page.reload()
    duty_row = page.locator('[data-testid="sla-row"][data-kind="inspection"][data-priority="high"]')
    expect(duty_row.get_by_test_id("sla-accept_min")).to_have_text("8")


def test_a_leader_reads_plans_and_ladders_and_is_told_the_settings_are_not_his(
    new_context: NewContext, site: Site
) -> None:
    page = new_context(locale="zh-CN").new_page()
    console = Console(page)
    _login(page, site, "leader1", "/plans")
    expect(page.get_by_test_id("plans-table")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("plan-new")).to_be_hidden()
    expect(page.get_by_test_id("plan-edit")).to_have_count(0)
    expect(page.get_by_test_id("plans-note")).to_contain_text("预案由指挥中心维护")
    page.goto(f"{site.url}/sla")
    expect(page.get_by_test_id("sla-row")).to_have_count(12)
    expect(page.get_by_test_id("sla-save")).to_have_count(0)
    expect(page.get_by_test_id("settings-error")).to_contain_text("需要角色")
    body = {"name": "x", "steps": [{"task_kind": "inspection"}]}
    assert _status(site, "POST", "/api/v1/plans", _token(site, "leader1"), body) == 403
    # The English page.
    page.goto(f"{site.url}/lang/en?next=/sla")
    expect(page.locator("h1")).to_have_text("SLA ladders and settings")
    expect(page.get_by_test_id("sla-table").locator("th").first).to_have_text("Task kind")
    assert console.errors == []
