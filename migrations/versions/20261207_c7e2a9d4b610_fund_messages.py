"""application messages: a message from the fund (kind 'notice'), written to one or many
applicants, besides requests for information and the applicants' replies

Revision ID: c7e2a9d4b610
Revises: d6f1b3a8c502
Create Date: 2026-12-07 03:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7e2a9d4b610'
down_revision = 'd6f1b3a8c502'
branch_labels = None
depends_on = None

# app/applications/models.py MessageKind before and after this migration.
KINDS_BEFORE = ('information_request', 'reply')
KINDS_AFTER = KINDS_BEFORE + ('notice',)


def _set_kinds(values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table('application_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_application_messages_message_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_application_messages_message_kind'), f"kind IN ({listed})"
        )


def upgrade():
    _set_kinds(KINDS_AFTER)


def downgrade():
    # The fund's messages have no kind without this one: they are removed with it.
    op.execute("DELETE FROM application_messages WHERE kind = 'notice'")
    _set_kinds(KINDS_BEFORE)
