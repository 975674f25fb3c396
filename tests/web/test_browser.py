"""The web UI in a real browser (Debian Chromium) against a real uvicorn server on a fresh SQLite
database of its own.

Data: the demo loader (``zhifa.demo.load.load_demo``) when it exists, else a small map and unit
list imported with the ``zhifa`` CLI (``tests/web/data``); ``ZHIFA_WEB_TEST_DATA=cli|demo`` forces
one. The expectations are read from the jurisdiction GeoJSON the server serves (a point on the
first road section belongs to that section's unit; a stake mark inside the last section belongs
to that section's unit), so the same test runs on either data set.

A screenshot of the map is left at ``/tmp/zhifa-map.png`` (and ``/tmp/zhifa-map-390.png`` for a
390 px wide phone) for a human to look at.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api")
expect = pw.expect

DATA = Path(__file__).parent / "data"
PYTHON = sys.executable
ZHIFA = str(Path(sys.executable).with_name("zhifa"))
PASSWORD = "pw-long-enough"
VIEWER = "web-viewer"


@dataclass
class Site:
    url: str
    admin: tuple[str, str]
    viewer: tuple[str, str]
    features: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- data and server


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    out = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{args} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _load_data(tmp: Path, env: dict[str, str]) -> tuple[str, str]:
    """Fill the fresh database; return the administrator's (username, password)."""
    mode = os.environ.get("ZHIFA_WEB_TEST_DATA", "auto")
    if mode == "demo" or (mode == "auto" and importlib.util.find_spec("zhifa.demo.load") is not None):
        summary = tmp / "demo.json"
        code = (
            "import json, sys\n"
            "from zhifa.demo.load import load_demo\n"
            "s = load_demo(scale=0.02, reset=True)\n"
            f"open({str(summary)!r}, 'w', encoding='utf-8').write(json.dumps(s, ensure_ascii=False, default=str))\n"
        )
        _run([PYTHON, "-c", code], env)
        accounts = json.loads(summary.read_text("utf-8"))["accounts"]
        admin = next(a for a in accounts if "admin" in a["roles"])
        creds = (admin["username"], admin["password"])
    else:
        _run([ZHIFA, "import", "units", str(DATA / "units.csv")], env)
        _run([ZHIFA, "import", "jurisdiction", str(DATA / "map.geojson")], env)
        _run([ZHIFA, "users", "create", "admin", "--name", "管理员", "--roles", "admin"], env, f"{PASSWORD}\n")
        creds = ("admin", PASSWORD)
    _run([ZHIFA, "users", "create", VIEWER, "--name", "值班员", "--roles", "duty_officer"], env, f"{PASSWORD}\n")
    return creds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "uvicorn",
                "zhifa.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
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
                    raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _api(url: str, path: str, creds: tuple[str, str]) -> Any:
    body = json.dumps({"username": creds[0], "password": creds[1]}).encode()
    req = urllib.request.Request(f"{url}/api/v1/auth/login", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        token = json.load(r)["token"]
    req = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    # The login is committed before its response is sent (core.api.DB), so the token works at once.
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("web-browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_")}
    env |= {"ZHIFA_DATABASE_URL": f"sqlite:///{tmp / 'x.db'}", "ZHIFA_VAR_DIR": str(tmp)}
    return tmp, env, _load_data(tmp, env)


def _site(data: tuple[Path, dict[str, str], tuple[str, str]], name: str, extra: dict[str, str]) -> Iterator[Site]:
    tmp, env, admin = data
    with _server(env | extra, tmp / f"{name}.log") as url:
        features = _api(url, "/api/v1/jurisdiction", admin)["features"]
        yield Site(url, admin, (VIEWER, PASSWORD), features)


@pytest.fixture(scope="module")
def site(data: tuple[Path, dict[str, str], tuple[str, str]]) -> Iterator[Site]:
    """The server as shipped: no tiles, drawn in WGS-84."""
    yield from _site(data, "wgs84", {})


@pytest.fixture(scope="module")
def site_gcj(data: tuple[Path, dict[str, str], tuple[str, str]]) -> Iterator[Site]:
    """The same data, configured for GCJ-02 tiles (the tile URL left empty: no network)."""
    yield from _site(data, "gcj02", {"ZHIFA_TILE_CRS": "gcj02"})


# --------------------------------------------------------------------------- helpers


def _roads(site: Site) -> list[dict[str, Any]]:
    roads = [f for f in site.features if f["properties"]["kind"] == "road_section"]
    assert roads, "the test data has no road section"
    return roads


def _point_on(feature: dict[str, Any]) -> tuple[float, float]:
    """The middle of the longest segment of a road section (a point on the road, off any vertex)."""
    g = feature["geometry"]
    lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
    best = max(
        ((a, b) for line in lines for a, b in itertools.pairwise(line)),
        key=lambda ab: math.dist(ab[0], ab[1]),
    )
    return (best[0][0] + best[1][0]) / 2, (best[0][1] + best[1][1]) / 2


def _stake_inside(feature: dict[str, Any]) -> str:
    p = feature["properties"]
    metres = round((p["from_km"] + p["to_km"]) / 2 * 1000)
    return f"{p['route']} K{metres // 1000}+{metres % 1000:03d}"


class Console:
    """Console errors and uncaught exceptions of a page. Failed HTTP responses the page expects
    (the 400 of a malformed location, the 403 of the audit log) are logged by Chromium as
    'Failed to load resource'; they are network events, not script errors, and are left out."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, msg: Any) -> None:
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"console: {msg.text}")


def _login(page: Any, site: Site, creds: tuple[str, str], path: str = "/map") -> None:
    page.goto(f"{site.url}{path}")
    page.wait_for_url(f"**/login?next={path}" if path != "/" else "**/login")
    page.get_by_test_id("login-username").fill(creds[0])
    page.get_by_test_id("login-password").fill(creds[1])
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{site.url}{path}")


def _wait_map(page: Any) -> None:
    page.wait_for_selector('#map[data-ready="1"]', timeout=30_000)


def _click_lon_lat(page: Any, lon: float, lat: float) -> None:
    """Click the map where the WGS-84 point is drawn (shifted if the map is drawn in GCJ-02)."""
    xy = page.evaluate(
        """([lon, lat]) => {
            const map = window.zhifaMap;
            map.stop();
            const [x, y] = window.zhifaGeo.toDisplay(lon, lat);
            map.setView([y, x], 16, {animate: false});
            const p = map.latLngToContainerPoint([y, x]);
            const r = map.getContainer().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        [lon, lat],
    )
    page.mouse.click(xy["x"], xy["y"])


def _until(page: Any, js: str, timeout: float = 10.0) -> None:
    """Wait until a JS expression is true. (``page.wait_for_function`` polls with ``eval``, which
    the pages' Content-Security-Policy rightly forbids; ``evaluate`` goes through DevTools.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(js):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {js}")
        time.sleep(0.05)


NewContext = Callable[..., Any]


# --------------------------------------------------------------------------- tests


def test_login_map_and_who_owns_this(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)

    _login(page, site, site.admin, "/map")
    _wait_map(page)
    assert page.locator("#legend-units li").count() >= 2
    expect(page.get_by_test_id("map-status")).to_contain_text(f"{len(site.features)} 个要素")

    page.get_by_test_id("matter-select").select_option("road.overload")

    # 1. A click on a road section: the section's unit, as a strip (条线) matter.
    first = _roads(site)[0]
    lon, lat = _point_on(first)
    _click_lon_lat(page, lon, lat)
    unit = first["properties"]["unit"]
    expect(page.get_by_test_id("route-unit")).to_contain_text(f"（{unit}）")
    expect(page.get_by_test_id("route-unit")).to_contain_text(first["properties"]["unit_name"])
    expect(page.get_by_test_id("route-mode")).to_have_text("条线")
    expect(page.get_by_test_id("route-outside")).to_have_text("否")
    expect(page.get_by_test_id("route-place")).to_contain_text(first["properties"]["name"])
    expect(page.get_by_test_id("route-reason")).to_contain_text("条线")
    expect(page.get_by_test_id("route-error")).to_be_hidden()
    assert page.locator(".leaflet-marker-icon").count() == 1
    # For a human to look at: the answer in its surroundings, the mouse out of the way.
    page.mouse.move(5, 5)
    page.evaluate(
        "([lon, lat]) => window.zhifaMap.setView(window.zhifaGeo.toDisplay(lon, lat).reverse(), 11, {animate: false})",
        [lon, lat],
    )
    page.screenshot(path="/tmp/zhifa-map.png", full_page=False)

    # 2. A typed stake mark inside the last section.
    last = _roads(site)[-1]
    stake = _stake_inside(last)
    page.get_by_test_id("route-at").fill(stake)
    page.get_by_test_id("route-submit").click()
    expect(page.get_by_test_id("route-unit")).to_contain_text(f"（{last['properties']['unit']}）")
    expect(page.get_by_test_id("route-reason")).to_contain_text(f"桩号 {stake}")
    expect(page.get_by_test_id("route-location")).to_contain_text(stake)
    assert page.locator(".leaflet-marker-icon").count() == 1  # placed on the section

    # 3. A malformed location: the API's Chinese message in the visible error box.
    page.get_by_test_id("route-at").fill("不是一个位置")
    page.get_by_test_id("route-submit").click()
    expect(page.get_by_test_id("route-error")).to_be_visible()
    expect(page.get_by_test_id("route-error")).to_contain_text("位置格式错误")
    expect(page.get_by_test_id("route-result")).to_be_hidden()
    assert page.locator(".leaflet-marker-icon").count() == 0

    # 4. No matter picked: said so before asking the server.
    page.get_by_test_id("matter-select").select_option("")
    page.get_by_test_id("route-at").fill(stake)
    page.get_by_test_id("route-submit").click()
    expect(page.get_by_test_id("route-error")).to_have_text("请先选择事项。")

    assert console.errors == []


def test_gcj02_map_shifts_overlays_and_routes_clicks_exactly(new_context: NewContext, site_gcj: Site) -> None:
    import prcoords

    context = new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    console = Console(page)
    _login(page, site_gcj, site_gcj.admin, "/route")
    _wait_map(page)
    assert page.evaluate("window.zhifaGeo.crs") == "gcj02"
    expect(page.get_by_test_id("route-crs")).to_have_value("gcj02")

    # The browser's forward formula is the standard one (as prcoords computes it).
    for lon, lat in [(119.45, 32.2), (119.0, 31.7), (116.39, 39.91), (121.47, 31.23), (2.35, 48.85)]:
        got = page.evaluate("([a, b]) => window.ZhifaGcj02.wgs84ToGcj02(a, b)", [lon, lat])
        want = prcoords.wgs_gcj((lat, lon), check_china=True) if 72 < lon < 138 else None
        expected = (want.lon, want.lat) if want else (lon, lat)
        assert got == pytest.approx(expected, abs=1e-9)

    # The overlays are drawn shifted: the first vertex of the first road is at its GCJ-02 place.
    road = _roads(site_gcj)[0]
    lon0, lat0 = (
        road["geometry"]["coordinates"][0]
        if road["geometry"]["type"] == "LineString"
        else road["geometry"]["coordinates"][0][0]
    )
    drawn = page.evaluate(
        """(id) => {
            let out = null;
            window.zhifaMap.eachLayer((l) => {
                if (!out && l.feature && l.feature.id === id && l.getLatLngs) {
                    const lls = l.getLatLngs().flat(3);
                    out = [lls[0].lng, lls[0].lat];
                }
            });
            return out;
        }""",
        road["id"],
    )
    shifted = prcoords.wgs_gcj((lat0, lon0), check_china=True)
    assert drawn == pytest.approx([shifted.lon, shifted.lat], abs=1e-9)
    assert math.dist(drawn, [lon0, lat0]) > 1e-3  # hundreds of metres: visibly shifted

    # A click where the road is drawn is sent as GCJ-02 and converted back exactly by the server.
    page.get_by_test_id("matter-select").select_option("road.overload")
    lon, lat = _point_on(road)
    _click_lon_lat(page, lon, lat)
    expect(page.get_by_test_id("route-unit")).to_contain_text(f"（{road['properties']['unit']}）")
    location = page.get_by_test_id("route-location").inner_text()
    wgs = [float(v) for v in location.split("WGS-84")[1].split(",")]
    # One screen pixel at zoom 14 is ~8 m; the API's answer is within that of the road point.
    assert math.dist(wgs, [lon, lat]) < 2e-4
    assert console.errors == []


def test_pages_lists_language_and_logout(new_context: NewContext, site: Site, tmp_path: Path) -> None:
    # A browser in New York: times must still be shown in Beijing time.
    context = new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, timezone_id="America/New_York"
    )
    page = context.new_page()
    console = Console(page)
    _login(page, site, site.admin, "/")
    expect(page.get_by_test_id("current-user")).to_contain_text("系统管理员")
    expect(page.get_by_test_id("clock")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"))

    # Organisation: the tree and the operational share.
    page.goto(f"{site.url}/org")
    expect(page.get_by_test_id("unit-tree")).to_contain_text("指挥中心")
    expect(page.locator('[data-testid="operational-pct"]')).to_contain_text("%")
    assert page.locator("#share-chart canvas").count() == 1  # ECharts drew the gauge

    # Officers and duties: the list loads (possibly empty) without an error.
    for path in ("/officers", "/duties"):
        page.goto(f"{site.url}{path}")
        expect(page.get_by_test_id("list-total")).to_be_visible()
        expect(page.get_by_test_id("list-error")).to_be_hidden()

    # Entities: a table, or a plain notice while the registry API is not there yet.
    page.goto(f"{site.url}/entities/vehicle")
    _until(
        page,
        "document.querySelector('[data-testid=list-notice]').hidden === false"
        " || !!document.querySelector('[data-testid=list-total]')",
    )
    if page.get_by_test_id("list-notice").is_visible():
        expect(page.get_by_test_id("list-notice")).to_contain_text("尚未上线")

    # Audit log (admin): the logins are there, in Beijing time.
    page.goto(f"{site.url}/audit")
    expect(page.get_by_test_id("list-table")).to_contain_text("登录")
    api_items = _api(site.url, "/api/v1/audit?per_page=1", site.admin)["items"]
    assert api_items
    page.reload()
    local = api_items[0]["at_local"]  # the API's own Asia/Shanghai rendering
    # Waited for: right after the reload the table may still say 加载中… (CI once read it then).
    first_cell = page.locator("#list-table tbody tr").first.locator("td").first
    expect(first_cell).to_have_text(re.compile(re.escape(local[:19].replace("T", " ")) + "$"))
    first_time = first_cell.inner_text()

    # Export: an XLSX that Excel (here openpyxl) reads, headed like the table; a CSV with a BOM.
    from openpyxl import load_workbook

    with page.expect_download() as dl:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.suffix == ".xlsx"
    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间（北京时间）", "操作人", "操作")
    shown_total = int(re.sub(r"\D", "", page.get_by_test_id("list-total").inner_text()))
    assert len(rows) - 1 == shown_total
    assert rows[1][0] == first_time
    with page.expect_download() as dl:
        page.get_by_test_id("export-csv").click()
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "时间（北京时间）".encode() in raw[:200]

    # English, and back.
    page.goto(f"{site.url}/map")
    page.get_by_test_id("lang-en").click()
    page.wait_for_url(f"{site.url}/map")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#route-title")).to_have_text("Who owns this?")
    expect(page.locator("#sidenav")).to_contain_text("Coming soon")
    page.get_by_test_id("lang-zh").click()
    expect(page.locator("#route-title")).to_have_text("谁来管")

    # Log out: back to the login page, and the pages are closed again.
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{site.url}/login")
    page.goto(f"{site.url}/org")
    page.wait_for_url(f"{site.url}/login?next=/org")
    assert console.errors == []


def test_audit_log_is_refused_to_non_admins(new_context: NewContext, site: Site) -> None:
    page = new_context().new_page()
    console = Console(page)
    _login(page, site, site.viewer, "/audit")
    expect(page.get_by_test_id("list-error")).to_be_visible()
    expect(page.get_by_test_id("list-error")).to_contain_text("无权查看")
    expect(page.get_by_test_id("list-error")).to_contain_text("系统管理员")
    expect(page.get_by_test_id("current-user")).to_contain_text("指挥中心值班员")
    assert console.errors == []


def test_wrong_password_is_shown_on_the_login_page(new_context: NewContext, site: Site) -> None:
    page = new_context().new_page()
    page.goto(f"{site.url}/login")
    page.get_by_test_id("login-username").fill(site.admin[0])
    page.get_by_test_id("login-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误")
    assert page.url == f"{site.url}/login"


def test_phone_width(new_context: NewContext, site: Site) -> None:
    context = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = Console(page)
    _login(page, site, site.admin, "/map")
    _wait_map(page)

    def no_sideways_scroll() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page.url} is {width} px wide"

    no_sideways_scroll()
    # The navigation is a drawer behind the menu button.
    nav = page.locator("#sidenav")
    assert nav.bounding_box()["x"] < 0  # type: ignore[index]
    page.get_by_test_id("nav-toggle").click()
    _until(page, "document.getElementById('sidenav').getBoundingClientRect().x >= 0")
    expect(nav.get_by_text("组织机构")).to_be_visible()
    page.keyboard.press("Escape")

    page.get_by_test_id("matter-select").select_option("road.overload")
    last = _roads(site)[-1]
    page.get_by_test_id("route-at").fill(_stake_inside(last))
    page.get_by_test_id("route-submit").click()
    expect(page.get_by_test_id("route-unit")).to_contain_text(f"（{last['properties']['unit']}）")
    page.get_by_test_id("route-result").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/zhifa-map-390.png", full_page=True)
    for path in ("/org", "/audit", "/duties", "/"):
        page.goto(f"{site.url}{path}")
        page.wait_for_load_state("networkidle")
        no_sideways_scroll()
    assert console.errors == []
