"""The documents API: roles, issuing, the stored files served as issued, templates and schemes
administered by administrators only, every change and file read audited."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import login, make_user
from zhifa.core.audit import AuditLog
from zhifa.core.clock import FrozenClock
from zhifa.documents.kinds import KINDS
from zhifa.documents.samples import sample


@pytest.fixture()
def officer(client: Any, session: Session) -> dict[str, str]:
    make_user(session, "officer1", ("officer",), unit="ZJ-ZD")
    return login(client, "officer1")


@pytest.fixture()
def admin(client: Any, session: Session) -> dict[str, str]:
    make_user(session, "admin", ("admin",))
    return login(client, "admin")


@pytest.fixture()
def analyst(client: Any, session: Session) -> dict[str, str]:
    make_user(session, "analyst1", ("analyst",))
    return login(client, "analyst1")


def test_authentication_and_roles(client: Any, analyst: dict[str, str]) -> None:
    body = {"kind": "penalty_decision", "context": sample("penalty_decision")}
    client.cookies.clear()  # the login's session cookie
    assert client.post("/api/v1/documents", json=body).status_code == 401
    assert client.get("/api/v1/documents/kinds").status_code == 401
    r = client.post("/api/v1/documents", json=body, headers=analyst)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/documents/kinds", headers=analyst).status_code == 403


def test_kinds(client: Any, officer: dict[str, str]) -> None:
    r = client.get("/api/v1/documents/kinds", headers=officer)
    assert r.status_code == 200
    kinds = {k["code"]: k for k in r.json()}
    assert list(kinds) == list(KINDS)
    decision = kinds["penalty_decision"]
    assert decision["title"] == "行政处罚决定书" and decision["numbered"] and decision["scheme"] == "penalty"
    fields = {f["name"]: f for f in decision["fields"]}
    assert fields["discretion"]["type"] == "record" and fields["statements"]["required"] is False
    assert decision["sample"]["party"]["name"] == "镇江市通达货运有限公司"


def test_issue_read_and_download(client: Any, session: Session, officer: dict[str, str], clock: FrozenClock) -> None:
    body = {"kind": "penalty_decision", "context": sample("penalty_decision"), "case_ref": "CASE-1"}
    r = client.post("/api/v1/documents", json=body, headers=officer)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["number"] == "镇交执罚〔2026〕第0001号" and doc["case_ref"] == "CASE-1"
    assert doc["issued_by"] == "officer1" and doc["context"]["fine_yuan"] == "3000.00"

    r = client.get(f"/api/v1/documents/{doc['id']}", headers=officer)
    assert r.status_code == 200 and r.json()["pdf_sha256"] == doc["pdf_sha256"]
    for fmt, media in (("pdf", "application/pdf"), ("docx", "wordprocessingml")):
        r = client.get(f"/api/v1/documents/{doc['id']}.{fmt}", headers=officer)
        assert r.status_code == 200 and media in r.headers["content-type"]
        digest = hashlib.sha256(r.content).hexdigest()
        assert digest == doc[f"{fmt}_sha256"] == r.headers["x-content-sha256"]
        assert len(r.content) == doc[f"{fmt}_size"]
        assert "attachment" in r.headers["content-disposition"]
    reads = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document", AuditLog.action == "read")).all()
    assert [a.note.split()[0] for a in reads if a.note] == ["pdf", "docx"]

    listed = client.get("/api/v1/documents", params={"case_ref": "CASE-1"}, headers=officer).json()
    assert [d["id"] for d in listed] == [doc["id"]] and "context" not in listed[0]
    assert client.get("/api/v1/documents", params={"case_ref": "OTHER"}, headers=officer).json() == []
    assert client.get("/api/v1/documents/999999.pdf", headers=officer).status_code == 404


def test_a_bad_context_is_refused_naming_the_field(
    client: Any, session: Session, officer: dict[str, str], clock: FrozenClock
) -> None:
    ctx = sample("penalty_decision")
    del ctx["discretion"]["tier"]
    r = client.post("/api/v1/documents", json={"kind": "penalty_decision", "context": ctx}, headers=officer)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_context" and error["field"] == "discretion.tier"
    assert error["problems"] == [
        {"field": "discretion.tier", "reason": "required: 裁量阶次", "reason_zh": "缺少裁量阶次"}
    ]
    r = client.post("/api/v1/documents", json={"kind": "warrant", "context": {}}, headers=officer)
    assert r.status_code == 404
    schemes = {s["code"]: s for s in client.get("/api/v1/documents/schemes", headers=officer).json()}
    assert schemes["penalty"]["last_seq"] == 0


def test_preview_takes_no_number(client: Any, officer: dict[str, str], clock: FrozenClock) -> None:
    r = client.post(
        "/api/v1/documents/preview",
        json={"kind": "penalty_decision", "context": sample("penalty_decision")},
        headers=officer,
    )
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["x-template-version"] == "1"
    schemes = {s["code"]: s for s in client.get("/api/v1/documents/schemes", headers=officer).json()}
    assert schemes["penalty"]["last_seq"] == 0
    assert client.get("/api/v1/documents", headers=officer).json() == []


def test_template_editing(
    client: Any, session: Session, admin: dict[str, str], officer: dict[str, str], clock: FrozenClock
) -> None:
    listed = {t["kind"]: t for t in client.get("/api/v1/documents/templates", headers=officer).json()}
    assert len(listed) == len(KINDS) and listed["closing_report"]["version"] == 1
    current = client.get("/api/v1/documents/templates/closing_report", headers=officer).json()
    source = current["source"].replace("</table>", "</table>\n<p>归档：{{ case_number }}</p>", 1)

    r = client.put("/api/v1/documents/templates/closing_report", json={"source": source}, headers=officer)
    assert r.status_code == 403
    bad = source.replace("{{ case_number }}", "{{ case_number.__class__.__mro__ }}")
    r = client.put("/api/v1/documents/templates/closing_report", json={"source": bad}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_template"
    r = client.put("/api/v1/documents/templates/closing_report", json={"source": "{% if %}"}, headers=admin)
    assert r.status_code == 422 and "syntax error" in r.json()["error"]["message"]

    r = client.put(
        "/api/v1/documents/templates/closing_report", json={"source": source, "note": "加归档行"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.put("/api/v1/documents/templates/closing_report", json={"source": source}, headers=admin)
    assert r.status_code == 409  # unchanged
    got = client.get("/api/v1/documents/templates/closing_report", headers=officer).json()
    assert got["version"] == 2 and [h["version"] for h in got["history"]] == [2, 1] and got["note"] == "加归档行"
    assert (
        client.get("/api/v1/documents/templates/closing_report?version=1", headers=officer).json()["source"]
        == (current["source"])
    )
    audits = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document_template")).all()
    assert [(a.actor, a.action, a.entity_id) for a in audits] == [("admin", "update", "closing_report")]

    r = client.post(
        "/api/v1/documents", json={"kind": "closing_report", "context": sample("closing_report")}, headers=officer
    )
    assert r.status_code == 201 and r.json()["template_version"] == 2


def test_scheme_editing(client: Any, session: Session, admin: dict[str, str], officer: dict[str, str]) -> None:
    r = client.put("/api/v1/documents/schemes/penalty", json={"pattern": "罚〔{year}〕{seq}号"}, headers=officer)
    assert r.status_code == 403
    r = client.put("/api/v1/documents/schemes/penalty", json={"pattern": "罚{seq}号"}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["field"] == "pattern"
    r = client.put("/api/v1/documents/schemes/penalty", json={"pattern": "镇交罚〔{year}〕{seq:03d}号"}, headers=admin)
    assert r.status_code == 200 and r.json()["pattern"] == "镇交罚〔{year}〕{seq:03d}号"
    assert (
        client.put("/api/v1/documents/schemes/nope", json={"pattern": "X{year}{seq}"}, headers=admin).status_code == 404
    )
    audits = session.scalars(select(AuditLog).where(AuditLog.entity_type == "document_scheme")).all()
    assert [(a.actor, a.entity_id, a.after["pattern"]) for a in audits] == [
        ("admin", "penalty", "镇交罚〔{year}〕{seq:03d}号")
    ]
