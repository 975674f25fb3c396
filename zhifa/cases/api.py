"""Case routes (thin: parse, call the service, return). docs/cases.md lists every route with its
parameters; the step parameters are those of ``zhifa.cases.service`` handlers.

Every route of one case first asks :mod:`zhifa.cases.access` (404 for a case outside the actor's
units, as for one that does not exist) and hands the service the actor it returns; every list is
limited to the actor's units there too."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Body, File, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from zhifa.cases import access, procedure, service
from zhifa.cases.models import CaseEvidence
from zhifa.core import audit
from zhifa.core.api import DB, CurrentActor
from zhifa.core.auth import require
from zhifa.core.errors import InvalidField, NotFound
from zhifa.documents import service as documents
from zhifa.sensing import service as sensing

router = APIRouter(prefix="/api/v1", tags=["cases"])
public_router = APIRouter(prefix="/api/v1/public", tags=["cases"])

JSON = Body(default_factory=dict)


def _case_out(session: Any, case: Any, actor: Any) -> dict[str, Any]:
    return service.case_dict(session, case, actor, full=True)


# ------------------------------------------------------------------------------ reference


@router.get("/cases/procedure")
def procedure_table(actor: CurrentActor) -> dict[str, Any]:
    """The states, the one step table and the legal deadlines with their basis."""
    return {
        "states": [
            {"state": s, "zh": procedure.STATE_ZH[s], "final": s in procedure.FINAL_STATES} for s in procedure.STATES
        ],
        "steps": [
            {
                "action": s.action,
                "zh": s.zh,
                "from": list(s.sources),
                "to": s.target,
                "roles": list(s.roles),
                "procedures": list(s.procedures),
                "document": s.document,
                "opens": list(s.opens),
                "meets": list(s.meets),
                "voids": list(s.voids),
                "reason_required": s.reason_required,
                "via": s.via,
            }
            for s in procedure.STEPS
        ],
        "deadlines": [
            {"kind": r.kind, "zh": r.zh, "owner": r.owner, "count": r.count, "days": r.days, "basis": r.basis}
            for r in procedure.DEADLINES.values()
        ],
    }


@router.get("/cases/settings")
def get_settings(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.settings_rows(session)


@router.patch("/cases/settings")
def patch_settings(session: DB, actor: CurrentActor, changes: dict[str, Any] = JSON) -> list[dict[str, Any]]:
    return service.update_settings(session, actor, changes)


@router.get("/cases/exemptions")
def exemption_items(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.list_exemption_items(session)


@router.put("/cases/exemptions/{code}")
def put_exemption(code: str, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.put_exemption_item(session, actor, code, data)


@router.get("/cases/deadlines")
def deadlines(
    session: DB, actor: CurrentActor, status: str | None = "open", kind: str | None = None
) -> list[dict[str, Any]]:
    require(actor, "leader", "duty_officer", "legal_reviewer", "analyst", "officer")
    return service.list_deadlines(session, status or None, kind, access.scope(session, actor).unit_filter)


@router.get("/cases/supervision")
def supervision(session: DB, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "leader", "legal_reviewer", "duty_officer", "analyst")
    return service.supervision(session, access.scope(session, actor).unit_filter)


@router.get("/cases/figures")
def figures(
    session: DB, actor: CurrentActor, since: date | None = None, until: date | None = None, unit: str | None = None
) -> dict[str, Any]:
    """Per period; a leader's figures are those of their units, ``unit`` narrows to one unit (and
    the units below it)."""
    require(actor, "analyst", "leader", "legal_reviewer", "duty_officer")
    end = until or service.today() + timedelta(days=1)
    units = access.list_units(session, access.scope(session, actor), unit)
    return service.figures(session, since or end - timedelta(days=30), end, units)


@router.post("/cases/evidence/check")
def check_all_evidence(session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.integrity_check(session, actor, units=access.scope(session, actor).unit_filter)


@router.post("/cases/payments/bank-statement")
def bank_statement(session: DB, actor: CurrentActor, file: UploadFile = File(...)) -> dict[str, Any]:
    """All-or-nothing import of a bank statement (CSV, docs/cases.md)."""
    units = access.scope(session, actor).unit_filter
    return service.import_bank_csv(session, actor, file.filename or "statement.csv", file.file.read(), units)


# ---------------------------------------------------------------------------------- cases


@router.post("/cases", status_code=201)
def file_case(session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """立案 (general procedure); ``lead_id``, ``offsite_case_id`` or ``task_id`` carry evidence over."""
    access.check_filing(session, actor, data)
    case = service.file_case(session, actor, data, issue_documents=bool(data.get("documents", True)))
    return _case_out(session, case, actor)


@router.post("/cases/on-the-spot", status_code=201)
def on_the_spot(session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """简易程序: decided and handed over on the spot."""
    access.check_filing(session, actor, data)
    case = service.on_the_spot(session, actor, data, issue_documents=bool(data.get("documents", True)))
    return _case_out(session, case, actor)


@router.get("/cases")
def list_cases(
    session: DB, actor: CurrentActor, state: str | None = None, due_before: date | None = None
) -> list[dict[str, Any]]:
    return service.list_cases(session, actor, state, due_before)


@router.get("/cases/{case_id}")
def get_case(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    case, as_actor = access.case_for(session, actor, case_id)
    return _case_out(session, case, as_actor)


@router.post("/cases/{case_id}/transitions")
def transition(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """One step: ``{"action": "notify", …parameters}`` (409 when the state does not allow it)."""
    action = data.get("action")
    if not isinstance(action, str):
        raise InvalidField("action", "the step to take", "请指定办案环节")
    as_actor = access.actor_for_case(session, actor, case_id)
    params = {k: v for k, v in data.items() if k not in ("action", "documents")}
    docs = bool(data.get("documents", True))
    case = service.take_step(session, as_actor, case_id, action, params, issue_documents=docs)
    return _case_out(session, case, as_actor)


@router.post("/cases/{case_id}/statements", status_code=201)
def statement(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.add_statement(session, access.actor_for_case(session, actor, case_id), case_id, data)


@router.post("/cases/{case_id}/statements/{statement_id}/answer")
def answer(
    case_id: int, statement_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON
) -> dict[str, Any]:
    as_actor = access.actor_for_case(session, actor, case_id)
    return service.answer_statement(session, as_actor, case_id, statement_id, data)


@router.get("/cases/{case_id}/evidence")
def evidence(case_id: int, session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    access.case_for(session, actor, case_id)
    return service.list_evidence(session, case_id)


@router.get("/cases/{case_id}/evidence/{evidence_id}/file")
def evidence_file(case_id: int, evidence_id: int, session: DB, actor: CurrentActor) -> Response:
    """The stored file of one piece of the case's evidence (the read is audited: evidence may
    show persons, plates and places)."""
    case, as_actor = access.case_for(session, actor, case_id)
    row = session.scalar(select(CaseEvidence).where(CaseEvidence.id == evidence_id, CaseEvidence.case_id == case.id))
    if row is None:
        raise NotFound(f"no evidence {evidence_id} in case {case_id}", "证据不存在")
    blob, content_type = sensing.read_evidence(session, row.sha256)
    audit.record(session, as_actor, "read", "case", case.id, note=f"evidence {row.id} {row.sha256}")
    return Response(
        blob, media_type=content_type, headers={"Cache-Control": "private, no-store", "X-Content-SHA256": row.sha256}
    )


@router.post("/cases/{case_id}/evidence", status_code=201)
def add_evidence(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """Link a file already in the evidence store (``POST /api/v1/evidence`` → its SHA-256)."""
    return service.add_evidence(session, access.actor_for_case(session, actor, case_id), case_id, data)


@router.post("/cases/{case_id}/evidence/check")
def check_evidence(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.integrity_check(session, access.actor_for_case(session, actor, case_id), case_id)


@router.post("/cases/{case_id}/discretion")
def discretion(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.propose(session, access.actor_for_case(session, actor, case_id), case_id, data)


@router.post("/cases/{case_id}/exemptions/check")
def exemption_check(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    as_actor = access.actor_for_case(session, actor, case_id)
    facts = data.get("facts", {})
    if not isinstance(facts, dict):
        raise InvalidField("facts", "an object of condition → true/false", "事实格式不正确")
    return service.check_exemptions(session, as_actor, case_id, facts)


@router.post("/cases/{case_id}/payments", status_code=201)
def payment(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.record_payment(
        session,
        access.actor_for_case(session, actor, case_id),
        case_id,
        data.get("amount_yuan"),
        data.get("paid_on"),
        str(data.get("reference") or ""),
        "manual",
        data.get("payer"),
    )


@router.post("/cases/{case_id}/publication", status_code=201)
def publish(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.publish(session, access.actor_for_case(session, actor, case_id), case_id)


@router.post("/cases/{case_id}/publication/withdraw")
def withdraw(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    as_actor = access.actor_for_case(session, actor, case_id)
    return service.withdraw(session, as_actor, case_id, str(data.get("reason") or ""))


# ------------------------------------------------------------------------ case documents
#
# The documents a case's steps issued (``case_ref`` = the case number), through the case: the
# case's access decides, the documents domain reads and audits.

DOCUMENT_MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _case_document(session: Any, actor: Any, case_id: int, doc_id: int) -> tuple[Any, Any]:
    case, as_actor = access.case_for(session, actor, case_id)
    row = documents.get_document(session, as_actor, doc_id)
    if not case.case_no or row.case_ref != case.case_no:
        raise NotFound(f"no document {doc_id} in case {case_id}", "该案件没有这份文书")
    return row, as_actor


@router.get("/cases/{case_id}/documents")
def case_documents(case_id: int, session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """The documents issued for the case, newest first."""
    case, as_actor = access.case_for(session, actor, case_id)
    if not case.case_no:
        return []
    return documents.list_documents(session, as_actor, case.case_no, None, 1000)


def _case_file(session: Any, actor: Any, case_id: int, doc_id: int, fmt: str) -> Response:
    row, as_actor = _case_document(session, actor, case_id, doc_id)
    _, data = documents.file_of(session, as_actor, row.id, fmt)
    digest = row.pdf_sha256 if fmt == "pdf" else row.docx_sha256
    return Response(
        data,
        media_type=DOCUMENT_MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="document-{row.id}.{fmt}"',
            "X-Content-SHA256": digest,
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/cases/{case_id}/documents/{doc_id}.pdf")
def case_document_pdf(case_id: int, doc_id: int, session: DB, actor: CurrentActor) -> Response:
    """The stored PDF of one document of the case (the read is audited)."""
    return _case_file(session, actor, case_id, doc_id, "pdf")


@router.get("/cases/{case_id}/documents/{doc_id}.docx")
def case_document_docx(case_id: int, doc_id: int, session: DB, actor: CurrentActor) -> Response:
    """The stored DOCX of one document of the case (the read is audited)."""
    return _case_file(session, actor, case_id, doc_id, "docx")


# After the .pdf and .docx routes, which would otherwise be read as this one with a bad id.
@router.get("/cases/{case_id}/documents/{doc_id}")
def case_document(case_id: int, doc_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """One document of the case: metadata and context."""
    return documents.document_dict(_case_document(session, actor, case_id, doc_id)[0])


# ---------------------------------------------------------------------------------- public


@public_router.get("/decisions/{decision_no}")
def public_decision(decision_no: str, session: DB) -> dict[str, Any]:
    """The public look-up of a published decision by its number (no login; personal data redacted)."""
    return service.public_lookup(session, decision_no)
