"""restricted expiry warnings: finance warned once per restriction and threshold (6 months, 1
month) that a restricted balance's period ends with money left; the notification kind that
tells them (decision 0106)

Revision ID: d6f1b3a8c502
Revises: e8de56d80a63
Create Date: 2026-12-07 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd6f1b3a8c502'
down_revision = 'e8de56d80a63'
branch_labels = None
depends_on = None

# app/notifications/models.py NotificationKind before and after this migration.
KINDS_BEFORE = (
    'review_assigned', 'review_reminder', 'reviewer_recused', 'reviews_complete',
    'board_pack_ready', 'information_requested', 'screening_outcome', 'board_decision',
    'note_mention', 'attention_needed',
    'verification_requested', 'verification_outcome', 'application_submitted',
    'application_received', 'agreement_sent', 'agreement_accepted', 'grant_updated',
    'tranche_paid',
    'bank_change_proposed', 'bank_change_confirmed', 'bank_change_rejected',
)
NEW_KINDS = ('restricted_money_expiring',)
KINDS_AFTER = KINDS_BEFORE + NEW_KINDS


def _set_notification_kinds(kinds):
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_notifications_notification_kind'), f"kind IN ({listed})"
        )


def upgrade():
    op.create_table(
        'fund_restriction_warnings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('restriction_id', sa.Integer(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('warned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['restriction_id'], ['fund_restrictions.id'],
            name=op.f('fk_fund_restriction_warnings_restriction_id_fund_restrictions'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_restriction_warnings')),
        sa.UniqueConstraint(
            'restriction_id', 'months', name=op.f('uq_fund_restriction_warnings_restriction_id')
        ),
    )
    op.create_index(
        op.f('ix_fund_restriction_warnings_restriction_id'),
        'fund_restriction_warnings', ['restriction_id'], unique=False,
    )
    _set_notification_kinds(KINDS_AFTER)


def downgrade():
    # A notification cannot outlive its kind; the warnings given are forgotten (a later upgrade
    # and run would warn again about balances still ending soon).
    listed = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({listed})")
    _set_notification_kinds(KINDS_BEFORE)
    op.drop_index(
        op.f('ix_fund_restriction_warnings_restriction_id'), table_name='fund_restriction_warnings'
    )
    op.drop_table('fund_restriction_warnings')
