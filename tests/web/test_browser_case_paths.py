"""Every path of a case in a real browser (Debian Chromium), through the case page's buttons and
forms, as the users whose roles the step table names — against one server (uvicorn in a thread of
this test process, sharing its frozen clock) on a fresh SQLite database with the case world (units,
officers O1 O2, leader1, legal1 legal2, a penalty item, registered parties) and a recording
document issuer (numbers ``T-<kind>-<n>``).

Paths: simplified on the spot (from the workbench); general without a hearing (filed from the
workbench: investigate → propose → notify → defence and its re-check → submit → pass in the
reviewer's queue → decide → deliver → pay → close); general with a hearing (request, notice,
hold); no penalty by the exemption list and by first violation; evidence preservation and a
seizure (extended once, released); referral; overdue → reminder. After each step: the state shown,
the next deadline's badge (its kind and due date) and the documents listed. A case filed from a
lead with the lead page's button carries the lead's image over as evidence; from a task page the
same. The workbench, the case page and the review queue in English show English states and steps.

Common preparation (filing, the inquiry record, the proposal) goes through the API where a path is
about something else. Screenshot: ``/tmp/zhifa-case-paths.png``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.web.test_browser import Console, NewContext
from tests.web.test_browser_cases import serve_case_world
from tests.web.test_browser_dispatch import T0, WIM_KEY, Site, _call, _login, _token
from tests.web.test_browser_monitoring import _png, _post_events, _post_evidence

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_case_world(tmp_path_factory, "web-case-paths")


@pytest.fixture(autouse=True)
def at_t0(site: Site) -> None:
    site.clock.set(T0)


# --------------------------------------------------------------------------- helpers


def at(site: Site, text: str) -> None:
    """Move the shared clock to a Beijing wall time."""
    site.clock.set(datetime.fromisoformat(text + "+08:00").astimezone(UTC))


def api(site: Site, user: str, method: str, path: str, body: Any = None) -> Any:
    return _call(site, method, path, _token(site, user), body)


def general(site: Site, *, propose: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A general case filed by O1, its inquiry record taken and its penalty proposed (API)."""
    from tests.cases.conftest import INQUIRY, USCC

    body = {
        "unit_code": "RD1",
        "title": "未随车携带道路运输证",
        "facts": "2026年6月1日，当事人驾驶苏L12345货车在G312线检查时未能出示道路运输证。",
        "item_code": "YS-001",
        "party": {"id_no": USCC},
        "source": "inspection",
        "officers": ["O1", "O2"],
    } | fields
    case = api(site, "O1", "POST", "/api/v1/cases", body)
    api(site, "O1", "POST", f"/api/v1/cases/{case['id']}/transitions", {"action": "investigate", **INQUIRY})
    api(
        site, "O1", "POST", f"/api/v1/cases/{case['id']}/discretion", propose or {"tier": 2, "circumstance": "ordinary"}
    )
    return dict(case)


class CasePage:
    """One user's browser on one case page."""

    def __init__(self, new_context: NewContext, site: Site, user: str, case_id: int, lang: str = "zh") -> None:
        self.site, self.case_id, self.user = site, case_id, user
        context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        if lang != "zh":
            context.add_cookies([{"name": "zhifa_lang", "value": lang, "url": site.url}])
        self.page = context.new_page()
        self.console = Console(self.page)
        _login(self.page, site, user, f"/cases/{case_id}")
        self.ready()

    def ready(self) -> None:
        expect(self.page.get_by_test_id("case-body")).to_have_attribute("data-ready", "1")

    def reload(self) -> None:
        """Load the page again (its date is the server's when it is made); after the clock has
        moved on, the session may have ended: sign in again."""
        self.page.reload()
        if "/login" in self.page.url:
            from tests.web.test_browser_dispatch import PASSWORD

            self.page.get_by_test_id("login-username").fill(self.user)
            self.page.get_by_test_id("login-password").fill(PASSWORD)
            self.page.get_by_test_id("login-submit").click()
            self.page.wait_for_url(f"**/cases/{self.case_id}")
        self.ready()

    def state(self, text: str) -> None:
        expect(self.page.get_by_test_id("case-state")).to_have_text(text)

    def next_deadline(self, kind: str | None, due: str | None = None, level: str | None = None) -> None:
        badges = self.page.get_by_test_id("case-badges")
        if kind is None:
            expect(badges.get_by_test_id("deadline-none")).to_be_visible()
            return
        nd = badges.get_by_test_id("next-deadline")
        expect(nd).to_have_attribute("data-kind", kind)
        if due:
            expect(nd).to_have_attribute("data-due", due)
        if level:
            expect(nd.get_by_test_id("deadline-badge")).to_have_attribute("data-level", level)

    def documents(self, *kinds: str) -> None:
        rows = self.page.get_by_test_id("document-row")
        expect(rows).to_have_count(len(kinds))
        for i, kind in enumerate(kinds):
            expect(rows.nth(i)).to_contain_text(f"T-{kind}-")

    def buttons(self) -> list[str]:
        b = self.page.get_by_test_id("step-button")
        return [str(b.nth(i).get_attribute("data-action")) for i in range(b.count())]

    def step(
        self,
        action: str,
        fields: dict[str, Any] | None = None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
        officers: str | None = "O1, O2",
        error: str | None = None,
    ) -> None:
        """Take a step through its button and form; with ``error``, expect the API's refusal."""
        p = self.page
        p.locator(f'[data-testid="step-button"][data-action="{action}"]').click()
        form = p.get_by_test_id("step-form")
        expect(form).to_have_attribute("data-action", action)
        for name, value in (fields or {}).items():
            box = p.get_by_test_id(f"step-field-{name}")
            kind = box.get_attribute("data-kind")
            if kind == "bool":
                box.set_checked(bool(value))
            elif kind == "select":
                box.select_option(str(value))
            elif kind == "file":
                box.set_input_files(value)
            else:
                box.fill(str(value))
        if officers is not None and p.get_by_test_id("step-field-officers").count():
            p.get_by_test_id("step-field-officers").fill(officers)
        if reason:
            p.get_by_test_id("step-reason").fill(reason)
        if extra:
            p.locator("#step-form details summary").click()
            p.get_by_test_id("step-extra").fill(json.dumps(extra, ensure_ascii=False))
        before = p.get_by_test_id("timeline-row").count()
        p.get_by_test_id("step-submit").click()
        if error:
            expect(p.get_by_test_id("step-error")).to_contain_text(error)
            p.get_by_test_id("step-cancel").click()
            return
        expect(form).to_be_hidden()
        expect(p.get_by_test_id("timeline-row")).to_have_count(before + 1)
        expect(p.get_by_test_id("timeline-row").last).to_have_attribute("data-action", action)

    def panel(self, testid: str, fields: dict[str, Any]) -> None:
        """Fill and submit one of the panels beside the steps (statement, payment, …)."""
        p = self.page
        form = p.get_by_test_id(f"{testid}-form").first
        for name, value in fields.items():
            box = form.get_by_test_id(name)
            if box.get_attribute("type") == "checkbox":
                box.set_checked(bool(value))
            elif box.evaluate("n => n.tagName") == "SELECT":
                box.select_option(str(value))
            else:
                box.fill(str(value))
        form.get_by_test_id(f"{testid}-submit").click()

    def done(self) -> None:
        assert self.console.errors == []


# --------------------------------------------------------------------------- paths


def test_simplified_on_the_spot_from_the_workbench(new_context: NewContext, site: Site) -> None:
    from tests.cases.conftest import USCC

    context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)
    _login(page, site, "O1", "/cases")
    page.get_by_test_id("case-spot-open").click()
    dialog = page.get_by_test_id("case-file-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("case-file-heading")).to_have_text("当场处罚")
    expect(page.get_by_test_id("case-file-item").locator("option")).to_have_count(3)
    page.get_by_test_id("case-file-item").select_option("YS-001")
    page.get_by_test_id("case-file-title").fill("未随车携带道路运输证")
    page.get_by_test_id("case-file-party-id").fill(USCC)
    page.get_by_test_id("case-file-facts").fill("当事人驾驶苏L12345货车在G312线检查时未能出示道路运输证，当场改正。")
    page.get_by_test_id("case-file-officers").fill("O1, O2")
    # Over the simplified procedure's limit for a warning-free small fine? 5,000 yuan is refused.
    page.get_by_test_id("case-file-fine").fill("5000")
    page.get_by_test_id("case-file-submit").click()
    expect(page.get_by_test_id("case-file-error")).to_contain_text("simplified_not_allowed")
    page.get_by_test_id("case-file-fine").fill("100")
    page.get_by_test_id("case-file-waived").check()
    page.get_by_test_id("case-file-submit").click()
    page.wait_for_url("**/cases/*")
    expect(page.get_by_test_id("case-body")).to_have_attribute("data-ready", "1")
    cid = int(page.url.rsplit("/", 1)[1])
    assert console.errors == []
    c = CasePage.__new__(CasePage)
    c.site, c.case_id, c.page, c.console, c.user = site, cid, page, console, "O1"

    c.state("已送达（待履行）")
    # Filed with the authority within 5 working days: Mon 8 June (第五十二条第三款), before payment (15 days).
    c.next_deadline("filing_copy", "2026-06-08", "ok")
    c.documents("on_the_spot_decision")
    assert "file_copy" in c.buttons() and "notify" not in c.buttons()
    c.step("file_copy", {"note": "已报大队备案"})
    c.next_deadline("payment", "2026-06-16")
    expect(page.get_by_test_id("case-payment-panel")).to_be_visible()
    c.panel("payment", {"payment-amount": "100", "payment-reference": "SPOT-1"})
    c.state("已履行")
    c.next_deadline(None)
    c.done()

    leader = CasePage(new_context, site, "leader1", cid)
    leader.step("close", {"summary": "当场处罚，已缴款、已备案"})
    leader.state("已结案")
    leader.documents("on_the_spot_decision", "closing_report")
    assert "close" not in leader.buttons()  # publishing (公示) is its own function
    leader.done()


def test_general_without_hearing_filed_on_the_workbench(new_context: NewContext, site: Site) -> None:
    from tests.cases.conftest import INQUIRY, USCC

    context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)
    _login(page, site, "O1", "/cases")
    page.get_by_test_id("case-file-open").click()
    page.get_by_test_id("case-file-item").select_option("YS-001")
    page.get_by_test_id("case-file-title").fill("未随车携带道路运输证")
    page.get_by_test_id("case-file-party-id").fill(USCC)
    page.get_by_test_id("case-file-facts").fill("当事人驾驶苏L12345货车在G312线检查时未能出示道路运输证。")
    page.get_by_test_id("case-file-officers").fill("O1, O2")
    page.get_by_test_id("case-file-submit").click()
    page.wait_for_url("**/cases/*")
    cid = int(page.url.rsplit("/", 1)[1])
    c = CasePage.__new__(CasePage)
    c.site, c.case_id, c.page, c.console, c.user = site, cid, page, console, "O1"
    c.ready()

    c.state("已立案（调查取证）")
    c.next_deadline("decision", "2026-08-31", "ok")  # 90 days (行政处罚法 第六十条), Sunday → Monday
    expect(page.get_by_test_id("case-badges")).to_contain_text("剩 91 天")
    c.documents("filing_register")
    # Notice before a proposed penalty: the API's 409, shown in the form.
    c.step("notify", error="no_penalty_proposed")
    # 询问笔录 through its form (zhifa.cases.records: what an inquiry record must state).
    who = INQUIRY["interviewee"]
    qa = "\n".join(f"问：{x['q']}\n答：{x['a']}" for x in INQUIRY["qa"])
    c.step(
        "investigate",
        {
            "record_kind": "inquiry_record",
            "started_at": INQUIRY["started_at"],
            "ended_at": INQUIRY["ended_at"],
            "place": INQUIRY["place"],
            "recorder": "O2",
            "identity_shown": True,
            "interviewee.name": who["name"],
            "interviewee.gender": who["gender"],
            "interviewee.id_number": who["id_number"],
            "interviewee.address": who["address"],
            "interviewee.relation": who["relation"],
            "rights_notified": True,
            "qa": qa,
            "signed": True,
        },
    )
    # The proposal from the item's benchmark: tier 2 (100–200 yuan), ordinary → 150.
    c.panel("penalty", {"penalty-tier": "2", "penalty-circumstance": "ordinary"})
    expect(page.get_by_test_id("case-penalty")).to_contain_text("150.00")
    c.step("notify")
    c.state("已告知（陈述申辩期）")
    c.next_deadline("statement", "2026-06-04", "ok")  # 3 working days: the party's period
    c.documents("filing_register", "inquiry_record", "violation_notice")
    # The party's defence, recorded and re-checked (复核).
    c.panel("statement", {"statement-kind": "defence", "statement-content": "证件当天忘带，已补正，请求从轻。"})
    expect(page.get_by_test_id("statement-row")).to_have_attribute("data-answered", "0")
    c.step("submit_review", error="party_period_running")
    c.panel("answer", {"answer-accepted": False, "answer-text": "未提供新的事实和证据，不予采纳。"})
    expect(page.get_by_test_id("statement-row")).to_have_attribute("data-answered", "1")

    at(site, "2026-06-05T09:00:00")
    c.reload()
    c.step("submit_review", reason="事实清楚，提交法制审核")
    c.state("法制审核中")
    assert {"pass_review", "return_review"} <= set(c.buttons())  # the reviewer's, not the officer's
    for action in ("pass_review", "return_review"):
        expect(page.locator(f'[data-testid="step-button"][data-action="{action}"]')).to_be_disabled()
    c.done()

    # The legal reviewer's queue lists it; the reviewer passes it from the case page.
    rv = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
    rv_console = Console(rv)
    _login(rv, site, "legal1", "/cases/review")
    expect(rv.get_by_test_id("case-table")).to_have_attribute("data-ready", "1")
    row = rv.locator(f'[data-testid="case-row"][data-id="{cid}"]')
    expect(row).to_contain_text("法制审核中")
    row.get_by_role("link").click()
    rv.wait_for_url(f"**/cases/{cid}")
    legal = CasePage.__new__(CasePage)
    legal.site, legal.case_id, legal.page, legal.console, legal.user = site, cid, rv, rv_console, "legal1"
    legal.ready()
    legal.step("pass_review", reason="事实清楚，证据确凿，程序合法，裁量适当")
    legal.state("法制审核通过")
    legal.done()

    leader = CasePage(new_context, site, "leader1", cid)
    leader.step("decide")
    leader.state("已作出处罚决定（待送达）")
    leader.next_deadline("delivery", "2026-06-16")  # 7 working days (第六十一条)
    c.reload()
    c.step("deliver", {"method": "in_person"})
    c.state("已送达（待履行）")
    c.next_deadline("payment", "2026-06-22")  # 15 days: 20 June in the Dragon Boat holiday → Monday 22
    c.panel("payment", {"payment-reference": "BANK-0001"})  # the amount owed is filled in
    c.state("已履行")
    leader.reload()
    leader.step("close", {"summary": "罚款已缴清，结案"})
    leader.state("已结案")
    leader.documents(
        "filing_register",
        "inquiry_record",
        "violation_notice",
        "penalty_decision",
        "delivery_receipt",
        "closing_report",
    )
    steps = [s["action"] for s in api(site, "O1", "GET", f"/api/v1/cases/{cid}")["steps"]]
    assert steps == [
        "file",
        "investigate",
        "notify",
        "statement",
        "submit_review",
        "pass_review",
        "decide",
        "deliver",
        "pay",
        "close",
    ]
    # 公示 through its own route, from the same step form.
    leader.step("publish", officers=None)
    leader.state("已结案")
    leader.page.screenshot(path="/tmp/zhifa-case-paths.png", full_page=True)
    leader.done()


def test_general_with_hearing(new_context: NewContext, site: Site) -> None:
    from tests.cases.conftest import HEARING
    from zhifa.cases.scanner import scan_once

    # 100,000 yuan for an organisation reaches the hearing threshold (第六十三条).
    case = general(
        site,
        title="未取得道路运输经营许可擅自从事道路货物运输经营",
        item_code="YS-002",
        propose={"tier": 2, "circumstance": "heavier"},
    )
    cid = case["id"]
    c = CasePage(new_context, site, "O1", cid)
    c.step("notify")
    c.next_deadline("statement", "2026-06-04")
    hearing_request = c.page.locator('[data-testid="deadline-row"][data-kind="hearing_request"]')
    expect(hearing_request).to_contain_text("2026-06-08")  # 5 working days (第六十四条第（一）项)
    c.step("request_hearing")
    c.state("已申请听证")
    # Fewer than 7 working days' notice, or a host who investigated: refused by the API.
    c.step(
        "notice_hearing",
        {"hearing_on": "2026-06-09", "host": "legal2", "place": "大队会议室", "clerk": "O2"},
        error="422",
    )
    c.step("notice_hearing", {"hearing_on": "2026-06-17", "host": "legal2", "place": "大队会议室", "clerk": "O2"})
    c.state("已通知听证")
    c.next_deadline("statement", "2026-06-04")
    expect(c.page.locator('[data-testid="deadline-row"][data-kind="hearing"]')).to_contain_text("2026-06-17")
    c.documents("filing_register", "inquiry_record", "violation_notice", "hearing_notice")
    c.done()

    at(site, "2026-06-17T11:00:00")
    scan_once(site.engine)  # the worker's scanner: the party's periods have run out
    host = CasePage(new_context, site, "legal2", cid)
    host.next_deadline("hearing", "2026-06-17", "soon")
    expect(host.page.get_by_test_id("deadline-badge").first).to_contain_text("今日到期")
    # 听证笔录 through its form.
    host.step(
        "hold_hearing",
        {
            "started_at": HEARING["started_at"],
            "ended_at": HEARING["ended_at"],
            "clerk": "O2",
            "members": "钱伟",
            "investigators": "O1",
            "attendees": "周某（法定代表人）\n吴律（委托代理人）",
            "case_statement": HEARING["case_statement"],
            "party_statement": HEARING["party_statement"],
            "cross_examination": HEARING["cross_examination"],
            "final_statement": HEARING["final_statement"],
            "signed": True,
        },
        officers=None,
    )
    host.state("听证已结束")
    host.documents("filing_register", "inquiry_record", "violation_notice", "hearing_notice", "hearing_record")
    host.done()

    c.reload()
    c.step("submit_review")
    c.state("法制审核中")
    legal = CasePage(new_context, site, "legal1", cid)
    legal.step("pass_review", reason="听证后经法制审核，同意")
    leader = CasePage(new_context, site, "leader1", cid)
    # A heavier fine than notified is refused (行政处罚法 第四十五条第二款).
    leader.step("decide", {"penalty.fine_yuan": "150000"}, error="409")
    leader.step("decide")
    leader.state("已作出处罚决定（待送达）")
    leader.next_deadline("delivery")
    leader.done()


def test_no_penalty_by_the_exemption_list(new_context: NewContext, site: Site, tmp_path: Any) -> None:
    case = general(site, matter="road.transport_permit")
    cid = case["id"]
    c = CasePage(new_context, site, "O1", cid)
    expect(c.page.get_by_test_id("case-exemption-panel")).to_be_visible()
    c.panel("exemption", {"exemption-minor": True, "exemption-corrected_in_time": True, "exemption-no_harm": True})
    expect(c.page.get_by_test_id("exemption-result")).to_contain_text("EX-ROAD-01")
    c.done()

    letter = tmp_path / "commitment.pdf"
    letter.write_bytes(b"%PDF-1.4 signed commitment letter")
    leader = CasePage(new_context, site, "leader1", cid)
    leader.step("no_penalty", {"ground": "exemption"}, reason="符合免罚清单", error="education_record")
    leader.step(
        "no_penalty",
        {
            "ground": "exemption",
            "education_record": "向当事人宣讲道路运输条例，当事人表示今后随车携带证件。",
            "commitment_sha256": str(letter),
        },
        reason="符合免罚清单第一批第1项",
    )
    leader.state("不予行政处罚")
    leader.next_deadline(None)
    leader.documents("filing_register", "inquiry_record", "no_penalty_decision")
    ev = leader.page.locator('[data-testid="evidence-row"]')
    expect(ev.filter(has_text="承诺书")).to_have_count(1)
    leader.step("close", {"summary": "不予处罚，已教育"})
    leader.state("已结案")
    leader.done()


def test_no_penalty_for_a_first_violation(new_context: NewContext, site: Site, tmp_path: Any) -> None:
    from tests.cases.conftest import PERSON_ID

    case = general(site, party={"id_no": PERSON_ID}, vehicle={"plate": "苏L66666", "plate_color": "blue"})
    cid = case["id"]
    letter = tmp_path / "letter.jpg"
    letter.write_bytes(_png())
    leader = CasePage(new_context, site, "leader1", cid)
    leader.panel(
        "exemption",
        {"exemption-first_offence": True, "exemption-minor_harm": True, "exemption-corrected_in_time": True},
    )
    result = leader.page.get_by_test_id("exemption-result")
    expect(result).to_contain_text("FIRST-VIOLATION")
    expect(result).to_contain_text("首次违法：是")
    leader.step(
        "no_penalty",
        {"ground": "first_violation", "education_record": "已对当事人进行教育。", "commitment_sha256": str(letter)},
        reason="首违不罚（行政处罚法 第三十三条第一款）",
    )
    leader.state("不予行政处罚")
    leader.done()


def test_preservation_and_a_seizure_extended_once(new_context: NewContext, site: Site) -> None:
    case = general(site)
    cid = case["id"]
    c = CasePage(new_context, site, "O1", cid)
    expect(c.page.locator('[data-testid="step-button"][data-action="seize"]')).to_be_disabled()  # a leader's
    c.step(
        "preserve_evidence",
        {"items": "道路运输证复印件\n行车记录仪存储卡", "kept_at": "大队物证室"},
        reason="证据可能灭失",
    )
    c.next_deadline("preservation", "2026-06-10", "ok")  # 7 working days (第五十六条)
    c.documents("filing_register", "inquiry_record", "evidence_preservation_list")
    c.step("decide_preservation", {"decision": "解除登记保存，返还当事人"})
    expect(c.page.locator('[data-testid="deadline-row"][data-kind="preservation"]')).to_have_attribute(
        "data-status", "met"
    )
    c.next_deadline("decision", "2026-08-31")
    c.done()

    leader = CasePage(new_context, site, "leader1", cid)
    leader.step("seize", {"items": "苏L12345货车"}, reason="暂扣车辆")
    leader.next_deadline("coercive", "2026-07-01")  # 30 days (行政强制法 第二十五条)
    leader.step("extend_coercive", reason="情况复杂，经负责人批准延长")
    leader.next_deadline("coercive", "2026-07-31")  # 60 days from the start, once
    leader.step("extend_coercive", reason="再次延长", error="extension_refused")
    leader.step("release_coercive", {"decision": "解除扣押，返还车辆"})
    expect(leader.page.locator('[data-testid="deadline-row"][data-kind="coercive"]')).to_have_attribute(
        "data-status", "met"
    )
    leader.next_deadline("decision", "2026-08-31")
    leader.done()


def test_referral_ends_the_case(new_context: NewContext, site: Site) -> None:
    cid = general(site)["id"]
    leader = CasePage(new_context, site, "leader1", cid)
    fields: dict[str, Any] = {"to": "镇江市公安局交通警察支队"}
    if leader.page.get_by_test_id("step-field-kind").count():  # once the form asks for it
        fields["kind"] = "judicial"
    leader.step("refer", fields, reason="涉嫌犯罪，移送司法机关", extra={"kind": "judicial"})
    leader.state("已移送")
    leader.next_deadline(None)
    assert leader.buttons() == []
    expect(leader.page.get_by_test_id("case-actions-note")).to_contain_text("当前状态下没有可进行的环节")
    leader.done()


def test_overdue_then_reminded(new_context: NewContext, site: Site) -> None:
    from zhifa.cases.scanner import scan_once

    cid = general(site)["id"]
    base = f"/api/v1/cases/{cid}"
    api(site, "O1", "POST", f"{base}/transitions", {"action": "notify", "officers": ["O1", "O2"]})
    api(site, "O1", "POST", f"{base}/statements", {"kind": "waiver", "content": "放弃陈述申辩", "waive_hearing": True})
    api(site, "leader1", "POST", f"{base}/transitions", {"action": "decide", "officers": ["O1", "O2"]})
    api(site, "O1", "POST", f"{base}/transitions", {"action": "deliver", "method": "in_person"})
    # The last day of payment is 16 June; the worker's scanner runs after it.
    at(site, "2026-06-23T00:30:00")
    scan_once(site.engine)
    at(site, "2026-07-02T10:00:00")
    c = CasePage(new_context, site, "O1", cid)
    c.state("逾期未缴纳")
    # Due 16 June (15 days from delivery); 3 % a day from 17 June to 2 July: 16 days on 150 yuan
    # (行政处罚法 第七十二条).
    expect(c.page.get_by_test_id("case-owed")).to_contain_text("222.00（罚款 150.00，加处罚款 72.00")
    assert "remind" in c.buttons() and "pay" not in c.buttons()  # paying is the payment panel's
    c.step("remind", {"delivered_on": "2026-07-02"})
    c.state("已催告")
    c.next_deadline("reminder", "2026-07-16")  # 10 working days (行政强制法 第五十四条)
    c.documents(
        "filing_register",
        "inquiry_record",
        "violation_notice",
        "penalty_decision",
        "delivery_receipt",
        "payment_reminder",
    )
    timeline = c.page.locator('[data-testid="timeline-row"][data-action="mark_overdue"]')
    expect(timeline).to_contain_text("system")
    c.done()


def test_a_case_filed_from_a_lead_carries_its_image(new_context: NewContext, site: Site) -> None:
    from zhifa.monitoring.service import drain

    sha = _post_evidence(site.url, WIM_KEY, _png())
    now = site.clock.now().astimezone(UTC).isoformat()
    event = {
        "id": "case-lead-1",
        "type": "wim",
        "time": now,
        "plate": "苏L30303",
        "plate_color": "yellow",
        "axles": 2,
        "gross_kg": 30000,
        "images": [sha],
    }
    assert _post_events(site.url, WIM_KEY, [event])["accepted"] == 1
    assert drain(site.engine)["leads"] == 1
    items = api(site, "duty", "GET", "/api/v1/leads?per_page=50")["items"]
    lead = next(x for x in items if x["subject"].startswith("苏L30303"))

    context = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)
    _login(page, site, "O1", f"/monitoring/leads/{lead['id']}")
    page.get_by_test_id("case-file-open").click()
    expect(page.get_by_test_id("case-file-source")).to_contain_text(f"#{lead['id']}")
    expect(page.get_by_test_id("case-file-plate")).to_have_value("苏L30303")
    expect(page.get_by_test_id("case-file-facts")).to_have_value(re.compile("苏L30303"))
    page.get_by_test_id("case-file-party-kind").select_option("organisation")
    page.get_by_test_id("case-file-party-name").fill("镇江某某物流有限公司")
    page.get_by_test_id("case-file-submit").click()
    page.wait_for_url("**/cases/*")
    expect(page.get_by_test_id("case-body")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("case-facts")).to_contain_text(f"#{lead['id']}")
    row = page.locator('[data-testid="evidence-row"][data-origin="lead"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(sha)
    expect(row).to_contain_text("WIM1")
    # The hash links to the file through the case (scoped and audited), not the bare evidence store.
    link = row.locator("td.hash a")
    expect(link).to_have_attribute("href", re.compile(r"^/api/v1/cases/\d+/evidence/\d+/file$"))
    served = page.request.get(f"{site.url}{link.get_attribute('href')}")
    assert served.status == 200 and hashlib.sha256(served.body()).hexdigest() == sha
    expect(page.get_by_test_id("case-state")).to_have_text("已立案（调查取证）")
    assert console.errors == []

    # A duty officer may not file: no button on the lead page.
    duty = new_context(viewport={"width": 1440, "height": 1000}).new_page()
    _login(duty, site, "duty", f"/monitoring/leads/{lead['id']}")
    expect(duty.locator("#lead-body")).to_have_attribute("data-ready", "1")
    expect(duty.get_by_test_id("case-file-open")).to_have_count(0)


def test_a_case_filed_from_a_task_page(new_context: NewContext, site: Site) -> None:
    lead = api(site, "duty", "POST", "/api/v1/hotline", {
        "source": "12328",
        "ticket_no": "12328-ZJ-0000001",
        "matter": "road.overload",
        "at": "119.35,32.2",
        "content": "来电反映：G312称重点附近有货车超载，司机在路边卸货。",
        "caller_name": "李某",
        "caller_phone": "13900001234",
    })  # fmt: skip
    task = api(site, "duty", "POST", f"/api/v1/leads/{lead['lead']}/dispatch", {"kind": "inspection"})["tasks"][0]
    page = new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
    console = Console(page)
    _login(page, site, "leader1", f"/tasks/{task['id']}")
    page.get_by_test_id("case-file-open").click()
    expect(page.get_by_test_id("case-file-source")).to_contain_text(f"#{task['id']}")
    page.get_by_test_id("case-file-party-kind").select_option("person")
    page.get_by_test_id("case-file-party-name").fill("货车驾驶员王某")
    page.get_by_test_id("case-file-facts").fill("当事人驾驶货车超限运输，在G312称重点附近被查获。")
    page.get_by_test_id("case-file-submit").click()
    page.wait_for_url("**/cases/*")
    expect(page.get_by_test_id("case-facts")).to_contain_text(f"#{task['id']}")
    assert console.errors == []


def test_english_labels_on_the_workbench_case_page_and_queue(new_context: NewContext, site: Site) -> None:
    cid = general(site)["id"]
    c = CasePage(new_context, site, "O1", cid, lang="en")
    c.state("Filed (investigating)")
    expect(c.page.locator('[data-testid="step-button"][data-action="notify"]')).to_have_text(
        "Notify the proposed penalty"
    )
    expect(c.page.get_by_test_id("timeline-row").first).to_contain_text("File the case")
    expect(c.page.locator('[data-testid="deadline-row"][data-kind="decision"]')).to_contain_text("Decision")
    expect(c.page.get_by_test_id("case-badges").get_by_test_id("deadline-kind")).to_contain_text("Decision")
    c.page.goto(f"{site.url}/cases")
    expect(c.page.get_by_test_id("case-table")).to_have_attribute("data-ready", "1")
    row = c.page.locator(f'[data-testid="case-row"][data-id="{cid}"]')
    expect(row.get_by_test_id("case-row-state")).to_have_text("Filed (investigating)")
    expect(row.get_by_test_id("deadline-kind")).to_contain_text("Decision")
    expect(c.page.get_by_test_id("filter-state").locator("option[value=in_review]")).to_have_text("In legal review")
    c.done()
    rv = new_context(viewport={"width": 1440, "height": 1000}).new_page()
    rv.context.add_cookies([{"name": "zhifa_lang", "value": "en", "url": site.url}])
    _login(rv, site, "legal1", "/cases/review")
    expect(rv.get_by_test_id("case-table")).to_have_attribute("data-ready", "1")
    expect(rv.locator("h1")).to_have_text("Legal review queue")
