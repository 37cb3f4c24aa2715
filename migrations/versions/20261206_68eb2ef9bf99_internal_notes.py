"""internal notes: staff notes on organisations, applications, grants and pledges

The notes table is append-only (a correction is a new note), so it gets the same triggers as
the other append-only tables; notifications gain the kind that tells a colleague a note
mentions them.

Revision ID: 68eb2ef9bf99
Revises: 314eee56f60d
Create Date: 2026-12-06 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68eb2ef9bf99'
down_revision = '314eee56f60d'
branch_labels = None
depends_on = None

TABLE = 'internal_notes'

# app/notifications/models.py NotificationKind before and after this migration.
KINDS_BEFORE = (
    'review_assigned', 'review_reminder', 'reviewer_recused', 'reviews_complete',
    'board_pack_ready', 'information_requested', 'screening_outcome', 'board_decision',
    'attention_needed',
)
KINDS_AFTER = KINDS_BEFORE + ('note_mention',)


def _append_only_sql(dialect):
    """(create, drop) statements of the triggers that make the notes append-only (a copy of
    the baseline migration's, for this one table)."""
    if dialect == 'postgresql':
        return (
            [
                "CREATE OR REPLACE FUNCTION reject_append_only_change() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', "
                "TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()",
            ],
            # The function stays: the baseline's append-only tables use it too.
            [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}"],
        )
    return (
        [
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
        ],
    )


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
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.Enum('organisation', 'application', 'grant', 'pledge', name='note_subject', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('mentioned_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_internal_notes_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internal_notes'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internal_notes_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_internal_notes_subject', ['subject_type', 'subject_id'], unique=False)
    for statement in _append_only_sql(op.get_bind().dialect.name)[0]:
        op.execute(statement)
    _set_notification_kinds(KINDS_AFTER)


def downgrade():
    # A mention's notification cannot outlive its kind.
    op.execute("DELETE FROM notifications WHERE kind = 'note_mention'")
    _set_notification_kinds(KINDS_BEFORE)
    for statement in _append_only_sql(op.get_bind().dialect.name)[1]:
        op.execute(statement)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index('ix_internal_notes_subject')
        batch_op.drop_index(batch_op.f('ix_internal_notes_author_id'))
    op.drop_table(TABLE)
