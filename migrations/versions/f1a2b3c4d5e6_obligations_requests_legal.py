"""法定义务日历, 企业诉求 and 普法 (issue #20): obligations, feed tokens, requests and events, legal cases,
read receipts, 送法入企 trainings and attendees

Revision ID: f1a2b3c4d5e6
Revises: e5c4a1f7b2d3
Create Date: 2026-12-02 15:20:00

"""
from alembic import op
import sqlalchemy as sa

from app.common.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'e5c4a1f7b2d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'obligations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), sa.ForeignKey('enterprises.id'), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('period_key', sa.String(length=20), nullable=False),
        sa.Column('period_label', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('assignee_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('done_at', UTCDateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('receipt_upload_id', sa.Integer(), sa.ForeignKey('uploads.id'), nullable=True),
        sa.Column('receipt_no', sa.String(length=64), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('problem_id', sa.Integer(), sa.ForeignKey('problems.id'), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enterprise_id', 'code', 'period_key'),
    )
    op.create_index('ix_obligations_enterprise_id', 'obligations', ['enterprise_id'])
    op.create_index('ix_obligations_due_date', 'obligations', ['due_date'])
    op.create_table(
        'obligation_feeds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), sa.ForeignKey('enterprises.id'), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enterprise_id'),
        sa.UniqueConstraint('token'),
    )
    op.create_table(
        'enterprise_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), sa.ForeignKey('enterprises.id'), nullable=False),
        sa.Column('category', sa.String(length=8), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('upload_ids', sa.JSON(), nullable=False),
        sa.Column('problem_id', sa.Integer(), sa.ForeignKey('problems.id'), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('register_due', sa.Date(), nullable=False),
        sa.Column('reply_due', sa.Date(), nullable=False),
        sa.Column('close_due', sa.Date(), nullable=False),
        sa.Column('registered_at', UTCDateTime(), nullable=True),
        sa.Column('assigned_to_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('assigned_at', UTCDateTime(), nullable=True),
        sa.Column('replied_at', UTCDateTime(), nullable=True),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('rating', sa.String(length=8), nullable=True),
        sa.Column('rating_comment', sa.Text(), nullable=False),
        sa.Column('rated_at', UTCDateTime(), nullable=True),
        sa.Column('reopen_count', sa.Integer(), nullable=False),
        sa.Column('followup_due', sa.Date(), nullable=True),
        sa.Column('followup_at', UTCDateTime(), nullable=True),
        sa.Column('followup_note', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_enterprise_requests_enterprise_id', 'enterprise_requests', ['enterprise_id'])
    op.create_index('ix_enterprise_requests_status', 'enterprise_requests', ['status'])
    op.create_table(
        'enterprise_request_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('enterprise_requests.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('visible_to_enterprise', sa.Boolean(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_enterprise_request_events_request_id', 'enterprise_request_events', ['request_id'])
    op.create_table(
        'legal_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('region_code', sa.String(length=6), sa.ForeignKey('regions.code'), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('violation', sa.Text(), nullable=False),
        sa.Column('law', sa.Text(), nullable=False),
        sa.Column('penalty', sa.Text(), nullable=False),
        sa.Column('lesson', sa.Text(), nullable=False),
        sa.Column('item_codes', sa.JSON(), nullable=False),
        sa.Column('obligation_codes', sa.JSON(), nullable=False),
        sa.Column('industries', sa.JSON(), nullable=False),
        sa.Column('permit_classes', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_legal_cases_region_code', 'legal_cases', ['region_code'])
    op.create_index('ix_legal_cases_created_at', 'legal_cases', ['created_at'])
    op.create_table(
        'legal_reads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('legal_cases.id'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), sa.ForeignKey('enterprises.id'), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'user_id'),
    )
    op.create_index('ix_legal_reads_case_id', 'legal_reads', ['case_id'])
    op.create_index('ix_legal_reads_enterprise_id', 'legal_reads', ['enterprise_id'])
    op.create_table(
        'legal_trainings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), sa.ForeignKey('regions.code'), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('form', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_legal_trainings_region_code', 'legal_trainings', ['region_code'])
    op.create_index('ix_legal_trainings_held_on', 'legal_trainings', ['held_on'])
    op.create_table(
        'legal_training_attendees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), sa.ForeignKey('legal_trainings.id'), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), sa.ForeignKey('enterprises.id'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('training_id', 'enterprise_id'),
    )
    op.create_index('ix_legal_training_attendees_training_id', 'legal_training_attendees', ['training_id'])
    op.create_index('ix_legal_training_attendees_enterprise_id', 'legal_training_attendees', ['enterprise_id'])


def downgrade():
    for table in ('legal_training_attendees', 'legal_trainings', 'legal_reads', 'legal_cases',
                  'enterprise_request_events', 'enterprise_requests', 'obligation_feeds', 'obligations'):
        op.drop_table(table)
