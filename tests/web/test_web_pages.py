"""Server-side behaviour of the web pages: login redirects, language, page shells, the web config
endpoint, the security headers and the vendored assets (TestClient; no browser)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from zhifa.core.config import get_settings
from zhifa.web import pages

WEB = Path(pages.__file__).parent
PAGES = [
    "/",
    "/route",
    "/map",
    "/org",
    "/officers",
    "/duties",
    "/entities/enterprise",
    "/entities/vessel",
    "/items",
    "/audit",
    "/monitoring/devices",
    "/monitoring/leads",
    "/monitoring/leads/1",
    "/monitoring/stuck",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login_without_a_session(client: Any, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    expected = "/login" if path == "/" else f"/login?next={path}"
    assert r.headers["location"] == expected


def test_an_invalid_session_cookie_redirects_and_is_cleared(client: Any) -> None:
    client.cookies.set("zhifa_session", "not-a-token")
    r = client.get("/map", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/map"
    assert 'zhifa_session=""' in r.headers.get("set-cookie", "")


def test_login_page_is_chinese_by_default_and_english_on_request(client: Any) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    assert "镇江市交通运输综合执法指挥平台" in r.text
    assert ">登录<" in r.text
    client.cookies.set("zhifa_lang", "en")
    r = client.get("/login")
    assert '<html lang="en">' in r.text
    assert ">Sign in<" in r.text
    assert "镇江市交通运输综合执法指挥平台" not in r.text
    client.cookies.set("zhifa_lang", "fr")  # unknown → Chinese
    assert '<html lang="zh-CN">' in client.get("/login").text


def test_login_page_keeps_only_a_local_next(client: Any) -> None:
    assert '"next": "/map?x=1"' in client.get("/login", params={"next": "/map?x=1"}).text
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "map"):
        assert '"next": "/"' in client.get("/login", params={"next": bad}).text, bad


def test_language_switch_sets_the_cookie_and_goes_back(client: Any) -> None:
    r = client.get("/lang/en", params={"next": "/map"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/map"
    assert "zhifa_lang=en" in r.headers["set-cookie"]
    r = client.get("/lang/xx", params={"next": "https://evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    assert "zhifa_lang=zh" in r.headers["set-cookie"]


def test_a_logged_in_user_is_sent_from_login_to_next(admin_client: Any) -> None:
    r = admin_client.get("/login", params={"next": "/org"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/org"


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_the_layout_for_a_logged_in_user(admin_client: Any, path: str) -> None:
    r = admin_client.get(path)
    assert r.status_code == 200, r.text
    html = r.text
    assert "镇江市交通运输综合执法指挥平台" in html
    assert "管理员" in html and "系统管理员" in html  # user and role in the top bar
    nav = ("指挥大屏", "谁来管", "辖区地图", "组织机构", "执法人员", "职责清单", "管理对象", "权责清单", "审计日志")
    for label in nav:
        assert f">{label}<" in html, label
    # 监测预警, 指挥调度 and 案件办理 have their pages; the other command modules are still to come.
    assert '<a href="/monitoring/devices" data-nav="monitoring"' in html
    assert ">监测设备<" in html and ">线索<" in html
    assert not re.search(r'aria-disabled="true"[^>]*>监测预警', html)
    assert '<a href="/wall" data-nav="dispatch"' in html
    assert not re.search(r'aria-disabled="true"[^>]*>指挥调度', html)
    assert '<a href="/cases" data-nav="cases"' in html
    assert not re.search(r'aria-disabled="true"[^>]*>案件办理', html)
    for later in ("执法监督", "研判分析", "应急处置"):
        assert re.search(rf'aria-disabled="true"[^>]*>{later}\s*<em[^>]*>建设中</em>', html), later
    assert 'data-testid="logout"' in html
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["cache-control"] == "no-store"
    # Nothing is loaded from another host (no CDN).
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_the_dashboard_names_only_the_modules_still_being_built(admin_client: Any) -> None:
    html = admin_client.get("/").text
    m = re.search(r'data-testid="coming-modules">(.*?)</section>', html, re.S)
    assert m, html
    assert "以下模块正在建设中： 执法监督、研判分析、应急处置" in re.sub(r"\s+", " ", m.group(1))
    assert "案件办理模块建成后" not in html  # the case module is built: no stale promise
    admin_client.cookies.set("zhifa_lang", "en")
    english = admin_client.get("/").text
    assert "Still being built:" in english and "Enforcement supervision, Analysis" in re.sub(r"\s+", " ", english)


def test_the_active_entity_tab_and_navigation(admin_client: Any) -> None:
    html = admin_client.get("/entities/vessel").text
    assert '<a href="/entities/vessel" class="on" aria-current="page">船舶</a>' in html
    assert admin_client.get("/entities/nonsense", follow_redirects=False).headers["location"] == "/entities/enterprise"
    assert admin_client.get("/entities", follow_redirects=False).headers["location"] == "/entities/enterprise"


def test_pages_speak_english_with_the_cookie(admin_client: Any) -> None:
    admin_client.cookies.set("zhifa_lang", "en")
    html = admin_client.get("/map").text
    assert '<html lang="en">' in html
    assert ">Jurisdiction map<" in html and ">Coming soon</em>" in html and "System administrator" in html
    assert '"lang": "en"' in html


def test_web_config_needs_a_login(client: Any) -> None:
    r = client.get("/api/v1/web/config")
    assert r.status_code == 401
    assert r.json()["error"]["message_zh"] == "请先登录"


def test_web_config_reports_the_tile_settings(admin_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    body = admin_client.get("/api/v1/web/config").json()
    assert body["tile_url"] == "" and body["tile_crs"] == "wgs84" and body["warnings"] == []
    assert body["display_tz"] == "Asia/Shanghai"
    settings = get_settings()
    monkeypatch.setattr(settings, "tile_url", "https://webrd0{s}.example.cn/tile?x={x}&y={y}&z={z}")
    monkeypatch.setattr(settings, "tile_crs", "GCJ-02")
    monkeypatch.setattr(settings, "tile_attribution", "© 示例地图")
    body = admin_client.get("/api/v1/web/config").json()
    assert body["tile_crs"] == "gcj02"
    assert body["tile_url"].startswith("https://webrd0{s}.example.cn/")
    assert body["tile_attribution"] == "© 示例地图"
    # The page's CSP lets the browser load those tiles, and nothing else from elsewhere.
    csp = admin_client.get("/map").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://*.example.cn" in csp
    assert "connect-src 'self'" in csp and "script-src 'self'" in csp


def test_an_unknown_tile_crs_is_reported_not_guessed(admin_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "tile_crs", "bd09")
    body = admin_client.get("/api/v1/web/config").json()
    assert body["tile_crs"] == "wgs84"
    assert body["warnings"] == ["unknown ZHIFA_TILE_CRS 'bd09'; using wgs84"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("https://t0.tianditu.gov.cn/vec_w/wmts?tk=K", "https://t0.tianditu.gov.cn"),
        ("https://t{s}.tianditu.gov.cn/x/{z}/{x}/{y}", "https://*.tianditu.gov.cn"),
        ("http://{s}.a.example/{z}/{x}/{y}", "http://*.a.example"),
        ("https://x.{s}.example/{z}", "https:"),
    ],
)
def test_tile_source_for_the_csp(url: str, source: str | None) -> None:
    assert pages._tile_source(url) == source


def test_web_config_lists_which_optional_apis_exist(admin_client: Any) -> None:
    # zhifa.app includes the registry and catalogue APIs when their modules exist.
    apis = admin_client.get("/api/v1/web/config").json()["apis"]
    assert apis["entities"] == (importlib.util.find_spec("zhifa.registry.api") is not None)
    assert apis["items"] == (importlib.util.find_spec("zhifa.catalog.api") is not None)
    assert f'"apis": {json.dumps(apis, sort_keys=True)}' in admin_client.get("/items").text


def test_static_assets_referenced_by_templates_exist_and_are_served(admin_client: Any) -> None:
    referenced: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        referenced |= set(re.findall(r"static\('([^']+)'\)", template.read_text("utf-8")))
    assert {"vendor/leaflet/leaflet.js", "vendor/echarts/echarts.min.js", "js/gcj02.js"} <= referenced
    for rel in sorted(referenced):
        r = admin_client.get(pages.static_url(rel))
        assert r.status_code == 200, rel


def test_vendored_libraries_and_versions() -> None:
    vendor = WEB / "static" / "vendor"
    lines = (vendor / "VERSIONS.txt").read_text("utf-8").splitlines()
    versions = dict(line.split()[:2] for line in lines if line and not line.startswith("#"))
    assert versions["leaflet"] == "1.9.4"
    assert versions["htmx.org"].startswith("2.")
    assert versions["echarts"].startswith("6.")
    for rel in (
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/marker-icon.png",
        "htmx/htmx.min.js",
        "echarts/echarts.min.js",
    ):
        assert (vendor / rel).stat().st_size > 0, rel
    # The source-map comments are stripped: the maps are not vendored, and a missing map is a 404.
    for rel in ("leaflet/leaflet.js", "htmx/htmx.min.js", "echarts/echarts.min.js"):
        assert "sourceMappingURL" not in (vendor / rel).read_text("utf-8")[-300:], rel
