"""Web pages of 案件办理 (case handling), on the case API (``zhifa.cases.api``):

* ``/cases`` — the workbench: open cases (or those of one state) with filters (state, procedure,
  unit, overdue) and a badge for each case's next legal deadline (days left; red when missed,
  amber when due within two days).
* ``/cases/{id}`` — one case: party (masked as the API gives it), timeline of steps, deadlines,
  documents issued, evidence with hashes and custody, and a button for each step the API lists in
  the case's ``allowed`` (``procedure.allowed_actions``); the step form asks for what the step
  needs and shows the API's refusal (409, 422, 403) as it comes.
* ``/cases/review`` — the legal reviewer's queue: cases in 法制审核 (``in_review``).

Every action is a call of the case API from the page with the user's session: which steps a
state allows, and who may take them, is decided there, once. The pages get the step *labels* and
which of them need a reason (no sources, no targets) from the step table, not a copy of it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from zhifa.cases import procedure, service
from zhifa.core.api import DB
from zhifa.web import pages
from zhifa.web.i18n import N_, lang_of, translate

router = APIRouter()

#: Who opens the workbench and a case: the roles the case API serves (admin: all).
CASE_ROLES = ("officer", "leader", "legal_reviewer", "duty_officer", "analyst")
#: The legal reviewer's queue.
REVIEW_ROLES = ("legal_reviewer",)
#: Days before the due date at which a deadline badge turns amber.
DUE_SOON_DAYS = 2

PROCEDURE_LABELS = {"general": N_("General procedure"), "simplified": N_("Simplified procedure")}
DEADLINE_STATUS_LABELS = {
    "open": N_("Open (deadline)"),
    "met": N_("Met"),
    "missed": N_("Missed"),
    "expired": N_("Expired (party's period)"),
    "void": N_("Void"),
}
ORIGIN_LABELS = {
    "upload": N_("Uploaded"),
    "lead": N_("From a lead"),
    "offsite": N_("From an off-site case"),
    "task": N_("From a dispatch task"),
}

#: The fields each step's form asks for, beyond the reason (service handler parameters,
#: docs/cases.md). A step not named here asks for the reason and, optionally, further parameters
#: as JSON. ``kind``: text, textarea, date, select (``options``), bool.
STEP_FIELDS: dict[str, list[dict[str, Any]]] = {
    "investigate": [
        {
            "name": "record_kind",
            "label": N_("Record kind"),
            "kind": "select",
            "options": list(procedure.RECORD_DOCUMENTS),
        },
        {"name": "content", "label": N_("Content of the record"), "kind": "textarea", "required": True},
    ],
    "request_hearing": [{"name": "requested_on", "label": N_("Requested on"), "kind": "date"}],
    "notice_hearing": [
        {"name": "hearing_on", "label": N_("Hearing date"), "kind": "date", "required": True},
        {"name": "host", "label": N_("Hearing host (officer code)"), "kind": "text", "required": True},
        {"name": "place", "label": N_("Place"), "kind": "text", "required": True},
    ],
    "hold_hearing": [
        {"name": "record", "label": N_("Hearing record"), "kind": "textarea", "required": True},
        {"name": "party_absent", "label": N_("The party did not attend"), "kind": "bool"},
    ],
    "no_penalty": [
        {"name": "ground", "label": N_("Ground"), "kind": "select", "options": list(service.NO_PENALTY_GROUNDS)},
        {"name": "education_record", "label": N_("Education record"), "kind": "textarea"},
        {"name": "commitment_sha256", "label": N_("Commitment letter (SHA-256)"), "kind": "text"},
    ],
    "refer": [{"name": "to", "label": N_("Referred to"), "kind": "text", "required": True}],
    "deliver": [
        {
            "name": "method",
            "label": N_("Delivery method"),
            "kind": "select",
            "options": list(procedure.DELIVERY_METHODS),
        },
        {"name": "on", "label": N_("Delivered on"), "kind": "date"},
        {"name": "tracking_no", "label": N_("Tracking number (post)"), "kind": "text"},
        {"name": "consent_sha256", "label": N_("Signed consent (SHA-256, electronic)"), "kind": "text"},
    ],
    "close": [{"name": "summary", "label": N_("Closing summary"), "kind": "textarea", "required": True}],
}


def _steps(lang: str) -> dict[str, dict[str, Any]]:
    """Each step's label (its Chinese name: the law's term, shown as data in both languages), whether
    it needs a reason, its own route if it has one, and who may take it — no sources or targets:
    which steps a case allows comes from the API's ``allowed``."""
    return {
        s.action: {
            "zh": s.zh,
            "reason": s.reason_required,
            "via": s.via,
            "roles": list(s.roles),
            "fields": [f | {"label": translate(f["label"], lang)} for f in STEP_FIELDS.get(s.action, [])],
        }
        for s in procedure.STEPS
    }


def _case_page(request: Request, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    lang = lang_of(request)

    def tr(table: dict[str, str]) -> dict[str, str]:
        return {code: translate(key, lang) for code, key in table.items()}

    return {
        "states": [[s, procedure.STATE_ZH[s]] for s in procedure.STATES],
        "open_states": list(procedure.OPEN_STATES),
        "procedures": tr(PROCEDURE_LABELS),
        "deadline_status": tr(DEADLINE_STATUS_LABELS),
        "deadline_kinds": {kind: rule.zh for kind, rule in procedure.DEADLINES.items()},
        "origins": tr(ORIGIN_LABELS),
        "steps": _steps(lang),
        # The server's date (Asia/Shanghai) when the page was made: days left count from it.
        "today": service.today().isoformat(),
        "due_soon_days": DUE_SOON_DAYS,
    } | (extra or {})


@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, session: DB) -> Response:
    return pages._page(
        request, session, "cases.html", "cases-list", N_("Case workbench"), _case_page(request), CASE_ROLES
    )


@router.get("/cases/review", include_in_schema=False)
def review_page(request: Request, session: DB) -> Response:
    return pages._page(
        request,
        session,
        "case_review.html",
        "cases-review",
        N_("Legal review queue"),
        _case_page(request),
        REVIEW_ROLES,
    )


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(case_id: str, request: Request, session: DB) -> Response:
    if not case_id.isdigit() or len(case_id) > 18:
        return RedirectResponse("/cases", status_code=303)
    page = _case_page(request, {"case_id": int(case_id)})
    return pages._page(request, session, "case.html", "cases-list", N_("Case"), page, CASE_ROLES)
