"""documents templates and numbering

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 04:00:00

Creates the tables of the documents domain and seeds them:

* the numbering schemes, with the Zhenjiang defaults frozen below (configurable: administrators
  change the patterns through the API, audited; ``updated_by`` system marks an untouched default);
* version 1 of every kind's template, read from the files the package ships in
  ``zhifa/documents/templates/`` at the time the migration runs. A later change to a packaged
  template reaches an existing database only through a new migration or an administrator's edit,
  so that an issued document's template version always means one text.

No audit rows are written, as for the rest of the schema a migration creates.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import zhifa.core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Frozen here rather than imported from zhifa.documents, so that this migration keeps doing what it did.
_SCHEMES = (
    ("filing", "立案编号", "镇交执立〔{year}〕第{seq:04d}号"),
    ("preservation", "证据登记保存编号", "镇交执保〔{year}〕第{seq:04d}号"),
    ("notice", "违法行为通知书编号", "镇交执告〔{year}〕第{seq:04d}号"),
    ("hearing", "听证通知书编号", "镇交执听〔{year}〕第{seq:04d}号"),
    ("on_the_spot", "当场处罚决定书编号", "镇交执当〔{year}〕第{seq:04d}号"),
    ("penalty", "行政处罚决定书编号", "镇交执罚〔{year}〕第{seq:04d}号"),
    ("no_penalty", "不予行政处罚决定书编号", "镇交执不罚〔{year}〕第{seq:04d}号"),
    ("correction", "责令改正通知书编号", "镇交执改〔{year}〕第{seq:04d}号"),
    ("instalment", "分期（延期）缴纳通知书编号", "镇交执缴〔{year}〕第{seq:04d}号"),
    ("reminder", "催告书编号", "镇交执催〔{year}〕第{seq:04d}号"),
)
_KINDS = (
    "filing_register",
    "inquiry_record",
    "inspection_record",
    "site_record",
    "evidence_preservation_list",
    "violation_notice",
    "hearing_notice",
    "hearing_record",
    "on_the_spot_decision",
    "penalty_decision",
    "no_penalty_decision",
    "correction_order",
    "instalment_notice",
    "payment_reminder",
    "delivery_receipt",
    "closing_report",
)
_TEMPLATES = Path(__file__).resolve().parents[2] / "documents" / "templates"


def upgrade() -> None:
    scheme_table = op.create_table('documents_scheme',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('pattern', sa.String(length=100), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_documents_scheme')),
    sa.UniqueConstraint('pattern', name=op.f('uq_documents_scheme_pattern'))
    )
    template_table = op.create_table('documents_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents_template')),
    sa.UniqueConstraint('kind', 'version', name='uq_documents_template_kind_version')
    )
    op.create_table('documents_counter',
    sa.Column('scheme_code', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_seq >= 0', name=op.f('ck_documents_counter_last_seq')),
    sa.ForeignKeyConstraint(['scheme_code'], ['documents_scheme.code'], name=op.f('fk_documents_counter_scheme_code_documents_scheme')),
    sa.PrimaryKeyConstraint('scheme_code', 'year', name=op.f('pk_documents_counter'))
    )
    op.create_table('documents_issued',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('scheme_code', sa.String(length=32), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('case_ref', sa.String(length=64), nullable=True),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=False),
    sa.Column('docx_sha256', sa.String(length=64), nullable=False),
    sa.Column('docx_size', sa.Integer(), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('issued_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(scheme_code IS NULL) = (number IS NULL)', name=op.f('ck_documents_issued_numbered')),
    sa.ForeignKeyConstraint(['scheme_code'], ['documents_scheme.code'], name=op.f('fk_documents_issued_scheme_code_documents_scheme')),
    sa.ForeignKeyConstraint(['template_id'], ['documents_template.id'], name=op.f('fk_documents_issued_template_id_documents_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents_issued')),
    sa.UniqueConstraint('number', name=op.f('uq_documents_issued_number')),
    sa.UniqueConstraint('scheme_code', 'year', 'seq', name='uq_documents_issued_scheme_year_seq')
    )
    with op.batch_alter_table('documents_issued', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_issued_case_ref'), ['case_ref'], unique=False)
        batch_op.create_index('ix_documents_issued_kind_issued_at', ['kind', 'issued_at'], unique=False)

    now = datetime.now(UTC)
    op.bulk_insert(
        scheme_table,
        [{"code": c, "name": n, "pattern": p, "updated_by": "system", "updated_at": now} for c, n, p in _SCHEMES],
    )
    rows = []
    for kind in _KINDS:
        source = (_TEMPLATES / f"{kind}.html").read_text("utf-8")
        rows.append({
            "kind": kind,
            "version": 1,
            "source": source,
            "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
            "note": "packaged template (zhifa/documents/templates)",
            "created_by": "system",
            "created_at": now,
        })
    op.bulk_insert(template_table, rows)


def downgrade() -> None:
    with op.batch_alter_table('documents_issued', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_issued_kind_issued_at')
        batch_op.drop_index(batch_op.f('ix_documents_issued_case_ref'))
    op.drop_table('documents_issued')
    op.drop_table('documents_counter')
    op.drop_table('documents_template')
    op.drop_table('documents_scheme')
