"""grants: awards with their agreement, tranches (maker-checker disbursements), grantee reports
with aggregate figures, spending and attachments, amendments, closure refunds, and the yearly
grant reference sequence

Revision ID: c7a9e1f00007
Revises: b6e1a2f00006
Create Date: 2026-11-28 02:29:26.594239

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a9e1f00007'
down_revision = 'b6e1a2f00006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_grant_sequences'))
    )
    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('board_decision_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('awarded', 'agreement_sent', 'active', 'suspended', 'closing', 'closed', name='grant_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('psc_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('psc_amount', sa.BigInteger(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('risk_rating', sa.Enum('low', 'medium', 'high', name='grant_risk_rating', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('budget_version', sa.Integer(), nullable=False),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('awarded_by_id', sa.Integer(), nullable=True),
    sa.Column('agreement_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreement_sent_by_id', sa.Integer(), nullable=True),
    sa.Column('agreement_sha256', sa.String(length=64), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=True),
    sa.Column('signatory_title', sa.String(length=200), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_ip', sa.String(length=45), nullable=True),
    sa.Column('suspension_reason', sa.Text(), nullable=True),
    sa.Column('closing_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_expenditure', sa.BigInteger(), nullable=True),
    sa.Column('unspent_amount', sa.BigInteger(), nullable=True),
    sa.Column('released_amount', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grants_amount_positive')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_grants_ends_after_start')),
    sa.CheckConstraint('psc_amount >= 0', name=op.f('ck_grants_psc_not_negative')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_grants_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['agreement_sent_by_id'], ['users.id'], name=op.f('fk_grants_agreement_sent_by_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_grants_application_id_applications')),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['users.id'], name=op.f('fk_grants_awarded_by_id_users')),
    sa.ForeignKeyConstraint(['board_decision_id'], ['board_decisions.id'], name=op.f('fk_grants_board_decision_id_board_decisions')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_grants_closed_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_grants_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('application_id', name=op.f('uq_grants_application_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_grants_reference')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_grants_year'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_status'), ['status'], unique=False)

    op.create_table('grant_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('budget_reallocation', 'no_cost_extension', name='amendment_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('requested', 'approved', 'rejected', name='amendment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('old_end_date', sa.Date(), nullable=True),
    sa.Column('new_end_date', sa.Date(), nullable=True),
    sa.Column('base_budget_version', sa.Integer(), nullable=True),
    sa.Column('new_budget_version', sa.Integer(), nullable=True),
    sa.Column('proposed_amounts', sa.JSON(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_grant_amendments_decided_by_id_users')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_amendments_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_grant_amendments_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_amendments')),
    sa.UniqueConstraint('grant_id', 'number', name=op.f('uq_grant_amendments_grant_id'))
    )
    with op.batch_alter_table('grant_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_amendments_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_amendments_status'), ['status'], unique=False)

    op.create_table('grant_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('personnel', 'direct_assistance', 'training_and_outreach', 'travel', 'equipment_and_supplies', 'premises_and_operations', 'monitoring_and_audit', 'other', name='grant_budget_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_budget_lines_amount_not_negative')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_budget_lines_grant_id_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_budget_lines')),
    sa.UniqueConstraint('grant_id', 'version', 'position', name=op.f('uq_grant_budget_lines_grant_id'))
    )
    with op.batch_alter_table('grant_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_budget_lines_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('psc_reversed', sa.BigInteger(), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_refunds_amount_positive')),
    sa.CheckConstraint('psc_reversed >= 0', name=op.f('ck_grant_refunds_psc_reversed_not_negative')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_refunds_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_grant_refunds_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_refunds')),
    sa.UniqueConstraint('grant_id', 'bank_reference', name=op.f('uq_grant_refunds_grant_id'))
    )
    with op.batch_alter_table('grant_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_refunds_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'requested', 'approved', 'sent', 'paid', 'failed', 'cancelled', name='tranche_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('psc_amount', sa.BigInteger(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_tranches_amount_positive')),
    sa.CheckConstraint('approved_by_id IS NULL OR requested_by_id IS NULL OR approved_by_id <> requested_by_id', name=op.f('ck_grant_tranches_checker_is_not_maker')),
    sa.CheckConstraint('attempt >= 1', name=op.f('ck_grant_tranches_attempt_positive')),
    sa.CheckConstraint('psc_amount >= 0', name=op.f('ck_grant_tranches_psc_not_negative')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_grant_tranches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_grant_tranches_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_tranches_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_grant_tranches_requested_by_id_users')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_grant_tranches_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_tranches')),
    sa.UniqueConstraint('grant_id', 'number', name=op.f('uq_grant_tranches_grant_id'))
    )
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_tranches_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_tranches_status'), ['status'], unique=False)

    op.create_table('grant_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress', 'financial', 'final', name='grant_report_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('due', 'submitted', 'accepted', 'changes_requested', name='grant_report_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('gates_tranche_id', sa.Integer(), nullable=True),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('safeguarding_incidents', sa.Integer(), nullable=False),
    sa.Column('safeguarding_details', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('safeguarding_incidents >= 0', name=op.f('ck_grant_reports_incidents_not_negative')),
    sa.ForeignKeyConstraint(['gates_tranche_id'], ['grant_tranches.id'], name=op.f('fk_grant_reports_gates_tranche_id_grant_tranches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_reports_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_grant_reports_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_grant_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_reports'))
    )
    with op.batch_alter_table('grant_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_reports_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_reports_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_reports_status'), ['status'], unique=False)

    op.create_table('grant_report_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_grant_report_attachments_size_positive')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_attachments_report_id_grant_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_grant_report_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_grant_report_attachments_storage_key'))
    )
    with op.batch_alter_table('grant_report_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_attachments_report_id'), ['report_id'], unique=False)

    op.create_table('grant_report_expenditures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_report_expenditures_amount_not_negative')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['grant_budget_lines.id'], name=op.f('fk_grant_report_expenditures_budget_line_id_grant_budget_lines')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_expenditures_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_expenditures')),
    sa.UniqueConstraint('report_id', 'budget_line_id', name=op.f('uq_grant_report_expenditures_report_id'))
    )
    with op.batch_alter_table('grant_report_expenditures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_expenditures_report_id'), ['report_id'], unique=False)

    op.create_table('grant_report_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.Enum('sex_age', 'exploitation', 'assistance', name='figure_dimension', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_grant_report_figures_count_not_negative')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_figures_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_figures')),
    sa.UniqueConstraint('report_id', 'dimension', 'code', name=op.f('uq_grant_report_figures_report_id'))
    )
    with op.batch_alter_table('grant_report_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_figures_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('grant_report_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_figures_report_id'))

    op.drop_table('grant_report_figures')
    with op.batch_alter_table('grant_report_expenditures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_expenditures_report_id'))

    op.drop_table('grant_report_expenditures')
    with op.batch_alter_table('grant_report_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_attachments_report_id'))

    op.drop_table('grant_report_attachments')
    with op.batch_alter_table('grant_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_reports_status'))
        batch_op.drop_index(batch_op.f('ix_grant_reports_grant_id'))
        batch_op.drop_index(batch_op.f('ix_grant_reports_due_date'))

    op.drop_table('grant_reports')
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_tranches_status'))
        batch_op.drop_index(batch_op.f('ix_grant_tranches_grant_id'))

    op.drop_table('grant_tranches')
    with op.batch_alter_table('grant_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_refunds_grant_id'))

    op.drop_table('grant_refunds')
    with op.batch_alter_table('grant_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_budget_lines_grant_id'))

    op.drop_table('grant_budget_lines')
    with op.batch_alter_table('grant_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_amendments_status'))
        batch_op.drop_index(batch_op.f('ix_grant_amendments_grant_id'))

    op.drop_table('grant_amendments')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_status'))
        batch_op.drop_index(batch_op.f('ix_grants_organisation_id'))

    op.drop_table('grants')
    op.drop_table('grant_sequences')
