"""bank change notifications: the fund managers told of a proposed change of bank details, the
organisation's people of its confirmation or rejection

Only the notifications' CHECK changes: three new kinds.

Revision ID: 967b51e3efdc
Revises: 44fc578cd360
Create Date: 2026-12-07 00:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '967b51e3efdc'
down_revision = '44fc578cd360'
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
)
NEW_KINDS = ('bank_change_proposed', 'bank_change_confirmed', 'bank_change_rejected')
KINDS_AFTER = KINDS_BEFORE + NEW_KINDS


def _kind_check(kinds):
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    return f"kind IN ({listed})"


def _set_notification_kinds(kinds):
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_notifications_notification_kind'), _kind_check(kinds)
        )


def upgrade():
    _set_notification_kinds(KINDS_AFTER)


def downgrade():
    # A notification cannot outlive its kind.
    listed = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({listed})")
    _set_notification_kinds(KINDS_BEFORE)
