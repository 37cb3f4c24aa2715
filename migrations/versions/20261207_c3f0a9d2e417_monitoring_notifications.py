"""monitoring notifications: the grantee's staff told of a recommendation made or reopened, the
fund's monitoring staff of the grantee's answer

Only the notifications' CHECK changes: two new kinds.

Revision ID: c3f0a9d2e417
Revises: b2e7c4d91f06
Create Date: 2026-12-07 06:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c3f0a9d2e417"
down_revision = "b2e7c4d91f06"
branch_labels = None
depends_on = None

# app/notifications/models.py NotificationKind before and after this migration.
KINDS_BEFORE = (
    "review_assigned", "review_reminder", "reviewer_recused", "reviews_complete",
    "board_pack_ready", "information_requested", "screening_outcome", "board_decision",
    "note_mention", "attention_needed",
    "verification_requested", "verification_outcome", "application_submitted",
    "application_received", "agreement_sent", "agreement_accepted", "grant_updated",
    "tranche_paid",
    "bank_change_proposed", "bank_change_confirmed", "bank_change_rejected",
    "restricted_money_expiring",
    "concept_note_outcome",
)  # fmt: skip
NEW_KINDS = ("monitoring_recommendation", "monitoring_answer")
KINDS_AFTER = KINDS_BEFORE + NEW_KINDS


def _set_notification_kinds(kinds):
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notification_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_notifications_notification_kind"), f"kind IN ({listed})"
        )


def upgrade():
    _set_notification_kinds(KINDS_AFTER)


def downgrade():
    # A notification cannot outlive its kind.
    listed = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({listed})")  # noqa: S608
    _set_notification_kinds(KINDS_BEFORE)
