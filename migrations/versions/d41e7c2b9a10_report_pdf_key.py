"""reports.pdf_key: the rendered PDF kept in file storage (rendered once, served afterwards)

Revision ID: d41e7c2b9a10
Revises: 52f069025534
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41e7c2b9a10'
down_revision = '52f069025534'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('pdf_key')
