"""Who reads which file of the evidence store (``GET /api/v1/evidence/{sha256}``, docs/sensing.md
"Evidence", ``zhifa.sensing.access`` and the guards the app registers): as a table of users × files
referenced by a case, a lead's events, a task's feedback, an off-site notice, nothing at all; then
the audit rows of the reads, nothing written on a 404, the hints, and the search through the
leads (near the upload first, then all).

Units (tests/data/units.csv): RD1 and RD2 brigades, CC the command center. The case, the leads
and the task are RD1's; O1 and O2 are RD1's officers assigned to the task, O3 an RD1 officer who
is not; O5 and leader2 are RD2's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.cases.conftest import CaseWorld
from tests.helpers import make_user
from zhifa.core.audit import AuditLog
from zhifa.core.clock import utcnow
from zhifa.dispatch import access as dispatch_access
from zhifa.monitoring.models import Lead, LeadEvent
from zhifa.sensing import access as sensing_access
from zhifa.sensing.models import Event

pytestmark = pytest.mark.db

WIM_KEY = "wim1-key-dispatch-0123456789"  # tests/dispatch/conftest.py DEVICES
UNKNOWN = "ab" * 32

USERS = ("O1", "O3", "leader1", "O5", "leader2", "duty", "analyst", "legal1", "admin")

#: file → the users who may read it (everyone else: 404).
READERS: dict[str, set[str]] = {
    # A case of RD1 (filed by O1; the photo uploaded by O2): the case's scope.
    "case": {"O1", "O3", "leader1", "duty", "analyst", "legal1", "admin"},
    # A camera image (uploaded by the device) carried by an event of an RD1 lead.
    "lead": {"O1", "O3", "leader1", "duty", "analyst", "legal1", "admin"},
    # The same for a lead no unit was routed to: the command center's wide roles only.
    "unrouted": {"duty", "analyst", "legal1", "admin"},
    # A task's feedback photo (uploaded by O2): as GET /api/v1/tasks/{id} — O3 is not assigned.
    "task": {"O1", "leader1", "duty", "analyst", "legal1", "admin"},
    # An off-site notice (issued by duty, who uploaded it): the off-site readers who see the owner.
    "notice": {"leader1", "duty", "legal1", "admin"},
    # Uploaded by O5 and referenced by nothing: O5's alone.
    "orphan": {"O5"},
    "unknown": set(),
}


def _upload(w: CaseWorld, blob: bytes, user: str | None = None, ctype: str = "image/jpeg") -> str:
    headers = w.h(user) if user else {"X-Device-Key": WIM_KEY}
    r = w.client.post("/api/v1/evidence", files={"file": ("f.jpg", blob, ctype)}, headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["sha256"])


def _lead_with_image(w: CaseWorld, digest: str, unit: str | None = "RD1", subject: str = "苏L12345/yellow") -> Lead:
    """A lead whose device event carries the image (as the monitoring worker leaves it)."""
    lead = w.lead(unit=unit, subject=subject, device="WIM1")
    event_id = w.session.scalar(select(LeadEvent.event_id).where(LeadEvent.lead_id == lead.id))
    event = w.session.get(Event, event_id)
    assert event is not None
    event.images = [digest]
    lead.images = [digest]
    w.session.flush()
    return lead


def _files(w: CaseWorld) -> dict[str, Any]:
    files: dict[str, Any] = {"unknown": UNKNOWN}
    # Case evidence.
    files["case"] = _upload(w, b"case photo", "O2")
    cid = w.file("O1")["id"]
    w.post(f"/api/v1/cases/{cid}/evidence", "O1", {"sha256": files["case"], "kind": "photo"}, 201)
    files["case_id"] = cid
    # Leads' images.
    files["lead"] = _upload(w, b"camera image of a truck")
    files["lead_id"] = _lead_with_image(w, files["lead"]).id
    files["unrouted"] = _upload(w, b"camera image, unrouted")
    _lead_with_image(w, files["unrouted"], unit=None, subject="苏L54321/yellow")
    # A task's feedback photo.
    lead = w.lead(unit="RD1", subject="苏L11111/yellow")
    tid = w.post(f"/api/v1/leads/{lead.id}/dispatch", "duty", {}, 201).json()["tasks"][0]["id"]
    w.post(f"/api/v1/tasks/{tid}/assign", "leader1", {"officers": ["O1", "O2"]}, 200)
    w.post(f"/api/v1/tasks/{tid}/transition", "leader1", {"to": "accepted"}, 200)
    w.post(f"/api/v1/tasks/{tid}/transition", "O1", {"to": "en_route", "lon": 119.30, "lat": 32.20}, 200)
    w.post(f"/api/v1/tasks/{tid}/transition", "O1", {"to": "on_scene", "lon": 119.35, "lat": 32.20}, 200)
    files["task"] = _upload(w, b"\xff\xd8 scene photo", "O2")
    feedback = {"outcome": "violation_confirmed", "notes": "已责令卸载", "photos": [files["task"]]}
    w.post(f"/api/v1/tasks/{tid}/feedback", "O1", feedback | {"lon": 119.35, "lat": 32.20}, 200)
    # An off-site notice (the owner of 苏L12345 is in the registry).
    offsite_lead = w.lead(device="WIM1", events=2, subject="苏L12345/yellow")
    oid = w.post(f"/api/v1/leads/{offsite_lead.id}/offsite", "duty", {"reason": "车辆已驶离"}, 201).json()["id"]
    review = {"verdict": "usable", "notes": "图像清晰，称重数据完整"}
    w.post(f"/api/v1/offsite/{oid}/reviews", "legal1", review, 200)
    w.post(f"/api/v1/offsite/{oid}/reviews", "leader1", review, 200)
    files["notice"] = w.post(f"/api/v1/offsite/{oid}/notice", "duty", {"delivery": "sms"}, 200).json()["notice_sha256"]
    # Referenced by nothing.
    files["orphan"] = _upload(w, b"an officer's upload, not yet attached", "O5")
    return files


def _audits(w: CaseWorld) -> int:
    return int(w.session.scalar(select(func.count()).select_from(AuditLog)) or 0)


def test_who_reads_which_file(cw: CaseWorld) -> None:
    w = cw
    files = _files(w)
    for user in USERS:
        w.h(user)  # logged in beforehand (a login writes its own audit row)
    nowhere = w.client.get(f"/api/v1/evidence/{UNKNOWN}", headers=w.h("admin"))
    assert nowhere.status_code == 404
    wrong = []
    for name, readers in READERS.items():
        digest = files[name]
        for user in USERS:
            before = _audits(w)
            r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h(user))
            where = f"{user} reads {name}: {r.status_code}"
            if user in readers:
                if r.status_code != 200:
                    wrong.append(where + " (expected 200)")
                    continue
                row = w.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
                got = (row.actor, row.action, row.entity_type, row.entity_id)
                if got != (user, "read", "evidence", digest) or _audits(w) != before + 1:
                    wrong.append(where + f" (audit {got}, {_audits(w) - before} rows)")
                if r.headers["cache-control"] != "private, no-cache" or r.headers["etag"] != f'"{digest}"':
                    wrong.append(where + f" (headers {dict(r.headers)})")
            else:
                # The answer for an unknown hash, word for word; nothing written.
                if r.status_code != 404 or r.json()["error"] != {
                    **nowhere.json()["error"],
                    "message": f"no evidence {digest}",
                }:
                    wrong.append(where + f" (expected 404 as for no file: {r.text[:120]})")
                if _audits(w) != before:
                    wrong.append(where + " (wrote something)")
    assert wrong == []


def test_the_reads_basis_and_the_uploader(cw: CaseWorld) -> None:
    w = cw
    files = _files(w)

    def note(user: str, digest: str, **kw: Any) -> str | None:
        r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h(user) | kw.pop("headers", {}), **kw)
        assert r.status_code == 200, (user, r.text)
        return w.session.scalars(select(AuditLog.note).order_by(AuditLog.id.desc()).limit(1)).one()

    assert note("O2", files["case"]) == "uploader"
    assert note("leader1", files["case"]) == f"case {files['case_id']}"
    assert note("O1", files["lead"]) == f"lead {files['lead_id']}"
    assert note("O1", files["task"]).startswith("task ")  # type: ignore[union-attr]
    assert note("legal1", files["notice"]).startswith("offsite case ")  # type: ignore[union-attr]
    assert note("duty", files["notice"]) == "uploader"
    # The body is the file.
    assert w.client.get(f"/api/v1/evidence/{files['case']}", headers=w.h("O1")).content == b"case photo"
    # A user whose name is a device's code does not read that device's uploads as their own.
    make_user(w.session, "WIM1", ("officer",), "RD2")
    w.session.flush()
    assert w.client.get(f"/api/v1/evidence/{files['lead']}", headers=w.h("WIM1")).status_code == 404
    # Without a login: 401, for a file and for no file alike.
    w.client.cookies.clear()  # (a login through the API leaves its session cookie)
    assert w.client.get(f"/api/v1/evidence/{files['lead']}").status_code == 401
    assert w.client.get(f"/api/v1/evidence/{UNKNOWN}").status_code == 401
    # A malformed or upper-case hash.
    assert w.client.get("/api/v1/evidence/not-a-hash", headers=w.h("admin")).status_code == 404
    assert w.client.get(f"/api/v1/evidence/{files['lead'].upper()}", headers=w.h("O1")).status_code == 200


def test_a_cached_copy_is_revalidated_and_audited(cw: CaseWorld) -> None:
    w = cw
    files = _files(w)
    digest = files["lead"]
    before = _audits(w)
    r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h("O1") | {"If-None-Match": f'"{digest}"'})
    assert r.status_code == 304 and r.content == b""
    row = w.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
    assert _audits(w) == before + 1 and row.note == f"lead {files['lead_id']} (cached copy)"
    # Not to someone who may not read it: the same 404 as ever, nothing written.
    r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h("O5") | {"If-None-Match": f'"{digest}"'})
    assert r.status_code == 404 and _audits(w) == before + 1


def test_hints_are_looked_at_first_and_grant_nothing(cw: CaseWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    w = cw
    files = _files(w)
    digest, lead_id = files["lead"], files["lead_id"]

    # The search is not needed when the request names the lead (a query or the lead page).
    def searched(*args: Any) -> None:
        pytest.fail("the leads were searched")

    guards = [searched if g is dispatch_access.lead_guard else g for g in sensing_access._GUARDS]
    assert searched in guards
    monkeypatch.setattr(sensing_access, "_GUARDS", guards)
    for kw in (
        {"params": {"ref": f"lead:{lead_id}"}},
        {"headers": {"Referer": f"http://x/monitoring/leads/{lead_id}"}},
    ):
        headers = w.h("O1") | kw.get("headers", {})
        r = w.client.get(f"/api/v1/evidence/{digest}", headers=headers, params=kw.get("params"))
        assert r.status_code == 200, r.text
    monkeypatch.setattr(sensing_access, "_GUARDS", [dispatch_access.lead_guard if g is searched else g for g in guards])
    # A hint naming the lead to someone who may not see it, or another lead: the rule as ever.
    r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h("O5"), params={"ref": f"lead:{lead_id}"})
    assert r.status_code == 404
    other = w.lead(unit="RD1", subject="苏L22222/yellow")
    r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h("O1"), params={"ref": f"lead:{other.id}"})
    assert r.status_code == 200
    r = w.client.get(f"/api/v1/evidence/{digest}", headers=w.h("O1"), params={"ref": "nonsense"})
    assert r.status_code == 200


def test_the_lead_search_looks_near_the_upload_first_then_everywhere(cw: CaseWorld) -> None:
    w = cw
    image = _upload(w, b"a camera image")
    # The RD1 lead that holds it was created long before the file was stored (an event folded
    # into an old open lead, or a merge): outside the first search's window.
    old = _lead_with_image(w, image)
    old.created_at = utcnow() - timedelta(days=10)
    # Near the upload: a lead of RD2 holding it too, and an RD1 lead whose image list names it
    # without any of its events carrying it (a lead merged away keeps its list): neither is O1's.
    _lead_with_image(w, image, unit="RD2", subject="苏L40000/yellow")
    stale = w.lead(unit="RD1", subject="苏L50000/yellow")
    stale.images = [image]
    w.session.flush()
    assert w.client.get(f"/api/v1/evidence/{image}", headers=w.h("O1")).status_code == 200
    assert w.session.scalars(select(AuditLog.note).order_by(AuditLog.id.desc()).limit(1)).one() == f"lead {old.id}"
    assert w.client.get(f"/api/v1/evidence/{image}", headers=w.h("leader2")).status_code == 200  # RD2's lead
    assert w.client.get(f"/api/v1/evidence/{image}", headers=w.h("O5")).status_code == 200
    nowhere = _upload(w, b"an image no lead holds")
    assert w.client.get(f"/api/v1/evidence/{nowhere}", headers=w.h("duty")).status_code == 404
    # Unlinked from its events, the old lead no longer lets O1 read it; RD2's still lets RD2.
    w.session.execute(delete(LeadEvent).where(LeadEvent.lead_id == old.id))
    w.session.flush()
    assert w.client.get(f"/api/v1/evidence/{image}", headers=w.h("O1")).status_code == 404
    assert w.client.get(f"/api/v1/evidence/{image}", headers=w.h("O5")).status_code == 200
