"""donations: donors, card gifts and monthly gifts, refunds and disputes, pledges, bank receipts
and their allocations, exchange rates, numbered receipts and stored Stripe events

Revision ID: a904f51a15ca
Revises: 55f40ed7675f
Create Date: 2026-11-28 01:47:48.130442

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a904f51a15ca'
down_revision = '55f40ed7675f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('receipt_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_receipt_sequences'))
    )
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('object_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_events_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stripe_events_type'), ['type'], unique=False)

    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('member_state', 'government', 'intergovernmental', 'company', 'foundation', 'individual', name='donor_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_donors_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_donors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_donors_organisation_id'))
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donors_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_donors_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_donors_user_id'), ['user_id'], unique=False)

    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_exchange_rates_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'month', name=op.f('uq_exchange_rates_currency'))
    )
    op.create_table('bank_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('reference_key', sa.String(length=100), nullable=False),
    sa.Column('payer_name', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('fx_month', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_bank_receipts_amount_positive')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_bank_receipts_donor_id_donors')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_bank_receipts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_receipts')),
    sa.UniqueConstraint('reference_key', name=op.f('uq_bank_receipts_reference_key'))
    )
    with op.batch_alter_table('bank_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_receipts_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_receipts_value_date'), ['value_date'], unique=False)

    op.create_table('gift_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'unpaid', 'paused', 'canceled', name='gift_subscription_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_setup_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_plan_id', sa.String(length=255), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('canceled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_subscriptions_amount_positive')),
    sa.ForeignKeyConstraint(['cancel_requested_by_id'], ['users.id'], name=op.f('fk_gift_subscriptions_cancel_requested_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gift_subscriptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_gift_subscriptions_donor_id_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_subscriptions')),
    sa.UniqueConstraint('public_token', name=op.f('uq_gift_subscriptions_public_token')),
    sa.UniqueConstraint('stripe_subscription_id', name=op.f('uq_gift_subscriptions_stripe_subscription_id'))
    )
    with op.batch_alter_table('gift_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_subscriptions_donor_id'), ['donor_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('earmark', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('pledged', 'confirmed', 'partially_paid', 'paid', 'cancelled', 'written_off', name='pledge_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('letter_key', sa.String(length=64), nullable=True),
    sa.Column('letter_filename', sa.String(length=200), nullable=True),
    sa.Column('letter_content_type', sa.String(length=100), nullable=True),
    sa.Column('letter_size', sa.Integer(), nullable=True),
    sa.Column('functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=True),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledges_amount_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_pledges_year_plausible')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_pledges_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pledges_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_pledges_donor_id_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_year'), ['year'], unique=False)

    op.create_table('bank_receipt_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_receipt_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('carrying_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_bank_receipt_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['bank_receipt_id'], ['bank_receipts.id'], name=op.f('fk_bank_receipt_allocations_bank_receipt_id_bank_receipts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bank_receipt_allocations_created_by_id_users')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_bank_receipt_allocations_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_receipt_allocations'))
    )
    with op.batch_alter_table('bank_receipt_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_receipt_allocations_bank_receipt_id'), ['bank_receipt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_receipt_allocations_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('gifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('one_off', 'monthly', name='gift_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'succeeded', 'failed', name='gift_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=True),
    sa.Column('fx_month', sa.Date(), nullable=True),
    sa.Column('fee_amount', sa.BigInteger(), nullable=False),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_setup_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_invoice_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_charge_id', sa.String(length=255), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('succeeded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gifts_amount_positive')),
    sa.CheckConstraint('fee_amount >= 0', name=op.f('ck_gifts_fee_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gifts_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_gifts_donor_id_donors')),
    sa.ForeignKeyConstraint(['subscription_id'], ['gift_subscriptions.id'], name=op.f('fk_gifts_subscription_id_gift_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gifts')),
    sa.UniqueConstraint('public_token', name=op.f('uq_gifts_public_token')),
    sa.UniqueConstraint('stripe_invoice_id', name=op.f('uq_gifts_stripe_invoice_id')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_gifts_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gifts_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_stripe_charge_id'), ['stripe_charge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_succeeded_at'), ['succeeded_at'], unique=False)

    op.create_table('pledge_instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledge_instalments_amount_positive')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_pledge_instalments_pledge_id_pledges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_instalments'))
    )
    with op.batch_alter_table('pledge_instalments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_instalments_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('donation_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=True),
    sa.Column('bank_receipt_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(gift_id IS NULL) <> (bank_receipt_id IS NULL)', name=op.f('ck_donation_receipts_one_subject')),
    sa.ForeignKeyConstraint(['bank_receipt_id'], ['bank_receipts.id'], name=op.f('fk_donation_receipts_bank_receipt_id_bank_receipts')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_donation_receipts_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_receipts')),
    sa.UniqueConstraint('bank_receipt_id', name=op.f('uq_donation_receipts_bank_receipt_id')),
    sa.UniqueConstraint('gift_id', name=op.f('uq_donation_receipts_gift_id')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_donation_receipts_year'))
    )
    op.create_table('gift_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('stripe_dispute_id', sa.String(length=255), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('functional_amount_lost', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_disputes_amount_positive')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_gift_disputes_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_disputes')),
    sa.UniqueConstraint('stripe_dispute_id', name=op.f('uq_gift_disputes_stripe_dispute_id'))
    )
    with op.batch_alter_table('gift_disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_disputes_gift_id'), ['gift_id'], unique=False)

    op.create_table('gift_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_gift_refunds_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_refunds')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_gift_refunds_stripe_refund_id'))
    )
    with op.batch_alter_table('gift_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_refunds_gift_id'), ['gift_id'], unique=False)



def downgrade():
    with op.batch_alter_table('gift_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_refunds_gift_id'))

    op.drop_table('gift_refunds')
    with op.batch_alter_table('gift_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_disputes_gift_id'))

    op.drop_table('gift_disputes')
    op.drop_table('donation_receipts')
    with op.batch_alter_table('pledge_instalments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_instalments_pledge_id'))

    op.drop_table('pledge_instalments')
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gifts_succeeded_at'))
        batch_op.drop_index(batch_op.f('ix_gifts_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_gifts_stripe_charge_id'))
        batch_op.drop_index(batch_op.f('ix_gifts_status'))
        batch_op.drop_index(batch_op.f('ix_gifts_donor_id'))

    op.drop_table('gifts')
    with op.batch_alter_table('bank_receipt_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_receipt_allocations_pledge_id'))
        batch_op.drop_index(batch_op.f('ix_bank_receipt_allocations_bank_receipt_id'))

    op.drop_table('bank_receipt_allocations')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_year'))
        batch_op.drop_index(batch_op.f('ix_pledges_status'))
        batch_op.drop_index(batch_op.f('ix_pledges_donor_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('gift_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_subscriptions_donor_id'))

    op.drop_table('gift_subscriptions')
    with op.batch_alter_table('bank_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_receipts_value_date'))
        batch_op.drop_index(batch_op.f('ix_bank_receipts_donor_id'))

    op.drop_table('bank_receipts')
    op.drop_table('exchange_rates')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donors_user_id'))
        batch_op.drop_index(batch_op.f('ix_donors_kind'))
        batch_op.drop_index(batch_op.f('ix_donors_email'))

    op.drop_table('donors')
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_events_type'))
        batch_op.drop_index(batch_op.f('ix_stripe_events_object_id'))

    op.drop_table('stripe_events')
    op.drop_table('receipt_sequences')
