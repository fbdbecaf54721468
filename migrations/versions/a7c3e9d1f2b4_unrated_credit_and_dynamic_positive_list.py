"""Unrated credit grade (未评价), positive-list suspension, environmental crime records

An enterprise's credit grade defaulted to 环保良好 when none was given (API, import, demo). A grade that
no audit record shows being set (enterprise.updated naming credit_grade) is not a rating: such rows
become 未评价, and the column's default is 未评价 from now on. Rows set explicitly keep their grade.

Revision ID: a7c3e9d1f2b4
Revises: f1a2b3c4d5e6
Create Date: 2026-12-02 15:20:00
"""
import sqlalchemy as sa
from alembic import op

from app.common.dbtypes import UTCDateTime

revision = 'a7c3e9d1f2b4'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None

UNRATED = "未评价"
OLD_DEFAULT = "环保良好"


def upgrade():
    with op.batch_alter_table("enterprises") as batch:
        batch.alter_column("credit_grade", existing_type=sa.String(8), server_default=UNRATED)
    enterprises = sa.table("enterprises", sa.column("id", sa.Integer), sa.column("credit_grade", sa.String))
    audit = sa.table("audit_events", sa.column("object_type", sa.String), sa.column("object_id", sa.String),
                     sa.column("action", sa.String), sa.column("comment", sa.Text))
    rated = sa.select(audit.c.object_id).where(audit.c.object_type == "enterprise",
                                               audit.c.action == "enterprise.updated",
                                               audit.c.comment.like("%credit_grade%"))
    op.execute(enterprises.update()
               .where(enterprises.c.credit_grade == OLD_DEFAULT,
                      sa.cast(enterprises.c.id, sa.String).not_in(rated))
               .values(credit_grade=UNRATED))
    with op.batch_alter_table("positive_list_entries") as batch:
        batch.add_column(sa.Column("admitted_credit_grade", sa.String(8), nullable=True))
        batch.add_column(sa.Column("suspended_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("suspension_reasons", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))
    op.create_table(
        "environmental_crimes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_environmental_crimes_enterprise_id", "environmental_crimes", ["enterprise_id"])


def downgrade():
    op.drop_index("ix_environmental_crimes_enterprise_id", table_name="environmental_crimes")
    op.drop_table("environmental_crimes")
    with op.batch_alter_table("positive_list_entries") as batch:
        batch.drop_column("reviewed_on")
        batch.drop_column("suspension_reasons")
        batch.drop_column("suspended_on")
        batch.drop_column("admitted_credit_grade")
    with op.batch_alter_table("enterprises") as batch:
        batch.alter_column("credit_grade", existing_type=sa.String(8), server_default=None)
    enterprises = sa.table("enterprises", sa.column("credit_grade", sa.String))
    op.execute(enterprises.update().where(enterprises.c.credit_grade == UNRATED).values(credit_grade=OLD_DEFAULT))
