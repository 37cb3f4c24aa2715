"""copy flag decisions: a screener clears a copied-proposal flag or confirms it, with a reason

A flag without a decision is waiting in the due-diligence queue; the decision, its reason, who
made it and when are kept on the flag (and audited), and a changed text reopens it.

Revision ID: a4c8e2f61b37
Revises: c7e2a9d4b610
Create Date: 2026-12-07 05:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c8e2f61b37"
down_revision = "c7e2a9d4b610"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("copy_flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "decision",
                sa.Enum(
                    "cleared",
                    "confirmed",
                    name="copy_decision",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("decision_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_copy_flags_decided_by_id_users"),
            "users",
            ["decided_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_copy_flags_decision"), ["decision"], unique=False)


def downgrade():
    with op.batch_alter_table("copy_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_copy_flags_decision"))
        batch_op.drop_constraint(
            batch_op.f("fk_copy_flags_decided_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decision_reason")
        batch_op.drop_constraint(batch_op.f("ck_copy_flags_copy_decision"), type_="check")
        batch_op.drop_column("decision")
