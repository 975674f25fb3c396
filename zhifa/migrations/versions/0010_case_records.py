"""case records and the referral letter

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 07:00:00

The records of an investigation and of a hearing (询问笔录, 勘验笔录, 现场笔录, 听证笔录) now state
what the law and the 交通运输行政执法文书式样 ask of them — the certificates shown, the rights
told, the questions and answers, the conditions, the party's opinion, the statements at the hearing,
the signature or the note of its refusal — and a referral issues its 案件移送书. This migration

* adds the numbering scheme ``referral`` (a Zhenjiang default, configurable like the others);
* adds the packaged template of each changed kind as a new version — only where the version in
  force differs from the packaged file, so that a database created after the change (whose 0009
  already read the new files) gets no duplicate version, while one created before it gets the new
  template in force; an issued document keeps the version it was made with;
* adds version 1 of the new kind ``referral_letter``.

No schema change: a record is stored in its step's ``data``. No audit rows, as for the rest of the
schema a migration creates. The downgrade removes these versions and the scheme; it is refused by
the foreign keys once a document was issued with them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import zhifa.core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_SCHEME = ("referral", "案件移送书编号", "镇交执移〔{year}〕第{seq:04d}号")
_CHANGED = ("inquiry_record", "inspection_record", "site_record", "hearing_record")
_NEW = ("referral_letter",)
_NOTE = "packaged template (zhifa/documents/templates), migration 0010: detailed records, 案件移送书"
_TEMPLATES = Path(__file__).resolve().parents[2] / "documents" / "templates"

_scheme = sa.table(
    "documents_scheme",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("pattern", sa.String),
    sa.column("updated_by", sa.String),
    sa.column("updated_at", zhifa.core.db.UTCDateTime(timezone=True)),
)
_template = sa.table(
    "documents_template",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("version", sa.Integer),
    sa.column("source", sa.Text),
    sa.column("sha256", sa.String),
    sa.column("note", sa.String),
    sa.column("created_by", sa.String),
    sa.column("created_at", zhifa.core.db.UTCDateTime(timezone=True)),
)


def _row(kind: str, version: int, now: datetime) -> dict[str, object]:
    source = (_TEMPLATES / f"{kind}.html").read_text("utf-8")
    return {
        "kind": kind,
        "version": version,
        "source": source,
        "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        "note": _NOTE,
        "created_by": "system",
        "created_at": now,
    }


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    code, name, pattern = _SCHEME
    if bind.execute(sa.select(_scheme.c.code).where(_scheme.c.code == code)).first() is None:
        op.bulk_insert(
            _scheme, [{"code": code, "name": name, "pattern": pattern, "updated_by": "system", "updated_at": now}]
        )
    rows = []
    for kind in (*_CHANGED, *_NEW):
        newest = bind.execute(
            sa.select(_template.c.version, _template.c.sha256)
            .where(_template.c.kind == kind)
            .order_by(_template.c.version.desc())
            .limit(1)
        ).first()
        row = _row(kind, (newest.version + 1) if newest else 1, now)
        if newest is None or newest.sha256 != row["sha256"]:
            rows.append(row)
    if rows:
        op.bulk_insert(_template, rows)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.delete(_template).where(_template.c.note == _NOTE))
    bind.execute(sa.delete(_template).where(_template.c.kind.in_(_NEW)))
    bind.execute(sa.delete(_scheme).where(_scheme.c.code == _SCHEME[0]))
