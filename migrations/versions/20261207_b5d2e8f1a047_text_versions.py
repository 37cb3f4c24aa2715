"""text versions: the wording of e-mails and letters staff edit, and the version an e-mail used

One row per saved version of a text (key, language); a save adds a version, never overwrites.
outbox_messages.text_version_id names the version an e-mail was written from (NULL: the
built-in wording). See app/texts/ and decision 0108.

Revision ID: b5d2e8f1a047
Revises: a1c3e5f70b92
Create Date: 2026-12-07 03:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d2e8f1a047"
down_revision = "a1c3e5f70b92"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "text_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_text_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_versions")),
        sa.UniqueConstraint(
            "key", "locale", "version", name=op.f("uq_text_versions_key_locale_version")
        ),
    )
    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_text_versions_in_force", ["key", "locale", "is_active"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_text_versions_created_by_id"), ["created_by_id"], unique=False
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_version_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_text_version_id"), ["text_version_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_text_version_id_text_versions"),
            "text_versions",
            ["text_version_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_text_version_id_text_versions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_messages_text_version_id"))
        batch_op.drop_column("text_version_id")
    with op.batch_alter_table("text_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_versions_created_by_id"))
        batch_op.drop_index("ix_text_versions_in_force")
    op.drop_table("text_versions")
