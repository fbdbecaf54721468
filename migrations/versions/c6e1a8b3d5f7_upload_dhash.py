"""Uploads: dhash — a perceptual (difference) hash of each picture, so a reviewer is warned when the "after" photo
of a rectification is the "before" photo re-saved. Pictures stored before this revision have none (no warning).

Revision ID: c6e1a8b3d5f7
Revises: b4d9f2a6c8e1
Create Date: 2026-12-03 17:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c6e1a8b3d5f7'
down_revision = 'b4d9f2a6c8e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dhash', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_column('dhash')
