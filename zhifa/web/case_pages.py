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

from zhifa.cases import access, procedure, service
from zhifa.core.api import DB
from zhifa.web import case_labels, pages
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
#: as JSON. ``kind``: text, textarea, date, select (``options``, labelled by ``case_labels.options``
#: under the field's name), bool, list (one item a line), file (uploaded to the evidence store; the
#: step gets its SHA-256). A dotted name (``penalty.fine_yuan``) fills an object.
STEP_FIELDS: dict[str, list[dict[str, Any]]] = {
    "investigate": [
        {
            "name": "record_kind",
            "label": N_("Record kind"),
            "kind": "select",
            "options": list(procedure.RECORD_DOCUMENTS),
        },
        # zhifa.cases.records: what each record states; a field another record kind does not read
        # is left empty. Times are ISO 8601 with their zone (2026-06-01T09:00+08:00).
        {
            "name": "started_at",
            "label": N_("Started at (e.g. 2026-06-01T09:00+08:00)"),
            "kind": "text",
            "required": True,
        },
        {"name": "ended_at", "label": N_("Ended at (e.g. 2026-06-01T09:40+08:00)"), "kind": "text", "required": True},
        {"name": "place", "label": N_("Place"), "kind": "text", "required": True},
        {"name": "officers", "label": N_("Officers (codes, at least two)"), "kind": "text", "required": True},
        {"name": "recorder", "label": N_("Recorder (officer code)"), "kind": "text", "required": True},
        {"name": "identity_shown", "label": N_("Certificates shown"), "kind": "bool"},
        {"name": "interviewee.name", "label": N_("Person inquired: name"), "kind": "text"},
        {"name": "interviewee.gender", "label": N_("Person inquired: gender (男/女)"), "kind": "text"},
        {"name": "interviewee.id_number", "label": N_("Person inquired: ID number"), "kind": "text"},
        {"name": "interviewee.address", "label": N_("Person inquired: address"), "kind": "text"},
        {"name": "interviewee.phone", "label": N_("Person inquired: phone"), "kind": "text"},
        {"name": "interviewee.relation", "label": N_("Person inquired: relation to the case"), "kind": "text"},
        {
            "name": "rights_notified",
            "label": N_("Told of the duty to answer truthfully and the right to withdrawal"),
            "kind": "bool",
        },
        {"name": "qa", "label": N_("Questions and answers (lines 问：… and 答：…)"), "kind": "textarea"},
        {"name": "subject", "label": N_("Object inspected"), "kind": "text"},
        {"name": "conditions", "label": N_("Weather and conditions"), "kind": "text"},
        {"name": "party_present", "label": N_("Party present (name and capacity)"), "kind": "text"},
        {"name": "witness", "label": N_("Witness"), "kind": "text"},
        {"name": "findings", "label": N_("Findings (one a line)"), "kind": "list"},
        {"name": "measures", "label": N_("Measures taken (one a line)"), "kind": "list"},
        {"name": "party_opinion", "label": N_("Party's opinion"), "kind": "textarea"},
        {"name": "attachments", "label": N_("Photos and drawings (SHA-256, one a line)"), "kind": "list"},
        {"name": "signed", "label": N_("Signed by the person concerned"), "kind": "bool"},
        {"name": "refusal_note", "label": N_("Refusal to sign, as noted"), "kind": "textarea"},
    ],
    "preserve_evidence": [
        {"name": "items", "label": N_("Items preserved (one a line)"), "kind": "list", "required": True},
        {"name": "kept_at", "label": N_("Kept at"), "kind": "text", "required": True},
        {"name": "approved_by", "label": N_("Approved by (leader)"), "kind": "text"},
    ],
    "decide_preservation": [
        {"name": "decision", "label": N_("Decision on the preserved items"), "kind": "textarea", "required": True}
    ],
    "seize": [{"name": "items", "label": N_("Items seized or detained (one a line)"), "kind": "list"}],
    "release_coercive": [
        {"name": "decision", "label": N_("Decision on the seized items"), "kind": "textarea", "required": True}
    ],
    "notify": [
        {"name": "penalty.fine_yuan", "label": N_("Proposed fine (yuan), unless proposed already"), "kind": "text"},
        {"name": "penalty.warning", "label": N_("Warning"), "kind": "bool"},
        {"name": "new_facts", "label": N_("New facts (for a heavier notice after a defence)"), "kind": "textarea"},
    ],
    "request_hearing": [{"name": "requested_on", "label": N_("Requested on"), "kind": "date"}],
    "notice_hearing": [
        {"name": "hearing_on", "label": N_("Hearing date"), "kind": "date", "required": True},
        {"name": "host", "label": N_("Hearing host (officer code)"), "kind": "text", "required": True},
        {"name": "place", "label": N_("Place"), "kind": "text", "required": True},
        {"name": "clerk", "label": N_("Clerk (officer code)"), "kind": "text", "required": True},
    ],
    "hold_hearing": [
        {
            "name": "started_at",
            "label": N_("Started at (e.g. 2026-06-01T09:00+08:00)"),
            "kind": "text",
            "required": True,
        },
        {"name": "ended_at", "label": N_("Ended at (e.g. 2026-06-01T09:40+08:00)"), "kind": "text", "required": True},
        {"name": "clerk", "label": N_("Clerk"), "kind": "text", "required": True},
        {"name": "members", "label": N_("Hearing members (one a line)"), "kind": "list"},
        {"name": "investigators", "label": N_("Investigators (officer codes)"), "kind": "text", "required": True},
        {"name": "attendees", "label": N_("Party and agents (one a line: 姓名（身份）)"), "kind": "textarea"},
        {
            "name": "case_statement",
            "label": N_("Investigators' facts, evidence and proposal"),
            "kind": "textarea",
            "required": True,
        },
        {"name": "party_statement", "label": N_("Party's statement and defence"), "kind": "textarea"},
        {"name": "cross_examination", "label": N_("Cross-examination"), "kind": "textarea"},
        {"name": "final_statement", "label": N_("Party's final statement"), "kind": "textarea"},
        {"name": "not_public_reason", "label": N_("Why not in public (if noticed so)"), "kind": "text"},
        {"name": "party_absent", "label": N_("The party did not attend"), "kind": "bool"},
        {"name": "absence_note", "label": N_("How the party was absent"), "kind": "textarea"},
        {"name": "signed", "label": N_("Signed by the person concerned"), "kind": "bool"},
        {"name": "refusal_note", "label": N_("Refusal to sign, as noted"), "kind": "textarea"},
    ],
    "collective_discussion": [
        {"name": "participants", "label": N_("Leaders taking part (one a line)"), "kind": "list", "required": True}
    ],
    "decide": [{"name": "penalty.fine_yuan", "label": N_("Fine (yuan), if not as notified"), "kind": "text"}],
    "no_penalty": [
        {"name": "ground", "label": N_("Ground"), "kind": "select", "options": list(service.NO_PENALTY_GROUNDS)},
        {"name": "education_record", "label": N_("Education record"), "kind": "textarea"},
        {"name": "commitment_sha256", "label": N_("Signed commitment letter (file)"), "kind": "file"},
    ],
    "refer": [
        {"name": "to", "label": N_("Referred to"), "kind": "text", "required": True},
        {"name": "kind", "label": N_("Referral"), "kind": "select", "options": list(service.REFERRAL_KINDS)},
        {
            "name": "jurisdiction",
            "label": N_("Jurisdiction (administrative referral)"),
            "kind": "select",
            "options": ["", *service.ADMINISTRATIVE_GROUNDS],
        },
        {"name": "materials", "label": N_("Materials handed over (one a line; empty: the case file)"), "kind": "list"},
    ],
    "deliver": [
        {
            "name": "method",
            "label": N_("Delivery method"),
            "kind": "select",
            "options": list(procedure.DELIVERY_METHODS),
        },
        {"name": "on", "label": N_("Delivered on"), "kind": "date"},
        {"name": "tracking_no", "label": N_("Tracking number (post)"), "kind": "text"},
        {"name": "consent_sha256", "label": N_("Signed consent to electronic delivery (file)"), "kind": "file"},
        {"name": "address", "label": N_("Electronic address"), "kind": "text"},
    ],
    "review_started": [
        {"name": "kind", "label": N_("Review or lawsuit"), "kind": "select", "options": list(service.REVIEW_KINDS)},
        {"name": "on", "label": N_("Brought on"), "kind": "date"},
    ],
    "review_ended": [
        {"name": "on", "label": N_("Ended on"), "kind": "date"},
        {"name": "result", "label": N_("Result"), "kind": "text"},
    ],
    "remind": [{"name": "delivered_on", "label": N_("Reminder delivered on"), "kind": "date"}],
    "apply_court": [{"name": "court", "label": N_("Court"), "kind": "text", "required": True}],
    "revoke": [
        {
            "name": "how",
            "label": N_("How"),
            "kind": "select",
            "options": ["revoked", "changed", "confirmed_illegal", "confirmed_void"],
        }
    ],
    "file_copy": [{"name": "note", "label": N_("Note"), "kind": "text"}],
    "close": [{"name": "summary", "label": N_("Closing summary"), "kind": "textarea", "required": True}],
}


def _steps(lang: str) -> dict[str, dict[str, Any]]:
    """Each step's label (the law's Chinese term, or its English), whether it needs a reason, its
    own route if it has one, and who may take it — no sources or targets: which steps a case
    allows comes from the API's ``allowed``."""
    labels = case_labels.steps(lang)
    return {
        s.action: {
            "label": labels[s.action],
            "reason": s.reason_required,
            "via": s.via,
            "roles": list(s.roles),
            # A step that issues a document names its officers — except the hearing, whose record
            # names its host, clerk and investigators itself (zhifa.cases.records).
            "officers": bool(s.document) and s.action != "hold_hearing",
            "fields": [f | {"label": translate(f["label"], lang)} for f in STEP_FIELDS.get(s.action, [])],
        }
        for s in procedure.STEPS
    }


def _case_page(request: Request, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    lang = lang_of(request)

    def tr(table: dict[str, str]) -> dict[str, str]:
        return {code: translate(key, lang) for code, key in table.items()}

    return {
        "states": [[s, case_labels.states(lang)[s]] for s in procedure.STATES],
        # Every state's label, "new" (before the first step) included: the timeline's "from".
        "state_labels": case_labels.states(lang),
        "open_states": list(procedure.OPEN_STATES),
        "procedures": tr(PROCEDURE_LABELS),
        "deadline_status": tr(DEADLINE_STATUS_LABELS),
        "deadline_kinds": case_labels.deadlines(lang),
        "deadline_owners": {kind: rule.owner for kind, rule in procedure.DEADLINES.items()},
        "options": case_labels.options(lang),
        "conditions": case_labels.conditions(lang),
        "origins": tr(ORIGIN_LABELS),
        "steps": _steps(lang),
        # The server's date (Asia/Shanghai) when the page was made: days left count from it.
        "today": service.today().isoformat(),
        "case_file_roles": list(procedure.STEP_BY_ACTION["file"].roles),
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
    response = pages._page(request, session, "case.html", "cases-list", N_("Case"), page, CASE_ROLES)
    user = pages._page_user(request, session) if response.status_code == 200 else None
    if user is not None and not access.visible(session, user.actor(), int(case_id)):
        # A case of another unit reads as one that does not exist (zhifa.cases.access): the page
        # answers 404 and shows the API's own 404 for it.
        response.status_code = 404
    return response
