"""cases procedure evidence payments credit

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 04:00:00

Tables of the case procedure (zhifa/cases/models.py) and the seeded defaults: the case settings
(docs/cases.md lists each value with its source; hearing and credit thresholds are local standards
that administrators change, audited) and a few exemption-list items marked ``example`` — to be
replaced by the province's published list, they are not a list in force.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import zhifa.core.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SEEDED_AT = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
SEEDED_BY = "migration 0008"
LOCAL = "数额为地方标准"
SETTINGS = [
    ("hearing_fine_person_yuan", "10000", "行政处罚法 第六十三条第一款第（一）项 较大数额罚款；" + LOCAL),
    ("hearing_fine_org_yuan", "100000", "行政处罚法 第六十三条第一款第（一）项 较大数额罚款；" + LOCAL),
    ("hearing_confiscation_person_yuan", "10000", "行政处罚法 第六十三条第一款第（二）项；" + LOCAL),
    ("hearing_confiscation_org_yuan", "100000", "行政处罚法 第六十三条第一款第（二）项；" + LOCAL),
    ("statement_working_days", 3, "行政处罚法 第四十四条、第四十五条；期限为本地执法惯例默认值"),
    ("warn_days_before", 2, "本地监督设置"),
    ("calendar_lookahead_days", 60, "本地监督设置"),
    ("credit_min_fine_person_yuan", "2000", "信用信息归集标准：地方标准"),
    ("credit_min_fine_org_yuan", "10000", "信用信息归集标准：地方标准"),
    ("credit_serious_fine_person_yuan", "10000", "信用信息归集标准：地方标准"),
    ("credit_serious_fine_org_yuan", "100000", "信用信息归集标准：地方标准"),
    ("credit_publish_months_general", 12, "信用信息公示期限：地方标准"),
    ("credit_publish_months_serious", 36, "信用信息公示期限：地方标准"),
    # The authority's particulars for its documents: entered by an administrator.
    ("agency_name", "", "行政处罚法 第五十九条第（六）项：作出决定的行政机关名称（空：取办案单位的上级机关）"),
    ("review_body", "", "行政处罚法 第五十九条第（五）项：申请行政复议的途径（行政复议机关）"),
    ("court", "", "行政处罚法 第五十九条第（五）项：提起行政诉讼的途径（管辖人民法院）"),
    ("payment_bank", "", "行政处罚法 第五十九条第（四）项、第六十七条第三款：指定的银行或者电子支付系统"),
    ("payment_account", "", "行政处罚法 第六十七条第三款：缴款账号或缴款码"),
    ("contact_address", "", "本机关联系地址"),
    ("contact_person", "", "本机关联系人"),
    ("contact_phone", "", "本机关联系电话"),
]
EXEMPTIONS = [
    (
        "EX-ROAD-01",
        "示例第一批",
        "货运车辆未随车携带道路运输证，当场补正且未造成危害后果的",
        "road.transport_permit",
        ["minor", "corrected_in_time", "no_harm"],
        "must",
        "行政处罚法 第三十三条第一款；道路运输条例",
    ),
    (
        "EX-ROAD-02",
        "示例第一批",
        "车货总质量超过限定标准不超过1000千克，首次违法并当场卸载改正的",
        "road.overload",
        ["first_offence", "minor_harm", "corrected_in_time"],
        "may",
        "行政处罚法 第三十三条第一款；超限运输车辆行驶公路管理规定 第四十三条",
    ),
    (
        "EX-WATER-01",
        "示例第二批",
        "船舶未按规定开启AIS，首次违法且及时改正、未造成危害后果的",
        "water.vessel",
        ["first_offence", "corrected_in_time", "no_harm"],
        "must",
        "行政处罚法 第三十三条第一款；内河交通安全管理条例",
    ),
]


def upgrade() -> None:
    op.create_table('cases_exemption_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('matter', sa.String(length=64), nullable=True),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('effect', sa.String(length=4), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('example', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_exemption_item')),
    sa.UniqueConstraint('code', name=op.f('uq_cases_exemption_item_code'))
    )
    with op.batch_alter_table('cases_exemption_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_exemption_item_matter'), ['matter'], unique=False)

    op.create_table('cases_setting',
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_cases_setting'))
    )
    op.create_table('cases_case',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_no', sa.String(length=40), nullable=True),
    sa.Column('procedure', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('offsite_case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('source_note', sa.Text(), nullable=True),
    sa.Column('item_code', sa.String(length=32), nullable=True),
    sa.Column('matter', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('party_kind', sa.String(length=12), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_id_no', sa.String(length=32), nullable=True),
    sa.Column('party_address', sa.String(length=300), nullable=True),
    sa.Column('party_phone', sa.String(length=32), nullable=True),
    sa.Column('party_masked', sa.String(length=200), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('vehicle_plate', sa.String(length=16), nullable=True),
    sa.Column('vehicle_plate_color', sa.String(length=16), nullable=True),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('act_end', sa.Date(), nullable=False),
    sa.Column('discovered_on', sa.Date(), nullable=False),
    sa.Column('harm_to_life_health_or_finance', sa.Boolean(), nullable=False),
    sa.Column('major', sa.Boolean(), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=True),
    sa.Column('penalty', sa.JSON(), nullable=True),
    sa.Column('penalty_notified', sa.JSON(), nullable=True),
    sa.Column('outside_range', sa.Boolean(), nullable=False),
    sa.Column('discretion_justification', sa.Text(), nullable=True),
    sa.Column('hearing_reasons', sa.JSON(), nullable=True),
    sa.Column('defended', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('no_penalty_ground', sa.String(length=24), nullable=True),
    sa.Column('exemption_code', sa.String(length=32), nullable=True),
    sa.Column('exemption_check', sa.JSON(), nullable=True),
    sa.Column('fine_not_imposed_yuan', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('referred_to', sa.String(length=200), nullable=True),
    sa.Column('decision_no', sa.String(length=64), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('delivery_method', sa.String(length=16), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('fine_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payment_plan', sa.JSON(), nullable=True),
    sa.Column('paid_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('next_deadline', sa.Date(), nullable=True),
    sa.Column('next_deadline_kind', sa.String(length=24), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['registry_enterprise.id'], name=op.f('fk_cases_case_enterprise_id_registry_enterprise')),
    sa.ForeignKeyConstraint(['lead_id'], ['monitoring_lead.id'], name=op.f('fk_cases_case_lead_id_monitoring_lead')),
    sa.ForeignKeyConstraint(['offsite_case_id'], ['dispatch_offsite_case.id'], name=op.f('fk_cases_case_offsite_case_id_dispatch_offsite_case')),
    sa.ForeignKeyConstraint(['person_id'], ['registry_person.id'], name=op.f('fk_cases_case_person_id_registry_person')),
    sa.ForeignKeyConstraint(['task_id'], ['dispatch_task.id'], name=op.f('fk_cases_case_task_id_dispatch_task')),
    sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'], name=op.f('fk_cases_case_unit_code_org_unit')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['registry_vehicle.id'], name=op.f('fk_cases_case_vehicle_id_registry_vehicle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_case')),
    sa.UniqueConstraint('case_no', name=op.f('uq_cases_case_case_no'))
    )
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_case_decision_no'), ['decision_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_matter'), ['matter'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_next_deadline'), ['next_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_outside_range'), ['outside_range'], unique=False)
        batch_op.create_index('ix_cases_case_party', ['party_kind', 'party_id_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_party_id_no'), ['party_id_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_case_vehicle_plate'), ['vehicle_plate'], unique=False)

    op.create_table('cases_credit_record',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_kind', sa.String(length=12), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('publish_from', sa.Date(), nullable=False),
    sa.Column('publish_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_credit_record_case_id_cases_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_credit_record')),
    sa.UniqueConstraint('case_id', 'subject_kind', name=op.f('uq_cases_credit_record_case_id'))
    )
    with op.batch_alter_table('cases_credit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_credit_record_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_credit_record_subject_key'), ['subject_key'], unique=False)

    op.create_table('cases_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('device_code', sa.String(length=32), nullable=True),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('last_checked_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_check_ok', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_evidence_case_id_cases_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['sensing_evidence.sha256'], name=op.f('fk_cases_evidence_sha256_sensing_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_evidence')),
    sa.UniqueConstraint('case_id', 'sha256', name=op.f('uq_cases_evidence_case_id'))
    )
    with op.batch_alter_table('cases_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_evidence_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_evidence_sha256'), ['sha256'], unique=False)

    op.create_table('cases_payment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('payer', sa.String(length=200), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_payment_case_id_cases_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_payment')),
    sa.UniqueConstraint('channel', 'reference', name=op.f('uq_cases_payment_channel'))
    )
    with op.batch_alter_table('cases_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_payment_case_id'), ['case_id'], unique=False)

    op.create_table('cases_publication',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('decision_no', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('published_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_publication_case_id_cases_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_publication')),
    sa.UniqueConstraint('case_id', name=op.f('uq_cases_publication_case_id')),
    sa.UniqueConstraint('decision_no', name=op.f('uq_cases_publication_decision_no'))
    )
    op.create_table('cases_statement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('form', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('answered_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_statement_case_id_cases_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_statement'))
    )
    with op.batch_alter_table('cases_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_statement_case_id'), ['case_id'], unique=False)

    op.create_table('cases_step',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('document_kind', sa.String(length=40), nullable=True),
    sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('document_number', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_step_case_id_cases_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_step')),
    sa.UniqueConstraint('case_id', 'seq', name=op.f('uq_cases_step_case_id'))
    )
    with op.batch_alter_table('cases_step', schema=None) as batch_op:
        batch_op.create_index('ix_cases_step_action', ['action', 'at'], unique=False)

    op.create_table('cases_deadline',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('owner', sa.String(length=8), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('due_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('opened_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('met_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('met_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('warned_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('flagged_at', zhifa.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_deadline_case_id_cases_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['met_by'], ['cases_step.id'], name=op.f('fk_cases_deadline_met_by_cases_step')),
    sa.ForeignKeyConstraint(['opened_by'], ['cases_step.id'], name=op.f('fk_cases_deadline_opened_by_cases_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_deadline'))
    )
    with op.batch_alter_table('cases_deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_deadline_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_cases_deadline_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_cases_deadline_warn', ['status', 'warn_at'], unique=False)

    op.create_table('cases_alert',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('deadline_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', zhifa.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases_case.id'], name=op.f('fk_cases_alert_case_id_cases_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deadline_id'], ['cases_deadline.id'], name=op.f('fk_cases_alert_deadline_id_cases_deadline')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases_alert')),
    sa.UniqueConstraint('key', name=op.f('uq_cases_alert_key'))
    )
    with op.batch_alter_table('cases_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_alert_case_id'), ['case_id'], unique=False)

    setting = sa.table(
        'cases_setting',
        sa.column('key', sa.String),
        sa.column('value', sa.JSON),
        sa.column('source', sa.Text),
        sa.column('updated_by', sa.String),
        sa.column('updated_at', zhifa.core.db.UTCDateTime()),
    )
    op.bulk_insert(
        setting,
        [{'key': k, 'value': v, 'source': s, 'updated_by': SEEDED_BY, 'updated_at': SEEDED_AT} for k, v, s in SETTINGS],
    )
    item = sa.table(
        'cases_exemption_item',
        sa.column('code', sa.String),
        sa.column('batch', sa.String),
        sa.column('title', sa.String),
        sa.column('matter', sa.String),
        sa.column('conditions', sa.JSON),
        sa.column('effect', sa.String),
        sa.column('basis', sa.Text),
        sa.column('example', sa.Boolean),
        sa.column('active', sa.Boolean),
        sa.column('updated_by', sa.String),
        sa.column('updated_at', zhifa.core.db.UTCDateTime()),
    )
    op.bulk_insert(
        item,
        [
            {
                'code': c, 'batch': b, 'title': t, 'matter': m, 'conditions': cond, 'effect': e, 'basis': basis,
                'example': True, 'active': True, 'updated_by': SEEDED_BY, 'updated_at': SEEDED_AT,
            }
            for c, b, t, m, cond, e, basis in EXEMPTIONS
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table('cases_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_alert_case_id'))

    op.drop_table('cases_alert')
    with op.batch_alter_table('cases_deadline', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_deadline_warn')
        batch_op.drop_index('ix_cases_deadline_due')
        batch_op.drop_index(batch_op.f('ix_cases_deadline_case_id'))

    op.drop_table('cases_deadline')
    with op.batch_alter_table('cases_step', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_step_action')

    op.drop_table('cases_step')
    with op.batch_alter_table('cases_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_statement_case_id'))

    op.drop_table('cases_statement')
    op.drop_table('cases_publication')
    with op.batch_alter_table('cases_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_payment_case_id'))

    op.drop_table('cases_payment')
    with op.batch_alter_table('cases_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_evidence_sha256'))
        batch_op.drop_index(batch_op.f('ix_cases_evidence_case_id'))

    op.drop_table('cases_evidence')
    with op.batch_alter_table('cases_credit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_credit_record_subject_key'))
        batch_op.drop_index(batch_op.f('ix_cases_credit_record_case_id'))

    op.drop_table('cases_credit_record')
    with op.batch_alter_table('cases_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_case_vehicle_plate'))
        batch_op.drop_index(batch_op.f('ix_cases_case_unit_code'))
        batch_op.drop_index(batch_op.f('ix_cases_case_state'))
        batch_op.drop_index(batch_op.f('ix_cases_case_party_id_no'))
        batch_op.drop_index('ix_cases_case_party')
        batch_op.drop_index(batch_op.f('ix_cases_case_outside_range'))
        batch_op.drop_index(batch_op.f('ix_cases_case_next_deadline'))
        batch_op.drop_index(batch_op.f('ix_cases_case_matter'))
        batch_op.drop_index(batch_op.f('ix_cases_case_lead_id'))
        batch_op.drop_index(batch_op.f('ix_cases_case_decision_no'))

    op.drop_table('cases_case')
    op.drop_table('cases_setting')
    with op.batch_alter_table('cases_exemption_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_exemption_item_matter'))

    op.drop_table('cases_exemption_item')
