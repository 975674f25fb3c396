"""The documents API: kinds, issuing, metadata and the stored files, templates and numbering
schemes (docs/documents.md). Issuing and reading need an officer, leader or legal reviewer;
templates and schemes are changed by administrators only; every change and every file read is
audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from zhifa.core.api import DB, CurrentActor
from zhifa.core.auth import require
from zhifa.documents import service
from zhifa.documents.kinds import KINDS
from zhifa.documents.samples import sample
from zhifa.documents.schemas import IssueIn, PreviewIn, SchemeIn, TemplateIn

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])

MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@router.get("/kinds")
def kinds(actor: CurrentActor) -> list[dict[str, Any]]:
    """The kinds: code, title, numbering scheme, required context fields and a sample."""
    require(actor, *service.ISSUER_ROLES)
    return [k.as_dict() | {"sample": sample(code)} for code, k in KINDS.items()]


@router.post("", status_code=201)
def issue(body: IssueIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Issue a document: context checked (422 naming every missing field, nothing written), number
    taken, PDF and DOCX rendered and stored by SHA-256, audited."""
    row = service.issue(session, actor, body.kind, body.context, case_ref=body.case_ref)
    return service.document_dict(row)


@router.get("")
def list_documents(
    session: DB,
    actor: CurrentActor,
    case_ref: str | None = Query(default=None, max_length=64),
    kind: str | None = Query(default=None, max_length=48),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Issued documents, newest first, optionally of one case or kind."""
    return service.list_documents(session, actor, case_ref, kind, limit)


@router.post("/preview")
def preview(body: PreviewIn, session: DB, actor: CurrentActor) -> Response:
    """The PDF of a document as it would be issued, marked 样稿; takes no number, stores nothing."""
    out = service.preview(session, actor, body.kind, body.context)
    return Response(out["pdf"], media_type=MEDIA["pdf"], headers={"X-Template-Version": str(out["template_version"])})


@router.get("/templates")
def templates(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """Every kind with the version of its template in force."""
    return service.list_templates(session, actor)


@router.get("/templates/{kind}")
def template(
    kind: str, session: DB, actor: CurrentActor, version: int | None = Query(default=None, ge=1)
) -> dict[str, Any]:
    """A kind's template (the newest, or ``?version=N``) with its version history."""
    return service.get_template(session, actor, kind, version)


@router.put("/templates/{kind}")
def save_template(kind: str, body: TemplateIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """A new version of a kind's template (administrators): refused (422) unless it compiles in the
    sandbox and renders the kind's sample with its title and number; audited."""
    return service.save_template(session, actor, kind, body.source, body.note)


@router.get("/schemes")
def schemes(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    """Numbering schemes: pattern, an example, the last number given this year."""
    return service.list_schemes(session, actor)


@router.put("/schemes/{code}")
def set_scheme(code: str, body: SchemeIn, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Change a scheme's pattern (administrators; audited); the sequence goes on."""
    return service.set_scheme(session, actor, code, body.pattern, body.name)


@router.get("/{doc_id:int}")
def document(doc_id: int, session: DB, actor: CurrentActor) -> dict[str, Any]:
    """An issued document's metadata and context."""
    return service.document_dict(service.get_document(session, actor, doc_id))


def _download(session: Any, actor: Any, doc_id: int, fmt: str) -> Response:
    row, data = service.file_of(session, actor, doc_id, fmt)
    digest = row.pdf_sha256 if fmt == "pdf" else row.docx_sha256
    name = f"{row.title}-{row.number or row.id}.{fmt}"
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f"attachment; filename=\"document-{row.id}.{fmt}\"; filename*=UTF-8''{quote(name)}",
            "ETag": f'"{digest}"',
            "X-Content-SHA256": digest,
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{doc_id:int}.pdf")
def download_pdf(doc_id: int, session: DB, actor: CurrentActor) -> Response:
    """The stored PDF, as issued (checked against its SHA-256; the read is audited)."""
    return _download(session, actor, doc_id, "pdf")


@router.get("/{doc_id:int}.docx")
def download_docx(doc_id: int, session: DB, actor: CurrentActor) -> Response:
    """The stored DOCX, as issued (checked against its SHA-256; the read is audited)."""
    return _download(session, actor, doc_id, "docx")
