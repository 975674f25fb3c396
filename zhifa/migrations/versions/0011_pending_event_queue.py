"""the event queue index holds pending events only

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 07:00:00

``ix_sensing_event_queue`` was ``(status, id)`` over every event, so marking an event done moved
its entry within the index. As a partial index ``(id) WHERE status = 'pending'`` it holds only the
queue: done events leave it, and the index stays the size of the backlog, not of the table.
Queries say ``status = 'pending'`` as a literal (``sensing.models.PENDING``), which every planner
can match against the index's condition.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_sensing_event_queue', table_name='sensing_event')
    op.create_index(
        'ix_sensing_event_queue',
        'sensing_event',
        ['id'],
        unique=False,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index('ix_sensing_event_queue', table_name='sensing_event')
    op.create_index('ix_sensing_event_queue', 'sensing_event', ['status', 'id'], unique=False)
