"""监测预警 in a real browser (Debian Chromium) against a real server: ``zhifa serve`` (uvicorn with
the embedded monitoring worker) on a fresh SQLite database with the small test map, two devices
and an administrator. Server-Sent Events need a real server: the TestClient does not stream.

A WIM device posts events over HTTP with its key while the devices page is open: the ticker shows
them without a reload, then the lead the worker raised; the lead list and the lead page show it
(excess 12,000 kg, the legal basis, the routing, the evidence image in the lightbox).

Screenshots for a human to look at: ``/tmp/zhifa-devices.png``, ``/tmp/zhifa-leads.png``,
``/tmp/zhifa-lead.png``, and for a 390 px phone ``/tmp/zhifa-lead-390.png`` and
``/tmp/zhifa-devices-390.png``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import struct
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import DATA, PASSWORD, ZHIFA, Console, NewContext, _free_port, _run, _until
from zhifa.monitoring.rules import RULES

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect

WIM_KEY = "web-test-wim-key-0123456789"
CAM_KEY = "web-test-cam-key-0123456789"
# The WIM station is on G312 西段 (ZJ-RD1, 路政一大队): evidence grade. The camera is not reviewed.
DEVICES = f"""code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until
WIM-G312,wim,G312 西段称重检测点,119.35,32.17,5,,{WIM_KEY},2026-01-05,true,2099-12-31
CAM-ZJZ,camera,镇江站南广场卡口,119.43,32.15,,,{CAM_KEY},,false,
"""
SHANGHAI = timezone(timedelta(hours=8))


@dataclass
class Site:
    url: str
    admin: tuple[str, str]


def _login(page: Any, site: Site, creds: tuple[str, str], path: str) -> None:
    page.goto(f"{site.url}{path}")
    page.wait_for_url(f"**/login?next={path}" if path != "/" else "**/login")
    page.get_by_test_id("login-username").fill(creds[0])
    page.get_by_test_id("login-password").fill(creds[1])
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{site.url}{path}")


def _serve_log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


@contextmanager
def _zhifa_serve(env: dict[str, str], log: Path) -> Iterator[str]:
    """``zhifa serve``: the server as shipped, with its embedded monitoring worker."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [ZHIFA, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{_serve_log_tail(log)}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise AssertionError(
                    f"server did not stop on SIGTERM (an open stream?):\n{_serve_log_tail(log)}"
                ) from None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("web-monitoring")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_")}
    env |= {"ZHIFA_DATABASE_URL": f"sqlite:///{tmp / 'x.db'}", "ZHIFA_VAR_DIR": str(tmp)}
    _run([ZHIFA, "import", "units", str(DATA / "units.csv")], env)
    _run([ZHIFA, "import", "jurisdiction", str(DATA / "map.geojson")], env)
    (tmp / "devices.csv").write_text(DEVICES, "utf-8")
    _run([ZHIFA, "import", "devices", str(tmp / "devices.csv")], env)
    _run([ZHIFA, "users", "create", "admin", "--name", "管理员", "--roles", "admin"], env, f"{PASSWORD}\n")
    with _zhifa_serve(env, tmp / "serve.log") as url:
        yield Site(url, ("admin", PASSWORD))


# --------------------------------------------------------------------------- HTTP as a device


def _png(width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a lorry-coloured stripe on grey), so the thumbnail has pixels to show."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b""
    for y in range(height):
        row = b"\x00"
        for x in range(width):
            row += bytes((220, 120, 20)) if height // 3 <= y < 2 * height // 3 and x > 8 else bytes((150, 160, 170))
        rows += row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _post_evidence(url: str, key: str, blob: bytes) -> str:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="capture.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + blob
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        f"{url}/api/v1/evidence",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Device-Key": key},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return str(json.load(r)["sha256"])


def _post_events(url: str, key: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{url}/api/v1/events",
        json.dumps(events, ensure_ascii=False).encode(),
        {"Content-Type": "application/json", "X-Device-Key": key},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return dict(json.load(r))


def _token(url: str, creds: tuple[str, str]) -> str:
    body = json.dumps({"username": creds[0], "password": creds[1]}).encode()
    req = urllib.request.Request(f"{url}/api/v1/auth/login", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return str(json.load(r)["token"])


def _get(url: str, path: str, token: str) -> Any:
    req = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def _now() -> str:
    return datetime.now(SHANGHAI).isoformat(timespec="seconds")  # time = now, with +08:00


# --------------------------------------------------------------------------- tests


def test_live_ticker_leads_and_the_lead_page(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Europe/London")
    page = context.new_page()
    console = Console(page)

    # 1. The devices page: list, map, evidence grade, and the live feed connected.
    _login(page, site, site.admin, "/monitoring/devices")
    page.wait_for_selector('#device-map[data-ready="1"]', timeout=30_000)
    rows = page.get_by_test_id("device-row")
    expect(rows).to_have_count(2)
    wim = page.locator('tr[data-code="WIM-G312"]')
    expect(wim).to_contain_text("G312 西段称重检测点")
    expect(wim).to_contain_text("称重检测")
    expect(wim).to_contain_text("路政一大队")
    expect(wim).to_contain_text("在线")
    expect(wim.get_by_test_id("evidence-ok")).to_have_text("可作证据")
    cam_badge = page.locator('tr[data-code="CAM-ZJZ"]').get_by_test_id("evidence-not")
    expect(cam_badge).to_have_text("不可作证据")
    tip = cam_badge.get_attribute("title") or ""
    assert "未经法制和技术审核" in tip and "设置地点未向社会公布" in tip, tip
    markers = (
        "(() => { let n = 0; window.zhifaMap.eachLayer((l) => { n += l instanceof L.CircleMarker; }); return n; })()"
    )
    assert page.evaluate(markers) == 2
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "open", timeout=10_000)
    expect(page.get_by_test_id("ticker-state")).to_have_text("实时")
    page.evaluate("window.__sameDocument = 'yes'")  # gone if the page reloads

    # 2. The WIM station posts an image and two weighings over HTTP, with its key.
    sha = _post_evidence(site.url, WIM_KEY, _png())
    t_over = _now()
    result = _post_events(
        site.url,
        WIM_KEY,
        [
            {
                "id": "t-ok",
                "type": "wim",
                "time": _now(),
                "plate": "苏L10001",
                "plate_color": "yellow",
                "axles": 2,
                "gross_kg": 15000,
            },
            {
                "id": "t-over",
                "type": "wim",
                "plate": "苏L20002",
                "plate_color": "yellow",
                "axles": 2,
                "gross_kg": 30000,
                "images": [sha],
                "time": t_over,
            },
        ],
    )
    assert result["accepted"] == 2 and result["rejected"] == [], result

    # 3. The ticker shows them without a reload, then what the worker made of them.
    over = page.locator('[data-testid="tick-event"]', has_text="苏L20002")
    expect(over).to_be_visible(timeout=5_000)
    expect(over).to_contain_text("称重检测")
    expect(over).to_contain_text("G312 西段称重检测点")
    expect(over).to_contain_text("苏L20002 黄牌")
    expect(over.get_by_test_id("tick-state")).to_contain_text("已生成线索", timeout=10_000)
    ok = page.locator('[data-testid="tick-event"]', has_text="苏L10001")
    expect(ok.get_by_test_id("tick-state")).to_have_text("未生成线索", timeout=10_000)
    lead_tick = page.get_by_test_id("tick-lead")
    expect(lead_tick).to_have_count(1, timeout=10_000)
    expect(lead_tick).to_contain_text("车辆超限运输（总质量）")
    expect(lead_tick).to_contain_text("路政一大队")
    lead_id = int(lead_tick.get_attribute("data-lead-id") or 0)
    assert lead_id > 0
    assert page.evaluate("window.__sameDocument") == "yes", "the page was reloaded"
    # The ticker's time is Beijing time although the browser is in London.
    expect(over.locator("time")).to_have_text(t_over[:19].replace("T", " "))
    page.mouse.move(5, 5)
    page.screenshot(path="/tmp/zhifa-devices.png", full_page=True)

    # 4. The lead list: the overload lead appears (the worker runs within ~1 s; bounded wait).
    page.goto(f"{site.url}/monitoring/leads")
    row = page.locator(f'tr[data-lead-id="{lead_id}"]')
    deadline = time.monotonic() + 20
    while row.count() == 0:
        assert time.monotonic() < deadline, "the overload lead did not appear in the list"
        page.get_by_test_id("lead-search").click()
        page.wait_for_timeout(500)
    expect(row).to_contain_text("车辆超限运输（总质量）")
    expect(row.get_by_test_id("lead-subject")).to_have_text("苏L20002 黄牌")
    expect(row).to_contain_text("路政一大队（ZJ-RD1）")
    expect(row.get_by_test_id("lead-status")).to_have_text("待核实")
    assert row.get_by_test_id("badge-not-evidence").count() == 0
    assert row.get_by_test_id("badge-permitted").count() == 0
    times = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row.inner_text())
    assert len(times) == 2
    expect(page.get_by_test_id("list-total")).to_have_text("共 1 条")
    expect(page.get_by_test_id("ticker-state")).to_have_count(0)  # no ticker here, but ...
    _until(page, "window.ZhifaLive && window.ZhifaLive.state === 'open'")  # ... the list listens

    # Filters: the kind select has the rules' Chinese titles, then the kinds people raise; a status
    # with no leads empties the list.
    options = page.get_by_test_id("filter-kind").locator("option").all_inner_texts()
    assert options[1:] == [r.title_zh for r in RULES.values()] + ["投诉举报", "巡查发现"]
    page.get_by_test_id("filter-status").select_option("dismissed")
    expect(page.get_by_test_id("list-total")).to_have_text("共 0 条")
    assert "status=dismissed" in page.url
    page.get_by_test_id("lead-reset").click()
    expect(row).to_be_visible()
    page.get_by_test_id("filter-kind").select_option("overload")
    page.get_by_test_id("filter-since").fill(datetime.now(SHANGHAI).strftime("%Y-%m-%dT00:00"))
    page.get_by_test_id("lead-search").click()
    expect(row).to_be_visible()
    expect(page.get_by_test_id("list-total")).to_have_text("共 1 条")
    page.get_by_test_id("filter-until").fill((datetime.now(SHANGHAI) - timedelta(days=2)).strftime("%Y-%m-%dT00:00"))
    page.get_by_test_id("lead-search").click()
    expect(page.get_by_test_id("list-error")).to_have_text("起始时间晚于结束时间。")
    page.get_by_test_id("filter-until").fill("")
    page.get_by_test_id("lead-search").click()
    expect(row).to_be_visible()
    page.mouse.move(5, 5)
    page.screenshot(path="/tmp/zhifa-leads.png", full_page=True)

    # 5. The lead page: measurements, rule, legal basis, routing, events, image, map.
    row.locator("a").first.click()
    page.wait_for_url(f"{site.url}/monitoring/leads/{lead_id}")
    page.wait_for_selector('#lead-body[data-ready="1"]')
    expect(page.get_by_test_id("lead-title")).to_have_text(f"线索 #{lead_id} · 车辆超限运输（总质量）")
    expect(page.get_by_test_id("detail-excess_kg")).to_have_text("12000 kg")
    expect(page.get_by_test_id("detail-gross_kg")).to_have_text("30000 kg")
    expect(page.get_by_test_id("detail-limit_kg")).to_have_text("18000 kg")
    expect(page.get_by_test_id("detail-tolerance_pct")).to_have_text("5 %")
    expect(page.get_by_test_id("lead-legal-basis")).to_have_text(RULES["overload"].legal_basis)
    expect(page.get_by_test_id("lead-legal-basis")).to_contain_text("公路安全保护条例 第三十三条")
    expect(page.get_by_test_id("lead-rule")).to_have_text("车辆超限运输（总质量）")
    expect(page.get_by_test_id("lead-rule-version")).to_have_text(RULES["overload"].version)
    expect(page.get_by_test_id("lead-unit")).to_have_text("路政一大队（ZJ-RD1）")
    expect(page.get_by_test_id("lead-mode")).to_have_text("条线")
    expect(page.get_by_test_id("lead-matter")).to_have_text("road.overload")
    token = _token(site.url, site.admin)
    api_lead = next(x for x in _get(site.url, "/api/v1/leads?kind=overload", token)["items"] if x["id"] == lead_id)
    expect(page.get_by_test_id("lead-routing-reason")).to_have_text(api_lead["routing_reason"])
    assert re.search(r"[\u4e00-\u9fff]", api_lead["routing_reason"])
    expect(page.get_by_test_id("evidence-warning")).to_be_hidden()
    events = page.get_by_test_id("lead-event")
    expect(events).to_have_count(1)
    expect(events).to_contain_text("G312 西段称重检测点")
    expect(events).to_contain_text("WIM-G312 / t-over")
    expect(events).to_contain_text("苏L20002 黄牌")
    page.wait_for_selector('#lead-map[data-ready="1"]')

    thumb = page.get_by_test_id("lead-thumb")
    expect(thumb).to_have_count(1)
    _until(page, "document.querySelector('[data-testid=lead-thumb] img').naturalWidth === 96")
    page.screenshot(path="/tmp/zhifa-lead.png", full_page=True)
    thumb.click()
    expect(page.get_by_test_id("lightbox")).to_be_visible()
    assert page.get_by_test_id("lightbox-img").get_attribute("src") == f"/api/v1/evidence/{sha}"
    _until(page, "document.querySelector('[data-testid=lightbox-img]').naturalWidth === 96")
    expect(page.get_by_test_id("lightbox")).to_contain_text(sha)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("lightbox")).to_be_hidden()

    # 6. English: the labels switch, the data (reason, legal basis) stays as entered.
    page.get_by_test_id("lang-en").click()
    page.wait_for_selector('#lead-body[data-ready="1"]')
    expect(page.get_by_test_id("lead-title")).to_have_text(f"Lead #{lead_id} · Overloaded vehicle (gross mass)")
    expect(page.get_by_test_id("lead-unit")).to_have_text("路政一大队 (ZJ-RD1)")
    expect(page.get_by_test_id("lead-legal-basis")).to_have_text(RULES["overload"].legal_basis)
    expect(page.locator("#rule-title")).to_have_text("Rule and legal basis")
    page.get_by_test_id("lang-zh").click()
    expect(page.locator("#rule-title")).to_have_text("规则与法律依据")

    # An unknown lead: the API's message, no broken page.
    page.goto(f"{site.url}/monitoring/leads/999999")
    expect(page.get_by_test_id("page-error")).to_contain_text("线索 999999 不存在")
    assert console.errors == []


def test_the_dashboard_ticker_and_resuming_the_stream(new_context: NewContext, site: Site) -> None:
    _post_events(
        site.url,
        WIM_KEY,
        [{"id": "dash-0", "type": "wim", "time": _now(), "plate": "苏L00000", "axles": 2, "gross_kg": 9000}],
    )
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    console = Console(page)
    _login(page, site, site.admin, "/")
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "open", timeout=10_000)
    # The last events are shown at once (the backlog), newest first.
    expect(page.get_by_test_id("tick-event").first).to_contain_text("苏L00000", timeout=5_000)

    _post_events(
        site.url,
        WIM_KEY,
        [{"id": "dash-1", "type": "wim", "time": _now(), "plate": "苏L30003", "axles": 3, "gross_kg": 20000}],
    )
    first = page.get_by_test_id("tick-event").first
    expect(first).to_contain_text("苏L30003", timeout=5_000)
    expect(first.get_by_test_id("tick-state")).to_have_text("未生成线索", timeout=10_000)

    # The connection drops: meanwhile an overload arrives and is processed. The page opens a new
    # stream with the last id it got and receives what happened meanwhile, once.
    page.evaluate("window.__sameDocument = 'yes'; window.ZhifaLive.close()")
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "closed")
    _post_events(
        site.url,
        WIM_KEY,
        [{"id": "dash-2", "type": "wim", "time": _now(), "plate": "苏L40004", "axles": 2, "gross_kg": 40000}],
    )
    token = _token(site.url, site.admin)
    deadline = time.monotonic() + 10
    while not any(
        x["subject"].startswith("苏L40004") for x in _get(site.url, "/api/v1/leads?per_page=1000", token)["items"]
    ):
        assert time.monotonic() < deadline, "the worker did not raise the lead"
        time.sleep(0.2)
    assert page.locator('[data-testid="tick-event"]', has_text="苏L40004").count() == 0
    page.evaluate("window.ZhifaLive.reconnect()")
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "open", timeout=10_000)
    resumed = page.locator('[data-testid="tick-event"]', has_text="苏L40004")
    expect(resumed).to_have_count(1, timeout=5_000)
    expect(resumed.get_by_test_id("tick-state")).to_contain_text("已生成线索")
    expect(page.locator('[data-testid="tick-lead"]', has_text="苏L40004")).to_have_count(1, timeout=5_000)
    page.wait_for_timeout(1500)  # a few more polls: nothing comes twice
    expect(resumed).to_have_count(1)
    assert page.get_by_test_id("tick-event").count() == len(
        set(
            page.evaluate(
                "Array.from(document.querySelectorAll('[data-testid=tick-event]')).map((e) => e.dataset.eventId)"
            )
        )
    )
    assert page.evaluate("window.__sameDocument") == "yes"
    page.screenshot(path="/tmp/zhifa-dashboard.png")
    assert console.errors == []


def _open_stream(
    host: str, port: int, token: str, path: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} | (headers or {}))
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("content-type", "").startswith("text/event-stream")
    return conn, resp


def _read_until(resp: http.client.HTTPResponse, pattern: re.Pattern[str], timeout: float = 10) -> str:
    text = ""
    deadline = time.monotonic() + timeout
    while not pattern.search(text):
        assert time.monotonic() < deadline, f"{pattern.pattern!r} not in {text!r}"
        text += resp.read1(65536).decode("utf-8", errors="replace")
    return text


def test_the_stream_ends_when_the_client_goes_away(site: Site) -> None:
    token = _token(site.url, site.admin)

    def open_streams() -> int:
        return int(_get(site.url, "/web/events/status", token)["open_streams"])

    base = open_streams()
    host, port = site.url.removeprefix("http://").split(":")
    conns = []
    for _ in range(2):
        conn, resp = _open_stream(host, int(port), token, "/web/events/stream?backlog=1")
        _read_until(resp, re.compile(": zhifa live"))  # the stream has begun
        conns.append(conn)
    deadline = time.monotonic() + 5
    while open_streams() != base + 2:
        assert time.monotonic() < deadline, open_streams()
        time.sleep(0.1)
    for conn in conns:
        conn.close()
    deadline = time.monotonic() + 5
    while open_streams() != base:
        assert time.monotonic() < deadline, f"{open_streams() - base} stream(s) still open after the clients left"
        time.sleep(0.1)

    # Last-Event-ID (what a reconnecting EventSource sends): the stream resumes after it.
    _post_events(
        site.url,
        WIM_KEY,
        [{"id": "raw-1", "type": "wim", "time": _now(), "plate": "苏L50005", "axles": 2, "gross_kg": 9000}],
    )
    conn, resp = _open_stream(host, int(port), token, "/web/events/stream?backlog=1")
    text = _read_until(resp, re.compile(r"id: (\d+-\d+-\d+)"))
    assert '"event_id": "raw-1"' in text
    last_id = re.findall(r"id: (\d+-\d+-\d+)", text)[-1]
    conn.close()
    _post_events(
        site.url,
        WIM_KEY,
        [{"id": "raw-2", "type": "wim", "time": _now(), "plate": "苏L60006", "axles": 2, "gross_kg": 9000}],
    )
    conn, resp = _open_stream(host, int(port), token, "/web/events/stream?backlog=50", {"Last-Event-ID": last_id})
    text = _read_until(resp, re.compile(r'"event_id": "raw-2"'))
    assert '"event_id": "raw-1"' not in text  # resumed after it: no backlog
    conn.close()

    # Without a login the stream is refused (the page then checks the login and goes to sign in).
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{site.url}/web/events/stream", timeout=5)
    assert err.value.code == 401


def test_phone_width(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = Console(page)
    _login(page, site, site.admin, "/monitoring/leads")
    page.wait_for_selector('#lead-table[data-ready="1"]')

    def no_sideways_scroll() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page.url} is {width} px wide"

    no_sideways_scroll()
    lead = page.get_by_test_id("lead-row").first
    expect(lead).to_be_visible()
    lead.locator("a").first.click()
    page.wait_for_selector('#lead-body[data-ready="1"]')
    page.wait_for_selector('#lead-map[data-ready="1"]')
    no_sideways_scroll()
    page.screenshot(path="/tmp/zhifa-lead-390.png", full_page=True)
    page.goto(f"{site.url}/monitoring/devices")
    page.wait_for_selector('#device-map[data-ready="1"]')
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "open", timeout=10_000)
    no_sideways_scroll()
    page.screenshot(path="/tmp/zhifa-devices-390.png", full_page=True)
    page.goto(f"{site.url}/")
    expect(page.get_by_test_id("ticker-state")).to_have_attribute("data-state", "open", timeout=10_000)
    no_sideways_scroll()
    assert console.errors == []
