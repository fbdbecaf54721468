"""Problems: repeat_count — 重复发现, the same item failing again in a later self-check while the problem is open.

Revision ID: b4d9f2a6c8e1
Revises: a7c3e9d1f5b2
Create Date: 2026-12-03 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b4d9f2a6c8e1'
down_revision = 'a7c3e9d1f5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_count', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_column('repeat_count')
