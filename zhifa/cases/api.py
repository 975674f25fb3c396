"""Case routes (thin: parse, call the service, return). docs/cases.md lists every route with its
parameters; the step parameters are those of ``zhifa.cases.service`` handlers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Body, File, UploadFile

from zhifa.cases import procedure, service
from zhifa.core.api import DB, CurrentActor
from zhifa.core.auth import require
from zhifa.core.errors import InvalidField

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
    return service.list_deadlines(session, status or None, kind)


@router.get("/cases/supervision")
def supervision(session: DB, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "leader", "legal_reviewer", "duty_officer", "analyst")
    return service.supervision(session)


@router.get("/cases/figures")
def figures(session: DB, actor: CurrentActor, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    require(actor, "analyst", "leader", "legal_reviewer", "duty_officer")
    end = until or service.today() + timedelta(days=1)
    return service.figures(session, since or end - timedelta(days=30), end)


@router.post("/cases/evidence/check")
def check_all_evidence(session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.integrity_check(session, actor)


@router.post("/cases/payments/bank-statement")
def bank_statement(session: DB, actor: CurrentActor, file: UploadFile = File(...)) -> dict[str, Any]:
    """All-or-nothing import of a bank statement (CSV, docs/cases.md)."""
    return service.import_bank_csv(session, actor, file.filename or "statement.csv", file.file.read())


# ---------------------------------------------------------------------------------- cases


@router.post("/cases", status_code=201)
def file_case(session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """立案 (general procedure); ``lead_id``, ``offsite_case_id`` or ``task_id`` carry evidence over."""
    case = service.file_case(session, actor, data, issue_documents=bool(data.get("documents", True)))
    return _case_out(session, case, actor)


@router.post("/cases/on-the-spot", status_code=201)
def on_the_spot(session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """简易程序: decided and handed over on the spot."""
    case = service.on_the_spot(session, actor, data, issue_documents=bool(data.get("documents", True)))
    return _case_out(session, case, actor)


@router.get("/cases")
def list_cases(
    session: DB, actor: CurrentActor, state: str | None = None, due_before: date | None = None
) -> list[dict[str, Any]]:
    return service.list_cases(session, actor, state, due_before)


@router.get("/cases/{case_id}")
def get_case(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return _case_out(session, service.get_case(session, case_id), actor)


@router.post("/cases/{case_id}/transitions")
def transition(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """One step: ``{"action": "notify", …parameters}`` (409 when the state does not allow it)."""
    action = data.get("action")
    if not isinstance(action, str):
        raise InvalidField("action", "the step to take", "请指定办案环节")
    params = {k: v for k, v in data.items() if k not in ("action", "documents")}
    case = service.take_step(session, actor, case_id, action, params, issue_documents=bool(data.get("documents", True)))
    return _case_out(session, case, actor)


@router.post("/cases/{case_id}/statements", status_code=201)
def statement(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.add_statement(session, actor, case_id, data)


@router.post("/cases/{case_id}/statements/{statement_id}/answer")
def answer(
    case_id: int, statement_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON
) -> dict[str, Any]:
    return service.answer_statement(session, actor, case_id, statement_id, data)


@router.get("/cases/{case_id}/evidence")
def evidence(case_id: int, session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.list_evidence(session, case_id)


@router.post("/cases/{case_id}/evidence", status_code=201)
def add_evidence(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    """Link a file already in the evidence store (``POST /api/v1/evidence`` → its SHA-256)."""
    return service.add_evidence(session, actor, case_id, data)


@router.post("/cases/{case_id}/evidence/check")
def check_evidence(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.integrity_check(session, actor, case_id)


@router.post("/cases/{case_id}/discretion")
def discretion(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.propose(session, actor, case_id, data)


@router.post("/cases/{case_id}/exemptions/check")
def exemption_check(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    facts = data.get("facts", {})
    if not isinstance(facts, dict):
        raise InvalidField("facts", "an object of condition → true/false", "事实格式不正确")
    return service.check_exemptions(session, actor, case_id, facts)


@router.post("/cases/{case_id}/payments", status_code=201)
def payment(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.record_payment(
        session,
        actor,
        case_id,
        data.get("amount_yuan"),
        data.get("paid_on"),
        str(data.get("reference") or ""),
        "manual",
        data.get("payer"),
    )


@router.post("/cases/{case_id}/publication", status_code=201)
def publish(case_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.publish(session, actor, case_id)


@router.post("/cases/{case_id}/publication/withdraw")
def withdraw(case_id: int, session: DB, actor: CurrentActor, data: dict[str, Any] = JSON) -> dict[str, Any]:
    return service.withdraw(session, actor, case_id, str(data.get("reason") or ""))


# ---------------------------------------------------------------------------------- public


@public_router.get("/decisions/{decision_no}")
def public_decision(decision_no: str, session: DB) -> dict[str, Any]:
    """The public look-up of a published decision by its number (no login; personal data redacted)."""
    return service.public_lookup(session, decision_no)
