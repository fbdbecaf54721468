"""Positive-list admission against failed criteria: the override reason and the criteria overridden

Revision ID: c4d8e2f1a9b7
Revises: b18d0c7e4a21
Create Date: 2026-12-02 15:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d8e2f1a9b7"
down_revision = "b18d0c7e4a21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("positive_list_entries") as batch:
        batch.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("override_failed", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("positive_list_entries") as batch:
        batch.drop_column("override_failed")
        batch.drop_column("override_reason")
