"""The seam to the documents domain: a step that issues a document calls :func:`issue`, which by
default renders and numbers it through ``zhifa.documents.service.issue`` (PDF, DOCX, numbering are
that domain's). Tests of the procedure that do not need rendered files install another issuer with
:func:`use_issuer`; at least one end-to-end test runs the real one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from zhifa.core.audit import Actor


@dataclass(frozen=True)
class IssuedRef:
    id: int
    #: ``None`` for a kind without a number (询问笔录, 送达回证 …).
    number: str | None
    pdf_sha256: str | None = None
    docx_sha256: str | None = None


class Issuer(Protocol):
    def __call__(
        self, session: Session, actor: Actor, kind: str, context: dict[str, Any], *, case_ref: str | None
    ) -> IssuedRef: ...


def documents_issuer(
    session: Session, actor: Actor, kind: str, context: dict[str, Any], *, case_ref: str | None
) -> IssuedRef:
    from zhifa.documents import service as documents

    doc = documents.issue(session, actor, kind, context, case_ref=case_ref)
    number = None if doc.number is None else str(doc.number)
    return IssuedRef(int(doc.id), number, getattr(doc, "pdf_sha256", None), getattr(doc, "docx_sha256", None))


_issuer: Issuer = documents_issuer


def get_issuer() -> Issuer:
    return _issuer


@contextmanager
def use_issuer(issuer: Issuer) -> Iterator[Issuer]:
    global _issuer
    previous = _issuer
    _issuer = issuer
    try:
        yield issuer
    finally:
        _issuer = previous


def issue(session: Session, actor: Actor, kind: str, context: dict[str, Any], *, case_ref: str | None) -> IssuedRef:
    return _issuer(session, actor, kind, context, case_ref=case_ref)
