"""Checklist items: finding — how a 不合格 reads as a problem (问题表述), used as the problem's title.

Revision ID: d8f3b5c7e9a2
Revises: c6e1a8b3d5f7
Create Date: 2026-12-03 17:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd8f3b5c7e9a2'
down_revision = 'c6e1a8b3d5f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finding', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('finding')
