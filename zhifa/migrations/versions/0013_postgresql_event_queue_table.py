"""PostgreSQL: the pending events in a queue table of their own, kept by triggers

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 13:00:00

On PostgreSQL, marking an event done updated ``status``, the column of the partial queue index's
condition: the update could not be HOT, so it wrote a new entry into every index of
``sensing_event`` (two of them random: the sender's id, the plate), and the claim's
``FOR UPDATE`` wrote the wide event row once more before that.

Now the queue is a table of ids, ``sensing_event_queue``, kept equal to "the events whose status
is pending" by three statement-level triggers (inserted pending events join it, events whose
status leaves ``pending`` or that are deleted leave it), so every way of writing events keeps it
right. Workers lock the queue's rows (``FOR UPDATE OF q SKIP LOCKED``). No index of
``sensing_event`` holds ``status`` any more, and the table keeps 20 % of each page free
(``fillfactor = 80``), so marking an event done is a HOT update: the heap page only.

SQLite is unchanged: its partial index stays (updates there rewrite the row in place).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_STATEMENTS = (
    "CREATE TABLE sensing_event_queue (event_id bigint PRIMARY KEY)",
    "INSERT INTO sensing_event_queue (event_id) SELECT id FROM sensing_event WHERE status = 'pending'",
    """CREATE FUNCTION sensing_event_queue_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sensing_event_queue (event_id) SELECT id FROM inserted WHERE status = 'pending';
    RETURN NULL;
END $$""",
    """CREATE FUNCTION sensing_event_queue_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sensing_event_queue q USING updated u WHERE q.event_id = u.id AND u.status <> 'pending';
    INSERT INTO sensing_event_queue (event_id) SELECT id FROM updated WHERE status = 'pending'
        ON CONFLICT (event_id) DO NOTHING;
    RETURN NULL;
END $$""",
    """CREATE FUNCTION sensing_event_queue_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sensing_event_queue q USING deleted d WHERE q.event_id = d.id;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER sensing_event_queue_insert AFTER INSERT ON sensing_event"
    " REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION sensing_event_queue_insert()",
    "CREATE TRIGGER sensing_event_queue_update AFTER UPDATE ON sensing_event"
    " REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION sensing_event_queue_update()",
    "CREATE TRIGGER sensing_event_queue_delete AFTER DELETE ON sensing_event"
    " REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION sensing_event_queue_delete()",
    "ALTER TABLE sensing_event SET (fillfactor = 80)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in _STATEMENTS:
        op.execute(sa.text(statement))
    op.drop_index('ix_sensing_event_queue', table_name='sensing_event')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("insert", "update", "delete"):
        op.execute(sa.text(f"DROP TRIGGER sensing_event_queue_{name} ON sensing_event"))
        op.execute(sa.text(f"DROP FUNCTION sensing_event_queue_{name}()"))
    op.execute(sa.text("DROP TABLE sensing_event_queue"))
    op.execute(sa.text("ALTER TABLE sensing_event RESET (fillfactor)"))
    op.create_index(
        'ix_sensing_event_queue',
        'sensing_event',
        ['id'],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
