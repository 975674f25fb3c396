"""dispatch tasks and SLA

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:10:00

Tables of the command-and-dispatch issue (zhifa/dispatch/models.py) and the seeded defaults of
its configuration: the SLA ladder per task kind and priority, and the dispatch settings
(docs/dispatch.md lists each value with its source; administrators change them, audited).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import zhifa.core.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SEEDED_AT = datetime(2026, 11, 29, 3, 10, tzinfo=UTC)
SEEDED_BY = "migration 0007"
LADDER_SOURCE = "local practice default (no national rule fixes dispatch response times); docs/dispatch.md"

#: (accept, arrive, feedback, remind before, center after) in minutes, per priority.
ON_SITE = {
    "urgent": (5, 30, 120, 2, 10),
    "high": (10, 60, 240, 5, 30),
    "normal": (30, 120, 1440, 10, 60),
    "low": (120, 1440, 4320, 30, 240),
}
#: Complaints and tips: the feedback must come back well inside the hotline's reply deadline.
COMPLAINT = {
    "urgent": (5, 30, 120, 2, 10),
    "high": (10, 60, 480, 5, 30),
    "normal": (60, 1440, 2880, 15, 120),
    "low": (120, 2880, 4320, 30, 240),
}
SETTINGS = [
    ("offsite_notice_days", 15, "the issue's default; 行政处罚法 第四十一条第三款 (inform the party promptly); local setting"),
    ("hotline_reply_working_days", {"12345": 5, "12328": 5}, "local practice setting, not national law (国办发〔2020〕53号 leaves deadlines to localities)"),
    ("hotline_remind_before_hours", 24, "local practice default"),
    ("position_max_age_min", 30, "local practice default"),
    ("webhook_url", "", "empty: no webhook channel"),
    ("webhook_timeout_s", 5.0, "default"),
    ("webhook_max_attempts", 5, "default"),
    ("triage_target_min", {"high": 10, "normal": 30, "low": 120}, "local practice: minutes to triage a new lead"),
]


def upgrade() -> None:
    op.create_table('dispatch_notification',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_type', sa.String(length=24), nullable=False),
    sa.Column('entity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=True),
    sa.Column('sent_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_notification')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_dispatch_notification_dedup_key'))
    )
    op.create_index('ix_dispatch_notification_audience', 'dispatch_notification', ['audience', 'id'], unique=False)
    op.create_index('ix_dispatch_notification_delivery', 'dispatch_notification', ['state', 'channel', 'next_attempt_at'], unique=False)
    op.create_index('ix_dispatch_notification_entity', 'dispatch_notification', ['entity_type', 'entity_id'], unique=False)
    op.create_table('dispatch_response_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('lead_kind', sa.String(length=24), nullable=True),
    sa.Column('matter', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=True),
    sa.Column('route', sa.String(length=16), nullable=True),
    sa.Column('unit_code', sa.String(length=32), nullable=True),
    sa.Column('bbox', sa.JSON(), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_response_plan'))
    )
    op.create_table('dispatch_setting',
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_dispatch_setting'))
    )
    op.create_table('dispatch_sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_kind', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('accept_min', sa.Integer(), nullable=False),
    sa.Column('arrive_min', sa.Integer(), nullable=False),
    sa.Column('feedback_min', sa.Integer(), nullable=False),
    sa.Column('remind_before_min', sa.Integer(), nullable=False),
    sa.Column('center_after_min', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_sla_policy')),
    sa.UniqueConstraint('task_kind', 'priority', name=op.f('uq_dispatch_sla_policy_task_kind'))
    )
    op.create_table('dispatch_hotline_report',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('ticket_no', sa.String(length=64), nullable=True),
    sa.Column('caller_name', sa.String(length=64), nullable=True),
    sa.Column('caller_phone', sa.String(length=32), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('location_text', sa.String(length=200), nullable=True),
    sa.Column('received_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('reply_due', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_due_basis', sa.String(length=200), nullable=True),
    sa.Column('replied_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('reply_on_time', sa.Boolean(), nullable=True),
    sa.Column('sla_cursor', sa.Integer(), nullable=False),
    sa.Column('next_reminder_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['monitoring_lead.id'], name=op.f('fk_dispatch_hotline_report_lead_id_monitoring_lead')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_hotline_report')),
    sa.UniqueConstraint('lead_id', name=op.f('uq_dispatch_hotline_report_lead_id')),
    sa.UniqueConstraint('source', 'ticket_no', name=op.f('uq_dispatch_hotline_report_source'))
    )
    op.create_index(op.f('ix_dispatch_hotline_report_next_reminder_at'), 'dispatch_hotline_report', ['next_reminder_at'], unique=False)
    op.create_index(op.f('ix_dispatch_hotline_report_reply_due'), 'dispatch_hotline_report', ['reply_due'], unique=False)
    op.create_table('dispatch_lead_triage',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=False),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('false_positive', sa.Boolean(), nullable=True),
    sa.Column('rule_kind', sa.String(length=24), nullable=False),
    sa.Column('rule_version', sa.String(length=48), nullable=False),
    sa.Column('merged_into', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['monitoring_lead.id'], name=op.f('fk_dispatch_lead_triage_lead_id_monitoring_lead')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_lead_triage'))
    )
    op.create_index(op.f('ix_dispatch_lead_triage_lead_id'), 'dispatch_lead_triage', ['lead_id'], unique=False)
    op.create_index('ix_dispatch_lead_triage_rule', 'dispatch_lead_triage', ['rule_kind', 'action'], unique=False)
    op.create_table('dispatch_offsite_case',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewed_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice_no', sa.String(length=32), nullable=True),
    sa.Column('lookup_code', sa.String(length=16), nullable=True),
    sa.Column('notice_sha256', sa.String(length=64), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('owner_address', sa.String(length=300), nullable=True),
    sa.Column('owner_phone', sa.String(length=32), nullable=True),
    sa.Column('delivery', sa.String(length=8), nullable=True),
    sa.Column('post_tracking_no', sa.String(length=64), nullable=True),
    sa.Column('notified_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeared_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_note', sa.Text(), nullable=True),
    sa.Column('sla_cursor', sa.Integer(), nullable=False),
    sa.Column('next_reminder_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['monitoring_lead.id'], name=op.f('fk_dispatch_offsite_case_lead_id_monitoring_lead')),
    sa.ForeignKeyConstraint(['notice_sha256'], ['sensing_evidence.sha256'], name=op.f('fk_dispatch_offsite_case_notice_sha256_sensing_evidence')),
    sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'], name=op.f('fk_dispatch_offsite_case_unit_code_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_offsite_case')),
    sa.UniqueConstraint('lead_id', name=op.f('uq_dispatch_offsite_case_lead_id')),
    sa.UniqueConstraint('lookup_code', name=op.f('uq_dispatch_offsite_case_lookup_code')),
    sa.UniqueConstraint('notice_no', name=op.f('uq_dispatch_offsite_case_notice_no'))
    )
    op.create_index(op.f('ix_dispatch_offsite_case_deadline_at'), 'dispatch_offsite_case', ['deadline_at'], unique=False)
    op.create_index(op.f('ix_dispatch_offsite_case_next_reminder_at'), 'dispatch_offsite_case', ['next_reminder_at'], unique=False)
    op.create_index(op.f('ix_dispatch_offsite_case_state'), 'dispatch_offsite_case', ['state'], unique=False)
    op.create_index(op.f('ix_dispatch_offsite_case_unit_code'), 'dispatch_offsite_case', ['unit_code'], unique=False)
    op.create_table('dispatch_task',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('routed_unit_code', sa.String(length=32), nullable=True),
    sa.Column('routing_reason', sa.Text(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('dispatched_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_on_time', sa.Boolean(), nullable=True),
    sa.Column('arrived_on_time', sa.Boolean(), nullable=True),
    sa.Column('feedback_on_time', sa.Boolean(), nullable=True),
    sa.Column('accept_due', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('arrive_due', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('feedback_due', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sla', sa.JSON(), nullable=False),
    sa.Column('sla_round', sa.Integer(), nullable=False),
    sa.Column('sla_cursor', sa.Integer(), nullable=False),
    sa.Column('next_reminder_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_count', sa.Integer(), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['monitoring_lead.id'], name=op.f('fk_dispatch_task_lead_id_monitoring_lead')),
    sa.ForeignKeyConstraint(['plan_id'], ['dispatch_response_plan.id'], name=op.f('fk_dispatch_task_plan_id_dispatch_response_plan')),
    sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'], name=op.f('fk_dispatch_task_unit_code_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_task'))
    )
    op.create_index(op.f('ix_dispatch_task_accept_due'), 'dispatch_task', ['accept_due'], unique=False)
    op.create_index(op.f('ix_dispatch_task_arrive_due'), 'dispatch_task', ['arrive_due'], unique=False)
    op.create_index(op.f('ix_dispatch_task_feedback_due'), 'dispatch_task', ['feedback_due'], unique=False)
    op.create_index(op.f('ix_dispatch_task_lead_id'), 'dispatch_task', ['lead_id'], unique=False)
    op.create_index(op.f('ix_dispatch_task_next_reminder_at'), 'dispatch_task', ['next_reminder_at'], unique=False)
    op.create_index(op.f('ix_dispatch_task_unit_code'), 'dispatch_task', ['unit_code'], unique=False)
    op.create_index('ix_dispatch_task_unit_state', 'dispatch_task', ['unit_code', 'state'], unique=False)
    op.create_table('dispatch_officer_position',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('officer_code', sa.String(length=32), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('received_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_code'], ['org_officer.code'], name=op.f('fk_dispatch_officer_position_officer_code_org_officer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_officer_position'))
    )
    op.create_index('ix_dispatch_officer_position_latest', 'dispatch_officer_position', ['officer_code', 'at'], unique=False)
    op.create_table('dispatch_offsite_review',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['dispatch_offsite_case.id'], name=op.f('fk_dispatch_offsite_review_case_id_dispatch_offsite_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_offsite_review')),
    sa.UniqueConstraint('case_id', 'reviewer', name=op.f('uq_dispatch_offsite_review_case_id'))
    )
    op.create_table('dispatch_task_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('case_ref', sa.String(length=64), nullable=True),
    sa.Column('referred_to', sa.String(length=100), nullable=True),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['dispatch_task.id'], name=op.f('fk_dispatch_task_feedback_task_id_dispatch_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_task_feedback'))
    )
    op.create_index(op.f('ix_dispatch_task_feedback_task_id'), 'dispatch_task_feedback', ['task_id'], unique=False)
    op.create_table('dispatch_task_officer',
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('officer_code', sa.String(length=32), nullable=False),
    sa.Column('cert_no', sa.String(length=32), nullable=False),
    sa.Column('cert_expiry', sa.Date(), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.Column('assigned_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_code'], ['org_officer.code'], name=op.f('fk_dispatch_task_officer_officer_code_org_officer')),
    sa.ForeignKeyConstraint(['task_id'], ['dispatch_task.id'], name=op.f('fk_dispatch_task_officer_task_id_dispatch_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'officer_code', name=op.f('pk_dispatch_task_officer'))
    )
    op.create_index(op.f('ix_dispatch_task_officer_officer_code'), 'dispatch_task_officer', ['officer_code'], unique=False)
    op.create_table('dispatch_task_transition',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['dispatch_task.id'], name=op.f('fk_dispatch_task_transition_task_id_dispatch_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_task_transition')),
    sa.UniqueConstraint('task_id', 'seq', name=op.f('uq_dispatch_task_transition_task_id'))
    )
    op.create_table('dispatch_task_evidence',
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('feedback_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('case_ref', sa.String(length=64), nullable=True),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['dispatch_task_feedback.id'], name=op.f('fk_dispatch_task_evidence_feedback_id_dispatch_task_feedback')),
    sa.ForeignKeyConstraint(['sha256'], ['sensing_evidence.sha256'], name=op.f('fk_dispatch_task_evidence_sha256_sensing_evidence')),
    sa.ForeignKeyConstraint(['task_id'], ['dispatch_task.id'], name=op.f('fk_dispatch_task_evidence_task_id_dispatch_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'sha256', name=op.f('pk_dispatch_task_evidence'))
    )
    op.create_index(op.f('ix_dispatch_task_evidence_sha256'), 'dispatch_task_evidence', ['sha256'], unique=False)

    policy = sa.table(
        'dispatch_sla_policy',
        sa.column('task_kind', sa.String),
        sa.column('priority', sa.String),
        sa.column('accept_min', sa.Integer),
        sa.column('arrive_min', sa.Integer),
        sa.column('feedback_min', sa.Integer),
        sa.column('remind_before_min', sa.Integer),
        sa.column('center_after_min', sa.Integer),
        sa.column('source', sa.Text),
        sa.column('updated_by', sa.String),
        sa.column('updated_at', zhifa.core.db.UTCDateTime()),
    )
    rows = []
    for kind, ladder in (("inspection", ON_SITE), ("enforcement", ON_SITE), ("complaint", COMPLAINT)):
        for priority, (accept, arrive, feedback, remind, center) in ladder.items():
            rows.append(
                {
                    'task_kind': kind,
                    'priority': priority,
                    'accept_min': accept,
                    'arrive_min': arrive,
                    'feedback_min': feedback,
                    'remind_before_min': remind,
                    'center_after_min': center,
                    'source': LADDER_SOURCE,
                    'updated_by': SEEDED_BY,
                    'updated_at': SEEDED_AT,
                }
            )
    op.bulk_insert(policy, rows)
    setting = sa.table(
        'dispatch_setting',
        sa.column('key', sa.String),
        sa.column('value', sa.JSON),
        sa.column('source', sa.Text),
        sa.column('updated_by', sa.String),
        sa.column('updated_at', zhifa.core.db.UTCDateTime()),
    )
    op.bulk_insert(
        setting,
        [
            {'key': k, 'value': v, 'source': s, 'updated_by': SEEDED_BY, 'updated_at': SEEDED_AT}
            for k, v, s in SETTINGS
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_dispatch_task_evidence_sha256'), table_name='dispatch_task_evidence')
    op.drop_table('dispatch_task_evidence')
    op.drop_table('dispatch_task_transition')
    op.drop_index(op.f('ix_dispatch_task_officer_officer_code'), table_name='dispatch_task_officer')
    op.drop_table('dispatch_task_officer')
    op.drop_index(op.f('ix_dispatch_task_feedback_task_id'), table_name='dispatch_task_feedback')
    op.drop_table('dispatch_task_feedback')
    op.drop_table('dispatch_offsite_review')
    op.drop_index('ix_dispatch_officer_position_latest', table_name='dispatch_officer_position')
    op.drop_table('dispatch_officer_position')
    op.drop_index('ix_dispatch_task_unit_state', table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_unit_code'), table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_next_reminder_at'), table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_lead_id'), table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_feedback_due'), table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_arrive_due'), table_name='dispatch_task')
    op.drop_index(op.f('ix_dispatch_task_accept_due'), table_name='dispatch_task')
    op.drop_table('dispatch_task')
    op.drop_index(op.f('ix_dispatch_offsite_case_unit_code'), table_name='dispatch_offsite_case')
    op.drop_index(op.f('ix_dispatch_offsite_case_state'), table_name='dispatch_offsite_case')
    op.drop_index(op.f('ix_dispatch_offsite_case_next_reminder_at'), table_name='dispatch_offsite_case')
    op.drop_index(op.f('ix_dispatch_offsite_case_deadline_at'), table_name='dispatch_offsite_case')
    op.drop_table('dispatch_offsite_case')
    op.drop_index('ix_dispatch_lead_triage_rule', table_name='dispatch_lead_triage')
    op.drop_index(op.f('ix_dispatch_lead_triage_lead_id'), table_name='dispatch_lead_triage')
    op.drop_table('dispatch_lead_triage')
    op.drop_index(op.f('ix_dispatch_hotline_report_reply_due'), table_name='dispatch_hotline_report')
    op.drop_index(op.f('ix_dispatch_hotline_report_next_reminder_at'), table_name='dispatch_hotline_report')
    op.drop_table('dispatch_hotline_report')
    op.drop_table('dispatch_sla_policy')
    op.drop_table('dispatch_setting')
    op.drop_table('dispatch_response_plan')
    op.drop_index('ix_dispatch_notification_entity', table_name='dispatch_notification')
    op.drop_index('ix_dispatch_notification_delivery', table_name='dispatch_notification')
    op.drop_index('ix_dispatch_notification_audience', table_name='dispatch_notification')
    op.drop_table('dispatch_notification')
