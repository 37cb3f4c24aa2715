"""restricted contributions: a pledge's restriction (theme, region, country, call, period)

The restricted balance itself is a ledger account, fund:restricted:<restriction id>, created
by the application when a pledge is restricted; this table holds only the terms.

Data: existing earmarks are NOT turned into restrictions (decision 0094): an earmark was a
label the donor was told was not binding ("Unearmarked (preferred)"), and the money already
received for them sits in fund:available and may have funded grants of any theme. Finance
restricts a pledge explicitly, before it is paid, when the contribution agreement says so.

Revision ID: c4e8a1f2b7d9
Revises: 5d1f0e7a9c21
Create Date: 2026-12-07 02:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a1f2b7d9'
down_revision = '5d1f0e7a9c21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fund_restrictions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pledge_id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=40), nullable=True),
        sa.Column('region', sa.String(length=3), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'theme IS NOT NULL OR region IS NOT NULL OR country IS NOT NULL '
            'OR call_id IS NOT NULL OR starts_on IS NOT NULL OR ends_on IS NOT NULL',
            name=op.f('ck_fund_restrictions_some_term'),
        ),
        sa.CheckConstraint(
            'starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on',
            name=op.f('ck_fund_restrictions_period_ordered'),
        ),
        sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_fund_restrictions_pledge_id_pledges')),
        sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_fund_restrictions_donor_id_donors')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_fund_restrictions_call_id_calls')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_restrictions_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_restrictions')),
    )
    op.create_index(op.f('ix_fund_restrictions_pledge_id'), 'fund_restrictions', ['pledge_id'], unique=True)
    op.create_index(op.f('ix_fund_restrictions_donor_id'), 'fund_restrictions', ['donor_id'], unique=False)
    op.create_index(op.f('ix_fund_restrictions_ends_on'), 'fund_restrictions', ['ends_on'], unique=False)


def downgrade():
    # Refused while a restricted balance holds money or has moved any: dropping the terms would
    # leave fund:restricted:<id> accounts nobody can interpret. Empty accounts are removed.
    bind = op.get_bind()
    moved = bind.execute(
        sa.text(
            "SELECT count(*) FROM ledger_accounts WHERE key LIKE 'fund:restricted:%' "
            "AND (credits_posted > 0 OR debits_posted > 0 OR debits_pending > 0 OR credits_pending > 0)"
        )
    ).scalar()
    if moved:
        raise RuntimeError(
            "Restricted balances have ledger movements; they cannot be undone by a downgrade."
        )
    op.execute("DELETE FROM ledger_accounts WHERE key LIKE 'fund:restricted:%'")
    op.drop_index(op.f('ix_fund_restrictions_ends_on'), table_name='fund_restrictions')
    op.drop_index(op.f('ix_fund_restrictions_donor_id'), table_name='fund_restrictions')
    op.drop_index(op.f('ix_fund_restrictions_pledge_id'), table_name='fund_restrictions')
    op.drop_table('fund_restrictions')
