"""bank files: payment files (pain.001) of approved tranches, and imported bank statements
(camt.053) with what was made of each transaction

Revision ID: c4b1f2a90e57
Revises: b7c2e94d1f30
Create Date: 2026-12-07 02:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4b1f2a90e57"
down_revision = "b7c2e94d1f30"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "bank_payment_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debtor_account", sa.String(length=40), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("execution_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "cancelled",
                name="payment_batch_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", _utc(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_bank_payment_batches_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["users.id"],
            name=op.f("fk_bank_payment_batches_cancelled_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_payment_batches")),
        sa.UniqueConstraint("message_id", name=op.f("uq_bank_payment_batches_message_id")),
    )
    op.create_index(
        op.f("ix_bank_payment_batches_status"), "bank_payment_batches", ["status"], unique=False
    )
    op.create_table(
        "bank_payment_batch_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("tranche_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["bank_payment_batches.id"],
            name=op.f("fk_bank_payment_batch_items_batch_id_bank_payment_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"],
            ["grant_tranches.id"],
            name=op.f("fk_bank_payment_batch_items_tranche_id_grant_tranches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_payment_batch_items")),
        sa.UniqueConstraint(
            "end_to_end_id", name=op.f("uq_bank_payment_batch_items_end_to_end_id")
        ),
        sa.UniqueConstraint(
            "tranche_id", "attempt", name=op.f("uq_bank_payment_batch_items_tranche_id")
        ),
    )
    op.create_index(
        op.f("ix_bank_payment_batch_items_batch_id"),
        "bank_payment_batch_items",
        ["batch_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_bank_payment_batch_items_tranche_id"),
        "bank_payment_batch_items",
        ["tranche_id"],
        unique=False,
    )
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("statement_id", sa.String(length=35), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_bank_statements_imported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint(
            "account", "statement_id", name=op.f("uq_bank_statements_account")
        ),
    )
    op.create_table(
        "bank_statement_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("entry_key", sa.String(length=120), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=True),
        sa.Column("counterparty", sa.String(length=140), nullable=True),
        sa.Column("remittance", sa.String(length=500), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "tranche_paid",
                "already_paid",
                "proposed",
                "confirmed",
                "dismissed",
                "unmatched",
                name="statement_entry_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("tranche_id", sa.Integer(), nullable=True),
        sa.Column("pledge_id", sa.Integer(), nullable=True),
        sa.Column("bank_receipt_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_bank_statement_entries_amount_positive")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_statement_entries_statement_id_bank_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"],
            ["grant_tranches.id"],
            name=op.f("fk_bank_statement_entries_tranche_id_grant_tranches"),
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_bank_statement_entries_pledge_id_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["bank_receipt_id"],
            ["bank_receipts.id"],
            name=op.f("fk_bank_statement_entries_bank_receipt_id_bank_receipts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_bank_statement_entries_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement_entries")),
        sa.UniqueConstraint(
            "account", "entry_key", name=op.f("uq_bank_statement_entries_account")
        ),
    )
    op.create_index(
        op.f("ix_bank_statement_entries_statement_id"),
        "bank_statement_entries",
        ["statement_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_bank_statement_entries_outcome"),
        "bank_statement_entries",
        ["outcome"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_bank_statement_entries_outcome"), table_name="bank_statement_entries")
    op.drop_index(
        op.f("ix_bank_statement_entries_statement_id"), table_name="bank_statement_entries"
    )
    op.drop_table("bank_statement_entries")
    op.drop_table("bank_statements")
    op.drop_index(
        op.f("ix_bank_payment_batch_items_tranche_id"), table_name="bank_payment_batch_items"
    )
    op.drop_index(
        op.f("ix_bank_payment_batch_items_batch_id"), table_name="bank_payment_batch_items"
    )
    op.drop_table("bank_payment_batch_items")
    op.drop_index(op.f("ix_bank_payment_batches_status"), table_name="bank_payment_batches")
    op.drop_table("bank_payment_batches")
