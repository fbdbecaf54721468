"""Uploads: the phone's location at capture (client_lat, client_lon, client_accuracy_m) and the watermarked copy.

Photos uploaded before this revision have no copy (watermark_key NULL): `/watermarked` answers 404 for them and
the app shows the original.

Revision ID: f3b8d1e6a4c2
Revises: e2a7c4f9b1d3
Create Date: 2026-12-04 01:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f3b8d1e6a4c2'
down_revision = 'e2a7c4f9b1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('client_lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('client_accuracy_m', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('watermark_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_column('watermark_key')
        batch_op.drop_column('client_accuracy_m')
        batch_op.drop_column('client_lon')
        batch_op.drop_column('client_lat')
