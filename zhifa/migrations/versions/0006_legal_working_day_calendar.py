"""legal working-day calendar

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 03:10:00

Creates the calendar tables and seeds them, offline, from the installed ``chinesecalendar``
package: every year it knows (2004 to its newest State Council notice). The rows carry their
provenance (``updated_by`` system, the year's ``source`` names the package and its version); no
audit row is written, as for the rest of the schema a migration creates. Later years and
corrections are entered by administrators, audited (docs/legal-time.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version

import sqlalchemy as sa
from alembic import op

import zhifa.core.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Frozen here rather than imported from zhifa.legal, so that this migration keeps doing what it did.
_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def upgrade() -> None:
    year_table = op.create_table('legal_calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_legal_calendar_year'))
    )
    day_table = op.create_table('legal_calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_legal_calendar_day_kind')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_legal_calendar_day'))
    )
    _seed(year_table, day_table)


def _seed(year_table: sa.Table, day_table: sa.Table) -> None:
    from chinese_calendar.constants import holidays, workdays

    source = f"chinesecalendar {version('chinesecalendar')}"
    now = datetime.now(UTC)
    first, last = min(d.year for d in holidays), max(d.year for d in holidays)
    years = list(range(first, last + 1))
    rows = [
        {"day": d, "kind": kind, "name": _NAMES_ZH.get(n, n), "updated_by": "system", "updated_at": now}
        for kind, table in (("holiday", holidays), ("workday", workdays))
        for d, n in table.items()
        if first <= d.year <= last
    ]
    op.bulk_insert(year_table, [{"year": y, "source": source, "updated_by": "system", "updated_at": now} for y in years])
    op.bulk_insert(day_table, sorted(rows, key=lambda r: r["day"]))


def downgrade() -> None:
    op.drop_table('legal_calendar_day')
    op.drop_table('legal_calendar_year')
