"""two-stage calls: a call's concept-note deadline (its closes_at is then the full proposals'),
each application's concept note with the fund's answer, and the notification kind that tells the
organisation (decision 0115)

Revision ID: 455c82350a13
Revises: b5e1c3d7a920
Create Date: 2026-12-07 05:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "455c82350a13"
down_revision = "b5e1c3d7a920"
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
)  # fmt: skip
NEW_KINDS = ("concept_note_outcome",)
KINDS_AFTER = KINDS_BEFORE + NEW_KINDS


def _set_notification_kinds(kinds):
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notification_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_notifications_notification_kind"), f"kind IN ({listed})"
        )


def upgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concept_closes_at", sa.DateTime(timezone=True)))
        batch_op.create_check_constraint(
            op.f("ck_calls_concept_deadline_within_call"),
            "concept_closes_at IS NULL OR "
            "(concept_closes_at > opens_at AND concept_closes_at < closes_at)",
        )
    op.create_table(
        "concept_notes",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "invited",
                "declined",
                name="concept_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("forms_of_exploitation", sa.JSON(), nullable=False),
        sa.Column("indicative_amount", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "indicative_amount >= 0", name=op.f("ck_concept_notes_indicative_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_concept_notes_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_concept_notes_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_concept_notes")),
    )
    op.create_index(
        "ix_concept_notes_listing",
        "concept_notes",
        ["status", "submitted_at", "application_id"],
        unique=False,
    )
    _set_notification_kinds(KINDS_AFTER)


def downgrade():
    # A notification cannot outlive its kind; concept notes and their answers go with the table.
    listed = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({listed})")  # noqa: S608
    _set_notification_kinds(KINDS_BEFORE)
    op.drop_index("ix_concept_notes_listing", table_name="concept_notes")
    op.drop_table("concept_notes")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_calls_concept_deadline_within_call"), type_="check")
        batch_op.drop_column("concept_closes_at")
