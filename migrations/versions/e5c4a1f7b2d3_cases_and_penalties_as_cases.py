"""cases (案件) table; every existing penalty record becomes a closed case; credit repair links its case

Revision ID: e5c4a1f7b2d3
Revises: d41e7c2b9a10
Create Date: 2026-12-02 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c4a1f7b2d3'
down_revision = 'd41e7c2b9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('province', sa.String(length=6), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=True),
        sa.Column('penalty_id', sa.Integer(), nullable=True),
        sa.Column('finding_id', sa.Integer(), nullable=True),
        sa.Column('clue_id', sa.Integer(), nullable=True),
        sa.Column('alarm_id', sa.Integer(), nullable=True),
        sa.Column('violation_code', sa.String(length=64), nullable=True),
        sa.Column('violation_title', sa.String(length=200), nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.Column('evidence_upload_ids', sa.JSON(), nullable=False),
        sa.Column('circumstances', sa.JSON(), nullable=False),
        sa.Column('factors', sa.JSON(), nullable=False),
        sa.Column('discovered_on', sa.Date(), nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=True),
        sa.Column('list_entry_id', sa.String(length=32), nullable=True),
        sa.Column('decision_no', sa.String(length=64), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('amount', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column('suggested_amount', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column('amount_reason', sa.Text(), nullable=True),
        sa.Column('credit_category', sa.String(length=8), nullable=True),
        sa.Column('education', sa.Text(), nullable=True),
        sa.Column('rectification_problem_id', sa.Integer(), nullable=True),
        sa.Column('documents_issued_on', sa.Date(), nullable=True),
        sa.Column('legacy', sa.Boolean(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['opened_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['penalty_id'], ['env_penalties.id']),
        sa.ForeignKeyConstraint(['problem_id'], ['problems.id']),
        sa.ForeignKeyConstraint(['rectification_problem_id'], ['problems.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
        sa.UniqueConstraint('penalty_id'),
    )
    op.create_index('ix_cases_enterprise_status', 'cases', ['enterprise_id', 'status'], unique=False)
    op.create_index('ix_cases_violation_decided', 'cases', ['violation_code', 'decided_on'], unique=False)
    with op.batch_alter_table('credit_repair_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_credit_repair_applications_case_id'), ['case_id'], unique=False)
    penalties_to_cases(op.get_bind())


PENALTIES = sa.table('env_penalties', sa.column('id'), sa.column('enterprise_id'), sa.column('decision_no'),
                     sa.column('decided_on', sa.Date()), sa.column('amount'), sa.column('credit_category'),
                     sa.column('problem_ids', sa.JSON()), sa.column('description'), sa.column('recorded_by_id'),
                     sa.column('created_at', sa.DateTime(timezone=True)))
ENTERPRISES = sa.table('enterprises', sa.column('id'), sa.column('region_code'))
CASES = sa.table('cases', *(sa.column(n) for n in (
    'number', 'enterprise_id', 'province', 'status', 'source', 'penalty_id', 'violation_title', 'facts',
    'decision', 'decision_no', 'amount', 'credit_category', 'legacy', 'opened_by_id')),
    sa.column('evidence_upload_ids', sa.JSON()), sa.column('circumstances', sa.JSON()),
    sa.column('factors', sa.JSON()), sa.column('rectification_problem_id'), sa.column('discovered_on', sa.Date()),
    sa.column('decided_on', sa.Date()), sa.column('opened_at', sa.DateTime(timezone=True)), sa.column('closed_at', sa.DateTime(timezone=True)),
    sa.column('id'))


def penalties_to_cases(bind) -> int:
    """Each penalty record becomes a closed case (结案) with its decision number, amount and credit category."""
    rows = bind.execute(sa.select(PENALTIES, ENTERPRISES.c.region_code)
                        .join(ENTERPRISES, ENTERPRISES.c.id == PENALTIES.c.enterprise_id)
                        .order_by(PENALTIES.c.id)).mappings().all()
    for r in rows:
        linked = [i for i in (r['problem_ids'] or []) if isinstance(i, int)]
        bind.execute(CASES.insert().values(
            number=f"LEGACY-{r['id']}", enterprise_id=r['enterprise_id'], province=f"{r['region_code'][:2]}0000",
            status='closed', source='penalty', penalty_id=r['id'], violation_title=(r['description'] or '')[:200],
            facts=r['description'] or '', evidence_upload_ids=[], circumstances={}, factors={},
            decision='punish', decision_no=r['decision_no'], decided_on=r['decided_on'],
            discovered_on=r['decided_on'], amount=r['amount'], credit_category=r['credit_category'],
            rectification_problem_id=linked[0] if linked else None, legacy=True, opened_by_id=r['recorded_by_id'],
            opened_at=r['created_at'], closed_at=r['created_at']))
    bind.execute(sa.text("UPDATE credit_repair_applications SET case_id = "
                         "(SELECT cases.id FROM cases WHERE cases.penalty_id = credit_repair_applications.penalty_id)"))
    return len(rows)


def downgrade():
    with op.batch_alter_table('credit_repair_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_repair_applications_case_id'))
        batch_op.drop_column('case_id')
    op.drop_index('ix_cases_violation_decided', table_name='cases')
    op.drop_index('ix_cases_enterprise_status', table_name='cases')
    op.drop_table('cases')
