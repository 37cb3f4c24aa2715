"""hand-off notifications: the kinds that tell whoever acts next at each workflow move

Only the notifications' CHECK changes: eight new kinds (app/handoffs.py says who gets which).

Revision ID: 2d9892653fe9
Revises: 164a821352bb
Create Date: 2026-12-06 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2d9892653fe9'
down_revision = '164a821352bb'
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    'review_assigned', 'review_reminder', 'reviewer_recused', 'reviews_complete',
    'board_pack_ready', 'information_requested', 'screening_outcome', 'board_decision',
    'note_mention', 'attention_needed',
)
NEW_KINDS = (
    'verification_requested', 'verification_outcome', 'application_submitted',
    'application_received', 'agreement_sent', 'agreement_accepted', 'grant_updated',
    'tranche_paid',
)
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
    for kind in NEW_KINDS:
        op.execute(sa.text("DELETE FROM notifications WHERE kind = :kind").bindparams(kind=kind))
    _set_notification_kinds(KINDS_BEFORE)
