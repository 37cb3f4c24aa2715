"""bank accounts: an organisation's bank details, each change confirmed by a second person

One row per proposal; a confirmed row is current until a later one supersedes it. At most one
pending and one current row per organisation (partial unique indexes), and the proposer never
confirms (a CHECK), whatever the application does.

Revision ID: 314eee56f60d
Revises: 6cdeaf072da7
Create Date: 2026-12-06 23:16:31.762308

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '314eee56f60d'
down_revision = '6cdeaf072da7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('account_number', sa.String(length=40), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=False),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('account_key', sa.String(length=60), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejected_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('NOT (confirmed_at IS NOT NULL AND rejected_at IS NOT NULL)', name=op.f('ck_bank_accounts_confirmed_or_rejected')),
    sa.CheckConstraint('confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id', name=op.f('ck_bank_accounts_second_person')),
    sa.CheckConstraint('iban IS NOT NULL OR account_number IS NOT NULL', name=op.f('ck_bank_accounts_number')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_bank_accounts_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bank_accounts_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_bank_accounts_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['users.id'], name=op.f('fk_bank_accounts_rejected_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_account_key'), ['account_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_accounts_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_bank_accounts_current', ['organisation_id'], unique=True, sqlite_where=sa.text('confirmed_at IS NOT NULL AND superseded_at IS NULL'), postgresql_where=sa.text('confirmed_at IS NOT NULL AND superseded_at IS NULL'))
        batch_op.create_index('uq_bank_accounts_pending', ['organisation_id'], unique=True, sqlite_where=sa.text('confirmed_at IS NULL AND rejected_at IS NULL'), postgresql_where=sa.text('confirmed_at IS NULL AND rejected_at IS NULL'))



def downgrade():
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_accounts_pending', sqlite_where=sa.text('confirmed_at IS NULL AND rejected_at IS NULL'), postgresql_where=sa.text('confirmed_at IS NULL AND rejected_at IS NULL'))
        batch_op.drop_index('uq_bank_accounts_current', sqlite_where=sa.text('confirmed_at IS NOT NULL AND superseded_at IS NULL'), postgresql_where=sa.text('confirmed_at IS NOT NULL AND superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_bank_accounts_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_bank_accounts_account_key'))

    op.drop_table('bank_accounts')
