"""the rule workers' queue becomes tickets; no index holds an event's status

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 20:00:00

``sensing_ticket`` names the events stored together and not processed yet (``sensing.queue``).
The partial queue index ``ix_sensing_event_queue`` (``WHERE status = 'pending'``) goes: with no
index holding ``status``, marking an event done changes no indexed column, and on PostgreSQL,
with the table's fill factor at 50 (room beside each row for its one update), it is a HOT update
that writes no index entry. ``ix_sensing_event_retried`` (``WHERE attempts > 0``) serves the list
of events that failed. Events pending at the upgrade are queued in tickets of 1,000, in order.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import zhifa.core.db
from zhifa.core.clock import utcnow

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _partial_id_index(name: str, condition: str) -> None:
    """An index of ``sensing_event.id`` over the rows that meet ``condition`` (both databases)."""
    op.create_index(
        name,
        'sensing_event',
        ['id'],
        unique=False,
        sqlite_where=sa.text(condition),
        postgresql_where=sa.text(condition),
    )


def upgrade() -> None:
    ticket = op.create_table(
        'sensing_ticket',
        sa.Column('id', _BIG, autoincrement=True, nullable=False),
        sa.Column('ids', sa.JSON(), nullable=False),
        sa.Column('hold_until', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sensing_ticket')),
    )
    op.drop_index('ix_sensing_event_queue', table_name='sensing_event')
    _partial_id_index('ix_sensing_event_retried', 'attempts > 0')
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE sensing_event SET (fillfactor = 50)')
    # The events pending now (the worker's MAX_ATTEMPTS is 5), in tickets of 1,000; ship
    # passages held until their time is behind the worker's cutoff.
    event = sa.table(
        'sensing_event',
        sa.column('id'),
        sa.column('type'),
        sa.column('event_time', zhifa.core.db.UTCDateTime()),
        sa.column('status'),
        sa.column('attempts'),
    )
    rows = bind.execute(
        sa.select(event.c.id, event.c.type, event.c.event_time)
        .where(event.c.status == 'pending', event.c.attempts < 5)
        .order_by(event.c.id)
    ).all()
    now = utcnow()
    others = [r.id for r in rows if r.type != 'ship_passage']
    for i in range(0, len(others), 1000):
        bind.execute(ticket.insert().values(ids=others[i : i + 1000], created_at=now))
    for r in rows:
        if r.type == 'ship_passage':
            bind.execute(ticket.insert().values(ids=[r.id], hold_until=r.event_time, created_at=now))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE sensing_event RESET (fillfactor)')
    op.drop_index('ix_sensing_event_retried', table_name='sensing_event')
    _partial_id_index('ix_sensing_event_queue', "status = 'pending'")
    op.drop_table('sensing_ticket')
