"""Unit-scoped case access (``zhifa.cases.access``, docs/cases.md "Access"), as a table: every
role × a case of its own unit / of another unit × every route of one case; then the lists, the
filing unit, a user holding a unit role and a wide role, and the web page.

Units (tests/data/units.csv): ZJ the detachment; RD1, RD2, BA brigades; BA-1 a squadron of BA.
The case ``RD1`` is RD1's, ``BA1`` is BA-1's (a sub-unit of BA)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tests.cases.conftest import INQUIRY, PERSON_ID, CaseWorld
from tests.helpers import login, make_user
from zhifa.cases import access
from zhifa.cases.models import Case, CaseAlert, CaseStep
from zhifa.core.audit import Actor, AuditLog
from zhifa.core.clock import utcnow
from zhifa.documents import storage
from zhifa.documents.models import DocumentIssued, DocumentTemplate

#: Extra users: a leader of brigade BA, an officer of its squadron BA-1, and a leader of RD2 who is
#: also a legal reviewer (the wide role reaches every unit; the unit role only RD2).
EXTRA_USERS = {
    "leaderBA": (("leader",), "BA"),
    "oBA1": (("officer",), "BA-1"),
    "mixed": (("leader", "legal_reviewer"), "RD2"),
}

#: Every route of one case. ``{cid}`` the case, ``{sid}`` a statement, ``{eid}`` an evidence
#: link, ``{did}`` a document of the case.
READS = [
    ("GET", "/api/v1/cases/{cid}", None),
    ("GET", "/api/v1/cases/{cid}/evidence", None),
    ("GET", "/api/v1/cases/{cid}/evidence/{eid}/file", None),
    ("GET", "/api/v1/cases/{cid}/documents", None),
    ("GET", "/api/v1/cases/{cid}/documents/{did}", None),
    ("GET", "/api/v1/cases/{cid}/documents/{did}.pdf", None),
    ("GET", "/api/v1/cases/{cid}/documents/{did}.docx", None),
]
WRITES = [
    ("POST", "/api/v1/cases/{cid}/transitions", {"action": "investigate", **INQUIRY, "documents": False}),
    ("POST", "/api/v1/cases/{cid}/transitions", {"action": "pass_review", "documents": False}),
    ("POST", "/api/v1/cases/{cid}/statements", {"kind": "statement", "content": "补充陈述"}),
    ("POST", "/api/v1/cases/{cid}/statements/{sid}/answer", {"accepted": False, "answer": "不予采纳"}),
    ("POST", "/api/v1/cases/{cid}/evidence", {"sha256": "{sha}", "kind": "photo"}),
    ("POST", "/api/v1/cases/{cid}/evidence/check", None),
    ("POST", "/api/v1/cases/{cid}/discretion", {"tier": 2, "circumstance": "ordinary"}),
    ("POST", "/api/v1/cases/{cid}/exemptions/check", {"facts": {"minor": True}}),
    ("POST", "/api/v1/cases/{cid}/payments", {"amount_yuan": "1", "reference": "ACC-1"}),
    ("POST", "/api/v1/cases/{cid}/publication", None),
    ("POST", "/api/v1/cases/{cid}/publication/withdraw", {"reason": "测试"}),
]
DOCUMENT_READERS = frozenset({"officer", "leader", "legal_reviewer", "admin"})

#: user → (roles, whether RD1's case is in scope, whether BA-1's case is in scope)
TABLE: dict[str, tuple[frozenset[str], bool, bool]] = {
    "O1": (frozenset({"officer"}), True, False),  # RD1's officer
    "leader1": (frozenset({"leader"}), True, False),
    "O5": (frozenset({"officer"}), False, False),  # RD2
    "leader2": (frozenset({"leader"}), False, False),
    "leaderBA": (frozenset({"leader"}), False, True),  # BA-1 is below BA
    "oBA1": (frozenset({"officer"}), False, True),
    "mixed": (frozenset({"leader", "legal_reviewer"}), True, True),  # through legal_reviewer
    "duty": (frozenset({"duty_officer"}), True, True),
    "analyst": (frozenset({"analyst"}), True, True),
    "legal1": (frozenset({"legal_reviewer"}), True, True),
    "admin": (frozenset({"admin"}), True, True),
}


def _setup(w: CaseWorld) -> dict[str, dict[str, Any]]:
    for name, (roles, unit) in EXTRA_USERS.items():
        make_user(w.session, name, roles, unit)
    w.session.flush()
    sha = _upload(w, "O1", b"photo-of-the-scene")
    other_sha = _upload(w, "O1", b"another-photo")
    out = {}
    for key, user, unit in (("RD1", "O1", "RD1"), ("BA1", "oBA1", "BA-1")):
        c = w.file(user, unit_code=unit, party={"kind": "person", "name": "张三丰", "id_no": PERSON_ID})
        cid = c["id"]
        ev = w.post(f"/api/v1/cases/{cid}/evidence", user, {"sha256": sha, "kind": "photo"}, 201).json()
        w.post(f"/api/v1/cases/{cid}/discretion", user, {"tier": 2, "circumstance": "ordinary"}, 200)
        w.step(cid, "notify", user)
        st = w.post(f"/api/v1/cases/{cid}/statements", user, {"kind": "defence", "content": "请求从轻"}, 201).json()
        did = _document(w, c["case_no"])
        out[key] = {"cid": cid, "sid": st["id"], "eid": ev["id"], "did": did, "sha": other_sha}
    return out


def _upload(w: CaseWorld, user: str, blob: bytes) -> str:
    r = w.client.post("/api/v1/evidence", files={"file": ("a.jpg", blob, "image/jpeg")}, headers=w.h(user))
    assert r.status_code == 200, r.text
    return str(r.json()["sha256"])


def _document(w: CaseWorld, case_no: str) -> int:
    """A document of the case as the documents domain stores it (the procedure tests' issuer only
    records; the files here are stand-ins)."""
    template = w.session.scalar(select(DocumentTemplate).where(DocumentTemplate.kind == "filing_register"))
    assert template is not None
    pdf, docx = b"%PDF-1.7 stand-in " + case_no.encode(), b"PK stand-in " + case_no.encode()
    row = DocumentIssued(
        kind="filing_register",
        title="立案登记表",
        case_ref=case_no,
        context={"case_no": case_no},
        template_id=template.id,
        template_version=template.version,
        pdf_sha256=storage.put(pdf),
        pdf_size=len(pdf),
        docx_sha256=storage.put(docx),
        docx_size=len(docx),
        issued_by="O1",
        issued_at=utcnow(),
    )
    w.session.add(row)
    w.session.flush()
    return int(row.id)


def _call(w: CaseWorld, user: str, method: str, path: str, body: Any, ids: dict[str, Any]) -> Any:
    url = path.format(**ids)
    if isinstance(body, dict):
        body = {k: (v.format(**ids) if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
    return w.client.request(method, url, json=body if method == "POST" else None, headers=w.h(user))


def _traces(w: CaseWorld, user: str, cid: int) -> tuple[int, int]:
    steps = w.session.scalar(select(func.count()).select_from(CaseStep).where(CaseStep.case_id == cid))
    audits = w.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.actor == user, AuditLog.entity_type == "case", AuditLog.entity_id == str(cid))
    )
    return int(steps or 0), int(audits or 0)


def test_every_case_route_answers_404_outside_the_unit_and_serves_inside(cw: CaseWorld) -> None:
    w = cw
    cases = _setup(w)
    nowhere = w.client.get("/api/v1/cases/999999", headers=w.h("admin")).json()["error"]
    wrong: list[str] = []
    for user, (roles, sees_rd1, sees_ba1) in TABLE.items():
        for key, in_scope in (("RD1", sees_rd1), ("BA1", sees_ba1)):
            ids = cases[key]
            for method, path, body in READS + WRITES:
                before = _traces(w, user, ids["cid"])
                r = _call(w, user, method, path, body, ids)
                where = f"{user} {method} {path} on {key}: {r.status_code} {r.text[:160]}"
                if not in_scope:
                    # The same answer as for a case that does not exist, and nothing written.
                    err = r.json().get("error", {}) if r.status_code == 404 else {}
                    if r.status_code != 404 or err.get("message_zh") != nowhere["message_zh"]:
                        wrong.append(where)
                    elif err.get("message") != f"no case {ids['cid']}":
                        wrong.append(where + " (not the no-such-case answer)")
                    if _traces(w, user, ids["cid"]) != before:
                        wrong.append(where + " (wrote something)")
                elif (method, path, body) in READS:
                    reads_documents = "/documents" in path
                    expected = 200 if not reads_documents or roles & DOCUMENT_READERS else 403
                    if r.status_code != expected:
                        wrong.append(where + f" (expected {expected})")
                elif r.status_code == 404:
                    wrong.append(where + " (in scope)")
    assert wrong == []


def test_the_documents_api_scopes_a_cases_documents_as_the_case(cw: CaseWorld) -> None:
    """``/api/v1/documents/…`` (below the cases) asks the cases' guard: a document issued for a
    case the user does not see answers as missing, and lists leave it out."""
    w = cw
    cases = _setup(w)
    wrong = []
    for user, (roles, sees_rd1, sees_ba1) in TABLE.items():
        for key, in_scope in (("RD1", sees_rd1), ("BA1", sees_ba1)):
            did = cases[key]["did"]
            issuer = bool(roles & DOCUMENT_READERS)
            expected = (200 if in_scope else 404) if issuer else 403
            for path in (f"/api/v1/documents/{did}", f"/api/v1/documents/{did}.pdf"):
                r = w.client.get(path, headers=w.h(user))
                if r.status_code != expected:
                    wrong.append(f"{user} {path} on {key}: {r.status_code}, expected {expected}")
            if issuer:
                listed = {d["id"] for d in w.client.get("/api/v1/documents", headers=w.h(user)).json()}
                if (did in listed) != in_scope:
                    wrong.append(f"{user} list on {key}: listed={did in listed}")
    assert wrong == []


def test_a_wide_role_acts_through_its_own_role_only_on_another_units_case(cw: CaseWorld) -> None:
    """``mixed`` leads RD2 and reviews for the detachment: on RD1's case the review steps are hers
    (legal reviewers act on every unit), a leader's step is not; on RD2's own case she is its
    leader."""
    w = cw
    cases = _setup(w)
    cid = cases["RD1"]["cid"]
    w.post(f"/api/v1/cases/{cid}/statements/{cases['RD1']['sid']}/answer", "O1", {"accepted": False, "answer": "否"})
    w.at("2026-06-05T09:00:00")
    w.step(cid, "submit_review", "O1")
    # The reviewer's step:
    assert w.step(cid, "pass_review", "mixed", reason="事实清楚，证据确凿")["state"] == "reviewed"
    r = w.step(cid, "decide", "mixed", status=403)  # a leader's step, on another unit's case
    assert r["error"]["code"] == "forbidden"
    assert w.step(cid, "decide", "leader1")["state"] == "decided"
    # A leader of RD2 who is also an analyst: a leader sees the party's personal data of the cases
    # of their units; on RD1's case only the analyst's (masked) view is left.
    make_user(w.session, "leadan", ("leader", "analyst"), "RD2")
    w.session.flush()
    name = {
        u: w.client.get(f"/api/v1/cases/{cid}", headers=w.h(u)).json()["party"]["name"] for u in ("leadan", "leader1")
    }
    assert name == {"leadan": "张**", "leader1": "张三丰"}
    own = w.file("O5", unit_code="RD2", party={"kind": "person", "name": "张三丰", "id_no": PERSON_ID})
    assert w.client.get(f"/api/v1/cases/{own['id']}", headers=w.h("leadan")).json()["party"]["name"] == "张三丰"
    listed = {c["id"]: c["party"]["name"] for c in w.client.get("/api/v1/cases", headers=w.h("leadan")).json()}
    assert listed[cid] == "张**" and listed[own["id"]] == "张三丰"


def test_lists_keep_to_the_units(cw: CaseWorld) -> None:
    w = cw
    cases = _setup(w)
    rd1, ba1 = cases["RD1"]["cid"], cases["BA1"]["cid"]
    rd2 = w.file("O5", unit_code="RD2")["id"]
    ours = {rd1, ba1, rd2}
    # Each scanner alert of the three cases, as the supervision list shows them.
    for cid in ours:
        w.session.add(CaseAlert(key=f"test:{cid}", case_id=cid, kind="warn", message="测试", at=utcnow()))
    w.session.flush()
    expected = {
        "O1": {rd1},
        "leader1": {rd1},
        "O5": {rd2},
        "leaderBA": {ba1},
        "oBA1": {ba1},
        "mixed": ours,
        "duty": ours,
        "analyst": ours,
        "legal1": ours,
        "admin": ours,
    }
    wrong = []
    for user, want in expected.items():
        listed = {c["id"] for c in w.client.get("/api/v1/cases", headers=w.h(user)).json()} & ours
        deadlines = {d["case_id"] for d in w.client.get("/api/v1/cases/deadlines", headers=w.h(user)).json()} & ours
        got = [("cases", listed), ("deadlines", deadlines)]
        if user not in ("O1", "O5", "oBA1"):  # officers do not read the supervision list
            sup = w.client.get("/api/v1/cases/supervision", headers=w.h(user)).json()
            got.append(("supervision", {a["case_id"] for a in sup["alerts"]} & ours))
        wrong += [f"{user} {what}: {sorted(ids)} != {sorted(want)}" for what, ids in got if ids != want]
    assert wrong == []


def test_figures_and_integrity_checks_keep_to_the_units(cw: CaseWorld) -> None:
    w = cw
    _setup(w)
    w.file("O5", unit_code="RD2")
    figures = {u: w.client.get("/api/v1/cases/figures", headers=w.h(u)).json() for u in ("leader1", "leaderBA", "duty")}
    assert [figures[u]["filed_cases"] for u in ("leader1", "leaderBA", "duty")] == [1, 1, 3]
    one = w.client.get("/api/v1/cases/figures?unit=RD2", headers=w.h("analyst")).json()
    assert one["filed_cases"] == 1
    none = w.client.get("/api/v1/cases/figures?unit=RD2", headers=w.h("leader1")).json()
    assert none["filed_cases"] == 0  # another unit's figures are not the leader's to narrow to
    checked = {u: w.post("/api/v1/cases/evidence/check", u, None, 200).json()["checked"] for u in ("leader1", "legal1")}
    assert checked == {"leader1": 1, "legal1": 2}


def test_a_bank_statement_matches_only_the_units_decisions(cw: CaseWorld) -> None:
    w = cw
    body = {
        "unit_code": "RD1",
        "title": "未随车携带道路运输证",
        "facts": "当场查获",
        "item_code": "YS-001",
        "party": {"kind": "person", "name": "李四", "id_no": "320102198001010011"},
        "penalty": {"fine_yuan": "100"},
    }
    c = w.post("/api/v1/cases/on-the-spot", "O1", body, 201).json()
    csv = f"reference,paid_on,amount_yuan,decision_no,payer\nB1,2026-06-01,100,{c['decision_no']},李四\n".encode()
    r = w.client.post(
        "/api/v1/cases/payments/bank-statement", files={"file": ("s.csv", csv, "text/csv")}, headers=w.h("O5")
    )
    assert r.status_code == 422 and "no decision numbered" in r.text  # as if the number were unknown
    r = w.client.post(
        "/api/v1/cases/payments/bank-statement", files={"file": ("s.csv", csv, "text/csv")}, headers=w.h("O1")
    )
    assert r.status_code == 200 and r.json()["recorded"] == 1, r.text
    assert w.session.get(Case, c["id"]).paid_yuan == Decimal(100)  # type: ignore[union-attr]


def test_cases_are_filed_for_the_actors_units(cw: CaseWorld) -> None:
    w = cw
    for name, (roles, unit_code) in EXTRA_USERS.items():
        make_user(w.session, name, roles, unit_code)
    w.session.flush()
    table = [
        ("O1", "RD1", 201),
        ("O1", "RD2", 403),
        ("leaderBA", "BA-1", 201),  # a brigade files for its squadron
        ("oBA1", "BA", 403),  # not for the unit above
        ("admin", "RD2", 201),
    ]
    got = []
    for user, unit, _ in table:
        body = {
            "unit_code": unit,
            "title": "测试",
            "facts": "测试事实",
            "party": {"id_no": PERSON_ID},
            "documents": False,
        }
        r = w.post("/api/v1/cases", user, body)
        field = r.json()["error"].get("field") if r.status_code >= 400 else None
        got.append((user, unit, r.status_code))
        assert field in (None, "unit_code")
    assert got == table
    # From a lead of another unit: as if there were no such lead (the dispatch domain scopes leads
    # and tasks by unit too); from one of the unit's own: filed.
    lead = w.lead(unit="RD1", subject="苏L12345/yellow")
    body = {"unit_code": "RD2", "title": "测试", "facts": "测试事实", "lead_id": lead.id, "documents": False}
    r = w.post("/api/v1/cases", "O5", body, 404).json()["error"]
    assert (r["message"], r["message_zh"]) == (f"no lead {lead.id}", "线索不存在")
    assert w.post("/api/v1/cases", "O1", body | {"unit_code": "RD1"}, 201).json()["lead_id"] == lead.id


def test_the_case_page_answers_404_for_another_units_case(cw: CaseWorld) -> None:
    w = cw
    cid = w.file()["id"]
    answers = {}
    for user in ("O1", "O5", "duty"):
        login(w.client, user)  # the session cookie of this user
        answers[user] = w.client.get(f"/cases/{cid}", follow_redirects=False).status_code
    login(w.client, "O1")
    answers["none"] = w.client.get("/cases/999999", follow_redirects=False).status_code
    assert answers == {"O1": 200, "O5": 404, "duty": 200, "none": 404}


def test_the_scope_is_the_unit_and_the_units_below(cw: CaseWorld) -> None:
    w = cw
    s = w.session
    assert access.scope(s, Actor("x", frozenset({"leader"}), "ZJ")).units >= {"ZJ", "RD1", "BA", "BA-1", "CC"}
    assert access.scope(s, Actor("x", frozenset({"leader"}), "BA")).units == {"BA", "BA-1"}
    assert access.scope(s, Actor("x", frozenset({"officer"}), None)).unit_filter == frozenset()  # sees none
    assert access.scope(s, Actor("x", frozenset({"analyst"}), None)).unit_filter is None
    mixed = access.scope(s, Actor("x", frozenset({"leader", "legal_reviewer"}), "RD2"))
    assert mixed.actor_for("RD1").roles == {"legal_reviewer"}
    assert mixed.actor_for("RD2").roles == {"leader", "legal_reviewer"}
