"""Profile facts for the automatic judgements; item statutory/judgement/proof; answer evidence_ref

Revision ID: c7e2a9d4b1f0
Revises: b3c1d2e4f5a6
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2a9d4b1f0'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('boiler_fuel', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('boiler_existing', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('air_special_limits', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('water_special_limits', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('noise_zone', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('hw_storage_limit_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('permit_renewal_applied_on', sa.Date(), nullable=True))
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statutory', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('judgement', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('proof', sa.JSON(), nullable=True))
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_ref', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('evidence_ref')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('proof')
        batch_op.drop_column('judgement')
        batch_op.drop_column('statutory')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('permit_renewal_applied_on')
        batch_op.drop_column('hw_storage_limit_days')
        batch_op.drop_column('noise_zone')
        batch_op.drop_column('water_special_limits')
        batch_op.drop_column('air_special_limits')
        batch_op.drop_column('boiler_existing')
        batch_op.drop_column('boiler_fuel')
