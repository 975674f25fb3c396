"""The 预案 (``/plans``) and 时限标准与参数 (``/sla``) pages on the server side (TestClient): who may
open them (403 page for others), what the boot data tells the scripts (which roles may edit, the
settings' labels and types), the navigation links, the translations, and that the roles the pages
give the edit controls to are those the API lets write. The scripts themselves are tested in a real
browser in ``test_browser_plans.py``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.dispatch.conftest import World, build_world
from zhifa.core.clock import FrozenClock
from zhifa.dispatch import planning
from zhifa.dispatch.config import DispatchConfig
from zhifa.web import dispatch_pages, i18n

PASSWORD = "correct-horse-battery"  # tests.helpers.make_user's


@pytest.fixture()
def world(session: Session, clock: FrozenClock, client: Any) -> World:
    w = build_world(session, clock)
    w.client = client
    return w


def _as(w: World, username: str) -> Any:
    w.client.cookies.clear()
    r = w.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return w.client


def _boot(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="zhifa-boot">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


@pytest.mark.parametrize("path", ["/plans", "/sla"])
def test_the_pages_need_a_login(client: Any, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")


ACCESS = [
    ("duty", "/plans", 200),
    ("leader1", "/plans", 200),
    ("admin", "/plans", 200),
    ("O1", "/plans", 403),
    ("analyst", "/plans", 403),
    ("legal1", "/plans", 403),
    ("duty", "/sla", 200),
    ("leader1", "/sla", 200),
    ("admin", "/sla", 200),
    ("O1", "/sla", 403),
    ("analyst", "/sla", 403),
]


def test_who_may_open_the_plans_and_sla_pages(world: World) -> None:
    for username, path, status in ACCESS:
        r = _as(world, username).get(path, follow_redirects=False)
        assert r.status_code == status, (username, path, r.text[:300])
        if status == 403:
            assert 'data-testid="page-forbidden"' in r.text and "无权查看此内容" in r.text, (username, path)
            assert "指挥中心值班员" in r.text and "大队负责人" in r.text, (username, path)
            assert 'id="plan-form"' not in r.text and 'id="sla-table"' not in r.text
        else:
            assert 'data-testid="page-forbidden"' not in r.text, (username, path)


def test_plans_page_renders_in_chinese_and_english(world: World) -> None:
    client = _as(world, "duty")
    zh = client.get("/plans").text
    assert "<h1>预案管理</h1>" in zh
    for text in (
        "新建预案",
        "线索类型",
        "派发指令（1 至 10 条）",
        "推荐队员人数",
        "版本记录",
        "系统指定单位（按分派）",
    ):
        assert text in zh, text
    assert 'data-testid="pf-add-step"' in zh and 'id="step-template"' in zh
    boot = _boot(zh)
    assert boot["active"] == "dispatch-plans"
    assert boot["page"]["plan_roles"] == list(planning.PLAN_ROLES)
    assert boot["page"]["task_kinds"] == ["inspection", "enforcement", "complaint"]
    assert boot["messages"]["Retire"] == "停用"
    client.get("/lang/en")
    en = client.get("/plans").text
    assert "<h1>Response plans</h1>" in en and "Tasks to dispatch (1 to 10)" in en
    assert "预案管理" not in en.split("</nav>")[-1]  # the page body; the layout's nav is English too
    assert _boot(en)["messages"]["Retire"] == "Retire"


def test_sla_page_renders_with_settings_labels_and_types(world: World) -> None:
    client = _as(world, "admin")
    zh = client.get("/sla").text
    assert "<h1>时限标准与参数</h1>" in zh
    for text in ("签收时限", "到场时限", "反馈时限", "到期前提醒", "超时后升级至指挥中心", "指挥调度参数", "依据"):
        assert text in zh, text
    page = _boot(zh)["page"]
    assert page["edit_roles"] == ["admin"]
    # Every setting the dispatch module knows has a label (in the user's language) and a type.
    fields = set(DispatchConfig.__dataclass_fields__)
    assert set(dispatch_pages.SETTING_LABELS) == fields
    assert set(page["setting_labels"]) == fields
    assert page["setting_labels"]["offsite_notice_days"] == "非现场执法：告知后接受处理期限（日）"
    assert page["setting_types"] == {
        "offsite_notice_days": "int",
        "hotline_reply_working_days": "dict",
        "hotline_remind_before_hours": "int",
        "position_max_age_min": "int",
        "webhook_url": "str",
        "webhook_timeout_s": "float",
        "webhook_max_attempts": "int",
        "triage_target_min": "dict",
    }
    client.get("/lang/en")
    en = client.get("/sla").text
    assert "<h1>SLA ladders and settings</h1>" in en and "Escalate to the center after" in en
    assert _boot(en)["page"]["setting_labels"]["webhook_url"] == "Webhook URL"


def test_the_nav_links_come_after_the_wall_and_the_figures(world: World) -> None:
    html = _as(world, "duty").get("/wall").text
    nav = html.split('id="sidenav"')[1].split("</nav>")[0]
    order = [nav.index(f'href="{h}"') for h in ("/wall", "/figures", "/plans", "/sla")]
    assert order == sorted(order)
    assert ">预案管理</a>" in nav and ">时限标准与参数</a>" in nav
    html = _as(world, "duty").get("/plans").text
    assert re.search(r'<a href="/plans" data-nav="dispatch-plans" class="active" aria-current="page">', html)


def test_the_pages_edit_roles_are_the_apis(world: World) -> None:
    """The pages draw edit controls for ``plan_roles`` / ``edit_roles``; the API must agree: a
    duty officer writes plans but not ladders, a leader neither, an administrator both."""
    body = {"name": "G312 超限", "lead_kind": "overload", "route": "G312", "steps": [{"task_kind": "inspection"}]}
    ladder = {"accept_min": 10, "arrive_min": 60, "feedback_min": 240, "remind_before_min": 5, "center_after_min": 30}
    expected = {"duty": (201, 403), "leader1": (403, 403), "admin": (201, 200)}
    for username, (plan_status, sla_status) in expected.items():
        h = world.h(username)
        assert world.client.post("/api/v1/plans", json=body, headers=h).status_code == plan_status, username
        r = world.client.put("/api/v1/sla-policies/inspection/high", json=ladder, headers=h)
        assert r.status_code == sla_status, username
        roles = {"duty": {"duty_officer"}, "leader1": {"leader"}, "admin": {"admin"}}[username]
        may_plan = "admin" in roles or bool(roles & set(planning.PLAN_ROLES))
        may_sla = bool(roles & set(dispatch_pages.SLA_EDIT_ROLES))
        assert may_plan == (plan_status == 201), username
        assert may_sla == (sla_status == 200), username
    # Leaders open the SLA page but the settings API refuses them: the page shows that message.
    r = world.client.get("/api/v1/dispatch/settings", headers=world.h("leader1"))
    assert r.status_code == 403 and "message_zh" in r.json()["error"]


def test_every_new_string_is_in_the_catalogue_in_both_languages() -> None:
    from pathlib import Path

    web = Path(dispatch_pages.__file__).parent
    texts = [(web / "templates" / n).read_text("utf-8") for n in ("plans.html", "sla.html")]
    texts += [(web / "static" / "js" / n).read_text("utf-8") for n in ("plans.js", "sla.js")]
    keys: set[str] = set()
    for text in texts:
        keys |= set(re.findall(r'\b(?:_|t)\(\s*"((?:[^"\\]|\\.)*)"', text))
    assert len(keys) > 50  # the scan works
    for key in keys:
        entry = i18n.CATALOGUE.get(key)
        assert entry is not None, key
        assert entry["zh"] != entry["en"], key
