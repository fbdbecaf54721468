"""rollup_enterprise: every enterprise, with its open warnings, its problems now (active / awaiting review by
severity), its attention colour and rank and copies of its name, region and industry; rollup_enterprise_cell:
their sums per (region, industry). rollup_problem_open and its month companion go: the problems as they stand
are now the enterprise's state (the dashboard reads them from the cells).

Data: the stored states are dropped with the "enterprise" watermark, so the first reader (the dashboard, the
enterprise list, the daily roll) recomputes every enterprise's state and the cells — about 20 s at 50 000
enterprises; `flask rollups rebuild` right after the upgrade does it ahead of the first request.

Revision ID: a7d2c9e4f1b8
Revises: f3b8d1e6a4c2
Create Date: 2026-12-04 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7d2c9e4f1b8'
down_revision = 'f3b8d1e6a4c2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM rollup_enterprise")
    op.execute("DELETE FROM rollup_watermarks WHERE name = 'enterprise'")
    with op.batch_alter_table('rollup_enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('industry_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('warnings_open', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('active_general', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('active_serious', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('active_major', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('waiting_general', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('waiting_serious', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('waiting_major', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('colour', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('attention_rank', sa.SmallInteger(), nullable=True))
        batch_op.create_index('ix_rollup_enterprise_attention', ['attention_rank', 'name', 'enterprise_id', 'region_code'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_rollup_enterprise_region_code'), ['region_code'], unique=False)
    # the dashboard reads this month by day: without these a province scans every day row of the year
    op.create_index(op.f('ix_rollup_problem_day_day'), 'rollup_problem_day', ['day'], unique=False)
    op.create_index(op.f('ix_rollup_selfcheck_day_due_date'), 'rollup_selfcheck_day', ['due_date'], unique=False)
    op.drop_table('rollup_problem_open_month')
    op.drop_table('rollup_problem_open')
    op.create_table(
        'rollup_enterprise_cell',
        sa.Column('region_code', sa.String(length=12), nullable=False),
        sa.Column('industry_code', sa.String(length=16), nullable=False),
        sa.Column('industry_name', sa.String(length=64), nullable=False),
        sa.Column('enterprises', sa.Integer(), nullable=False),
        sa.Column('red', sa.Integer(), nullable=False),
        sa.Column('amber', sa.Integer(), nullable=False),
        sa.Column('warnings_open', sa.Integer(), nullable=False),
        sa.Column('active_general', sa.Integer(), nullable=False),
        sa.Column('active_serious', sa.Integer(), nullable=False),
        sa.Column('active_major', sa.Integer(), nullable=False),
        sa.Column('overdue_general', sa.Integer(), nullable=False),
        sa.Column('overdue_serious', sa.Integer(), nullable=False),
        sa.Column('overdue_major', sa.Integer(), nullable=False),
        sa.Column('waiting_general', sa.Integer(), nullable=False),
        sa.Column('waiting_serious', sa.Integer(), nullable=False),
        sa.Column('waiting_major', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('region_code', 'industry_code', name=op.f('pk_rollup_enterprise_cell')),
    )


def downgrade():
    op.drop_table('rollup_enterprise_cell')
    # recreated empty: `flask rollups rebuild` on the older code fills them
    for name, day in (('rollup_problem_open', 'deadline'), ('rollup_problem_open_month', 'month')):
        op.create_table(
            name,
            sa.Column('region_code', sa.String(length=12), nullable=False),
            sa.Column('industry_code', sa.String(length=16), nullable=False),
            sa.Column('severity', sa.String(length=4), nullable=False),
            sa.Column(day, sa.Date(), nullable=False),
            sa.Column('active', sa.Integer(), nullable=False),
            sa.Column('waiting', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('region_code', 'industry_code', 'severity', day, name=op.f(f'pk_{name}')),
        )
    op.drop_index(op.f('ix_rollup_selfcheck_day_due_date'), table_name='rollup_selfcheck_day')
    op.drop_index(op.f('ix_rollup_problem_day_day'), table_name='rollup_problem_day')
    op.execute("DELETE FROM rollup_enterprise")
    op.execute("DELETE FROM rollup_watermarks WHERE name = 'enterprise'")
    with op.batch_alter_table('rollup_enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollup_enterprise_region_code'))
        batch_op.drop_index('ix_rollup_enterprise_attention')
        batch_op.drop_column('attention_rank')
        batch_op.drop_column('colour')
        batch_op.drop_column('active_general')
        batch_op.drop_column('active_serious')
        batch_op.drop_column('active_major')
        batch_op.drop_column('waiting_general')
        batch_op.drop_column('waiting_serious')
        batch_op.drop_column('waiting_major')
        batch_op.drop_column('warnings_open')
        batch_op.drop_column('name')
        batch_op.drop_column('industry_code')
        batch_op.drop_column('region_code')
