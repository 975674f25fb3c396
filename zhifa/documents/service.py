"""Issuing documents, and the administration of templates and numbering schemes.

:func:`issue` is what the cases domain calls: it checks the context against the kind, takes the
next number (for a numbered kind) in the caller's transaction, renders the current template to
HTML, prints it to PDF (Chromium) and lays it out as DOCX, stores both files by hash, and writes
the ``documents_issued`` row and its audit row. Everything after the context check runs in a
savepoint, so a failure (a template that breaks, a renderer that is down) leaves nothing behind
and gives its number back even if the caller carries on with its transaction.

Administrators edit templates (each edit a new version, test-rendered with the kind's sample
context before it is saved) and numbering patterns; both are audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.clock import SHANGHAI, today_shanghai, utcnow
from zhifa.core.errors import BadRequest, Conflict, InvalidField, NotFound
from zhifa.documents import numbering, numbers, pdf, samples, storage, templating, word
from zhifa.documents.context import to_json
from zhifa.documents.kinds import KINDS, DocumentKind, get_kind, validate_context
from zhifa.documents.models import DocumentIssued, DocumentScheme, DocumentTemplate

#: Who may issue and read documents (the case's officers, their leaders, legal reviewers; admin).
ISSUER_ROLES = ("officer", "leader", "legal_reviewer")
#: The number shown on a preview, which consumes none.
PREVIEW_NUMBER = "（样稿）"


# ------------------------------------------------------------------------------------- rendering


def _render_context(kind: DocumentKind, values: dict[str, Any], number: str | None, issued_on: date) -> dict[str, Any]:
    return values | {"number": number, "issued_on": issued_on, "title": kind.title, "kind": kind.code}


def render(kind: DocumentKind, source: str, values: dict[str, Any], number: str | None, issued_on: date) -> str:
    """The document as HTML (no I/O)."""
    return templating.render_html(source, _render_context(kind, values, number, issued_on))


def preview(session: Session, actor: Actor, kind_code: str, context: dict[str, Any]) -> dict[str, Any]:
    """Render without issuing: no number is taken, nothing is stored (PDF, DOCX and HTML bytes)."""
    require(actor, *ISSUER_ROLES)
    kind = get_kind(kind_code)
    values = validate_context(kind_code, context)
    tpl = current_template(session, kind_code)
    number = PREVIEW_NUMBER if kind.numbered else None
    html = render(kind, tpl.source, values, number, today_shanghai())
    return {
        "html": html,
        "pdf": pdf.render_pdf(html),
        "docx": word.html_to_docx(html, title=kind.title, subject=number, author=values["agency"]),
        "template_version": tpl.version,
    }


# ---------------------------------------------------------------------------------------- issuing


def issue(
    session: Session, actor: Actor, kind: str, context: dict[str, Any], *, case_ref: str | None = None
) -> DocumentIssued:
    """Issue a document of ``kind`` from ``context`` in the caller's transaction (it commits).

    A missing or wrong field raises :class:`~zhifa.documents.context.ContextInvalid` naming it,
    before any number is taken or anything is written."""
    require(actor, *ISSUER_ROLES)
    spec = get_kind(kind)
    values = validate_context(kind, context)
    if case_ref is not None and (not isinstance(case_ref, str) or not case_ref.strip() or len(case_ref) > 64):
        raise InvalidField(
            "case_ref", "must be non-empty text of at most 64 characters", "案件引用应为不超过64字的文字"
        )
    tpl = current_template(session, kind)
    issued_at = utcnow()
    issued_on = issued_at.astimezone(SHANGHAI).date()
    with session.begin_nested():
        seq: int | None = None
        number: str | None = None
        if spec.scheme is not None:
            seq, number = numbering.allocate(session, spec.scheme, issued_on.year)
        html = render(spec, tpl.source, values, number, issued_on)
        pdf_bytes = pdf.render_pdf(html)
        docx_bytes = word.html_to_docx(
            html, title=spec.title, subject=number, author=values["agency"], created=issued_at
        )
        row = DocumentIssued(
            kind=kind,
            title=spec.title,
            scheme_code=spec.scheme,
            year=issued_on.year if spec.scheme else None,
            seq=seq,
            number=number,
            case_ref=case_ref.strip() if case_ref else None,
            context=to_json(values),
            template_id=tpl.id,
            template_version=tpl.version,
            pdf_sha256=storage.put(pdf_bytes),
            pdf_size=len(pdf_bytes),
            docx_sha256=storage.put(docx_bytes),
            docx_size=len(docx_bytes),
            issued_by=actor.username,
            issued_at=issued_at,
        )
        session.add(row)
        session.flush()
        audit.record(session, actor, "issue", "document", row.id, None, document_dict(row, with_context=False))
    return row


def document_dict(row: DocumentIssued, with_context: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "number": row.number,
        "case_ref": row.case_ref,
        "template_version": row.template_version,
        "pdf_sha256": row.pdf_sha256,
        "pdf_size": row.pdf_size,
        "docx_sha256": row.docx_sha256,
        "docx_size": row.docx_size,
        "issued_by": row.issued_by,
        "issued_at": row.issued_at.isoformat(),
        "pdf_url": f"/api/v1/documents/{row.id}.pdf",
        "docx_url": f"/api/v1/documents/{row.id}.docx",
    }
    if with_context:
        out["context"] = row.context
    return out


#: Who may see a document issued for a reference (``case_ref``). The domain owning the reference
#: registers its check (the app registers the cases' unit scope, ``cases.access.document_guard``):
#: documents sit below the cases and cannot ask them. A guard answers True/False for references it
#: owns and None for others; a reference no guard claims is open to every issuer role.
ReferenceGuard = Callable[[Session, Actor, str], "bool | None"]
_REFERENCE_GUARDS: list[ReferenceGuard] = []


def register_reference_guard(guard: ReferenceGuard) -> None:
    if guard not in _REFERENCE_GUARDS:
        _REFERENCE_GUARDS.append(guard)


def may_see(session: Session, actor: Actor, case_ref: str | None) -> bool:
    if not case_ref:
        return True
    for guard in _REFERENCE_GUARDS:
        answer = guard(session, actor, case_ref)
        if answer is not None:
            return answer
    return True


def get_document(session: Session, actor: Actor, doc_id: int) -> DocumentIssued:
    """An issued document; one whose reference the actor may not see answers as missing (404)."""
    require(actor, *ISSUER_ROLES)
    row = session.get(DocumentIssued, doc_id)
    if row is None or not may_see(session, actor, row.case_ref):
        raise NotFound(f"no document {doc_id}", f"没有编号为 {doc_id} 的文书")
    return row


def list_documents(
    session: Session, actor: Actor, case_ref: str | None = None, kind: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    require(actor, *ISSUER_ROLES)
    q = select(DocumentIssued).order_by(DocumentIssued.id.desc()).limit(max(1, min(limit, 1000)))
    if case_ref:
        q = q.where(DocumentIssued.case_ref == case_ref)
    if kind:
        q = q.where(DocumentIssued.kind == get_kind(kind).code)
    seen: dict[str | None, bool] = {}
    out = []
    for r in session.scalars(q):
        if r.case_ref not in seen:
            seen[r.case_ref] = may_see(session, actor, r.case_ref)
        if seen[r.case_ref]:
            out.append(document_dict(r, with_context=False))
    return out


def file_of(session: Session, actor: Actor, doc_id: int, fmt: str) -> tuple[DocumentIssued, bytes]:
    """The stored PDF or DOCX of a document (checked against its hash); the read is audited, as
    the document holds the party's personal data."""
    if fmt not in ("pdf", "docx"):
        raise BadRequest(f"unknown format {fmt!r}: pdf or docx", "格式应为 pdf 或 docx")
    row = get_document(session, actor, doc_id)
    digest = row.pdf_sha256 if fmt == "pdf" else row.docx_sha256
    data = storage.get(digest)
    audit.record(session, actor, "read", "document", row.id, note=f"{fmt} {digest}")
    return row, data


# -------------------------------------------------------------------------------------- templates


def current_template(session: Session, kind: str) -> DocumentTemplate:
    get_kind(kind)
    row = session.scalar(
        select(DocumentTemplate).where(DocumentTemplate.kind == kind).order_by(DocumentTemplate.version.desc()).limit(1)
    )
    if row is None:
        raise NotFound(
            f"no template for {kind}: run the migrations (zhifa db upgrade)", f"文书 {kind} 没有模板：请先升级数据库"
        )
    return row


def _template_dict(row: DocumentTemplate, with_source: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": row.kind,
        "version": row.version,
        "sha256": row.sha256,
        "note": row.note,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
    }
    if with_source:
        out["source"] = row.source
    return out


def list_templates(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, *ISSUER_ROLES)
    newest: dict[str, int] = {
        kind: version
        for kind, version in session.execute(
            select(DocumentTemplate.kind, func.max(DocumentTemplate.version)).group_by(DocumentTemplate.kind)
        )
    }
    return [{"kind": code, "title": k.title, "version": newest.get(code)} for code, k in KINDS.items()]


def get_template(session: Session, actor: Actor, kind: str, version: int | None = None) -> dict[str, Any]:
    require(actor, *ISSUER_ROLES)
    if version is None:
        row = current_template(session, kind)
    else:
        found = session.scalar(
            select(DocumentTemplate).where(DocumentTemplate.kind == kind, DocumentTemplate.version == version)
        )
        if found is None:
            raise NotFound(f"{kind} has no template version {version}", f"文书 {kind} 没有第 {version} 版模板")
        row = found
    history = session.scalars(
        select(DocumentTemplate).where(DocumentTemplate.kind == kind).order_by(DocumentTemplate.version.desc())
    )
    return _template_dict(row) | {"history": [_template_dict(h, with_source=False) for h in history]}


def test_render(kind: str, source: str) -> str:
    """Render the kind's sample context with ``source``; the HTML, or
    :class:`~zhifa.documents.templating.TemplateInvalid`. The result must still show the title
    and the number, and the DOCX layout must accept it."""
    spec = get_kind(kind)
    values = validate_context(kind, samples.sample(kind))
    number = numbers.format_number("样例〔{year}〕第{seq:04d}号", 2026, 1) if spec.numbered else None
    html = render(spec, source, values, number, date(2026, 6, 1))
    for must, what in ((spec.title, "the title"), (number, "the number")):
        if must and must not in html:
            raise templating.TemplateInvalid(
                f"the sample render lacks {what} ({must}): extend _layout.html",
                f"样例渲染缺少{must}：请继承 _layout.html",
            )
    word.html_to_docx(html, title=spec.title)
    return html


def save_template(session: Session, actor: Actor, kind: str, source: str, note: str | None = None) -> dict[str, Any]:
    """A new version of the kind's template (administrators; test-rendered first; audited)."""
    require(actor, "admin")
    current = current_template(session, kind)
    if source == current.source:
        raise Conflict(f"unchanged: {kind} template version {current.version} is the same", "模板未改动")
    test_render(kind, source)
    row = DocumentTemplate(
        kind=kind,
        version=current.version + 1,
        source=source,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        note=(note or "").strip()[:500] or None,
        created_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "document_template",
        kind,
        {"version": current.version, "sha256": current.sha256},
        {"version": row.version, "sha256": row.sha256, "source": source},
        note=row.note,
    )
    return _template_dict(row)


# ---------------------------------------------------------------------------------------- schemes


def _scheme_dict(session: Session, row: DocumentScheme, year: int) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "pattern": row.pattern,
        "example": numbers.format_number(row.pattern, year, 1),
        "last_seq": numbering.peek(session, row.code, year),
        "year": year,
        "kinds": [k.code for k in KINDS.values() if k.scheme == row.code],
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat(),
    }


def list_schemes(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, *ISSUER_ROLES)
    year = today_shanghai().year
    return [
        _scheme_dict(session, r, year) for r in session.scalars(select(DocumentScheme).order_by(DocumentScheme.code))
    ]


def set_scheme(session: Session, actor: Actor, code: str, pattern: str, name: str | None = None) -> dict[str, Any]:
    """Change a scheme's pattern (administrators; audited). The sequence goes on: a new pattern
    applies from the next number, and no two schemes may share a pattern."""
    require(actor, "admin")
    row = session.get(DocumentScheme, code)
    if row is None:
        raise NotFound(f"no numbering scheme {code!r}", f"没有编号规则 {code}")
    pattern = numbers.check_pattern(pattern)
    clash = session.scalar(
        select(DocumentScheme.code).where(DocumentScheme.pattern == pattern, DocumentScheme.code != code)
    )
    if clash is not None:
        raise Conflict(
            f"scheme {clash} has this pattern already: numbers would repeat",
            f"编号规则 {clash} 已使用该格式，编号将重复",
        )
    if name is not None and (not name.strip() or len(name.strip()) > 64):
        raise InvalidField("name", "must be 1 to 64 characters", "名称应为1至64个字")
    year = today_shanghai().year
    before = _scheme_dict(session, row, year)
    row.pattern = pattern
    if name is not None:
        row.name = name.strip()
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    after = _scheme_dict(session, row, year)
    audit.record(session, actor, "update", "document_scheme", code, before, after)
    return after
