"""Monitoring alarms: one per (outlet, pollutant, kind, data type, start) — an hourly and a daily episode starting
at the same instant are two alarms (the old key ignored the data type the judgement tells apart).

Revision ID: a7c3e9d1f5b2
Revises: d2f4118f41ff
Create Date: 2026-12-03 16:50:00
"""
from alembic import op

revision = 'a7c3e9d1f5b2'
down_revision = 'd2f4118f41ff'
branch_labels = None
depends_on = None

OLD = 'uq_monitoring_alarms_outlet_id_pollutant_kind_started_at'
NEW = 'uq_monitoring_alarms_outlet_id_pollutant_kind_cn_started_at'


def upgrade():
    with op.batch_alter_table('monitoring_alarms', schema=None) as batch_op:
        batch_op.drop_constraint(OLD, type_='unique')
        batch_op.create_unique_constraint(NEW, ['outlet_id', 'pollutant', 'kind', 'cn', 'started_at'])


def downgrade():
    # fails if an hourly and a daily alarm now share a start: they cannot both be kept under the old key
    with op.batch_alter_table('monitoring_alarms', schema=None) as batch_op:
        batch_op.drop_constraint(NEW, type_='unique')
        batch_op.create_unique_constraint(OLD, ['outlet_id', 'pollutant', 'kind', 'started_at'])
