"""Web pages. Each page is a server-rendered shell (layout, navigation, labels in the user's
language); its data is fetched in the browser from the JSON API under ``/api/v1`` with the same
session cookie, so access rules, masking of personal data and error messages live in one place
(the API) and the UI cannot drift from it.

Pages need a valid session cookie (``zhifa_session``, set by ``POST /api/v1/auth/login``); without
one they redirect to ``/login?next=…``. The UI language comes from the ``zhifa_lang`` cookie
(``zh`` by default, ``en`` on request), set by ``GET /lang/{zh|en}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse, ServerSentEvent

from zhifa.cases import procedure as case_procedure
from zhifa.core.api import DB, SESSION_COOKIE, CurrentActor, token_from
from zhifa.core.auth import User, resolve_actor, resolve_token
from zhifa.core.config import get_settings
from zhifa.core.db import get_engine, read_session
from zhifa.core.errors import NotFound, Unauthorized, ZhifaError
from zhifa.geo.crs import CoordinateError, normalise_crs
from zhifa.monitoring import access as lead_access
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.monitoring.rules import LEAD_STATUSES, RULES
from zhifa.monitoring.service import MAX_ATTEMPTS, lead_dict
from zhifa.org.models import Unit
from zhifa.sensing.models import Device, Event
from zhifa.web import live
from zhifa.web.i18n import (
    DEFAULT_LANG,
    LANG_COOKIE,
    LANGUAGES,
    N_,
    html_lang,
    lang_of,
    messages_for,
    translate,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

router = APIRouter()
log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- navigation


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # catalogue key
    href: str | None = None  # None: a later module, shown disabled as 建设中
    children: tuple[NavItem, ...] = ()


#: Regulated-entity kinds, in the order of the tabs (API path segment → catalogue key).
ENTITY_KINDS: dict[str, str] = {
    "enterprise": N_("Enterprises"),
    "vehicle": N_("Vehicles"),
    "vessel": N_("Vessels"),
    "person": N_("Persons"),
    "site": N_("Sites"),
    "permit": N_("Oversize permits"),
}

NAV: tuple[NavItem, ...] = (
    NavItem("dashboard", N_("Command screen"), "/"),
    NavItem("route", N_("Who owns this?"), "/route"),
    NavItem("map", N_("Jurisdiction map"), "/map"),
    NavItem("org", N_("Organisation"), "/org"),
    NavItem("officers", N_("Officers"), "/officers"),
    NavItem("duties", N_("Duty catalogue"), "/duties"),
    NavItem(
        "entities",
        N_("Regulated entities"),
        "/entities/enterprise",
        tuple(NavItem(f"entities-{k}", label, f"/entities/{k}") for k, label in ENTITY_KINDS.items()),
    ),
    NavItem("items", N_("Power and responsibility list"), "/items"),
    NavItem("audit", N_("Audit log"), "/audit"),
)

#: The "1+5" mechanisms and case handling, in the navigation's 指挥业务 group. An item without a
#: page (``href`` None) is a later module, shown disabled as 建设中.
COMMAND_MODULES: tuple[NavItem, ...] = (
    NavItem(
        "monitoring",
        N_("Monitoring & early warning"),
        "/monitoring/devices",
        (
            NavItem("monitoring-devices", N_("Devices"), "/monitoring/devices"),
            NavItem("monitoring-leads", N_("Leads"), "/monitoring/leads"),
            NavItem("monitoring-stuck", N_("Stuck events"), "/monitoring/stuck"),
        ),
    ),
    NavItem(
        "dispatch",
        N_("Command & dispatch"),
        "/wall",
        (
            NavItem("dispatch-wall", N_("Command wall"), "/wall"),
            NavItem("dispatch-mine", N_("My tasks"), "/m/tasks"),
            NavItem("dispatch-figures", N_("Closed-loop figures"), "/figures"),
            NavItem("dispatch-plans", N_("Response plans"), "/plans"),
            NavItem("dispatch-sla", N_("SLA ladders and settings"), "/sla"),
        ),
    ),
    NavItem("supervision", N_("Enforcement supervision")),
    NavItem("analysis", N_("Analysis & judgement")),
    NavItem("emergency", N_("Emergency response")),
    NavItem(
        "cases",
        N_("Case handling"),
        "/cases",
        (
            NavItem("cases-list", N_("Case workbench"), "/cases"),
            NavItem("cases-review", N_("Legal review queue"), "/cases/review"),
        ),
    ),
)

ROLE_LABELS: dict[str, str] = {
    "admin": N_("System administrator"),
    "duty_officer": N_("Duty officer"),
    "leader": N_("Brigade leader"),
    "officer": N_("Enforcement officer"),
    "legal_reviewer": N_("Legal reviewer"),
    "analyst": N_("Analyst"),
}

#: Optional APIs written by other modules: the UI says so plainly when one is not installed.
#: ``lead``: a single lead by id; until the monitoring API has one, the lead page reads
#: ``/web/api/leads/{id}`` (below).
OPTIONAL_APIS: dict[str, str] = {
    "entities": "/api/v1/entities",
    "items": "/api/v1/items",
    "lead": "/api/v1/leads/{",
}

#: English titles of the monitoring rules; in Chinese the rule's own ``title_zh`` is shown (the
#: catalogue's Chinese column repeats it, and a test keeps the two equal).
RULE_TITLES: dict[str, str] = {
    "overload": N_("Overloaded vehicle (gross mass)"),
    "oversize": N_("Oversize vehicle (dimensions)"),
    "repeat_overload": N_("Goods vehicle overloaded more than 3 times in a year"),
    "ais_dark": N_("Ship passed without an AIS signal"),
    "ais_ambiguous": N_("Ship passage with several AIS candidates"),
    "ais_gap": N_("AIS signal of a ship under way lost"),
    "ais_mismatch": N_("AIS data differ from the registry"),
    "certificate_expired": N_("Certificate expired, revoked or suspended"),
    "illegal_operation": N_("Suspected illegal operation"),
    "watchlist": N_("Watchlist hit"),
}


def rule_titles(lang: str) -> dict[str, str]:
    """Rule kind → title in the UI language (a rule without an English title shows its Chinese)."""
    if lang == "zh":
        return {kind: info.title_zh for kind, info in RULES.items()}
    return {
        kind: translate(RULE_TITLES[kind], lang) if kind in RULE_TITLES else info.title_zh
        for kind, info in RULES.items()
    }


#: Lead kinds raised by people rather than rules (``dispatch.hotline``): 12345/12328 calls and
#: officers' patrol reports, listed with the rules' leads.
PEOPLE_LEAD_KINDS = {"complaint": N_("Complaint or tip"), "patrol_report": N_("Patrol report")}


def lead_kind_titles(lang: str) -> dict[str, str]:
    """Every lead kind → title in the UI language: the rules' in their order, then people's."""
    return rule_titles(lang) | {k: translate(v, lang) for k, v in PEOPLE_LEAD_KINDS.items()}


# --------------------------------------------------------------------------- templates


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    # The page's boot JSON: Chinese as it is (not \uXXXX), still HTML-safe (``tojson`` escapes <>&').
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


@lru_cache(maxsize=256)
def _static_version(rel: str) -> str:
    path = STATIC / rel
    if not path.is_file():
        raise FileNotFoundError(f"static asset {rel} is missing")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(rel: str) -> str:
    """URL of a static asset with a content hash, so browsers never run a stale script."""
    return f"/static/{rel}?v={_static_version(rel)}"


def _csp() -> str:
    img = ["'self'", "data:", "blob:"]
    tile_src = _tile_source(get_settings().tile_url)
    if tile_src:
        img.append(tile_src)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet and ECharts position elements with inline styles.
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(img)}",
            "connect-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _tile_source(tile_url: str) -> str | None:
    """The CSP source of a tile URL template (``https://t{s}.example.cn/...`` → ``https://*.example.cn``)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # a relative URL is served by us ('self')
    host = parts.netloc
    if "{" in host:
        labels = host.split(".")
        if "{" in labels[0] and not any("{" in label for label in labels[1:]):
            host = ".".join(["*", *labels[1:]])
        else:
            return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = lang_of(request)

    def _(key: str, **values: Any) -> str:
        return translate(key, lang, **values)

    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    ctx = {
        "_": _,
        "lang": lang,
        "html_lang": html_lang(lang),
        "languages": LANGUAGES,
        "here": quote(here, safe=""),
        "nav": NAV,
        "command_modules": COMMAND_MODULES,
    } | context
    html = _env().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = _csp()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- authentication


def _page_user(request: Request, session: Session) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return resolve_token(session, token)
    except ZhifaError:
        return None


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (another host, ``//x``) → ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login" if here == "/" else f"/login?next={quote(here, safe='/')}"
    response = RedirectResponse(target, status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/")  # expired or revoked
    return response


def _installed_apis(request: Request) -> dict[str, bool]:
    """Which optional APIs this app serves, from its OpenAPI schema (built once, then cached)."""
    try:
        paths = list(request.app.openapi().get("paths", {}))
    except Exception:  # a schema problem elsewhere must not break the pages: let the UI try
        return dict.fromkeys(OPTIONAL_APIS, True)
    return {name: any(p.startswith(prefix) for p in paths) for name, prefix in OPTIONAL_APIS.items()}


def _page(
    request: Request,
    session: Session,
    template: str,
    active: str,
    title: str,
    page: dict[str, Any] | None = None,
    roles: tuple[str, ...] = (),
) -> Response:
    """A page for a logged-in user; with ``roles``, only for users holding one of them (others get
    a 403 page that names the roles, as the API's 403 does)."""
    user = _page_user(request, session)
    if user is None:
        return _to_login(request)
    lang = lang_of(request)
    status = 200
    if roles and not user.actor().has(*roles):
        template, status = "forbidden.html", 403
        page = {"required": [translate(ROLE_LABELS.get(r, r), lang) for r in roles]}
    roles_held = sorted(user.roles)
    boot = {
        "lang": lang,
        "tz": get_settings().display_tz,
        "messages": messages_for(lang),
        "user": {
            "username": user.username,
            "display_name": user.display_name,
            "roles": roles_held,
            "unit": user.unit_code,
        },
        "active": active,
        "apis": _installed_apis(request),
        "page": page or {},
    }
    role_text = ("、" if lang == "zh" else ", ").join(translate(ROLE_LABELS.get(r, r), lang) for r in roles_held)
    return _render(
        request,
        template,
        {"user": user, "roles_text": role_text, "active": active, "title": title, "boot": boot},
        status,
    )


# --------------------------------------------------------------------------- pages


@router.get("/login", include_in_schema=False)
def login_page(request: Request, session: DB, next: str | None = None) -> Response:
    target = safe_next(next)
    if _page_user(request, session) is not None:
        return RedirectResponse(target, status_code=303)
    lang = lang_of(request)
    boot = {"lang": lang, "tz": get_settings().display_tz, "messages": messages_for(lang), "next": target}
    return _render(request, "login.html", {"title": N_("Sign in"), "boot": boot})


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str | None = None) -> RedirectResponse:
    lang = code if code in LANGUAGES else DEFAULT_LANG
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=366 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/", include_in_schema=False)
def dashboard(request: Request, session: DB) -> Response:
    return _page(request, session, "dashboard.html", "dashboard", N_("Command screen"), _monitoring(request))


@router.get("/route", include_in_schema=False)
def route_page(request: Request, session: DB) -> Response:
    return _page(request, session, "map.html", "route", N_("Who owns this?"))


@router.get("/map", include_in_schema=False)
def map_page(request: Request, session: DB) -> Response:
    return _page(request, session, "map.html", "map", N_("Jurisdiction map"))


@router.get("/org", include_in_schema=False)
def org_page(request: Request, session: DB) -> Response:
    return _page(request, session, "org.html", "org", N_("Organisation"))


@router.get("/officers", include_in_schema=False)
def officers_page(request: Request, session: DB) -> Response:
    return _page(request, session, "list.html", "officers", N_("Officers"), {"dataset": "officers"})


@router.get("/duties", include_in_schema=False)
def duties_page(request: Request, session: DB) -> Response:
    return _page(request, session, "list.html", "duties", N_("Duty catalogue"), {"dataset": "duties"})


@router.get("/entities", include_in_schema=False)
def entities_index() -> RedirectResponse:
    return RedirectResponse("/entities/enterprise", status_code=303)


@router.get("/entities/{kind}", include_in_schema=False)
def entities_page(kind: str, request: Request, session: DB) -> Response:
    if kind not in ENTITY_KINDS:
        return RedirectResponse("/entities/enterprise", status_code=303)
    return _page(
        request,
        session,
        "list.html",
        f"entities-{kind}",
        ENTITY_KINDS[kind],
        {"dataset": "entities", "kind": kind, "kinds": list(ENTITY_KINDS)},
    )


@router.get("/items", include_in_schema=False)
def items_page(request: Request, session: DB) -> Response:
    return _page(request, session, "list.html", "items", N_("Power and responsibility list"), {"dataset": "items"})


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, session: DB) -> Response:
    return _page(request, session, "list.html", "audit", N_("Audit log"), {"dataset": "audit"})


# --------------------------------------------------------------------------- monitoring (监测预警)


def _monitoring(request: Request) -> dict[str, Any]:
    """What every monitoring page's script needs: the lead kinds' titles as ``[kind, title]``
    pairs, the rules' in their order, then the kinds people raise (the boot JSON sorts object
    keys), and the lead statuses."""
    return {
        "kinds": list(lead_kind_titles(lang_of(request)).items()),
        "rule_versions": {kind: info.version for kind, info in RULES.items()},
        "statuses": list(LEAD_STATUSES),
    }


@router.get("/monitoring", include_in_schema=False)
def monitoring_index() -> RedirectResponse:
    return RedirectResponse("/monitoring/devices", status_code=303)


@router.get("/monitoring/devices", include_in_schema=False)
def devices_page(request: Request, session: DB) -> Response:
    return _page(request, session, "monitoring_devices.html", "monitoring-devices", N_("Devices"), _monitoring(request))


@router.get("/monitoring/leads", include_in_schema=False)
def leads_page(request: Request, session: DB) -> Response:
    return _page(request, session, "monitoring_leads.html", "monitoring-leads", N_("Leads"), _monitoring(request))


@router.get("/monitoring/leads/{lead_id}", include_in_schema=False)
def lead_page(lead_id: str, request: Request, session: DB) -> Response:
    if not lead_id.isdigit() or len(lead_id) > 18:
        return RedirectResponse("/monitoring/leads", status_code=303)
    page = _monitoring(request) | {
        "lead_id": int(lead_id),
        "case_file_roles": list(case_procedure.STEP_BY_ACTION["file"].roles),
    }
    return _page(request, session, "monitoring_lead.html", "monitoring-leads", N_("Lead"), page)


#: Who may queue given-up events again (``POST /api/v1/events/stuck/retry``: administrators). The
#: page draws the checkboxes and the button for them only; the API decides.
STUCK_RETRY_ROLES = ("admin",)


@router.get("/monitoring/stuck", include_in_schema=False)
def stuck_page(request: Request, session: DB) -> Response:
    """Events a rule failed on (``GET /api/v1/events/stuck``), for whoever may open the monitoring
    pages: the API gives each the events of their units' devices (the detachment-wide roles and
    administrators: all). Administrators queue the given-up ones again from here."""
    page = {"max_attempts": MAX_ATTEMPTS, "retry_roles": list(STUCK_RETRY_ROLES)}
    return _page(request, session, "monitoring_stuck.html", "monitoring-stuck", N_("Stuck events"), page)


# --------------------------------------------------------------------------- API for the UI


@router.get("/api/v1/web/config", tags=["web"])
def web_config(request: Request, actor: CurrentActor) -> dict[str, Any]:
    """Map and display settings for the web UI (``ZHIFA_TILE_URL``, ``ZHIFA_TILE_CRS``,
    ``ZHIFA_TILE_ATTRIBUTION``). ``tile_crs`` is the CRS the map is drawn in: with ``gcj02`` the
    browser shifts the WGS-84 overlays to GCJ-02 and sends clicked points with ``crs=gcj02``."""
    settings = get_settings()
    warnings: list[str] = []
    try:
        crs = normalise_crs(settings.tile_crs)
    except CoordinateError:
        warnings.append(f"unknown ZHIFA_TILE_CRS {settings.tile_crs!r}; using wgs84")
        crs = "wgs84"
    return {
        "tile_url": settings.tile_url,
        "tile_crs": crs,
        "tile_attribution": settings.tile_attribution,
        "display_tz": settings.display_tz,
        "apis": _installed_apis(request),
        "warnings": warnings,
    }


@router.get("/web/api/leads/{lead_id}", include_in_schema=False)
def web_lead(lead_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """One lead for the lead page, as ``GET /api/v1/leads`` gives it (``lead_dict``), plus its rule
    (title, the version that raised it and the current one, matter, legal basis) and its events in
    detail (device name, type, time, plate or MMSI, images). Written while the monitoring API had
    no ``GET /api/v1/leads/{id}``; the page uses that one when it is installed (``apis.lead``), and
    this answer holds everything that one does. Whoever sees the lead (``monitoring.access``), as
    the list; 404 otherwise."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"lead {lead_id} not found", f"线索 {lead_id} 不存在")
    lead_access.check(session, actor, lead_id, lead.unit_code)
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    out = lead_dict(lead, names)
    info = RULES.get(lead.kind)
    out["rule"] = {
        "kind": lead.kind,
        "title": info.title_zh if info else lead.kind,
        "version": lead.rule_version,
        "current_version": info.version if info else None,
        "matter": info.matter if info else None,
        "legal_basis": info.legal_basis if info else None,
        "severity": info.severity if info else None,
    }
    rows = session.execute(
        select(Event, Device.name, Device.kind)
        .join(LeadEvent, LeadEvent.event_id == Event.id)
        .outerjoin(Device, Device.code == Event.device_code)
        .where(LeadEvent.lead_id == lead.id)
        .order_by(LeadEvent.event_time, Event.id)
    ).all()
    out["events"] = [
        {
            "device": ev.device_code,
            "id": ev.event_id,
            "seq": ev.id,
            "device_name": device_name,
            "device_kind": device_kind,
            "type": ev.type,
            "time": ev.event_time.isoformat(),
            "plate": ev.plate,
            "plate_color": ev.plate_color,
            "mmsi": ev.mmsi,
            "images": ev.images or [],
        }
        for ev, device_name, device_kind in rows
    ]
    return out


# --------------------------------------------------------------------------- the live feed (SSE)

#: Seconds between checks that the stream's login is still valid (a logout ends the stream).
STREAM_REAUTH_S = 30.0


def _engine(request: Request) -> Engine:
    return getattr(request.app.state, "engine", None) or get_engine()


def _token_ok(engine: Engine, token: str) -> bool:
    with read_session(engine) as session:
        try:
            resolve_actor(session, token)
            return True
        except ZhifaError:
            return False


def _sse(messages: list[live.Message], cursor: live.Cursor) -> list[ServerSentEvent]:
    out = [ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=name) for name, data in messages]
    if out:
        out[-1].id = cursor.token()  # the browser resumes from here (Last-Event-ID)
    return out


#: Streams open in this process (``GET /web/events/status``): a stream whose client has gone
#: must end, not poll on.
_open_streams = 0


def _in_scope(messages: list[live.Message], scope: set[str] | None) -> list[live.Message]:
    """The messages the viewer may see (``monitoring.access``): a new lead routed to one of their
    units; an event from a device their units own (a plate or an MMSI is personal data), and its
    "processed" sequel, each listing only the leads the viewer may see among those it raised."""
    if scope is None:
        return messages
    out: list[live.Message] = []
    for name, data in messages:
        if name in ("lead", "sensing", "processed") and not lead_access.sees(scope, data.get("unit")):
            continue
        if "leads" in data:
            data = data | {"leads": [x for x in data["leads"] if lead_access.sees(scope, x.get("unit"))]}
        out.append((name, data))
    return out


async def _stream(
    request: Request,
    engine: Engine,
    token: str,
    cursor: live.Cursor,
    first: list[live.Message],
    scope: set[str] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    global _open_streams
    _open_streams += 1
    try:
        checked = time.monotonic()
        # The browser reconnects 3 s after a drop, with the last id it received.
        yield ServerSentEvent(comment="zhifa live", retry=3000)
        for message in _sse(_in_scope(first, scope), cursor):
            yield message
        while not await request.is_disconnected():
            if time.monotonic() - checked > STREAM_REAUTH_S:
                if not await anyio.to_thread.run_sync(_token_ok, engine, token):
                    yield ServerSentEvent(data=json.dumps({"reason": "unauthorized"}), event="end")
                    return
                checked = time.monotonic()
            try:
                messages = await anyio.to_thread.run_sync(live.poll_in, engine, cursor)
            except Exception:  # the database is away for a moment: keep the stream, try again
                log.exception("live feed poll failed")
                await anyio.sleep(live.POLL_S * 4)
                continue
            for message in _sse(_in_scope(messages, scope), cursor):
                yield message
            await anyio.sleep(live.POLL_S)
    finally:
        _open_streams -= 1


@router.get("/web/events/stream", include_in_schema=False)
def event_stream(
    request: Request,
    session: DB,
    backlog: int = Query(default=live.BACKLOG, ge=0, le=live.BACKLOG_MAX),
    last_event_id: str | None = Query(default=None, max_length=64),
) -> Response:
    """Server-Sent Events for the event ticker (``zhifa.web.live``): new sensor events, whether
    each raised a lead once processed, and new leads. Resumes after ``Last-Event-ID``. The
    request's session is used only to check the login and to start; each poll then uses a short
    session of its own, and the stream ends when the client goes away."""
    token = token_from(request)
    if not token:
        raise Unauthorized("authentication required: log in or send 'Authorization: Bearer <token>'", "请先登录")
    actor = resolve_actor(session, token)
    scope = lead_access.lead_scope(session, actor)
    # A reconnecting EventSource sends Last-Event-ID; the page passes it as a parameter when it
    # has to open a new EventSource itself.
    resume = request.headers.get("last-event-id") or last_event_id
    cursor, first = live.start(session, resume, backlog, scope)
    return EventSourceResponse(_stream(request, _engine(request), token, cursor, first, scope), ping=15)


@router.get("/web/events/status", include_in_schema=False)
def event_stream_status(actor: CurrentActor) -> dict[str, Any]:
    """How many live streams this server process is serving, and how often they poll."""
    return {"open_streams": _open_streams, "poll_s": live.POLL_S}
