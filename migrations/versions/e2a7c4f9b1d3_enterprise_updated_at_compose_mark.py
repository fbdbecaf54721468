"""Enterprises: updated_at (set on every update); obligation_compose_marks: the daily composition's watermark.

Existing enterprises take their created_at as updated_at. No compose mark is written: the first daily run
after the upgrade composes everything, as before.

Revision ID: e2a7c4f9b1d3
Revises: d8f3b5c7e9a2
Create Date: 2026-12-04 01:26:14
"""
import sqlalchemy as sa
from alembic import op

revision = 'e2a7c4f9b1d3'
down_revision = 'd8f3b5c7e9a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'obligation_compose_marks',
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('composed_on', sa.Date(), nullable=False),
        sa.Column('rules_digest', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_obligation_compose_marks')),
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_enterprises_updated_at'), ['updated_at'], unique=False)
    op.execute("UPDATE enterprises SET updated_at = created_at")


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_updated_at'))
        batch_op.drop_column('updated_at')
    op.drop_table('obligation_compose_marks')
