"""rectifications: the 抽样核查 nonce, draw value and result (HMAC with a server secret)

Revision ID: b3c1d2e4f5a6
Revises: 637a27220322
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c1d2e4f5a6'
down_revision = '637a27220322'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sample_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sample_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('sampled', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_column('sampled')
        batch_op.drop_column('sample_value')
        batch_op.drop_column('sample_nonce')
