"""sensing_event: partial plate and MMSI indexes; an event-time index instead of (type, time)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 13:00:00

Every stored event wrote an entry into each of the table's six indexes. Vehicle events carry no
MMSI and AIS events no plate, so ``ix_sensing_event_plate_time`` and ``ix_sensing_event_mmsi_time``
become partial (``… IS NOT NULL``): an event writes only the one that can find it. No query led
with ``type``: ``ix_sensing_event_type_time`` is replaced by ``ix_sensing_event_time``, which the
archive and retention (by event time alone) can use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_sensing_event_type_time', table_name='sensing_event')
    op.create_index('ix_sensing_event_time', 'sensing_event', ['event_time'], unique=False)
    for column in ('plate', 'mmsi'):
        name = f'ix_sensing_event_{column}_time'
        op.drop_index(name, table_name='sensing_event')
        op.create_index(
            name,
            'sensing_event',
            [column, 'event_time'],
            unique=False,
            sqlite_where=sa.text(f'{column} IS NOT NULL'),
            postgresql_where=sa.text(f'{column} IS NOT NULL'),
        )


def downgrade() -> None:
    for column in ('plate', 'mmsi'):
        name = f'ix_sensing_event_{column}_time'
        op.drop_index(name, table_name='sensing_event')
        op.create_index(name, 'sensing_event', [column, 'event_time'], unique=False)
    op.drop_index('ix_sensing_event_time', table_name='sensing_event')
    op.create_index('ix_sensing_event_type_time', 'sensing_event', ['type', 'event_time'], unique=False)
