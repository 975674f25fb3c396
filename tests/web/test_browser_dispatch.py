"""指挥调度 in a real browser (Debian Chromium): the closed loop across the command-center wall, the
unit leader's desk and an officer's phone, against a real server on a fresh SQLite database.

The server is uvicorn in a thread of this test process, so that the test and the server share
one clock: the injected ``FrozenClock`` (``zhifa.core.clock``) the test advances. No endpoint of
the application can move time; the SLA scanner (``dispatch.scanner.scan_once``) and the
monitoring worker's step (``monitoring.service.drain``) are run by the test, at the times it
chooses, as the worker process would run them.

The loop: a weigh-in-motion station posts an overload over HTTP → the lead appears in the wall's
queue without a reload → the duty officer dispatches it from the dialog (an override without a
reason is refused) → the unit leader assigns the nearest officer → the officer, on a 390 px phone,
accepts, sets out (the phone's position), arrives (the position typed by hand when the phone gives
none) and sends the feedback with a photo from the camera input → the command center closes it
on the task page. A second task is left unaccepted: the clock passes its deadline, the scanner
runs, and the escalation appears on the wall, still without a reload. The figures page shows the
unit's figures. Screenshots: ``/tmp/zhifa-wall.png``, ``/tmp/zhifa-wall-escalated.png``,
``/tmp/zhifa-phone-390.png``, ``/tmp/zhifa-phone-task-390.png``, ``/tmp/zhifa-task.png``,
``/tmp/zhifa-figures.png``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.dispatch.conftest import DEVICES, build_world
from tests.web.test_browser import Console, NewContext, _free_port, _until
from tests.web.test_browser_monitoring import _png, _post_events
from zhifa.dispatch.plans import distance_m

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect

PASSWORD = "correct-horse-battery"  # tests.helpers.make_user's
WIM_KEY = next(line.split(",")[7] for line in DEVICES.splitlines() if line.startswith("WIM1,"))
#: Monday 2026-06-01 10:00 in Beijing: the officers' certificates are valid, the day is a working day.
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@dataclass
class Site:
    url: str
    engine: Engine
    clock: Any


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_world(tmp_path_factory, "web-dispatch", build_world)


def serve_world(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Any, Any], None]
) -> Iterator[Site]:
    """A fresh SQLite database built by ``build(session, clock)`` with the clock frozen at ``T0``
    (map, units, officers, devices, one user per role …), its own evidence store, served by
    uvicorn in a thread of the test process: a module's browser-test site."""
    from zhifa.core.clock import FrozenClock, use_clock
    from zhifa.core.config import get_settings
    from zhifa.core.db import make_engine, session_factory, upgrade

    tmp = tmp_path_factory.mktemp(name)
    db = f"sqlite:///{tmp / 'x.db'}"
    upgrade(db)
    engine = make_engine(db)
    clock = FrozenClock(T0)
    with pytest.MonkeyPatch.context() as mp, use_clock(clock):
        mp.setattr(get_settings(), "var_dir", tmp)  # the evidence store of this test
        with session_factory(engine)() as session:
            build(session, clock)
            session.commit()
        with served_in_thread(engine, f"uvicorn-{name}") as url:
            yield Site(url, engine, clock)
    engine.dispose()


@contextmanager
def served_in_thread(engine: Engine, name: str) -> Iterator[str]:
    """The app on ``engine`` served by uvicorn in a thread of the test process (so the test's
    injected clock is the server's), started and stopped cleanly; yields the base URL."""
    import uvicorn

    from zhifa.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    server.config.timeout_graceful_shutdown = 3
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "the server did not stop (an open stream?)"


# --------------------------------------------------------------------------- helpers


def _token(site: Site, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    req = urllib.request.Request(f"{site.url}/api/v1/auth/login", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return str(json.load(r)["token"])


def _call(site: Site, method: str, path: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(f"{site.url}{path}", data, headers, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def _login(page: Any, site: Site, username: str, path: str) -> None:
    page.goto(f"{site.url}{path}")
    page.wait_for_url(f"**/login?next={path}")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{site.url}{path}")


def _overload(site: Site, event_id: str, plate: str) -> None:
    """The WIM station posts an overload (2 axles, 30,000 kg) over HTTP; the worker's step makes
    the lead (what ``zhifa serve``'s worker process does within a second)."""
    from zhifa.monitoring.service import drain

    now = site.clock.now().astimezone(UTC).isoformat()
    result = _post_events(
        site.url,
        WIM_KEY,
        [
            {
                "id": event_id,
                "type": "wim",
                "time": now,
                "plate": plate,
                "plate_color": "yellow",
                "axles": 2,
                "gross_kg": 30000,
            }
        ],
    )
    assert result["accepted"] == 1, result
    assert drain(site.engine)["leads"] == 1


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


# --------------------------------------------------------------------------- the loop


def test_the_closed_loop_on_the_wall_the_desk_and_the_phone(new_context: NewContext, site: Site) -> None:
    # Officers' phones have reported where they are (the dialog suggests the nearest).
    for code, lon, lat in (("O1", 119.3510, 32.2010), ("O2", 119.3900, 32.2300)):
        _call(site, "POST", f"/api/v1/officers/{code}/position", _token(site, code), {"lon": lon, "lat": lat})

    # 1. The duty officer's wall, in a browser whose own clock and zone are elsewhere.
    desk = new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Europe/London")
    wall = desk.new_page()
    console = Console(wall)
    _login(wall, site, "duty", "/wall")
    wall.wait_for_selector('#wall-map[data-ready="1"]', timeout=30_000)
    expect(wall.get_by_test_id("wall-state")).to_have_attribute("data-state", "open", timeout=10_000)
    expect(wall.get_by_test_id("wall-state")).to_have_text("实时")
    expect(wall.get_by_test_id("kpi-leads_today")).to_have_text("0")
    expect(wall.get_by_test_id("queue-row")).to_have_count(0)
    # The clock shown is the server's (frozen at 10:00 Beijing), not the browser's.
    expect(wall.get_by_test_id("wall-clock")).to_have_text(re.compile(r"^2026-06-01 10:00:\d\d$"))
    assert wall.evaluate("window.zhifaWall.layers.officers.count()") == 2
    assert wall.evaluate("performance.getEntriesByName('zhifa-wall-rendered').length") == 1
    wall.evaluate("window.__sameDocument = 'yes'")  # gone if the page reloads

    # 2. A lead raised through the API appears on the wall without a reload.
    _overload(site, "w-1", "苏L20002")
    row = wall.locator('[data-testid="queue-row"]', has_text="苏L20002 黄牌")
    expect(row).to_be_visible(timeout=5_000)
    expect(row).to_contain_text("车辆超限运输（总质量）")
    expect(row).to_contain_text("路政一大队（RD1）")
    expect(row.get_by_test_id("queue-countdown")).to_contain_text("剩余")
    lead_id = int(row.get_attribute("data-lead-id") or 0)
    expect(wall.get_by_test_id("kpi-leads_today")).to_have_text("1", timeout=5_000)
    expect(wall.get_by_test_id("kpi-queue")).to_have_text("1")
    assert wall.evaluate("window.zhifaWall.layers.leads.count()") == 1

    # 3. The dispatch dialog: routed unit and reason, the nearest officers with their distance.
    row.locator("button").click()
    dialog = wall.get_by_test_id("dispatch-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("dd-routed-unit")).to_have_text("路政一大队（RD1）")
    api_lead = _call(site, "GET", f"/api/v1/leads/{lead_id}", _token(site, "duty"))
    expect(dialog.get_by_test_id("dd-routing-reason")).to_have_text(api_lead["routing_reason"])
    suggestions = dialog.get_by_test_id("dd-suggestion")
    expect(suggestions.first).to_have_attribute("data-officer", "O1", timeout=5_000)
    metres = round(distance_m(119.3510, 32.2010, api_lead["lon"], api_lead["lat"]))
    assert 50 < metres < 1000
    expect(suggestions.first.get_by_test_id("dd-distance")).to_have_text(f"{metres} m")
    # Sent elsewhere without a reason: refused in the page, nothing dispatched.
    dialog.get_by_test_id("dd-unit").select_option("RD2")
    expect(dialog.get_by_test_id("dd-override-reason")).to_be_visible()
    dialog.get_by_test_id("dd-submit").click()
    expect(dialog.get_by_test_id("dd-error")).to_have_text("改派至系统指定单位以外的单位须说明理由。")
    dialog.get_by_test_id("dd-unit").select_option("RD1")
    expect(dialog.get_by_test_id("dd-override-reason")).to_be_hidden()
    dialog.get_by_test_id("dd-kind").select_option("inspection")
    dialog.get_by_test_id("dd-instructions").fill("赴 G312 称重点核查")
    dialog.get_by_test_id("dd-submit").click()
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(0)
    task_row = wall.get_by_test_id("task-row").first
    expect(task_row.get_by_test_id("task-state")).to_have_text("已下派", timeout=5_000)
    task_id = int(task_row.get_attribute("data-task-id") or 0)
    # inspection/normal: 30 min to accept. The server's clock is frozen while the browser's runs on:
    # between two clock messages the countdown may run ahead by a few seconds.
    expect(task_row.get_by_test_id("task-countdown")).to_have_text(re.compile(r"^剩余 (30:00|29:[0-5]\d)$"))
    expect(wall.get_by_test_id("kpi-dispatched_today")).to_have_text("1")
    expect(wall.get_by_test_id("wall-flash")).to_contain_text(f"指令 #{task_id}")
    wall.mouse.move(5, 5)
    wall.screenshot(path="/tmp/zhifa-wall.png")

    # 4. The unit leader assigns the nearest officer on the task page.
    leader = new_context(viewport={"width": 1280, "height": 900}).new_page()
    leader_console = Console(leader)
    _login(leader, site, "leader1", f"/tasks/{task_id}")
    expect(leader.get_by_test_id("task-body")).to_be_visible(timeout=10_000)
    first = leader.get_by_test_id("assign-officer").first
    expect(first).to_have_attribute("data-code", "O1", timeout=5_000)
    expect(first.get_by_test_id("assign-distance")).to_have_text(f"{metres} m")
    leader.get_by_test_id("assign-O1").check()
    leader.get_by_test_id("assign-submit").click()
    expect(leader.get_by_test_id("task-officer")).to_have_attribute("data-code", "O1")

    # 5. The officer's phone: 390 px, the browser's location permission given.
    phone_context = new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"longitude": 119.3502, "latitude": 32.2003, "accuracy": 12},
        permissions=["geolocation"],
    )
    phone = phone_context.new_page()
    phone_console = Console(phone)
    _login(phone, site, "O1", "/m/tasks")
    card = phone.locator(f'[data-testid="m-task"][data-task-id="{task_id}"]')
    expect(card).to_be_visible(timeout=10_000)
    expect(card).to_contain_text("已下派")
    _no_sideways_scroll(phone)
    phone.screenshot(path="/tmp/zhifa-phone-390.png", full_page=True)
    card.locator("a").click()
    phone.wait_for_url(f"{site.url}/m/tasks/{task_id}")
    detail = phone.get_by_test_id("m-detail")
    expect(detail).to_be_visible(timeout=10_000)
    button = phone.get_by_test_id("m-do-accepted")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 300  # a thumb's target
    button.click()
    expect(detail).to_have_attribute("data-state", "accepted")
    # The wall follows without a reload.
    expect(
        wall.locator(f'[data-testid="task-row"][data-task-id="{task_id}"]').get_by_test_id("task-state")
    ).to_have_text("已签收", timeout=5_000)
    phone.get_by_test_id("m-do-en_route").click()
    expect(detail).to_have_attribute("data-state", "en_route")
    expect(phone.get_by_test_id("m-pos")).to_contain_text("119.350200")

    # The phone loses its location: the step asks for the position, typed by hand.
    phone_context.clear_permissions()
    phone.get_by_test_id("m-do-on_scene").click()
    expect(phone.get_by_test_id("m-action-error")).to_contain_text("此步骤需要位置")
    expect(phone.get_by_test_id("m-manual")).to_be_visible()
    phone.get_by_test_id("m-lon").fill("119.35011")
    phone.get_by_test_id("m-lat").fill("32.20012")
    phone.get_by_test_id("m-do-on_scene").click()
    expect(detail).to_have_attribute("data-state", "on_scene")
    _no_sideways_scroll(phone)

    # The feedback with a photo from the camera input: uploaded, then named by its hash.
    photo = _png()
    phone.get_by_test_id("fb-outcome").select_option("violation_confirmed")
    phone.get_by_test_id("fb-notes").fill("复磅超限 12 吨，已责令卸载")
    phone.get_by_test_id("fb-photos").set_input_files(
        files=[{"name": "scene.png", "mimeType": "image/png", "buffer": photo}]
    )
    expect(phone.get_by_test_id("fb-thumb")).to_have_count(1)
    phone.get_by_test_id("fb-submit").scroll_into_view_if_needed()
    phone.screenshot(path="/tmp/zhifa-phone-task-390.png", full_page=True)
    phone.get_by_test_id("fb-submit").click()
    expect(detail).to_have_attribute("data-state", "handled", timeout=10_000)
    expect(phone.get_by_test_id("m-done")).to_contain_text("附照片 1 张")

    task = _call(site, "GET", f"/api/v1/tasks/{task_id}", _token(site, "duty"))
    assert task["feedback"][0]["photos"] == [hashlib.sha256(photo).hexdigest()]
    steps = {t["to"]: t for t in task["transitions"]}
    assert (steps["en_route"]["lon"], steps["en_route"]["lat"]) == (119.3502, 32.2003)  # the phone's
    assert (steps["on_scene"]["lon"], steps["on_scene"]["lat"]) == (119.35011, 32.20012)  # typed
    assert steps["accepted"]["actor"] == "O1"
    expect(
        wall.locator(f'[data-testid="task-row"][data-task-id="{task_id}"]').get_by_test_id("task-state")
    ).to_have_text("已处置", timeout=5_000)

    # 6. The command center reviews on the task page: the photo, then close.
    review = desk.new_page()
    review_console = Console(review)
    review.goto(f"{site.url}/tasks/{task_id}")
    expect(review.get_by_test_id("feedback-outcome")).to_have_text("确认违法", timeout=10_000)
    _until(review, "document.querySelector('[data-testid=feedback-photo] img').naturalWidth === 96")
    expect(review.get_by_test_id("timeline-row")).to_have_count(5)  # dispatched … handled
    review.screenshot(path="/tmp/zhifa-task.png", full_page=True)
    review.get_by_test_id("do-closed").click()
    expect(review.get_by_test_id("task-body")).to_have_attribute("data-state", "closed")
    expect(wall.locator(f'[data-testid="task-row"][data-task-id="{task_id}"]')).to_have_count(0, timeout=5_000)
    expect(wall.get_by_test_id("kpi-closed_today")).to_have_text("1", timeout=5_000)
    expect(wall.get_by_test_id("kpi-within_sla_share")).to_have_text("100%")
    assert _call(site, "GET", f"/api/v1/leads/{lead_id}", _token(site, "duty"))["status"] == "closed"

    # 7. A second task, left unaccepted: the clock passes the deadline, the scanner escalates, and
    # the wall shows it without a reload.
    from zhifa.dispatch.scanner import scan_once

    _overload(site, "w-2", "苏L30003")
    second = wall.locator('[data-testid="queue-row"]', has_text="苏L30003 黄牌")
    expect(second).to_be_visible(timeout=5_000)
    lead2 = int(second.get_attribute("data-lead-id") or 0)
    task2 = _call(site, "POST", f"/api/v1/leads/{lead2}/dispatch", _token(site, "duty"), {})["tasks"][0]["id"]
    row2 = wall.locator(f'[data-testid="task-row"][data-task-id="{task2}"]')
    expect(row2.get_by_test_id("task-countdown")).to_contain_text("剩余", timeout=5_000)
    site.clock.advance(timedelta(minutes=91))  # accept due at 30 min; the command center 60 min after
    fired = scan_once(site.engine).fired
    assert f"task:{task2}:0:accept:center" in fired, fired
    note = wall.locator('[data-testid="note-row"][data-kind="escalation"]', has_text=f"指令{task2}签收已超时")
    expect(note).to_be_visible(timeout=5_000)
    expect(note).to_contain_text("超时升级至指挥中心")
    expect(row2.get_by_test_id("task-countdown")).to_have_attribute("data-overdue", "1", timeout=5_000)
    expect(row2.get_by_test_id("task-countdown")).to_contain_text("超时 1:01:")
    expect(wall.get_by_test_id("kpi-overdue")).to_have_text("1", timeout=5_000)
    expect(wall.get_by_test_id("wall-clock")).to_contain_text("2026-06-01 11:31")
    assert wall.evaluate("window.__sameDocument") == "yes", "the wall was reloaded"
    wall.mouse.move(5, 5)
    wall.screenshot(path="/tmp/zhifa-wall-escalated.png")

    # 8. The closed-loop figures: RD1's two tasks, one accepted on time, one overdue unaccepted.
    figures = desk.new_page()
    figures_console = Console(figures)
    figures.goto(f"{site.url}/figures")
    rd1 = figures.locator('[data-testid="fig-row"][data-unit="RD1"]')
    expect(rd1).to_be_visible(timeout=10_000)
    cells = rd1.locator("td").all_inner_texts()
    assert cells[:3] == ["2", "2", "1"], cells  # leads, dispatched, closed
    assert cells[3] == "50%（1/2）", cells  # accepted on time: task 1 yes, task 2 overdue
    assert cells[5] == "100%（1/1）", cells  # feedback on time
    assert figures.locator("#fig-chart canvas").count() == 1  # ECharts drew it
    figures.screenshot(path="/tmp/zhifa-figures.png", full_page=True)

    for c in (console, leader_console, phone_console, review_console, figures_console):
        assert c.errors == []


def test_the_wall_is_refused_to_an_analyst_and_the_stream_ends_with_the_page(
    new_context: NewContext, site: Site
) -> None:
    page = new_context().new_page()
    _login(page, site, "analyst", "/wall")
    expect(page.get_by_test_id("page-forbidden")).to_contain_text("指挥中心值班员")
    # The wall's stream closes when its page goes away (no stream left polling for nobody).
    token = _token(site, "duty")
    # The earlier tests' pages are closed: their streams end (this server serves this module only).
    deadline = time.monotonic() + 5
    while (base := _call(site, "GET", "/web/dispatch/status", token)["open_streams"]) != 0:
        assert time.monotonic() < deadline, f"{base} stream(s) of closed pages still open"
        time.sleep(0.1)
    wall = new_context(viewport={"width": 1280, "height": 800}).new_page()
    _login(wall, site, "duty", "/wall")
    expect(wall.get_by_test_id("wall-state")).to_have_attribute("data-state", "open", timeout=10_000)
    assert _call(site, "GET", "/web/dispatch/status", token)["open_streams"] == base + 1
    wall.close()
    deadline = time.monotonic() + 5
    while _call(site, "GET", "/web/dispatch/status", token)["open_streams"] != base:
        assert time.monotonic() < deadline, "the stream is still open after its page closed"
        time.sleep(0.1)


def test_the_phone_view_at_390_px_without_tasks(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = Console(page)
    _login(page, site, "O5", "/m/tasks")
    expect(page.get_by_test_id("m-empty")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("m-live")).to_have_attribute("data-state", "open", timeout=10_000)
    _no_sideways_scroll(page)
    # The navigation is the drawer, the page one column.
    assert (page.locator("#sidenav").bounding_box() or {"x": 0})["x"] < 0
    assert console.errors == []
