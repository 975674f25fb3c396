"""Documents in the database: numbering schemes and their yearly counters, versioned templates,
and the issued documents with the hashes of their stored files.

An issued document is never changed: its PDF and DOCX are stored once by their SHA-256 (see
:mod:`zhifa.documents.storage`), and the row keeps the context, the template version and who
issued it when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhifa.core.clock import utcnow
from zhifa.core.db import Base, BigId, UTCDateTime


class DocumentScheme(Base):
    """A numbering scheme (e.g. ``penalty``: ``镇交执罚〔{year}〕第{seq:04d}号``); administrators
    change its pattern (audited)."""

    __tablename__ = "documents_scheme"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    pattern: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class DocumentCounter(Base):
    """The last number given in a scheme and year. One row per (scheme, year), incremented by
    ``UPDATE … RETURNING`` in the issuing transaction: the row stays locked until that transaction
    ends, and a rollback gives the number back (docs/documents.md)."""

    __tablename__ = "documents_counter"

    scheme_code: Mapped[str] = mapped_column(ForeignKey("documents_scheme.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (CheckConstraint("last_seq >= 0", name="last_seq"),)


class DocumentTemplate(Base):
    """One version of a kind's template; an edit adds a version, the newest is in force."""

    __tablename__ = "documents_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "version", name="uq_documents_template_kind_version"),)


class DocumentIssued(Base):
    """An issued document: what it is, its number, the context it was made from, the template
    version, the stored files and who issued it when."""

    __tablename__ = "documents_issued"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    title: Mapped[str] = mapped_column(String(64), nullable=False)
    scheme_code: Mapped[str | None] = mapped_column(ForeignKey("documents_scheme.code"), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    case_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    context: Mapped[Any] = mapped_column(JSON, nullable=False)
    template_id: Mapped[int] = mapped_column(ForeignKey("documents_template.id"), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    pdf_size: Mapped[int] = mapped_column(Integer, nullable=False)
    docx_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    docx_size: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("scheme_code", "year", "seq", name="uq_documents_issued_scheme_year_seq"),
        CheckConstraint("(scheme_code IS NULL) = (number IS NULL)", name="numbered"),
        Index("ix_documents_issued_kind_issued_at", "kind", "issued_at"),
    )
